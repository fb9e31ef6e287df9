//! Entity for the `clients` table. Mirrors the migrations; only [`crate::store`] uses it.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "clients")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub client_id: String,
    pub application_id: String,
    pub organisation_id: String,
    pub environment: String,
    pub origin: String,
    pub auth_method: String,
    pub metadata: String,
    pub status: String,
    pub status_before_suspension: Option<String>,
    pub secret_hash: Option<String>,
    pub secret_hint: Option<String>,
    pub secret_created_at: Option<DateTimeUtc>,
    pub previous_secret_hash: Option<String>,
    pub previous_secret_expires_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
