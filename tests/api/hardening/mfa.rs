//! Two-step sign-in: admins set up an authenticator app at the first sign-in and give a code at
//! every sign-in; a code and a recovery code each work once; wrong codes are throttled;
//! `onramp admin reset-mfa` is the way back; portal users may opt in and an owner may require it.

use crate::helpers::totp::{self, code_at};
use crate::helpers::*;
use onramp::accounts::mfa::step_at;
use onramp::domain::AdminRole;
use sea_orm::{ConnectionTrait, Statement};

/// Gives the right password on a fresh browser; returns it and where it was sent.
async fn password_step(app: &TestApp, email: &str, path: &str) -> (Visitor, String) {
    let v = app.other_browser();
    let r = v
        .post_form(path, &[("email", email), ("password", PASSWORD)])
        .await;
    assert_eq!(r.status(), 303);
    let next = r.headers()["location"].to_str().unwrap().to_string();
    (v, next)
}

async fn column(app: &TestApp, q: &str, col: &str) -> Vec<String> {
    let db = &app.state.db;
    let rows = db
        .query_all_raw(Statement::from_string(db.get_database_backend(), q))
        .await
        .unwrap();
    rows.iter()
        .map(|r| r.try_get::<String>("", col).unwrap())
        .collect()
}

#[tokio::test]
async fn the_first_admin_sign_in_sets_up_the_app_before_the_console_opens() {
    let app = spawn_app_with(|s| {
        s.security.data_key = Some("11".repeat(32).into());
    })
    .await;
    let email = app.create_admin(AdminRole::Approver).await;
    let (v, next) = password_step(&app, &email, "/admin/login").await;
    assert_eq!(next, "/admin/account/two-step/setup");
    assert_eq!(
        v.get("/admin").await.headers()["location"],
        "/admin/login",
        "the password alone opens nothing"
    );
    let page = v.get_html(&next).await;
    assert!(
        page.contains("<svg") && page.contains("aria-label=\"QR code"),
        "{page}"
    );
    let secret = texts(&page, "#totp-secret").pop().unwrap();
    assert_eq!(secret.len(), 32, "160 bits in base32: {secret}");
    assert!(
        page.contains(&format!("secret={secret}")),
        "the otpauth link"
    );

    // A wrong code keeps the same key on the page.
    let r = v.post_form(&next, &[("code", "000000")]).await;
    assert_eq!(r.status(), 422);
    let page = r.text().await.unwrap();
    assert!(page.contains("That code is not right"), "{page}");
    assert!(page.contains(&secret), "the same key to try again");

    let code = code_at(&secret, step_at(app.state.clock.now()));
    let r = v.post_form(&next, &[("code", &code)]).await;
    assert_eq!(r.status(), 200);
    let page = r.text().await.unwrap();
    let codes = texts(&page, ".recovery-codes code");
    assert_eq!(codes.len(), 10);
    assert_eq!(v.get("/admin").await.status(), 200, "signed in");

    // At rest: the key sealed, the recovery codes only as hashes.
    let stored = column(&app, "SELECT secret FROM mfa_factors", "secret").await;
    assert_eq!(stored.len(), 1);
    assert!(!stored[0].contains(&secret), "the key is sealed");
    let hashes = column(
        &app,
        "SELECT code_hash FROM mfa_recovery_codes",
        "code_hash",
    )
    .await;
    assert_eq!(hashes.len(), 10);
    for c in &codes {
        assert!(!hashes.iter().any(|h| h.contains(&c.replace('-', ""))));
    }
    // Reloading the set-up page now leads to the status page, not to a new key.
    let r = v.get("/admin/account/two-step/setup").await;
    assert_eq!(r.headers()["location"], "/admin/account/two-step");
    let status = v.get_html("/admin/account/two-step").await;
    assert!(
        status.contains("Recovery codes left: <strong>10</strong>"),
        "{status}"
    );
}

#[tokio::test]
async fn admin_sign_in_without_the_code_is_refused_and_a_code_works_once() {
    let app = spawn_app().await;
    let (email, _) = app.admin(AdminRole::Reviewer).await;
    let secret = totp::secret_of(&email).unwrap();
    // Past the step the set-up used.
    app.state.clock.advance(chrono::Duration::seconds(60));
    let (v, next) = password_step(&app, &email, "/admin/login").await;
    assert_eq!(next, "/admin/login/code");
    assert_eq!(v.get("/admin").await.status(), 303);
    for wrong in ["", "12345", "abcdef", "999999"] {
        let r = v.post_form(&next, &[("code", wrong)]).await;
        assert_eq!(r.status(), 422, "{wrong:?}");
    }
    assert_eq!(v.get("/admin").await.status(), 303, "still not signed in");
    let code = code_at(&secret, step_at(app.state.clock.now()));
    let r = v.post_form(&next, &[("code", &code)]).await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/admin");
    assert_eq!(v.get("/admin").await.status(), 200);

    // The same code, replayed from another browser within its 30 seconds, is refused.
    let (thief, next) = password_step(&app, &email, "/admin/login").await;
    let r = thief.post_form(&next, &[("code", &code)]).await;
    assert_eq!(r.status(), 422);
    assert_eq!(thief.get("/admin").await.status(), 303);
}

#[tokio::test]
async fn a_recovery_code_works_once_and_new_ones_replace_the_old() {
    let app = spawn_app().await;
    let (email, admin) = app.admin(AdminRole::Approver).await;
    let codes = totp::recovery_of(&email);
    let (v, next) = password_step(&app, &email, "/admin/login").await;
    let r = v
        .post_form(&next, &[("code", &codes[0].to_lowercase())])
        .await;
    assert_eq!(r.status(), 303, "recovery codes are not case-sensitive");
    let inbox = v.get_html("/admin").await;
    assert!(inbox.contains("9 left"), "{inbox}");
    let (again, next) = password_step(&app, &email, "/admin/login").await;
    let r = again.post_form(&next, &[("code", &codes[0])]).await;
    assert_eq!(r.status(), 422, "a used recovery code");

    // New codes need a code from the app; the old ones stop working.
    let r = admin
        .post_form(
            "/admin/account/two-step/recovery-codes",
            &[("code", "123456")],
        )
        .await;
    assert_eq!(r.status(), 422);
    let code = totp::next_code(&email, &app.state.clock);
    let r = admin
        .post_form("/admin/account/two-step/recovery-codes", &[("code", &code)])
        .await;
    assert_eq!(r.status(), 200);
    let fresh = texts(&r.text().await.unwrap(), ".recovery-codes code");
    assert_eq!(fresh.len(), 10);
    assert!(!fresh.contains(&codes[1]));
    let r = again.post_form(&next, &[("code", &codes[1])]).await;
    assert_eq!(r.status(), 422, "an old code after renewal");
    let r = again.post_form(&next, &[("code", &fresh[0])]).await;
    assert_eq!(r.status(), 303);
}

#[tokio::test]
async fn wrong_codes_are_throttled_at_the_account_limit() {
    let app = spawn_app_with(|s| s.limits.login_failures_per_account = 3).await;
    let (email, _) = app.admin(AdminRole::Reviewer).await;
    let (v, next) = password_step(&app, &email, "/admin/login").await;
    for _ in 0..3 {
        assert_eq!(
            v.post_form(&next, &[("code", "000000")]).await.status(),
            422
        );
    }
    let code = totp::next_code(&email, &app.state.clock);
    let r = v.post_form(&next, &[("code", &code)]).await;
    assert_eq!(r.status(), 429, "even the right code waits once locked");
    let page = r.text().await.unwrap();
    assert!(
        page.contains("Too many wrong codes") && !page.contains("reset your password"),
        "the message fits a code, not a password: {page}"
    );
}

#[tokio::test]
async fn optional_admin_mfa_lets_the_password_alone_in_until_an_admin_turns_it_on() {
    let app = spawn_app_with(|s| {
        s.security.admin_mfa = onramp::config::AdminMfa::Optional;
    })
    .await;
    let email = app.create_admin(AdminRole::Reviewer).await;
    let (v, next) = password_step(&app, &email, "/admin/login").await;
    assert_eq!(next, "/admin");
    let page = v.get_html("/admin/account/two-step").await;
    assert!(page.contains("Two-step sign-in is off"), "{page}");
    assert_eq!(
        v.second_step(&email, "/admin/account/two-step/setup").await,
        "/admin"
    );
    let (_, next) = password_step(&app, &email, "/admin/login").await;
    assert_eq!(next, "/admin/login/code", "once on, it is asked for");
}

#[tokio::test]
async fn reset_mfa_from_the_command_line_sends_the_admin_back_to_set_up() {
    let app = spawn_app().await;
    let (email, signed_in) = app.admin(AdminRole::Superadmin).await;
    let run = |args: &[&str]| app.cli(args);
    let out = run(&["admin", "reset-mfa", "--email", &email.to_uppercase()]);
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("removed"));
    assert_eq!(
        signed_in.get("/admin").await.status(),
        303,
        "sessions ended"
    );
    let (_, next) = password_step(&app, &email, "/admin/login").await;
    assert_eq!(next, "/admin/account/two-step/setup");
    let out = run(&["admin", "reset-mfa", "--email", "nobody@bank.example"]);
    assert_eq!(out.status.code(), Some(2));
}

#[tokio::test]
async fn a_portal_user_may_opt_in_and_an_owner_may_require_it_of_the_team() {
    let app = spawn_app().await;
    let (owner, tpp) = app.approved_tpp("Two Step Ltd").await;
    let page = tpp.get_html("/account/two-step").await;
    assert!(page.contains("Two-step sign-in is off"), "{page}");
    assert_eq!(
        tpp.second_step(&owner, "/account/two-step/setup").await,
        "/dashboard"
    );
    let (v, next) = password_step(&app, &owner, "/login").await;
    assert_eq!(next, "/login/code");
    assert_eq!(v.get("/dashboard").await.status(), 303);
    assert_eq!(v.second_step(&owner, &next).await, "/dashboard");

    // The owner invites a developer, then requires two steps of everyone.
    let r = tpp
        .post_form("/team/invite", &[("email", "dev@twostep.example")])
        .await;
    assert_eq!(r.status(), 303);
    let (dev, r) = app.join_by_invitation("dev@twostep.example").await;
    assert!(r.status().is_redirection(), "{}", r.status());
    let (_, next) = password_step(&app, "dev@twostep.example", "/login").await;
    assert_eq!(next, "/dashboard", "optional for now");
    let r = dev.post_form("/team/two-step", &[("require", "1")]).await;
    assert_eq!(r.status(), 403, "only owners decide");
    let r = tpp.post_form("/team/two-step", &[("require", "1")]).await;
    assert_eq!(r.status(), 303);
    let (_, next) = password_step(&app, "dev@twostep.example", "/login").await;
    assert_eq!(
        next, "/account/two-step/setup",
        "required from the next sign-in"
    );
    // Nobody turns off what the organisation requires.
    let code = totp::next_code(&owner, &app.state.clock);
    let r = tpp
        .post_form("/account/two-step/off", &[("code", &code)])
        .await;
    assert_eq!(r.status(), 403);
}
