//! Token-endpoint tests per client authentication method (private_key_jwt, tls_client_auth), the
//! proxy certificate header, key rotation and discovery.

use super::*;

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
        st.data_key.as_deref(),
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
