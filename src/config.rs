//! Settings: built-in defaults, then an optional TOML file (`--config`), then `ONRAMP_*`
//! environment variables (nested keys joined by `__`). Unknown keys are errors. Paths in the file
//! are relative to the file's folder. Nothing here is global: the loaded [`Settings`] travel in
//! the application state.

use figment::Figment;
use figment::providers::{Env, Format, Toml};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::time::Duration;

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
        }
    }
}

/// `[tls]`: Onramp's own TLS listener.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsSettings {
    /// Address of the TLS listener.
    pub listen: String,
    /// How TPPs reach this listener.
    pub public_url: String,
    /// PEM certificate chain.
    pub cert: PathBuf,
    /// PEM private key.
    pub key: PathBuf,
    /// CAs accepted for client certificates.
    pub client_ca: Option<PathBuf>,
    /// `optional` or `required`.
    #[serde(default = "default_client_auth")]
    pub client_auth: String,
}

fn default_client_auth() -> String {
    "optional".into()
}

/// `[proxy]`: the client certificate forwarded by a trusted proxy.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProxySettings {
    /// Header carrying the URL-encoded PEM certificate.
    pub client_cert_header: String,
    /// Proxies whose header (and `X-Forwarded-For`) is believed.
    #[serde(default)]
    pub trusted_proxies: Vec<ipnet::IpNet>,
}

/// How mail leaves Onramp.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MailTransport {
    /// One `.eml` file per message in `mail.dir`.
    File,
    /// An SMTP relay at `mail.smtp_url`.
    Smtp,
    /// Written to the log only.
    Log,
    /// Kept in memory (the test harness).
    Memory,
}

/// `[mail]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MailSettings {
    /// `file`, `smtp` or `log`.
    pub transport: MailTransport,
    /// Folder for the file transport.
    pub dir: PathBuf,
    /// `smtp[s]://user:pass@host:port`.
    pub smtp_url: SecretString,
    /// The sender.
    pub from: String,
}

impl Default for MailSettings {
    fn default() -> Self {
        Self {
            transport: MailTransport::File,
            dir: "data/mail".into(),
            smtp_url: SecretString::from(""),
            from: "Onramp <no-reply@bank.example>".into(),
        }
    }
}

/// `[[directories]]`: a trusted issuer of software statements.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DirectorySettings {
    /// The SSA `iss` this directory uses.
    pub issuer: String,
    /// JWKS from a file.
    pub jwks_file: Option<PathBuf>,
    /// JWKS from a URL.
    pub jwks_uri: Option<String>,
    /// `sandbox` or `production`.
    #[serde(default = "default_environment")]
    pub environment: String,
}

fn default_environment() -> String {
    "production".into()
}

/// `[dcr]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DcrSettings {
    /// This bank's directory organisation id, accepted as `aud`.
    pub aspsp_org_id: String,
    /// Oldest SSA accepted.
    #[serde(with = "humantime_serde_compat")]
    pub ssa_max_age: Duration,
    /// Client authentication methods DCR may register.
    pub auth_methods: Vec<String>,
    /// Development only: accept registrations without a client certificate.
    pub allow_without_mtls: bool,
    /// Grant types DCR may register.
    pub grant_types: Vec<String>,
    /// Response types DCR may register.
    pub response_types: Vec<String>,
    /// Scopes DCR may register (further limited by the software's roles).
    pub scopes: Vec<String>,
    /// Whether software in `Test` mode may register with a production directory.
    pub allow_test_software_in_production: bool,
    /// An SSA `jti` may be used once only.
    pub ssa_single_use: bool,
    /// Hosts a `software_jwks_endpoint` may be on (empty: any public host).
    pub software_jwks_hosts: Vec<String>,
}

impl Default for DcrSettings {
    fn default() -> Self {
        Self {
            aspsp_org_id: String::new(),
            ssa_max_age: Duration::from_secs(30 * 60),
            auth_methods: vec!["tls_client_auth".into(), "private_key_jwt".into()],
            allow_without_mtls: false,
            grant_types: vec![
                "client_credentials".into(),
                "authorization_code".into(),
                "refresh_token".into(),
                "urn:openid:params:grant-type:ciba".into(),
                "urn:ietf:params:oauth:grant-type:jwt-bearer".into(),
            ],
            response_types: vec!["code".into(), "code id_token".into()],
            scopes: vec![
                "openid".into(),
                "accounts".into(),
                "payments".into(),
                "fundsconfirmations".into(),
            ],
            allow_test_software_in_production: false,
            ssa_single_use: false,
            software_jwks_hosts: Vec::new(),
        }
    }
}

/// `[oauth]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OAuthSettings {
    /// Lifetime of access tokens.
    #[serde(with = "humantime_serde_compat")]
    pub access_token_ttl: Duration,
    /// `ES256` or `PS256`.
    pub token_signing_alg: String,
    /// The bank gateway's credential for `/introspect` (HTTP Basic user); introspection is off
    /// while the secret is empty.
    pub introspection_client_id: String,
    /// The gateway's secret.
    pub introspection_client_secret: SecretString,
}

impl Default for OAuthSettings {
    fn default() -> Self {
        Self {
            access_token_ttl: Duration::from_secs(3600),
            token_signing_alg: "ES256".into(),
            introspection_client_id: "gateway".into(),
            introspection_client_secret: SecretString::from(""),
        }
    }
}

/// `[outbound]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OutboundSettings {
    /// PEM file of further CAs to trust.
    pub extra_ca: String,
    /// Timeout of each outbound request.
    #[serde(with = "humantime_serde_compat")]
    pub timeout: Duration,
    /// Development only: allow plain HTTP.
    pub allow_http: bool,
    /// Tests only: allow loopback and private addresses.
    pub allow_private_addresses: bool,
}

impl Default for OutboundSettings {
    fn default() -> Self {
        Self {
            extra_ca: String::new(),
            timeout: Duration::from_secs(5),
            allow_http: false,
            allow_private_addresses: false,
        }
    }
}

/// `[security]`: argon2id cost for human passwords.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SecuritySettings {
    /// Memory in KiB (OWASP: 19456).
    pub argon2_memory_kib: u32,
    /// Passes.
    pub argon2_iterations: u32,
}

impl Default for SecuritySettings {
    fn default() -> Self {
        Self {
            argon2_memory_kib: 19_456,
            argon2_iterations: 2,
        }
    }
}

/// `[limits]`: throttling. Defaults leave room for people and test runs.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LimitSettings {
    /// Signups accepted from one IP address per hour.
    pub signups_per_ip_per_hour: u32,
    /// Failed logins from one IP address per hour before its logins are refused.
    pub login_failures_per_ip_per_hour: u32,
    /// Failed logins on one account within `login_lockout` before it is locked for that time.
    pub login_failures_per_account: u32,
    /// The window of the per-account limit.
    #[serde(with = "humantime_serde_compat")]
    pub login_lockout: Duration,
    /// Verification and reset emails one address may ask for per hour.
    pub emails_per_address_per_hour: u32,
}

impl Default for LimitSettings {
    fn default() -> Self {
        Self {
            signups_per_ip_per_hour: 30,
            login_failures_per_ip_per_hour: 50,
            login_failures_per_account: 10,
            login_lockout: Duration::from_secs(15 * 60),
            emails_per_address_per_hour: 5,
        }
    }
}

/// `[keys]`: the client authentication methods the bank accepts per environment for clients
/// made in the portal.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct KeySettings {
    /// Methods for sandbox clients.
    pub sandbox_auth_methods: Vec<String>,
    /// Methods for production clients (FAPI: key- or certificate-based only, by default).
    pub production_auth_methods: Vec<String>,
}

impl Default for KeySettings {
    fn default() -> Self {
        Self {
            sandbox_auth_methods: vec![
                "private_key_jwt".into(),
                "tls_client_auth".into(),
                "client_secret_basic".into(),
                "client_secret_post".into(),
            ],
            production_auth_methods: vec!["private_key_jwt".into(), "tls_client_auth".into()],
        }
    }
}

impl KeySettings {
    /// The accepted methods for an environment.
    pub fn methods(&self, env: crate::clients::Environment) -> Vec<crate::clients::AuthMethod> {
        let list = match env {
            crate::clients::Environment::Sandbox => &self.sandbox_auth_methods,
            crate::clients::Environment::Production => &self.production_auth_methods,
        };
        list.iter()
            .filter_map(|m| crate::clients::AuthMethod::parse(m))
            .collect()
    }
}

/// `[log]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogSettings {
    /// `compact` or `json`.
    pub format: String,
    /// An `EnvFilter` directive, e.g. `info` or `onramp=debug,info`.
    pub level: String,
}

impl Default for LogSettings {
    fn default() -> Self {
        Self {
            format: "compact".into(),
            level: "info".into(),
        }
    }
}

/// Durations written as `30m`, `1h`, `5s`.
mod humantime_serde_compat {
    use serde::{Deserialize, Deserializer};
    use std::time::Duration;

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        let s = String::deserialize(d)?;
        humantime::parse_duration(&s).map_err(|e| {
            serde::de::Error::custom(format!("`{s}` is not a duration like 30m or 1h: {e}"))
        })
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
        for dir in &mut self.directories {
            if let Some(f) = dir.jwks_file.as_mut() {
                join(f);
            }
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
            if crate::clients::AuthMethod::parse(m).is_none() {
                return bad(format!(
                    "keys: unknown auth method `{m}` (private_key_jwt, tls_client_auth, \
                     client_secret_basic, client_secret_post)"
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

    /// `public_url` without a trailing slash, for building links.
    pub fn base_url(&self) -> &str {
        self.public_url.trim_end_matches('/')
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
