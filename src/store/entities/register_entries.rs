//! Entity for the `register_entries` table. Mirrors the migrations; only [`crate::store`] uses
//! it.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "register_entries")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub register: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub authority: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub number: String,
    pub name: String,
    pub status: String,
    pub roles: String,
    pub entity_type: String,
    pub authorised_since: Option<String>,
    pub withdrawn_at: Option<String>,
    pub imported_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
