//! Chain building for TPP certificates: from the leaf through the intermediates it came with
//! to one of the configured PEM roots (`[authority] extra_roots`), checking each signature and
//! each CA's validity. Trusted-list import (decision 6) would add roots here; not built yet.

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
        let untrusted = |m: String| ChainVerdict::Untrusted(m);
        let Ok((_, mut current)) = parse_x509_certificate(leaf) else {
            return untrusted("the certificate cannot be read".into());
        };
        let at = ASN1Time::from_timestamp(now.timestamp()).unwrap_or(current.validity().not_before);
        let parsed_roots: Vec<X509Certificate<'_>> = self
            .roots
            .iter()
            .filter_map(|r| parse_x509_certificate(r).ok().map(|(_, c)| c))
            .collect();
        let parsed_mid: Vec<X509Certificate<'_>> = intermediates
            .iter()
            .filter_map(|r| parse_x509_certificate(r).ok().map(|(_, c)| c))
            .collect();
        for _ in 0..6 {
            let signed_by = |c: &X509Certificate<'_>| {
                c.subject().as_raw() == current.issuer().as_raw()
                    && current.verify_signature(Some(c.public_key())).is_ok()
            };
            if let Some(root) = parsed_roots.iter().find(|c| signed_by(c)) {
                if !root.validity().is_valid_at(at) {
                    return untrusted(format!("the root {} is not valid now", root.subject()));
                }
                return ChainVerdict::Trusted(root.subject().to_string());
            }
            let Some(next) = parsed_mid
                .iter()
                .find(|c| signed_by(c) && c.is_ca() && c.subject() != current.subject())
            else {
                return untrusted(format!(
                    "no configured root or given intermediate issued the certificate of {} (issuer {})",
                    current.subject(),
                    current.issuer()
                ));
            };
            if !next.validity().is_valid_at(at) {
                return untrusted(format!("the CA {} is not valid now", next.subject()));
            }
            current = next.clone();
        }
        untrusted("the chain is too long".into())
    }
}
