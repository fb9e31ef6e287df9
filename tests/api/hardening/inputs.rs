//! Numeric inputs out of range are clear errors, never a panic.

use crate::helpers::dcr::*;
use crate::helpers::*;
use serde_json::json;

#[tokio::test]
async fn a_huge_grace_period_gets_a_422_with_a_message_and_the_server_keeps_answering() {
    let app = spawn_app().await;
    let (_, tpp) = app.approved_tpp("Acme").await;
    let app_path = tpp.create_app(APP).await;
    let (client_id, _) = tpp.sandbox_keys(&app_path).await;
    for huge in ["200000000000000", "-5", "1441", "9e99", "abc"] {
        let r = tpp
            .post_form(
                &format!("/clients/{client_id}/secret"),
                &[("grace_minutes", huge)],
            )
            .await;
        assert_eq!(r.status(), 422, "{huge}");
        assert!(
            r.text().await.unwrap().contains("from 0 to 1440"),
            "{huge}: the message says what is allowed"
        );
    }
    let r = tpp
        .post_form(
            &format!("/clients/{client_id}/secret"),
            &[("grace_minutes", "1440")],
        )
        .await;
    assert_eq!(r.status(), 200, "the longest grace period is accepted");
}

#[tokio::test]
async fn registration_requests_with_absurd_dates_are_refused_as_metadata_errors() {
    let d = Dcr::start().await;
    let now = d.app.state.clock.now().timestamp();
    let cases = [
        (json!(-1e300), json!(now + 300)),
        (json!(now), json!(1e13)),
        (json!(now), json!(1e300)),
        (json!(-9_223_372_036_854_775_807_i64), json!(now + 300)),
        (json!(now), json!(9_223_372_036_854_775_807_i64)),
        (json!(now), json!(now + 200 * 365 * 24 * 3600)),
    ];
    for (iat, exp) in cases {
        let body = d.request(|c| {
            c.insert("iat".into(), iat.clone());
            c.insert("exp".into(), exp.clone());
        });
        let (status, answer) = d.post("/register", &body).await;
        assert_eq!(status, 400, "iat {iat}, exp {exp}: {answer}");
        assert_eq!(answer["error"], "invalid_client_metadata", "{answer}");
    }
    // Still serving.
    d.register().await;
}
