//! Secrets at rest: delivered mail keeps no links.

use crate::helpers::*;
use onramp::store::entities::outbox;
use sea_orm::EntityTrait;

#[tokio::test]
async fn after_sending_no_outbox_row_holds_a_link() {
    let app = spawn_app().await;
    let (email, owner) = app.approved_tpp("Acme").await;
    owner
        .post_form("/team/invite", &[("email", "dev2@acme.example")])
        .await;
    app.other_browser()
        .post_form("/password/forgot", &[("email", &email)])
        .await;
    let delivered = app.emails().await;
    assert!(
        delivered.iter().any(|m| m.body.contains("token=")),
        "links were mailed"
    );
    let rows = outbox::Entity::find().all(&app.state.db).await.unwrap();
    let sent: Vec<_> = rows.iter().filter(|r| r.status == "sent").collect();
    assert!(sent.len() >= 4, "verification, decision, invitation, reset");
    for r in sent {
        assert!(r.body_text.is_empty(), "{}: {}", r.subject, r.body_text);
        assert!(!r.recipient.is_empty() && !r.subject.is_empty() && r.sent_at.is_some());
    }
}

const KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
const NEXT: &str = "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=";

/// Every key value kept at rest: signing keys and server secrets.
async fn stored_keys(db: &sea_orm::DatabaseConnection) -> Vec<String> {
    use onramp::store::entities::{server_secrets, signing_keys};
    let mut all: Vec<String> = signing_keys::Entity::find()
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|k| k.private_pkcs8)
        .collect();
    all.extend(
        server_secrets::Entity::find()
            .all(db)
            .await
            .unwrap()
            .into_iter()
            .map(|s| s.value),
    );
    all
}

#[tokio::test]
async fn with_a_data_key_no_key_column_is_plaintext_and_everything_still_works() {
    let app = spawn_app_with(|s| s.security.data_key = Some(KEY.into())).await;
    let stored = stored_keys(&app.state.db).await;
    assert!(
        stored.len() >= 3,
        "signing keys, session key, sandbox directory"
    );
    for v in &stored {
        assert!(
            v.starts_with("enc:v1:"),
            "sealed: {}",
            &v[..12.min(v.len())]
        );
    }
    // The session key and signing keys open: sign-in and the JWKS work.
    let (_, tpp) = app.approved_tpp("Acme").await;
    assert_eq!(tpp.get("/dashboard").await.status(), 200);
    assert_eq!(app.get("/jwks").await.status(), 200);
}

#[tokio::test]
async fn rewrap_seals_clear_keys_and_moves_them_to_a_new_data_key() {
    use onramp::domain::sealed::DataKey;
    use onramp::oauth::rewrap::rewrap;
    let app = spawn_app().await;
    let db = &app.state.db;
    assert!(
        stored_keys(db).await.iter().all(|v| !v.starts_with("enc:")),
        "without a data key, today's behaviour"
    );
    let key = DataKey::parse(KEY).unwrap();
    let next = DataKey::parse(NEXT).unwrap();
    let n = rewrap(db, Some(&key), None).await.unwrap();
    assert!(n >= 3);
    let sealed_once = stored_keys(db).await;
    assert!(sealed_once.iter().all(|v| v.starts_with("enc:v1:")));

    assert!(
        rewrap(db, Some(&next), None).await.is_err(),
        "values under another key need data_key_previous"
    );
    assert_eq!(
        stored_keys(db).await,
        sealed_once,
        "a failed rewrap changes nothing"
    );

    rewrap(db, Some(&next), Some(&key)).await.unwrap();
    let alg = onramp::jose::Alg::Es256;
    let ttl = std::time::Duration::from_secs(3600);
    let clock = &app.state.clock;
    assert!(
        onramp::oauth::keyring::KeyRings::load(db, clock, alg, ttl, Some(next.into()))
            .await
            .is_ok(),
        "the keys open with the new data key"
    );
    assert!(
        onramp::oauth::keyring::KeyRings::load(db, clock, alg, ttl, Some(key.into()))
            .await
            .is_err(),
        "and no longer with the old one"
    );
}
