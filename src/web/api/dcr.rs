//! `/register` and `/register/{client_id}` (and the `/open-banking/v3.x/register` aliases):
//! content types, the 64 KiB limit, the client certificate and bearer token handed to
//! [`crate::dcr::service`], and the JSON errors of RFC 7591 / decision 20.

use crate::dcr::response::Registration;
use crate::dcr::{DcrError, Version, service};
use crate::state::AppState;
use crate::web::ip::client_ip;
use crate::web::tls::ClientCert;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;

const MAX_BODY: usize = 64 * 1024;

fn error(e: &DcrError) -> HttpResponse {
    if let DcrError::Server(cause) = e {
        tracing::error!(error = %cause, "registration failed");
    }
    let mut r =
        HttpResponse::build(StatusCode::from_u16(e.status()).unwrap_or(StatusCode::BAD_REQUEST));
    r.insert_header(("Cache-Control", "no-store"));
    match e {
        DcrError::MissingToken => {
            r.insert_header(("WWW-Authenticate", "Bearer"));
        }
        DcrError::InvalidToken(_) => {
            r.insert_header(("WWW-Authenticate", "Bearer error=\"invalid_token\""));
        }
        _ => {}
    }
    r.json(json!({ "error": e.code(), "error_description": e.to_string() }))
}

fn ok(status: StatusCode, answer: Registration) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header(("Cache-Control", "no-store"))
        .content_type("application/json")
        .body(answer.json)
}

fn version_of(req: &HttpRequest) -> Version {
    req.match_info()
        .get("version")
        .and_then(Version::parse)
        .unwrap_or(Version::V3_3)
}

/// The body as the compact JWS it must be.
fn jwt_body<'a>(req: &HttpRequest, body: &'a [u8]) -> Result<&'a str, DcrError> {
    if body.len() > MAX_BODY {
        return Err(DcrError::TooLarge);
    }
    let ct = req
        .headers()
        .get("Content-Type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let mime = ct
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    if mime != "application/jwt" && mime != "application/jose" {
        return Err(DcrError::Metadata(format!(
            "Send the registration request as a signed JWT with Content-Type application/jwt or application/jose, not {}.",
            if mime.is_empty() { "nothing" } else { &mime }
        )));
    }
    std::str::from_utf8(body).map_err(|_| DcrError::Metadata("The body is not text.".into()))
}

fn bearer(req: &HttpRequest) -> Option<String> {
    let v = req.headers().get("Authorization")?.to_str().ok()?;
    let (scheme, token) = v.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_string())
}

/// `POST /register`.
pub async fn register(
    st: web::Data<AppState>,
    req: HttpRequest,
    cert: ClientCert,
    body: web::Bytes,
) -> HttpResponse {
    let ip = Some(client_ip(&req, &st.settings));
    let result = match jwt_body(&req, &body) {
        Ok(jwt) => service::register(&st, version_of(&req), jwt, cert.presented(), ip).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(answer) => {
            crate::observe::registration("201");
            crate::web::access_log::note_client(&req, &answer.client_id, None);
            ok(StatusCode::CREATED, answer)
        }
        Err(e) => {
            crate::observe::registration(e.code());
            error(&e)
        }
    }
}

fn client_id(req: &HttpRequest) -> String {
    let id = req
        .match_info()
        .get("client_id")
        .unwrap_or_default()
        .to_string();
    crate::web::access_log::note_client(req, &id, None);
    id
}

/// `GET /register/{client_id}`.
pub async fn read(st: web::Data<AppState>, req: HttpRequest, cert: ClientCert) -> HttpResponse {
    match service::read(&st, &client_id(&req), bearer(&req).as_deref(), cert.der()).await {
        Ok(body) => ok(StatusCode::OK, body),
        Err(e) => error(&e),
    }
}

/// `PUT /register/{client_id}`.
pub async fn update(
    st: web::Data<AppState>,
    req: HttpRequest,
    cert: ClientCert,
    body: web::Bytes,
) -> HttpResponse {
    let id = client_id(&req);
    let token = bearer(&req);
    let ip = Some(client_ip(&req, &st.settings));
    // Who is asking comes before what they send.
    if let Err(e) = service::authorise(&st, &id, token.as_deref(), cert.der()).await {
        return error(&e);
    }
    let result = match jwt_body(&req, &body) {
        Ok(jwt) => {
            service::update(
                &st,
                version_of(&req),
                &id,
                token.as_deref(),
                cert.presented(),
                jwt,
                ip,
            )
            .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(body) => ok(StatusCode::OK, body),
        Err(e) => error(&e),
    }
}

/// `DELETE /register/{client_id}`.
pub async fn delete(st: web::Data<AppState>, req: HttpRequest, cert: ClientCert) -> HttpResponse {
    let ip = Some(client_ip(&req, &st.settings));
    match service::delete(
        &st,
        &client_id(&req),
        bearer(&req).as_deref(),
        cert.der(),
        ip,
    )
    .await
    {
        Ok(()) => HttpResponse::NoContent()
            .insert_header(("Cache-Control", "no-store"))
            .finish(),
        Err(e) => error(&e),
    }
}

/// Any other method: 405 with `Allow`.
pub async fn not_allowed(req: HttpRequest) -> HttpResponse {
    let allow = if req.match_info().get("client_id").is_some() {
        "GET, PUT, DELETE"
    } else {
        "POST"
    };
    HttpResponse::MethodNotAllowed()
        .insert_header(("Allow", allow))
        .insert_header(("Cache-Control", "no-store"))
        .json(json!({ "error": "invalid_request", "error_description": format!("Use {allow} here.") }))
}

/// Registers the DCR routes, plain and versioned.
pub fn routes(cfg: &mut web::ServiceConfig) {
    for prefix in ["", "/open-banking/{version}"] {
        cfg.service(
            web::resource(format!("{prefix}/register"))
                .route(web::post().to(register))
                .default_service(web::to(not_allowed)),
        )
        .service(
            web::resource(format!("{prefix}/register/{{client_id}}"))
                .route(web::get().to(read))
                .route(web::put().to(update))
                .route(web::delete().to(delete))
                .default_service(web::to(not_allowed)),
        );
    }
}
