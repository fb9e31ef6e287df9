//! Applications, sandbox keys at once, secrets shown once, regeneration, revocation, scopes.

use crate::helpers::*;
use onramp::clients::service::secret_matches;
use onramp::domain::ClientId;

async fn stored_client(app: &TestApp, id: &str) -> onramp::store::clients::ClientRecord {
    onramp::store::clients::get(&app.state.db, &ClientId(id.into()))
        .await
        .unwrap()
        .expect("client stored")
}

#[tokio::test]
async fn an_approved_tpp_gets_sandbox_keys_at_once_and_the_secret_is_shown_once() {
    let app = spawn_app().await;
    let (email, tpp) = app.approved_tpp("Acme").await;
    let app_path = tpp.create_app(APP).await;
    let page = tpp.get_html(&app_path).await;
    assert!(
        texts(&page, "button")
            .iter()
            .any(|b| b == "Request sandbox keys"),
        "{page}"
    );

    let (client_id, secret) = tpp.sandbox_keys(&app_path).await;
    let secret = secret.expect("a secret-based client shows its secret");
    assert!(secret.starts_with("obp_sbx_"));
    assert!(client_id.len() >= 22, "random, unguessable id: {client_id}");

    // Never again: not on the application page, not in any mail, only a hash at rest.
    let page = tpp.get_html(&app_path).await;
    assert!(page.contains(&client_id));
    assert!(!page.contains(&secret));
    assert!(app.emails().await.iter().all(|m| !m.body.contains(&secret)));
    let stored = stored_client(&app, &client_id).await;
    assert_eq!(stored.status.as_str(), "active");
    assert_eq!(stored.environment.as_str(), "sandbox");
    assert_eq!(stored.origin.as_str(), "portal");
    assert_ne!(stored.secret_hash.as_deref(), Some(secret.as_str()));
    assert!(secret_matches(&stored, &secret, app.state.clock.now()));
    let _ = email;

    // Asking twice is refused with a reason.
    let r = tpp
        .post_form(&format!("{app_path}/sandbox-keys"), &[])
        .await;
    assert_eq!(r.status(), 303);
    assert!(
        tpp.get_html(&app_path)
            .await
            .contains("already has sandbox keys")
    );
}

#[tokio::test]
async fn a_regenerated_secret_replaces_the_old_one_after_its_grace_period() {
    let app = spawn_app().await;
    let (_, tpp) = app.approved_tpp("Acme").await;
    let app_path = tpp.create_app(APP).await;
    let (client_id, old) = tpp.sandbox_keys(&app_path).await;
    let old = old.unwrap();

    let r = tpp
        .post_form(
            &format!("/clients/{client_id}/secret"),
            &[("grace_minutes", "60")],
        )
        .await;
    assert_eq!(r.status(), 200);
    let (same_id, new) = credentials(&r.text().await.unwrap());
    assert_eq!(same_id, client_id);
    let new = new.unwrap();
    assert_ne!(new, old);

    let now = app.state.clock.now();
    let stored = stored_client(&app, &client_id).await;
    assert!(secret_matches(&stored, &new, now));
    assert!(
        secret_matches(&stored, &old, now),
        "old secret works during its grace"
    );
    assert!(
        !secret_matches(&stored, &old, now + chrono::Duration::minutes(61)),
        "then stops"
    );

    // With no grace, the previous secret stops at once.
    let r = tpp
        .post_form(
            &format!("/clients/{client_id}/secret"),
            &[("grace_minutes", "0")],
        )
        .await;
    let (_, newest) = credentials(&r.text().await.unwrap());
    let stored = stored_client(&app, &client_id).await;
    assert!(secret_matches(&stored, &newest.unwrap(), now));
    assert!(!secret_matches(&stored, &new, now));
}

#[tokio::test]
async fn revoking_a_client_stops_it_and_allows_new_keys() {
    let app = spawn_app().await;
    let (_, tpp) = app.approved_tpp("Acme").await;
    let app_path = tpp.create_app(APP).await;
    let (client_id, _) = tpp.sandbox_keys(&app_path).await;
    let r = tpp
        .post_form(&format!("/clients/{client_id}/revoke"), &[])
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(
        stored_client(&app, &client_id).await.status.as_str(),
        "revoked"
    );
    let r = tpp
        .post_form(&format!("/clients/{client_id}/secret"), &[])
        .await;
    assert_eq!(r.status(), 303, "a revoked client gets no new secret");
    let (again, _) = tpp.sandbox_keys(&app_path).await;
    assert_ne!(again, client_id);
}

#[tokio::test]
async fn deleting_an_application_revokes_its_clients() {
    let app = spawn_app().await;
    let (_, tpp) = app.approved_tpp("Acme").await;
    let app_path = tpp.create_app(APP).await;
    let (client_id, _) = tpp.sandbox_keys(&app_path).await;
    let r = tpp.post_form(&format!("{app_path}/delete"), &[]).await;
    assert_eq!(r.status(), 303);
    assert_eq!(
        stored_client(&app, &client_id).await.status.as_str(),
        "revoked"
    );
    assert_eq!(tpp.get(&app_path).await.status(), 404);
}

#[tokio::test]
async fn scopes_beyond_the_organisations_roles_are_refused() {
    let app = spawn_app().await;
    let (_, tpp) = app.approved_tpp("Acme").await; // roles AISP and PISP
    let form = [
        ("name", "Card checker"),
        ("redirect_uris", "https://cards.example/cb"),
        ("auth_method", "client_secret_basic"),
        ("scopes", "fundsconfirmations"),
    ];
    let r = tpp.post_form("/applications/new", &form).await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(
        texts(&html, "#f-scopes-error")[0].contains("CBPII"),
        "{html}"
    );
    assert_eq!(
        attr(&html, "#f-name", "value").as_deref(),
        Some("Card checker"),
        "typed values kept"
    );
}

#[tokio::test]
async fn application_rules_are_checked_with_messages_next_to_fields() {
    let app = spawn_app().await;
    let (_, tpp) = app.approved_tpp("Acme").await;
    let form = [
        ("name", ""),
        ("redirect_uris", "http://budget.example/cb"),
        ("auth_method", "private_key_jwt"),
        ("scopes", "accounts"),
    ];
    let r = tpp.post_form("/applications/new", &form).await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    for f in ["name", "redirect_uris", "jwks_uri"] {
        assert_eq!(
            attr(&html, &format!("#f-{f}"), "aria-invalid").as_deref(),
            Some("true"),
            "{f}"
        );
    }
}

#[tokio::test]
async fn an_organisation_not_yet_approved_cannot_create_applications() {
    let app = spawn_app().await;
    let email = app.verified_tpp("Acme").await;
    assert_eq!(app.portal_login(&email).await.status(), 303);
    let r = app.post_form("/applications/new", APP).await;
    assert_eq!(r.status(), 403);
    assert!(r.text().await.unwrap().contains("must be approved"));
}

#[tokio::test]
async fn the_sandbox_page_shows_a_curl_example_that_works() {
    let app = spawn_app().await;
    let (_, tpp) = app.approved_tpp("Acme").await;
    let app_path = tpp.create_app(APP).await;
    let (_, secret) = tpp.sandbox_keys(&app_path).await;
    let page = tpp.get_html(&app_path).await;
    let example = texts(&page, "pre.example code")
        .pop()
        .expect("an example on the page");
    assert!(
        example.contains("/token") && example.contains("/sandbox/open-banking/v3.1/aisp/accounts")
    );
    // As pasted, then the secret typed at its prompt.
    let secret = secret.unwrap();
    let out = tokio::task::spawn_blocking(move || {
        use std::io::Write;
        let mut child = std::process::Command::new("bash")
            .arg("-c")
            .arg(&example)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()?;
        writeln!(child.stdin.take().unwrap(), "{secret}")?;
        child.wait_with_output()
    })
    .await
    .unwrap()
    .expect("bash runs (curl is installed by .ci/run)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("\"AccountId\""),
        "the example reached the sandbox API: {stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
}
