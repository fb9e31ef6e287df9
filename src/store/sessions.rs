//! Server-side sessions, stored by the SHA-256 of their cookie token.

use super::StoreError;
use super::entities::sessions::{self as s, Entity};
use crate::domain::TokenHash;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};

/// A stored session.
#[derive(Clone, Debug)]
pub struct SessionRecord {
    /// SHA-256 of the cookie's token (hex).
    pub id: String,
    /// `portal` or `admin`.
    pub kind: String,
    /// The user's or admin's id.
    pub subject_id: String,
    /// Signed in at.
    pub created_at: DateTime<Utc>,
    /// Last request seen (to the minute).
    pub last_seen_at: DateTime<Utc>,
    /// Address at sign-in.
    pub ip: Option<String>,
    /// Browser at sign-in.
    pub user_agent: Option<String>,
}

fn from_model(m: s::Model) -> SessionRecord {
    SessionRecord {
        id: m.id,
        kind: m.kind,
        subject_id: m.subject_id,
        created_at: m.created_at,
        last_seen_at: m.last_seen_at,
        ip: m.ip,
        user_agent: m.user_agent,
    }
}

/// Stores a new session.
pub async fn insert(c: &impl ConnectionTrait, r: &SessionRecord) -> Result<(), StoreError> {
    let am = s::ActiveModel {
        id: Set(r.id.clone()),
        kind: Set(r.kind.clone()),
        subject_id: Set(r.subject_id.clone()),
        created_at: Set(r.created_at),
        last_seen_at: Set(r.last_seen_at),
        ip: Set(r.ip.clone()),
        user_agent: Set(r.user_agent.clone()),
    };
    Entity::insert(am).exec_without_returning(c).await?;
    Ok(())
}

/// The session with this token hash.
pub async fn get(
    c: &impl ConnectionTrait,
    hash: &TokenHash,
) -> Result<Option<SessionRecord>, StoreError> {
    Ok(Entity::find_by_id(hash.as_str().to_string())
        .one(c)
        .await?
        .map(from_model))
}

/// Records that the session was used at `now`.
pub async fn touch(
    c: &impl ConnectionTrait,
    id: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    Entity::update_many()
        .col_expr(s::Column::LastSeenAt, Expr::value(now))
        .filter(s::Column::Id.eq(id))
        .exec(c)
        .await?;
    Ok(())
}

/// Ends one session.
pub async fn delete(c: &impl ConnectionTrait, id: &str) -> Result<(), StoreError> {
    Entity::delete_by_id(id.to_string()).exec(c).await?;
    Ok(())
}

/// Ends every session of one person (but `keep`, when given); returns how many ended.
pub async fn delete_for_subject(
    c: &impl ConnectionTrait,
    kind: &str,
    subject_id: &str,
    keep: Option<&str>,
) -> Result<u64, StoreError> {
    let mut q = Entity::delete_many()
        .filter(s::Column::Kind.eq(kind))
        .filter(s::Column::SubjectId.eq(subject_id));
    if let Some(keep) = keep {
        q = q.filter(s::Column::Id.ne(keep));
    }
    Ok(q.exec(c).await?.rows_affected)
}

/// One person's sessions, newest first.
pub async fn list_for_subject(
    c: &impl ConnectionTrait,
    kind: &str,
    subject_id: &str,
) -> Result<Vec<SessionRecord>, StoreError> {
    Ok(Entity::find()
        .filter(s::Column::Kind.eq(kind))
        .filter(s::Column::SubjectId.eq(subject_id))
        .order_by_desc(s::Column::CreatedAt)
        .all(c)
        .await?
        .into_iter()
        .map(from_model)
        .collect())
}

/// Deletes sessions signed in before `created_before` or unused since `seen_before`.
pub async fn purge(
    c: &impl ConnectionTrait,
    created_before: DateTime<Utc>,
    seen_before: DateTime<Utc>,
) -> Result<u64, StoreError> {
    Ok(Entity::delete_many()
        .filter(
            sea_orm::Condition::any()
                .add(s::Column::CreatedAt.lt(created_before))
                .add(s::Column::LastSeenAt.lt(seen_before)),
        )
        .exec(c)
        .await?
        .rows_affected)
}
