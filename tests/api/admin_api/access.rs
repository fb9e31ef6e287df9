//! Who may call: tokens made by superadmins in the console, shown once, stored hashed, capped
//! at their admin's role; missing, unknown, expired and revoked tokens refused; every call in
//! the audit trail.

use super::*;
use onramp::domain::{AdminRole, ApiTokenId, PlainToken};
use onramp::store::admin_api_tokens::ApiTokenRecord;

#[tokio::test]
async fn a_superadmin_makes_a_token_that_is_shown_once_and_listed_with_its_admin() {
    let app = spawn_app().await;
    let reviewer = app.create_admin(AdminRole::Reviewer).await;
    let (_, boss) = app.admin(AdminRole::Superadmin).await;
    let r = boss
        .post_form(
            "/admin/api-tokens",
            &[
                ("name", "case tool"),
                ("admin", &reviewer),
                ("role", "reviewer"),
                ("days", "7"),
            ],
        )
        .await;
    assert_eq!(r.status(), 200);
    let token = texts(&r.text().await.unwrap(), "#new-token").pop().unwrap();
    let (s, _) = get(&app, "/tasks", &token).await;
    assert_eq!(s, 200, "the new token works");

    let list = boss.get_html("/admin/api-tokens").await;
    assert!(!list.contains(&token), "never shown again");
    let row = texts(&list, "table.data tbody tr").pop().unwrap();
    assert!(
        row.contains("case tool") && row.contains(&reviewer),
        "{row}"
    );
    assert!(row.contains("reviewer") && row.contains("active"), "{row}");
    assert!(
        !row.contains("never"),
        "last use is shown after a call: {row}"
    );

    let stored: Vec<String> = onramp::store::admin_api_tokens::list(&app.state.db)
        .await
        .unwrap()
        .into_iter()
        .map(|t| format!("{:?}", t.hash))
        .collect();
    assert!(
        stored.iter().all(|h| !h.contains(&token)),
        "only a hash is kept"
    );
}

#[tokio::test]
async fn only_superadmins_make_tokens_and_never_above_the_admins_role() {
    let app = spawn_app().await;
    let (_, approver) = app.admin(AdminRole::Approver).await;
    assert_eq!(approver.get("/admin/api-tokens").await.status(), 403);
    let reviewer = app.create_admin(AdminRole::Reviewer).await;
    let (_, boss) = app.admin(AdminRole::Superadmin).await;
    let r = boss
        .post_form(
            "/admin/api-tokens",
            &[
                ("name", "too much"),
                ("admin", &reviewer),
                ("role", "approver"),
                ("days", "7"),
            ],
        )
        .await;
    assert_eq!(r.status(), 422);
    assert!(texts(&r.text().await.unwrap(), "#new-token").is_empty());
    let r = boss
        .post_form(
            "/admin/api-tokens",
            &[
                ("name", "x"),
                ("admin", "nobody@bank.example"),
                ("role", "reviewer"),
                ("days", "7"),
            ],
        )
        .await;
    assert_eq!(r.status(), 422, "an unknown admin");
    // Roles are not a ladder: an approver's token cannot review either.
    let approver_email = app.create_admin(AdminRole::Approver).await;
    let r = boss
        .post_form(
            "/admin/api-tokens",
            &[
                ("name", "sideways"),
                ("admin", &approver_email),
                ("role", "reviewer"),
                ("days", "7"),
            ],
        )
        .await;
    assert_eq!(
        r.status(),
        422,
        "an approver's token with a reviewer's role"
    );
}

#[tokio::test]
async fn missing_unknown_expired_and_revoked_tokens_get_401_json() {
    let app = spawn_app().await;
    let (email, token) = admin_token(&app, AdminRole::Approver).await;
    let (s, v) = call(&app, "GET", "/tasks", None, None).await;
    assert_eq!((s, v["error"].as_str()), (401, Some("invalid_token")));
    let (s, _) = get(&app, "/tasks", "onr_adm_not-a-real-token").await;
    assert_eq!(s, 401);
    let (s, _) = get(&app, "/tasks", "some-other-token").await;
    assert_eq!(s, 401);

    // An expired token of the same admin, stored as the console would.
    let admin = onramp::store::admins::find_by_email(&app.state.db, &email)
        .await
        .unwrap()
        .unwrap();
    let old = PlainToken::generate("onr_adm_");
    let now = app.state.clock.now();
    onramp::store::admin_api_tokens::insert(
        &app.state.db,
        &ApiTokenRecord {
            id: ApiTokenId::new(),
            hash: old.hash(),
            name: "old".into(),
            admin_id: admin.id,
            role: AdminRole::Approver,
            created_by: admin.id,
            created_at: now - chrono::Duration::days(40),
            expires_at: now - chrono::Duration::seconds(1),
            last_used_at: None,
            revoked_at: None,
        },
    )
    .await
    .unwrap();
    let (s, v) = get(&app, "/tasks", old.expose()).await;
    assert_eq!(s, 401);
    assert!(
        v["error_description"].as_str().unwrap().contains("expired"),
        "{v}"
    );

    // Revoked in the console.
    assert_eq!(get(&app, "/tasks", &token).await.0, 200);
    let (_, boss) = app.admin(AdminRole::Superadmin).await;
    let list = boss.get_html("/admin/api-tokens").await;
    let action = attr(&list, "table.data tbody form", "action").unwrap();
    assert!(action.ends_with("/revoke"), "{action}");
    assert_eq!(boss.post_form(&action, &[]).await.status(), 303);
    let (s, v) = get(&app, "/tasks", &token).await;
    assert_eq!(s, 401);
    assert!(
        v["error_description"].as_str().unwrap().contains("revoked"),
        "{v}"
    );
}

#[tokio::test]
async fn every_call_is_an_audit_event_naming_the_tokens_admin() {
    let app = spawn_app().await;
    let (email, token) = admin_token(&app, AdminRole::Reviewer).await;
    assert_eq!(get(&app, "/organisations", &token).await.0, 200);
    assert_eq!(get(&app, "/clients?status=bogus", &token).await.0, 422);
    let (s, v) = get(&app, "/audit-events?action=admin_api.call", &token).await;
    assert_eq!(s, 200);
    let items = v["items"].as_array().unwrap();
    let routes: Vec<(&str, i64)> = items
        .iter()
        .map(|e| {
            assert_eq!(e["actor"], email.as_str());
            (
                e["detail"]["route"].as_str().unwrap(),
                e["detail"]["status"].as_i64().unwrap(),
            )
        })
        .collect();
    assert!(
        routes.contains(&("/admin/api/v1/organisations", 200)),
        "{routes:?}"
    );
    assert!(
        routes.contains(&("/admin/api/v1/clients", 422)),
        "{routes:?}"
    );
}
