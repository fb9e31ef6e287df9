//! Webhooks: a workflow state with `notify = ["case-tool"]` queues a JSON event for each named
//! `[[webhooks]]` entry in the outbox, inside the transaction of the step that entered it; a
//! background sender POSTs it signed the Standard Webhooks way (`webhook-id`,
//! `webhook-timestamp`, `webhook-signature: v1,<base64 HMAC-SHA256>`) through the outbound
//! client (the same SSRF guard as JWKS fetches), retrying with back-off and giving up as
//! `failed` after the last try. Knows nothing of HTTP servers or of workflow rules.

mod sender;
mod sign;

pub use sender::{MAX_ATTEMPTS, deliver_due, run};
pub use sign::signature;

use crate::store::{self, ConnectionTrait, StoreError};
use chrono::{DateTime, Utc};

/// The event type of a task entering a state.
pub const STATE_ENTERED: &str = "task.state_entered";

/// What a task's event says.
pub struct StateEntered<'a> {
    /// The task (workflow instance) id.
    pub task_id: String,
    /// Its workflow.
    pub workflow: &'a str,
    /// The state entered.
    pub state: &'a str,
    /// Its label.
    pub state_label: &'a str,
    /// Its status (`pending`, `approved`, …).
    pub status: &'a str,
    /// `organisation` or `application`.
    pub subject_type: &'a str,
    /// The subject's id.
    pub subject_id: &'a str,
    /// The organisation.
    pub organisation_id: String,
    /// Its legal name.
    pub legal_name: &'a str,
    /// The comment of the step, if any.
    pub comment: Option<&'a str>,
    /// The task's page in the console.
    pub link: String,
}

/// The JSON body of an event.
pub fn body(e: &StateEntered<'_>, now: DateTime<Utc>) -> serde_json::Value {
    serde_json::json!({
        "type": STATE_ENTERED,
        "timestamp": now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "data": {
            "task_id": e.task_id,
            "workflow": e.workflow,
            "state": e.state,
            "state_label": e.state_label,
            "status": e.status,
            "subject_type": e.subject_type,
            "subject_id": e.subject_id,
            "organisation_id": e.organisation_id,
            "legal_name": e.legal_name,
            "comment": e.comment,
            "link": e.link,
        }
    })
}

/// Queues the event for each webhook in `names`, in the caller's transaction; returns the ids
/// (each the event's `webhook-id`).
pub async fn queue(
    c: &impl ConnectionTrait,
    names: &[String],
    e: &StateEntered<'_>,
    now: DateTime<Utc>,
) -> Result<Vec<String>, StoreError> {
    let text = body(e, now).to_string();
    let mut ids = Vec::with_capacity(names.len());
    for name in names {
        ids.push(
            store::outbox::insert_kind(c, store::outbox::WEBHOOK, name, STATE_ENTERED, &text, now)
                .await?,
        );
    }
    Ok(ids)
}
