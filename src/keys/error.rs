//! Why a key operation failed.

use crate::forms::FieldErrors;
use crate::store::StoreError;

/// Outcomes of key operations that are not success.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// No such application or client in this organisation.
    #[error("not found")]
    NotFound,
    /// The further form has errors.
    #[error("the form has errors")]
    Invalid(FieldErrors),
    /// The request cannot be made now; the message says why and what to do.
    #[error("{0}")]
    Refused(String),
    /// An application operation failed.
    #[error(transparent)]
    Application(crate::applications::ApplicationError),
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

impl From<sea_orm::DbErr> for KeyError {
    fn from(e: sea_orm::DbErr) -> Self {
        Self::Store(e.into())
    }
}

impl From<crate::applications::ApplicationError> for KeyError {
    fn from(e: crate::applications::ApplicationError) -> Self {
        match e {
            crate::applications::ApplicationError::NotFound => Self::NotFound,
            other => Self::Application(other),
        }
    }
}
