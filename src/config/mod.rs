//! Settings: built-in defaults, then an optional TOML file (`--config`), then `ONRAMP_*`
//! environment variables (nested keys joined by `__`). Unknown keys are errors. Paths in the file
//! are relative to the file's folder. Nothing here is global: the loaded [`Settings`] travel in
//! the application state.

mod authority;
mod sections;
mod security;

pub use authority::*;
pub use sections::*;
pub use security::*;

use figment::Figment;
use figment::providers::{Env, Format, Toml};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// Every setting of Onramp. Field names are the contract's config keys.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    /// Issuer and base of links in emails.
    pub public_url: String,
    /// The plain HTTP listener.
    pub listen: String,
    /// `sqlite://…` or `postgres://…`, used as given.
    pub database_url: String,
    /// Folder of workflow files.
    pub workflows_dir: PathBuf,
    /// Folder for the SQLite file, mail files and other local data.
    pub data_dir: PathBuf,
    /// Key for the encrypted session cookie (at least 64 bytes). When absent, one is generated
    /// once and kept in the database, so that every node shares it.
    pub session_key: Option<SecretString>,
    /// Onramp terminates TLS itself.
    pub tls: Option<TlsSettings>,
    /// Onramp sits behind a TLS-terminating proxy.
    pub proxy: Option<ProxySettings>,
    /// Outgoing mail.
    pub mail: MailSettings,
    /// Trusted SSA issuers.
    pub directories: Vec<DirectorySettings>,
    /// Dynamic Client Registration policy.
    pub dcr: DcrSettings,
    /// Token endpoint settings.
    pub oauth: OAuthSettings,
    /// HTTPS requests Onramp makes itself.
    pub outbound: OutboundSettings,
    /// Password hashing cost.
    pub security: SecuritySettings,
    /// Throttling of signups and logins.
    pub limits: LimitSettings,
    /// What portal keys may be.
    pub keys: KeySettings,
    /// Log output.
    pub log: LogSettings,
    /// Prometheus metrics.
    pub metrics: MetricsSettings,
    /// Webhooks that workflow states notify.
    pub webhooks: Vec<WebhookSettings>,
    /// Authority checks: certificate roots and registers.
    pub authority: AuthoritySettings,
    /// On SIGTERM or Ctrl-C: how long in-flight requests may take to finish before the process
    /// exits.
    #[serde(with = "humantime_serde_compat")]
    pub shutdown_timeout: std::time::Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            public_url: "http://127.0.0.1:8080".into(),
            listen: "127.0.0.1:8080".into(),
            database_url: "sqlite://data/onramp.db?mode=rwc".into(),
            workflows_dir: "workflows".into(),
            data_dir: "data".into(),
            session_key: None,
            tls: None,
            proxy: None,
            mail: MailSettings::default(),
            directories: Vec::new(),
            dcr: DcrSettings::default(),
            oauth: OAuthSettings::default(),
            outbound: OutboundSettings::default(),
            security: SecuritySettings::default(),
            limits: LimitSettings::default(),
            keys: KeySettings::default(),
            log: LogSettings::default(),
            shutdown_timeout: std::time::Duration::from_secs(30),
            metrics: MetricsSettings::default(),
            webhooks: Vec::new(),
            authority: AuthoritySettings::default(),
        }
    }
}

/// A configuration that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file or environment could not be read into settings.
    #[error("{0}")]
    Load(Box<figment::Error>),
    /// The settings were read but do not make sense.
    #[error("{0}")]
    Invalid(String),
}

impl Settings {
    /// Loads settings from the optional file and the environment, resolves relative paths
    /// against the file's folder and validates the result.
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        let mut figment = Figment::new();
        if let Some(path) = file {
            if !path.exists() {
                return Err(ConfigError::Invalid(format!(
                    "config file {} does not exist",
                    path.display()
                )));
            }
            figment = figment.merge(Toml::file_exact(path));
        }
        let env = Env::prefixed("ONRAMP_")
            .split("__")
            .ignore(&["test_database_url", "skip_browser"]);
        let mut settings: Settings = figment
            .merge(env)
            .extract()
            .map_err(|e| ConfigError::Load(Box::new(e)))?;
        let base = file
            .and_then(Path::parent)
            .map(Path::to_path_buf)
            .unwrap_or_default();
        settings.resolve_paths(&base);
        settings.validate()?;
        Ok(settings)
    }

    fn resolve_paths(&mut self, base: &Path) {
        let join = |p: &mut PathBuf| {
            if p.is_relative() && !p.as_os_str().is_empty() {
                *p = base.join(&*p);
            }
        };
        join(&mut self.workflows_dir);
        join(&mut self.data_dir);
        join(&mut self.mail.dir);
        if let Some(tls) = self.tls.as_mut() {
            join(&mut tls.cert);
            join(&mut tls.key);
            if let Some(ca) = tls.client_ca.as_mut() {
                join(ca);
            }
        }
        self.authority.extra_roots.iter_mut().for_each(join);
        if let Some(f) = self.authority.codes_file.as_mut() {
            join(f);
        }
        for dir in &mut self.directories {
            if let Some(f) = dir.jwks_file.as_mut() {
                join(f);
            }
        }
        if !self.outbound.extra_ca.is_empty() {
            let mut ca = PathBuf::from(&self.outbound.extra_ca);
            join(&mut ca);
            self.outbound.extra_ca = ca.to_string_lossy().into_owned();
        }
    }

    /// Checks what serde cannot: URLs, addresses, enumerations and required companions.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let bad = |m: String| Err(ConfigError::Invalid(m));
        match url::Url::parse(&self.public_url) {
            Ok(u) if u.scheme() == "http" || u.scheme() == "https" => {}
            _ => {
                return bad(format!(
                    "public_url `{}` is not an http(s) URL",
                    self.public_url
                ));
            }
        }
        if self.listen.parse::<std::net::SocketAddr>().is_err() {
            return bad(format!(
                "listen `{}` is not an address like 127.0.0.1:8080",
                self.listen
            ));
        }
        if !(self.database_url.starts_with("sqlite:")
            || self.database_url.starts_with("postgres://")
            || self.database_url.starts_with("postgresql://"))
        {
            return bad("database_url must start with sqlite: or postgres://".into());
        }
        if let Some(key) = &self.session_key
            && key.expose_secret().len() < 64
        {
            return bad("session_key must be at least 64 characters".into());
        }
        if !["require", "prefer", "off"].contains(&self.authority.revocation.as_str()) {
            return bad(format!(
                "authority.revocation `{}` must be require, prefer or off",
                self.authority.revocation
            ));
        }
        if let Some(e) = self.authority.problem() {
            return bad(e);
        }
        if let Err(e) = self.security.data_key() {
            return bad(e.to_string());
        }
        if let Err(e) = self.security.data_key_previous() {
            return bad(format!("data_key_previous: {e}"));
        }
        if self.mail.transport == MailTransport::Smtp
            && self.mail.smtp_url.expose_secret().is_empty()
        {
            return bad("mail.transport = \"smtp\" needs mail.smtp_url".into());
        }
        if let Some(tls) = &self.tls
            && !matches!(tls.client_auth.as_str(), "optional" | "required")
        {
            return bad(format!(
                "tls.client_auth `{}` must be optional or required",
                tls.client_auth
            ));
        }
        for d in &self.directories {
            if d.jwks_file.is_none() == d.jwks_uri.is_none() {
                return bad(format!(
                    "directory `{}` needs exactly one of jwks_file and jwks_uri",
                    d.issuer
                ));
            }
            if !matches!(d.environment.as_str(), "sandbox" | "production") {
                return bad(format!(
                    "directory `{}`: environment must be sandbox or production",
                    d.issuer
                ));
            }
        }
        if !matches!(self.oauth.token_signing_alg.as_str(), "ES256" | "PS256") {
            return bad("oauth.token_signing_alg must be ES256 or PS256".into());
        }
        for m in self
            .keys
            .sandbox_auth_methods
            .iter()
            .chain(&self.keys.production_auth_methods)
        {
            if crate::domain::client::AuthMethod::parse(m).is_none() {
                return bad(format!(
                    "keys: unknown auth method `{m}` (private_key_jwt, tls_client_auth, \
                     client_secret_basic, client_secret_post)"
                ));
            }
        }
        for (i, w) in self.webhooks.iter().enumerate() {
            if w.name.trim().is_empty() || self.webhooks[..i].iter().any(|o| o.name == w.name) {
                return bad(format!(
                    "webhooks: the name `{}` is empty or used twice",
                    w.name
                ));
            }
            if !url::Url::parse(&w.url).is_ok_and(|u| matches!(u.scheme(), "http" | "https")) {
                return bad(format!(
                    "webhook `{}`: url `{}` is not an http(s) URL",
                    w.name, w.url
                ));
            }
        }
        if !matches!(self.log.format.as_str(), "compact" | "json") {
            return bad("log.format must be compact or json".into());
        }
        Ok(())
    }

    /// Whether cookies must carry `Secure`: whenever the portal is reached over HTTPS.
    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }

    /// The issuer: `public_url` without a trailing slash.
    pub fn issuer(&self) -> &str {
        self.base_url()
    }

    /// Where TPP software reaches the token and registration endpoints: the TLS listener's
    /// `public_url` when Onramp terminates TLS, `public_url` otherwise.
    pub fn mtls_base_url(&self) -> &str {
        self.tls
            .as_ref()
            .map_or(self.base_url(), |t| t.public_url.trim_end_matches('/'))
    }

    /// The `aud` of access tokens for `env` (`oauth.audience`, else derived from `public_url`).
    pub fn audience(&self, env: crate::domain::client::Environment) -> String {
        let (set, suffix) = match env {
            crate::domain::client::Environment::Production => (&self.oauth.audience.production, ""),
            crate::domain::client::Environment::Sandbox => {
                (&self.oauth.audience.sandbox, "/sandbox")
            }
        };
        if set.is_empty() {
            format!("{}{suffix}", self.base_url())
        } else {
            set.clone()
        }
    }

    /// `public_url` without a trailing slash, for building links.
    pub fn base_url(&self) -> &str {
        self.public_url.trim_end_matches('/')
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn unknown_keys_are_refused_with_their_name() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("onramp.toml");
        std::fs::write(&path, "listen = \"127.0.0.1:9000\"\nlisten_port = 1\n").unwrap();
        let err = Settings::load(Some(&path)).unwrap_err().to_string();
        assert!(err.contains("listen_port"), "{err}");
    }

    #[test]
    fn paths_are_relative_to_the_config_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("onramp.toml");
        std::fs::write(
            &path,
            "workflows_dir = \"wf\"\n[dcr]\nssa_max_age = \"10m\"\n",
        )
        .unwrap();
        let s = Settings::load(Some(&path)).unwrap();
        assert_eq!(s.workflows_dir, dir.path().join("wf"));
        assert_eq!(s.dcr.ssa_max_age, Duration::from_secs(600));
    }

    #[test]
    fn every_path_key_is_relative_to_the_config_file() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("etc");
        std::fs::create_dir(&sub).unwrap();
        let path = sub.join("onramp.toml");
        std::fs::write(
            &path,
            r#"
workflows_dir = "wf"
data_dir = "var"
[mail]
dir = "outgoing"
[tls]
listen = "127.0.0.1:8443"
public_url = "https://127.0.0.1:8443"
cert = "tls/server.pem"
key = "tls/server.key"
client_ca = "tls/tpp-ca.pem"
[outbound]
extra_ca = "trust/directory-ca.pem"
[[directories]]
issuer = "Test Directory"
jwks_file = "trust/directory-jwks.json"
environment = "sandbox"
"#,
        )
        .unwrap();
        let s = Settings::load(Some(&path)).unwrap();
        assert_eq!(s.workflows_dir, sub.join("wf"));
        assert_eq!(s.data_dir, sub.join("var"));
        assert_eq!(s.mail.dir, sub.join("outgoing"));
        let tls = s.tls.as_ref().unwrap();
        assert_eq!(tls.cert, sub.join("tls/server.pem"));
        assert_eq!(tls.key, sub.join("tls/server.key"));
        assert_eq!(
            tls.client_ca.as_deref(),
            Some(sub.join("tls/tpp-ca.pem").as_path())
        );
        assert_eq!(
            PathBuf::from(&s.outbound.extra_ca),
            sub.join("trust/directory-ca.pem"),
            "outbound.extra_ca follows the config file, not data_dir"
        );
        assert_eq!(
            s.directories[0].jwks_file.as_deref(),
            Some(sub.join("trust/directory-jwks.json").as_path())
        );
        // An absolute path is kept as given.
        std::fs::write(&path, "[outbound]\nextra_ca = \"/etc/ssl/extra.pem\"\n").unwrap();
        let s = Settings::load(Some(&path)).unwrap();
        assert_eq!(s.outbound.extra_ca, "/etc/ssl/extra.pem");
    }
}
