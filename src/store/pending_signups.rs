//! Second signups for an address that is not verified yet, waiting for their link.

use super::StoreError;
use super::entities::pending_signups::{self as ps, Entity};
use super::error::parse_id;
use crate::domain::{OrganisationId, TokenHash};
use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

/// A signup waiting for its address to verify.
#[derive(Clone, Debug)]
pub struct PendingSignup {
    /// The address.
    pub email: String,
    /// The (unverified) organisation it made.
    pub organisation_id: OrganisationId,
    /// Its password's argon2id hash.
    pub password_hash: String,
    /// When its link stops working.
    pub expires_at: DateTime<Utc>,
}

/// Stores a pending signup under its link's token hash.
pub async fn insert(
    c: &impl ConnectionTrait,
    hash: &TokenHash,
    p: &PendingSignup,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let am = ps::ActiveModel {
        token_hash: Set(hash.as_str().to_string()),
        email: Set(p.email.clone()),
        organisation_id: Set(p.organisation_id.to_string()),
        password_hash: Set(p.password_hash.clone()),
        expires_at: Set(p.expires_at),
        created_at: Set(now),
    };
    Entity::insert(am).exec_without_returning(c).await?;
    Ok(())
}

/// Removes and returns the pending signup behind a link, when it has not expired.
pub async fn take(
    c: &impl ConnectionTrait,
    hash: &TokenHash,
    now: DateTime<Utc>,
) -> Result<Option<PendingSignup>, StoreError> {
    let Some(row) = Entity::find_by_id(hash.as_str().to_string()).one(c).await? else {
        return Ok(None);
    };
    let deleted = Entity::delete_by_id(row.token_hash.clone())
        .exec(c)
        .await?
        .rows_affected;
    if deleted == 0 || row.expires_at <= now {
        return Ok(None);
    }
    Ok(Some(PendingSignup {
        email: row.email,
        organisation_id: parse_id(&row.organisation_id)?,
        password_hash: row.password_hash,
        expires_at: row.expires_at,
    }))
}

/// Drops every pending signup for `email`; returns their organisations.
pub async fn drop_for_email(
    c: &impl ConnectionTrait,
    email: &str,
) -> Result<Vec<OrganisationId>, StoreError> {
    let rows = Entity::find()
        .filter(ps::Column::Email.eq(email))
        .all(c)
        .await?;
    Entity::delete_many()
        .filter(ps::Column::Email.eq(email))
        .exec(c)
        .await?;
    rows.iter().map(|r| parse_id(&r.organisation_id)).collect()
}
