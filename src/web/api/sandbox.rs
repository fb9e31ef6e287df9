//! The sandbox Account Information API under `/sandbox/open-banking/v3.1/aisp`: a sandbox token
//! with the `accounts` scope, presented over the certificate it is bound to (if it is).

use crate::clients::Environment;
use crate::oauth::token;
use crate::sandbox;
use crate::state::AppState;
use crate::web::tls::ClientCert;
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;

/// Where the sandbox API lives.
pub const BASE: &str = "/sandbox/open-banking/v3.1/aisp";

fn unauthorized(description: &str) -> HttpResponse {
    HttpResponse::Unauthorized()
        .insert_header((
            "WWW-Authenticate",
            format!("Bearer error=\"invalid_token\", error_description=\"{description}\""),
        ))
        .json(json!({ "error": "invalid_token", "error_description": description }))
}

async fn authorise(
    st: &AppState,
    req: &HttpRequest,
    cert: &ClientCert,
) -> Result<(), HttpResponse> {
    let Some(header) = req
        .headers()
        .get("Authorization")
        .and_then(|v| v.to_str().ok())
    else {
        return Err(HttpResponse::Unauthorized()
            .insert_header(("WWW-Authenticate", "Bearer realm=\"sandbox\""))
            .json(json!({ "error": "invalid_token", "error_description": "Send an access token: Authorization: Bearer <token>." })));
    };
    let bearer = header
        .strip_prefix("Bearer ")
        .or_else(|| header.strip_prefix("bearer "))
        .ok_or_else(|| unauthorized("use the Bearer scheme"))?;
    let at = token::verify(st, bearer.trim(), cert.der(), Some(Environment::Sandbox))
        .await
        .map_err(|e| unauthorized(&e.0))?;
    if !at.scopes().contains(&"accounts") {
        return Err(HttpResponse::Forbidden()
            .insert_header(("WWW-Authenticate", "Bearer error=\"insufficient_scope\", scope=\"accounts\""))
            .json(json!({ "error": "insufficient_scope", "error_description": "The token needs the accounts scope." })));
    }
    Ok(())
}

fn answer(body: Option<serde_json::Value>, path: &str) -> HttpResponse {
    match body {
        Some(b) => HttpResponse::Ok()
            .insert_header(("Cache-Control", "no-store"))
            .json(b),
        None => HttpResponse::NotFound().json(sandbox::not_found(path)),
    }
}

/// `GET …/accounts`, `…/accounts/{id}`, `…/accounts/{id}/balances`, `…/accounts/{id}/transactions`.
pub async fn aisp(
    st: web::Data<AppState>,
    req: HttpRequest,
    cert: ClientCert,
    path: web::Path<String>,
) -> HttpResponse {
    if let Err(resp) = authorise(&st, &req, &cert).await {
        return resp;
    }
    let link = format!("{}{}", st.settings.mtls_base_url(), req.path());
    let rest = path.into_inner();
    let parts: Vec<&str> = rest.split('/').filter(|p| !p.is_empty()).collect();
    let body = match parts.as_slice() {
        ["accounts"] => Some(sandbox::accounts(&link)),
        ["accounts", id] => sandbox::account(id, &link),
        ["accounts", id, "balances"] => sandbox::balances(id, &link),
        ["accounts", id, "transactions"] => sandbox::transactions(id, &link),
        _ => None,
    };
    answer(body, req.path())
}
