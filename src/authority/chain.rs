//! Chain building for TPP certificates: from the leaf through the intermediates it came with
//! to one of the configured PEM roots (`[authority] extra_roots`) or to the certificate of a
//! `CA/QC` service on an imported trusted list, checking each signature and each CA's
//! validity. A trusted-list service vouches only if it was granted at the leaf's `notBefore`
//! and, when it names its purposes, serves the leaf's kind (QWAC or QSealC; decision 6).

use super::cert::CertKind;
use super::trusted::{self, FOR_SEALS, FOR_WEB, TrustedLists};
use chrono::{DateTime, Utc};
use std::path::Path;
use x509_parser::prelude::*;

/// The roots certificates may chain to.
#[derive(Clone, Debug, Default)]
pub struct TrustRoots {
    roots: Vec<Vec<u8>>,
}

/// Whether a certificate chains to a root.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChainVerdict {
    /// It does: the root's subject.
    Trusted(String),
    /// It does not: why.
    Untrusted(String),
    /// It reaches a trusted-list service that did not vouch for it then: why (the service and
    /// its status at the certificate's `notBefore`).
    NotListed(String),
}

/// A chain's verdict, with the certificate that issued the leaf (for revocation checks).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chain {
    /// The verdict.
    pub verdict: ChainVerdict,
    /// The DER of the leaf's issuer, when one was found.
    pub issuer: Option<Vec<u8>>,
}

impl TrustRoots {
    /// Loads every certificate of every PEM file; a file that cannot be read stops start-up.
    pub fn load(files: &[impl AsRef<Path>]) -> Result<Self, String> {
        let mut roots = Vec::new();
        for f in files {
            let f = f.as_ref();
            let bytes = std::fs::read(f)
                .map_err(|e| format!("authority.extra_roots {}: {e}", f.display()))?;
            let certs = super::cert::pem_chain(&bytes)
                .map_err(|e| format!("authority.extra_roots {}: {e}", f.display()))?;
            roots.extend(certs);
        }
        Ok(Self { roots })
    }

    /// Roots from DER certificates.
    pub fn from_der(roots: Vec<Vec<u8>>) -> Self {
        Self { roots }
    }

    /// How many roots there are.
    pub fn len(&self) -> usize {
        self.roots.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.roots.is_empty()
    }

    /// Walks from `leaf` up through `intermediates` to a root, at `now`.
    pub fn verify(
        &self,
        leaf: &[u8],
        intermediates: &[Vec<u8>],
        now: DateTime<Utc>,
    ) -> ChainVerdict {
        self.verify_with(&TrustedLists::default(), None, leaf, intermediates, now)
            .verdict
    }

    /// Walks from `leaf` up through `intermediates` to a root or a trusted-list service, at
    /// `now`; `kind` is the leaf's kind (QWAC or QSealC), if known.
    pub fn verify_with(
        &self,
        lists: &TrustedLists,
        kind: Option<CertKind>,
        leaf: &[u8],
        intermediates: &[Vec<u8>],
        now: DateTime<Utc>,
    ) -> Chain {
        let untrusted = |m: String, issuer: Option<Vec<u8>>| Chain {
            verdict: ChainVerdict::Untrusted(m),
            issuer,
        };
        let Ok((_, mut current)) = parse_x509_certificate(leaf) else {
            return untrusted("the certificate cannot be read".into(), None);
        };
        let not_before =
            DateTime::from_timestamp(current.validity().not_before.timestamp(), 0).unwrap_or(now);
        let at = ASN1Time::from_timestamp(now.timestamp()).unwrap_or(current.validity().not_before);
        let parsed_roots: Vec<(X509Certificate<'_>, &[u8])> = self
            .roots
            .iter()
            .filter_map(|r| {
                parse_x509_certificate(r)
                    .ok()
                    .map(|(_, c)| (c, r.as_slice()))
            })
            .collect();
        let parsed_mid: Vec<(X509Certificate<'_>, &[u8])> = intermediates
            .iter()
            .filter_map(|r| {
                parse_x509_certificate(r)
                    .ok()
                    .map(|(_, c)| (c, r.as_slice()))
            })
            .collect();
        let listed: Vec<(X509Certificate<'_>, &[u8])> = lists
            .certificates()
            .filter_map(|(_, der)| parse_x509_certificate(der).ok().map(|(_, c)| (c, der)))
            .collect();
        let mut issuer: Option<Vec<u8>> = None;
        for _ in 0..6 {
            let signed_by = |c: &X509Certificate<'_>| {
                c.subject().as_raw() == current.issuer().as_raw()
                    && current.verify_signature(Some(c.public_key())).is_ok()
            };
            let first = issuer.is_none();
            let mut note = |der: &[u8]| {
                if first {
                    issuer = Some(der.to_vec());
                }
            };
            if let Some((root, der)) = parsed_roots.iter().find(|(c, _)| signed_by(c)) {
                note(der);
                if !root.validity().is_valid_at(at) {
                    let m = format!("the root {} is not valid now", root.subject());
                    return untrusted(m, issuer);
                }
                return Chain {
                    verdict: ChainVerdict::Trusted(root.subject().to_string()),
                    issuer,
                };
            }
            if let Some((_, der)) = listed.iter().find(|(c, _)| signed_by(c)) {
                note(der);
                return Chain {
                    verdict: judge_service(lists, der, kind, not_before),
                    issuer,
                };
            }
            let Some((next, der)) = parsed_mid
                .iter()
                .find(|(c, _)| signed_by(c) && c.is_ca() && c.subject() != current.subject())
            else {
                return untrusted(
                    format!(
                        "no configured root, trusted-list service or given intermediate issued the certificate of {} (issuer {})",
                        current.subject(),
                        current.issuer()
                    ),
                    issuer,
                );
            };
            note(der);
            if !next.validity().is_valid_at(at) {
                let m = format!("the CA {} is not valid now", next.subject());
                return untrusted(m, issuer);
            }
            current = next.clone();
        }
        untrusted("the chain is too long".into(), issuer)
    }
}

/// The verdict of the services listing `der` on a certificate of `kind` issued at `not_before`:
/// trusted when one of them was granted then (and serves that kind), otherwise not listed.
fn judge_service(
    lists: &TrustedLists,
    der: &[u8],
    kind: Option<CertKind>,
    not_before: DateTime<Utc>,
) -> ChainVerdict {
    let serves = |s: &crate::store::trusted::TrustedService| {
        let need = match kind {
            Some(CertKind::Qwac) => FOR_WEB,
            Some(CertKind::Qsealc) => FOR_SEALS,
            _ => return true,
        };
        let named = s.purposes.iter().any(|p| p == FOR_WEB || p == FOR_SEALS);
        !named || s.purposes.iter().any(|p| p == need)
    };
    let services: Vec<_> = lists.by_certificate(der).collect();
    if let Some(s) = services
        .iter()
        .find(|s| trusted::granted_at(s, not_before) && serves(s))
    {
        return ChainVerdict::Trusted(format!(
            "{} of {} ({}), on a trusted list",
            s.service_name, s.tsp_name, s.territory
        ));
    }
    match services.first() {
        Some(s) if trusted::granted_at(s, not_before) => ChainVerdict::NotListed(format!(
            "the service “{}” of {} ({}) is not listed for {}",
            s.service_name,
            s.tsp_name,
            s.territory,
            kind.map(|k| k.label())
                .unwrap_or("this kind of certificate")
        )),
        Some(s) => ChainVerdict::NotListed(trusted::why_not(s, not_before)),
        None => ChainVerdict::NotListed("no service lists the issuer".into()),
    }
}
