//! Reading tasks: the admin inbox, a task with its history and the steps the reader may take,
//! and where an organisation stands, in words.

use super::TaskError;
use crate::domain::{Actor, AdminRole, InstanceId, OrganisationId};
use crate::forms::Submission;
use crate::state::AppState;
use crate::store::organisations::OrganisationRecord;
use crate::store::workflows::{EventRecord, InboxFilter, InboxRow, InstanceRecord};
use crate::store::{self, Page};
use crate::workflow::{StateStatus, StepHistory, Workflow};

/// One page of the inbox.
pub struct Inbox {
    /// Rows, oldest first.
    pub rows: Vec<InboxRow>,
    /// Rows in all pages.
    pub total: u64,
}

/// The inbox: every task waiting for an admin, oldest first.
pub async fn inbox(
    st: &AppState,
    workflow: Option<String>,
    state: Option<String>,
    page: Page,
) -> Result<Inbox, TaskError> {
    let waiting = st
        .workflows
        .all()
        .flat_map(|wf| {
            wf.admin_waiting_states()
                .into_iter()
                .map(move |s| (wf.name.clone(), s))
        })
        .collect();
    let filter = InboxFilter {
        waiting,
        workflow,
        state,
    };
    let (rows, total) = store::workflows::inbox(&st.db, &filter, page).await?;
    Ok(Inbox { rows, total })
}

/// A step offered on a task page.
#[derive(Clone, Debug)]
pub struct OfferedStep {
    /// Action name.
    pub action: String,
    /// Button text.
    pub label: String,
    /// A comment must be given.
    pub comment_required: bool,
    /// Why it cannot be taken by this reader now (four-eyes), if so.
    pub blocked: Option<String>,
}

/// A task with everything its page shows.
pub struct TaskDetail {
    /// The instance.
    pub instance: InstanceRecord,
    /// Its organisation.
    pub organisation: OrganisationRecord,
    /// Its history.
    pub events: Vec<EventRecord>,
    /// Steps this admin may take.
    pub steps: Vec<OfferedStep>,
}

/// Loads a task for an admin with `role`.
pub async fn task_for_admin<'a>(
    st: &'a AppState,
    id: InstanceId,
    actor: &Actor,
    role: AdminRole,
) -> Result<(TaskDetail, &'a Workflow), TaskError> {
    let instance = store::workflows::get_instance(&st.db, id)
        .await?
        .ok_or(TaskError::NotFound)?;
    let wf = st
        .workflows
        .get(&instance.workflow)
        .ok_or_else(|| TaskError::UnknownWorkflow(instance.workflow.clone()))?;
    let organisation = store::organisations::get(&st.db, instance.organisation_id)
        .await?
        .ok_or(TaskError::NotFound)?;
    let events = store::workflows::events(&st.db, id).await?;
    let history = history_of(&events);
    let steps = wf
        .admin_steps(&instance.state, role)
        .into_iter()
        .map(|t| OfferedStep {
            action: t.action.clone(),
            label: t.label.clone(),
            comment_required: t.comment == crate::workflow::CommentRule::Required,
            blocked: wf
                .check_step(&instance.state, &t.action, actor, Some("-"), &history)
                .err()
                .map(|e| e.to_string()),
        })
        .collect();
    Ok((
        TaskDetail {
            instance,
            organisation,
            events,
            steps,
        },
        wf,
    ))
}

/// One line of a task's history, in words.
#[derive(Clone, Debug)]
pub struct HistoryLine {
    /// When, formatted in UTC.
    pub at: String,
    /// `tpp`, `admin` or `system`.
    pub actor_type: String,
    /// Who, by name.
    pub who: String,
    /// What happened: "Approve: Waiting for review → Approved".
    pub what: String,
    /// The comment, empty when none.
    pub comment: String,
}

/// A task's events as lines people read, with the workflow's labels.
pub fn history_lines(wf: &Workflow, events: &[EventRecord]) -> Vec<HistoryLine> {
    let label = |s: &str| wf.state(s).map_or(s.to_string(), |x| x.label.clone());
    events
        .iter()
        .map(|e| {
            let action = wf
                .transition(&e.action)
                .map_or(e.action.clone(), |t| t.label.clone());
            let what = match &e.from_state {
                None => format!("Submitted: {}", label(&e.to_state)),
                Some(f) => format!("{action}: {} → {}", label(f), label(&e.to_state)),
            };
            HistoryLine {
                at: crate::domain::clock::human_time(&e.at),
                actor_type: e.actor_type.clone(),
                who: e.actor_name.clone(),
                what,
                comment: e.comment.clone().unwrap_or_default(),
            }
        })
        .collect()
}

/// The four-eyes view of past events.
pub fn history_of(events: &[EventRecord]) -> Vec<StepHistory> {
    events
        .iter()
        .map(|e| StepHistory {
            action: e.action.clone(),
            actor_key: match &e.actor_id {
                Some(id) => format!("{}:{id}", e.actor_type),
                None => e.actor_type.clone(),
            },
        })
        .collect()
}

/// Where a workflow instance stands, as the TPP reads it.
#[derive(Clone, Debug)]
pub struct Standing {
    /// The instance.
    pub instance: InstanceRecord,
    /// `pending`, `action_required`, `approved`, `rejected`, `cancelled`.
    pub status: &'static str,
    /// One sentence beside the state's label: "Waiting since …", "More information requested:
    /// …".
    pub summary: String,
    /// The state's label.
    pub state_label: String,
    /// The state's description from the workflow file.
    pub description: String,
    /// The comment that came with entering this state.
    pub comment: Option<String>,
    /// The TPP may edit and resubmit the form now (the action to take).
    pub resubmit_action: Option<String>,
    /// History, oldest first.
    pub history: Vec<HistoryLine>,
}

/// Where an organisation's instance of `workflow` for a subject stands.
pub async fn standing(
    st: &AppState,
    org: OrganisationId,
    workflow: &str,
    subject_type: &str,
    subject_id: &str,
) -> Result<Option<Standing>, TaskError> {
    let Some(instance) =
        store::workflows::latest_for_subject(&st.db, workflow, subject_type, subject_id).await?
    else {
        return Ok(None);
    };
    if instance.organisation_id != org {
        return Ok(None);
    }
    standing_of(st, instance).await.map(Some)
}

/// Where one of an organisation's tasks stands; another organisation's is "not found".
pub async fn standing_by_id(
    st: &AppState,
    org: OrganisationId,
    id: InstanceId,
) -> Result<Standing, TaskError> {
    match store::workflows::get_instance(&st.db, id).await? {
        Some(i) if i.organisation_id == org => standing_of(st, i).await,
        _ => Err(TaskError::NotFound),
    }
}

/// Where an instance stands, in words.
pub async fn standing_of(st: &AppState, instance: InstanceRecord) -> Result<Standing, TaskError> {
    let wf = st
        .workflows
        .get(&instance.workflow)
        .ok_or_else(|| TaskError::UnknownWorkflow(instance.workflow.clone()))?;
    let events = store::workflows::events(&st.db, instance.id).await?;
    let comment = events.last().and_then(|e| e.comment.clone());
    let state = wf.state(&instance.state);
    let status = state.map_or(StateStatus::Pending, |s| s.status);
    let label = state.map_or(instance.state.clone(), |s| s.label.clone());
    let since = crate::domain::clock::human_time(&instance.updated_at);
    let summary = match status {
        StateStatus::Pending => format!("Waiting since {since}."),
        StateStatus::ActionRequired => match &comment {
            Some(c) => format!("More information requested: {c}"),
            None => "More information requested.".to_string(),
        },
        StateStatus::Approved => format!("Decided on {since}."),
        StateStatus::Rejected => match &comment {
            Some(c) => format!("Rejected: {c}"),
            None => "Rejected.".to_string(),
        },
        StateStatus::Cancelled => "Cancelled.".to_string(),
    };
    let resubmit_action = wf
        .tpp_steps(&instance.state)
        .into_iter()
        .find(|t| t.with_form)
        .map(|t| t.action.clone());
    Ok(Standing {
        status: status.as_str(),
        summary,
        state_label: label,
        description: state.map(|s| s.description.clone()).unwrap_or_default(),
        comment,
        resubmit_action,
        history: history_lines(wf, &events),
        instance,
    })
}

/// The submitted values of an instance as `(label, value)` pairs in form order.
pub fn submitted_values(
    wf: &Workflow,
    data: &serde_json::Map<String, serde_json::Value>,
) -> Vec<(String, String)> {
    let sub = Submission::from_values(data);
    wf.form
        .fields
        .iter()
        .map(|f| {
            let vals = sub.all(&f.name);
            let shown = match f.kind {
                crate::forms::FieldKind::Checkbox => {
                    if vals.is_empty() {
                        "No".to_string()
                    } else {
                        "Yes".to_string()
                    }
                }
                crate::forms::FieldKind::Country => vals
                    .first()
                    .map(|c| format!("{} ({c})", crate::forms::country_name(c).unwrap_or("?")))
                    .unwrap_or_default(),
                _ => vals.join(", "),
            };
            (f.label.clone(), shown)
        })
        .collect()
}
