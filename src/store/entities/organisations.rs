//! Entity for the `organisations` table. Mirrors the migrations; only [`crate::store`] uses it.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "organisations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub legal_name: String,
    pub status: String,
    pub profile: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub directory_org_id: Option<String>,
    pub directory_issuer: Option<String>,
    pub require_mfa: bool,
}

impl ActiveModelBehavior for ActiveModel {}
