//! The token endpoint over real TLS: each client authentication method, its failures, bound
//! tokens at the sandbox API, introspection, scopes, the proxy header, key rotation, discovery.

use crate::helpers::*;
use onramp::domain::{AdminRole, ClientId};
use onramp::jose::{SigningKey, b64};
use serde_json::{Value, json};

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

#[tokio::test]
async fn private_key_jwt_accepts_a_fresh_assertion_and_refuses_every_bad_one() {
    let app = spawn_tls_app_with(|_| {}).await;
    let http = app.pki.as_ref().unwrap().client_http(None);
    let (key, _) = SigningKey::generate_es256("tpp-key-1".into()).unwrap();
    let jwks = jwks_of(&key);
    let c = sandbox_client(
        &app,
        "Acme",
        &[
            ("name", "Keyed"),
            ("redirect_uris", "https://k.example/cb"),
            ("auth_method", "private_key_jwt"),
            ("jwks", &jwks),
            ("scopes", "accounts"),
        ],
    )
    .await;
    assert!(c.secret.is_none());
    let aud = token_url(&app);
    let now = app.state.clock.now().timestamp();
    let call = |a: String| {
        let http = http.clone();
        let app_url = aud.clone();
        async move {
            let form = [
                ("grant_type", "client_credentials"),
                (
                    "client_assertion_type",
                    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                ),
                ("client_assertion", a.as_str()),
            ];
            let r = http.post(app_url).form(&form).send().await.unwrap();
            (r.status().as_u16(), r.json::<Value>().await.unwrap())
        }
    };
    let good = assertion(now, &key, &c.id, &aud, 300, "jti-1");
    let (status, body) = call(good.clone()).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = call(good).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_client")),
        "replayed jti"
    );
    assert!(body["error_description"].as_str().unwrap().contains("jti"));

    let (other, _) = SigningKey::generate_es256("unknown-kid".into()).unwrap();
    let header_none = b64(br#"{"alg":"none"}"#);
    let body_json =
        json!({ "iss": c.id, "sub": c.id, "aud": aud, "exp": now + 300, "jti": "x-none" });
    let unsigned = format!("{header_none}.{}.", b64(body_json.to_string().as_bytes()));
    let hs_header = b64(br#"{"alg":"HS256","kid":"tpp-key-1"}"#);
    let hs_input = format!(
        "{hs_header}.{}",
        b64(
            json!({ "iss": c.id, "sub": c.id, "aud": aud, "exp": now + 300, "jti": "x-hs" })
                .to_string()
                .as_bytes()
        )
    );
    let mac = ring::hmac::sign(
        &ring::hmac::Key::new(ring::hmac::HMAC_SHA256, jwks.as_bytes()),
        hs_input.as_bytes(),
    );
    let hs256 = format!("{hs_input}.{}", b64(mac.as_ref()));
    let cases = [
        (
            "wrong aud",
            assertion(now, &key, &c.id, "https://evil.example/token", 300, "j2"),
        ),
        ("expired", assertion(now, &key, &c.id, &aud, -120, "j3")),
        (
            "too long",
            assertion(now, &key, &c.id, &aud, 2 * 3600, "j4"),
        ),
        (
            "unknown kid",
            assertion(now, &other, &c.id, &aud, 300, "j5"),
        ),
        ("alg none", unsigned),
        ("HS256 with the public key", hs256),
        (
            "other client",
            assertion(now, &key, "someone-else", &aud, 300, "j6"),
        ),
    ];
    for (what, a) in cases {
        let (status, body) = call(a).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (401, Some("invalid_client")),
            "{what}: {body}"
        );
    }
    let (status, _) = call(assertion(now, &key, &c.id, &aud, 300, "jti-fresh")).await;
    assert_eq!(status, 200, "a fresh jti still works");
}

#[tokio::test]
async fn tls_client_auth_needs_the_registered_certificate_and_binds_the_token() {
    let app = spawn_tls_app_with(|_| {}).await;
    let pki = app.pki.as_ref().unwrap();
    let me = pki.client("tpp-app", "Acme Ltd", Some("PSDGB-FCA-123456"));
    let stranger = pki.client("tpp-app", "Other Ltd", None);
    // Registered as another tool would print it: order, case and OID names differ.
    let registered = "2.5.4.97=PSDGB-FCA-123456, c=GB, o=acme ltd, cn=tpp-app";
    let c = sandbox_client(
        &app,
        "Acme",
        &[
            ("name", "Certified"),
            ("redirect_uris", "https://c.example/cb"),
            ("auth_method", "tls_client_auth"),
            ("tls_subject_dn", registered),
            ("scopes", "accounts"),
        ],
    )
    .await;
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", c.id.as_str()),
    ];
    let mine = pki.client_http(Some(&me));
    let (status, body, _) = post_token(&mine, &app, &form, None).await;
    assert_eq!(status, 200, "{body}");
    let token = body["access_token"].as_str().unwrap().to_string();
    let cnf = claims(&token)["cnf"]["x5t#S256"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(cnf, onramp::jose::x5t_s256(&me.der));
    assert_eq!(sandbox_get(&mine, &app, &token).await, 200);

    let theirs = pki.client_http(Some(&stranger));
    let (status, _, _) = post_token(&theirs, &app, &form, None).await;
    assert_eq!(status, 401, "wrong DN");
    let nobody = pki.client_http(None);
    let (status, body, _) = post_token(&nobody, &app, &form, None).await;
    assert_eq!(status, 401, "no certificate");
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains("certificate")
    );
    assert_eq!(
        sandbox_get(&theirs, &app, &token).await,
        401,
        "a bound token over another certificate"
    );
    assert_eq!(
        sandbox_get(&nobody, &app, &token).await,
        401,
        "a bound token without its certificate"
    );
}

#[tokio::test]
async fn the_proxy_certificate_header_counts_only_from_trusted_proxies() {
    for (trusted, expected) in [("10.0.0.0/8", 401), ("127.0.0.1/32", 200)] {
        let app = spawn_tls_app_with(|s| {
            s.proxy = Some(onramp::config::ProxySettings {
                client_cert_header: "X-SSL-Client-Cert".into(),
                trusted_proxies: vec![trusted.parse().unwrap()],
            })
        })
        .await;
        let id = app
            .pki
            .as_ref()
            .unwrap()
            .client("proxied", "Acme Ltd", None);
        let c = sandbox_client(
            &app,
            "Acme",
            &[
                ("name", "Proxied"),
                ("redirect_uris", "https://c.example/cb"),
                ("auth_method", "tls_client_auth"),
                ("tls_subject_dn", id.dn.as_str()),
                ("scopes", "accounts"),
            ],
        )
        .await;
        // As nginx's $ssl_client_escaped_cert sends it.
        let escaped =
            percent_encoding::utf8_percent_encode(&id.cert_pem, percent_encoding::NON_ALPHANUMERIC)
                .to_string();
        // Through the plain listener, as a TLS-terminating proxy would forward it.
        let r = reqwest::Client::new()
            .post(app.url("/token"))
            .header("X-SSL-Client-Cert", escaped)
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", c.id.as_str()),
            ])
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        assert_eq!(
            status,
            expected,
            "trusted proxies {trusted}: {}",
            r.text().await.unwrap()
        );
    }
}

#[tokio::test]
async fn key_rotation_keeps_old_tokens_valid_and_publishes_both_keys() {
    let app = spawn_tls_app_with(|_| {}).await;
    let http = app.pki.as_ref().unwrap().client_http(None);
    let c = sandbox_client(&app, "Acme", APP).await;
    let s = c.secret.unwrap();
    let form = [("grant_type", "client_credentials")];
    let (_, body, _) = post_token(&http, &app, &form, Some((&c.id, &s))).await;
    let old = body["access_token"].as_str().unwrap().to_string();
    let st = &app.state;
    let kid = onramp::oauth::keyring::rotate(
        &st.db,
        &st.clock,
        onramp::clients::Environment::Sandbox,
        onramp::jose::Alg::Es256,
        None,
        st.settings.oauth.access_token_ttl,
    )
    .await
    .unwrap();
    st.keys.refresh(&st.db, &st.clock).await.unwrap();
    let (_, body, _) = post_token(&http, &app, &form, Some((&c.id, &s))).await;
    let new = body["access_token"].as_str().unwrap().to_string();
    let header: Value =
        serde_json::from_slice(&onramp::jose::unb64(new.split('.').next().unwrap()).unwrap())
            .unwrap();
    assert_eq!(header["kid"], kid.as_str());
    assert_eq!(
        sandbox_get(&http, &app, &old).await,
        200,
        "old tokens stay valid"
    );
    assert_eq!(sandbox_get(&http, &app, &new).await, 200);
    let jwks: Value = reqwest::get(app.url("/sandbox/jwks"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(jwks["keys"].as_array().unwrap().len(), 2);
    // Once the old key's tokens have expired, it leaves the JWKS.
    st.clock.advance(chrono::Duration::hours(2));
    st.keys.refresh(&st.db, &st.clock).await.unwrap();
    let jwks: Value = reqwest::get(app.url("/sandbox/jwks"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(jwks["keys"].as_array().unwrap().len(), 1);
    let _ = ClientId(c.id);
}

#[tokio::test]
async fn discovery_names_the_mtls_endpoints_and_the_supported_methods() {
    let app = spawn_tls_app_with(|_| {}).await;
    let d: Value = reqwest::get(app.url("/.well-known/openid-configuration"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let tls = app.tls_address.as_ref().unwrap();
    assert_eq!(d["issuer"], app.address.as_str());
    assert_eq!(d["token_endpoint"], format!("{tls}/token"));
    assert_eq!(d["registration_endpoint"], format!("{tls}/register"));
    assert_eq!(
        d["mtls_endpoint_aliases"]["token_endpoint"],
        format!("{tls}/token")
    );
    assert_eq!(d["jwks_uri"], format!("{}/jwks", app.address));
    assert_eq!(d["tls_client_certificate_bound_access_tokens"], true);
    for m in ["private_key_jwt", "tls_client_auth", "client_secret_basic"] {
        assert!(
            d["token_endpoint_auth_methods_supported"]
                .as_array()
                .unwrap()
                .iter()
                .any(|v| v == m),
            "{m}"
        );
    }
    assert_eq!(
        d["token_endpoint_auth_signing_alg_values_supported"],
        json!(["PS256", "ES256"])
    );
    let plain = spawn_app().await;
    let d: Value = reqwest::get(plain.url("/.well-known/openid-configuration"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(d["token_endpoint"], format!("{}/token", plain.address));
}
