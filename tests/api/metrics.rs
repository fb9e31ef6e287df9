//! `/metrics`: after a short load, every metric the operations team alerts on is there, on the
//! public listener (CONTRACT.md) and on the listener of its own (`metrics.listen`), in the
//! Prometheus text format.

use crate::helpers::dcr::Dcr;
use std::collections::HashMap;

/// Samples by metric name: (labels text, value).
fn parse(text: &str) -> HashMap<String, Vec<(String, f64)>> {
    let mut out: HashMap<String, Vec<(String, f64)>> = HashMap::new();
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let (series, value) = line.rsplit_once(' ').expect("name value");
        let value: f64 = value.parse().expect("a number");
        let (name, labels) = match series.split_once('{') {
            Some((n, l)) => (n, l.trim_end_matches('}')),
            None => (series, ""),
        };
        out.entry(name.to_string())
            .or_default()
            .push((labels.to_string(), value));
    }
    out
}

fn value(m: &HashMap<String, Vec<(String, f64)>>, name: &str, labels: &[&str]) -> f64 {
    m.get(name)
        .unwrap_or_else(|| panic!("{name} is missing"))
        .iter()
        .filter(|(l, _)| labels.iter().all(|want| l.contains(want)))
        .map(|(_, v)| *v)
        .sum()
}

#[tokio::test]
async fn metrics_show_requests_tokens_registrations_tasks_outbox_commits_and_the_pool() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let d = Dcr::start_with("sandbox", |s| {
        s.metrics.listen = Some(format!("127.0.0.1:{port}"));
    })
    .await;
    let id = d.register().await["client_id"]
        .as_str()
        .unwrap()
        .to_string();
    d.token_for(&id).await;
    let bad = d
        .http(true)
        .post(format!("{}/register", d.base()))
        .header("Content-Type", "application/jwt")
        .body("not a jwt")
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    d.app.verified_tpp("Waiting Ltd").await;

    let text = reqwest::get(format!("http://127.0.0.1:{port}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let m = parse(&text);
    assert!(
        value(
            &m,
            "onramp_http_requests_total",
            &["route=\"/register\"", "status=\"201\""]
        ) >= 1.0
    );
    assert!(
        m.contains_key("onramp_http_request_duration_seconds_bucket"),
        "latency histogram"
    );
    assert!(value(&m, "onramp_registrations_total", &["outcome=\"201\""]) >= 1.0);
    assert!(
        value(
            &m,
            "onramp_registrations_total",
            &["outcome=\"invalid_client_metadata\""]
        ) >= 1.0
    );
    assert!(
        value(
            &m,
            "onramp_tokens_issued_total",
            &["environment=\"sandbox\""]
        ) >= 1.0
    );
    assert!(value(&m, "onramp_group_commit_batch_size_count", &[]) >= 1.0);
    assert!(m.contains_key("onramp_group_commit_seconds_bucket"));
    assert!(
        value(
            &m,
            "onramp_tasks_waiting",
            &["workflow=\"signup\"", "state=\"submitted\""]
        ) >= 1.0
    );
    assert!(m.contains_key("onramp_tasks_oldest_age_seconds"));
    assert!(m.contains_key("onramp_outbox_messages"));
    assert!(m.contains_key("onramp_jwks_fetch_failures_total"));
    assert!(value(&m, "onramp_db_pool_connections", &[]) >= 1.0);
    assert_eq!(value(&m, "onramp_database_up", &[]), 1.0);

    // The public listener serves the same document (CONTRACT.md names /metrics).
    let public = d.app.visitor.get("/metrics").await;
    assert_eq!(public.status(), 200);
    assert!(parse(&public.text().await.unwrap()).contains_key("onramp_registrations_total"));
}
