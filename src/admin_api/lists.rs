//! What the admin API and the CLI list: tasks by workflow, state and status; applications by
//! organisation and status. Organisations, clients and audit events are listed by their own
//! services (organisation queries, the client search, the audit trail).

use super::ApiTokenError;
use crate::domain::OrganisationId;
use crate::domain::client::ApplicationStatus;
use crate::state::AppState;
use crate::store::applications::ApplicationRecord;
use crate::store::workflows::{InboxFilter, InboxRow};
use crate::store::{self, Page};
use crate::workflow::StateStatus;

/// Which tasks to list.
#[derive(Clone, Debug, Default)]
pub struct TaskQuery {
    /// One workflow.
    pub workflow: Option<String>,
    /// One state.
    pub state: Option<String>,
    /// `waiting` (for an admin; the default), `any`, or a state status (`pending`,
    /// `action_required`, `approved`, `rejected`, `cancelled`).
    pub status: Option<String>,
}

/// A page of tasks, oldest change first, with the total.
pub async fn tasks(
    st: &AppState,
    q: &TaskQuery,
    page: Page,
) -> Result<(Vec<InboxRow>, u64), ApiTokenError> {
    let status = q.status.as_deref().unwrap_or("waiting");
    let wanted: Option<StateStatus> = match status {
        "waiting" | "any" => None,
        other => Some(StateStatus::parse(other).ok_or_else(|| {
            ApiTokenError::Invalid(format!(
                "unknown status `{other}` (waiting, any, pending, action_required, approved, \
                 rejected, cancelled)"
            ))
        })?),
    };
    let mut pairs = Vec::new();
    for wf in st.workflows.all() {
        let names: Vec<String> = match (status, wanted) {
            ("waiting", _) => wf.admin_waiting_states(),
            (_, Some(s)) => wf
                .states
                .iter()
                .filter(|x| x.status == s)
                .map(|x| x.name.clone())
                .collect(),
            _ => wf.states.iter().map(|x| x.name.clone()).collect(),
        };
        pairs.extend(names.into_iter().map(|n| (wf.name.clone(), n)));
    }
    let filter = InboxFilter {
        waiting: pairs,
        workflow: q.workflow.clone(),
        state: q.state.clone(),
    };
    Ok(store::workflows::inbox(&st.db, &filter, page).await?)
}

/// A page of applications, newest first, with the total.
pub async fn applications(
    st: &AppState,
    org: Option<OrganisationId>,
    status: Option<&str>,
    page: Page,
) -> Result<(Vec<ApplicationRecord>, u64), ApiTokenError> {
    let status =
        match status {
            Some(s) => Some(ApplicationStatus::parse(s).ok_or_else(|| {
                ApiTokenError::Invalid(format!("unknown application status `{s}`"))
            })?),
            None => None,
        };
    Ok(store::applications::list(&st.db, org, status, page).await?)
}
