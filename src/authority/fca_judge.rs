//! What an FCA register answer means (spec/authority.md sections 2 and 7): a firm whose
//! `Status` or `PSD / EMD Status` says it is no longer authorised, or cancelled or revoked, is
//! **withdrawn**; an unknown FRN is **not found**; an authorised (or registered) firm is
//! **verified** when its name and the roles its permissions give cover the claim, else a
//! **mismatch** naming the fields that differ. Roles are read from permission names without
//! case: "account information" → AISP, "payment initiation" → PISP, "card-based" → CBPII, and a
//! PSD status naming an account information service provider → AISP.

use super::fca::Lookup;
use super::finding::{Claim, Finding, role_gap, same_name};
use crate::domain::Psd2Role;
use crate::domain::evidence::{Source, Verdict};
use crate::domain::psd2::roles_text;
use serde_json::{Value, json};

fn field<'a>(firm: &'a Value, name: &str) -> &'a str {
    firm.get(name).and_then(Value::as_str).unwrap_or_default()
}

/// The PSD2 roles a firm's permissions (and PSD status) give.
pub fn roles_of(permissions: &Value, psd_status: &str) -> Vec<Psd2Role> {
    let mut roles = Vec::new();
    let mut add = |r: Psd2Role| {
        if !roles.contains(&r) {
            roles.push(r);
        }
    };
    let names = permissions
        .as_object()
        .map(|m| m.keys().map(|k| k.to_lowercase()).collect::<Vec<_>>())
        .unwrap_or_default();
    for n in names
        .iter()
        .map(String::as_str)
        .chain([psd_status.to_lowercase().as_str()])
    {
        if n.contains("account information") {
            add(Psd2Role::Aisp);
        }
        if n.contains("payment initiation") {
            add(Psd2Role::Pisp);
        }
        if n.contains("card-based") || n.contains("card based") {
            add(Psd2Role::Cbpii);
        }
    }
    roles.sort();
    roles
}

/// Whether a status text says the authorisation ended.
fn ended(status: &str) -> bool {
    let s = status.to_lowercase();
    ["no longer", "cancelled", "revoked", "lapsed", "withdrawn"]
        .iter()
        .any(|w| s.contains(w))
}

/// The finding for what the register answered about `frn`.
pub fn judge(claim: &Claim, frn: &str, looked_up: String, found: &Lookup) -> Finding {
    let Lookup::Firm { firm, permissions } = found else {
        return Finding::empty(
            Source::Fca,
            Verdict::NotFound,
            looked_up,
            format!("The FCA register does not know FRN {frn}."),
        );
    };
    let name = field(firm, "Organisation Name");
    let status = field(firm, "Status");
    let psd = field(firm, "PSD / EMD Status");
    let since = field(firm, "Status Effective Date");
    let psd_since = field(firm, "PSD / EMD Effective Date");
    let roles = roles_of(permissions, psd);
    let withdrawn = ended(status) || ended(psd);
    let mut mismatches = Vec::new();
    if let Some(given) = &claim.legal_name
        && !same_name(name, given)
    {
        mismatches.push(format!("name: “{given}” given, “{name}” registered"));
    }
    let authorised = ["authorised", "registered", "eea authorised"]
        .iter()
        .any(|s| status.eq_ignore_ascii_case(s));
    if !authorised && !withdrawn {
        mismatches.push(format!("status: the register says “{status}”"));
    }
    mismatches.extend(role_gap(claim, &roles));
    let withdrawn_at = if psd_since.is_empty() {
        since
    } else {
        psd_since
    };
    let found = json!({
        "name": name, "authority": "GB-FCA", "number": frn, "status": status,
        "psd_status": psd, "roles": roles, "authorised_since": (!withdrawn).then_some(since),
        "withdrawn_at": withdrawn.then_some(withdrawn_at), "mismatches": mismatches,
    });
    let (verdict, details) = if withdrawn {
        let what = if psd.is_empty() { status } else { psd };
        (
            Verdict::Withdrawn,
            format!("{name} (GB-FCA {frn}): {what}, since {withdrawn_at}."),
        )
    } else if !mismatches.is_empty() {
        (Verdict::Mismatch, mismatches.join("; "))
    } else {
        (
            Verdict::Verified,
            format!(
                "{name} (GB-FCA {frn}): {status} for {}{}.",
                roles_text(&roles),
                if since.is_empty() {
                    String::new()
                } else {
                    format!(" since {since}")
                }
            ),
        )
    };
    Finding {
        source: Source::Fca,
        verdict,
        looked_up,
        found,
        details,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claim() -> Claim {
        Claim {
            legal_name: Some("Acme TPP Ltd".into()),
            authority: Some("FCA".into()),
            country: None,
            number: Some("123456".into()),
            roles: vec![Psd2Role::Aisp],
        }
    }

    fn firm(status: &str, psd: &str) -> Lookup {
        Lookup::Firm {
            firm: json!({ "Organisation Name": "Acme TPP Limited", "Status": status,
                          "PSD / EMD Status": psd, "Status Effective Date": "02/01/2019" }),
            permissions: json!({ "Account Information Services": [{"Limitation Not Found": []}] }),
        }
    }

    #[test]
    fn an_authorised_firm_with_the_claimed_role_is_verified() {
        let f = judge(
            &claim(),
            "123456",
            "GB-FCA 123456".into(),
            &firm("Authorised", ""),
        );
        assert_eq!(f.verdict, Verdict::Verified, "{}", f.details);
        assert_eq!(f.proven_roles(), vec![Psd2Role::Aisp]);
    }

    #[test]
    fn no_longer_authorised_or_cancelled_is_withdrawn_and_unknown_is_not_found() {
        for (s, p) in [
            ("No longer authorised", ""),
            ("Authorised", "Cancelled - Small PI"),
        ] {
            let f = judge(&claim(), "123456", String::new(), &firm(s, p));
            assert_eq!(f.verdict, Verdict::Withdrawn, "{s} {p}");
        }
        let f = judge(&claim(), "123456", String::new(), &Lookup::Unknown);
        assert_eq!(f.verdict, Verdict::NotFound);
    }

    #[test]
    fn a_missing_role_is_a_mismatch() {
        let mut c = claim();
        c.roles.push(Psd2Role::Pisp);
        let f = judge(&c, "123456", String::new(), &firm("Authorised", ""));
        assert_eq!(f.verdict, Verdict::Mismatch);
        assert!(f.details.contains("PISP"), "{}", f.details);
    }
}
