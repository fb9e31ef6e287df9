//! Why an application operation failed.

use crate::forms::FieldErrors;
use crate::store::StoreError;

/// Outcomes of application operations that are not success.
#[derive(Debug, thiserror::Error)]
pub enum ApplicationError {
    /// No such application in this organisation.
    #[error("application not found")]
    NotFound,
    /// The form has errors.
    #[error("the form has errors")]
    Invalid(FieldErrors),
    /// The organisation may not do this yet.
    #[error("{0}")]
    Refused(String),
    /// A workflow step failed.
    #[error(transparent)]
    Task(#[from] crate::tasks::TaskError),
    /// A client operation failed.
    #[error(transparent)]
    Client(#[from] crate::clients::ClientError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sea_orm::DbErr> for ApplicationError {
    fn from(e: sea_orm::DbErr) -> Self {
        Self::Store(e.into())
    }
}
