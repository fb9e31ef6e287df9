//! Onramp's token signing keys.

use super::StoreError;
use super::entities::signing_keys::{self as sk, Entity};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};

/// A stored signing key.
#[derive(Clone)]
pub struct SigningKeyRecord {
    /// Key id (`kid`).
    pub kid: String,
    /// `ES256` or `PS256`.
    pub alg: String,
    /// PKCS#8 DER, base64.
    pub private_pkcs8: String,
    /// The public JWK (JSON).
    pub public_jwk: String,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// After this the key is gone from the JWKS; `None` while it signs.
    pub retires_at: Option<DateTime<Utc>>,
    /// The environment whose tokens it signs (`sandbox` or `production`).
    pub environment: String,
}

impl std::fmt::Debug for SigningKeyRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKeyRecord")
            .field("kid", &self.kid)
            .field("alg", &self.alg)
            .finish_non_exhaustive()
    }
}

/// Stores a new key.
pub async fn insert(c: &impl ConnectionTrait, r: &SigningKeyRecord) -> Result<(), StoreError> {
    let am = sk::ActiveModel {
        kid: Set(r.kid.clone()),
        alg: Set(r.alg.clone()),
        private_pkcs8: Set(r.private_pkcs8.clone()),
        public_jwk: Set(r.public_jwk.clone()),
        created_at: Set(r.created_at),
        retires_at: Set(r.retires_at),
        environment: Set(r.environment.clone()),
    };
    Entity::insert(am).exec_without_returning(c).await?;
    Ok(())
}

/// The keys of `environment` not yet retired at `now`, newest first.
pub async fn live(
    c: &impl ConnectionTrait,
    environment: &str,
    now: DateTime<Utc>,
) -> Result<Vec<SigningKeyRecord>, StoreError> {
    Ok(Entity::find()
        .filter(sk::Column::Environment.eq(environment))
        .filter(
            Condition::any()
                .add(sk::Column::RetiresAt.is_null())
                .add(sk::Column::RetiresAt.gt(now)),
        )
        .order_by_desc(sk::Column::CreatedAt)
        .all(c)
        .await?
        .into_iter()
        .map(|m| SigningKeyRecord {
            kid: m.kid,
            alg: m.alg,
            private_pkcs8: m.private_pkcs8,
            public_jwk: m.public_jwk,
            created_at: m.created_at,
            retires_at: m.retires_at,
            environment: m.environment,
        })
        .collect())
}

/// Schedules every signing key of `environment` but `keep` to leave the JWKS at `at`.
pub async fn retire_others(
    c: &impl ConnectionTrait,
    environment: &str,
    keep: &str,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    Entity::update_many()
        .col_expr(sk::Column::RetiresAt, Expr::value(at))
        .filter(sk::Column::Environment.eq(environment))
        .filter(sk::Column::Kid.ne(keep))
        .filter(sk::Column::RetiresAt.is_null())
        .exec(c)
        .await?;
    Ok(())
}

/// Every stored key's `kid` and private key (as stored), for re-encryption.
pub async fn all_private(c: &impl ConnectionTrait) -> Result<Vec<(String, String)>, StoreError> {
    Ok(Entity::find()
        .all(c)
        .await?
        .into_iter()
        .map(|m| (m.kid, m.private_pkcs8))
        .collect())
}

/// Replaces a key's stored private key (re-encrypted).
pub async fn set_private(
    c: &impl ConnectionTrait,
    kid: &str,
    stored: &str,
) -> Result<(), StoreError> {
    Entity::update_many()
        .col_expr(
            sk::Column::PrivatePkcs8,
            sea_orm::sea_query::Expr::value(stored),
        )
        .filter(sk::Column::Kid.eq(kid))
        .exec(c)
        .await?;
    Ok(())
}
