//! The token endpoint over real TLS: each client authentication method, its failures, bound
//! tokens at the sandbox API, introspection, scopes, the proxy header, key rotation, discovery.

use crate::helpers::*;
use onramp::domain::{AdminRole, ClientId};
use onramp::jose::{SigningKey, b64};
use serde_json::{Value, json};

mod more_tokens;

struct Client {
    id: String,
    secret: Option<String>,
    tpp: Visitor,
}

async fn sandbox_client(app: &TestApp, org: &str, fields: &[(&str, &str)]) -> Client {
    let (_, tpp) = app.approved_tpp(org).await;
    let path = tpp.create_app(fields).await;
    let (id, secret) = tpp.sandbox_keys(&path).await;
    Client { id, secret, tpp }
}

fn token_url(app: &TestApp) -> String {
    format!("{}/token", app.tls_address.as_ref().unwrap())
}

async fn post_token(
    http: &reqwest::Client,
    app: &TestApp,
    form: &[(&str, &str)],
    basic: Option<(&str, &str)>,
) -> (u16, Value, reqwest::header::HeaderMap) {
    let mut req = http.post(token_url(app)).form(form);
    if let Some((u, p)) = basic {
        req = req.basic_auth(u, Some(p));
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    (status, r.json().await.unwrap_or(Value::Null), headers)
}

async fn sandbox_get(http: &reqwest::Client, app: &TestApp, token: &str) -> u16 {
    http.get(format!(
        "{}/sandbox/open-banking/v3.1/aisp/accounts",
        app.tls_address.as_ref().unwrap()
    ))
    .bearer_auth(token)
    .send()
    .await
    .unwrap()
    .status()
    .as_u16()
}

fn claims(token: &str) -> Value {
    let payload = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&onramp::jose::unb64(payload).unwrap()).unwrap()
}

#[tokio::test]
async fn client_secret_basic_and_post_get_tokens_that_open_the_sandbox() {
    let app = spawn_tls_app_with(|_| {}).await;
    let pki = app.pki.as_ref().unwrap();
    let http = pki.client_http(None);
    let c = sandbox_client(&app, "Acme", APP).await;
    let secret = c.secret.clone().unwrap();
    let (status, body, headers) = post_token(
        &http,
        &app,
        &[("grant_type", "client_credentials")],
        Some((&c.id, &secret)),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(headers["cache-control"], "no-store");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["scope"], "accounts");
    let token = body["access_token"].as_str().unwrap();
    let cl = claims(token);
    assert_eq!(cl["sub"], c.id.as_str());
    assert_eq!(cl["iss"], app.address.as_str());
    assert!(cl["exp"].as_i64().unwrap() > cl["iat"].as_i64().unwrap());
    assert!(
        cl["jti"].is_string() && cl.get("cnf").is_none(),
        "no certificate, no binding"
    );
    assert_eq!(sandbox_get(&http, &app, token).await, 200);
    let accounts: Value = http
        .get(format!(
            "{}/sandbox/open-banking/v3.1/aisp/accounts/acc-001/transactions",
            app.tls_address.as_ref().unwrap()
        ))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(accounts["Data"]["Transaction"][0]["AccountId"], "acc-001");

    // The same client may not switch to client_secret_post.
    let (status, body, _) = post_token(
        &http,
        &app,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", &c.id),
            ("client_secret", &secret),
        ],
        None,
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_client"))
    );

    let post = sandbox_client(
        &app,
        "Postco",
        &[
            ("name", "P"),
            ("redirect_uris", "https://p.example/cb"),
            ("auth_method", "client_secret_post"),
            ("scopes", "accounts"),
        ],
    )
    .await;
    let ps = post.secret.unwrap();
    let (status, _, _) = post_token(
        &http,
        &app,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", &post.id),
            ("client_secret", &ps),
        ],
        None,
    )
    .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn wrong_secret_unknown_suspended_and_revoked_clients_are_invalid_client() {
    let app = spawn_tls_app_with(|_| {}).await;
    let http = app.pki.as_ref().unwrap().client_http(None);
    let c = sandbox_client(&app, "Acme", APP).await;
    let secret = c.secret.clone().unwrap();
    let form = [("grant_type", "client_credentials")];
    for (id, s) in [
        (c.id.as_str(), "obp_sbx_wrong"),
        ("no-such-client", secret.as_str()),
    ] {
        let (status, body, headers) = post_token(&http, &app, &form, Some((id, s))).await;
        assert_eq!(status, 401);
        assert_eq!(body["error"], "invalid_client");
        assert!(headers.contains_key("www-authenticate"));
    }
    let (_, approver) = app.admin(AdminRole::Approver).await;
    let (_, body, _) = post_token(&http, &app, &form, Some((&c.id, &secret))).await;
    let token = body["access_token"].as_str().unwrap().to_string();
    approver
        .post_form(
            &format!("/admin/clients/{}/status", c.id),
            &[("action", "suspend"), ("comment", "test")],
        )
        .await;
    let (status, body, _) = post_token(&http, &app, &form, Some((&c.id, &secret))).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_client"))
    );
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains("suspended")
    );
    assert_eq!(
        sandbox_get(&http, &app, &token).await,
        401,
        "a suspended client's tokens stop"
    );
    approver
        .post_form(
            &format!("/admin/clients/{}/status", c.id),
            &[("action", "reactivate"), ("comment", "ok")],
        )
        .await;
    assert_eq!(sandbox_get(&http, &app, &token).await, 200);
    c.tpp
        .post_form(&format!("/clients/{}/revoke", c.id), &[])
        .await;
    let (status, _, _) = post_token(&http, &app, &form, Some((&c.id, &secret))).await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn a_revoked_clients_token_is_inactive_at_introspection_and_refused_by_the_sandbox() {
    let app = spawn_tls_app_with(|s| {
        s.oauth.introspection_client_secret = "gateway-secret-123".to_string().into();
        s.oauth.sandbox_introspection_client_secret = "sandbox-secret-456".to_string().into();
    })
    .await;
    let http = app.pki.as_ref().unwrap().client_http(None);
    let c = sandbox_client(&app, "Acme", APP).await;
    let secret = c.secret.clone().unwrap();
    let (_, body, _) = post_token(
        &http,
        &app,
        &[("grant_type", "client_credentials")],
        Some((&c.id, &secret)),
    )
    .await;
    let token = body["access_token"].as_str().unwrap().to_string();
    let introspect = |creds: (&'static str, &'static str)| {
        let http = http.clone();
        let url = format!("{}/introspect", app.tls_address.as_ref().unwrap());
        let token = token.clone();
        async move {
            let r = http
                .post(url)
                .basic_auth(creds.0, Some(creds.1))
                .form(&[("token", token.as_str())])
                .send()
                .await
                .unwrap();
            (r.status().as_u16(), r.json::<Value>().await.unwrap())
        }
    };
    let (status, body) = introspect(("gateway", "wrong")).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_client"))
    );
    let (status, body) = introspect(("gateway", "gateway-secret-123")).await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!({ "active": false }),
        "a sandbox token is inactive for the production gateway"
    );
    let (status, body) = introspect(("sandbox-gateway", "sandbox-secret-456")).await;
    assert_eq!(status, 200);
    assert_eq!(body["active"], true);
    assert_eq!(body["client_id"], c.id.as_str());
    assert_eq!(body["scope"], "accounts");
    assert_eq!(body["environment"], "sandbox");
    assert_eq!(body["aud"], app.url("/sandbox").as_str());
    c.tpp
        .post_form(&format!("/clients/{}/revoke", c.id), &[])
        .await;
    let (_, body) = introspect(("sandbox-gateway", "sandbox-secret-456")).await;
    assert_eq!(body, json!({ "active": false }));
    assert_eq!(sandbox_get(&http, &app, &token).await, 401);
}

#[tokio::test]
async fn an_empty_scope_gives_the_registered_scopes_and_more_is_invalid_scope() {
    let app = spawn_tls_app_with(|_| {}).await;
    let http = app.pki.as_ref().unwrap().client_http(None);
    let c = sandbox_client(
        &app,
        "Acme",
        &[
            ("name", "Both"),
            ("redirect_uris", "https://b.example/cb"),
            ("auth_method", "client_secret_basic"),
            ("scopes", "accounts"),
            ("scopes", "payments"),
        ],
    )
    .await;
    let s = c.secret.unwrap();
    let (status, body, _) = post_token(
        &http,
        &app,
        &[("grant_type", "client_credentials"), ("scope", "")],
        Some((&c.id, &s)),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["scope"], "accounts payments");
    let (status, body, _) = post_token(
        &http,
        &app,
        &[("grant_type", "client_credentials"), ("scope", "payments")],
        Some((&c.id, &s)),
    )
    .await;
    assert_eq!((status, body["scope"].as_str()), (200, Some("payments")));
    let (status, body, _) = post_token(
        &http,
        &app,
        &[
            ("grant_type", "client_credentials"),
            ("scope", "accounts fundsconfirmations"),
        ],
        Some((&c.id, &s)),
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_scope"))
    );
    let (status, body, _) = post_token(
        &http,
        &app,
        &[("grant_type", "password")],
        Some((&c.id, &s)),
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("unsupported_grant_type"))
    );
    let (status, body, _) =
        post_token(&http, &app, &[("scope", "accounts")], Some((&c.id, &s))).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_request"))
    );
    let (status, body, _) = post_token(
        &http,
        &app,
        &[
            ("grant_type", "client_credentials"),
            ("grant_type", "client_credentials"),
        ],
        Some((&c.id, &s)),
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_request"))
    );
}

fn jwks_of(key: &SigningKey) -> String {
    json!({ "keys": [key.public_jwk()] }).to_string()
}

fn assertion(
    now: i64,
    key: &SigningKey,
    client: &str,
    aud: &str,
    exp_in: i64,
    jti: &str,
) -> String {
    key.sign("JWT", &json!({ "iss": client, "sub": client, "aud": aud, "iat": now, "exp": now + exp_in, "jti": jti })).unwrap()
}
