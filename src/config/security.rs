//! `[security]`: password hashing cost, session lifetimes and the data key that encrypts
//! secrets at rest.

use super::sections::humantime_serde_compat;
use crate::domain::sealed::{DataKey, SealError};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use std::time::Duration;

/// `[security]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SecuritySettings {
    /// argon2id memory in KiB (OWASP: 19456).
    pub argon2_memory_kib: u32,
    /// argon2id passes.
    pub argon2_iterations: u32,
    /// How long a session may sit unused before it ends.
    pub session_idle: SessionIdle,
    /// 32 bytes (base64 or hex) that encrypt the token signing keys, the sandbox directory's
    /// keys and CA key, and the session key in the database (AES-256-GCM). Unset: they are
    /// stored in clear, with a warning at every start.
    pub data_key: Option<SecretString>,
    /// The data key being replaced, read only by `onramp keys rewrap`.
    pub data_key_previous: Option<SecretString>,
    /// Whether admins must sign in with a second step (TOTP).
    pub admin_mfa: AdminMfa,
}

/// `security.admin_mfa`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AdminMfa {
    /// Every admin enrols at the first sign-in and gives a code at every sign-in (the default).
    #[default]
    Required,
    /// An admin may enrol from the account page; those who did give a code at sign-in.
    Optional,
}

impl SecuritySettings {
    /// The parsed data key, when set.
    pub fn data_key(&self) -> Result<Option<DataKey>, SealError> {
        parse(self.data_key.as_ref())
    }

    /// The parsed previous data key, when set.
    pub fn data_key_previous(&self) -> Result<Option<DataKey>, SealError> {
        parse(self.data_key_previous.as_ref())
    }
}

fn parse(k: Option<&SecretString>) -> Result<Option<DataKey>, SealError> {
    k.map(|k| k.expose_secret())
        .filter(|k| !k.trim().is_empty())
        .map(DataKey::parse)
        .transpose()
}

impl Default for SecuritySettings {
    fn default() -> Self {
        Self {
            argon2_memory_kib: 19_456,
            argon2_iterations: 2,
            session_idle: SessionIdle::default(),
            data_key: None,
            data_key_previous: None,
            admin_mfa: AdminMfa::Required,
        }
    }
}

/// `[security.session_idle]`: idle timeouts per door.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SessionIdle {
    /// Portal sessions (default 2 hours).
    #[serde(with = "humantime_serde_compat")]
    pub portal: Duration,
    /// Admin console sessions (default 30 minutes).
    #[serde(with = "humantime_serde_compat")]
    pub admin: Duration,
}

impl Default for SessionIdle {
    fn default() -> Self {
        Self {
            portal: Duration::from_secs(2 * 3600),
            admin: Duration::from_secs(30 * 60),
        }
    }
}
