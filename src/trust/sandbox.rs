//! Onramp's own sandbox directory as a trust anchor: its statement signing key and its CA, made
//! once and shared by every node through the database (sealed under the data key when one is
//! set). What the directory does for TPPs is in the `sandbox_directory` module.

use super::{AnchorError, ca};
use crate::domain::Clock;
use crate::domain::sealed::{self, DataKey};
use crate::jose::{Alg, JwkSet, SigningKey};
use crate::store::{self, DatabaseConnection};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

/// Where the directory's material is kept in `server_secrets`.
pub const SECRET_NAME: &str = "sandbox_directory";

/// The directory: its statement signing key and its CA.
#[derive(Debug)]
pub struct SandboxDirectory {
    signer: SigningKey,
    ca: ca::Ca,
}

fn generate(now: chrono::DateTime<chrono::Utc>) -> Result<String, AnchorError> {
    let kid = format!("sandbox-{}", uuid::Uuid::new_v4().simple());
    let (_, der) =
        SigningKey::generate_es256(kid.clone()).map_err(|e| AnchorError(e.to_string()))?;
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
    ) -> Result<Self, AnchorError> {
        let now = clock.now();
        let fresh = sealed::protect(data_key, SECRET_NAME, &generate(now)?)
            .map_err(|e| AnchorError(e.to_string()))?;
        let stored = store::secrets::get_or_create(db, SECRET_NAME, || fresh, now)
            .await
            .map_err(|e| AnchorError(format!("sandbox directory: {e}")))?;
        let stored = sealed::reveal(data_key, SECRET_NAME, &stored)
            .map_err(|e| AnchorError(e.to_string()))?;
        let v: Value = serde_json::from_str(&stored)
            .map_err(|e| AnchorError(format!("stored sandbox directory: {e}")))?;
        let s = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or_default();
        let der = STANDARD
            .decode(s("key"))
            .map_err(|e| AnchorError(format!("stored sandbox directory key: {e}")))?;
        let signer = SigningKey::from_pkcs8(s("kid").to_string(), Alg::Es256, &der)
            .map_err(|e| AnchorError(e.to_string()))?;
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

    /// The CA, to issue test transport certificates.
    pub fn ca(&self) -> &ca::Ca {
        &self.ca
    }

    /// Signs a software statement with the directory's key.
    pub fn sign(&self, claims: &Value) -> Result<String, AnchorError> {
        self.signer
            .sign("JWT", claims)
            .map_err(|e| AnchorError(e.to_string()))
    }

    /// Whether a (chain-verified) client certificate was issued by this directory's CA.
    pub fn issued(&self, cert_der: &[u8]) -> bool {
        self.ca.issued(cert_der)
    }
}
