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

/// Every metric in Prometheus text format (see [`crate::observe`]).
pub async fn metrics(st: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .insert_header(("Cache-Control", "no-store"))
        .body(crate::observe::render(&st).await)
}
