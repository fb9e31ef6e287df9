//! Atomic sign-in limits, squatting, and answers that do not wait for mail.

use crate::helpers::*;
use std::time::{Duration, Instant};

#[tokio::test]
async fn fifty_parallel_wrong_passwords_lock_at_the_limit_not_above() {
    let app = spawn_app().await;
    let email = app.verified_tpp("Acme").await;
    let token = app.csrf().await;
    let mut burst = tokio::task::JoinSet::new();
    for _ in 0..50 {
        let (client, url, email, token) = (
            app.client.clone(),
            app.url("/login"),
            email.clone(),
            token.clone(),
        );
        burst.spawn(async move {
            client
                .post(url)
                .form(&[
                    ("email", email.as_str()),
                    ("password", "wrong-password-123"),
                    ("csrf_token", token.as_str()),
                ])
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        });
    }
    let statuses = burst.join_all().await;
    let checked = statuses.iter().filter(|s| **s == 422).count();
    // Each attempt is counted before its password is checked, so the k-th sees at least k:
    // never more than 10 get through. (When the whole burst lands before any count, as on
    // PostgreSQL, none does, and the refused ones are taken back.)
    assert!(
        checked <= 10,
        "at most the limit's 10 passwords were checked: {statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 429).count(),
        50 - checked,
        "the rest were refused unchecked"
    );
    // Going on one at a time, the door closes exactly at the limit.
    let mut more = 0;
    loop {
        let r = app
            .post_form(
                "/login",
                &[("email", &email), ("password", "wrong-password-123")],
            )
            .await;
        if r.status() == 429 {
            break;
        }
        assert_eq!(r.status(), 422);
        more += 1;
        assert!(checked + more <= 10, "more than 10 passwords checked");
    }
    assert_eq!(checked + more, 10, "the lock comes at the limit");
    let counted = onramp::store::rate::count_since(
        &app.state.db,
        "login_fail_acct_portal",
        &email,
        chrono::DateTime::<chrono::Utc>::UNIX_EPOCH,
    )
    .await
    .unwrap();
    assert_eq!(counted, 10, "refused attempts do not extend the lock");
    assert_eq!(
        app.portal_login(&email).await.status(),
        429,
        "locked: even the right password waits"
    );
    app.state.clock.advance(chrono::Duration::minutes(16));
    assert_eq!(app.portal_login(&email).await.status(), 303, "not forever");
}

fn verify_links(mails: &[onramp::email::SentMail]) -> Vec<String> {
    mails
        .iter()
        .filter_map(|m| {
            linkify::LinkFinder::new()
                .links(&m.body)
                .filter_map(|l| url::Url::parse(l.as_str()).ok())
                .find(|u| u.path() == "/verify")
                .map(|u| format!("/verify?{}", u.query().unwrap_or_default()))
        })
        .collect()
}

#[tokio::test]
async fn a_squatters_password_is_replaced_when_the_owner_signs_up_and_verifies() {
    let app = spawn_app().await;
    let victim = "owner@victim.example";
    let squatter = app.other_browser();
    assert_eq!(
        squatter
            .signup(&signup_fields(victim, "Squatter Ltd"))
            .await
            .status(),
        303
    );
    // Mail leaves in the background: let the first arrive before the second is sent.
    assert_eq!(app.emails_to(victim).await.len(), 1);
    let owners_password = "Kt5!mW3#xP8r-heron";
    let mut fields = signup_fields(victim, "Victim Payments Ltd");
    for (k, v) in fields.iter_mut() {
        if k == "password" || k == "password_confirm" {
            *v = owners_password.to_string();
        }
    }
    assert_eq!(app.signup(&fields).await.status(), 303, "the same answer");
    let links = verify_links(&app.emails_to(victim).await);
    assert_eq!(links.len(), 2, "each signup mails its own link");

    // Until the address verifies, nothing changes hands.
    assert_eq!(app.get(&links[1]).await.status(), 200);
    assert_eq!(
        squatter.portal_login(victim).await.status(),
        422,
        "the squatter's password no longer works"
    );
    let r = app
        .post_form(
            "/login",
            &[("email", victim), ("password", owners_password)],
        )
        .await;
    assert_eq!(r.status(), 303, "the owner's password does");
    let dashboard = app.get_html("/dashboard").await;
    assert!(dashboard.contains("Victim Payments Ltd"), "{dashboard}");
    assert_eq!(
        app.get(&links[0]).await.status(),
        400,
        "the first, dropped signup's link is dead"
    );
}

#[tokio::test]
async fn a_verified_owner_keeps_the_account_when_a_late_waiting_link_is_followed() {
    let app = spawn_app().await;
    let victim = "owner@victim.example";
    app.signup(&signup_fields(victim, "First Ltd")).await;
    // Mail leaves in the background: let the first arrive before the second is sent.
    assert_eq!(app.emails_to(victim).await.len(), 1);
    let mut fields = signup_fields(victim, "Second Ltd");
    for (k, v) in fields.iter_mut() {
        if k == "password" || k == "password_confirm" {
            *v = "Kt5!mW3#xP8r-heron".to_string();
        }
    }
    app.signup(&fields).await;
    let links = verify_links(&app.emails_to(victim).await);
    assert_eq!(app.get(&links[0]).await.status(), 200, "the first verifies");
    assert_eq!(
        app.get(&links[1]).await.status(),
        400,
        "the waiting signup was dropped"
    );
    assert_eq!(app.portal_login(victim).await.status(), 303);
}

/// An SMTP server that accepts connections and never answers: a delivery would hang.
async fn silent_smtp() -> (u16, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let task = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    (port, task)
}

#[tokio::test]
async fn reset_answers_known_and_unknown_addresses_alike_without_waiting_for_delivery() {
    let (port, _smtp) = silent_smtp().await;
    let app = spawn_app_with(|s| {
        s.mail.transport = onramp::config::MailTransport::Smtp;
        s.mail.smtp_url = format!("smtp://127.0.0.1:{port}").into();
    })
    .await;
    let known = "known@acme.example";
    assert_eq!(
        app.signup(&signup_fields(known, "Acme")).await.status(),
        303,
        "a signup does not wait for its mail either"
    );
    for (path, email) in [
        ("/password/forgot", known),
        ("/password/forgot", "unknown@nowhere.example"),
        ("/verify/resend", known),
        ("/verify/resend", "unknown@nowhere.example"),
    ] {
        let token = app.csrf().await;
        let started = Instant::now();
        let r = app
            .client
            .post(app.url(path))
            .form(&[("email", email), ("csrf_token", token.as_str())])
            .send()
            .await
            .unwrap();
        let took = started.elapsed();
        assert_eq!(r.status(), 303, "{path} {email}");
        assert!(
            took < Duration::from_secs(5),
            "{path} for {email} took {took:?}: it waited for the mail server"
        );
    }
}
