//! Outcomes of signup operations.

use crate::forms::FieldErrors;
use crate::store::StoreError;

/// Why a signup operation failed.
#[derive(Debug, thiserror::Error)]
pub enum SignupError {
    /// Fields failed validation; the form is shown again with these messages.
    #[error("the form has errors")]
    Invalid(FieldErrors),
    /// Too many signups from this address.
    #[error("Too many signups from your network in the last hour. Try again later.")]
    Throttled,
    /// The verification link is unknown, used or expired.
    #[error(
        "This verification link has expired or has already been used. Ask for a new one below."
    )]
    BadLink,
    /// No such organisation.
    #[error("organisation not found")]
    NotFound,
    /// The operation does not fit the organisation's state.
    #[error("{0}")]
    Refused(String),
    /// The signup workflow is missing.
    #[error("the signup workflow is not loaded")]
    NoWorkflow,
    /// Hashing failed.
    #[error("password hashing failed")]
    Hash,
    /// A task operation failed.
    #[error(transparent)]
    Task(#[from] crate::tasks::TaskError),
    /// A template failed.
    #[error("rendering an email failed")]
    Render(#[from] askama::Error),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The authority checks could not store their evidence.
    #[error(transparent)]
    Authority(#[from] crate::authority::AuthorityError),
}

impl From<sea_orm::DbErr> for SignupError {
    fn from(e: sea_orm::DbErr) -> Self {
        Self::Store(e.into())
    }
}
