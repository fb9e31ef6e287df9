//! `onramp keys rewrap`: re-encrypts every secret kept at rest (token signing keys, the sandbox
//! directory's keys and CA key, the session key, two-step sign-in secrets) under the current `security.data_key`.
//! Values sealed under `security.data_key_previous`, or stored in clear, are read and sealed
//! again; with no data key set, everything is written back in clear.

use super::keyring::SEAL_PURPOSE;
use crate::domain::sealed::{self, DataKey, SealError};
use crate::store::{self, DatabaseConnection, StoreError};

/// The stored server secrets that hold keys (their name is their sealing purpose).
const SECRETS: &[&str] = &["session_key", "sandbox_directory"];

/// Why a rewrap failed; nothing was changed.
#[derive(Debug, thiserror::Error)]
pub enum RewrapError {
    /// A value opens with neither key.
    #[error("{what}: {source}")]
    Sealed {
        /// Which value.
        what: String,
        /// Why.
        source: SealError,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn rewrap_one(
    what: &str,
    purpose: &str,
    stored: &str,
    new: Option<&DataKey>,
    old: Option<&DataKey>,
) -> Result<String, RewrapError> {
    let wrap = |source| RewrapError::Sealed {
        what: what.to_string(),
        source,
    };
    let plain = match sealed::reveal(new, purpose, stored) {
        Ok(p) => p,
        Err(first) => match old {
            Some(old) => old.open(purpose, stored).map_err(wrap)?,
            None => return Err(wrap(first)),
        },
    };
    sealed::protect(new, purpose, &plain).map_err(wrap)
}

/// Re-encrypts everything in one transaction; returns how many values were rewritten.
pub async fn rewrap(
    db: &DatabaseConnection,
    new: Option<&DataKey>,
    old: Option<&DataKey>,
) -> Result<usize, RewrapError> {
    let tx = store::begin(db).await.map_err(StoreError::from)?;
    let mut n = 0;
    for (kid, stored) in store::signing_keys::all_private(&tx).await? {
        let value = rewrap_one(
            &format!("signing key {kid}"),
            SEAL_PURPOSE,
            &stored,
            new,
            old,
        )?;
        store::signing_keys::set_private(&tx, &kid, &value).await?;
        n += 1;
    }
    for (id, stored) in store::mfa::all_secrets(&tx).await? {
        let value = rewrap_one(
            &format!("two-step secret {id}"),
            store::mfa::SEAL_PURPOSE,
            &stored,
            new,
            old,
        )?;
        store::mfa::set_secret(&tx, &id, &value).await?;
        n += 1;
    }
    for name in SECRETS {
        if let Some(stored) = store::secrets::get(&tx, name).await? {
            let value = rewrap_one(name, name, &stored, new, old)?;
            store::secrets::set(&tx, name, &value).await?;
            n += 1;
        }
    }
    tx.commit().await.map_err(StoreError::from)?;
    Ok(n)
}
