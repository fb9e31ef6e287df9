//! Team invitations, kept as token hashes.

use super::StoreError;
use super::entities::invitations::{self as inv, Entity};
use super::error::parse_id;
use crate::domain::{OrganisationId, TokenHash, UserId};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};

/// A stored invitation.
#[derive(Clone, Debug)]
pub struct InvitationRecord {
    /// The organisation to join.
    pub organisation_id: OrganisationId,
    /// Who is invited.
    pub email: String,
    /// Who invited.
    pub invited_by: UserId,
    /// Until when the link works.
    pub expires_at: DateTime<Utc>,
    /// When it was accepted.
    pub accepted_at: Option<DateTime<Utc>>,
    /// Sent.
    pub created_at: DateTime<Utc>,
}

fn from_model(m: inv::Model) -> Result<InvitationRecord, StoreError> {
    Ok(InvitationRecord {
        organisation_id: parse_id(&m.organisation_id)?,
        email: m.email,
        invited_by: parse_id(&m.invited_by)?,
        expires_at: m.expires_at,
        accepted_at: m.accepted_at,
        created_at: m.created_at,
    })
}

/// Stores an invitation.
pub async fn insert(
    c: &impl ConnectionTrait,
    hash: &TokenHash,
    r: &InvitationRecord,
) -> Result<(), StoreError> {
    let am = inv::ActiveModel {
        token_hash: Set(hash.as_str().to_string()),
        organisation_id: Set(r.organisation_id.to_string()),
        email: Set(r.email.clone()),
        invited_by: Set(r.invited_by.to_string()),
        expires_at: Set(r.expires_at),
        accepted_at: Set(r.accepted_at),
        created_at: Set(r.created_at),
    };
    Entity::insert(am).exec_without_returning(c).await?;
    Ok(())
}

/// An open (unaccepted, unexpired) invitation by its token.
pub async fn find_open(
    c: &impl ConnectionTrait,
    hash: &TokenHash,
    now: DateTime<Utc>,
) -> Result<Option<InvitationRecord>, StoreError> {
    Entity::find_by_id(hash.as_str().to_string())
        .filter(inv::Column::AcceptedAt.is_null())
        .filter(inv::Column::ExpiresAt.gt(now))
        .one(c)
        .await?
        .map(from_model)
        .transpose()
}

/// Marks an invitation accepted, once; returns whether this call did.
pub async fn accept(
    c: &impl ConnectionTrait,
    hash: &TokenHash,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    Ok(Entity::update_many()
        .col_expr(inv::Column::AcceptedAt, Expr::value(now))
        .filter(inv::Column::TokenHash.eq(hash.as_str()))
        .filter(inv::Column::AcceptedAt.is_null())
        .exec(c)
        .await?
        .rows_affected
        == 1)
}

/// An organisation's open invitations, newest first.
pub async fn open_for_org(
    c: &impl ConnectionTrait,
    org: OrganisationId,
    now: DateTime<Utc>,
) -> Result<Vec<InvitationRecord>, StoreError> {
    Entity::find()
        .filter(inv::Column::OrganisationId.eq(org.to_string()))
        .filter(inv::Column::AcceptedAt.is_null())
        .filter(inv::Column::ExpiresAt.gt(now))
        .order_by_desc(inv::Column::CreatedAt)
        .all(c)
        .await?
        .into_iter()
        .map(from_model)
        .collect()
}
