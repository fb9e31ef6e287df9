//! Entity for the `signing_keys` table. Mirrors the migrations; only [`crate::store`] uses it.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "signing_keys")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub kid: String,
    pub alg: String,
    pub private_pkcs8: String,
    pub public_jwk: String,
    pub created_at: DateTimeUtc,
    pub retires_at: Option<DateTimeUtc>,
    pub environment: String,
}

impl ActiveModelBehavior for ActiveModel {}
