//! Admin API tokens, stored by the SHA-256 of the token.

use super::StoreError;
use super::entities::admin_api_tokens::{self as t, Entity};
use super::error::parse_id;
use crate::domain::{AdminId, AdminRole, ApiTokenId, TokenHash};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};

/// A stored token (never its text).
#[derive(Clone, Debug)]
pub struct ApiTokenRecord {
    /// Id.
    pub id: ApiTokenId,
    /// SHA-256 of the token.
    pub hash: TokenHash,
    /// What it is for, in the superadmin's words.
    pub name: String,
    /// The admin it acts as.
    pub admin_id: AdminId,
    /// The role it is limited to.
    pub role: AdminRole,
    /// The superadmin who made it.
    pub created_by: AdminId,
    /// Made at.
    pub created_at: DateTime<Utc>,
    /// Refused from then on.
    pub expires_at: DateTime<Utc>,
    /// Last accepted.
    pub last_used_at: Option<DateTime<Utc>>,
    /// Revoked at.
    pub revoked_at: Option<DateTime<Utc>>,
}

fn from_model(m: t::Model) -> Result<ApiTokenRecord, StoreError> {
    Ok(ApiTokenRecord {
        id: parse_id(&m.id)?,
        hash: TokenHash::from_stored(m.token_hash),
        name: m.name,
        admin_id: parse_id(&m.admin_id)?,
        role: m.role.parse().map_err(StoreError::Malformed)?,
        created_by: parse_id(&m.created_by)?,
        created_at: m.created_at,
        expires_at: m.expires_at,
        last_used_at: m.last_used_at,
        revoked_at: m.revoked_at,
    })
}

/// Stores a new token.
pub async fn insert(c: &impl ConnectionTrait, r: &ApiTokenRecord) -> Result<(), StoreError> {
    let am = t::ActiveModel {
        id: Set(r.id.to_string()),
        token_hash: Set(r.hash.as_str().to_string()),
        name: Set(r.name.clone()),
        admin_id: Set(r.admin_id.to_string()),
        role: Set(r.role.as_str().to_string()),
        created_by: Set(r.created_by.to_string()),
        created_at: Set(r.created_at),
        expires_at: Set(r.expires_at),
        last_used_at: Set(r.last_used_at),
        revoked_at: Set(r.revoked_at),
    };
    Entity::insert(am).exec_without_returning(c).await?;
    Ok(())
}

/// The token with this hash.
pub async fn find_by_hash(
    c: &impl ConnectionTrait,
    hash: &TokenHash,
) -> Result<Option<ApiTokenRecord>, StoreError> {
    Entity::find()
        .filter(t::Column::TokenHash.eq(hash.as_str()))
        .one(c)
        .await?
        .map(from_model)
        .transpose()
}

/// Every token, newest first.
pub async fn list(c: &impl ConnectionTrait) -> Result<Vec<ApiTokenRecord>, StoreError> {
    Entity::find()
        .order_by_desc(t::Column::CreatedAt)
        .all(c)
        .await?
        .into_iter()
        .map(from_model)
        .collect()
}

/// Marks a token used (to the minute, so that a burst of calls writes once).
pub async fn touch(
    c: &impl ConnectionTrait,
    id: ApiTokenId,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    Entity::update_many()
        .col_expr(t::Column::LastUsedAt, Expr::value(now))
        .filter(t::Column::Id.eq(id.to_string()))
        .exec(c)
        .await?;
    Ok(())
}

/// Revokes a token; `false` when there is no such token or it was already revoked.
pub async fn revoke(
    c: &impl ConnectionTrait,
    id: ApiTokenId,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let res = Entity::update_many()
        .col_expr(t::Column::RevokedAt, Expr::value(now))
        .filter(t::Column::Id.eq(id.to_string()))
        .filter(t::Column::RevokedAt.is_null())
        .exec(c)
        .await?;
    Ok(res.rows_affected == 1)
}
