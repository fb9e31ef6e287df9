//! Webhooks: a state with `notify` sends a signed event to a local receiver, retried after a
//! 500; unknown webhook names stop start-up with file and line; loopback needs the test switch.

use crate::helpers::*;
use base64::Engine;
use hmac::{Hmac, Mac};
use onramp::config::WebhookSettings;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/// One request the receiver got: headers (lower-case names) and body.
#[derive(Clone, Debug)]
struct Received {
    headers: HashMap<String, String>,
    body: String,
}

/// A local HTTP receiver that answers the statuses of `script` in turn (then 200), recording
/// each request.
async fn receiver(script: Vec<u16>) -> (String, Arc<Mutex<Vec<Received>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!(
        "http://127.0.0.1:{}/hook",
        listener.local_addr().unwrap().port()
    );
    let got = Arc::new(Mutex::new(Vec::new()));
    let log = got.clone();
    tokio::spawn(async move {
        let mut n = 0;
        while let Ok((mut sock, _)) = listener.accept().await {
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            let (head, body) = loop {
                let k = sock.read(&mut chunk).await.unwrap_or(0);
                if k == 0 {
                    break (String::new(), String::new());
                }
                buf.extend_from_slice(&chunk[..k]);
                let text = String::from_utf8_lossy(&buf).to_string();
                if let Some((head, body)) = text.split_once("\r\n\r\n") {
                    let len: usize = head
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase()
                                .strip_prefix("content-length:")
                                .map(|v| v.trim().parse().unwrap())
                        })
                        .unwrap_or(0);
                    if body.len() >= len {
                        break (head.to_string(), body.to_string());
                    }
                }
            };
            let headers = head
                .lines()
                .skip(1)
                .filter_map(|l| l.split_once(':'))
                .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
                .collect();
            log.lock().unwrap().push(Received { headers, body });
            let status = script.get(n).copied().unwrap_or(200);
            n += 1;
            let _ = sock
                .write_all(
                    format!(
                        "HTTP/1.1 {status} X\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                    )
                    .as_bytes(),
                )
                .await;
        }
    });
    (url, got)
}

/// The repository's workflows with `notify = [name]` on the signup's `submitted` state.
fn workflows_notifying(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for e in std::fs::read_dir(repo_workflows()).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "toml") {
            let mut text = std::fs::read_to_string(&p).unwrap();
            if p.file_name().unwrap() == "signup.toml" {
                let at = text.find("name = \"submitted\"").unwrap();
                text.insert_str(at, &format!("notify = [\"{name}\"]\n"));
            }
            std::fs::write(dir.path().join(p.file_name().unwrap()), text).unwrap();
        }
    }
    dir
}

fn hook(url: &str) -> WebhookSettings {
    WebhookSettings {
        name: "case-tool".into(),
        url: url.into(),
        secret: SECRET.to_string().into(),
    }
}

async fn wait_for(got: &Arc<Mutex<Vec<Received>>>, n: usize) -> Vec<Received> {
    for _ in 0..100 {
        if got.lock().unwrap().len() >= n {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    got.lock().unwrap().clone()
}

#[tokio::test]
async fn a_notified_state_posts_a_signed_event_and_retries_after_a_500() {
    let (url, got) = receiver(vec![500]).await;
    let wf = workflows_notifying("case-tool");
    let app = spawn_app_with(|s| {
        s.workflows_dir = wf.path().to_path_buf();
        s.webhooks = vec![hook(&url)];
        s.outbound.allow_http = true;
        s.outbound.allow_private_addresses = true;
    })
    .await;
    app.verified_tpp("Acme").await;
    let reqs = wait_for(&got, 2).await;
    assert_eq!(
        reqs.len(),
        2,
        "one attempt answered 500, then a retry: {reqs:?}"
    );
    assert_eq!(reqs[0].body, reqs[1].body, "the retry sends the same event");
    assert_eq!(reqs[0].headers["webhook-id"], reqs[1].headers["webhook-id"]);

    let r = &reqs[1];
    let id = &r.headers["webhook-id"];
    let ts = &r.headers["webhook-timestamp"];
    let key = base64::engine::general_purpose::STANDARD
        .decode(SECRET.trim_start_matches("whsec_"))
        .unwrap();
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(&key).unwrap();
    mac.update(format!("{id}.{ts}.{}", r.body).as_bytes());
    let expected = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    assert_eq!(r.headers["webhook-signature"], format!("v1,{expected}"));
    assert!(r.headers["content-type"].starts_with("application/json"));

    let event: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(event["type"], "task.state_entered");
    assert_eq!(event["data"]["workflow"], "signup");
    assert_eq!(event["data"]["state"], "submitted");
    assert_eq!(event["data"]["legal_name"], "Acme");
    assert!(
        event["data"]["link"]
            .as_str()
            .unwrap()
            .contains("/admin/tasks/")
    );

    for _ in 0..50 {
        if onramp::store::outbox::status_of(&app.state.db, id)
            .await
            .unwrap()
            .unwrap()
            .0
            == "sent"
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (status, attempts) = onramp::store::outbox::status_of(&app.state.db, id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((status.as_str(), attempts), ("sent", 2));
    assert!(
        app.emails()
            .await
            .iter()
            .all(|m| !m.body.contains("task.state_entered")),
        "the event never goes out as mail"
    );
}

#[tokio::test]
async fn loopback_receivers_are_refused_without_the_test_switch() {
    let (url, got) = receiver(vec![]).await;
    let wf = workflows_notifying("case-tool");
    let app = spawn_app_with(|s| {
        s.workflows_dir = wf.path().to_path_buf();
        s.webhooks = vec![hook(&url)];
        s.outbound.allow_http = true;
    })
    .await;
    app.verified_tpp("Acme").await;
    onramp::webhooks::deliver_due(&app.state).await.unwrap();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(got.lock().unwrap().is_empty(), "the SSRF guard held");
    use sea_orm::{ConnectionTrait, Statement};
    let rows = app
        .state
        .db
        .query_all_raw(Statement::from_string(
            app.state.db.get_database_backend(),
            "SELECT status, attempts, last_error FROM outbox WHERE kind = 'webhook'",
        ))
        .await
        .unwrap();
    assert_eq!(rows.len(), 1, "one event queued");
    let status: String = rows[0].try_get("", "status").unwrap();
    let attempts: i32 = rows[0].try_get("", "attempts").unwrap();
    let error: String = rows[0].try_get("", "last_error").unwrap();
    assert_eq!(status, "pending", "it waits for a retry");
    assert!(attempts >= 1);
    assert!(error.contains("address is not allowed"), "{error}");
}

#[tokio::test]
async fn an_unknown_webhook_name_stops_start_up_with_file_and_line() {
    let wf = workflows_notifying("case-tool");
    let dir = tempfile::tempdir().unwrap();
    let mut settings = test_settings(dir.path(), wf.path()).await;
    let err = onramp::startup::load_workflows(&settings)
        .unwrap_err()
        .to_string();
    assert!(err.contains("signup.toml:"), "{err}");
    assert!(err.contains("case-tool"), "{err}");
    let line: usize = err
        .split("signup.toml:")
        .nth(1)
        .and_then(|r| r.split(':').next())
        .and_then(|n| n.parse().ok())
        .unwrap();
    let text = std::fs::read_to_string(wf.path().join("signup.toml")).unwrap();
    let notify_line = text
        .lines()
        .position(|l| l.starts_with("notify = [\"case-tool\"]"))
        .unwrap()
        + 1;
    assert!(
        line <= notify_line && notify_line - line < 8,
        "line {line} near {notify_line}"
    );
    settings.webhooks = vec![hook("https://case.bank.example/hook")];
    assert!(onramp::startup::load_workflows(&settings).is_ok());
}
