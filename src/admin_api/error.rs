//! Why an admin API token operation failed.

use crate::store::StoreError;

/// Outcomes of token and list operations that are not success.
#[derive(Debug, thiserror::Error)]
pub enum ApiTokenError {
    /// No such token or admin.
    #[error("not found")]
    NotFound,
    /// The input does not make sense (a message for the person).
    #[error("{0}")]
    Invalid(String),
    /// The caller may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// No token, or one that is unknown, expired or revoked, or whose admin is disabled.
    #[error("{0}")]
    Unauthenticated(&'static str),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sea_orm::DbErr> for ApiTokenError {
    fn from(e: sea_orm::DbErr) -> Self {
        Self::Store(e.into())
    }
}
