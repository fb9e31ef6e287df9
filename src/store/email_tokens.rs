//! Single-use email tokens (verification, password reset), kept as hashes only.

use super::StoreError;
use super::entities::email_tokens::{self as tok, Entity};
use super::error::parse_id;
use crate::domain::{TokenHash, UserId};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

/// Stores a token hash for a user and purpose.
pub async fn insert(
    c: &impl ConnectionTrait,
    hash: &TokenHash,
    purpose: &str,
    user: UserId,
    expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let am = tok::ActiveModel {
        token_hash: Set(hash.as_str().to_string()),
        purpose: Set(purpose.to_string()),
        user_id: Set(user.to_string()),
        expires_at: Set(expires_at),
        used_at: Set(None),
        created_at: Set(now),
    };
    Entity::insert(am).exec_without_returning(c).await?;
    Ok(())
}

/// How a token lookup ended.
#[derive(Debug, PartialEq, Eq)]
pub enum TokenUse {
    /// Consumed now, for this user.
    Used(UserId),
    /// Known but already used.
    AlreadyUsed,
    /// Known but past its expiry.
    Expired,
    /// Unknown.
    Unknown,
}

/// Consumes a token: marks it used if it is unused and unexpired, atomically.
pub async fn take(
    c: &impl ConnectionTrait,
    hash: &TokenHash,
    purpose: &str,
    now: DateTime<Utc>,
) -> Result<TokenUse, StoreError> {
    let Some(row) = Entity::find_by_id(hash.as_str().to_string())
        .filter(tok::Column::Purpose.eq(purpose))
        .one(c)
        .await?
    else {
        return Ok(TokenUse::Unknown);
    };
    if row.used_at.is_some() {
        return Ok(TokenUse::AlreadyUsed);
    }
    if row.expires_at <= now {
        return Ok(TokenUse::Expired);
    }
    let res = Entity::update_many()
        .col_expr(tok::Column::UsedAt, Expr::value(now))
        .filter(tok::Column::TokenHash.eq(hash.as_str()))
        .filter(tok::Column::UsedAt.is_null())
        .exec(c)
        .await?;
    if res.rows_affected != 1 {
        return Ok(TokenUse::AlreadyUsed);
    }
    Ok(TokenUse::Used(parse_id(&row.user_id)?))
}

/// Whether an unused, unexpired token exists (without consuming it).
pub async fn peek(
    c: &impl ConnectionTrait,
    hash: &TokenHash,
    purpose: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    Ok(owner(c, hash, purpose, now).await?.is_some())
}

/// The user of an unused, unexpired token (without consuming it).
pub async fn owner(
    c: &impl ConnectionTrait,
    hash: &TokenHash,
    purpose: &str,
    now: DateTime<Utc>,
) -> Result<Option<UserId>, StoreError> {
    Entity::find_by_id(hash.as_str().to_string())
        .filter(tok::Column::Purpose.eq(purpose))
        .filter(tok::Column::UsedAt.is_null())
        .filter(tok::Column::ExpiresAt.gt(now))
        .one(c)
        .await?
        .map(|row| parse_id(&row.user_id))
        .transpose()
}

/// Voids every open token of a user for a purpose (a new link replaces the old ones).
pub async fn void_for_user(
    c: &impl ConnectionTrait,
    user: UserId,
    purpose: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    Entity::update_many()
        .col_expr(tok::Column::UsedAt, Expr::value(now))
        .filter(tok::Column::UserId.eq(user.to_string()))
        .filter(tok::Column::Purpose.eq(purpose))
        .filter(tok::Column::UsedAt.is_null())
        .exec(c)
        .await?;
    Ok(())
}
