//! Entity for the `authority_evidence` table. Mirrors the migrations; only [`crate::store`] uses
//! it.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "authority_evidence")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub organisation_id: String,
    pub instance_id: Option<String>,
    pub source: String,
    pub verdict: String,
    pub looked_up: String,
    pub found: String,
    pub details: String,
    pub author: Option<String>,
    pub checked_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
