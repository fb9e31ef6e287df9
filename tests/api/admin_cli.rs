//! `onramp tasks|clients|orgs`: the admin API's work for scripts, on the database through the
//! same services, with the acting admin named so that roles and four-eyes hold.

use crate::helpers::*;
use onramp::domain::AdminRole;

fn onramp(app: &TestApp, args: &[&str]) -> (bool, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_onramp"))
        .args(args)
        .env("ONRAMP_DATABASE_URL", &app.state.settings.database_url)
        .env("ONRAMP_WORKFLOWS_DIR", repo_workflows())
        .env("ONRAMP_DATA_DIR", &app.state.settings.data_dir)
        .env("ONRAMP_MAIL__TRANSPORT", "log")
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `onramp clients|orgs VERB ID --comment C --as EMAIL`.
fn change(
    app: &TestApp,
    what: &str,
    verb: &str,
    id: &str,
    comment: &str,
    admin: &str,
) -> (bool, String, String) {
    onramp(app, &[what, verb, id, "--comment", comment, "--as", admin])
}

/// `onramp tasks act ID --action approve --as EMAIL`.
fn approve_as(app: &TestApp, id: &str, email: &str) -> (bool, String, String) {
    let args = [
        "tasks",
        "act",
        id,
        "--action",
        "approve",
        "--comment",
        "ok",
        "--as",
        email,
    ];
    onramp(app, &args)
}

#[tokio::test]
async fn tasks_clients_and_orgs_from_the_command_line_follow_the_consoles_rules() {
    let app = spawn_app().await;
    let (_, tpp) = app.approved_tpp("Acme").await;
    let app_path = tpp
        .create_app(&[
            ("name", "Cash view"),
            ("redirect_uris", "https://cash.example/cb"),
            ("auth_method", "private_key_jwt"),
            ("jwks", JWKS),
            ("scopes", "accounts"),
        ])
        .await;
    let r = tpp
        .post_form(
            &format!("{app_path}/production-keys"),
            &[("use_case", "Cash positions for treasurers.")],
        )
        .await;
    assert_eq!(r.status(), 303);
    let (boss_email, boss) = app.admin(AdminRole::Superadmin).await;
    let task = boss.task_for("production-keys", "Acme").await;
    assert_eq!(boss.decide(&task, "review", "").await.status(), 303);
    let id = task.rsplit('/').next().unwrap();

    let (ok, out, _) = onramp(&app, &["tasks", "list", "--workflow", "production-keys"]);
    assert!(ok && out.contains(id) && out.contains("reviewed"), "{out}");

    let (ok, _, err) = approve_as(&app, id, &boss_email);
    assert!(!ok, "four-eyes: the reviewer may not approve");
    assert!(err.contains("someone other"), "{err}");
    let approver = app.create_admin(AdminRole::Approver).await;
    let (ok, out, err) = approve_as(&app, id, &approver);
    assert!(ok, "{out}{err}");
    let (ok, out, _) = onramp(&app, &["tasks", "show", id]);
    let shown: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(ok);
    assert_eq!(shown["state"], "approved");
    assert_eq!(
        shown["events"].as_array().unwrap().last().unwrap()["actor"],
        approver.as_str()
    );

    let (_, out, _) = onramp(&app, &["clients", "list", "--environment", "production"]);
    let line = out.lines().next().expect("the production client is listed");
    let client_id = line.split('\t').next().unwrap().to_string();
    assert!(line.contains("active") && line.contains("Acme"), "{line}");
    let reviewer = app.create_admin(AdminRole::Reviewer).await;
    let (ok, _, _) = change(&app, "clients", "suspend", &client_id, "x", &reviewer);
    assert!(!ok, "reviewers only read");
    let (ok, _, err) = change(&app, "clients", "suspend", &client_id, " ", &approver);
    assert!(!ok && err.contains("reason"), "a reason is required: {err}");
    let (ok, _, err) = change(
        &app, "clients", "suspend", &client_id, "Incident", &approver,
    );
    assert!(ok, "{err}");
    let (_, out, _) = onramp(&app, &["clients", "list", "--status", "suspended"]);
    assert!(out.contains(&client_id), "{out}");
    let (ok, _, _) = change(&app, "clients", "revoke", &client_id, "Done", &approver);
    assert!(ok);
    let (ok, _, _) = change(&app, "clients", "reactivate", &client_id, "x", &approver);
    assert!(!ok, "revoked is final");

    let (_, out, _) = onramp(&app, &["orgs", "list", "--status", "active"]);
    let org = out
        .lines()
        .find(|l| l.contains("Acme"))
        .unwrap()
        .split('\t')
        .next()
        .unwrap()
        .to_string();
    let (ok, out, err) = change(&app, "orgs", "suspend", &org, "Licence lapsed", &approver);
    assert!(ok && out.contains("suspended"), "{out}{err}");
    let (_, out, _) = onramp(&app, &["orgs", "list", "--status", "suspended"]);
    assert!(out.contains("Acme"), "{out}");
    let (ok, _, _) = change(
        &app,
        "orgs",
        "suspend",
        &org,
        "again",
        "nobody@bank.example",
    );
    assert!(!ok, "an unknown admin");
}
