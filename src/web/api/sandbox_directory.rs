//! The sandbox directory's public face: its statement signing keys, its CA certificate, and the
//! JWKS of each piece of software it holds (what `software_jwks_endpoint` names).

use crate::state::AppState;
use actix_web::{HttpResponse, web};
use serde_json::json;

fn off() -> HttpResponse {
    HttpResponse::NotFound().json(json!({ "error": "not_found", "error_description": "The sandbox directory is turned off at this bank." }))
}

/// GET `/sandbox-directory/jwks`: the keys that verify its software statements.
pub async fn jwks(st: web::Data<AppState>) -> HttpResponse {
    match &st.sandbox_directory {
        Some(d) => HttpResponse::Ok()
            .content_type("application/jwk-set+json")
            .insert_header(("Cache-Control", "public, max-age=300"))
            .json(d.jwks()),
        None => off(),
    }
}

/// GET `/sandbox-directory/ca.pem`: the CA of its test transport certificates.
pub async fn ca(st: web::Data<AppState>) -> HttpResponse {
    match &st.sandbox_directory {
        Some(d) => HttpResponse::Ok()
            .content_type("application/x-pem-file")
            .insert_header(("Cache-Control", "public, max-age=3600"))
            .body(d.ca_pem().to_string()),
        None => off(),
    }
}

/// GET `/sandbox-directory/software/{id}/jwks`: a piece of software's public keys; retired or
/// unknown software is 404.
pub async fn software_jwks(st: web::Data<AppState>, path: web::Path<String>) -> HttpResponse {
    if st.sandbox_directory.is_none() {
        return off();
    }
    match crate::sandbox_directory::software::published_jwks(&st, &path).await {
        Ok(Some(jwks)) => HttpResponse::Ok()
            .content_type("application/jwk-set+json")
            .insert_header(("Cache-Control", "public, max-age=60"))
            .json(jwks),
        Ok(_) => HttpResponse::NotFound().json(json!({ "error": "not_found", "error_description": "No such software in the sandbox directory." })),
        Err(e) => {
            tracing::error!(error = %e, "sandbox software lookup failed");
            HttpResponse::ServiceUnavailable().finish()
        }
    }
}
