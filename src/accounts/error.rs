//! Outcomes of sign-in and account changes.

use crate::store::StoreError;

/// Why an account operation failed.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// Wrong email or password (never says which).
    #[error("That email and password do not match an account.")]
    InvalidCredentials,
    /// Too many failed attempts.
    #[error(
        "Too many failed sign-in attempts. Try again in {minutes} minutes, or reset your password."
    )]
    Throttled {
        /// Minutes to wait.
        minutes: i64,
    },
    /// The email address is not verified yet.
    #[error("Verify your email address first: follow the link we sent you, or ask for a new one.")]
    EmailNotVerified,
    /// The current password given to change it is wrong.
    #[error("Your current password is not right.")]
    WrongPassword,
    /// The link is unknown, used or expired.
    #[error("This link has expired or has already been used. Ask for a new one.")]
    BadLink,
    /// The new password breaks the policy.
    #[error("{0}")]
    WeakPassword(String),
    /// An admin with that email exists.
    #[error("an admin with that email already exists")]
    AdminExists,
    /// The second-step code is wrong, malformed or already used.
    #[error(
        "That code is not right. Enter the 6-digit code your authenticator app shows now, or one of your recovery codes."
    )]
    BadCode,
    /// Too many wrong second-step codes.
    #[error(
        "Too many wrong codes. Try again in {minutes} minutes: check that your phone's clock is right, or use a recovery code."
    )]
    CodeThrottled {
        /// Minutes to wait.
        minutes: i64,
    },
    /// Two-step sign-in is already set up.
    #[error("Two-step sign-in is already on for this account.")]
    MfaAlreadyOn,
    /// No second step is being set up, or none is set up.
    #[error("Two-step sign-in is not set up for this account. Start again from the sign-in page.")]
    MfaNotStarted,
    /// Hashing failed.
    #[error("password hashing failed")]
    Hash,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sea_orm::DbErr> for AccountError {
    fn from(e: sea_orm::DbErr) -> Self {
        Self::Store(e.into())
    }
}
