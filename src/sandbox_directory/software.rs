//! Sandbox software: made by an approved organisation in the portal, with keys it brings (a CSR
//! and optionally a signing public key) or keys Onramp generates and shows once; its software
//! statement is signed afresh each time it is asked for, so it is never too old to register.

use super::{SandboxDirectory, SandboxError, csr, keys};
use crate::applications::service::org_scopes;
use crate::audit;
use crate::domain::Actor;
use crate::state::AppState;
use crate::store::organisations::OrganisationRecord;
use crate::store::sandbox_software::SandboxSoftwareRecord;
use crate::store::{self, StoreError};
use rcgen::{KeyPair, PublicKeyData};
use secrecy::SecretString;
use serde_json::{Value, json};

/// What the portal form asks for.
#[derive(Clone, Debug, Default)]
pub struct NewSoftware {
    /// `software_client_name`.
    pub client_name: String,
    /// Redirect URIs, one per line.
    pub redirect_uris: String,
    /// Roles picked.
    pub roles: Vec<String>,
    /// A PEM CSR for the transport certificate; empty to have keys generated.
    pub csr: String,
    /// A signing public key (PEM or JWK); empty to sign with the transport key.
    pub signing_key: String,
}

/// Private keys Onramp generated: shown once, never stored.
pub struct GeneratedKeys {
    /// The request-signing key (PKCS#8 PEM, ES256).
    pub signing_key_pem: SecretString,
    /// The transport certificate's key (PKCS#8 PEM).
    pub transport_key_pem: SecretString,
}

/// New software, with the keys generated for it if any.
pub struct Created {
    /// The stored software.
    pub software: SandboxSoftwareRecord,
    /// Generated private keys, to show once.
    pub generated: Option<GeneratedKeys>,
}

fn directory(st: &AppState) -> Result<&SandboxDirectory, SandboxError> {
    st.sandbox_directory.as_deref().ok_or_else(|| {
        SandboxError::Refused("The sandbox directory is turned off at this bank.".into())
    })
}

/// The roles an organisation may give its sandbox software: those it declared, or all three.
pub fn allowed_roles(org: &OrganisationRecord) -> Vec<String> {
    match org_scopes(org) {
        Some(scopes) if !scopes.is_empty() => scopes.iter().map(|s| s.role().to_string()).collect(),
        _ => vec!["AISP".into(), "PISP".into(), "CBPII".into()],
    }
}

fn may_use(st: &AppState, org: &OrganisationRecord) -> Result<(), SandboxError> {
    directory(st)?;
    if org.status != crate::domain::OrganisationStatus::Active {
        return Err(SandboxError::Refused(
            "The sandbox directory opens once the bank has approved your organisation.".into(),
        ));
    }
    Ok(())
}

fn redirect_uris(text: &str) -> Result<Vec<String>, SandboxError> {
    let invalid = |m: String| SandboxError::Invalid("redirect_uris", m);
    let list: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    if list.is_empty() || list.len() > 10 {
        return Err(invalid(
            "Give between one and ten redirect URIs, one per line.".into(),
        ));
    }
    // The one redirect-URI rule, as DCR applies it: the statements made here register by DCR.
    list.iter()
        .map(|uri| crate::clients::validate::check_redirect_uri(uri, false).map_err(invalid))
        .collect()
}

fn check_form(
    org: &OrganisationRecord,
    input: &NewSoftware,
) -> Result<(String, Vec<String>, Vec<String>), SandboxError> {
    let name = input.client_name.trim().to_string();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(SandboxError::Invalid(
            "client_name",
            "Give the software a name of at most 100 characters.".into(),
        ));
    }
    let uris = redirect_uris(&input.redirect_uris)?;
    let allowed = allowed_roles(org);
    if input.roles.is_empty() || input.roles.iter().any(|r| !allowed.contains(r)) {
        return Err(SandboxError::Invalid(
            "roles",
            format!("Pick at least one role among {}.", allowed.join(", ")),
        ));
    }
    Ok((name, uris, input.roles.clone()))
}

fn internal(e: impl std::fmt::Display) -> SandboxError {
    SandboxError::Internal(e.to_string())
}

/// The software's keys: its JWKS and certificate, and any private keys generated.
fn key_material(
    dir: &SandboxDirectory,
    org: &OrganisationRecord,
    software_id: &str,
    input: &NewSoftware,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(Value, String, Option<GeneratedKeys>), SandboxError> {
    let org_id = org.id.to_string();
    if input.csr.trim().is_empty() {
        if !input.signing_key.trim().is_empty() {
            return Err(SandboxError::Invalid(
                "signing_key",
                "A signing key goes with a CSR: paste the CSR too, or clear this field to have both keys generated.".into(),
            ));
        }
        let transport = KeyPair::generate().map_err(internal)?;
        let signing = KeyPair::generate().map_err(internal)?;
        let (cert_pem, der) =
            dir.ca()
                .issue(&transport, software_id, &org_id, &org.legal_name, now)?;
        let sig = keys::sig_jwk_of_spki(&signing.subject_public_key_info())?;
        let jwks = json!({ "keys": [sig, keys::tls_jwk(&der)?] });
        let generated = GeneratedKeys {
            signing_key_pem: SecretString::from(signing.serialize_pem()),
            transport_key_pem: SecretString::from(transport.serialize_pem()),
        };
        return Ok((jwks, cert_pem, Some(generated)));
    }
    let key = csr::csr_key(&input.csr)?;
    let (cert_pem, der) = dir
        .ca()
        .issue(&key, software_id, &org_id, &org.legal_name, now)?;
    let tls = keys::tls_jwk(&der)?;
    let sig = if input.signing_key.trim().is_empty() {
        keys::sig_jwk_of_cert(&der)?
    } else {
        keys::sig_jwk(&input.signing_key)?
    };
    Ok((json!({ "keys": [sig, tls] }), cert_pem, None))
}

/// Makes software for `org`: checks the form, issues the certificate, stores the public parts.
pub async fn create(
    st: &AppState,
    org: &OrganisationRecord,
    actor: &Actor,
    input: &NewSoftware,
) -> Result<Created, SandboxError> {
    may_use(st, org)?;
    let dir = directory(st)?;
    let (client_name, redirect_uris, roles) = check_form(org, input)?;
    let now = st.clock.now();
    let software_id = uuid::Uuid::new_v4().simple().to_string();
    let (jwks, certificate_pem, generated) = key_material(dir, org, &software_id, input, now)?;
    let software = SandboxSoftwareRecord {
        software_id,
        organisation_id: org.id,
        client_name,
        redirect_uris,
        roles,
        jwks,
        certificate_pem,
        created_by: actor.name(),
        created_at: now,
        retired_at: None,
    };
    let (tx, gate) = st.begin().await.map_err(StoreError::from)?;
    store::sandbox_software::insert(&tx, &software).await?;
    audit::record(
        &tx,
        audit::Event {
            actor,
            action: "sandbox_software.created",
            subject_type: "organisation",
            subject_id: org.id.to_string(),
            organisation: Some(org.id),
            detail: json!({ "software_id": software.software_id, "client_name": software.client_name }),
            ip: None,
        },
        now,
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    drop(gate);
    Ok(Created {
        software,
        generated,
    })
}

/// The organisation's software, newest first.
pub async fn list(
    st: &AppState,
    org: &OrganisationRecord,
) -> Result<Vec<SandboxSoftwareRecord>, SandboxError> {
    Ok(store::sandbox_software::for_organisation(&st.db, org.id).await?)
}

/// One piece of the organisation's software; another organisation's is not found.
pub async fn get(
    st: &AppState,
    org: &OrganisationRecord,
    software_id: &str,
) -> Result<SandboxSoftwareRecord, SandboxError> {
    store::sandbox_software::get(&st.db, software_id)
        .await?
        .filter(|s| s.organisation_id == org.id)
        .ok_or(SandboxError::NotFound)
}

/// The published JWKS of live software, by id (`None` when unknown or retired).
pub async fn published_jwks(
    st: &AppState,
    software_id: &str,
) -> Result<Option<serde_json::Value>, SandboxError> {
    Ok(store::sandbox_software::get(&st.db, software_id)
        .await?
        .filter(|s| s.retired_at.is_none())
        .map(|s| s.jwks))
}

/// Retires software: its JWKS is no longer served, so it can no longer register.
pub async fn retire(
    st: &AppState,
    org: &OrganisationRecord,
    actor: &Actor,
    software_id: &str,
) -> Result<(), SandboxError> {
    let now = st.clock.now();
    let (tx, gate) = st.begin().await.map_err(StoreError::from)?;
    if !store::sandbox_software::retire(&tx, org.id, software_id, now).await? {
        return Err(SandboxError::NotFound);
    }
    audit::record(
        &tx,
        audit::Event {
            actor,
            action: "sandbox_software.retired",
            subject_type: "organisation",
            subject_id: org.id.to_string(),
            organisation: Some(org.id),
            detail: json!({ "software_id": software_id }),
            ip: None,
        },
        now,
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    drop(gate);
    Ok(())
}

/// Where the directory serves the software's JWKS.
pub fn jwks_url(st: &AppState, software_id: &str) -> String {
    format!(
        "{}/sandbox-directory/software/{software_id}/jwks",
        st.settings.base_url()
    )
}

fn escape_dn(v: &str) -> String {
    let mut out = String::new();
    for (i, c) in v.chars().enumerate() {
        if matches!(c, ',' | '+' | '"' | '\\' | '<' | '>' | ';' | '=')
            || (i == 0 && matches!(c, '#' | ' '))
        {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The subject DN of the software's transport certificate, as `tls_client_auth_subject_dn`.
pub fn subject_dn(org: &OrganisationRecord, sw: &SandboxSoftwareRecord) -> String {
    format!(
        "CN={},OU={},O={}",
        sw.software_id,
        org.id,
        escape_dn(&org.legal_name)
    )
}

/// A software statement for the software, signed now by the sandbox directory.
pub fn statement(
    st: &AppState,
    org: &OrganisationRecord,
    sw: &SandboxSoftwareRecord,
) -> Result<String, SandboxError> {
    may_use(st, org)?;
    if sw.retired_at.is_some() {
        return Err(SandboxError::Refused("This software is retired.".into()));
    }
    let claims = json!({
        "iss": super::ISSUER,
        "iat": st.clock.now().timestamp(),
        "jti": uuid::Uuid::new_v4().to_string(),
        "software_id": sw.software_id,
        "software_client_id": sw.software_id,
        "software_client_name": sw.client_name,
        "software_version": "1.0",
        "software_environment": "sandbox",
        "software_mode": "Test",
        "software_redirect_uris": sw.redirect_uris,
        "software_roles": sw.roles,
        "software_jwks_endpoint": jwks_url(st, &sw.software_id),
        "org_id": org.id.to_string(),
        "org_name": org.legal_name,
        "org_status": "Active",
        "organisation_competent_authority_claims": {
            "authority_id": "ONRAMP-SANDBOX",
            "registration_id": org.id.to_string(),
            "status": "Active",
            "authorisations": [{ "member_state": "GB", "roles": sw.roles }]
        }
    });
    Ok(directory(st)?.sign(&claims)?)
}

/// The claims of a registration request for the software: sign them with the software's signing
/// key (ES256 or PS256) and POST the JWT to `/register` over mutual TLS.
pub fn request_example(
    st: &AppState,
    org: &OrganisationRecord,
    sw: &SandboxSoftwareRecord,
    ssa: &str,
) -> Value {
    let s = &st.settings;
    let audience = if s.dcr.aspsp_org_id.is_empty() {
        s.issuer().to_string()
    } else {
        s.dcr.aspsp_org_id.clone()
    };
    let now = st.clock.now().timestamp();
    let alg = sw.jwks["keys"][0]["alg"].as_str().unwrap_or("ES256");
    let scope: Vec<&str> = sw
        .roles
        .iter()
        .filter_map(|r| crate::clients::Scope::for_role(r))
        .map(|sc| sc.as_str())
        .collect();
    let mut claims = json!({
        "iss": sw.software_id,
        "aud": audience,
        "iat": now,
        "exp": now + 300,
        "jti": uuid::Uuid::new_v4().to_string(),
        "software_id": sw.software_id,
        "redirect_uris": sw.redirect_uris,
        "token_endpoint_auth_method": "private_key_jwt",
        "token_endpoint_auth_signing_alg": alg,
        "grant_types": ["client_credentials", "authorization_code", "refresh_token"],
        "response_types": ["code id_token"],
        "application_type": "web",
        "id_token_signed_response_alg": alg,
        "request_object_signing_alg": alg,
        "scope": scope.join(" "),
        "software_statement": ssa,
    });
    if !s.dcr.auth_methods.iter().any(|m| m == "private_key_jwt") {
        claims["token_endpoint_auth_method"] = json!("tls_client_auth");
        claims["tls_client_auth_subject_dn"] = json!(subject_dn(org, sw));
    }
    claims
}
