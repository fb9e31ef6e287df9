//! Entity for the `sandbox_software` table. Mirrors the migrations; only [`crate::store`] uses it.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sandbox_software")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub software_id: String,
    pub organisation_id: String,
    pub client_name: String,
    pub redirect_uris: String,
    pub roles: String,
    pub jwks: String,
    pub certificate_pem: String,
    pub created_by: String,
    pub created_at: DateTimeUtc,
    pub retired_at: Option<DateTimeUtc>,
}

impl ActiveModelBehavior for ActiveModel {}
