//! The HTTP layer, the only module that knows actix-web, actix-session and askama pages:
//! routing, sessions, CSRF, guards, error pages, and thin handlers for the portal, the admin
//! console and the JSON/plain API.

mod access_log;
mod account_page;
pub mod admin;
pub mod admin_api;
pub mod api;
mod auth;
mod csrf;
mod error;
mod evidence;
mod guards;
mod ip;
pub mod portal;
mod render;
pub mod session;
mod sessions_page;
pub mod tls;
pub(crate) mod two_step;

use crate::domain::paths;
use crate::state::AppState;
use actix_session::SessionMiddleware;
use actix_session::config::{CookieContentSecurity, PersistentSession};
use actix_session::storage::CookieSessionStore;
use actix_web::cookie::{Key, SameSite};
use actix_web::middleware::{Condition, DefaultHeaders};
use actix_web::{App, HttpResponse, HttpServer, web};
use std::net::TcpListener;

pub use error::PageError;

/// Builds the server on a bound listener.
pub fn server(
    listener: TcpListener,
    tls_listener: Option<(TcpListener, rustls::ServerConfig)>,
    state: AppState,
    session_key: Key,
) -> std::io::Result<actix_web::dev::Server> {
    let secure = state.settings.secure_cookies();
    let hsts = state.settings.public_url.starts_with("https://");
    let shutdown = state.settings.shutdown_timeout.as_secs();
    let log_requests = state.settings.log.requests;
    let data = web::Data::new(state);
    let server = HttpServer::new(move || {
        let sessions =
            SessionMiddleware::builder(CookieSessionStore::default(), session_key.clone())
                .cookie_name("onramp_session".into())
                .cookie_secure(secure)
                .cookie_http_only(true)
                .cookie_same_site(SameSite::Lax)
                .cookie_content_security(CookieContentSecurity::Private)
                .session_lifecycle(
                    PersistentSession::default()
                        .session_ttl(actix_web::cookie::time::Duration::hours(12)),
                )
                .build();
        App::new()
            .app_data(data.clone())
            .app_data(web::FormConfig::default().limit(256 * 1024))
            .wrap(actix_web::middleware::from_fn(auth::middleware))
            .wrap(actix_web::middleware::from_fn(refuse_nul))
            .wrap(sessions)
            .wrap(
                DefaultHeaders::new()
                    .add(("X-Content-Type-Options", "nosniff"))
                    .add(("X-Frame-Options", "DENY"))
                    .add(("Referrer-Policy", "same-origin"))
                    .add((
                        "Permissions-Policy",
                        "camera=(), microphone=(), geolocation=(), payment=(), usb=(), \
                         interest-cohort=()",
                    ))
                    .add((
                        "Content-Security-Policy",
                        "default-src 'self'; img-src 'self' https: data:; style-src 'self'; \
                         script-src 'self'; frame-ancestors 'none'; form-action 'self'",
                    )),
            )
            // Browsers ignore HSTS over plain HTTP; it is sent when people reach Onramp by HTTPS.
            .wrap(Condition::new(
                hsts,
                DefaultHeaders::new().add((
                    "Strict-Transport-Security",
                    "max-age=31536000; includeSubDomains",
                )),
            ))
            .wrap_fn(move |req, srv| {
                use actix_web::dev::Service;
                use tracing::Instrument;
                let started = std::time::Instant::now();
                let id = access_log::start(&req);
                let span = tracing::info_span!("request", request_id = %id.0);
                let call = span.in_scope(|| srv.call(req));
                async move {
                    let mut res = call.await?;
                    let route = access_log::route_of(res.request());
                    let latency = started.elapsed();
                    crate::observe::request(&route, res.status().as_u16(), latency.as_secs_f64());
                    access_log::finish(&mut res, &route, latency, log_requests);
                    Ok(res)
                }
                .instrument(span)
            })
            .configure(routes)
    })
    .on_connect(tls::on_connect)
    // SIGTERM or Ctrl-C: stop accepting, let in-flight requests finish (each answer comes after
    // its commit), then return so that the process exits 0.
    .shutdown_timeout(shutdown);
    let mut server = server.listen(listener)?;
    if let Some(tls_listener) = tls_listener {
        server = server.listen_rustls_0_23(tls_listener.0, tls_listener.1)?;
    }
    let server = server.run();
    Ok(server)
}

/// Refuses a path or query that carries a NUL (`%00`): no id, filter or page holds one, and the
/// database could not compare it. A plain 400, before any handler runs.
async fn refuse_nul(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody + 'static>,
) -> Result<actix_web::dev::ServiceResponse<actix_web::body::BoxBody>, actix_web::Error> {
    // Checked on the raw bytes, without allocating: this runs on every request, `/token` too.
    let raw = req
        .uri()
        .path_and_query()
        .map_or("", |p| p.as_str())
        .as_bytes();
    if raw
        .windows(3)
        .any(|w| w[0] == b'%' && w[1] == b'0' && w[2] == b'0')
    {
        let res = HttpResponse::BadRequest()
            .content_type("text/plain; charset=utf-8")
            .body("A NUL character (%00) is not accepted in an address.");
        return Ok(req.into_response(res));
    }
    Ok(next.call(req).await?.map_into_boxed_body())
}

/// The metrics listener (`metrics.listen`): `GET /metrics` only, kept off the public network.
pub fn metrics_server(
    listener: TcpListener,
    state: AppState,
) -> std::io::Result<actix_web::dev::Server> {
    let data = web::Data::new(state);
    Ok(HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .route(paths::METRICS, web::get().to(api::health::metrics))
    })
    .workers(1)
    .disable_signals()
    .listen(listener)?
    .run())
}

fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route(paths::HEALTHZ, web::get().to(api::health::healthz))
        .route(paths::READYZ, web::get().to(api::health::readyz))
        .route(paths::METRICS, web::get().to(api::health::metrics))
        .route(
            "/.well-known/openid-configuration",
            web::get().to(api::discovery::openid_configuration),
        )
        .route("/jwks", web::get().to(api::discovery::jwks))
        .route("/sandbox/jwks", web::get().to(api::discovery::sandbox_jwks))
        .route("/openapi.json", web::get().to(api::openapi::openapi))
        .route(
            "/sandbox-directory/jwks",
            web::get().to(api::sandbox_directory::jwks),
        )
        .route(
            "/sandbox-directory/ca.pem",
            web::get().to(api::sandbox_directory::ca),
        )
        .route(
            "/sandbox-directory/software/{id}/jwks",
            web::get().to(api::sandbox_directory::software_jwks),
        )
        .route("/token", web::post().to(api::token::token))
        .route("/introspect", web::post().to(api::introspect::introspect))
        .route(
            "/sandbox/open-banking/v3.1/aisp/{rest:.*}",
            web::get().to(api::sandbox::aisp),
        )
        .route("/static/onramp.css", web::get().to(stylesheet))
        .route("/static/onramp.js", web::get().to(script))
        .configure(admin_api::routes)
        .configure(api::dcr::routes)
        .configure(portal::routes)
        .configure(admin::routes)
        .default_service(web::to(|| async {
            Err::<HttpResponse, PageError>(PageError::NotFound)
        }));
}

async fn stylesheet() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header(("Cache-Control", "public, max-age=3600"))
        .body(include_str!("../../static/onramp.css"))
}

async fn script() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/javascript; charset=utf-8")
        .insert_header(("Cache-Control", "public, max-age=3600"))
        .body(include_str!("../../static/onramp.js"))
}
