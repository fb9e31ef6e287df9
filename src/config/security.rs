//! `[security]`: password hashing cost and session lifetimes.

use super::sections::humantime_serde_compat;
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
}

impl Default for SecuritySettings {
    fn default() -> Self {
        Self {
            argon2_memory_kib: 19_456,
            argon2_iterations: 2,
            session_idle: SessionIdle::default(),
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
