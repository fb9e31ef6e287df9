//! The deny list of revoked access tokens, by `jti`, kept until the token would have expired
//! anyway. Shared by every node (it is in the database), read by every bearer check and by
//! introspection.

use super::StoreError;
use super::entities::revoked_tokens::{self as rt, Entity};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

/// Adds a token to the deny list (a second revocation of the same token changes nothing), and
/// forgets tokens that have expired since.
pub async fn revoke(
    c: &impl ConnectionTrait,
    jti: &str,
    expires_at: DateTime<Utc>,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let am = rt::ActiveModel {
        jti: Set(jti.to_string()),
        expires_at: Set(expires_at),
        revoked_at: Set(now),
        reason: Set(reason.chars().take(255).collect()),
    };
    Entity::insert(am)
        .on_conflict(OnConflict::column(rt::Column::Jti).do_nothing().to_owned())
        .exec_without_returning(c)
        .await?;
    Entity::delete_many()
        .filter(rt::Column::ExpiresAt.lt(now))
        .exec(c)
        .await?;
    Ok(())
}

/// Whether the token `jti` was revoked.
pub async fn is_revoked(c: &impl ConnectionTrait, jti: &str) -> Result<bool, StoreError> {
    Ok(Entity::find_by_id(jti.to_string()).one(c).await?.is_some())
}
