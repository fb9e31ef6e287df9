//! Onramp's signing keys, one ring per environment: a sandbox token is signed by a sandbox key
//! and never verifies with the production keys published at `/jwks` (the sandbox's are at
//! `/sandbox/jwks`). Kept in the database (so every node signs and verifies alike), created on
//! first start, rotated by `onramp keys rotate --environment`. The newest key signs; older keys
//! stay in the JWKS until the tokens they signed have expired. Nodes reload the set every minute
//! and on an unknown `kid`.

use crate::clients::Environment;
use crate::domain::Clock;
use crate::domain::sealed::{self, DataKey};
use crate::jose::{Alg, JoseError, Jwk, JwkSet, SigningKey};
use crate::store::signing_keys::SigningKeyRecord;
use crate::store::{self, DatabaseConnection, StoreError};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

/// What the data key binds a stored signing key to.
pub const SEAL_PURPOSE: &str = "signing_key";

/// Why keys could not be loaded or made.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// A stored key is sealed and the data key cannot open it.
    #[error(transparent)]
    Sealed(#[from] sealed::SealError),
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

/// One environment's signing keys in memory; cheap to clone.
#[derive(Clone)]
pub struct KeyRing {
    environment: Environment,
    inner: Arc<RwLock<Ring>>,
    data_key: Option<Arc<DataKey>>,
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

async fn read(
    db: &DatabaseConnection,
    clock: &Clock,
    env: Environment,
    data_key: Option<&DataKey>,
) -> Result<Option<Ring>, KeyError> {
    let live = store::signing_keys::live(db, env.as_str(), clock.now()).await?;
    let Some(newest) = live.first() else {
        return Ok(None);
    };
    let alg = Alg::parse(&newest.alg)
        .ok_or(KeyError::Key(JoseError::UnsupportedAlg(newest.alg.clone())))?;
    let der = STANDARD
        .decode(sealed::reveal(
            data_key,
            SEAL_PURPOSE,
            &newest.private_pkcs8,
        )?)
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

/// Adds a signing key to `env` (generated ES256, or an imported PKCS#8 key of `alg`) and
/// schedules the environment's others to leave the JWKS once the tokens they signed have
/// expired. The private key is sealed under `data_key` when there is one. Returns the new `kid`.
pub async fn rotate(
    db: &DatabaseConnection,
    clock: &Clock,
    env: Environment,
    alg: Alg,
    imported_pkcs8: Option<Vec<u8>>,
    token_ttl: Duration,
    data_key: Option<&DataKey>,
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
            private_pkcs8: sealed::protect(data_key, SEAL_PURPOSE, &STANDARD.encode(&der))?,
            public_jwk: key.public_jwk().to_string(),
            created_at: now,
            retires_at: None,
            environment: env.as_str().into(),
        },
    )
    .await?;
    let keep_for = chrono::Duration::from_std(token_ttl).unwrap_or(chrono::Duration::hours(1))
        + chrono::Duration::seconds(super::SKEW_SECONDS);
    store::signing_keys::retire_others(&tx, env.as_str(), &kid, now + keep_for).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(kid)
}

impl KeyRing {
    /// Loads the keys of `env`, creating the first one when there is none (ES256; a PS256
    /// configuration needs an imported RSA key first).
    pub async fn load(
        db: &DatabaseConnection,
        clock: &Clock,
        env: Environment,
        alg: Alg,
        ttl: Duration,
        data_key: Option<Arc<DataKey>>,
    ) -> Result<Self, KeyError> {
        let key = data_key.as_deref();
        let ring = match read(db, clock, env, key).await? {
            Some(r) => r,
            None => {
                rotate(db, clock, env, alg, None, ttl, key).await?;
                read(db, clock, env, key)
                    .await?
                    .ok_or(KeyError::NeedRsaKey)?
            }
        };
        Ok(Self {
            environment: env,
            inner: Arc::new(RwLock::new(ring)),
            data_key,
        })
    }

    /// The environment whose tokens these keys sign.
    pub fn environment(&self) -> Environment {
        self.environment
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

    /// Whether `kid` is one of these keys.
    pub fn holds(&self, kid: &str) -> bool {
        self.with(|r| r.verify.find(kid).is_some()).unwrap_or(false)
    }

    /// Reloads the keys from the database (another node may have rotated).
    pub async fn refresh(&self, db: &DatabaseConnection, clock: &Clock) -> Result<(), KeyError> {
        if let Some(ring) = read(db, clock, self.environment, self.data_key.as_deref()).await?
            && let Ok(mut w) = self.inner.write()
        {
            *w = ring;
        }
        Ok(())
    }
}

/// Both environments' key rings; cheap to clone.
#[derive(Clone, Debug)]
pub struct KeyRings {
    production: KeyRing,
    sandbox: KeyRing,
}

impl KeyRings {
    /// Loads (or creates) the keys of both environments.
    pub async fn load(
        db: &DatabaseConnection,
        clock: &Clock,
        alg: Alg,
        ttl: Duration,
        data_key: Option<Arc<DataKey>>,
    ) -> Result<Self, KeyError> {
        Ok(Self {
            production: KeyRing::load(
                db,
                clock,
                Environment::Production,
                alg,
                ttl,
                data_key.clone(),
            )
            .await?,
            sandbox: KeyRing::load(db, clock, Environment::Sandbox, alg, ttl, data_key).await?,
        })
    }

    /// The ring of `env`.
    pub fn get(&self, env: Environment) -> &KeyRing {
        match env {
            Environment::Production => &self.production,
            Environment::Sandbox => &self.sandbox,
        }
    }

    /// The environment whose keys hold `kid`, if any.
    pub fn environment_of(&self, kid: &str) -> Option<Environment> {
        [&self.production, &self.sandbox]
            .into_iter()
            .find(|r| r.holds(kid))
            .map(KeyRing::environment)
    }

    /// Whether either ring is older than a minute.
    pub fn stale(&self) -> bool {
        self.production.stale() || self.sandbox.stale()
    }

    /// Reloads both rings.
    pub async fn refresh(&self, db: &DatabaseConnection, clock: &Clock) -> Result<(), KeyError> {
        self.production.refresh(db, clock).await?;
        self.sandbox.refresh(db, clock).await
    }
}
