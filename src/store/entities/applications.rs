//! Entity for the `applications` table. Mirrors the migrations; only [`crate::store`] uses it.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "applications")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub organisation_id: String,
    pub name: String,
    pub description: String,
    pub logo_uri: Option<String>,
    pub redirect_uris: String,
    pub auth_method: String,
    pub jwks_uri: Option<String>,
    pub jwks: Option<String>,
    pub tls_subject_dn: Option<String>,
    pub scopes: String,
    pub status: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
