//! Single use of JWT ids (client assertions, DCR requests), across every node.

use super::StoreError;
use super::entities::jti_uses::{self as ju, Entity};
use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

/// Records `(issuer, jti)` until `expires_at`; `false` when it was already used.
pub async fn use_once(
    c: &impl ConnectionTrait,
    issuer: &str,
    jti: &str,
    expires_at: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let am = ju::ActiveModel {
        issuer: Set(issuer.to_string()),
        jti: Set(jti.to_string()),
        expires_at: Set(expires_at),
    };
    match Entity::insert(am).exec_without_returning(c).await {
        Ok(_) => Ok(true),
        Err(e) => match StoreError::from(e) {
            StoreError::Conflict => Ok(false),
            other => Err(other),
        },
    }
}

/// Whether `(issuer, jti)` is recorded.
pub async fn exists(c: &impl ConnectionTrait, issuer: &str, jti: &str) -> Result<bool, StoreError> {
    Ok(Entity::find_by_id((issuer.to_string(), jti.to_string()))
        .one(c)
        .await?
        .is_some())
}

/// Forgets ids whose tokens have expired.
pub async fn purge(c: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<u64, StoreError> {
    Ok(Entity::delete_many()
        .filter(ju::Column::ExpiresAt.lt(now))
        .exec(c)
        .await?
        .rows_affected)
}
