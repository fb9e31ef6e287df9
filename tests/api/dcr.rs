//! Dynamic Client Registration over real mTLS: the happy path, management with the client's own
//! token, and the one client store seen from the portal and the console.

use crate::helpers::dcr::*;

use onramp::domain::AdminRole;
use serde_json::{Value, json};

#[tokio::test]
async fn a_registration_creates_the_organisation_and_a_dcr_client_that_gets_tokens() {
    let d = Dcr::start().await;
    let body = d.register().await;
    let id = body["client_id"].as_str().unwrap().to_string();
    assert!(body["client_id_issued_at"].is_i64(), "an integer: {body}");
    assert_eq!(body["token_endpoint_auth_method"], "private_key_jwt");
    assert_eq!(body["redirect_uris"], json!(["https://tpp.example/cb"]));
    assert_eq!(body["response_types"], json!(["code id_token"]));
    assert_eq!(body["software_id"], SOFTWARE_ID);
    assert_eq!(
        body["org_id"], ORG_ID,
        "SSA claims are flattened into the response"
    );
    assert!(body["software_statement"].is_string());
    for hidden in ["iss", "iat", "exp", "aud", "jti"] {
        assert!(body.get(hidden).is_none(), "{hidden} is not echoed");
    }
    let token = d.token_for(&id).await;
    let r = d
        .http(true)
        .get(format!(
            "{}/sandbox/open-banking/v3.1/aisp/accounts",
            d.base()
        ))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        200,
        "a sandbox-directory client reaches the sandbox API"
    );
    let client =
        onramp::store::clients::get(&d.app.state.db, &onramp::domain::ClientId(id.clone()))
            .await
            .unwrap()
            .unwrap();
    assert_eq!(
        (client.origin.as_str(), client.environment.as_str()),
        ("dcr", "sandbox")
    );

    // A second registration of the same organisation reuses it.
    d.register().await;
    let orgs = onramp::store::organisations::list(
        &d.app.state.db,
        None,
        Some("Acme TPP"),
        onramp::store::Page::new(1, 10),
    )
    .await
    .unwrap();
    assert_eq!(orgs.1, 1);
}

#[tokio::test]
async fn get_put_and_delete_need_the_clients_own_token_over_the_same_certificate() {
    let d = Dcr::start().await;
    let id = d.register().await["client_id"]
        .as_str()
        .unwrap()
        .to_string();
    let other = d.register().await["client_id"]
        .as_str()
        .unwrap()
        .to_string();
    let token = d.token_for(&id).await;
    let url = format!("{}/register/{id}", d.base());
    let http = d.http(true);

    let r = http.get(&url).send().await.unwrap();
    assert_eq!(r.status(), 401, "no token");
    assert_eq!(r.headers()["www-authenticate"], "Bearer");
    let r = http.get(&url).bearer_auth("").send().await.unwrap();
    assert_eq!(r.status(), 401, "empty token");
    let r = http
        .get(&url)
        .bearer_auth(d.token_for(&other).await)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401, "another client's token");
    assert!(
        r.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .contains("invalid_token")
    );
    let r = http.get(&url).bearer_auth(&token).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["client_id"], id.as_str());
    let r = d
        .http(false)
        .get(&url)
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401, "a bound token without its certificate");
    let r = http
        .get(format!("{}/register/unknown-client", d.base()))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401, "unknown client");
    // OB DCR: a call naming an unknown client revokes the token presented, on every route.
    let r = http.get(&url).bearer_auth(&token).send().await.unwrap();
    assert_eq!(
        r.status(),
        401,
        "the token is revoked for its own client too"
    );
    assert!(
        r.json::<Value>().await.unwrap()["error_description"]
            .as_str()
            .unwrap()
            .contains("revoked")
    );
    let r = http.delete(&url).bearer_auth(&token).send().await.unwrap();
    assert_eq!(r.status(), 401, "and for DELETE");
    let token = d.token_for(&id).await;

    // PUT keeps the token valid and may narrow the redirect URIs.
    let put = d.request(|c| {
        c.insert("redirect_uris".into(), json!(["https://tpp.example/cb2"]));
    });
    let r = http
        .put(&url)
        .bearer_auth(&token)
        .header("Content-Type", "application/jwt")
        .body(put)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.json::<Value>().await.unwrap()["redirect_uris"],
        json!(["https://tpp.example/cb2"])
    );
    assert_eq!(
        http.get(&url)
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .status(),
        200,
        "PUT keeps tokens"
    );
    let wrong_id = d.request(|c| {
        c.insert("client_id".into(), json!(other));
    });
    let r = http
        .put(&url)
        .bearer_auth(&token)
        .header("Content-Type", "application/jwt")
        .body(wrong_id)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400, "body client_id ≠ path");

    // DELETE: 204, then 401 everywhere and invalid_client at /token.
    let r = http.delete(&url).bearer_auth(&token).send().await.unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(
        http.get(&url)
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    assert_eq!(
        http.delete(&url)
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    let now = d.app.state.clock.now().timestamp();
    let r = crate::helpers::dcr::private_key_jwt_token(&http, &d.base(), &d.software_key, &id, now)
        .await;
    assert_eq!(r.status(), 401);
    assert_eq!(r.json::<Value>().await.unwrap()["error"], "invalid_client");
}

#[tokio::test]
async fn other_methods_get_405_with_allow_and_bodies_must_be_jwts() {
    let d = Dcr::start().await;
    let http = d.http(true);
    let r = http
        .get(format!("{}/register", d.base()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 405);
    assert_eq!(r.headers()["allow"], "POST");
    let r = http
        .post(format!("{}/register/abc", d.base()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 405);
    assert_eq!(r.headers()["allow"], "GET, PUT, DELETE");
    for ct in ["application/json", "text/plain"] {
        let r = http
            .post(format!("{}/register", d.base()))
            .header("Content-Type", ct)
            .body(d.request(|_| {}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "{ct}");
        assert_eq!(r.headers()["content-type"], "application/json");
        assert_eq!(
            r.json::<Value>().await.unwrap()["error"],
            "invalid_client_metadata"
        );
    }
    let r = http
        .post(format!("{}/register", d.base()))
        .header("Content-Type", "application/jose; charset=utf-8")
        .body(d.request(|_| {}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "application/jose with parameters is fine");
    let big = "a".repeat(70 * 1024);
    let (status, _) = d.post("/register", &big).await;
    assert_eq!(status, 413);
}

#[tokio::test]
async fn a_registration_without_a_client_certificate_is_invalid_client() {
    let d = Dcr::start().await;
    let r = d
        .http(false)
        .post(format!("{}/register", d.base()))
        .header("Content-Type", "application/jwt")
        .body(d.request(|_| {}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(r.json::<Value>().await.unwrap()["error"], "invalid_client");
}

#[tokio::test]
async fn a_dcr_client_is_visible_and_suspendable_in_the_console() {
    let d = Dcr::start().await;
    let id = d.register().await["client_id"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, approver) = d.app.admin(AdminRole::Approver).await;
    let list = approver.get_html("/admin/clients?origin=dcr").await;
    assert!(list.contains(&id) && list.contains("Acme TPP Ltd"));
    let page = approver.get_html(&format!("/admin/clients/{id}")).await;
    assert!(
        page.contains("client.registered"),
        "the client's history shows the DCR call"
    );
    let r = approver
        .post_form(
            &format!("/admin/clients/{id}/status"),
            &[("action", "suspend"), ("comment", "Review")],
        )
        .await;
    assert_eq!(r.status(), 303);
    let token = {
        let now = d.app.state.clock.now().timestamp();
        let aud = format!("{}/token", d.base());
        let a = d.software_key.sign("JWT", &json!({ "iss": id, "sub": id, "aud": aud, "iat": now, "exp": now + 300, "jti": "susp" })).unwrap();
        d.http(true)
            .post(aud)
            .form(&[
                ("grant_type", "client_credentials"),
                (
                    "client_assertion_type",
                    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                ),
                ("client_assertion", a.as_str()),
            ])
            .send()
            .await
            .unwrap()
            .status()
    };
    assert_eq!(token, 401, "a suspended DCR client gets no token");
}

#[tokio::test]
async fn the_dcr_page_and_the_openapi_document_name_this_banks_endpoints() {
    let d = Dcr::start().await;
    let page = d.app.get_html("/developers/dcr").await;
    assert!(page.contains(&format!("{}/register", d.base())), "{page}");
    assert!(page.contains(DIRECTORY), "the trusted directory is listed");
    assert!(page.contains(ASPSP_ORG_ID), "the aud to use");
    assert!(page.contains("private_key_jwt") && page.contains("tls_client_auth"));
    let home = d.app.get_html("/").await;
    assert!(
        home.contains("/developers/dcr"),
        "reachable from the home page"
    );
    let doc: Value = reqwest::get(d.app.url("/openapi.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(doc["openapi"], "3.0.3");
    assert_eq!(doc["servers"][0]["url"], d.base().as_str());
    for path in ["/register", "/register/{client_id}", "/token"] {
        assert!(doc["paths"].get(path).is_some(), "{path}");
    }
}

#[tokio::test]
async fn concurrent_registrations_commit_together_and_a_replay_fails_only_itself() {
    let d = Dcr::start().await;
    // The organisation exists after a first registration, so the rest are group-committed.
    d.register().await;
    let bodies: Vec<String> = (0..12)
        .map(|i| {
            d.request(|c| {
                c.insert("jti".into(), json!(format!("batch-{}", i % 6)));
            })
        })
        .collect();
    let results =
        futures_util::future::join_all(bodies.iter().map(|b| d.post("/register", b))).await;
    let created: Vec<&Value> = results
        .iter()
        .filter(|(s, _)| *s == 201)
        .map(|(_, b)| b)
        .collect();
    assert_eq!(created.len(), 6, "each jti registers once: {results:?}");
    for (status, body) in results.iter().filter(|(s, _)| *s != 201) {
        assert_eq!(*status, 400);
        assert_eq!(body["error"], "invalid_client_metadata");
        assert!(
            body["error_description"]
                .as_str()
                .unwrap()
                .contains("jti was already used"),
            "{body}"
        );
    }
    for body in created {
        let id = body["client_id"].as_str().unwrap();
        let stored =
            onramp::store::clients::get(&d.app.state.db, &onramp::domain::ClientId(id.into()))
                .await
                .unwrap();
        assert!(stored.is_some(), "a 201 is committed");
    }
}

#[tokio::test]
async fn a_single_use_statement_registers_once_even_under_concurrency() {
    let d = Dcr::start_with("sandbox", |s| s.dcr.ssa_single_use = true).await;
    let ssa = d.ssa(|_| {});
    let bodies: Vec<String> = (0..4)
        .map(|_| {
            let c = d.request_claims(&ssa);
            d.software_key.sign("JWT", &Value::Object(c)).unwrap()
        })
        .collect();
    let results =
        futures_util::future::join_all(bodies.iter().map(|b| d.post("/register", b))).await;
    let statuses: Vec<u16> = results.iter().map(|(s, _)| *s).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "{results:?}"
    );
    for (status, body) in results.iter().filter(|(s, _)| *s != 201) {
        assert_eq!(
            (*status, body["error"].as_str()),
            (400, Some("invalid_software_statement")),
            "{body}"
        );
    }
}

#[tokio::test]
async fn an_organisation_suspended_on_another_node_registers_nothing_more() {
    let d = Dcr::start().await;
    let first = d.register().await;
    d.register().await; // the organisation is now in this node's cache
    let client = onramp::store::clients::get(
        &d.app.state.db,
        &onramp::domain::ClientId(first["client_id"].as_str().unwrap().into()),
    )
    .await
    .unwrap()
    .unwrap();
    // Another node suspends it: this node's cache is not told.
    onramp::store::organisations::set_status(
        &d.app.state.db,
        client.organisation_id,
        onramp::domain::OrganisationStatus::Suspended,
        d.app.state.clock.now(),
    )
    .await
    .unwrap();
    let (status, body) = d.post("/register", &d.request(|_| {})).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("unapproved_software_statement")),
        "{body}"
    );
    let (status, body) = d.post("/register", &d.request(|_| {})).await;
    assert_eq!(status, 400, "and the next one reads the new status: {body}");
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains("suspended"),
        "{body}"
    );
}
