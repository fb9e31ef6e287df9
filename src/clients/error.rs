//! Why a client operation failed.

use crate::store::StoreError;

/// Outcomes of client operations that are not success.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// No such client (or not visible to this caller).
    #[error("client not found")]
    NotFound,
    /// The client is revoked; nothing more can be done with it.
    #[error("this client is revoked")]
    Revoked,
    /// The operation does not fit the client (e.g. a secret for a key-based client).
    #[error("{0}")]
    NotApplicable(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sea_orm::DbErr> for ClientError {
    fn from(e: sea_orm::DbErr) -> Self {
        Self::Store(e.into())
    }
}
