//! Acting through the API: workflow steps under the console's role and four-eyes rules, and
//! suspending, reactivating and revoking organisations and clients.

use super::*;
use serde_json::json;

/// An approved TPP `name` with an application (keys by private_key_jwt); returns the portal
/// browser and the application's path.
async fn tpp_with_app(app: &TestApp, name: &str) -> (Visitor, String) {
    let (_, tpp) = app.approved_tpp(name).await;
    let fields = [
        ("name", "Treasury sync"),
        ("redirect_uris", "https://treasury.example/cb"),
        ("auth_method", "private_key_jwt"),
        ("jwks", JWKS),
        ("scopes", "accounts"),
    ];
    let path = tpp.create_app(&fields).await;
    (tpp, path)
}

#[tokio::test]
async fn four_eyes_holds_across_the_console_and_the_api() {
    let app = spawn_app().await;
    let (tpp, app_path) = tpp_with_app(&app, "Acme").await;
    let r = tpp
        .post_form(
            &format!("{app_path}/production-keys"),
            &[("use_case", "Account views for SMEs.")],
        )
        .await;
    assert_eq!(r.status(), 303);

    // Step one in the console.
    let (boss_email, boss) = app.admin(AdminRole::Superadmin).await;
    let task = boss.task_for("production-keys", "Acme").await;
    assert_eq!(boss.decide(&task, "review", "").await.status(), 303);

    // Step two by the same admin through the API: refused.
    let boss_token = token_for(&app, &boss_email, "superadmin").await;
    let id = task.rsplit('/').next().unwrap();
    let (s, v) = post(
        &app,
        &format!("/tasks/{id}/actions"),
        &boss_token,
        json!({ "action": "approve" }),
    )
    .await;
    assert_eq!((s, v["error"].as_str()), (409, Some("four_eyes")), "{v}");

    // A reviewer's token may not approve at all.
    let (_, reviewer) = admin_token(&app, AdminRole::Reviewer).await;
    let (s, v) = post(
        &app,
        &format!("/tasks/{id}/actions"),
        &reviewer,
        json!({ "action": "approve" }),
    )
    .await;
    assert_eq!(
        (s, v["error"].as_str()),
        (403, Some("insufficient_role")),
        "{v}"
    );

    // A superadmin's token limited to reviewer is a reviewer.
    let other_boss = app.create_admin(AdminRole::Superadmin).await;
    let limited = token_for(&app, &other_boss, "reviewer").await;
    let (s, _) = post(
        &app,
        &format!("/tasks/{id}/actions"),
        &limited,
        json!({ "action": "approve" }),
    )
    .await;
    assert_eq!(s, 403, "the token's role caps its admin's");

    // Another admin with the right role approves; the client is issued.
    let (_, approver) = admin_token(&app, AdminRole::Approver).await;
    let (s, detail) = get(&app, &format!("/tasks/{id}"), &approver).await;
    assert_eq!(s, 200);
    assert_eq!(detail["state"], "reviewed");
    assert_eq!(detail["events"].as_array().unwrap().len(), 2, "{detail}");
    assert!(
        detail["steps"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["action"] == "approve" && s["blocked"].is_null())
    );
    let version = detail["version"].as_i64().unwrap();
    let (s, v) = post(
        &app,
        &format!("/tasks/{id}/actions"),
        &approver,
        json!({ "action": "approve", "comment": "Fine.", "version": version }),
    )
    .await;
    assert_eq!((s, v["state"].as_str()), (200, Some("approved")), "{v}");
    let (_, clients) = get(&app, "/clients?environment=production", &approver).await;
    assert_eq!(clients["total"], 1, "{clients}");
    // The console shows who approved: the token's admin.
    let page = boss.get_html(&task).await;
    assert!(
        page.contains("Fine."),
        "the API's step is in the console's history"
    );
}

#[tokio::test]
async fn task_steps_are_checked_like_the_consoles() {
    let app = spawn_app().await;
    app.verified_tpp("Globex").await;
    let (_, token) = admin_token(&app, AdminRole::Approver).await;
    let id = task_id(&app, &token, "signup", "Globex").await;
    let path = format!("/tasks/{id}/actions");
    let (s, v) = post(&app, &path, &token, json!({ "action": "fly" })).await;
    assert_eq!(
        (s, v["error"].as_str()),
        (422, Some("invalid_request")),
        "{v}"
    );
    let (s, _) = post(&app, &path, &token, json!({ "action": "reject" })).await;
    assert_eq!(s, 422, "a rejection needs a comment");
    let (s, v) = post(
        &app,
        &path,
        &token,
        json!({ "action": "reject", "comment": "x", "version": 99 }),
    )
    .await;
    assert_eq!((s, v["error"].as_str()), (409, Some("stale")), "{v}");
    let (s, _) = post(
        &app,
        "/tasks/0192a0b0-0000-7000-8000-000000000000/actions",
        &token,
        json!({ "action": "approve" }),
    )
    .await;
    assert_eq!(s, 404);
    let (s, _) = post(&app, &path, &token, json!({ "nothing": true })).await;
    assert_eq!(s, 422, "a body without an action");
    let (s, v) = post(
        &app,
        &path,
        &token,
        json!({ "action": "reject", "comment": "Not authorised in the UK." }),
    )
    .await;
    assert_eq!((s, v["status"].as_str()), (200, Some("rejected")), "{v}");
    let org = v["organisation_id"].as_str().unwrap();
    let (_, o) = get(&app, &format!("/organisations/{org}"), &token).await;
    assert_eq!(o["status"], "rejected");
    let (s, v) = post(&app, &path, &token, json!({ "action": "approve" })).await;
    assert_eq!((s, v["error"].as_str()), (409, Some("wrong_state")), "{v}");
}

#[tokio::test]
async fn approvers_change_clients_and_organisations_and_reviewers_only_read() {
    let app = spawn_app().await;
    let (tpp, app_path) = tpp_with_app(&app, "Initech").await;
    let (client_id, _) = tpp.sandbox_keys(&app_path).await;
    let (_, reviewer) = admin_token(&app, AdminRole::Reviewer).await;
    let (_, approver) = admin_token(&app, AdminRole::Approver).await;
    let why = json!({ "comment": "Incident 42" });
    let c = format!("/clients/{client_id}");

    let (s, v) = post(&app, &format!("{c}/suspend"), &reviewer, why.clone()).await;
    assert_eq!((s, v["error"].as_str()), (403, Some("insufficient_role")));
    assert_eq!(
        get(&app, &c, &reviewer).await.1["status"],
        "active",
        "reviewers read"
    );
    assert_eq!(
        post(&app, &format!("{c}/suspend"), &approver, json!({}))
            .await
            .0,
        422
    );
    assert_eq!(
        post(&app, &format!("{c}/explode"), &approver, why.clone())
            .await
            .0,
        404
    );
    assert_eq!(
        post(&app, &format!("{c}/suspend"), &approver, why.clone())
            .await
            .0,
        200
    );
    let (_, v) = get(&app, &c, &approver).await;
    assert_eq!(v["status"], "suspended");
    assert!(
        v["history"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "client.suspended" && e["detail"]["comment"] == "Incident 42")
    );
    assert_eq!(
        post(&app, &format!("{c}/reactivate"), &approver, why.clone())
            .await
            .0,
        200
    );
    let (_, boss) = admin_token(&app, AdminRole::Superadmin).await;
    for step in ["suspend", "reactivate"] {
        let (s, v) = post(&app, &format!("{c}/{step}"), &boss, why.clone()).await;
        assert_eq!(s, 200, "a superadmin's token may too: {v}");
    }

    let org = get(&app, &c, &approver).await.1["organisation_id"]
        .as_str()
        .unwrap()
        .to_string();
    let o = format!("/organisations/{org}");
    assert_eq!(
        post(&app, &format!("{o}/suspend"), &reviewer, why.clone())
            .await
            .0,
        403
    );
    let (s, v) = post(&app, &format!("{o}/suspend"), &approver, why.clone()).await;
    assert_eq!((s, v["clients_changed"].as_u64()), (200, Some(1)), "{v}");
    assert_eq!(
        get(&app, &c, &approver).await.1["status"],
        "suspended",
        "its client with it"
    );
    let (s, v) = post(&app, &format!("{o}/suspend"), &approver, why.clone()).await;
    assert_eq!((s, v["error"].as_str()), (409, Some("not_applicable")));
    assert_eq!(
        post(&app, &format!("{o}/reactivate"), &approver, why.clone())
            .await
            .0,
        200
    );
    assert_eq!(get(&app, &c, &approver).await.1["status"], "active");

    assert_eq!(
        post(&app, &format!("{c}/revoke"), &approver, why.clone())
            .await
            .0,
        200
    );
    let (s, v) = post(&app, &format!("{c}/reactivate"), &approver, why.clone()).await;
    assert_eq!((s, v["error"].as_str()), (409, Some("revoked")));
    assert_eq!(
        post(&app, "/clients/nope/suspend", &approver, why.clone())
            .await
            .0,
        404
    );
    assert_eq!(
        post(&app, "/organisations/nope/suspend", &approver, why)
            .await
            .0,
        404
    );
}
