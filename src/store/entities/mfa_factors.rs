//! Entity for the `mfa_factors` table. Mirrors the migrations; only [`crate::store`] uses it.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "mfa_factors")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub kind: String,
    pub subject_id: String,
    pub secret: String,
    pub created_at: DateTimeUtc,
    pub enrolled_at: Option<DateTimeUtc>,
    pub last_step: i64,
}

impl ActiveModelBehavior for ActiveModel {}
