//! CSRF, origin checks, separation of portal and console, throttling.

use crate::helpers::*;
use onramp::domain::AdminRole;

#[tokio::test]
async fn a_post_without_or_with_a_wrong_csrf_token_is_refused() {
    let app = spawn_app().await;
    app.csrf().await;
    for path in ["/signup", "/login", "/admin/login", "/password/forgot"] {
        let r = app
            .client
            .post(app.url(path))
            .form(&[("email", "a@b.example")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "{path} without token");
        let r = app
            .client
            .post(app.url(path))
            .form(&[("email", "a@b.example"), ("csrf_token", "forged")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "{path} with a wrong token");
    }
}

#[tokio::test]
async fn a_cross_site_post_is_refused_even_with_the_token() {
    let app = spawn_app().await;
    let token = app.csrf().await;
    let r = app
        .client
        .post(app.url("/password/forgot"))
        .header("Origin", "https://evil.example")
        .form(&[("email", "a@b.example"), ("csrf_token", &token)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = app
        .client
        .post(app.url("/password/forgot"))
        .header("Origin", &app.address)
        .form(&[("email", "a@b.example"), ("csrf_token", &token)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "same origin passes");
}

#[tokio::test]
async fn a_tpp_user_cannot_open_the_console() {
    let app = spawn_app().await;
    let tpp = app.verified_tpp("Acme").await;
    assert_eq!(app.portal_login(&tpp).await.status(), 303);
    assert_eq!(app.get("/dashboard").await.status(), 200);
    for path in [
        "/admin",
        "/admin/audit",
        "/admin/tasks/00000000-0000-0000-0000-000000000000",
    ] {
        let r = app.get(path).await;
        assert_eq!(r.status(), 303, "{path}");
        assert_eq!(r.headers()["location"], "/admin/login");
    }
    // Nor can a TPP's password open it.
    let r = app
        .post_form("/admin/login", &[("email", &tpp), ("password", PASSWORD)])
        .await;
    assert_eq!(r.status(), 422);
}

#[tokio::test]
async fn pages_need_a_session_and_unknown_tasks_are_404() {
    let app = spawn_app().await;
    let r = app.get("/dashboard").await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/login");
    let admin = app.create_admin(AdminRole::Reviewer).await;
    app.admin_login(&admin).await;
    assert_eq!(
        app.get("/admin/tasks/00000000-0000-0000-0000-000000000000")
            .await
            .status(),
        404
    );
    assert_eq!(app.get("/admin/tasks/not-a-uuid").await.status(), 404);
    assert_eq!(app.get("/no/such/page").await.status(), 404);
}

#[tokio::test]
async fn failed_logins_are_throttled_per_account_with_a_clear_message() {
    let app = spawn_app_with(|s| s.limits.login_failures_per_account = 3).await;
    let tpp = app.verified_tpp("Acme").await;
    for _ in 0..3 {
        let r = app
            .post_form(
                "/login",
                &[("email", &tpp), ("password", "wrong-password-123")],
            )
            .await;
        assert_eq!(r.status(), 422);
    }
    let r = app.portal_login(&tpp).await;
    assert_eq!(r.status(), 429, "even the right password waits");
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Too many failed sign-in attempts")
    );
    app.state.clock.advance(chrono::Duration::minutes(16));
    assert_eq!(
        app.portal_login(&tpp).await.status(),
        303,
        "the lock expires"
    );
}

#[tokio::test]
async fn failed_logins_are_throttled_per_address() {
    let app = spawn_app_with(|s| s.limits.login_failures_per_ip_per_hour = 4).await;
    for i in 0..4 {
        let email = format!("nobody{i}@nowhere.example");
        let r = app
            .post_form(
                "/admin/login",
                &[("email", &email), ("password", "wrong-password-123")],
            )
            .await;
        assert_eq!(r.status(), 422);
    }
    let r = app
        .post_form(
            "/admin/login",
            &[("email", "x@nowhere.example"), ("password", "wrong")],
        )
        .await;
    assert_eq!(r.status(), 429);
}

#[tokio::test]
async fn the_default_limits_leave_room_for_twenty_failed_logins() {
    let app = spawn_app().await;
    for i in 0..20 {
        let email = format!("nobody{i}@nowhere.example");
        let r = app
            .post_form(
                "/login",
                &[("email", &email), ("password", "wrong-password-123")],
            )
            .await;
        assert_eq!(r.status(), 422, "attempt {i}");
    }
}

#[tokio::test]
async fn session_cookies_are_http_only_and_pages_carry_security_headers() {
    let app = spawn_app().await;
    let r = app.get("/login").await;
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert_eq!(r.headers()["x-frame-options"], "DENY");
    assert!(
        r.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'none'")
    );
}

#[tokio::test]
async fn health_and_readiness_answer() {
    let app = spawn_app().await;
    assert_eq!(app.get("/healthz").await.status(), 200);
    assert_eq!(app.get("/readyz").await.status(), 200);
    let metrics = app.get_html("/metrics").await;
    assert!(metrics.contains("onramp_database_up 1"));
}
