//! Entity for the `revoked_tokens` table. Mirrors the migrations; only [`crate::store`] uses it.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "revoked_tokens")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub jti: String,
    pub expires_at: DateTimeUtc,
    pub revoked_at: DateTimeUtc,
    pub reason: String,
}

impl ActiveModelBehavior for ActiveModel {}
