//! Server-side sessions: a copied cookie stops working at sign-out, password reset or change,
//! after the idle time and after 12 hours; "Your sessions" signs out everywhere.

use crate::helpers::*;
use onramp::domain::AdminRole;

/// The value of the `name` cookie a response sets.
fn set_cookie(r: &reqwest::Response, name: &str) -> Option<String> {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| c.strip_prefix(&format!("{name}=")))
        .map(|c| c.split(';').next().unwrap_or_default().to_string())
        .filter(|v| !v.is_empty())
}

/// A request from another machine carrying only the copied cookie.
async fn with_copied(app: &TestApp, path: &str, name: &str, value: &str) -> u16 {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(app.url(path))
        .header("Cookie", format!("{name}={value}"))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn signed_in_tpp(app: &TestApp) -> (String, String) {
    let email = app.verified_tpp("Acme").await;
    let r = app.portal_login(&email).await;
    assert_eq!(r.status(), 303);
    let cookie = set_cookie(&r, "onramp_portal").expect("a portal session cookie");
    (email, cookie)
}

#[tokio::test]
async fn a_copied_cookie_is_refused_after_sign_out() {
    let app = spawn_app().await;
    let (_, cookie) = signed_in_tpp(&app).await;
    assert_eq!(
        with_copied(&app, "/dashboard", "onramp_portal", &cookie).await,
        200
    );
    let stored =
        onramp::store::sessions::get(&app.state.db, &onramp::domain::TokenHash::of(&cookie))
            .await
            .unwrap()
            .expect("stored by its hash");
    assert_ne!(stored.id, cookie, "the token itself is not stored");
    assert_eq!(app.post_form("/logout", &[]).await.status(), 303);
    assert_eq!(
        with_copied(&app, "/dashboard", "onramp_portal", &cookie).await,
        303
    );
}

#[tokio::test]
async fn a_copied_cookie_is_refused_after_a_password_reset() {
    let app = spawn_app().await;
    let (email, cookie) = signed_in_tpp(&app).await;
    let other = app.other_browser();
    other
        .post_form("/password/forgot", &[("email", &email)])
        .await;
    let link = app.link_in_mail(&email, "/password/reset").await;
    let token = link.split("token=").nth(1).unwrap().to_string();
    let new = "Hz4!kT8#wQ1n-tulip";
    let r = other
        .post_form(
            "/password/reset",
            &[
                ("token", &token),
                ("password", new),
                ("password_confirm", new),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(
        with_copied(&app, "/dashboard", "onramp_portal", &cookie).await,
        303
    );
    assert_eq!(
        app.get("/dashboard").await.status(),
        303,
        "nor the original"
    );
}

#[tokio::test]
async fn a_password_change_ends_the_other_sessions_and_keeps_this_one() {
    let app = spawn_app().await;
    let (email, elsewhere) = signed_in_tpp(&app).await;
    let here = app.other_browser();
    assert_eq!(here.portal_login(&email).await.status(), 303);
    let new = "Hz4!kT8#wQ1n-tulip";
    let r = here
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
    assert_eq!(here.get("/dashboard").await.status(), 200);
    assert_eq!(
        with_copied(&app, "/dashboard", "onramp_portal", &elsewhere).await,
        303
    );
}

#[tokio::test]
async fn a_portal_session_ends_after_two_idle_hours_and_a_busy_one_after_twelve() {
    let app = spawn_app().await;
    let (_, cookie) = signed_in_tpp(&app).await;
    app.state.clock.advance(chrono::Duration::minutes(119));
    assert_eq!(
        with_copied(&app, "/dashboard", "onramp_portal", &cookie).await,
        200
    );
    app.state.clock.advance(chrono::Duration::minutes(121));
    assert_eq!(
        with_copied(&app, "/dashboard", "onramp_portal", &cookie).await,
        303,
        "idle for more than two hours"
    );

    let (_, busy) = signed_in_tpp(&app).await;
    for _ in 0..11 {
        app.state.clock.advance(chrono::Duration::hours(1));
        assert_eq!(
            with_copied(&app, "/dashboard", "onramp_portal", &busy).await,
            200
        );
    }
    app.state.clock.advance(chrono::Duration::minutes(61));
    assert_eq!(
        with_copied(&app, "/dashboard", "onramp_portal", &busy).await,
        303,
        "twelve hours after sign-in"
    );
}

#[tokio::test]
async fn an_admin_session_has_its_own_cookie_and_ends_after_thirty_idle_minutes() {
    let app = spawn_app_with(|s| {
        s.security.session_idle.admin = std::time::Duration::from_secs(30 * 60);
    })
    .await;
    let (email, _) = app.admin(AdminRole::Reviewer).await;
    let r = app
        .post_form("/admin/login", &[("email", &email), ("password", PASSWORD)])
        .await;
    assert_eq!(r.status(), 303);
    assert!(
        set_cookie(&r, "onramp_admin").is_none(),
        "no session before the second step"
    );
    let code = crate::helpers::totp::next_code(&email, &app.state.clock);
    let r = app.post_form("/admin/login/code", &[("code", &code)]).await;
    assert_eq!(r.status(), 303);
    let admin = set_cookie(&r, "onramp_admin").expect("an admin session cookie");
    assert!(set_cookie(&r, "onramp_portal").is_none());
    assert!(
        r.headers()
            .get_all("set-cookie")
            .iter()
            .any(|c| c.to_str().unwrap().contains("Path=/admin")),
        "the console cookie is only sent to the console"
    );
    assert_eq!(
        with_copied(&app, "/admin", "onramp_admin", &admin).await,
        200
    );
    assert_eq!(
        with_copied(&app, "/dashboard", "onramp_portal", &admin).await,
        303,
        "an admin session is no portal session"
    );
    app.state.clock.advance(chrono::Duration::minutes(31));
    assert_eq!(
        with_copied(&app, "/admin", "onramp_admin", &admin).await,
        303
    );
}

#[tokio::test]
async fn your_sessions_lists_them_and_signs_out_everywhere() {
    let app = spawn_app().await;
    let (email, elsewhere) = signed_in_tpp(&app).await;
    let here = app.other_browser();
    assert_eq!(here.portal_login(&email).await.status(), 303);
    let page = here.get_html("/account/sessions").await;
    assert_eq!(texts(&page, "tbody tr").len(), 2, "{page}");
    assert!(page.contains("This session"));
    let r = here.post_form("/account/sessions/end-all", &[]).await;
    assert_eq!(r.status(), 303);
    assert_eq!(here.get("/dashboard").await.status(), 303);
    assert_eq!(
        with_copied(&app, "/dashboard", "onramp_portal", &elsewhere).await,
        303
    );
}

#[tokio::test]
async fn an_admin_signs_out_everywhere_from_the_console() {
    let app = spawn_app().await;
    let (email, first) = app.admin(AdminRole::Approver).await;
    let second = app.other_browser();
    second.admin_login(&email).await;
    let page = second.get_html("/admin/account/sessions").await;
    assert_eq!(texts(&page, "tbody tr").len(), 2, "{page}");
    let r = second
        .post_form("/admin/account/sessions/end-all", &[])
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(first.get("/admin").await.status(), 303);
    assert_eq!(second.get("/admin").await.status(), 303);
}
