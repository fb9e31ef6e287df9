//! `[authority]`: how Onramp checks that a TPP is authorised (spec/authority.md section 7):
//! the PEM roots that certificates must chain to (besides imported trusted lists), revocation
//! checking, the registers and their switches. The FCA register API's credentials are
//! `[authority.fca]` `email` and `key`, normally given as `ONRAMP_AUTHORITY__FCA__EMAIL` and
//! `ONRAMP_AUTHORITY__FCA__KEY`; the key never prints.

use secrecy::SecretString;
use serde::Deserialize;
use std::path::PathBuf;
use std::time::Duration;

/// `[authority]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuthoritySettings {
    /// PEM files of CAs that TPP certificates may chain to (test QTSPs, OB's own CAs).
    pub extra_roots: Vec<PathBuf>,
    /// `require` | `prefer` | `off`: what a certificate whose revocation status cannot be learned
    /// (OCSP and CRL both failing) means: refused, accepted with a note, or not checked at all.
    pub revocation: String,
    /// Where the nightly EBA register refresh comes from: the register's `filemetadata` URL,
    /// or a direct URL of the JSON or its ZIP. Empty: no refresh (import by hand).
    pub eba_url: String,
    /// Take the EBA service `PS_05A` as CBPII (decision 2; default false).
    pub eba_cbpii_from_ps05a: bool,
    /// The FCA register API.
    pub fca: FcaSettings,
    /// How often registered organisations are re-checked.
    pub recheck: String,
    /// A TOML file of further authority codes, added to the shipped table.
    pub codes_file: Option<PathBuf>,
}

impl Default for AuthoritySettings {
    fn default() -> Self {
        Self {
            extra_roots: Vec::new(),
            revocation: "prefer".into(),
            eba_url: String::new(),
            eba_cbpii_from_ps05a: false,
            fca: FcaSettings::default(),
            recheck: "24h".into(),
            codes_file: None,
        }
    }
}

impl AuthoritySettings {
    /// What is wrong with the registers' settings, if anything.
    pub fn problem(&self) -> Option<String> {
        if self.fca.rate_limit == 0 {
            return Some("authority.fca.rate_limit must be at least 1".into());
        }
        if humantime::parse_duration(&self.recheck).is_err() {
            return Some(format!(
                "authority.recheck `{}` is not a duration (24h, 30m)",
                self.recheck
            ));
        }
        None
    }
}

/// `[authority.fca]`: the FCA Financial Services Register API. Used only when `email` and
/// `key` are both set.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FcaSettings {
    /// The register API's base URL; requests go to `{base_url}/V0.1/Firm/{FRN}`.
    pub base_url: String,
    /// The email the bank registered with (`X-Auth-Email`).
    pub email: String,
    /// The bank's API key (`X-Auth-Key`).
    pub key: SecretString,
    /// How long a firm's answer is reused (default 24 hours).
    #[serde(with = "super::humantime_serde_compat")]
    pub cache: Duration,
    /// Most requests per 10 seconds (the FCA publishes 50; an older note says 10).
    pub rate_limit: u32,
}

impl Default for FcaSettings {
    fn default() -> Self {
        Self {
            base_url: "https://register.fca.org.uk/services".into(),
            email: String::new(),
            key: SecretString::from(""),
            cache: Duration::from_secs(24 * 3600),
            rate_limit: 50,
        }
    }
}

impl FcaSettings {
    /// Whether the FCA register is to be asked: a base URL and both credentials.
    pub fn enabled(&self) -> bool {
        use secrecy::ExposeSecret;
        !self.base_url.is_empty() && !self.email.is_empty() && !self.key.expose_secret().is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::super::Settings;
    use std::time::Duration;

    #[test]
    fn the_fca_section_reads_its_credentials_and_never_prints_the_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("onramp.toml");
        std::fs::write(
            &path,
            "[authority.fca]\nemail = \"ops@bank.example\"\nkey = \"s3cr3t-fca-key\"\n\
             cache = \"1h\"\nrate_limit = 10\n",
        )
        .unwrap();
        let s = Settings::load(Some(&path)).unwrap();
        assert!(s.authority.fca.enabled());
        assert_eq!(s.authority.fca.cache, Duration::from_secs(3600));
        assert_eq!(s.authority.fca.rate_limit, 10);
        assert!(!format!("{s:?}").contains("s3cr3t-fca-key"));
        assert!(
            !Settings::default().authority.fca.enabled(),
            "off without credentials"
        );

        std::fs::write(&path, "[authority.fca]\nrate_limit = 0\n").unwrap();
        let err = Settings::load(Some(&path)).unwrap_err().to_string();
        assert!(err.contains("authority.fca.rate_limit"), "{err}");
    }
}
