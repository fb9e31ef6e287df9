//! A software statement's signature is verified once per node and kept for five minutes
//! (issue 14): every other check still runs on every registration that carries it.

use super::*;

#[tokio::test]
async fn a_statement_verified_before_is_still_checked_for_age_request_signature_and_replay() {
    let d = Dcr::start().await;
    let ssa = d.ssa(|_| {});
    let sign = |key: &SigningKey, f: &dyn Fn(&mut Map<String, Value>)| {
        let mut c = d.request_claims(&ssa);
        f(&mut c);
        key.sign("JWT", &Value::Object(c)).unwrap()
    };
    let first = sign(&d.software_key, &|_| {});
    let (status, body) = d.post("/register", &first).await;
    assert_eq!(status, 201, "{body}");

    // The same statement again: its request must still be signed by the software's key...
    let (stranger, _) = SigningKey::generate_es256(d.software_key.kid.clone()).unwrap();
    let (status, body) = d.post("/register", &sign(&stranger, &|_| {})).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some(METADATA)),
        "{body}"
    );
    // ...and its jti is still single use.
    let (status, body) = d.post("/register", &first).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some(METADATA)),
        "{body}"
    );
    assert!(body["error_description"].as_str().unwrap().contains("jti"));

    // A statement one byte away from the verified one is not taken for it.
    let mut forged: Vec<String> = ssa.split('.').map(str::to_string).collect();
    let mut claims: Value =
        serde_json::from_slice(&onramp::jose::unb64(&forged[1]).unwrap()).unwrap();
    claims["org_name"] = json!("Acme TPP Lts");
    forged[1] = b64(claims.to_string().as_bytes());
    let forged = forged.join(".");
    let mut c = d.request_claims(&forged);
    c.insert("software_statement".into(), json!(forged));
    let body_jwt = d.software_key.sign("JWT", &Value::Object(c)).unwrap();
    let (status, body) = d.post("/register", &body_jwt).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some(STATEMENT)),
        "{body}"
    );

    // Past `dcr.ssa_max_age` (30 minutes) the kept statement is too old like any other.
    let (status, _) = d.post("/register", &sign(&d.software_key, &|_| {})).await;
    assert_eq!(
        status, 201,
        "a fresh request with the kept statement registers"
    );
    d.app.state.clock.advance(chrono::Duration::minutes(31));
    let (status, body) = d.post("/register", &sign(&d.software_key, &|_| {})).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some(STATEMENT)),
        "{body}"
    );
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains("too old"),
        "{body}"
    );
}
