//! `/healthz` (the process answers), `/readyz` (the database answers) and `/metrics`
//! (Prometheus text).

use crate::state::AppState;
use crate::store;
use actix_web::{HttpResponse, web};

/// Liveness.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().content_type("text/plain").body("ok")
}

/// Readiness: 200 when the database answers, 503 otherwise.
pub async fn readyz(st: web::Data<AppState>) -> HttpResponse {
    if store::ping(&st.db).await {
        HttpResponse::Ok().content_type("text/plain").body("ready")
    } else {
        HttpResponse::ServiceUnavailable()
            .content_type("text/plain")
            .body("database unreachable")
    }
}

/// A few gauges in Prometheus text format.
pub async fn metrics(st: web::Data<AppState>) -> HttpResponse {
    let up = u8::from(store::ping(&st.db).await);
    let (pending, failed) = crate::email::outbox::counts(&st.db).await.unwrap_or((0, 0));
    let body = format!(
        "# HELP onramp_database_up Whether the database answers.\n# TYPE onramp_database_up gauge\n\
         onramp_database_up {up}\n\
         # HELP onramp_mail_outbox Messages in the outbox by status.\n# TYPE onramp_mail_outbox gauge\n\
         onramp_mail_outbox{{status=\"pending\"}} {pending}\n\
         onramp_mail_outbox{{status=\"failed\"}} {failed}\n"
    );
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(body)
}
