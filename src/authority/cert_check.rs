//! A PSD2 certificate as a source of evidence: read once (see [`super::cert`]), chained to the
//! configured roots or a trusted-list service, checked for revocation, and compared with what
//! the TPP claims (authority, number, name, roles), then judged: `verified`, `mismatch` with
//! the fields that differ (not PSD2, not trusted, not on a trusted list, revoked, expired or not
//! yet valid, another authority or number, another name, a role missing), or `unavailable`
//! when revocation is required and its status could not be learned.

use super::cert::{self, Psd2Certificate};
use super::chain::{Chain, ChainVerdict, TrustRoots};
use super::codes::AuthorityCodes;
use super::finding::{Claim, Finding, role_gap, same_name};
use super::revocation::{Mode, Revocation, Status};
use super::sources::{Check, RegisterSource};
use super::trusted::TrustedLists;
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
    /// The imported trusted lists, if any.
    pub lists: Option<std::sync::Arc<TrustedLists>>,
    /// How revocation is checked; `None` leaves it unchecked.
    pub revocation: Option<Revocation<'a>>,
}

/// A certificate as read and chained, before it is judged.
pub struct Read {
    chain: Vec<Vec<u8>>,
    cert: Psd2Certificate,
    trust: Chain,
}

impl RegisterSource for CertificateSource<'_> {
    fn source(&self) -> Source {
        Source::Certificate
    }

    fn check<'a>(&'a self, claim: &'a Claim) -> Check<'a> {
        Box::pin(async move {
            let r = match self.read() {
                Ok(r) => r,
                Err(why) => return self.unreadable(claim, why),
            };
            let status = match (&self.revocation, &r.trust.issuer) {
                (Some(rev), Some(issuer)) if self.now <= r.cert.not_after => {
                    let leaf = r.chain.first().map(Vec::as_slice).unwrap_or_default();
                    rev.check(leaf, issuer, self.now).await
                }
                (Some(rev), None) if rev.mode != Mode::Off => {
                    Status::Unknown("the certificate's issuer is not known".into())
                }
                _ => Status::NotChecked,
            };
            self.conclude(claim, r, status)
        })
    }
}

impl CertificateSource<'_> {
    /// The finding, without waiting on anything (revocation is not checked).
    pub fn judge(&self, claim: &Claim) -> Finding {
        match self.read() {
            Ok(r) => self.conclude(claim, r, Status::NotChecked),
            Err(why) => self.unreadable(claim, why),
        }
    }

    fn unreadable(&self, claim: &Claim, why: String) -> Finding {
        Finding::empty(
            Source::Certificate,
            Verdict::Mismatch,
            claim.looked_up(),
            why,
        )
    }

    /// Reads the certificate and chains it.
    pub fn read(&self) -> Result<Read, String> {
        let read = cert::pem_chain(self.pem).and_then(|chain| {
            let leaf = chain.first().cloned().unwrap_or_default();
            cert::parse_der(&leaf).map(|c| (chain, c))
        });
        let (chain, c) = read.map_err(|e| format!("The certificate cannot be read: {e}."))?;
        let leaf = chain.first().map(Vec::as_slice).unwrap_or_default();
        let empty = TrustedLists::default();
        let lists = self.lists.as_deref().unwrap_or(&empty);
        let trust = self.roots.verify_with(
            lists,
            c.kind,
            leaf,
            chain.get(1..).unwrap_or_default(),
            self.now,
        );
        Ok(Read {
            chain,
            cert: c,
            trust,
        })
    }

    /// The finding on a read certificate with its revocation status.
    pub fn conclude(&self, claim: &Claim, r: Read, status: Status) -> Finding {
        let looked_up = claim.looked_up();
        let (c, trust) = (&r.cert, &r.trust.verdict);
        let mut mismatches = self.compare(c, trust, claim);
        mismatches.extend(status.revoked_text());
        let trusted = match trust {
            ChainVerdict::Trusted(root) => json!(root),
            _ => json!(null),
        };
        let unknown = match &status {
            Status::Unknown(why) => Some(why.clone()),
            _ => None,
        };
        let found = json!({
            "subject": c.subject, "issuer": c.issuer, "serial": c.serial, "sha256": c.sha256,
            "legal_name": c.legal_name,
            "organization_identifier": c.organization_identifier.as_ref().map(ToString::to_string),
            "roles": c.roles, "nca_name": c.nca_name, "nca_id": c.nca_id,
            "kind": c.kind.map(|k| k.label()), "not_before": c.not_before, "not_after": c.not_after,
            "trusted_root": trusted, "mismatches": mismatches,
            "revocation": status.word(), "revocation_note": unknown,
        });
        let require = self.revocation.is_some_and(|r| r.mode == Mode::Require);
        let (verdict, details) = if !mismatches.is_empty() {
            (Verdict::Mismatch, mismatches.join("; "))
        } else if let (Some(why), true) = (&unknown, require) {
            (
                Verdict::Unavailable,
                format!("revocation status unknown, and the bank requires it: {why}"),
            )
        } else {
            let note = unknown
                .map(|why| format!(" Revocation not checked: {why}."))
                .unwrap_or_default();
            (
                Verdict::Verified,
                format!(
                    "{} of {} by {}: {}, valid until {}.{note}",
                    c.kind.map(|k| k.label()).unwrap_or("Certificate"),
                    c.legal_name.as_deref().unwrap_or("?"),
                    c.nca_id.as_deref().unwrap_or("?"),
                    roles_text(&c.roles),
                    c.not_after.format("%-d %b %Y"),
                ),
            )
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
        match trust {
            ChainVerdict::Untrusted(why) => {
                out.push(format!("trust: not issued under a trusted root ({why})"));
            }
            ChainVerdict::NotListed(why) => out.push(format!("not on a trusted list: {why}")),
            ChainVerdict::Trusted(_) => {}
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
