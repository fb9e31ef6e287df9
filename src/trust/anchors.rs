//! Trust anchors for software statements: the configured `[[directories]]` (JWKS from a file,
//! loaded at start, or from a URL, fetched and cached by DCR), each serving one environment,
//! plus Onramp's own sandbox directory. Held in the application state; knows nothing of it.

use crate::config::Settings;
use crate::domain::client::Environment;
use crate::jose::JwkSet;
use std::sync::Arc;

/// Where a directory's keys come from.
#[derive(Clone, Debug)]
pub enum Keys {
    /// Loaded at start.
    Fixed(Arc<JwkSet>),
    /// Fetched, cached.
    Uri(String),
}

/// A trusted SSA issuer.
#[derive(Clone, Debug)]
pub struct Directory {
    /// The SSA `iss`.
    pub issuer: String,
    /// Which clients its statements make.
    pub environment: Environment,
    keys: Keys,
}

/// Every trusted directory.
#[derive(Clone, Debug, Default)]
pub struct Directories {
    list: Vec<Directory>,
}

/// The issuer name of Onramp's own sandbox directory.
pub const SANDBOX_DIRECTORY: &str = "Onramp Sandbox Directory";

impl Directories {
    /// Loads `[[directories]]`; a JWKS file that cannot be read or parsed stops start-up.
    pub fn load(settings: &Settings, sandbox_keys: Option<JwkSet>) -> Result<Self, String> {
        let mut list = Vec::new();
        for d in &settings.directories {
            let environment = Environment::parse(&d.environment).unwrap_or(Environment::Production);
            let keys = match (&d.jwks_file, &d.jwks_uri) {
                (Some(f), _) => {
                    let text = std::fs::read_to_string(f).map_err(|e| {
                        format!("directory `{}`: cannot read {}: {e}", d.issuer, f.display())
                    })?;
                    let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
                        format!("directory `{}`: {} is not JSON: {e}", d.issuer, f.display())
                    })?;
                    Keys::Fixed(Arc::new(
                        JwkSet::parse(&v).map_err(|e| format!("directory `{}`: {e}", d.issuer))?,
                    ))
                }
                (None, Some(u)) => Keys::Uri(u.clone()),
                (None, None) => return Err(format!("directory `{}` has no keys", d.issuer)),
            };
            list.push(Directory {
                issuer: d.issuer.clone(),
                environment,
                keys,
            });
        }
        if let Some(keys) = sandbox_keys {
            list.push(Directory {
                issuer: SANDBOX_DIRECTORY.into(),
                environment: Environment::Sandbox,
                keys: Keys::Fixed(Arc::new(keys)),
            });
        }
        Ok(Self { list })
    }

    /// The directory whose `iss` this is.
    pub fn find(&self, issuer: &str) -> Option<&Directory> {
        self.list.iter().find(|d| d.issuer == issuer)
    }

    /// The trusted issuers, for documentation pages.
    pub fn issuers(&self) -> Vec<(String, Environment)> {
        self.list
            .iter()
            .map(|d| (d.issuer.clone(), d.environment))
            .collect()
    }
}

impl Directory {
    /// Where its keys come from.
    pub fn keys(&self) -> &Keys {
        &self.keys
    }
}
