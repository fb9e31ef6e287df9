//! RFC 6749 §5.2 errors. The description is for the TPP's developer: it says what to fix and
//! never carries internal detail.

/// A token-endpoint error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OAuthError {
    /// The request is malformed.
    #[error("{0}")]
    InvalidRequest(String),
    /// Client authentication failed (401).
    #[error("{0}")]
    InvalidClient(String),
    /// The grant is not valid.
    #[error("{0}")]
    InvalidGrant(String),
    /// The client may not use this grant.
    #[error("{0}")]
    UnauthorizedClient(String),
    /// The grant type is not supported.
    #[error("{0}")]
    UnsupportedGrantType(String),
    /// A requested scope is not allowed.
    #[error("{0}")]
    InvalidScope(String),
    /// Something failed on our side (500); the cause is logged, not shown.
    #[error("the server could not complete the request")]
    Server(String),
}

impl OAuthError {
    /// The `error` code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidRequest(_) => "invalid_request",
            Self::InvalidClient(_) => "invalid_client",
            Self::InvalidGrant(_) => "invalid_grant",
            Self::UnauthorizedClient(_) => "unauthorized_client",
            Self::UnsupportedGrantType(_) => "unsupported_grant_type",
            Self::InvalidScope(_) => "invalid_scope",
            Self::Server(_) => "server_error",
        }
    }
}

impl From<crate::store::StoreError> for OAuthError {
    fn from(e: crate::store::StoreError) -> Self {
        Self::Server(format!("{e:?}"))
    }
}
