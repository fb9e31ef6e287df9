//! `[authority]`: how Onramp checks that a TPP is authorised (spec/authority.md section 7):
//! the PEM roots that certificates must chain to (besides imported trusted lists), revocation
//! checking, the registers and their switches.

use serde::Deserialize;
use std::path::PathBuf;

/// `[authority]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuthoritySettings {
    /// PEM files of CAs that TPP certificates may chain to (test QTSPs, OB's own CAs).
    pub extra_roots: Vec<PathBuf>,
    /// `require` | `prefer` | `off`: what a certificate whose revocation status cannot be learned
    /// (OCSP and CRL both failing) means: refused, accepted with a note, or not checked at all.
    pub revocation: String,
    /// Where a nightly EBA register refresh would come from (not built yet).
    pub eba_url: String,
    /// Take the EBA service `PS_05A` as CBPII (decision 2; default false).
    pub eba_cbpii_from_ps05a: bool,
    /// The FCA register API (not built yet).
    pub fca: FcaSettings,
    /// How often registered organisations are re-checked (not built yet).
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

/// `[authority.fca]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FcaSettings {
    /// The register API's base URL.
    pub base_url: String,
}
