//! b.3 step 13: the transport certificate that carried the request belongs to the software
//! statement's organisation (decision 8), and a `tls_client_auth` registration names that
//! certificate's subject.

use super::DcrError;
use super::ssa::Ssa;
use crate::clients::Scope;
use crate::domain::psd2::{missing_roles, roles_text};
use crate::oauth::dn::Dn;
use crate::oauth::presented::Presented;
use crate::state::AppState;

/// The organisation identifiers a certificate carries: its `organizationIdentifier` and OUs.
fn org_ids(cert: &Presented) -> impl Iterator<Item = &str> {
    cert.attributes()
        .iter()
        .filter(|(oid, _)| oid == "2.5.4.97" || oid == "2.5.4.11")
        .map(|(_, v)| v.as_str())
}

/// The SSA's competent authority claims: who authorised the organisation, under which number,
/// for which member states.
struct Authority {
    authority_id: String,
    registration_id: String,
    member_states: Vec<String>,
}

impl Authority {
    fn of(ssa: &Ssa) -> Option<Self> {
        let claims = ssa
            .claims()
            .get("organisation_competent_authority_claims")?;
        let text = |k: &str| claims.get(k).and_then(|v| v.as_str()).map(str::to_string);
        let authority_id = text("authority_id").filter(|a| !a.is_empty())?;
        let registration_id = text("registration_id").filter(|r| !r.is_empty())?;
        let member_states = claims
            .get("authorisations")
            .and_then(|a| a.as_array())
            .map(|list| {
                list.iter()
                    .filter_map(|a| a.get("member_state").and_then(|m| m.as_str()))
                    .map(str::to_ascii_uppercase)
                    .collect()
            })
            .unwrap_or_default();
        Some(Self {
            authority_id,
            registration_id,
            member_states,
        })
    }

    /// Whether a PSD2 `organizationIdentifier` (`PSD<country>-<NCA>-<number>`, ETSI TS 119 495)
    /// names exactly this authorisation: the whole number, the same authority, and the
    /// authority's country (given in `authority_id` as `GB-FCA`, or else one of the member
    /// states the statement lists).
    fn matches(&self, identifier: &str) -> bool {
        let Some((country, nca, number)) = parse_psd(identifier) else {
            return false;
        };
        if number != self.registration_id {
            return false;
        }
        let authority: String = self
            .authority_id
            .to_ascii_uppercase()
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect();
        if authority == format!("{country}{nca}") {
            return true;
        }
        authority == nca
            && (self.member_states.is_empty() || self.member_states.iter().any(|m| m == country))
    }
}

use crate::authority::cert::parse_psd;

/// Whether the certificate is in the software's JWKS as a `tls` key (its `x5c` leaf).
async fn in_software_jwks(st: &AppState, ssa: &Ssa, der: &[u8]) -> bool {
    let Some(endpoint) = ssa.str("software_jwks_endpoint") else {
        return false;
    };
    let Ok(keys) = crate::sandbox_directory::keys_at(st, endpoint, None).await else {
        return false;
    };
    keys.keys
        .iter()
        .filter(|k| k.use_.as_deref() == Some("tls"))
        .any(|k| {
            k.raw
                .get("x5c")
                .and_then(|x| x.as_array())
                .and_then(|a| a.first())
                .and_then(|c| c.as_str())
                .and_then(|b| {
                    base64::Engine::decode(&base64::engine::general_purpose::STANDARD, b).ok()
                })
                .is_some_and(|leaf| leaf == der)
        })
}

/// Checks the certificate against the SSA and the requested subject DN.
pub async fn check(
    st: &AppState,
    ssa: &Ssa,
    cert: Option<&Presented>,
    dn: Option<&str>,
) -> Result<(), DcrError> {
    let Some(cert) = cert else {
        if st.settings.dcr.allow_without_mtls {
            return Ok(());
        }
        return Err(DcrError::NoCertificate(
            "Registration needs a client (transport) certificate over mutual TLS.".into(),
        ));
    };
    let der = cert.der();
    crate::sandbox_directory::check_environment(st, ssa.environment(), Some(der))
        .map_err(|e| DcrError::Metadata(format!("The transport certificate is {e}.")))?;
    let org_id = ssa.org_id();
    let authority = Authority::of(ssa);
    let ours =
        org_ids(cert).any(|id| id == org_id || authority.as_ref().is_some_and(|a| a.matches(id)));
    if !ours && !in_software_jwks(st, ssa, der).await {
        return Err(DcrError::Metadata(format!(
            "The transport certificate does not belong to organisation {org_id}: its organizationIdentifier or OU must name the organisation, or it must be a tls key of the software's JWKS."
        )));
    }
    if let Some(registered) = dn {
        let presented = cert.subject();
        if presented.is_none() || presented != Dn::parse(registered).as_ref() {
            return Err(DcrError::Metadata(
                "tls_client_auth_subject_dn does not match the subject of the certificate presented.".into(),
            ));
        }
    }
    Ok(())
}

/// Decision 11: the PSD2 roles of an eIDAS transport certificate must cover the scopes asked
/// for (the software statement's roles are checked with the other metadata). A certificate
/// without a PSD2 statement (an OB transport certificate) leaves the roles to the statement.
pub fn check_roles(cert: Option<&Presented>, scope: &str) -> Result<(), DcrError> {
    let Some(c) = cert.and_then(Presented::eidas) else {
        return Ok(());
    };
    let scopes: Vec<Scope> = scope.split_whitespace().filter_map(Scope::parse).collect();
    match missing_roles(&scopes, &c.roles).first() {
        None => Ok(()),
        Some(role) => Err(DcrError::Metadata(format!(
            "The scope {} needs the {role} role ({}), which the transport certificate does not carry (it carries {}).",
            role.scope().map(Scope::as_str).unwrap_or_default(),
            role.cert_name(),
            roles_text(&c.roles)
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fca() -> Authority {
        Authority {
            authority_id: "FCA".into(),
            registration_id: "123456".into(),
            member_states: vec!["GB".into()],
        }
    }

    #[test]
    fn the_whole_identifier_must_name_the_statements_authority_and_number() {
        let a = fca();
        assert!(a.matches("PSDGB-FCA-123456"));
        for other in [
            "PSDIE-CBI-123456",
            "PSDGB-FCA-9123456",
            "PSDGB-FCA-12345",
            "PSDFR-FCA-123456",
            "PSDGB-FCA-123456-1",
            "XPSDGB-FCA-123456",
            "123456",
            "NTRGB-123456",
        ] {
            assert!(!a.matches(other), "{other}");
        }
    }

    #[test]
    fn an_authority_id_with_its_country_is_compared_whole() {
        let a = Authority {
            authority_id: "GB-FCA".into(),
            registration_id: "123456".into(),
            member_states: vec!["GB".into(), "IE".into()],
        };
        assert!(a.matches("PSDGB-FCA-123456"));
        assert!(!a.matches("PSDIE-FCA-123456"));
    }

    #[test]
    fn identifiers_that_are_not_psd2_shaped_are_not_parsed() {
        assert_eq!(parse_psd("PSDGB-FCA-1"), Some(("GB", "FCA", "1")));
        for bad in [
            "PSDGB-FCA-",
            "PSDG-FCA-1",
            "PSDGB-F-1",
            "PSDgb-FCA-1",
            "PSDGB-ABCDEFGHI-1",
        ] {
            assert_eq!(parse_psd(bad), None, "{bad}");
        }
    }
}
