//! Operations: the tamper-evident audit chain (`onramp audit verify` names the first broken
//! row), its export, and SQLite backup while writes go on, then restore into a new database.

use crate::helpers::*;
use onramp::domain::Actor;
use onramp::store::audit::ChainReport;
use sea_orm::{ConnectionTrait, Statement};

async fn sql(app: &TestApp, q: &str) {
    app.state
        .db
        .execute_raw(Statement::from_string(
            app.state.db.get_database_backend(),
            q,
        ))
        .await
        .unwrap();
}

fn onramp(app: &TestApp, args: &[&str]) -> std::process::Output {
    app.cli(args)
}

#[tokio::test]
async fn the_audit_chain_holds_and_names_the_first_row_an_edit_broke() {
    let app = spawn_app().await;
    app.approved_tpp("Acme").await;
    let report = onramp::ops::verify_audit(&app.state.db).await.unwrap();
    let ChainReport::Intact { chained, .. } = report else {
        panic!("{report:?}")
    };
    assert!(chained >= 3, "signup, verification, approval: {chained}");
    let out = onramp(&app, &["audit", "verify"]);
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("The audit chain holds"));

    let out = onramp(&app, &["audit", "export", "--since", "2000-01-01"]);
    assert!(out.status.success());
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len() as u64, chained);
    assert_eq!(lines[0]["seq"], 1);

    // Someone edits a row in the database: the walk names it.
    sql(
        &app,
        "UPDATE audit_events SET actor_name = 'someone else' WHERE seq = 2",
    )
    .await;
    match onramp::ops::verify_audit(&app.state.db).await.unwrap() {
        ChainReport::Broken { seq, reason, .. } => {
            assert_eq!(seq, 2);
            assert!(reason.contains("does not match its hash"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    let out = onramp(&app, &["audit", "verify"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("breaks at row 2"));

    // Someone deletes a row: the gap is named.
    let app = spawn_app().await;
    app.approved_tpp("Acme").await;
    sql(&app, "DELETE FROM audit_events WHERE seq = 2").await;
    match onramp::ops::verify_audit(&app.state.db).await.unwrap() {
        ChainReport::Broken { seq, reason, .. } => {
            assert_eq!(seq, 3);
            assert!(reason.contains("row 2 is missing"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
}

/// Commits one audit event in its own transaction, as every service does; returns its subject.
async fn commit_event(app: &TestApp, i: usize) -> String {
    let st = &app.state;
    let subject = format!("load-{i}");
    let (tx, gate) = st.begin().await.unwrap();
    onramp::audit::record(
        &tx,
        onramp::audit::Event {
            actor: &Actor::System,
            action: "test.load",
            subject_type: "test",
            subject_id: subject.clone(),
            organisation: None,
            detail: serde_json::json!({ "i": i }),
            ip: None,
        },
        st.clock.now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    drop(gate);
    subject
}

#[tokio::test]
async fn a_backup_taken_during_writes_restores_every_row_committed_before_it() {
    let app = spawn_app().await;
    if onramp::ops::sqlite_file(&app.state.settings.database_url).is_none() {
        // PostgreSQL is backed up with pg_dump (README); this covers the SQLite commands.
        return;
    }
    let app = std::sync::Arc::new(app);
    let mut before = Vec::new();
    for i in 0..50 {
        before.push(commit_event(&app, i).await);
    }
    // Writes go on while the backup runs.
    let writer = {
        let app = app.clone();
        tokio::spawn(async move {
            for i in 50..250 {
                commit_event(&app, i).await;
            }
        })
    };
    let dir = tempfile::tempdir().unwrap();
    let backup = dir.path().join("backup.db");
    let out = onramp(&app, &["backup", "--out", backup.to_str().unwrap()]);
    assert!(out.status.success(), "{out:?}");
    writer.await.unwrap();
    let again = onramp(&app, &["backup", "--out", backup.to_str().unwrap()]);
    assert!(
        !again.status.success(),
        "an existing file is never overwritten"
    );

    let restored = dir.path().join("restored.db");
    let url = format!("sqlite://{}?mode=rwc", restored.display());
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_onramp"))
        .args(["restore", "--from", backup.to_str().unwrap()])
        .env("ONRAMP_DATABASE_URL", &url)
        .env("ONRAMP_WORKFLOWS_DIR", repo_workflows())
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("the audit chain holds"));
    let db = onramp::store::connect(&url).await.unwrap();
    let rows = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT subject_id FROM audit_events WHERE action = 'test.load'",
        ))
        .await
        .unwrap();
    let found: std::collections::HashSet<String> = rows
        .iter()
        .map(|r| r.try_get::<String>("", "subject_id").unwrap())
        .collect();
    for s in &before {
        assert!(found.contains(s), "{s} was committed before the backup");
    }
    assert!(matches!(
        onramp::ops::verify_audit(&db).await.unwrap(),
        ChainReport::Intact { .. }
    ));
    // Restoring over an existing database is refused.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_onramp"))
        .args(["restore", "--from", backup.to_str().unwrap()])
        .env("ONRAMP_DATABASE_URL", &url)
        .output()
        .unwrap();
    assert!(!out.status.success());
}

#[tokio::test]
async fn a_real_server_is_ready_then_stops_on_sigterm_and_exits_zero() {
    let app = spawn_app().await;
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_onramp"))
        .arg("serve")
        .env("ONRAMP_DATABASE_URL", &app.state.settings.database_url)
        .env("ONRAMP_WORKFLOWS_DIR", repo_workflows())
        .env("ONRAMP_DATA_DIR", dir.path())
        .env("ONRAMP_LISTEN", format!("127.0.0.1:{port}"))
        .env("ONRAMP_PUBLIC_URL", format!("http://127.0.0.1:{port}"))
        .env("ONRAMP_MAIL__TRANSPORT", "log")
        .env("ONRAMP_SHUTDOWN_TIMEOUT", "5s")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let url = format!("http://127.0.0.1:{port}/readyz");
    let mut ready = None;
    for _ in 0..200 {
        if let Ok(r) = reqwest::get(&url).await {
            ready = Some((r.status().as_u16(), r.text().await.unwrap()));
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(ready, Some((200, "ready".to_string())));
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "still running after SIGTERM"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert!(status.success(), "exit 0 after a graceful stop: {status:?}");
    let mut out = String::new();
    std::io::Read::read_to_string(&mut child.stdout.take().unwrap(), &mut out).unwrap();
    assert!(out.contains("Onramp stopped."), "{out}");
    assert!(reqwest::get(&url).await.is_err(), "no longer listening");
}
