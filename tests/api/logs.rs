//! `log.format = "json"`: one line per answered request with its request id (also in
//! `X-Request-Id`), route pattern, status, latency, client id and organisation; no colour codes
//! when the output is not a terminal.

use crate::helpers::*;
use serde_json::Value;

#[tokio::test]
async fn json_request_lines_name_the_request_route_status_latency_client_and_organisation() {
    let app = spawn_app().await;
    let (_, tpp) = app.approved_tpp("Logged Ltd").await;
    let path = tpp.create_app(APP).await;
    let (id, secret) = tpp.sandbox_keys(&path).await;
    let dir = tempfile::tempdir().unwrap();
    let url = &app.state.settings.database_url;
    let mut node = Node::start_logged(
        url,
        dir.path(),
        "http://localhost",
        &[("ONRAMP_LOG__FORMAT", "json")],
    );
    node.wait_ready().await;
    let http = reqwest::Client::new();
    let r = http
        .post(format!("{}/token", node.address))
        .basic_auth(&id, secret.as_deref())
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let request_id = r.headers()["x-request-id"].to_str().unwrap().to_string();
    assert_eq!(request_id.len(), 36, "a UUID: {request_id}");
    let page = format!("{}/applications/{}", node.address, uuid::Uuid::new_v4());
    http.get(page).send().await.unwrap();
    let out = node.stop();
    assert!(!out.contains('\u{1b}'), "no ANSI colour codes in a pipe");
    // The start-up banner is for people; every log line is JSON.
    let lines: Vec<Value> = out
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let line = lines
        .iter()
        .map(|l| &l["fields"])
        .find(|f| f["request_id"] == request_id.as_str())
        .unwrap_or_else(|| panic!("no line for {request_id} in {out}"));
    assert_eq!(line["message"], "request");
    assert_eq!(line["route"], "/token");
    assert_eq!(line["method"], "POST");
    assert_eq!(line["status"], 200);
    assert!(line["latency_ms"].as_f64().unwrap() > 0.0);
    assert_eq!(line["client_id"], id.as_str());
    assert_eq!(line["organisation"].as_str().unwrap().len(), 36, "{line}");
    // Route patterns, never raw paths: the id in the URL stays out of the log.
    assert!(
        lines
            .iter()
            .any(|l| l["fields"]["route"] == "/applications/{id}"),
        "{out}"
    );
}
