//! Internal notes on a task: written by admins for admins, kept in the audit trail
//! (`task.note`), never shown to the TPP or sent by mail.

use super::TaskError;
use crate::audit;
use crate::domain::{Actor, InstanceId};
use crate::state::AppState;
use crate::store;

/// The longest note, in characters.
pub const MAX_NOTE: usize = 4000;

/// One note as the task page shows it.
#[derive(Clone, Debug)]
pub struct Note {
    /// When, as people read it.
    pub at: String,
    /// Who wrote it.
    pub by: String,
    /// What it says.
    pub text: String,
}

/// Adds a note by `admin` to the task `id`.
pub async fn add(
    st: &AppState,
    admin: &Actor,
    id: InstanceId,
    text: &str,
) -> Result<(), TaskError> {
    if !matches!(admin, Actor::Admin { .. }) {
        return Err(TaskError::NotFound);
    }
    let text = text.trim();
    if text.is_empty() || text.chars().count() > MAX_NOTE {
        return Err(TaskError::Refused(format!(
            "Write a note of 1 to {MAX_NOTE} characters."
        )));
    }
    let inst = store::workflows::get_instance(&st.db, id)
        .await?
        .ok_or(TaskError::NotFound)?;
    audit::record(
        &st.db,
        audit::Event {
            actor: admin,
            action: "task.note",
            subject_type: "task",
            subject_id: id.to_string(),
            organisation: Some(inst.organisation_id),
            detail: serde_json::json!({ "note": text }),
            ip: None,
        },
        st.clock.now(),
    )
    .await?;
    Ok(())
}

/// The notes on task `id`, oldest first.
pub async fn list(st: &AppState, id: InstanceId) -> Result<Vec<Note>, TaskError> {
    Ok(audit::for_subject(&st.db, "task", &id.to_string())
        .await?
        .into_iter()
        .filter(|r| r.action == "task.note")
        .map(|r| Note {
            at: crate::domain::clock::human_time(&r.at),
            by: r.actor_name,
            text: r
                .detail
                .get("note")
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string(),
        })
        .collect())
}
