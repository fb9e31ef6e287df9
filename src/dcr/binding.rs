//! b.3 step 13: the transport certificate that carried the request belongs to the software
//! statement's organisation (decision 8), and a `tls_client_auth` registration names that
//! certificate's subject.

use super::DcrError;
use super::ssa::Ssa;
use crate::oauth::dn::Dn;
use crate::state::AppState;
use x509_parser::prelude::*;

/// The organisation identifiers a certificate carries: its `organizationIdentifier` and OUs.
fn org_ids(der: &[u8]) -> Vec<String> {
    let Ok((_, cert)) = parse_x509_certificate(der) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for rdn in cert.subject().iter() {
        for a in rdn.iter() {
            let oid = a.attr_type().to_id_string();
            if (oid == "2.5.4.97" || oid == "2.5.4.11")
                && let Ok(v) = a.as_str()
            {
                out.push(v.to_string());
            }
        }
    }
    out
}

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
    cert: Option<&[u8]>,
    dn: Option<&str>,
) -> Result<(), DcrError> {
    let Some(der) = cert else {
        if st.settings.dcr.allow_without_mtls {
            return Ok(());
        }
        return Err(DcrError::NoCertificate(
            "Registration needs a client (transport) certificate over mutual TLS.".into(),
        ));
    };
    crate::sandbox_directory::check_environment(st, ssa.environment, Some(der))
        .map_err(|e| DcrError::Metadata(format!("The transport certificate is {e}.")))?;
    let org_id = ssa.org_id();
    let registration = ssa
        .claims
        .get("organisation_competent_authority_claims")
        .and_then(|c| c.get("registration_id"))
        .and_then(|v| v.as_str())
        .unwrap_or_default();
    let ids = org_ids(der);
    let ours = ids.iter().any(|id| {
        id == org_id
            || (!registration.is_empty()
                && (id == registration || id.ends_with(&format!("-{registration}"))))
    });
    if !ours && !in_software_jwks(st, ssa, der).await {
        return Err(DcrError::Metadata(format!(
            "The transport certificate does not belong to organisation {org_id}: its organizationIdentifier or OU must name the organisation, or it must be a tls key of the software's JWKS."
        )));
    }
    if let Some(registered) = dn {
        let presented = Dn::of_certificate(der);
        if presented.is_none() || presented != Dn::parse(registered) {
            return Err(DcrError::Metadata(
                "tls_client_auth_subject_dn does not match the subject of the certificate presented.".into(),
            ));
        }
    }
    Ok(())
}
