//! Onramp's own sandbox directory, so that a TPP can try DCR before it has a directory account.
//! An approved organisation makes software in the portal; the directory hosts the software's
//! JWKS, issues a test transport certificate from its own CA, and signs software statements with
//! its own key. It is a trust anchor for the sandbox environment only, and its certificates
//! never authenticate production clients.

mod csr;
mod keys;
pub mod software;

use crate::clients::Environment;
use crate::jose::JwkSet;
use crate::oauth::outbound::FetchError;
use crate::state::AppState;
use crate::store::{self, StoreError};
use std::sync::Arc;

/// The `iss` of the directory's software statements.
pub const ISSUER: &str = crate::trust::SANDBOX_DIRECTORY;

/// Why sandbox software could not be made or used.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    /// A field of the form is wrong: its name and what to do.
    #[error("{1}")]
    Invalid(&'static str, String),
    /// The organisation may not use the directory.
    #[error("{0}")]
    Refused(String),
    /// No such software for this organisation.
    #[error("no such software")]
    NotFound,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Keys or certificates could not be made.
    #[error("{0}")]
    Internal(String),
}

impl From<crate::trust::AnchorError> for SandboxError {
    fn from(e: crate::trust::AnchorError) -> Self {
        Self::Internal(e.0)
    }
}

pub use crate::trust::{SECRET_NAME, SandboxDirectory};

/// Whether a certificate is a sandbox directory test certificate, which may only act for
/// sandbox clients.
pub fn is_test_certificate(st: &AppState, cert_der: &[u8]) -> bool {
    st.sandbox_directory
        .as_ref()
        .is_some_and(|d| d.issued(cert_der))
}

/// Refuses a sandbox test certificate where a production client acts.
pub fn check_environment(
    st: &AppState,
    environment: Environment,
    cert_der: Option<&[u8]>,
) -> Result<(), String> {
    match cert_der {
        Some(der) if environment == Environment::Production && is_test_certificate(st, der) => {
            Err("a sandbox directory test certificate cannot be used in production".into())
        }
        _ => Ok(()),
    }
}

/// The software id in a URL of this directory's software JWKS, if it is one.
fn hosted_software(st: &AppState, url: &str) -> Option<String> {
    let rest = url.strip_prefix(st.settings.base_url())?;
    let id = rest
        .strip_prefix("/sandbox-directory/software/")?
        .strip_suffix("/jwks")?;
    (!id.is_empty() && !id.contains('/')).then(|| id.to_string())
}

/// Whether `url` is a software JWKS this directory hosts (read from the store, never fetched).
pub fn hosts(st: &AppState, url: &str) -> bool {
    st.sandbox_directory.is_some() && hosted_software(st, url).is_some()
}

/// A client's or software's keys at `url`: read from the store when this directory hosts them,
/// else fetched (and cached) from the TPP's server.
pub async fn keys_at(
    st: &AppState,
    url: &str,
    kid: Option<&str>,
) -> Result<Arc<JwkSet>, FetchError> {
    if st.sandbox_directory.is_some()
        && let Some(id) = hosted_software(st, url)
    {
        let sw = store::sandbox_software::get(&st.db, &id)
            .await
            .map_err(|e| FetchError(format!("{url}: {e}")))?
            .filter(|s| s.retired_at.is_none())
            .ok_or_else(|| {
                FetchError(format!("{url}: no such software in the sandbox directory"))
            })?;
        return JwkSet::parse(&sw.jwks)
            .map(Arc::new)
            .map_err(|e| FetchError(format!("{url}: {e}")));
    }
    st.client_jwks.get(&st.outbound, url, kid).await
}
