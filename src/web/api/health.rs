//! `/healthz` (the process answers), `/readyz` (database, migrations, signing keys) and `/metrics`
//! (Prometheus text).

use crate::clients::Environment;
use crate::state::AppState;
use crate::store;
use actix_web::{HttpResponse, web};

/// Liveness.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().content_type("text/plain").body("ok")
}

/// Readiness: 200 when the database answers, its migrations are current and both
/// environments' signing keys are loaded; 503 with the reason otherwise.
pub async fn readyz(st: web::Data<AppState>) -> HttpResponse {
    let not_ready = |why: &str| {
        HttpResponse::ServiceUnavailable()
            .content_type("text/plain")
            .body(why.to_string())
    };
    if !store::ping(&st.db).await {
        return not_ready("database unreachable");
    }
    match store::pending_migrations(&st.db).await {
        Ok(0) => {}
        Ok(n) => return not_ready(&format!("{n} migrations pending")),
        Err(_) => return not_ready("migrations unknown"),
    }
    let keys = [Environment::Production, Environment::Sandbox]
        .into_iter()
        .all(|env| st.keys.get(env).signer().is_some());
    if !keys {
        return not_ready("signing keys not loaded");
    }
    HttpResponse::Ok().content_type("text/plain").body("ready")
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
