//! One log line per answered request (`log.requests`, on by default): the request id (also sent
//! back as `X-Request-Id`), the route pattern (never the raw path, so ids and tokens stay out),
//! status, latency, and the OAuth client and organisation where the handler learned them. With
//! `log.format = "json"` each is a field of the line. Each request also runs in a `request`
//! span carrying its id, so that whatever it logs on the way can be matched to its line.

use actix_web::dev::ServiceResponse;
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::{HttpMessage, HttpRequest};
use std::time::Duration;

/// A request's id: a random UUID, sent back as `X-Request-Id`.
#[derive(Clone, Copy, Debug)]
pub struct RequestId(pub uuid::Uuid);

/// Gives the request its id.
pub fn start(req: &actix_web::dev::ServiceRequest) -> RequestId {
    let id = RequestId(uuid::Builder::from_random_bytes(rand::random()).into_uuid());
    req.extensions_mut().insert(id);
    id
}

/// The request's route pattern (never the raw path, so ids stay out of logs and labels).
/// Matching a path against every pattern is the router's slow way, so a path that is its own
/// pattern (`/token`, `/register`) is remembered per worker thread.
pub fn route_of(req: &HttpRequest) -> String {
    use std::cell::RefCell;
    use std::collections::HashSet;
    thread_local! {
        static STATIC: RefCell<HashSet<String>> = RefCell::new(HashSet::new());
    }
    let path = req.path();
    if STATIC.with(|s| s.borrow().contains(path)) {
        return path.to_string();
    }
    let route = req.match_pattern().unwrap_or_else(|| "unmatched".into());
    if route == path {
        STATIC.with(|s| {
            let mut s = s.borrow_mut();
            if s.len() < 512 {
                s.insert(route.clone());
            }
        });
    }
    route
}

/// What a handler learned about who is calling.
#[derive(Clone, Debug, Default)]
struct Known {
    client_id: Option<String>,
    organisation: Option<String>,
}

fn update(req: &HttpRequest, f: impl FnOnce(&mut Known)) {
    let mut ext = req.extensions_mut();
    let mut known = ext.remove::<Known>().unwrap_or_default();
    f(&mut known);
    ext.insert(known);
}

/// The request is about this OAuth client (and its organisation, when known).
pub fn note_client(req: &HttpRequest, client_id: &str, organisation: Option<String>) {
    update(req, |k| {
        k.client_id = Some(client_id.to_string());
        if organisation.is_some() {
            k.organisation = organisation;
        }
    });
}

/// The request is made for this organisation (a signed-in member's).
pub fn note_organisation(req: &HttpRequest, organisation: String) {
    update(req, |k| k.organisation = Some(organisation));
}

/// Adds `X-Request-Id` and, when `log` is set, writes the request's line.
pub fn finish<B>(res: &mut ServiceResponse<B>, route: &str, latency: Duration, log: bool) {
    let request_id = res
        .request()
        .extensions()
        .get::<RequestId>()
        .map(|id| id.0.to_string())
        .unwrap_or_default();
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        res.headers_mut()
            .insert(HeaderName::from_static("x-request-id"), v);
    }
    if !log {
        return;
    }
    let known = res
        .request()
        .extensions()
        .get::<Known>()
        .cloned()
        .unwrap_or_default();
    tracing::info!(
        request_id = %request_id,
        method = %res.request().method(),
        route = %route,
        status = res.status().as_u16(),
        latency_ms = latency.as_secs_f64() * 1000.0,
        client_id = known.client_id.as_deref().unwrap_or(""),
        organisation = known.organisation.as_deref().unwrap_or(""),
        "request"
    );
}
