//! The evidence sources behind one trait: the imported registers (EBA, CSV), the directory's
//! competent-authority claims carried in a software statement, and a PSD2 certificate. Each
//! turns a [`Claim`] into a [`Finding`]; an unreachable source answers `unavailable`.

use super::codes::AuthorityCodes;
use super::finding::{Claim, Finding, role_gap, same_name};
use crate::domain::evidence::{Source, Verdict};
use crate::domain::psd2::{Psd2Role, parse_roles, roles_text};
use crate::store::ConnectionTrait;
use crate::store::authority::{RegisterEntry, find_entries};
use serde_json::{Value, json};
use std::future::Future;
use std::pin::Pin;

/// A boxed future, so that sources can sit in one list.
pub type Check<'a> = Pin<Box<dyn Future<Output = Finding> + Send + 'a>>;

/// A source of evidence.
pub trait RegisterSource: Send + Sync {
    /// Which source it is.
    fn source(&self) -> Source;
    /// What it says about `claim`.
    fn check<'a>(&'a self, claim: &'a Claim) -> Check<'a>;
}

/// An imported register (`eba` or `csv`) in the store.
pub struct ImportedRegister<'a, C> {
    /// Which register.
    pub register: Source,
    /// The database (or the caller's transaction).
    pub db: &'a C,
    /// The authority codes.
    pub codes: &'a AuthorityCodes,
}

impl<C: ConnectionTrait + Send + Sync> RegisterSource for ImportedRegister<'_, C> {
    fn source(&self) -> Source {
        self.register
    }

    fn check<'a>(&'a self, claim: &'a Claim) -> Check<'a> {
        Box::pin(async move {
            let looked_up = claim.looked_up();
            let Some(number) = claim.number.as_deref().filter(|n| !n.is_empty()) else {
                return Finding::empty(
                    self.register,
                    Verdict::NotFound,
                    looked_up,
                    "No authorisation number to look up.".into(),
                );
            };
            let entries = match find_entries(self.db, self.register, number).await {
                Ok(e) => e,
                Err(e) => {
                    tracing::warn!(error = %e, register = %self.register, "register lookup failed");
                    return Finding::empty(
                        self.register,
                        Verdict::Unavailable,
                        looked_up,
                        "The register could not be read.".into(),
                    );
                }
            };
            let country = claim.country.as_deref();
            let entry = entries.iter().find(|e| {
                claim
                    .authority
                    .as_deref()
                    .is_none_or(|a| self.codes.same(a, &e.authority, country))
            });
            judge_entry(self.register, entry, claim, looked_up)
        })
    }
}

/// The verdict on a register entry (or its absence).
pub fn judge_entry(
    register: Source,
    entry: Option<&RegisterEntry>,
    claim: &Claim,
    looked_up: String,
) -> Finding {
    let Some(e) = entry else {
        let why = if register == Source::Eba {
            "Not in the EBA register (credit institutions are not listed there)."
        } else {
            "Not in the register."
        };
        return Finding::empty(register, Verdict::NotFound, looked_up, why.into());
    };
    let roles = parse_roles(e.roles.iter().map(String::as_str));
    let mut mismatches = Vec::new();
    if let Some(name) = &claim.legal_name
        && !e.name.split(" / ").any(|n| same_name(n, name))
    {
        mismatches.push(format!("name: “{name}” given, “{}” registered", e.name));
    }
    mismatches.extend(role_gap(claim, &roles));
    let found = json!({
        "name": e.name, "authority": e.authority, "number": e.number, "status": e.status,
        "roles": roles, "entity_type": e.entity_type, "authorised_since": e.authorised_since,
        "withdrawn_at": e.withdrawn_at, "mismatches": mismatches,
    });
    let (verdict, details) = if e.status == "withdrawn" {
        let at = e.withdrawn_at.as_deref().unwrap_or("an unknown date");
        (
            Verdict::Withdrawn,
            format!(
                "{} ({}): authorisation withdrawn on {at}.",
                e.name, e.authority
            ),
        )
    } else if !mismatches.is_empty() {
        (Verdict::Mismatch, mismatches.join("; "))
    } else {
        (
            Verdict::Verified,
            format!(
                "{} ({}): authorised for {}{}.",
                e.name,
                e.authority,
                roles_text(&roles),
                e.authorised_since
                    .as_deref()
                    .map(|s| format!(" since {s}"))
                    .unwrap_or_default()
            ),
        )
    };
    Finding {
        source: register,
        verdict,
        looked_up,
        found,
        details,
    }
}

/// The directory's `organisation_competent_authority_claims` (an object or an array).
pub struct SsaClaims<'a> {
    /// The claims value.
    pub claims: Option<&'a Value>,
    /// The authority codes.
    pub codes: &'a AuthorityCodes,
}

impl RegisterSource for SsaClaims<'_> {
    fn source(&self) -> Source {
        Source::Ssa
    }

    fn check<'a>(&'a self, claim: &'a Claim) -> Check<'a> {
        Box::pin(async move { self.judge(claim) })
    }
}

impl SsaClaims<'_> {
    fn judge(&self, claim: &Claim) -> Finding {
        let looked_up = claim.looked_up();
        let list: Vec<&Value> = match self.claims {
            Some(Value::Array(a)) => a.iter().collect(),
            Some(v @ Value::Object(_)) => vec![v],
            _ => Vec::new(),
        };
        let text = |v: &Value, k: &str| {
            v.get(k)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        let Some(c) = list
            .iter()
            .find(|c| {
                claim
                    .number
                    .as_deref()
                    .is_none_or(|n| text(c, "registration_id") == n)
            })
            .or(list.first())
        else {
            return Finding::empty(
                Source::Ssa,
                Verdict::NotFound,
                looked_up,
                "The software statement carries no competent authority claims.".into(),
            );
        };
        let auths = c
            .get("authorisations")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let member_state = auths
            .iter()
            .find_map(|a| a.get("member_state").and_then(Value::as_str))
            .map(str::to_string);
        let role_names: Vec<String> = auths
            .iter()
            .filter_map(|a| a.get("roles").and_then(Value::as_array))
            .flatten()
            .filter_map(|r| r.as_str().map(str::to_string))
            .collect();
        let roles: Vec<Psd2Role> = parse_roles(role_names.iter().map(String::as_str));
        let (authority, number, status) = (
            text(c, "authority_id"),
            text(c, "registration_id"),
            text(c, "status"),
        );
        let mut mismatches = Vec::new();
        if let Some(n) = claim.number.as_deref().filter(|n| *n != number) {
            mismatches.push(format!("number: {n} given, {number} in the claims"));
        }
        let country = claim.country.as_deref().or(member_state.as_deref());
        if let Some(a) = claim
            .authority
            .as_deref()
            .filter(|a| !self.codes.same(a, &authority, country))
        {
            mismatches.push(format!("authority: {a} given, {authority} in the claims"));
        }
        mismatches.extend(role_gap(claim, &roles));
        let found = json!({ "authority": authority, "number": number, "status": status, "roles": roles, "mismatches": mismatches });
        let (verdict, details) = if !status.is_empty() && !status.eq_ignore_ascii_case("active") {
            (
                Verdict::Withdrawn,
                format!("The directory lists the authorisation as {status}."),
            )
        } else if !mismatches.is_empty() {
            (Verdict::Mismatch, mismatches.join("; "))
        } else {
            (
                Verdict::Verified,
                format!(
                    "The directory's claims: {authority} {number}, active, for {}.",
                    roles_text(&roles)
                ),
            )
        };
        Finding {
            source: Source::Ssa,
            verdict,
            looked_up,
            found,
            details,
        }
    }
}
