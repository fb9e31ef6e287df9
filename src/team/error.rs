//! Why a team operation failed.

use crate::store::StoreError;

/// Outcomes of team operations that are not success.
#[derive(Debug, thiserror::Error)]
pub enum TeamError {
    /// Only owners may do this.
    #[error("Only the organisation's owners can manage its team.")]
    NotOwner,
    /// No such member.
    #[error("not found")]
    NotFound,
    /// The request cannot be honoured; the message says why.
    #[error("{0}")]
    Refused(String),
    /// The invitation link is unknown, used or expired.
    #[error(
        "This invitation has expired or has already been used. Ask your organisation's owner for a new one."
    )]
    BadLink,
    /// The chosen password breaks the policy.
    #[error("{0}")]
    WeakPassword(String),
    /// Hashing failed.
    #[error("password hashing failed")]
    Hash,
    /// A template failed.
    #[error("rendering an email failed")]
    Render(#[from] askama::Error),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sea_orm::DbErr> for TeamError {
    fn from(e: sea_orm::DbErr) -> Self {
        Self::Store(e.into())
    }
}
