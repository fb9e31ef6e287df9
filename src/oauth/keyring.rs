//! Onramp's signing keys: kept in the database (so every node signs and verifies alike), created
//! on first start, rotated by `onramp keys rotate`. The newest key signs; older keys stay in the
//! JWKS until the tokens they signed have expired. Nodes reload the set every minute and on an
//! unknown `kid`.

use crate::domain::Clock;
use crate::jose::{Alg, JoseError, Jwk, JwkSet, SigningKey};
use crate::store::signing_keys::SigningKeyRecord;
use crate::store::{self, DatabaseConnection, StoreError};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

/// Why keys could not be loaded or made.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A stored or imported key is unusable.
    #[error("signing key: {0}")]
    Key(#[from] JoseError),
    /// PS256 is configured but no RSA key was imported.
    #[error(
        "token_signing_alg = \"PS256\" needs an RSA key: run `onramp keys rotate --key-file rsa-key.pem` (PKCS#8 PEM) first"
    )]
    NeedRsaKey,
}

struct Ring {
    signer: Arc<SigningKey>,
    verify: Arc<JwkSet>,
    jwks: Arc<serde_json::Value>,
    loaded: Instant,
}

/// The signing keys in memory; cheap to clone.
#[derive(Clone)]
pub struct KeyRing {
    inner: Arc<RwLock<Ring>>,
}

impl std::fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KeyRing")
    }
}

fn new_kid() -> String {
    use rand::RngCore;
    let mut b = [0u8; 12];
    rand::rng().fill_bytes(&mut b);
    crate::jose::b64(&b)
}

async fn read(db: &DatabaseConnection, clock: &Clock) -> Result<Option<Ring>, KeyError> {
    let live = store::signing_keys::live(db, clock.now()).await?;
    let Some(newest) = live.first() else {
        return Ok(None);
    };
    let alg = Alg::parse(&newest.alg)
        .ok_or(KeyError::Key(JoseError::UnsupportedAlg(newest.alg.clone())))?;
    let der = STANDARD
        .decode(&newest.private_pkcs8)
        .map_err(|_| JoseError::Malformed("stored key is not base64".into()))?;
    let signer = SigningKey::from_pkcs8(newest.kid.clone(), alg, &der)?;
    let published: Vec<serde_json::Value> = live
        .iter()
        .filter_map(|k| serde_json::from_str(&k.public_jwk).ok())
        .collect();
    let jwks = serde_json::json!({ "keys": published });
    let verify = JwkSet {
        keys: published
            .iter()
            .filter_map(|k| Jwk::parse(k).ok())
            .collect(),
    };
    Ok(Some(Ring {
        signer: Arc::new(signer),
        verify: Arc::new(verify),
        jwks: Arc::new(jwks),
        loaded: Instant::now(),
    }))
}

/// Adds a signing key (generated ES256, or an imported PKCS#8 key of `alg`) and schedules the
/// others to leave the JWKS once the tokens they signed have expired. Returns the new `kid`.
pub async fn rotate(
    db: &DatabaseConnection,
    clock: &Clock,
    alg: Alg,
    imported_pkcs8: Option<Vec<u8>>,
    token_ttl: Duration,
) -> Result<String, KeyError> {
    let kid = new_kid();
    let (key, der) = match (alg, imported_pkcs8) {
        (_, Some(der)) => (SigningKey::from_pkcs8(kid.clone(), alg, &der)?, der),
        (Alg::Es256, None) => SigningKey::generate_es256(kid.clone())?,
        (Alg::Ps256, None) => return Err(KeyError::NeedRsaKey),
    };
    let now = clock.now();
    let tx = store::begin(db).await.map_err(StoreError::from)?;
    store::signing_keys::insert(
        &tx,
        &SigningKeyRecord {
            kid: kid.clone(),
            alg: alg.as_str().into(),
            private_pkcs8: STANDARD.encode(&der),
            public_jwk: key.public_jwk().to_string(),
            created_at: now,
            retires_at: None,
        },
    )
    .await?;
    let keep_for = chrono::Duration::from_std(token_ttl).unwrap_or(chrono::Duration::hours(1))
        + chrono::Duration::seconds(super::SKEW_SECONDS);
    store::signing_keys::retire_others(&tx, &kid, now + keep_for).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(kid)
}

impl KeyRing {
    /// Loads the keys, creating the first one (ES256) when there is none.
    pub async fn load(
        db: &DatabaseConnection,
        clock: &Clock,
        alg: Alg,
        ttl: Duration,
    ) -> Result<Self, KeyError> {
        let ring = match read(db, clock).await? {
            Some(r) => r,
            None => {
                rotate(db, clock, alg, None, ttl).await?;
                read(db, clock).await?.ok_or(KeyError::NeedRsaKey)?
            }
        };
        Ok(Self {
            inner: Arc::new(RwLock::new(ring)),
        })
    }

    fn with<T>(&self, f: impl FnOnce(&Ring) -> T) -> Option<T> {
        self.inner.read().ok().map(|r| f(&r))
    }

    /// The key that signs new tokens.
    pub fn signer(&self) -> Option<Arc<SigningKey>> {
        self.with(|r| r.signer.clone())
    }

    /// Keys that verify Onramp's tokens.
    pub fn verify_set(&self) -> Arc<JwkSet> {
        self.with(|r| r.verify.clone()).unwrap_or_default()
    }

    /// The published JWKS.
    pub fn jwks(&self) -> Arc<serde_json::Value> {
        self.with(|r| r.jwks.clone()).unwrap_or_default()
    }

    /// Whether the in-memory set is older than a minute.
    pub fn stale(&self) -> bool {
        self.with(|r| r.loaded.elapsed() > Duration::from_secs(60))
            .unwrap_or(true)
    }

    /// Reloads the keys from the database (another node may have rotated).
    pub async fn refresh(&self, db: &DatabaseConnection, clock: &Clock) -> Result<(), KeyError> {
        if let Some(ring) = read(db, clock).await?
            && let Ok(mut w) = self.inner.write()
        {
            *w = ring;
        }
        Ok(())
    }
}
