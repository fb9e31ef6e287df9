//! Signup through the configured form, email verification, duplicates, password reset.

use crate::helpers::*;

#[tokio::test]
async fn the_signup_page_shows_every_configured_field_with_a_label() {
    let app = spawn_app().await;
    let html = app.get_html("/signup").await;
    for id in [
        "f-legal_name",
        "f-country",
        "f-competent_authority",
        "f-authorisation_number",
        "f-website",
        "f-email",
        "f-password",
    ] {
        assert!(
            attr(&html, &format!("label[for=\"{id}\"]"), "for").is_some(),
            "label for {id}"
        );
    }
    assert_eq!(
        texts(&html, "fieldset#f-roles input[type=checkbox]").len(),
        3,
        "three roles"
    );
}

#[tokio::test]
async fn a_refused_signup_keeps_what_was_typed_and_marks_each_field() {
    let app = spawn_app().await;
    let mut fields = signup_fields("ann@acme.example", "Acme Payments Ltd");
    for (k, v) in fields.iter_mut() {
        match k.as_str() {
            "website" => *v = "not a url".into(),
            "phone" => *v = "call me".into(),
            "authorisation_number" => *v = "!!".into(),
            "password" | "password_confirm" => *v = "short".into(),
            _ => {}
        }
    }
    fields.retain(|(k, _)| k != "roles" && k != "contact_name");
    let r = app.signup(&fields).await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    for f in [
        "website",
        "phone",
        "authorisation_number",
        "password",
        "roles",
        "contact_name",
    ] {
        assert!(
            html.contains(&format!("id=\"f-{f}-error\"")),
            "error next to {f}"
        );
    }
    assert_eq!(
        attr(&html, "#f-website", "aria-invalid").as_deref(),
        Some("true")
    );
    assert_eq!(
        attr(&html, "#f-legal_name", "value").as_deref(),
        Some("Acme Payments Ltd")
    );
    assert_eq!(
        attr(&html, "#f-website", "value").as_deref(),
        Some("not a url")
    );
    assert_eq!(
        attr(&html, "#f-password", "value").as_deref(),
        Some(""),
        "passwords are not echoed"
    );
    assert!(
        attr(&html, "#f-country option[value=GB]", "selected").is_some(),
        "country kept"
    );
    assert!(
        app.emails().await.is_empty(),
        "nothing sent for a refused form"
    );
}

#[tokio::test]
async fn a_weak_or_email_derived_password_is_refused() {
    let app = spawn_app().await;
    for bad in ["password1234", "annsmith-acme.example!", "aaaaaaaaaaaaaa"] {
        let mut fields = signup_fields("annsmith@acme.example", "Acme");
        for (k, v) in fields.iter_mut() {
            if k.starts_with("password") {
                *v = bad.into();
            }
        }
        let r = app.signup(&fields).await;
        assert_eq!(r.status(), 422, "{bad}");
        assert!(r.text().await.unwrap().contains("f-password-error"));
    }
}

#[tokio::test]
async fn the_link_verifies_once_and_starts_the_review() {
    let app = spawn_app().await;
    let r = app
        .signup(&signup_fields("ann@acme.example", "Acme Payments Ltd"))
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/signup/check-email");
    assert_eq!(
        app.portal_login("ann@acme.example").await.status(),
        422,
        "unverified cannot sign in"
    );
    let link = app.link_in_mail("ann@acme.example", "/verify").await;
    assert!(link.contains("token=onr_ev_"));
    assert_eq!(app.get(&link).await.status(), 200);
    assert_eq!(app.get(&link).await.status(), 400, "single use");
    assert_eq!(app.portal_login("ann@acme.example").await.status(), 303);
    let html = app.get_html("/dashboard").await;
    assert!(html.contains("Waiting since"), "{html}");
    assert!(
        !html.to_lowercase().contains("waiting for review: waiting"),
        "the state is said once: {html}"
    );
}

#[tokio::test]
async fn an_expired_link_is_refused_and_a_new_one_works() {
    let app = spawn_app().await;
    app.signup(&signup_fields("ann@acme.example", "Acme")).await;
    let old = app.link_in_mail("ann@acme.example", "/verify").await;
    app.state.clock.advance(chrono::Duration::hours(25));
    assert_eq!(app.get(&old).await.status(), 400);
    let r = app
        .post_form("/verify/resend", &[("email", "ann@acme.example")])
        .await;
    assert_eq!(r.status(), 303);
    let new = app.link_in_mail("ann@acme.example", "/verify").await;
    assert_ne!(old, new);
    assert_eq!(app.get(&new).await.status(), 200);
}

#[tokio::test]
async fn signing_up_with_a_taken_email_answers_the_same_and_mails_the_owner() {
    let app = spawn_app().await;
    let email = app.verified_tpp("Acme").await;
    let before = app.emails_to(&email).await.len();
    let r = app.signup(&signup_fields(&email, "Impostor Ltd")).await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/signup/check-email");
    let mails = app.emails_to(&email).await;
    assert_eq!(mails.len(), before + 1);
    assert!(mails.last().unwrap().subject.contains("tried to sign up"));
    assert!(!mails.last().unwrap().body.contains("/verify?token"));
}

#[tokio::test]
async fn password_reset_changes_the_password_once() {
    let app = spawn_app().await;
    let email = app.verified_tpp("Acme").await;
    let r = app
        .post_form("/password/forgot", &[("email", &email)])
        .await;
    assert_eq!(r.status(), 303);
    let r = app
        .post_form("/password/forgot", &[("email", "nobody@nowhere.example")])
        .await;
    assert_eq!(r.status(), 303, "same answer for unknown addresses");
    let link = app.link_in_mail(&email, "/password/reset").await;
    let token = link.split("token=").nth(1).unwrap().to_string();
    assert_eq!(app.get(&link).await.status(), 200);
    let new_password = "Another-strong-Passphrase-42";
    let r = app
        .post_form(
            "/password/reset",
            &[
                ("token", &token),
                ("password", "password1234"),
                ("password_confirm", "password1234"),
            ],
        )
        .await;
    assert_eq!(r.status(), 422, "the policy applies");
    let r = app
        .post_form(
            "/password/reset",
            &[
                ("token", &token),
                ("password", new_password),
                ("password_confirm", new_password),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(app.get(&link).await.status(), 400, "the link works once");
    assert_eq!(
        app.portal_login(&email).await.status(),
        422,
        "old password refused"
    );
    let r = app
        .post_form("/login", &[("email", &email), ("password", new_password)])
        .await;
    assert_eq!(r.status(), 303);
}
