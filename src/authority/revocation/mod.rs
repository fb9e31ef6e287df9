//! Is a TPP certificate revoked? OCSP first (the responder named in its Authority Information
//! Access), then the CRL (its CRL distribution points), each answer's signature checked against
//! the issuer, fetched through the guarded outbound client and cached until the answer's
//! `nextUpdate` (at least [`MIN_CACHE`], at most [`MAX_CACHE`]; "unknown" for
//! [`UNKNOWN_CACHE`]). What an unknown status means
//! is the operator's choice (`authority.revocation`: `require`, `prefer`, `off`).

mod crl;
mod ocsp;

use chrono::{DateTime, Duration, Utc};
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use x509_parser::extensions::{DistributionPointName, GeneralName, ParsedExtension};
use x509_parser::prelude::*;

/// The shortest time an answer is kept.
pub const MIN_CACHE: Duration = Duration::minutes(5);
/// The longest time an answer is kept.
pub const MAX_CACHE: Duration = Duration::hours(1);
/// How long "unknown" is kept, so that a responder that is down does not slow every request.
pub const UNKNOWN_CACHE: Duration = Duration::minutes(1);

/// `authority.revocation`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Mode {
    /// An unknown status refuses the certificate (fail closed).
    Require,
    /// An unknown status is noted; the certificate is accepted (fail open).
    #[default]
    Prefer,
    /// Not checked.
    Off,
}

impl Mode {
    /// Parses the setting.
    pub fn parse(s: &str) -> Result<Self, String> {
        match s {
            "require" => Ok(Self::Require),
            "prefer" => Ok(Self::Prefer),
            "off" => Ok(Self::Off),
            other => Err(format!(
                "authority.revocation must be require, prefer or off, not {other:?}"
            )),
        }
    }
}

/// What is known about a certificate's revocation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    /// Not checked (`off`, or nothing to check it against).
    NotChecked,
    /// Not revoked, by `OCSP` or `CRL`.
    Good(&'static str),
    /// Revoked.
    Revoked {
        /// When.
        at: DateTime<Utc>,
        /// The CRL reason (`keyCompromise`), if given.
        reason: Option<String>,
        /// `OCSP` or `CRL`.
        by: &'static str,
    },
    /// Could not be learned: why.
    Unknown(String),
}

impl Status {
    /// The mismatch line of a revoked certificate.
    pub fn revoked_text(&self) -> Option<String> {
        let Self::Revoked { at, reason, by } = self else {
            return None;
        };
        Some(format!(
            "revoked: {} on {} (by {by})",
            reason.as_deref().unwrap_or("no reason given"),
            at.format("%-d %b %Y %H:%M UTC")
        ))
    }

    /// A short word for the evidence (`good`, `revoked`, `unknown`, `not checked`).
    pub fn word(&self) -> &'static str {
        match self {
            Self::NotChecked => "not checked",
            Self::Good(_) => "good",
            Self::Revoked { .. } => "revoked",
            Self::Unknown(_) => "unknown",
        }
    }
}

/// An answer with how long it holds.
pub(super) struct Answer {
    status: Status,
    next_update: Option<DateTime<Utc>>,
}

/// An answer and until when it holds.
type Kept = (Status, DateTime<Utc>);

/// Answers kept per certificate (by its SHA-256), each until it expires.
#[derive(Clone, Debug, Default)]
pub struct RevocationCache {
    inner: Arc<Mutex<HashMap<Vec<u8>, Kept>>>,
}

impl RevocationCache {
    fn get(&self, key: &[u8], now: DateTime<Utc>) -> Option<Status> {
        let map = self.inner.lock().ok()?;
        map.get(key)
            .filter(|(_, until)| *until > now)
            .map(|(s, _)| s.clone())
    }

    fn put(&self, key: Vec<u8>, status: Status, until: DateTime<Utc>, now: DateTime<Utc>) {
        if let Ok(mut map) = self.inner.lock() {
            map.retain(|_, (_, u)| *u > now);
            map.insert(key, (status, until));
        }
    }
}

/// A fetch of signed revocation data, answering the body or why not.
pub type FetchFuture<'a> = Pin<Box<dyn Future<Output = Result<Vec<u8>, String>> + Send + 'a>>;

/// Fetches CRLs and OCSP answers (the guarded outbound client implements it).
pub trait SignedFetch: Send + Sync {
    /// GETs `url`, or POSTs `post = (content type, body)` to it; at most `limit` bytes.
    fn fetch_signed<'a>(
        &'a self,
        url: &'a str,
        post: Option<(&'a str, Vec<u8>)>,
        limit: usize,
    ) -> FetchFuture<'a>;
}

/// What a revocation check needs.
#[derive(Clone, Copy)]
pub struct Revocation<'a> {
    /// The guarded outbound client.
    pub outbound: &'a dyn SignedFetch,
    /// The answers kept.
    pub cache: &'a RevocationCache,
    /// `authority.revocation`.
    pub mode: Mode,
}

/// The OCSP responders and CRL locations a certificate names.
fn locations(cert: &X509Certificate<'_>) -> (Vec<String>, Vec<String>) {
    let (mut ocsp, mut crls) = (Vec::new(), Vec::new());
    for ext in cert.extensions() {
        match ext.parsed_extension() {
            ParsedExtension::AuthorityInfoAccess(aia) => {
                for d in &aia.accessdescs {
                    if d.access_method.to_id_string() == "1.3.6.1.5.5.7.48.1"
                        && let GeneralName::URI(u) = &d.access_location
                    {
                        ocsp.push((*u).to_string());
                    }
                }
            }
            ParsedExtension::CRLDistributionPoints(dps) => {
                for p in &dps.points {
                    if let Some(DistributionPointName::FullName(names)) = &p.distribution_point {
                        crls.extend(names.iter().filter_map(|n| match n {
                            GeneralName::URI(u) => Some((*u).to_string()),
                            _ => None,
                        }));
                    }
                }
            }
            _ => {}
        }
    }
    (ocsp, crls)
}

impl Revocation<'_> {
    /// The revocation status of `leaf`, issued by `issuer`, at `now`: OCSP, then the CRL.
    pub async fn check(&self, leaf: &[u8], issuer: &[u8], now: DateTime<Utc>) -> Status {
        if self.mode == Mode::Off {
            return Status::NotChecked;
        }
        let key = ring::digest::digest(&ring::digest::SHA256, leaf)
            .as_ref()
            .to_vec();
        if let Some(s) = self.cache.get(&key, now) {
            return s;
        }
        let (Ok((_, cert)), Ok((_, ca))) =
            (parse_x509_certificate(leaf), parse_x509_certificate(issuer))
        else {
            return Status::Unknown("the certificate or its issuer cannot be read".into());
        };
        let (ocsp_urls, crl_urls) = locations(&cert);
        if ocsp_urls.is_empty() && crl_urls.is_empty() {
            return Status::Unknown("the certificate names no OCSP responder and no CRL".into());
        }
        let mut failures = Vec::new();
        for url in &ocsp_urls {
            match ocsp::ask(self.outbound, url, leaf, issuer, now).await {
                Ok(a) => return self.keep(key, a, now),
                Err(e) => failures.push(format!("OCSP {e}")),
            }
        }
        for url in &crl_urls {
            match crl::fetch(self.outbound, url, &cert, &ca, now).await {
                Ok(a) => return self.keep(key, a, now),
                Err(e) => failures.push(format!("CRL {e}")),
            }
        }
        let unknown = Status::Unknown(failures.join("; "));
        self.cache
            .put(key, unknown.clone(), now + UNKNOWN_CACHE, now);
        unknown
    }

    fn keep(&self, key: Vec<u8>, a: Answer, now: DateTime<Utc>) -> Status {
        let until = a
            .next_update
            .unwrap_or(now + MAX_CACHE)
            .clamp(now + MIN_CACHE, now + MAX_CACHE);
        self.cache.put(key, a.status.clone(), until, now);
        a.status
    }
}

/// The name of a CRL reason code (RFC 5280 section 5.3.1).
fn reason_name(code: u32) -> String {
    match code {
        0 => "unspecified",
        1 => "keyCompromise",
        2 => "cACompromise",
        3 => "affiliationChanged",
        4 => "superseded",
        5 => "cessationOfOperation",
        6 => "certificateHold",
        8 => "removeFromCRL",
        9 => "privilegeWithdrawn",
        10 => "aACompromise",
        _ => "an unknown reason",
    }
    .to_string()
}
