//! Prometheus metrics: counters and histograms recorded where things happen (requests, tokens,
//! registrations, the group commit, JWKS fetches) through the `metrics` facade, and gauges
//! read from the database when scraped (tasks waiting and their age, the outbox, the pool).
//! Served at `/metrics` on every listener and, when `metrics.listen` is set, on a listener of
//! its own that the bank keeps off the public network.

use crate::state::AppState;
use crate::store;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// Installs the process's recorder once (every application built in this process shares it).
pub fn install() {
    HANDLE.get_or_init(|| {
        let buckets = [
            0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
        ];
        PrometheusBuilder::new()
            .set_buckets(&buckets)
            .ok()
            .and_then(|b| b.install_recorder().ok())
    });
    // Counters that may stay at zero for a long time are shown from the start, so that an alert
    // on their rate has a series to read.
    metrics::counter!("onramp_jwks_fetch_failures_total").increment(0);
}

/// Folds the histograms' recorded samples into their buckets. The exporter keeps every sample
/// until a scrape or this upkeep does so; without it a node that nobody scrapes would grow by
/// eight bytes per request. A task of its own calls it every second.
pub fn upkeep() {
    if let Some(Some(handle)) = HANDLE.get() {
        handle.run_upkeep();
    }
}

/// Records a served request.
pub fn request(route: &str, status: u16, seconds: f64) {
    let labels = [("route", route.to_string()), ("status", status.to_string())];
    metrics::counter!("onramp_http_requests_total", &labels).increment(1);
    metrics::histogram!("onramp_http_request_duration_seconds", &labels).record(seconds);
}

/// Records an issued access token.
pub fn token_issued(method: &str, environment: &str) {
    metrics::counter!(
        "onramp_tokens_issued_total",
        "method" => method.to_string(),
        "environment" => environment.to_string()
    )
    .increment(1);
}

/// Records a registration's outcome: `201`, or the RFC 7591 error code.
pub fn registration(outcome: &str) {
    metrics::counter!("onramp_registrations_total", "outcome" => outcome.to_string()).increment(1);
}

// The group commit (`onramp_group_commit_batch_size`, `onramp_group_commit_seconds`) and the
// JWKS cache (`onramp_jwks_fetch_failures_total`) record through the facade where they run.

/// Reads the gauges that live in the database, then renders everything in Prometheus text.
pub async fn render(st: &AppState) -> String {
    let up = store::ping(&st.db).await;
    metrics::gauge!("onramp_database_up").set(f64::from(u8::from(up)));
    if let Ok((pending, failed)) = crate::email::outbox::counts(&st.db).await {
        metrics::gauge!("onramp_outbox_messages", "status" => "pending").set(pending as f64);
        metrics::gauge!("onramp_outbox_messages", "status" => "failed").set(failed as f64);
    }
    if let Ok(rows) = store::workflows::counts_by_state(&st.db).await {
        let now = st.clock.now();
        for wf in st.workflows.all() {
            for state in wf.states.iter().filter(|s| !s.terminal) {
                let found = rows
                    .iter()
                    .find(|(w, s, _, _)| *w == wf.name && *s == state.name);
                let (n, age) = found.map_or((0, 0.0), |(_, _, n, oldest)| {
                    (*n, (now - *oldest).num_seconds().max(0) as f64)
                });
                let labels = [("workflow", wf.name.clone()), ("state", state.name.clone())];
                metrics::gauge!("onramp_tasks_waiting", &labels).set(n as f64);
                metrics::gauge!("onramp_tasks_oldest_age_seconds", &labels).set(age);
            }
        }
    }
    let (in_use, idle) = store::pool_usage(&st.db);
    metrics::gauge!("onramp_db_pool_connections", "state" => "in_use").set(in_use as f64);
    metrics::gauge!("onramp_db_pool_connections", "state" => "idle").set(idle as f64);
    HANDLE
        .get()
        .and_then(Option::as_ref)
        .map(PrometheusHandle::render)
        .unwrap_or_default()
}
