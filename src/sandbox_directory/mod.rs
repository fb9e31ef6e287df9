//! Onramp's own sandbox directory, so that a TPP can try DCR before it has a directory account.
//! An approved organisation makes software in the portal; the directory hosts the software's
//! JWKS, issues a test transport certificate from its own CA, and signs software statements with
//! its own key. It is a trust anchor for the sandbox environment only, and its certificates
//! never authenticate production clients.

mod ca;
mod keys;
pub mod software;

use crate::clients::Environment;
use crate::domain::Clock;
use crate::domain::sealed::{self, DataKey};
use crate::jose::{Alg, JwkSet, SigningKey};
use crate::oauth::outbound::FetchError;
use crate::state::AppState;
use crate::store::{self, DatabaseConnection, StoreError};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};
use std::sync::Arc;

/// The `iss` of the directory's software statements.
pub const ISSUER: &str = crate::trust::SANDBOX_DIRECTORY;

/// Where the directory's material is kept in `server_secrets`.
pub const SECRET_NAME: &str = "sandbox_directory";

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

/// The directory: its statement signing key and its CA.
#[derive(Debug)]
pub struct SandboxDirectory {
    signer: SigningKey,
    ca: ca::Ca,
}

fn generate(now: chrono::DateTime<chrono::Utc>) -> Result<String, SandboxError> {
    let kid = format!("sandbox-{}", uuid::Uuid::new_v4().simple());
    let (_, der) = SigningKey::generate_es256(kid.clone())
        .map_err(|e| SandboxError::Internal(e.to_string()))?;
    let (ca_key, ca_cert) = ca::generate(now)?;
    Ok(
        json!({ "kid": kid, "key": STANDARD.encode(der), "ca_key": ca_key, "ca_cert": ca_cert })
            .to_string(),
    )
}

impl SandboxDirectory {
    /// Loads the directory's keys and CA, made once and shared by every node through the
    /// database.
    pub async fn load(
        db: &DatabaseConnection,
        clock: &Clock,
        data_key: Option<&DataKey>,
    ) -> Result<Self, SandboxError> {
        let now = clock.now();
        let fresh = sealed::protect(data_key, SECRET_NAME, &generate(now)?)
            .map_err(|e| SandboxError::Internal(e.to_string()))?;
        let stored = store::secrets::get_or_create(db, SECRET_NAME, || fresh, now).await?;
        let stored = sealed::reveal(data_key, SECRET_NAME, &stored)
            .map_err(|e| SandboxError::Internal(e.to_string()))?;
        let v: Value = serde_json::from_str(&stored)
            .map_err(|e| SandboxError::Internal(format!("stored sandbox directory: {e}")))?;
        let s = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or_default();
        let der = STANDARD
            .decode(s("key"))
            .map_err(|e| SandboxError::Internal(format!("stored sandbox directory key: {e}")))?;
        let signer = SigningKey::from_pkcs8(s("kid").to_string(), Alg::Es256, &der)
            .map_err(|e| SandboxError::Internal(e.to_string()))?;
        let ca = ca::Ca::load(s("ca_key"), s("ca_cert"))?;
        Ok(Self { signer, ca })
    }

    /// The keys that verify the directory's statements.
    pub fn jwks(&self) -> Value {
        json!({ "keys": [self.signer.public_jwk()] })
    }

    /// The same keys, parsed, for the trust anchors.
    pub fn trust_keys(&self) -> JwkSet {
        JwkSet::parse(&self.jwks()).unwrap_or_default()
    }

    /// The CA certificate (PEM).
    pub fn ca_pem(&self) -> &str {
        self.ca.pem()
    }

    /// The CA certificate (DER).
    pub fn ca_der(&self) -> &[u8] {
        self.ca.der()
    }

    /// Whether a (chain-verified) client certificate was issued by this directory's CA.
    pub fn issued(&self, cert_der: &[u8]) -> bool {
        self.ca.issued(cert_der)
    }
}

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
