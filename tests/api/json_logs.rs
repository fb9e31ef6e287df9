//! `log.format = "json"`: a real `onramp serve` writes one line per request with its request
//! id, route, status, latency and, where known, the client.

use crate::helpers::*;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

#[tokio::test]
async fn json_log_lines_carry_request_id_route_status_latency_and_client() {
    onramp::startup::install_crypto();
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut child = Command::new(env!("CARGO_BIN_EXE_onramp"))
        .arg("serve")
        .env("ONRAMP_LISTEN", format!("127.0.0.1:{port}"))
        .env("ONRAMP_PUBLIC_URL", &base)
        .env(
            "ONRAMP_DATABASE_URL",
            format!("sqlite://{}/o.db?mode=rwc", dir.path().display()),
        )
        .env("ONRAMP_DATA_DIR", dir.path())
        .env("ONRAMP_WORKFLOWS_DIR", repo_workflows())
        .env("ONRAMP_MAIL__TRANSPORT", "log")
        .env("ONRAMP_LOG__FORMAT", "json")
        .env("ONRAMP_SECURITY__ARGON2_MEMORY_KIB", "64")
        .env("ONRAMP_SECURITY__ARGON2_ITERATIONS", "1")
        .env_remove("RUST_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let http = reqwest::Client::new();
    let mut up = false;
    for _ in 0..200 {
        if http.get(format!("{base}/healthz")).send().await.is_ok() {
            up = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(up, "onramp serve answered");
    let r = http
        .post(format!("{base}/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "probe-client"),
            ("client_secret", "x"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    tokio::time::sleep(Duration::from_millis(300)).await;
    child.kill().unwrap();
    let out = child.wait_with_output().unwrap();
    let mut lines = BufReader::new(&out.stdout[..])
        .lines()
        .map_while(Result::ok)
        .collect::<Vec<_>>();
    lines.extend(
        BufReader::new(&out.stderr[..])
            .lines()
            .map_while(Result::ok),
    );
    let events: Vec<serde_json::Value> = lines
        .iter()
        .filter_map(|l| serde_json::from_str(l).ok())
        .filter(|v: &serde_json::Value| v["fields"]["message"] == "request")
        .collect();
    let token = events
        .iter()
        .find(|v| v["fields"]["route"] == "/token")
        .unwrap_or_else(|| panic!("a /token line in {lines:?}"));
    assert_eq!(token["fields"]["status"], 401);
    assert!(token["fields"]["latency_ms"].as_f64().unwrap() > 0.0);
    assert_eq!(token["span"]["client_id"], "probe-client");
    assert!(!token["span"]["request_id"].as_str().unwrap().is_empty());
    let health = events
        .iter()
        .find(|v| v["fields"]["route"] == "/healthz")
        .unwrap();
    assert_ne!(health["span"]["request_id"], token["span"]["request_id"]);
}
