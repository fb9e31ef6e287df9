//! Why a task operation failed.

use crate::forms::FieldErrors;
use crate::store::StoreError;
use crate::workflow::StepError;

/// Outcomes of task operations that are not success.
#[derive(Debug, thiserror::Error)]
pub enum TaskError {
    /// No such task, or not visible to this actor.
    #[error("task not found")]
    NotFound,
    /// The engine refused the step.
    #[error(transparent)]
    Step(#[from] StepError),
    /// Someone else moved the task first.
    #[error("This task was already decided by {by} at {at}: it is now “{state}”.")]
    Stale {
        /// Who moved it.
        by: String,
        /// When, formatted.
        at: String,
        /// Its state now.
        state: String,
    },
    /// The resubmitted form has errors.
    #[error("the form has errors")]
    Form(FieldErrors),
    /// The instance names a workflow that is no longer loaded.
    #[error("workflow `{0}` is not loaded")]
    UnknownWorkflow(String),
    /// A template failed to render.
    #[error("rendering an email failed")]
    Render(#[from] askama::Error),
    /// A rule no longer holds: the step is refused with the reason, and nothing changes.
    #[error("{0}")]
    Refused(String),
    /// A client could not be issued.
    #[error(transparent)]
    Client(#[from] crate::clients::ClientError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<crate::authority::AuthorityError> for TaskError {
    fn from(e: crate::authority::AuthorityError) -> Self {
        use crate::authority::AuthorityError as A;
        match e {
            A::Store(s) => Self::Store(s),
            A::UnknownOrganisation(_) => Self::NotFound,
            A::Import(m) => Self::Refused(m),
        }
    }
}

impl From<sea_orm::DbErr> for TaskError {
    fn from(e: sea_orm::DbErr) -> Self {
        Self::Store(e.into())
    }
}
