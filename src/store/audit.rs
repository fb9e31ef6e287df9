//! The audit trail: append-only rows, read with filters.

use super::entities::audit_events::{self as audit, Entity};
use super::{Page, StoreError};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};

/// A stored audit event.
#[derive(Clone, Debug)]
pub struct AuditRecord {
    /// When.
    pub at: DateTime<Utc>,
    /// `tpp`, `admin` or `system`.
    pub actor_type: String,
    /// Actor id.
    pub actor_id: Option<String>,
    /// Actor name at the time.
    pub actor_name: String,
    /// What happened, e.g. `signup.submitted`.
    pub action: String,
    /// Kind of subject.
    pub subject_type: String,
    /// Subject id.
    pub subject_id: String,
    /// Organisation concerned.
    pub organisation_id: Option<String>,
    /// Details (JSON object).
    pub detail: serde_json::Value,
    /// Client address.
    pub ip: Option<String>,
}

/// Filters of the audit page.
#[derive(Clone, Debug, Default)]
pub struct AuditFilter {
    /// Actions starting with this text.
    pub action: Option<String>,
    /// Actor name containing this text.
    pub actor: Option<String>,
    /// Organisation id.
    pub organisation_id: Option<String>,
    /// Not before.
    pub since: Option<DateTime<Utc>>,
    /// Not after.
    pub until: Option<DateTime<Utc>>,
}

/// The row of an event.
fn to_active(r: &AuditRecord) -> audit::ActiveModel {
    audit::ActiveModel {
        id: Set(uuid::Uuid::now_v7().to_string()),
        at: Set(r.at),
        actor_type: Set(r.actor_type.clone()),
        actor_id: Set(r.actor_id.clone()),
        actor_name: Set(r.actor_name.clone()),
        action: Set(r.action.clone()),
        subject_type: Set(r.subject_type.clone()),
        subject_id: Set(r.subject_id.clone()),
        organisation_id: Set(r.organisation_id.clone()),
        detail: Set(r.detail.to_string()),
        ip: Set(r.ip.clone()),
    }
}

/// Appends an event.
pub async fn insert(c: &impl ConnectionTrait, r: &AuditRecord) -> Result<(), StoreError> {
    Entity::insert(to_active(r))
        .exec_without_returning(c)
        .await?;
    Ok(())
}

/// An event's row, built ahead of a group commit, so that its values (JSON included) are made on the
/// request's thread rather than the writer's.
#[derive(Clone, Debug)]
pub struct AuditRow(audit::ActiveModel);

impl AuditRow {
    /// The row of `r`.
    pub fn of(r: &AuditRecord) -> Self {
        Self(to_active(r))
    }
}

/// Stores many rows in one statement.
pub async fn insert_rows(c: &impl ConnectionTrait, rows: Vec<AuditRow>) -> Result<(), StoreError> {
    super::insert_all(c, rows.into_iter().map(|r| r.0).collect()).await
}

fn query(f: &AuditFilter) -> sea_orm::Select<Entity> {
    let mut q = Entity::find();
    if let Some(a) = &f.action {
        q = q.filter(audit::Column::Action.starts_with(a.as_str()));
    }
    if let Some(a) = &f.actor {
        q = q.filter(audit::Column::ActorName.contains(a.as_str()));
    }
    if let Some(o) = &f.organisation_id {
        q = q.filter(audit::Column::OrganisationId.eq(o.as_str()));
    }
    if let Some(s) = f.since {
        q = q.filter(audit::Column::At.gte(s));
    }
    if let Some(u) = f.until {
        q = q.filter(audit::Column::At.lte(u));
    }
    q
}

/// Matching events, newest first, and their total count.
pub async fn list(
    c: &impl ConnectionTrait,
    f: &AuditFilter,
    page: Page,
) -> Result<(Vec<AuditRecord>, u64), StoreError> {
    let total = query(f).count(c).await?;
    let rows = query(f)
        .order_by_desc(audit::Column::At)
        .offset(page.offset())
        .limit(page.size)
        .all(c)
        .await?;
    let out = rows.into_iter().map(to_record).collect();
    Ok((out, total))
}

/// Every event about one subject, oldest first (a client's or an organisation's history).
pub async fn for_subject(
    c: &impl ConnectionTrait,
    subject_type: &str,
    subject_id: &str,
) -> Result<Vec<AuditRecord>, StoreError> {
    let rows = Entity::find()
        .filter(audit::Column::SubjectType.eq(subject_type))
        .filter(audit::Column::SubjectId.eq(subject_id))
        .order_by_asc(audit::Column::At)
        .all(c)
        .await?;
    Ok(rows.into_iter().map(to_record).collect())
}

fn to_record(m: audit::Model) -> AuditRecord {
    AuditRecord {
        at: m.at,
        actor_type: m.actor_type,
        actor_id: m.actor_id,
        actor_name: m.actor_name,
        action: m.action,
        subject_type: m.subject_type,
        subject_id: m.subject_id,
        organisation_id: m.organisation_id,
        detail: serde_json::from_str(&m.detail).unwrap_or(serde_json::Value::Null),
        ip: m.ip,
    }
}
