//! The sandbox directory end to end: an approved organisation makes software in the portal (with
//! a CSR, or with keys Onramp generates), registers over real mTLS with the statement and
//! certificate it got, gets a token and calls the sandbox API; its test certificate never acts in
//! production, and other organisations see nothing of it.

use crate::helpers::dcr::private_key_jwt_token;
use crate::helpers::{Identity, TestApp, Visitor, spawn_tls_app_with, texts};
use onramp::jose::{Alg, SigningKey};
use rcgen::{CertificateParams, KeyPair};
use serde_json::{Map, Value, json};

const REDIRECT: &str = "https://tpp.example/cb";

async fn app() -> TestApp {
    spawn_tls_app_with(|_| {}).await
}

fn one(html: &str, selector: &str) -> String {
    texts(html, selector)
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("{selector} on the page:\n{html}"))
}

/// A P-256 key and a CSR for it asking for a subject the directory must ignore.
fn csr() -> (KeyPair, String) {
    let key = KeyPair::generate().unwrap();
    let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
    p.distinguished_name
        .push(rcgen::DnType::CommonName, "someone else");
    p.distinguished_name
        .push(rcgen::DnType::OrganizationalUnitName, "0015800001ZEc3hAAD");
    let pem = p.serialize_request(&key).unwrap().pem().unwrap();
    (key, pem)
}

async fn make_software(tpp: &Visitor, fields: &[(&str, &str)]) -> (u16, String) {
    let r = tpp.post_form("/sandbox-directory", fields).await;
    let status = r.status().as_u16();
    (status, r.text().await.unwrap())
}

/// The software's signing key's `kid` as the directory publishes it.
async fn sig_kid(app: &TestApp, software_id: &str) -> String {
    let jwks: Value = app
        .get(&format!("/sandbox-directory/software/{software_id}/jwks"))
        .await
        .json()
        .await
        .unwrap();
    let keys = jwks["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 2, "a signing key and the transport certificate");
    assert!(
        keys.iter().all(|k| k.get("d").is_none()),
        "public keys only"
    );
    let tls = keys.iter().find(|k| k["use"] == "tls").unwrap();
    assert!(tls["x5c"].is_array(), "the certificate is published: {tls}");
    keys.iter().find(|k| k["use"] == "sig").unwrap()["kid"]
        .as_str()
        .unwrap()
        .to_string()
}

fn signer(key_pem: &str, kid: &str) -> SigningKey {
    let der = KeyPair::from_pem(key_pem).unwrap().serialize_der();
    SigningKey::from_pkcs8(kid.into(), Alg::Es256, &der).unwrap()
}

/// The page's example request, with fresh times and `jti`, signed.
fn request_from_page(
    app: &TestApp,
    html: &str,
    key: &SigningKey,
    change: impl FnOnce(&mut Map<String, Value>),
) -> String {
    let mut claims: Map<String, Value> =
        serde_json::from_str(&one(html, "#request-claims")).unwrap();
    let now = app.state.clock.now().timestamp();
    claims.insert("iat".into(), json!(now));
    claims.insert("exp".into(), json!(now + 300));
    claims.insert("jti".into(), json!(uuid::Uuid::new_v4().to_string()));
    change(&mut claims);
    key.sign("JWT", &Value::Object(claims)).unwrap()
}

async fn post_jwt(http: &reqwest::Client, url: String, body: String) -> (u16, Value) {
    let r = http
        .post(url)
        .header("Content-Type", "application/jwt")
        .body(body)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

async fn token(
    app: &TestApp,
    http: &reqwest::Client,
    key: &SigningKey,
    client_id: &str,
) -> reqwest::Response {
    let base = app.tls_address.as_ref().unwrap();
    private_key_jwt_token(
        http,
        base,
        key,
        client_id,
        app.state.clock.now().timestamp(),
    )
    .await
}

#[tokio::test]
async fn software_made_with_a_csr_registers_over_mtls_and_reaches_the_sandbox_api() {
    let app = app().await;
    let (_, tpp) = app.approved_tpp("Sandbox Tester Ltd").await;
    let (key, csr_pem) = csr();
    let (status, html) = make_software(
        &tpp,
        &[
            ("client_name", "Budget Buddy"),
            ("redirect_uris", REDIRECT),
            ("roles", "AISP"),
            ("csr", &csr_pem),
        ],
    )
    .await;
    assert_eq!(status, 200, "{html}");
    assert!(
        texts(&html, "#signing-key").is_empty(),
        "no private key was made"
    );
    let software_id = one(&html, "#software-id");
    let cert_pem = one(&html, "#certificate");
    let dn = one(&html, "#subject-dn");
    assert!(
        dn.starts_with(&format!("CN={software_id},OU=")),
        "the directory sets the subject: {dn}"
    );

    // The statement verifies with the directory's published keys and names the portal org.
    let ssa = one(&html, "#ssa");
    let directory: Value = app
        .get("/sandbox-directory/jwks")
        .await
        .json()
        .await
        .unwrap();
    let jws = onramp::jose::decode(&ssa).unwrap();
    jws.verify(&onramp::jose::JwkSet::parse(&directory).unwrap())
        .unwrap();
    assert_eq!(
        jws.str_claim("iss"),
        Some(onramp::sandbox_directory::ISSUER)
    );
    assert_eq!(jws.str_claim("software_environment"), Some("sandbox"));

    // The certificate chains to the directory's CA, which the listener trusts.
    let identity = Identity {
        der: Vec::new(),
        cert_pem,
        key_pem: key.serialize_pem(),
        dn,
    };
    let pki = app.pki.as_ref().unwrap();
    let http = pki.client_http(Some(&identity));
    let kid = sig_kid(&app, &software_id).await;
    let signing = signer(&key.serialize_pem(), &kid);
    let register = format!("{}/register", app.tls_address.as_ref().unwrap());
    let (status, body) = post_jwt(
        &http,
        register.clone(),
        request_from_page(&app, &html, &signing, |_| {}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let client_id = body["client_id"].as_str().unwrap().to_string();
    assert_eq!(body["software_id"], software_id);

    let r = token(&app, &http, &signing, &client_id).await;
    assert_eq!(r.status(), 200);
    let access: Value = r.json().await.unwrap();
    let r = http
        .get(format!(
            "{}/sandbox/open-banking/v3.1/aisp/accounts",
            app.tls_address.as_ref().unwrap()
        ))
        .bearer_auth(access["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        200,
        "the sandbox client reaches the sandbox API"
    );

    // The client is the organisation's own, in the sandbox, visible in the portal.
    let client =
        onramp::store::clients::get(&app.state.db, &onramp::domain::ClientId(client_id.clone()))
            .await
            .unwrap()
            .unwrap();
    assert_eq!(
        (client.origin.as_str(), client.environment.as_str()),
        ("dcr", "sandbox")
    );
    let apps = tpp.get_html("/applications").await;
    assert!(
        apps.contains("Budget Buddy") || apps.contains(&software_id),
        "{apps}"
    );

    // A second request with the same statement is refused when statements are single use; a
    // request signed by a key outside the software's JWKS always is.
    let (stranger, _) = SigningKey::generate_es256(kid.clone()).unwrap();
    let (status, body) = post_jwt(
        &http,
        register.clone(),
        request_from_page(&app, &html, &stranger, |_| {}),
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_client_metadata")),
        "{body}"
    );

    // Retired software no longer publishes keys, so it can no longer register.
    let r = tpp
        .post_form(
            &format!("/sandbox-directory/software/{software_id}/retire"),
            &[],
        )
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(
        app.get(&format!("/sandbox-directory/software/{software_id}/jwks"))
            .await
            .status(),
        404
    );
    let (status, body) = post_jwt(
        &http,
        register,
        request_from_page(&app, &html, &signing, |_| {}),
    )
    .await;
    assert_eq!(status, 400, "{body}");
}

#[tokio::test]
async fn generated_keys_are_shown_once_and_work() {
    let app = app().await;
    let (_, tpp) = app.approved_tpp("Generated Keys Ltd").await;
    let (status, html) = make_software(
        &tpp,
        &[
            ("client_name", "Keyless"),
            ("redirect_uris", REDIRECT),
            ("roles", "AISP"),
            ("roles", "PISP"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{html}");
    let software_id = one(&html, "#software-id");
    let signing_pem = one(&html, "#signing-key");
    let transport_pem = one(&html, "#transport-key");
    assert!(signing_pem.starts_with("-----BEGIN PRIVATE KEY-----"));
    assert_ne!(signing_pem, transport_pem, "two keys");

    let again = tpp
        .get_html(&format!("/sandbox-directory/software/{software_id}"))
        .await;
    assert!(
        texts(&again, "#signing-key").is_empty(),
        "private keys are shown only once"
    );
    assert!(!again.contains(&signing_pem[30..80]));

    let identity = Identity {
        der: Vec::new(),
        cert_pem: one(&again, "#certificate"),
        key_pem: transport_pem,
        dn: one(&again, "#subject-dn"),
    };
    let http = app.pki.as_ref().unwrap().client_http(Some(&identity));
    let kid = sig_kid(&app, &software_id).await;
    let signing = signer(&signing_pem, &kid);
    let (status, body) = post_jwt(
        &http,
        format!("{}/register", app.tls_address.as_ref().unwrap()),
        request_from_page(&app, &again, &signing, |_| {}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let client_id = body["client_id"].as_str().unwrap().to_string();
    assert_eq!(
        body["scope"].as_str().map(|s| s.contains("payments")),
        Some(true),
        "{body}"
    );

    // The organisation sees the DCR client on its application page, cannot edit what the
    // software owns, and can revoke it: then the software gets no more tokens.
    let client =
        onramp::store::clients::get(&app.state.db, &onramp::domain::ClientId(client_id.clone()))
            .await
            .unwrap()
            .unwrap();
    let page = tpp
        .get_html(&format!("/applications/{}", client.application_id))
        .await;
    assert!(
        page.contains("through Dynamic Client Registration") && page.contains(&client_id),
        "{page}"
    );
    assert!(
        !page.contains("/edit\""),
        "no edit link for a DCR application"
    );
    let r = tpp
        .post_form(
            &format!("/applications/{}/edit", client.application_id),
            &[("name", "Renamed")],
        )
        .await;
    assert_eq!(r.status(), 403, "settings belong to the software");
    assert_eq!(token(&app, &http, &signing, &client_id).await.status(), 200);
    let r = tpp
        .post_form(&format!("/clients/{client_id}/revoke"), &[])
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(token(&app, &http, &signing, &client_id).await.status(), 401);
}

#[tokio::test]
async fn a_test_certificate_never_acts_in_production() {
    let app = app().await;
    let (_, tpp) = app.approved_tpp("Prod Guard Ltd").await;
    let (key, csr_pem) = csr();
    let (_, html) = make_software(
        &tpp,
        &[
            ("client_name", "Guarded"),
            ("redirect_uris", REDIRECT),
            ("roles", "AISP"),
            ("csr", &csr_pem),
        ],
    )
    .await;
    let cert_pem = one(&html, "#certificate");
    let der = rustls_pki_types::pem::PemObject::from_pem_slice(cert_pem.as_bytes())
        .map(|c: rustls_pki_types::CertificateDer<'static>| c.to_vec())
        .unwrap();
    assert!(onramp::sandbox_directory::is_test_certificate(
        &app.state, &der
    ));
    assert!(
        onramp::sandbox_directory::check_environment(
            &app.state,
            onramp::clients::Environment::Production,
            Some(&der)
        )
        .is_err()
    );
    assert!(
        onramp::sandbox_directory::check_environment(
            &app.state,
            onramp::clients::Environment::Sandbox,
            Some(&der)
        )
        .is_ok()
    );
    let other = app
        .pki
        .as_ref()
        .unwrap()
        .client("app", "Other Ltd", Some("PSDGB-FCA-1"));
    assert!(!onramp::sandbox_directory::is_test_certificate(
        &app.state, &other.der
    ));
    drop(key);
}

#[tokio::test]
async fn the_form_keeps_what_was_typed_and_others_see_nothing() {
    let app = app().await;
    let (_, tpp) = app.approved_tpp("Form Errors Ltd").await;
    let (status, html) = make_software(
        &tpp,
        &[
            ("client_name", "Typed Name"),
            ("redirect_uris", "http://tpp.example/cb"),
            ("roles", "AISP"),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(html.contains("must use https"), "{html}");
    assert!(
        html.contains("Typed Name") && html.contains("http://tpp.example/cb"),
        "kept"
    );
    let (status, html) = make_software(
        &tpp,
        &[
            ("client_name", "x"),
            ("redirect_uris", REDIRECT),
            ("roles", "AISP"),
            (
                "csr",
                "-----BEGIN CERTIFICATE REQUEST-----\nnope\n-----END CERTIFICATE REQUEST-----",
            ),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(html.contains("certificate signing request"), "{html}");
    let (status, html) =
        make_software(&tpp, &[("client_name", "x"), ("redirect_uris", REDIRECT)]).await;
    assert_eq!(status, 422);
    assert!(html.contains("Pick at least one role"), "{html}");

    let (_, html) = make_software(
        &tpp,
        &[
            ("client_name", "Mine"),
            ("redirect_uris", REDIRECT),
            ("roles", "AISP"),
        ],
    )
    .await;
    let software_id = one(&html, "#software-id");
    let (_, intruder) = app.approved_tpp("Intruder Ltd").await;
    assert_eq!(
        intruder
            .get(&format!("/sandbox-directory/software/{software_id}"))
            .await
            .status(),
        404
    );
    let r = intruder
        .post_form(
            &format!("/sandbox-directory/software/{software_id}/retire"),
            &[],
        )
        .await;
    assert_eq!(r.status(), 404);
    assert!(
        !intruder
            .get_html("/sandbox-directory")
            .await
            .contains(&software_id)
    );

    // An organisation the bank has not approved cannot make software.
    let email = app.verified_tpp("Unapproved Ltd").await;
    let pending = app.other_browser();
    pending.portal_login(&email).await;
    let (status, html) = make_software(
        &pending,
        &[
            ("client_name", "Early"),
            ("redirect_uris", REDIRECT),
            ("roles", "AISP"),
        ],
    )
    .await;
    assert_eq!(status, 403);
    assert!(html.contains("once the bank has approved"), "{html}");
}
