//! The PSD2 roles of an eIDAS transport certificate bound DCR and `/token` (decision 11).

use crate::helpers::dcr::{Dcr, SOFTWARE_ID, private_key_jwt_token, private_key_jwt_token_with};
use crate::helpers::eidas::{AI, EidasSpec, PI};
use serde_json::{Value, json};

async fn production(roles: &[(&'static str, &'static str)]) -> Dcr {
    let mut d = Dcr::start_with("production", |_| {}).await;
    d.cert = d
        .app
        .pki
        .as_ref()
        .unwrap()
        .eidas(SOFTWARE_ID, &EidasSpec::qwac(roles));
    d
}

/// A production registration request asking for `scope`.
pub(super) fn production_request(d: &Dcr, scope: &str) -> String {
    let ssa = d.ssa(|c| {
        c.insert("software_environment".into(), json!("production"));
    });
    let mut claims = d.request_claims(&ssa);
    claims.insert("scope".into(), json!(scope));
    d.software_key.sign("JWT", &Value::Object(claims)).unwrap()
}

#[tokio::test]
async fn dcr_refuses_a_scope_whose_role_the_eidas_certificate_lacks_and_names_it() {
    let d = production(&[AI]).await;
    let (status, body) = d
        .post(
            "/register",
            &production_request(&d, "openid accounts payments"),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"], "invalid_client_metadata");
    let why = body["error_description"].as_str().unwrap();
    assert!(why.contains("PISP") && why.contains("PSP_PI"), "{why}");
    let (status, body) = d
        .post("/register", &production_request(&d, "openid accounts"))
        .await;
    assert_eq!(status, 201, "{body}");
}

#[tokio::test]
async fn the_ssa_roles_still_bound_dcr_when_the_certificate_has_more() {
    let d = production(&[AI, PI]).await;
    let ssa = d.ssa(|c| {
        c.insert("software_environment".into(), json!("production"));
        c.insert("software_roles".into(), json!(["AISP"]));
    });
    let mut claims = d.request_claims(&ssa);
    claims.insert("scope".into(), json!("openid accounts payments"));
    let body = d.software_key.sign("JWT", &Value::Object(claims)).unwrap();
    let (status, answer) = d.post("/register", &body).await;
    assert_eq!(status, 400, "{answer}");
    assert!(
        answer["error_description"]
            .as_str()
            .unwrap()
            .contains("PISP")
    );
}

#[tokio::test]
async fn token_scopes_are_cut_to_the_roles_of_the_certificate_presented() {
    let d = production(&[AI, PI]).await;
    let (status, reg) = d
        .post(
            "/register",
            &production_request(&d, "openid accounts payments"),
        )
        .await;
    assert_eq!(status, 201, "{reg}");
    let client_id = reg["client_id"].as_str().unwrap();
    let ais_only = d
        .app
        .pki
        .as_ref()
        .unwrap()
        .eidas(SOFTWARE_ID, &EidasSpec::qwac(&[AI]));
    let http = d.app.pki.as_ref().unwrap().client_http(Some(&ais_only));
    let now = d.app.state.clock.now().timestamp();
    let r = private_key_jwt_token(&http, &d.base(), &d.software_key, client_id, now).await;
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["scope"], "openid accounts", "{body}");

    let r = private_key_jwt_token_with(
        &http,
        &d.base(),
        &d.software_key,
        client_id,
        now,
        &[("scope", "payments")],
    )
    .await;
    assert_eq!(r.status(), 400);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"], "invalid_scope");
    assert!(body["error_description"].as_str().unwrap().contains("PISP"));

    let full = d.token_for(client_id).await;
    assert!(
        !full.is_empty(),
        "the registering certificate gets its scopes"
    );
}
