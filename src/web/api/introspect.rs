//! `POST /introspect` (RFC 7662) for the bank's gateway, with its configured credential.

use super::token::{basic_credentials, oauth_error};
use crate::forms::Submission;
use crate::oauth::OAuthError;
use crate::oauth::introspect;
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, web};

/// `POST /introspect` with `token=…`.
pub async fn introspect(
    st: web::Data<AppState>,
    req: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    let Some(env) = basic_credentials(&req)
        .and_then(|(id, secret)| introspect::caller_environment(&st, &id, &secret))
    else {
        return oauth_error(&OAuthError::InvalidClient(
            "Introspection needs the gateway's credential (HTTP Basic).".into(),
        ));
    };
    let form = Submission::from_urlencoded(&body);
    let Some(token) = form.get("token").filter(|t| !t.is_empty()) else {
        return oauth_error(&OAuthError::InvalidRequest("token is required.".into()));
    };
    HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(introspect::introspect(&st, token, env).await)
}
