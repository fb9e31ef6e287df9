//! The sections of the configuration file (`[tls]`, `[proxy]`, `[mail]`, `[[directories]]`,
//! `[dcr]`, `[oauth]`, `[outbound]`, `[limits]`, `[keys]`, `[log]`), each with its
//! defaults. Unknown keys are refused.

use secrecy::SecretString;
use serde::Deserialize;
use std::path::PathBuf;
use std::time::Duration;

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
    /// Onramp's own sandbox directory: approved organisations make sandbox software statements
    /// and test certificates in the portal (a trust anchor for the sandbox environment only).
    pub sandbox_directory: bool,
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
            sandbox_directory: true,
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
    /// The sandbox gateway's credential for `/introspect`: it sees sandbox tokens only, as the
    /// production credential sees production tokens only.
    pub sandbox_introspection_client_id: String,
    /// The sandbox gateway's secret; sandbox introspection is off while it is empty.
    pub sandbox_introspection_client_secret: SecretString,
    /// FAPI: a production client gets a token only over mutual TLS, bound to its certificate.
    pub production_requires_mtls: bool,
    /// The `aud` of access tokens, per environment.
    pub audience: AudienceSettings,
}

impl Default for OAuthSettings {
    fn default() -> Self {
        Self {
            access_token_ttl: Duration::from_secs(3600),
            token_signing_alg: "ES256".into(),
            introspection_client_id: "gateway".into(),
            introspection_client_secret: SecretString::from(""),
            sandbox_introspection_client_id: "sandbox-gateway".into(),
            sandbox_introspection_client_secret: SecretString::from(""),
            production_requires_mtls: true,
            audience: AudienceSettings::default(),
        }
    }
}

/// `[oauth.audience]`: empty means derived from `public_url` (production: `public_url`;
/// sandbox: `public_url` + `/sandbox`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AudienceSettings {
    /// `aud` of production tokens.
    pub production: String,
    /// `aud` of sandbox tokens.
    pub sandbox: String,
}

/// `[[webhooks]]`: where workflow states with `notify = ["name"]` send their events.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookSettings {
    /// The name workflow files use.
    pub name: String,
    /// Where events are POSTed (under the `[outbound]` rules: https, no private addresses).
    pub url: String,
    /// The signing secret (Standard Webhooks: `whsec_` + base64, or any text, used as bytes).
    pub secret: SecretString,
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
    /// Team invitations one organisation may send per 24 hours.
    pub invitations_per_organisation_per_day: u32,
}

impl Default for LimitSettings {
    fn default() -> Self {
        Self {
            signups_per_ip_per_hour: 30,
            login_failures_per_ip_per_hour: 50,
            login_failures_per_account: 10,
            login_lockout: Duration::from_secs(15 * 60),
            emails_per_address_per_hour: 5,
            invitations_per_organisation_per_day: 20,
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
    pub fn methods(
        &self,
        env: crate::domain::client::Environment,
    ) -> Vec<crate::domain::client::AuthMethod> {
        let list = match env {
            crate::domain::client::Environment::Sandbox => &self.sandbox_auth_methods,
            crate::domain::client::Environment::Production => &self.production_auth_methods,
        };
        list.iter()
            .filter_map(|m| crate::domain::client::AuthMethod::parse(m))
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
    /// One line per answered request (request id, route, status, latency, client id,
    /// organisation).
    pub requests: bool,
}

impl Default for LogSettings {
    fn default() -> Self {
        Self {
            format: "compact".into(),
            level: "info".into(),
            requests: true,
        }
    }
}

/// Durations written as `30m`, `1h`, `5s`.
pub(super) mod humantime_serde_compat {
    use serde::{Deserialize, Deserializer};
    use std::time::Duration;

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        let s = String::deserialize(d)?;
        humantime::parse_duration(&s).map_err(|e| {
            serde::de::Error::custom(format!("`{s}` is not a duration like 30m or 1h: {e}"))
        })
    }
}

/// `[metrics]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MetricsSettings {
    /// A listener of its own for `GET /metrics` (e.g. `127.0.0.1:9090`); off when unset.
    pub listen: Option<String>,
}
