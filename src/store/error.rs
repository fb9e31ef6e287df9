//! The store's one error type.

use sea_orm::{DbErr, SqlErr};

/// What can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A uniqueness constraint refused the write.
    #[error("conflict on a unique value")]
    Conflict,
    /// A stored value could not be read back (corrupt JSON, bad id).
    #[error("stored data is malformed: {0}")]
    Malformed(String),
    /// The database could not be prepared (folder, connection).
    #[error("database setup failed: {0}")]
    Setup(String),
    /// A group commit failed or its writer stopped (the cause is logged where it happened).
    #[error("the write could not be committed: {0}")]
    Unavailable(String),
    /// Any other database error.
    #[error("database error")]
    Db(#[source] DbErr),
}

impl From<DbErr> for StoreError {
    fn from(err: DbErr) -> Self {
        match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => StoreError::Conflict,
            _ => StoreError::Db(err),
        }
    }
}

/// Parses a stored id into its typed form.
pub(crate) fn parse_id<T: std::str::FromStr>(s: &str) -> Result<T, StoreError> {
    s.parse()
        .map_err(|_| StoreError::Malformed(format!("bad id {s}")))
}
