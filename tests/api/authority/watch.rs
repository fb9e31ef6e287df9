//! Watching afterwards: a scheduled re-check (or `authority check`) that finds the
//! authorisation newly withdrawn suspends the organisation's production clients, mails its
//! members and audits it, once; sandbox keys stay. A lost role suspends exactly the production
//! clients whose scopes need it. Each change opens one "Authorisation changed" admin task with
//! the evidence before and after and the clients suspended; "Reactivate clients" brings exactly
//! those back.

use super::registers::CSV;
use crate::helpers::*;
use onramp::domain::AdminRole;
use sea_orm::{ConnectionTrait, Statement};

async fn statuses(app: &TestApp) -> Vec<(String, String)> {
    let db = &app.state.db;
    db.query_all_raw(Statement::from_string(
        db.get_database_backend(),
        "SELECT environment, status FROM clients ORDER BY environment",
    ))
    .await
    .unwrap()
    .iter()
    .map(|r| {
        (
            r.try_get::<String>("", "environment").unwrap(),
            r.try_get::<String>("", "status").unwrap(),
        )
    })
    .collect()
}

#[tokio::test]
async fn a_withdrawal_found_by_a_recheck_suspends_production_keys_once() {
    let app = spawn_app().await;
    let (email, tpp) = app.approved_tpp("Acme TPP Ltd").await;
    super::import_csv(&app, CSV).await;
    let org = super::org_named(&app, "Acme").await;
    let (_, acted) = onramp::watch::check_and_act(&app.state, &org)
        .await
        .unwrap();
    assert!(!acted, "authorised: nothing to do");

    let app_path = tpp.create_app(crate::production::KEY_APP).await;
    tpp.sandbox_keys(&app_path).await;
    let r = tpp
        .post_form(
            &format!("{app_path}/production-keys"),
            &[("use_case", "Account views for small firms.")],
        )
        .await;
    assert_eq!(r.status(), 303);
    let (_, reviewer) = app.admin(AdminRole::Reviewer).await;
    let (_, approver) = app.admin(AdminRole::Approver).await;
    let task = reviewer.task_for("production-keys", "Acme TPP Ltd").await;
    assert_eq!(reviewer.decide(&task, "review", "").await.status(), 303);
    assert_eq!(approver.decide(&task, "approve", "").await.status(), 303);
    let active = vec![
        ("production".to_string(), "active".to_string()),
        ("sandbox".to_string(), "active".to_string()),
    ];
    assert_eq!(statuses(&app).await, active);

    // Not yet due: a re-check within `authority.recheck` does nothing.
    super::import_csv(
        &app,
        &CSV.replace(
            "Acme TPP Ltd,authorised,AISP;PISP,2019-01-02,",
            "Acme TPP Ltd,withdrawn,AISP;PISP,2019-01-02,2026-11-29",
        ),
    )
    .await;
    assert_eq!(onramp::watch::recheck_due(&app.state).await.unwrap(), 0);
    assert_eq!(statuses(&app).await, active);

    app.state.clock.advance(chrono::Duration::hours(25));
    assert_eq!(onramp::watch::recheck_due(&app.state).await.unwrap(), 1);
    assert_eq!(
        statuses(&app).await,
        vec![
            ("production".to_string(), "suspended".to_string()),
            ("sandbox".to_string(), "active".to_string()),
        ],
        "production keys suspended, sandbox keys stay"
    );
    let mail = app.emails_to(&email).await.pop().unwrap();
    assert!(mail.subject.contains("suspended"), "{}", mail.subject);
    assert!(mail.body.contains("withdrawn"), "{}", mail.body);
    let (rows, _) = onramp::audit::list(
        &app.state.db,
        &onramp::audit::AuditFilter {
            action: Some("authority.withdrawn".into()),
            ..Default::default()
        },
        onramp::store::Page::new(1, 10),
    )
    .await
    .unwrap();
    assert_eq!(rows.len(), 1);
    // A fresh sign-in: the clock moved past the earlier sessions' idle limit.
    let (_, admin) = app.admin(AdminRole::Reviewer).await;
    assert_eq!(change_tasks(&admin).await, 1);

    // Acted once: the same withdrawal found again changes nothing more.
    app.state.clock.advance(chrono::Duration::hours(25));
    let mails = app.emails_to(&email).await.len();
    assert_eq!(onramp::watch::recheck_due(&app.state).await.unwrap(), 0);
    assert_eq!(app.emails_to(&email).await.len(), mails);
    let (_, admin) = app.admin(AdminRole::Reviewer).await;
    assert_eq!(change_tasks(&admin).await, 1, "one task per change");
}

/// How many "Authorisation changed" tasks the inbox lists.
async fn change_tasks(admin: &Visitor) -> usize {
    let html = admin.get_html("/admin?workflow=authority-change").await;
    texts(&html, "table.data tbody a").len()
}

/// Requests production keys for a new application with `scope`, approved by two admins.
async fn production_client(app: &TestApp, tpp: &Visitor, name: &str, scope: &str) {
    let fields: Vec<(&str, &str)> = crate::production::KEY_APP
        .iter()
        .map(|&(k, v)| match k {
            "name" => (k, name),
            "scopes" => (k, scope),
            _ => (k, v),
        })
        .collect();
    let app_path = tpp.create_app(&fields).await;
    let r = tpp
        .post_form(
            &format!("{app_path}/production-keys"),
            &[("use_case", "Account views and payments for small firms.")],
        )
        .await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    let (_, reviewer) = app.admin(AdminRole::Reviewer).await;
    let (_, approver) = app.admin(AdminRole::Approver).await;
    let html = reviewer.get_html("/admin?workflow=production-keys").await;
    let task = attr(&html, "table.data tbody a", "href").unwrap();
    assert_eq!(reviewer.decide(&task, "review", "").await.status(), 303);
    assert_eq!(approver.decide(&task, "approve", "").await.status(), 303);
}

#[tokio::test]
async fn a_lost_role_suspends_exactly_the_production_clients_that_need_it() {
    let app = spawn_app().await;
    let (_, tpp) = app.approved_tpp("Acme TPP Ltd").await;
    super::import_csv(&app, CSV).await;
    let org = super::org_named(&app, "Acme").await;
    onramp::watch::check_and_act(&app.state, &org)
        .await
        .unwrap();
    production_client(&app, &tpp, "Views", "accounts").await;
    production_client(&app, &tpp, "Payments", "payments").await;
    let db = &app.state.db;
    let by_scope = || async {
        db.query_all_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT metadata, status FROM clients WHERE environment = 'production'",
        ))
        .await
        .unwrap()
        .iter()
        .map(|r| {
            let meta: serde_json::Value =
                serde_json::from_str(&r.try_get::<String>("", "metadata").unwrap()).unwrap();
            (
                meta["scope"].as_str().unwrap_or_default().to_string(),
                r.try_get::<String>("", "status").unwrap(),
            )
        })
        .collect::<std::collections::BTreeMap<_, _>>()
    };
    assert_eq!(
        by_scope().await.values().filter(|s| *s == "active").count(),
        2
    );

    // The register now lists the firm for AIS only: PIS is lost.
    super::import_csv(&app, &CSV.replace("AISP;PISP", "AISP")).await;
    let (findings, acted) = onramp::watch::check_and_act(&app.state, &org)
        .await
        .unwrap();
    assert!(acted, "{findings:?}");
    let now = by_scope().await;
    assert_eq!(
        now.get("payments").map(String::as_str),
        Some("suspended"),
        "{now:?}"
    );
    assert_eq!(
        now.get("accounts").map(String::as_str),
        Some("active"),
        "{now:?}"
    );

    // One task, showing the register's before → after and the one client suspended.
    let (_, approver) = app.admin(AdminRole::Approver).await;
    assert_eq!(change_tasks(&approver).await, 1);
    let task = approver.task_for("authority-change", "Acme TPP Ltd").await;
    let html = approver.get_html(&task).await;
    let rows = texts(&html, "#authority-change tbody tr");
    assert_eq!(rows.len(), 1, "{html}");
    assert!(rows[0].starts_with("Bank's register"), "{rows:?}");
    assert!(rows[0].contains("Verified (AISP, PISP)"), "{rows:?}");
    assert!(rows[0].contains("Mismatch (AISP)"), "{rows:?}");
    assert_eq!(texts(&html, "#suspended-clients li").len(), 1);

    // Found again: nothing more is done, no second task.
    let (_, acted) = onramp::watch::check_and_act(&app.state, &org)
        .await
        .unwrap();
    assert!(!acted);
    assert_eq!(change_tasks(&approver).await, 1, "one task per change");

    // A reviewer may keep the clients suspended but not reactivate them.
    let (_, reviewer) = app.admin(AdminRole::Reviewer).await;
    let r = reviewer.decide(&task, "reactivate", "Looks fine.").await;
    assert_ne!(r.status(), 303, "a reviewer cannot reactivate");
    assert_eq!(
        by_scope().await.get("payments").map(String::as_str),
        Some("suspended")
    );

    // An approver reactivates exactly the client the check suspended.
    let r = approver
        .decide(&task, "reactivate", "The FCA confirmed PIS by phone.")
        .await;
    assert_eq!(r.status(), 303);
    let now = by_scope().await;
    assert!(now.values().all(|s| s == "active"), "{now:?}");
}
