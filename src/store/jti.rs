//! Single use of JWT ids (client assertions, DCR requests), across every node: they are
//! written by the group commit ([`super::group_commit`]); here they are looked up and purged.

use super::StoreError;
use super::entities::jti_uses::{self as ju, Entity};
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

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
