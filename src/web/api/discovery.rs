//! `/.well-known/openid-configuration` (decision 13) and `/jwks`.

use crate::clients::{AuthMethod, Environment, Scope};
use crate::state::AppState;
use actix_web::{HttpResponse, web};
use serde_json::json;

/// The discovery document.
pub async fn openid_configuration(st: web::Data<AppState>) -> HttpResponse {
    let s = &st.settings;
    let base = s.base_url();
    let mtls = s.mtls_base_url();
    let mut methods: Vec<String> = Vec::new();
    let keyed = s
        .keys
        .methods(Environment::Sandbox)
        .into_iter()
        .chain(s.keys.methods(Environment::Production))
        .map(|m| AuthMethod::as_str(m).to_string());
    for m in keyed.chain(s.dcr.auth_methods.iter().cloned()) {
        if !methods.contains(&m) {
            methods.push(m);
        }
    }
    let mut scopes: Vec<&str> = vec!["openid"];
    scopes.extend(Scope::ALL.iter().map(|s| s.as_str()));
    let doc = json!({
        "issuer": s.issuer(),
        "token_endpoint": format!("{mtls}/token"),
        "jwks_uri": format!("{base}/jwks"),
        // Sandbox tokens are signed by keys of their own, never published at jwks_uri.
        "sandbox_jwks_uri": format!("{base}/sandbox/jwks"),
        "registration_endpoint": format!("{mtls}/register"),
        "introspection_endpoint": format!("{mtls}/introspect"),
        "token_endpoint_auth_methods_supported": methods,
        "token_endpoint_auth_signing_alg_values_supported": ["PS256", "ES256"],
        "request_object_signing_alg_values_supported": ["PS256", "ES256"],
        "id_token_signing_alg_values_supported": ["PS256", "ES256"],
        "response_types_supported": ["code", "code id_token"],
        "grant_types_supported": ["client_credentials", "authorization_code", "refresh_token"],
        "scopes_supported": scopes,
        "claims_parameter_supported": false,
        "tls_client_certificate_bound_access_tokens": true,
        "mtls_endpoint_aliases": {
            "token_endpoint": format!("{mtls}/token"),
            "registration_endpoint": format!("{mtls}/register"),
            "introspection_endpoint": format!("{mtls}/introspect"),
        },
    });
    HttpResponse::Ok()
        .insert_header(("Cache-Control", "public, max-age=300"))
        .json(doc)
}

/// Onramp's public signing keys for production tokens (`/jwks`).
pub async fn jwks(st: web::Data<AppState>) -> HttpResponse {
    key_set(&st, Environment::Production).await
}

/// The public signing keys of sandbox tokens (`/sandbox/jwks`).
pub async fn sandbox_jwks(st: web::Data<AppState>) -> HttpResponse {
    key_set(&st, Environment::Sandbox).await
}

async fn key_set(st: &AppState, env: Environment) -> HttpResponse {
    if st.keys.stale() {
        let _ = st.keys.refresh(&st.db, &st.clock).await;
    }
    HttpResponse::Ok()
        .content_type("application/jwk-set+json")
        .insert_header(("Cache-Control", "public, max-age=300"))
        .json(st.keys.get(env).jwks().as_ref())
}
