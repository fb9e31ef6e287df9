//! DCR outcomes that are not success, each with the RFC 7591 / OB code it answers with and a
//! description a TPP's developer can act on.

/// A DCR error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DcrError {
    /// 400 `invalid_client_metadata`.
    #[error("{0}")]
    Metadata(String),
    /// 400 `invalid_redirect_uri`.
    #[error("{0}")]
    RedirectUri(String),
    /// 400 `invalid_software_statement`.
    #[error("{0}")]
    Statement(String),
    /// 400 `unapproved_software_statement`.
    #[error("{0}")]
    Unapproved(String),
    /// 401 `invalid_client`: no client certificate on a registration.
    #[error("{0}")]
    NoCertificate(String),
    /// 401 without `error`: no Authorization header on management.
    #[error("Send the client's access token: Authorization: Bearer <token>.")]
    MissingToken,
    /// 401 `invalid_token`.
    #[error("{0}")]
    InvalidToken(String),
    /// 413: the body is over 64 KiB.
    #[error("The registration request is larger than 64 KiB.")]
    TooLarge,
    /// 500; the cause is logged, never shown.
    #[error("The server could not complete the registration.")]
    Server(String),
}

impl DcrError {
    /// The `error` code of the JSON body.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Metadata(_) | Self::TooLarge => "invalid_client_metadata",
            Self::RedirectUri(_) => "invalid_redirect_uri",
            Self::Statement(_) => "invalid_software_statement",
            Self::Unapproved(_) => "unapproved_software_statement",
            Self::NoCertificate(_) => "invalid_client",
            Self::MissingToken | Self::InvalidToken(_) => "invalid_token",
            Self::Server(_) => "server_error",
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> u16 {
        match self {
            Self::NoCertificate(_) | Self::MissingToken | Self::InvalidToken(_) => 401,
            Self::TooLarge => 413,
            Self::Server(_) => 500,
            _ => 400,
        }
    }
}

impl From<crate::store::StoreError> for DcrError {
    fn from(e: crate::store::StoreError) -> Self {
        Self::Server(format!("{e:?}"))
    }
}

impl From<sea_orm::DbErr> for DcrError {
    fn from(e: sea_orm::DbErr) -> Self {
        Self::Server(format!("{e:?}"))
    }
}
