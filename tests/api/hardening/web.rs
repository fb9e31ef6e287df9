//! Security headers, the signed-in password change, and whose address is believed.

use crate::helpers::*;
use onramp::domain::AdminRole;

#[tokio::test]
async fn every_page_carries_the_browser_hardening_headers() {
    let app = spawn_app().await;
    let r = app.get("/login").await;
    let h = r.headers();
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["referrer-policy"], "same-origin");
    assert!(
        h["permissions-policy"]
            .to_str()
            .unwrap()
            .contains("camera=()")
    );
    assert!(
        h["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'none'")
    );
    assert!(
        h.get("strict-transport-security").is_none(),
        "no HSTS when people reach Onramp over plain HTTP"
    );
}

#[tokio::test]
async fn hsts_is_sent_when_the_public_url_is_https() {
    let app = spawn_app_with(|s| s.public_url = "https://onramp.bank.example".into()).await;
    let r = app.get("/login").await;
    assert!(
        r.headers()["strict-transport-security"]
            .to_str()
            .unwrap()
            .starts_with("max-age=31536000")
    );
}

#[tokio::test]
async fn a_signed_in_user_changes_their_password_with_the_current_one() {
    let app = spawn_app().await;
    let email = app.verified_tpp("Acme").await;
    assert_eq!(app.portal_login(&email).await.status(), 303);
    let page = app.get_html("/account/password").await;
    assert!(page.contains("Current password"), "{page}");

    let new = "Hz4!kT8#wQ1n-tulip";
    let r = app
        .post_form(
            "/account/password",
            &[
                ("current_password", "not-my-password"),
                ("password", new),
                ("password_confirm", new),
            ],
        )
        .await;
    assert_eq!(r.status(), 422, "a wrong current password is refused");
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("current password is not right")
    );

    let r = app
        .post_form(
            "/account/password",
            &[
                ("current_password", PASSWORD),
                ("password", new),
                ("password_confirm", new),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);

    let other = app.other_browser();
    assert_eq!(
        other.portal_login(&email).await.status(),
        422,
        "old password"
    );
    let r = other
        .post_form("/login", &[("email", &email), ("password", new)])
        .await;
    assert_eq!(r.status(), 303, "new password");
}

#[tokio::test]
async fn the_password_page_needs_a_session() {
    let app = spawn_app().await;
    let r = app.get("/account/password").await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/login");
}

async fn audited_login_ip(app: &TestApp, forwarded: &str) -> Option<String> {
    let email = app.create_admin(AdminRole::Reviewer).await;
    let v = app.other_browser();
    let token = v.csrf().await;
    let r = v
        .client
        .post(v.url("/admin/login"))
        .header("X-Forwarded-For", forwarded)
        .form(&[
            ("email", email.as_str()),
            ("password", PASSWORD),
            ("csrf_token", token.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let (rows, _) = onramp::store::audit::list(
        &app.state.db,
        &onramp::store::audit::AuditFilter {
            action: Some("admin.login".into()),
            actor: Some(email),
            ..Default::default()
        },
        onramp::store::Page::new(1, 10),
    )
    .await
    .unwrap();
    rows.first().and_then(|r| r.ip.clone())
}

#[tokio::test]
async fn a_forged_forwarded_for_is_ignored_from_an_untrusted_peer() {
    let app = spawn_app().await;
    let ip = audited_login_ip(&app, "203.0.113.9").await;
    assert_eq!(ip.as_deref(), Some("127.0.0.1"));
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_rightmost_untrusted_hop_is_the_client() {
    let app = spawn_app_with(|s| {
        s.proxy = Some(onramp::config::ProxySettings {
            client_cert_header: "X-SSL-Client-Cert".into(),
            trusted_proxies: vec!["127.0.0.1/32".parse().unwrap()],
        });
    })
    .await;
    let ip = audited_login_ip(&app, "1.2.3.4, 203.0.113.9").await;
    assert_eq!(
        ip.as_deref(),
        Some("203.0.113.9"),
        "the client-written 1.2.3.4 is not believed"
    );
}

#[tokio::test]
async fn a_signed_in_admin_changes_their_password_and_other_sessions_end() {
    let app = spawn_app().await;
    let (email, here) = app.admin(AdminRole::Approver).await;
    let elsewhere = app.other_browser();
    elsewhere.admin_login(&email).await;
    let new = "Hz4!kT8#wQ1n-tulip";
    let r = here
        .post_form(
            "/admin/account/password",
            &[
                ("current_password", "not-my-password"),
                ("password", new),
                ("password_confirm", new),
            ],
        )
        .await;
    assert_eq!(r.status(), 422, "a wrong current password is refused");
    let r = here
        .post_form(
            "/admin/account/password",
            &[
                ("current_password", PASSWORD),
                ("password", new),
                ("password_confirm", new),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(here.get("/admin").await.status(), 200, "this session stays");
    assert_eq!(elsewhere.get("/admin").await.status(), 303, "others end");
    let r = app
        .other_browser()
        .post_form("/admin/login", &[("email", &email), ("password", PASSWORD)])
        .await;
    assert_eq!(r.status(), 422, "the old password no longer works");
}
