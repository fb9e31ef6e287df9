//! `POST /token`: parse the form and the Authorization header, authenticate the client, run the
//! grant, answer RFC 6749 JSON with `Cache-Control: no-store`.

use crate::forms::Submission;
use crate::oauth::OAuthError;
use crate::oauth::client_auth::{self, Credentials};
use crate::oauth::grants::client_credentials;
use crate::state::AppState;
use crate::web::tls::ClientCert;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::json;

/// The RFC 6749 §5.2 error response.
pub fn oauth_error(e: &OAuthError) -> HttpResponse {
    let status = match e {
        OAuthError::InvalidClient(_) => StatusCode::UNAUTHORIZED,
        OAuthError::Server(cause) => {
            tracing::error!(error = %cause, "token endpoint failed");
            StatusCode::INTERNAL_SERVER_ERROR
        }
        _ => StatusCode::BAD_REQUEST,
    };
    let mut resp = HttpResponse::build(status);
    resp.insert_header(("Cache-Control", "no-store"))
        .insert_header(("Pragma", "no-cache"));
    if status == StatusCode::UNAUTHORIZED {
        resp.insert_header((
            "WWW-Authenticate",
            "Basic realm=\"onramp\", error=\"invalid_client\"",
        ));
    }
    resp.json(json!({ "error": e.code(), "error_description": e.to_string() }))
}

/// Decodes `Authorization: Basic` (each part form-url-decoded, RFC 6749 §2.3.1).
pub fn basic_credentials(req: &HttpRequest) -> Option<(String, String)> {
    let value = req.headers().get("Authorization")?.to_str().ok()?;
    let (scheme, b64) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let text = String::from_utf8(STANDARD.decode(b64.trim()).ok()?).ok()?;
    let (id, secret) = text.split_once(':')?;
    let dec = |s: &str| {
        url::form_urlencoded::parse(format!("v={s}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default()
    };
    let (id, secret) = (dec(id), dec(secret));
    // A NUL is in no client id or secret.
    (!id.contains('\0') && !secret.contains('\0')).then_some((id, secret))
}

fn parse(req: &HttpRequest, body: &[u8]) -> Result<Submission, OAuthError> {
    let ct = req
        .headers()
        .get("Content-Type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !ct
        .to_ascii_lowercase()
        .starts_with("application/x-www-form-urlencoded")
    {
        return Err(OAuthError::InvalidRequest(
            "Send the request as application/x-www-form-urlencoded.".into(),
        ));
    }
    let sub = Submission::from_urlencoded(body);
    let mut seen = std::collections::HashSet::new();
    if let Some((dup, _)) = sub.0.iter().find(|(k, _)| !seen.insert(k.as_str())) {
        return Err(OAuthError::InvalidRequest(format!(
            "Parameter {dup} is repeated."
        )));
    }
    Ok(sub)
}

async fn run(
    st: &AppState,
    req: &HttpRequest,
    cert: &ClientCert,
    body: &[u8],
) -> Result<HttpResponse, OAuthError> {
    let form = parse(req, body)?;
    let grant = form
        .get("grant_type")
        .ok_or_else(|| OAuthError::InvalidRequest("grant_type is required.".into()))?;
    if grant != "client_credentials" {
        return Err(OAuthError::UnsupportedGrantType(format!(
            "grant_type {grant} is not supported here; use client_credentials."
        )));
    }
    let s = &st.settings;
    let creds = Credentials {
        client_id: form.get("client_id"),
        client_secret: form.get("client_secret"),
        assertion_type: form.get("client_assertion_type"),
        assertion: form.get("client_assertion"),
        basic: basic_credentials(req),
        cert: cert.presented(),
        audiences: vec![
            format!("{}/token", s.mtls_base_url()),
            format!("{}/token", s.base_url()),
            s.issuer().to_string(),
        ],
    };
    let auth = client_auth::authenticate(st, &creds).await?;
    crate::web::access_log::note_client(
        req,
        auth.client.client_id.as_str(),
        Some(auth.client.organisation_id.to_string()),
    );
    let issued = client_credentials::handle(st, &auth, form.get("scope"), cert.presented())?;
    crate::observe::token_issued(auth.method.as_str(), auth.client.environment.as_str());
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .insert_header(("Pragma", "no-cache"))
        .json(TokenResponse {
            access_token: &issued.access_token,
            token_type: "Bearer",
            expires_in: issued.expires_in,
            scope: &issued.scope,
        }))
}

/// The token response (RFC 6749 §5.1), serialised straight from its fields.
#[derive(serde::Serialize)]
struct TokenResponse<'a> {
    access_token: &'a str,
    token_type: &'static str,
    expires_in: i64,
    scope: &'a str,
}

/// `POST /token`.
pub async fn token(
    st: web::Data<AppState>,
    req: HttpRequest,
    cert: ClientCert,
    body: web::Bytes,
) -> HttpResponse {
    match run(&st, &req, &cert, &body).await {
        Ok(r) => r,
        Err(e) => oauth_error(&e),
    }
}
