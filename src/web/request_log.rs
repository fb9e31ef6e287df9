//! One log line per request: the root span of each request carries `request_id`, the route and
//! (where a handler learns them) `client_id` and `organisation`; when the answer is ready, an
//! event inside that span adds `route`, `status` and `latency_ms`. With `log.format = "json"`
//! every field is on the line (the span's fields under `span`).

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::{Error, HttpMessage};
use tracing::Span;
use tracing_actix_web::{DefaultRootSpanBuilder, RootSpan, RootSpanBuilder};

/// The root span of every request, with room for the client and organisation.
pub struct RequestSpan;

impl RootSpanBuilder for RequestSpan {
    fn on_request_start(request: &ServiceRequest) -> Span {
        tracing_actix_web::root_span!(
            request,
            client_id = tracing::field::Empty,
            organisation = tracing::field::Empty
        )
    }

    fn on_request_end<B: MessageBody>(span: Span, outcome: &Result<ServiceResponse<B>, Error>) {
        DefaultRootSpanBuilder::on_request_end(span, outcome);
    }
}

/// Records the client and organisation a handler has learnt on the request's span.
pub fn note(client_id: Option<&str>, organisation: Option<&str>) {
    let span = Span::current();
    if let Some(c) = client_id {
        span.record("client_id", c);
    }
    if let Some(o) = organisation {
        span.record("organisation", o);
    }
}

/// Logs the finished request inside its root span.
pub fn finished<B>(res: &ServiceResponse<B>, route: &str, latency: std::time::Duration) {
    let span = res
        .request()
        .extensions()
        .get::<RootSpan>()
        .map(|s| (**s).clone());
    let log = || {
        tracing::info!(
            route,
            status = res.status().as_u16(),
            latency_ms = latency.as_secs_f64() * 1000.0,
            "request"
        );
    };
    match span {
        Some(s) => s.in_scope(log),
        None => log(),
    }
}
