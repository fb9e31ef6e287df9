//! PSD2 roles and the scopes they open: the one table (spec/authority.md decision 2, spec/dcr.md
//! decision 11). Certificates name roles by OID (ETSI TS 119 495), the directory and the portal
//! by name (`AISP`, `PISP`, `CBPII`, `ASPSP`); both come here.

use super::client::Scope;
use serde::{Deserialize, Serialize};

/// A PSD2 role.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Psd2Role {
    /// Account information (`PSP_AI`).
    Aisp,
    /// Payment initiation (`PSP_PI`).
    Pisp,
    /// Card-based payment instrument issuing, confirmation of funds (`PSP_IC`).
    Cbpii,
    /// Account servicing, a bank (`PSP_AS`).
    Aspsp,
}

impl Psd2Role {
    /// Every role.
    pub const ALL: &'static [Psd2Role] = &[Self::Aisp, Self::Pisp, Self::Cbpii, Self::Aspsp];

    /// The role's directory name (`AISP`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Aisp => "AISP",
            Self::Pisp => "PISP",
            Self::Cbpii => "CBPII",
            Self::Aspsp => "ASPSP",
        }
    }

    /// The role's certificate name (`PSP_AI`, …).
    pub fn cert_name(self) -> &'static str {
        match self {
            Self::Aisp => "PSP_AI",
            Self::Pisp => "PSP_PI",
            Self::Cbpii => "PSP_IC",
            Self::Aspsp => "PSP_AS",
        }
    }

    /// The role's OID in a PSD2 QCStatement.
    pub fn oid(self) -> &'static str {
        match self {
            Self::Aspsp => "0.4.0.19495.1.1",
            Self::Pisp => "0.4.0.19495.1.2",
            Self::Aisp => "0.4.0.19495.1.3",
            Self::Cbpii => "0.4.0.19495.1.4",
        }
    }

    /// The role a QCStatement OID names (roles are matched by OID, never by name).
    pub fn from_oid(oid: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|r| r.oid() == oid)
    }

    /// Parses a directory or certificate name, any case (`AISP`, `psp_ai`).
    pub fn parse(name: &str) -> Option<Self> {
        let upper = name.trim().to_ascii_uppercase();
        Self::ALL
            .iter()
            .copied()
            .find(|r| r.as_str() == upper || r.cert_name() == upper)
    }

    /// The scope this role opens, if any.
    pub fn scope(self) -> Option<Scope> {
        match self {
            Self::Aisp => Some(Scope::Accounts),
            Self::Pisp => Some(Scope::Payments),
            Self::Cbpii => Some(Scope::FundsConfirmations),
            Self::Aspsp => None,
        }
    }

    /// The role a scope needs.
    pub fn for_scope(scope: Scope) -> Self {
        match scope {
            Scope::Accounts => Self::Aisp,
            Scope::Payments => Self::Pisp,
            Scope::FundsConfirmations => Self::Cbpii,
        }
    }

    /// Plain words for people ("account information").
    pub fn service(self) -> &'static str {
        match self {
            Self::Aisp => "account information (AIS)",
            Self::Pisp => "payment initiation (PIS)",
            Self::Cbpii => "confirmation of funds (CBPII)",
            Self::Aspsp => "account servicing",
        }
    }
}

impl std::fmt::Display for Psd2Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The roles that `scopes` need and `roles` lack, in scope order, without repeats.
pub fn missing_roles(scopes: &[Scope], roles: &[Psd2Role]) -> Vec<Psd2Role> {
    let mut out: Vec<Psd2Role> = scopes
        .iter()
        .map(|s| Psd2Role::for_scope(*s))
        .filter(|r| !roles.contains(r))
        .collect();
    out.dedup();
    out
}

/// Parses role names, skipping unknown ones; sorted, without repeats.
pub fn parse_roles<'a>(names: impl IntoIterator<Item = &'a str>) -> Vec<Psd2Role> {
    let mut out: Vec<Psd2Role> = names.into_iter().filter_map(Psd2Role::parse).collect();
    out.sort();
    out.dedup();
    out
}

/// The roles listed under `roles` in a JSON object (evidence's "what was found").
pub fn roles_in(found: &serde_json::Value) -> Vec<Psd2Role> {
    let names = found
        .get("roles")
        .and_then(serde_json::Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(serde_json::Value::as_str)
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    parse_roles(names)
}

/// Splits `PSD<country>-<NCA>-<number>` (country two letters A-Z, NCA two to eight), the
/// PSD2 `organizationIdentifier` (ETSI TS 119 495).
pub fn parse_psd(identifier: &str) -> Option<(&str, &str, &str)> {
    let rest = identifier.strip_prefix("PSD")?;
    let (country, rest) = rest.split_at_checked(2)?;
    let rest = rest.strip_prefix('-')?;
    let (nca, number) = rest.split_once('-')?;
    let letters = |s: &str| s.bytes().all(|b| b.is_ascii_uppercase());
    (letters(country) && letters(nca) && (2..=8).contains(&nca.len()) && !number.is_empty())
        .then_some((country, nca, number))
}

/// Reads an `authorisation` field: the competent authority and the number, written
/// `FCA 123456`, `GB-FCA 123456` or as the PSD2 identifier `PSDGB-FCA-123456`.
pub fn parse_authorisation(text: &str) -> Option<(String, String)> {
    let text = text.trim();
    if let Some((country, nca, number)) = parse_psd(text) {
        return Some((format!("{country}-{nca}"), number.to_string()));
    }
    let (authority, number) = text.split_once(char::is_whitespace)?;
    let number = number.trim();
    (!authority.is_empty() && !number.is_empty() && !number.contains(char::is_whitespace))
        .then(|| (authority.to_string(), number.to_string()))
}

/// Writes roles as `AISP, PISP`.
pub fn roles_text(roles: &[Psd2Role]) -> String {
    if roles.is_empty() {
        return "none".into();
    }
    roles
        .iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_read_by_oid_and_name_and_open_their_scope() {
        assert_eq!(Psd2Role::from_oid("0.4.0.19495.1.3"), Some(Psd2Role::Aisp));
        assert_eq!(Psd2Role::from_oid("0.4.0.19495.1.0"), None);
        assert_eq!(Psd2Role::parse("psp_pi"), Some(Psd2Role::Pisp));
        assert_eq!(Psd2Role::parse("CBPII"), Some(Psd2Role::Cbpii));
        assert_eq!(Psd2Role::Aspsp.scope(), None);
        assert_eq!(
            missing_roles(&[Scope::Accounts, Scope::Payments], &[Psd2Role::Aisp]),
            vec![Psd2Role::Pisp]
        );
    }
}
