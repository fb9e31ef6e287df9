//! Entity for the `trusted_services` table. Mirrors the migrations; only [`crate::store`] uses
//! it.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "trusted_services")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub list_key: String,
    pub territory: String,
    pub tsp_name: String,
    pub service_name: String,
    pub status: String,
    pub status_from: DateTimeUtc,
    pub history: String,
    pub certificates: String,
    pub purposes: String,
    pub imported_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
