//! DCR rules, second part: software mode, redirect URIs, client metadata, certificate binding,
//! version differences and PUT.

use super::*;

#[tokio::test]
async fn test_mode_software_is_unapproved_by_a_production_directory() {
    let d = Dcr::start_with("production", |_| {}).await;
    let production = |mode: &'static str| {
        with_ssa(
            &d,
            &d.ssa(|c| {
                set(c, "software_environment", json!("production"));
                set(c, "software_mode", json!(mode));
            }),
        )
    };
    let cases = vec![
        ("Test software".into(), production("Test"), 400, UNAPPROVED),
        ("Live software".into(), production("Live"), 201, CREATED),
    ];
    expect_all(&d, "/register", cases).await;
}

#[tokio::test]
async fn redirect_uris_are_https_without_fragment_and_among_the_ssas() {
    let d = Dcr::start().await;
    // The URI is in the SSA's list too, so that only the URI itself can be at fault.
    let listed = |uri: &'static str| {
        both(
            &d,
            |s| {
                s["software_redirect_uris"]
                    .as_array_mut()
                    .unwrap()
                    .push(json!(uri));
            },
            |c| set(c, "redirect_uris", json!([uri])),
        )
    };
    let cases = vec![
        (
            "a URI the SSA does not list".into(),
            d.request(|c| set(c, "redirect_uris", json!(["https://tpp.example/other"]))),
            400,
            REDIRECT,
        ),
        (
            "http://".into(),
            listed("http://tpp.example/cb"),
            400,
            REDIRECT,
        ),
        (
            "a fragment".into(),
            listed("https://tpp.example/cb#top"),
            400,
            REDIRECT,
        ),
        (
            "an empty list".into(),
            d.request(|c| set(c, "redirect_uris", json!([]))),
            400,
            REDIRECT,
        ),
    ];
    expect_all(&d, "/register", cases).await;

    let body = expect(
        &d,
        "no redirect_uris",
        "/register",
        d.request(|c| {
            c.remove("redirect_uris");
        }),
        201,
        CREATED,
    )
    .await;
    assert_eq!(
        body["redirect_uris"],
        json!(["https://tpp.example/cb", "https://tpp.example/cb2"]),
        "all of the SSA's URIs are registered"
    );
}

#[tokio::test]
async fn a_localhost_redirect_uri_is_refused_even_when_the_ssa_lists_it() {
    let d = Dcr::start().await;
    let uri = "https://localhost/cb";
    let body = both(
        &d,
        |s| {
            s["software_redirect_uris"]
                .as_array_mut()
                .unwrap()
                .push(json!(uri));
        },
        |c| set(c, "redirect_uris", json!([uri])),
    );
    expect(&d, "https://localhost", "/register", body, 400, REDIRECT).await;
}

#[tokio::test]
async fn client_metadata_must_be_supported_complete_within_the_roles_and_name_the_certificate() {
    let d = Dcr::start().await;
    let tls = |dn: Option<&str>| {
        d.request(|c| {
            set(c, "token_endpoint_auth_method", json!("tls_client_auth"));
            if let Some(dn) = dn {
                set(c, "tls_client_auth_subject_dn", json!(dn));
            }
        })
    };
    let mut cases: Vec<(String, String, u16, &str)> = vec![
        (
            "client_secret_basic (not in dcr.auth_methods)".into(),
            d.request(|c| {
                set(
                    c,
                    "token_endpoint_auth_method",
                    json!("client_secret_basic"),
                )
            }),
            400,
            METADATA,
        ),
        (
            "private_key_jwt without token_endpoint_auth_signing_alg".into(),
            d.request(|c| {
                c.remove("token_endpoint_auth_signing_alg");
            }),
            400,
            METADATA,
        ),
        (
            "tls_client_auth without tls_client_auth_subject_dn".into(),
            tls(None),
            400,
            METADATA,
        ),
        (
            "tls_client_auth with a DN that is not the certificate's".into(),
            tls(Some(
                "CN=SomeoneElse,O=Acme TPP Ltd,C=GB,organizationIdentifier=PSDGB-FCA-123456",
            )),
            400,
            METADATA,
        ),
        (
            "tls_client_auth with the certificate's DN".into(),
            tls(Some(&d.cert.dn)),
            201,
            CREATED,
        ),
        (
            "grant type password".into(),
            d.request(|c| set(c, "grant_types", json!(["client_credentials", "password"]))),
            400,
            METADATA,
        ),
        (
            "response type token".into(),
            d.request(|c| set(c, "response_types", json!(["token"]))),
            400,
            METADATA,
        ),
        (
            "scope fundsconfirmations without the CBPII role".into(),
            d.request(|c| set(c, "scope", json!("openid accounts fundsconfirmations"))),
            400,
            METADATA,
        ),
    ];
    for missing in [
        "application_type",
        "id_token_signed_response_alg",
        "request_object_signing_alg",
    ] {
        cases.push((
            format!("no {missing}"),
            d.request(|c| {
                c.remove(missing);
            }),
            400,
            METADATA,
        ));
    }
    expect_all(&d, "/register", cases).await;
}

#[tokio::test]
async fn the_transport_certificate_must_belong_to_the_ssas_organisation() {
    let d = Dcr::start().await;
    let pki = d.app.pki.as_ref().unwrap();
    let stranger = pki.client("x", "Other Ltd", Some("PSDGB-FCA-999999"));
    let listed = pki.client("y", "Hosting Ltd", Some("PSDGB-FCA-888888"));
    // Set before the first registration: the software JWKS is cached once fetched.
    *d.jwks.lock().unwrap() =
        json!({ "keys": [d.software_key.public_jwk(), tls_jwk(&listed.der)] });
    let post = |identity| {
        pki.client_http(Some(identity))
            .post(format!("{}/register", d.base()))
            .body(d.request(|_| {}))
    };
    answer(
        "another organisation's certificate",
        post(&stranger),
        400,
        METADATA,
    )
    .await;
    answer(
        "another organisation's certificate listed as a tls key of the software JWKS",
        post(&listed),
        201,
        CREATED,
    )
    .await;
}

#[tokio::test]
async fn versions_differ_in_application_types_and_the_ciba_grant() {
    let d = Dcr::start().await;
    let app_type = |t: &str| d.request(|c| set(c, "application_type", json!(t)));
    let ciba = |mode: Option<&str>| {
        d.request(|c| {
            set(c, "grant_types", json!(["client_credentials", CIBA]));
            set(
                c,
                "backchannel_authentication_request_signing_alg",
                json!("ES256"),
            );
            if let Some(mode) = mode {
                set(c, "backchannel_token_delivery_mode", json!(mode));
            }
        })
    };
    let cases: Vec<(&str, &str, String, u16, &str)> = vec![
        (
            "mobile before v3.4",
            "/register",
            app_type("mobile"),
            201,
            CREATED,
        ),
        (
            "native before v3.4",
            "/register",
            app_type("native"),
            400,
            METADATA,
        ),
        (
            "native in v3.4",
            "/open-banking/v3.4/register",
            app_type("native"),
            201,
            CREATED,
        ),
        (
            "mobile in v3.4",
            "/open-banking/v3.4/register",
            app_type("mobile"),
            400,
            METADATA,
        ),
        (
            "CIBA in v3.2",
            "/open-banking/v3.2/register",
            ciba(Some("poll")),
            400,
            METADATA,
        ),
        (
            "CIBA without backchannel_token_delivery_mode",
            "/open-banking/v3.3/register",
            ciba(None),
            400,
            METADATA,
        ),
        (
            "CIBA in push mode",
            "/open-banking/v3.3/register",
            ciba(Some("push")),
            400,
            METADATA,
        ),
        (
            "CIBA in poll mode with ES256",
            "/open-banking/v3.3/register",
            ciba(Some("poll")),
            201,
            CREATED,
        ),
    ];
    for (what, path, body, status, code) in cases {
        expect(&d, what, path, body, status, code).await;
    }
}

#[tokio::test]
async fn a_put_may_not_change_the_software() {
    let d = Dcr::start().await;
    let id = d.register().await["client_id"]
        .as_str()
        .unwrap()
        .to_string();
    let token = d.token_for(&id).await;
    let put = |body: String| {
        d.http(true)
            .put(format!("{}/register/{id}", d.base()))
            .bearer_auth(&token)
            .body(body)
    };
    answer(
        "PUT of the same software",
        put(d.request(|_| {})),
        200,
        CREATED,
    )
    .await;

    // A genuine SSA of another software of the same organisation, and a request that is
    // consistent with it: the only fault is the change of software.
    let other = both(
        &d,
        |s| {
            set(s, "software_id", json!(OTHER_SOFTWARE));
            set(s, "software_client_id", json!(OTHER_SOFTWARE));
        },
        |c| {
            set(c, "iss", json!(OTHER_SOFTWARE));
            set(c, "software_id", json!(OTHER_SOFTWARE));
        },
    );
    answer("PUT changing software_id", put(other), 400, METADATA).await;
}
