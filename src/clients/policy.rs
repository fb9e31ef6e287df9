//! The production rules, in one place. Every path that makes, changes or uses a production
//! client runs them: the production-keys request and its approval, a production change request
//! and its approval, secret generation, and the token endpoint.

use super::model::{AuthMethod, ClientStatus, Environment, Scope};
use super::settings::EnvSettings;
use super::validate::check_redirect_uri;
use crate::config::KeySettings;
use crate::config::Settings;
use crate::domain::evidence::Verdict;
use crate::domain::psd2::{missing_roles, roles_in, roles_text};
use crate::domain::{OrganisationStatus, Psd2Role};
use crate::store::authority::EvidenceRecord;
use crate::store::clients::ClientRecord;
use crate::store::organisations::OrganisationRecord;

/// The scopes that PSD2 roles open (`AISP`, `PISP`, `CBPII`, or the certificate names).
pub fn scopes_of_roles<'a>(roles: impl IntoIterator<Item = &'a str>) -> Vec<Scope> {
    let mut scopes: Vec<Scope> = roles.into_iter().filter_map(Scope::for_role).collect();
    scopes.sort();
    scopes.dedup();
    scopes
}

/// The scopes an organisation's declared roles open; `None` when it declared none yet (the
/// light signup asks for roles only at production time).
pub fn org_roles(org: &OrganisationRecord) -> Option<Vec<Scope>> {
    let roles = org.profile.get("roles")?.as_array()?;
    Some(scopes_of_roles(roles.iter().filter_map(|r| r.as_str())))
}

/// The PSD2 roles that bound production scopes: those declared on the request's form (the
/// light pattern asks there), else the organisation's; `None` when neither declared any.
pub fn declared_roles(
    org: &OrganisationRecord,
    data: &serde_json::Map<String, serde_json::Value>,
) -> Option<Vec<Scope>> {
    match data.get("roles").and_then(|r| r.as_array()) {
        Some(roles) => Some(scopes_of_roles(roles.iter().filter_map(|r| r.as_str()))),
        None => org_roles(org),
    }
}

/// Named condition `authority_verified`: some source verified, none mismatched or withdrawn.
pub fn authority_verified(evidence: &[EvidenceRecord]) -> bool {
    evidence.iter().any(|e| e.verdict == Verdict::Verified)
        && !evidence.iter().any(|e| e.verdict.is_adverse())
}

/// Named condition `roles_cover_request`: roles were asked for, and verified evidence proves
/// every one of them.
pub fn roles_cover_request(requested: &[Psd2Role], evidence: &[EvidenceRecord]) -> bool {
    let proven = proven_roles(evidence);
    !requested.is_empty() && requested.iter().all(|r| proven.contains(r))
}

/// The roles that verified evidence proves.
pub fn proven_roles(evidence: &[EvidenceRecord]) -> Vec<Psd2Role> {
    let mut roles: Vec<Psd2Role> = evidence
        .iter()
        .filter(|e| e.verdict == Verdict::Verified)
        .flat_map(|e| roles_in(&e.found))
        .collect();
    roles.sort();
    roles.dedup();
    roles
}

/// The evidence rule for production scopes (spec/authority.md, decision 1): once authority
/// checks have run for the organisation (it has evidence), each scope needs its PSD2 role
/// proven by verified evidence (the newest of each source). An organisation never checked is
/// bound by its declared roles only (see [`production_problems`]).
pub fn evidence_problems(scopes: &[Scope], evidence: &[EvidenceRecord]) -> Vec<String> {
    if evidence.is_empty() {
        return Vec::new();
    }
    let proven = proven_roles(evidence);
    missing_roles(scopes, &proven)
        .into_iter()
        .map(|r| {
            format!(
                "The “{}” scope needs the {r} role, which no authority check has verified (verified: {}).",
                r.scope().map(Scope::as_str).unwrap_or_default(),
                roles_text(&proven)
            )
        })
        .collect()
}

/// Whether the bank accepts `method` for clients of `env`.
pub fn method_allowed(
    keys: &KeySettings,
    env: Environment,
    method: AuthMethod,
) -> Result<(), String> {
    let allowed = keys.methods(env);
    if allowed.contains(&method) {
        return Ok(());
    }
    Err(format!(
        "The bank does not accept {} for {env} clients; accepted: {}.",
        method.as_str(),
        allowed
            .iter()
            .map(|m| m.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    ))
}

/// Why settings may not run in production (empty when they may): the organisation is active,
/// the method is one the bank accepts for production, redirect URIs are https and not
/// localhost, and every scope is opened by a role the organisation declared (`roles`: `None`
/// when it declared none).
pub fn production_problems(
    settings: &EnvSettings,
    org_status: OrganisationStatus,
    roles: Option<&[Scope]>,
    keys: &KeySettings,
) -> Vec<String> {
    let mut out = Vec::new();
    if org_status != OrganisationStatus::Active {
        out.push(format!(
            "The organisation is {org_status}: production clients cannot be issued or changed."
        ));
    }
    match settings.method() {
        Some(m) => {
            if let Err(e) = method_allowed(keys, Environment::Production, m) {
                out.push(e);
            }
        }
        None => out.push(format!(
            "Unknown authentication method “{}”.",
            settings.auth_method
        )),
    }
    for u in &settings.redirect_uris {
        if let Err(m) = check_redirect_uri(u, false) {
            out.push(m);
        }
    }
    let scopes = settings.scope_list();
    if scopes.is_empty() {
        out.push("Production clients need at least one scope.".into());
    }
    match roles {
        None => out.push(
            "The organisation has declared no PSD2 roles, so it cannot have production scopes."
                .into(),
        ),
        Some(roles) => {
            for s in scopes.iter().filter(|s| !roles.contains(s)) {
                out.push(format!(
                    "The “{}” scope needs the {} role, which the organisation has not declared.",
                    s.as_str(),
                    s.role()
                ));
            }
        }
    }
    out
}

/// What the token endpoint checks of an authenticated client beyond its credentials: a
/// production client's method must still be one the bank accepts for production, and (FAPI,
/// `oauth.production_requires_mtls`) it must call over mutual TLS.
pub fn check_token_request(
    settings: &Settings,
    client: &ClientRecord,
    has_certificate: bool,
) -> Result<(), String> {
    if client.environment != Environment::Production {
        return Ok(());
    }
    method_allowed(&settings.keys, Environment::Production, client.auth_method)
        .map_err(|e| format!("{e} This client cannot get tokens."))?;
    if settings.oauth.production_requires_mtls && !has_certificate {
        return Err("Production clients get tokens only over mutual TLS (FAPI): present your transport certificate on the TLS listener or through the bank's proxy.".into());
    }
    Ok(())
}

/// The scopes a token may carry when the client called over an eIDAS certificate with PSD2
/// roles `cert_roles` (production clients only): each scope needs its role in the certificate.
/// Scopes the client asked for (`asked`) and the certificate does not allow are refused; the
/// default scopes are cut down to what it allows, and refused when nothing is left.
pub fn certificate_scopes(
    env: Environment,
    cert_roles: Option<&[Psd2Role]>,
    scope: &str,
    asked: bool,
) -> Result<String, String> {
    let Some(roles) = cert_roles.filter(|_| env == Environment::Production) else {
        return Ok(scope.to_string());
    };
    let allowed = |w: &str| Scope::parse(w).is_none_or(|s| roles.contains(&Psd2Role::for_scope(s)));
    if let Some(s) = scope.split_whitespace().find(|w| !allowed(w))
        && asked
    {
        let role = Scope::parse(s)
            .map(Psd2Role::for_scope)
            .unwrap_or(Psd2Role::Aisp);
        return Err(format!(
            "Scope “{s}” needs the {role} role ({}), which your certificate does not carry (it carries {}).",
            role.cert_name(),
            crate::domain::psd2::roles_text(roles)
        ));
    }
    let kept: Vec<&str> = scope.split_whitespace().filter(|w| allowed(w)).collect();
    if kept.iter().all(|w| Scope::parse(w).is_none())
        && scope.split_whitespace().any(|w| Scope::parse(w).is_some())
    {
        return Err(format!(
            "Your certificate's PSD2 roles ({}) allow none of this client's scopes.",
            crate::domain::psd2::roles_text(roles)
        ));
    }
    Ok(kept.join(" "))
}

/// Whether a client may have a (new) secret: it uses a secret method that its environment
/// accepts, and it is not revoked.
pub fn check_secret_allowed(keys: &KeySettings, client: &ClientRecord) -> Result<(), String> {
    if client.status == ClientStatus::Revoked {
        return Err("This client is revoked.".into());
    }
    if !client.auth_method.uses_secret() {
        return Err(format!(
            "This client authenticates with {}, not with a secret.",
            client.auth_method
        ));
    }
    method_allowed(keys, client.environment, client.auth_method)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> KeySettings {
        KeySettings::default()
    }

    fn settings(method: &str) -> EnvSettings {
        EnvSettings {
            auth_method: method.into(),
            jwks_uri: None,
            jwks: None,
            tls_subject_dn: Some("CN=a".into()),
            redirect_uris: vec!["https://app.example/cb".into()],
            scopes: vec!["accounts".into()],
        }
    }

    #[test]
    fn each_production_rule_refuses_its_case() {
        let roles = [Scope::Accounts];
        assert!(
            production_problems(
                &settings("tls_client_auth"),
                OrganisationStatus::Active,
                Some(&roles),
                &keys()
            )
            .is_empty()
        );
        let secret = production_problems(
            &settings("client_secret_basic"),
            OrganisationStatus::Active,
            Some(&roles),
            &keys(),
        );
        assert!(
            secret[0].contains("does not accept client_secret_basic"),
            "{secret:?}"
        );
        let suspended = production_problems(
            &settings("tls_client_auth"),
            OrganisationStatus::Suspended,
            Some(&roles),
            &keys(),
        );
        assert!(suspended[0].contains("suspended"));
        let mut local = settings("tls_client_auth");
        local.redirect_uris = vec!["http://localhost:3000/cb".into()];
        assert_eq!(
            production_problems(&local, OrganisationStatus::Active, Some(&roles), &keys()).len(),
            1
        );
        let mut pay = settings("tls_client_auth");
        pay.scopes.push("payments".into());
        let p = production_problems(&pay, OrganisationStatus::Active, Some(&roles), &keys());
        assert!(p[0].contains("PISP"), "{p:?}");
        assert_eq!(
            production_problems(
                &settings("tls_client_auth"),
                OrganisationStatus::Active,
                None,
                &keys()
            )
            .len(),
            1
        );
    }
}
