//! A PSD2 certificate as a source of evidence: read once (see [`super::cert`]), chained to the
//! configured roots, and compared with what the TPP claims (authority, number, name, roles),
//! then judged: `verified`, or `mismatch` with the fields that differ (not PSD2, not trusted,
//! expired or not yet valid, another authority or number, another name, a role missing).

use super::cert::{self, Psd2Certificate};
use super::chain::{ChainVerdict, TrustRoots};
use super::codes::AuthorityCodes;
use super::finding::{Claim, Finding, role_gap, same_name};
use super::sources::{Check, RegisterSource};
use crate::domain::evidence::{Source, Verdict};
use crate::domain::psd2::roles_text;
use chrono::{DateTime, Utc};
use serde_json::json;

/// A certificate (PEM chain or DER) to judge.
pub struct CertificateSource<'a> {
    /// The certificate, leaf first, with any intermediates.
    pub pem: &'a [u8],
    /// The roots it must chain to.
    pub roots: &'a TrustRoots,
    /// The authority codes.
    pub codes: &'a AuthorityCodes,
    /// When.
    pub now: DateTime<Utc>,
}

impl RegisterSource for CertificateSource<'_> {
    fn source(&self) -> Source {
        Source::Certificate
    }

    fn check<'a>(&'a self, claim: &'a Claim) -> Check<'a> {
        Box::pin(async move { self.judge(claim) })
    }
}

impl CertificateSource<'_> {
    /// The finding, without waiting on anything.
    pub fn judge(&self, claim: &Claim) -> Finding {
        let looked_up = claim.looked_up();
        let read = cert::pem_chain(self.pem).and_then(|chain| {
            let leaf = chain.first().cloned().unwrap_or_default();
            cert::parse_der(&leaf).map(|c| (chain, c))
        });
        let (chain, c) = match read {
            Ok(r) => r,
            Err(e) => {
                let why = format!("The certificate cannot be read: {e}.");
                return Finding::empty(Source::Certificate, Verdict::Mismatch, looked_up, why);
            }
        };
        let leaf = chain.first().map(Vec::as_slice).unwrap_or_default();
        let trust = self
            .roots
            .verify(leaf, chain.get(1..).unwrap_or_default(), self.now);
        let mismatches = self.compare(&c, &trust, claim);
        let trusted = match &trust {
            ChainVerdict::Trusted(root) => json!(root),
            ChainVerdict::Untrusted(_) => json!(null),
        };
        let found = json!({
            "subject": c.subject, "issuer": c.issuer, "serial": c.serial, "sha256": c.sha256,
            "legal_name": c.legal_name,
            "organization_identifier": c.organization_identifier.as_ref().map(ToString::to_string),
            "roles": c.roles, "nca_name": c.nca_name, "nca_id": c.nca_id,
            "kind": c.kind.map(|k| k.label()), "not_before": c.not_before, "not_after": c.not_after,
            "trusted_root": trusted, "mismatches": mismatches,
        });
        let (verdict, details) = if mismatches.is_empty() {
            (
                Verdict::Verified,
                format!(
                    "{} of {} by {}: {}, valid until {}.",
                    c.kind.map(|k| k.label()).unwrap_or("Certificate"),
                    c.legal_name.as_deref().unwrap_or("?"),
                    c.nca_id.as_deref().unwrap_or("?"),
                    roles_text(&c.roles),
                    c.not_after.format("%-d %b %Y"),
                ),
            )
        } else {
            (Verdict::Mismatch, mismatches.join("; "))
        };
        Finding {
            source: Source::Certificate,
            verdict,
            looked_up,
            found,
            details,
        }
    }

    fn compare(&self, c: &Psd2Certificate, trust: &ChainVerdict, claim: &Claim) -> Vec<String> {
        let mut out = Vec::new();
        if !c.is_psd2() {
            out.push(
                "PSD2: the certificate carries no PSD2 statement (roles and authority)".into(),
            );
        }
        if let ChainVerdict::Untrusted(why) = trust {
            out.push(format!("trust: not issued under a trusted root ({why})"));
        }
        if self.now > c.not_after {
            out.push(format!("expired: on {}", c.not_after.format("%-d %b %Y")));
        } else if self.now < c.not_before {
            out.push(format!(
                "not yet valid: from {}",
                c.not_before.format("%-d %b %Y")
            ));
        }
        let country = claim.country.as_deref();
        let cert_authority = c
            .nca_id
            .clone()
            .or_else(|| c.organization_identifier.as_ref().and_then(|o| o.nca_id()));
        if let (Some(given), Some(in_cert)) =
            (claim.authority.as_deref(), cert_authority.as_deref())
            && !self.codes.same(given, in_cert, country)
        {
            out.push(format!(
                "authority: {given} given, {in_cert} in the certificate"
            ));
        }
        let number = c.organization_identifier.as_ref().and_then(|o| o.number());
        if let Some(given) = claim.number.as_deref()
            && number != Some(given)
        {
            out.push(format!(
                "number: {given} given, {} in the certificate",
                number.unwrap_or("none")
            ));
        }
        if let (Some(given), Some(in_cert)) = (claim.legal_name.as_deref(), c.legal_name.as_deref())
            && !same_name(given, in_cert)
        {
            out.push(format!(
                "name: “{given}” given, “{in_cert}” in the certificate"
            ));
        }
        out.extend(role_gap(claim, &c.roles));
        out
    }
}
