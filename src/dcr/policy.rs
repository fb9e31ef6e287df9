//! The registration policy: each requested value checked against the spec version, the bank's
//! `[dcr]` settings and the software statement, one named function per rule (b.3 steps 11-12 and
//! a.4's conditional fields). The output is the metadata to store.

use super::ssa::Ssa;
use super::{DcrError, Version};
use crate::clients::Scope;
use crate::clients::validate::check_redirect_uri;
use crate::config::DcrSettings;
use crate::oauth::dn::Dn;
use serde_json::{Map, Value, json};

const ALGS: &[&str] = &["PS256", "ES256"];

fn metadata(m: impl Into<String>) -> DcrError {
    DcrError::Metadata(m.into())
}

fn s<'a>(c: &'a Map<String, Value>, k: &str) -> Option<&'a str> {
    c.get(k).and_then(Value::as_str)
}

fn list(c: &Map<String, Value>, k: &str) -> Option<Vec<String>> {
    c.get(k).and_then(Value::as_array).map(|a| {
        a.iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect()
    })
}

/// Step 11: redirect URIs are https, not localhost, without fragment, and among the SSA's; none
/// requested means all of the SSA's (decision 15).
pub fn check_redirect_uris(c: &Map<String, Value>, ssa: &Ssa) -> Result<Vec<String>, DcrError> {
    let allowed = ssa.list("software_redirect_uris");
    let uris = match c.get("redirect_uris") {
        None => allowed.clone(),
        Some(v) => v
            .as_array()
            .ok_or_else(|| DcrError::RedirectUri("redirect_uris must be an array of URLs.".into()))?
            .iter()
            .map(|u| {
                u.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| DcrError::RedirectUri("redirect_uris must hold strings.".into()))
            })
            .collect::<Result<_, _>>()?,
    };
    if uris.is_empty() {
        return Err(DcrError::RedirectUri(
            "At least one redirect URI is needed.".into(),
        ));
    }
    for u in &uris {
        if u.len() > 256 {
            return Err(DcrError::RedirectUri(format!(
                "Redirect URI {u} is longer than 256 characters."
            )));
        }
        check_redirect_uri(u, false)
            .map_err(|m| DcrError::RedirectUri(format!("Redirect URI {m}")))?;
        if !allowed.contains(u) {
            return Err(DcrError::RedirectUri(format!(
                "Redirect URI {u} is not among the software statement's software_redirect_uris."
            )));
        }
    }
    Ok(uris)
}

/// The authentication method is one the bank accepts, with what it needs (signing alg or DN).
pub fn check_auth_method(
    c: &Map<String, Value>,
    cfg: &DcrSettings,
    version: Version,
) -> Result<(String, Option<String>), DcrError> {
    let method = s(c, "token_endpoint_auth_method")
        .ok_or_else(|| metadata("token_endpoint_auth_method is required."))?;
    if !cfg.auth_methods.iter().any(|m| m == method) {
        return Err(metadata(format!(
            "token_endpoint_auth_method {method} is not supported; use one of: {}.",
            cfg.auth_methods.join(", ")
        )));
    }
    let mut dn = None;
    match method {
        "private_key_jwt" | "client_secret_jwt" => match s(c, "token_endpoint_auth_signing_alg") {
            Some(a) if ALGS.contains(&a) => {}
            Some(a) => {
                return Err(metadata(format!(
                    "token_endpoint_auth_signing_alg {a} is not supported (PS256, ES256)."
                )));
            }
            None => {
                return Err(metadata(format!(
                    "token_endpoint_auth_signing_alg is required with {method}."
                )));
            }
        },
        "tls_client_auth" => {
            let d = s(c, "tls_client_auth_subject_dn").ok_or_else(|| {
                metadata("tls_client_auth_subject_dn is required with tls_client_auth.")
            })?;
            if d.len() > version.max_dn_len() {
                return Err(metadata(format!(
                    "tls_client_auth_subject_dn is longer than {} characters.",
                    version.max_dn_len()
                )));
            }
            if version == Version::V3_4 && !d.starts_with("CN=") {
                return Err(metadata(
                    "In v3.4, tls_client_auth_subject_dn must start with CN=.",
                ));
            }
            if Dn::parse(d).is_none() {
                return Err(metadata(
                    "tls_client_auth_subject_dn is not a distinguished name.",
                ));
            }
            dn = Some(d.to_string());
        }
        _ => {}
    }
    Ok((method.to_string(), dn))
}

/// Grant types are known to this version and accepted by the bank.
pub fn check_grant_types(
    c: &Map<String, Value>,
    cfg: &DcrSettings,
    version: Version,
) -> Result<Vec<String>, DcrError> {
    let grants = list(c, "grant_types")
        .filter(|g| !g.is_empty())
        .ok_or_else(|| metadata("grant_types is required."))?;
    for g in &grants {
        if !version.grant_types().contains(&g.as_str()) || !cfg.grant_types.contains(g) {
            return Err(metadata(format!("grant type {g} is not supported here.")));
        }
    }
    Ok(grants)
}

/// Response types are accepted by the bank; none means `code id_token` (decision 10).
pub fn check_response_types(
    c: &Map<String, Value>,
    cfg: &DcrSettings,
) -> Result<Vec<String>, DcrError> {
    let types = match c.get("response_types") {
        None => vec!["code id_token".to_string()],
        Some(_) => {
            list(c, "response_types").ok_or_else(|| metadata("response_types must be an array."))?
        }
    };
    for t in &types {
        if !cfg.response_types.contains(t) {
            return Err(metadata(format!(
                "response type {t} is not supported (code, code id_token)."
            )));
        }
    }
    Ok(types)
}

/// `application_type` is one of this version's values.
pub fn check_application_type(
    c: &Map<String, Value>,
    version: Version,
) -> Result<String, DcrError> {
    let t = s(c, "application_type").ok_or_else(|| metadata("application_type is required."))?;
    if !version.application_types().contains(&t) {
        return Err(metadata(format!(
            "application_type {t} is not valid in this version ({}).",
            version.application_types().join(", ")
        )));
    }
    Ok(t.to_string())
}

/// The signing algorithms the client asks for are PS256 or ES256.
pub fn check_algorithms(c: &Map<String, Value>) -> Result<(), DcrError> {
    for name in ["id_token_signed_response_alg", "request_object_signing_alg"] {
        match s(c, name) {
            Some(a) if ALGS.contains(&a) => {}
            Some(a) => {
                return Err(metadata(format!(
                    "{name} {a} is not supported (PS256, ES256)."
                )));
            }
            None => return Err(metadata(format!("{name} is required."))),
        }
    }
    Ok(())
}

/// Step 12: scopes are accepted and covered by the software's roles (decision 11).
pub fn check_scope(
    c: &Map<String, Value>,
    cfg: &DcrSettings,
    ssa: &Ssa,
) -> Result<String, DcrError> {
    let scope = s(c, "scope")
        .filter(|v| !v.trim().is_empty())
        .ok_or_else(|| metadata("scope is required."))?;
    if scope.len() > 256 {
        return Err(metadata("scope is longer than 256 characters."));
    }
    let roles = ssa.roles();
    for word in scope.split_whitespace() {
        if !cfg.scopes.iter().any(|x| x == word) {
            return Err(metadata(format!("scope {word} is not supported here.")));
        }
        if let Some(sc) = Scope::parse(word)
            && !roles.iter().any(|r| r == sc.role())
        {
            return Err(metadata(format!(
                "scope {word} needs the {} role, which the software statement does not grant.",
                sc.role()
            )));
        }
    }
    Ok(scope.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// The CIBA fields (v3.3 and later), required with the CIBA grant.
pub fn check_ciba(
    c: &Map<String, Value>,
    grants: &[String],
    version: Version,
) -> Result<(), DcrError> {
    if !grants
        .iter()
        .any(|g| g == "urn:openid:params:grant-type:ciba")
    {
        return Ok(());
    }
    if !version.has_ciba() {
        return Err(metadata("The CIBA grant needs DCR v3.3 or later."));
    }
    let mode = s(c, "backchannel_token_delivery_mode").ok_or_else(|| {
        metadata("backchannel_token_delivery_mode is required with the CIBA grant.")
    })?;
    match mode {
        "poll" => {}
        "ping" => {
            let endpoint = s(c, "backchannel_client_notification_endpoint").ok_or_else(|| {
                metadata("backchannel_client_notification_endpoint is required in ping mode.")
            })?;
            if !endpoint.starts_with("https://") || endpoint.len() > 256 {
                return Err(metadata(
                    "backchannel_client_notification_endpoint must be an https URL of at most 256 characters.",
                ));
            }
        }
        other => {
            return Err(metadata(format!(
                "backchannel_token_delivery_mode {other} is not supported (poll, ping)."
            )));
        }
    }
    match s(c, "backchannel_authentication_request_signing_alg") {
        Some(a) if ALGS.contains(&a) => {}
        _ => {
            return Err(metadata(
                "backchannel_authentication_request_signing_alg must be PS256 or ES256 with the CIBA grant.",
            ));
        }
    }
    if c.get("backchannel_user_code_parameter_supported")
        .is_some_and(|v| v != &Value::Bool(false))
    {
        return Err(metadata(
            "backchannel_user_code_parameter_supported must be false.",
        ));
    }
    Ok(())
}

/// Everything the registration will store, checked.
pub fn validate(
    c: &Map<String, Value>,
    ssa: &Ssa,
    cfg: &DcrSettings,
    version: Version,
) -> Result<Map<String, Value>, DcrError> {
    let redirect_uris = check_redirect_uris(c, ssa)?;
    let (method, dn) = check_auth_method(c, cfg, version)?;
    let grants = check_grant_types(c, cfg, version)?;
    let response_types = check_response_types(c, cfg)?;
    let application_type = check_application_type(c, version)?;
    check_algorithms(c)?;
    let scope = check_scope(c, cfg, ssa)?;
    check_ciba(c, &grants, version)?;
    let mut out = Map::new();
    out.insert("redirect_uris".into(), json!(redirect_uris));
    out.insert("token_endpoint_auth_method".into(), json!(method));
    out.insert("grant_types".into(), json!(grants));
    out.insert("response_types".into(), json!(response_types));
    out.insert("application_type".into(), json!(application_type));
    out.insert("scope".into(), json!(scope));
    out.insert("software_id".into(), json!(ssa.software_id()));
    for k in [
        "id_token_signed_response_alg",
        "request_object_signing_alg",
        "token_endpoint_auth_signing_alg",
        "backchannel_token_delivery_mode",
        "backchannel_client_notification_endpoint",
        "backchannel_authentication_request_signing_alg",
        "backchannel_user_code_parameter_supported",
    ] {
        if let Some(v) = c.get(k) {
            out.insert(k.into(), v.clone());
        }
    }
    if let Some(dn) = dn {
        out.insert("tls_client_auth_subject_dn".into(), json!(dn));
    }
    if method == "private_key_jwt" {
        out.insert("jwks_uri".into(), json!(ssa.str("software_jwks_endpoint")));
    }
    let name = ssa.str("software_client_name").unwrap_or(ssa.software_id());
    out.insert("client_name".into(), json!(name));
    Ok(out)
}
