//! The audit trail: who did what to which subject, when and from where. Written in the same
//! transaction as the change it records. Logs are not an audit trail; this is.

use crate::domain::{Actor, OrganisationId};
use crate::store::{self, ConnectionTrait, StoreError};
use chrono::{DateTime, Utc};

pub use crate::store::audit::{AuditFilter, AuditRecord};

/// One event to record.
pub struct Event<'a> {
    /// Who.
    pub actor: &'a Actor,
    /// What, dotted (`signup.submitted`, `task.approve`).
    pub action: &'a str,
    /// Kind of subject.
    pub subject_type: &'a str,
    /// Subject id.
    pub subject_id: String,
    /// Organisation concerned.
    pub organisation: Option<OrganisationId>,
    /// Details.
    pub detail: serde_json::Value,
    /// Client address.
    pub ip: Option<String>,
}

/// Appends an event and logs it once.
pub async fn record(
    c: &impl ConnectionTrait,
    e: Event<'_>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    store::audit::insert(c, &row(e, now)).await
}

/// The stored row of an event, logged once; for writes that store it later (group commit).
pub fn row(e: Event<'_>, now: DateTime<Utc>) -> AuditRecord {
    tracing::info!(
        audit.action = e.action,
        actor = %e.actor.name(),
        subject.kind = e.subject_type,
        subject.id = %e.subject_id,
        "audit event"
    );
    AuditRecord {
        at: now,
        actor_type: e.actor.kind().to_string(),
        actor_id: e.actor.id(),
        actor_name: e.actor.name(),
        action: e.action.to_string(),
        subject_type: e.subject_type.to_string(),
        subject_id: e.subject_id,
        organisation_id: e.organisation.map(|o| o.to_string()),
        detail: e.detail,
        ip: e.ip,
    }
}

/// A page of audit events matching the filter, newest first, with the total count.
pub async fn list(
    c: &impl ConnectionTrait,
    filter: &AuditFilter,
    page: store::Page,
) -> Result<(Vec<AuditRecord>, u64), StoreError> {
    store::audit::list(c, filter, page).await
}

/// The events about one subject, oldest first.
pub async fn for_subject(
    c: &impl ConnectionTrait,
    subject_type: &str,
    subject_id: &str,
) -> Result<Vec<AuditRecord>, StoreError> {
    store::audit::for_subject(c, subject_type, subject_id).await
}
