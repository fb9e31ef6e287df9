//! `/developers/dcr`: "Register with DCR", this bank's real endpoints, accepted directories,
//! algorithms, methods and an example request. Public: TPP developers read it before signing up.

use crate::state::AppState;
use crate::web::error::PageError;
use crate::web::render::{self, Layout};
use crate::web::session::TypedSession;
use actix_web::{HttpResponse, web};
use askama::Template;

#[derive(Template)]
#[template(path = "portal/dcr.html")]
struct DcrPage {
    layout: Layout,
    register: String,
    token: String,
    discovery: String,
    openapi: String,
    audience: String,
    directories: Vec<(String, String)>,
    auth_methods: Vec<String>,
    scopes: Vec<String>,
    max_age_minutes: u64,
    example: String,
    sandbox_directory: bool,
    /// Set when no TLS listener is configured: where mutual TLS must come from.
    no_tls: bool,
}

/// GET.
pub async fn show(
    st: web::Data<AppState>,
    session: TypedSession,
) -> Result<HttpResponse, PageError> {
    // Public, but a signed-in member keeps the signed-in navigation.
    let signed_in = match session.user_id() {
        Some(_) => crate::web::guards::require_user(&st, &session)
            .await
            .ok()
            .map(|u| u.email),
        None => None,
    };
    let s = &st.settings;
    let audience = if s.dcr.aspsp_org_id.is_empty() {
        s.issuer().to_string()
    } else {
        s.dcr.aspsp_org_id.clone()
    };
    let example = serde_json::to_string_pretty(&serde_json::json!({
        "iss": "<your software_id>",
        "aud": audience,
        "iat": 1_764_000_000,
        "exp": 1_764_000_300,
        "jti": "<a new UUID>",
        "redirect_uris": ["https://app.example/cb"],
        "token_endpoint_auth_method": s.dcr.auth_methods.first().cloned().unwrap_or_default(),
        "tls_client_auth_subject_dn": "CN=<software_id>,organizationIdentifier=PSDGB-FCA-123456,O=Your Ltd,C=GB",
        "grant_types": ["client_credentials", "authorization_code", "refresh_token"],
        "response_types": ["code id_token"],
        "application_type": "web",
        "id_token_signed_response_alg": "PS256",
        "request_object_signing_alg": "PS256",
        "scope": "openid accounts",
        "software_statement": "<the SSA from your directory>"
    }))
    .unwrap_or_default();
    render::ok(&DcrPage {
        layout: Layout::portal("Register with DCR", &session, signed_in)?,
        no_tls: s.tls.is_none(),
        register: format!("{}/register", s.mtls_base_url()),
        token: format!("{}/token", s.mtls_base_url()),
        discovery: format!("{}/.well-known/openid-configuration", s.base_url()),
        openapi: format!("{}/openapi.json", s.base_url()),
        directories: st
            .directories
            .issuers()
            .into_iter()
            .map(|(i, e)| (i, e.to_string()))
            .collect(),
        auth_methods: s.dcr.auth_methods.clone(),
        scopes: s.dcr.scopes.clone(),
        max_age_minutes: s.dcr.ssa_max_age.as_secs() / 60,
        audience,
        example,
        sandbox_directory: st.sandbox_directory.is_some(),
    })
}
