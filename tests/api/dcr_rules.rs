//! Every rule of Dynamic Client Registration, one case (or more) per validation step of
//! spec/dcr.md b.3 and "Onramp's decisions", over real mTLS. Each refused case changes one thing
//! of a valid request and pins the HTTP status, the JSON content type, the exact RFC 7591 `error`
//! code and a non-empty `error_description`; each boundary has an accepted twin.

use crate::helpers::dcr::*;

use onramp::jose::{SigningKey, b64};
use ring::rand::SystemRandom;
use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair};
use serde_json::{Map, Value, json};

const METADATA: &str = "invalid_client_metadata";
const STATEMENT: &str = "invalid_software_statement";
const UNAPPROVED: &str = "unapproved_software_statement";
const REDIRECT: &str = "invalid_redirect_uri";
/// The "code" of an accepted registration: no error, a `client_id`.
const CREATED: &str = "";

/// Another software of the same organisation.
const OTHER_SOFTWARE: &str = "OtherSoftware1234";
const CIBA: &str = "urn:openid:params:grant-type:ciba";

/// Sends a registration body (as `application/jwt`) and checks the answer: `status`, a JSON body,
/// and either the error `code` with a description of 1..500 characters or, for [`CREATED`], a
/// `client_id` and no `error`.
async fn answer(what: &str, r: reqwest::RequestBuilder, status: u16, code: &str) -> Value {
    let r = r
        .header("Content-Type", "application/jwt")
        .send()
        .await
        .unwrap();
    let got = r.status().as_u16();
    let content_type = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let body: Value = r.json().await.unwrap_or(Value::Null);
    assert_eq!(got, status, "{what}: {body}");
    assert!(
        content_type.starts_with("application/json"),
        "{what}: content type {content_type}"
    );
    if code == CREATED {
        assert!(body.get("error").is_none(), "{what}: {body}");
        assert!(body["client_id"].is_string(), "{what}: {body}");
    } else {
        assert_eq!(body["error"], code, "{what}: {body}");
        let description = body["error_description"].as_str().unwrap_or_default();
        assert!(
            !description.is_empty() && description.chars().count() <= 500,
            "{what}: error_description {body}"
        );
    }
    body
}

/// POSTs `body` to `path` over the organisation's certificate and checks the answer.
async fn expect(d: &Dcr, what: &str, path: &str, body: String, status: u16, code: &str) -> Value {
    let r = d.http(true).post(format!("{}{path}", d.base())).body(body);
    answer(what, r, status, code).await
}

/// Runs a table of `(what, body, status, code)` against `path`.
async fn expect_all(d: &Dcr, path: &str, cases: Vec<(String, String, u16, &str)>) {
    for (what, body, status, code) in cases {
        expect(d, &what, path, body, status, code).await;
    }
}

/// `header.claims.sig` with any header, `sig` taken as the signature bytes.
fn compact(header: &Value, claims: &Value, sig: &[u8]) -> String {
    format!(
        "{}.{}.{}",
        b64(header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes()),
        b64(sig)
    )
}

/// A real ES256 signature under a header of our choosing (`SigningKey` writes its own header).
fn es256_with_header(pkcs8: &[u8], header: &Value, claims: &Value) -> String {
    let input = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes())
    );
    let rng = SystemRandom::new();
    let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8, &rng).unwrap();
    let sig = pair.sign(&rng, input.as_bytes()).unwrap();
    format!("{input}.{}", b64(sig.as_ref()))
}

/// An HS256 token with `secret` as the HMAC key.
fn hs256(secret: &[u8], header: &Value, claims: &Value) -> String {
    let input = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes())
    );
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret);
    let tag = ring::hmac::sign(&key, input.as_bytes());
    format!("{input}.{}", b64(tag.as_ref()))
}

/// Request claims signed by the software's key.
fn signed(d: &Dcr, claims: Map<String, Value>) -> String {
    d.software_key.sign("JWT", &Value::Object(claims)).unwrap()
}

/// A valid request carrying this SSA.
fn with_ssa(d: &Dcr, ssa: &str) -> String {
    signed(d, d.request_claims(ssa))
}

/// A request whose SSA is changed by `ssa` and whose own claims by `req`, then signed.
fn both(
    d: &Dcr,
    ssa: impl FnOnce(&mut Map<String, Value>),
    req: impl FnOnce(&mut Map<String, Value>),
) -> String {
    let mut c = d.request_claims(&d.ssa(ssa));
    req(&mut c);
    signed(d, c)
}

/// A certificate as a `use: tls` key of a JWKS: its P-256 public key, its DER in `x5c`.
fn tls_jwk(der: &[u8]) -> Value {
    use base64::Engine;
    let (_, cert) = x509_parser::parse_x509_certificate(der).unwrap();
    let point = cert.public_key().subject_public_key.data.to_vec();
    assert_eq!(point.len(), 65, "an uncompressed P-256 point");
    json!({ "kty": "EC", "crv": "P-256", "x": b64(&point[1..33]), "y": b64(&point[33..]),
            "kid": "transport-1", "use": "tls",
            "x5c": [base64::engine::general_purpose::STANDARD.encode(der)] })
}

fn set(c: &mut Map<String, Value>, k: &str, v: Value) {
    c.insert(k.into(), v);
}

#[tokio::test]
async fn the_request_jwt_must_be_a_fresh_once_used_jwt_of_the_software_for_this_bank() {
    let d = Dcr::start().await;
    let now = d.app.state.clock.now().timestamp();
    let claims = || Value::Object(d.request_claims(&d.ssa(|_| {})));
    let (stranger, stranger_pkcs8) = SigningKey::generate_es256("attacker-1".into()).unwrap();
    let (impostor, _) = SigningKey::generate_es256("soft-1".into()).unwrap();
    let public_jwk = d.software_key.public_jwk().to_string();
    let times = |iat: i64, exp: i64| {
        d.request(|c| {
            set(c, "iat", json!(iat));
            set(c, "exp", json!(exp));
        })
    };
    let mut cases: Vec<(String, String, u16, &str)> = vec![
        (
            "not a JWT".into(),
            "this is not a JWT".into(),
            400,
            METADATA,
        ),
        (
            "alg none".into(),
            compact(&json!({ "alg": "none", "typ": "JWT" }), &claims(), b""),
            400,
            METADATA,
        ),
        (
            "RS256".into(),
            compact(
                &json!({ "alg": "RS256", "kid": "soft-1", "typ": "JWT" }),
                &claims(),
                b"an RSA signature",
            ),
            400,
            METADATA,
        ),
        (
            "HS256 keyed with the software's public JWK".into(),
            hs256(
                public_jwk.as_bytes(),
                &json!({ "alg": "HS256", "kid": "soft-1", "typ": "JWT" }),
                &claims(),
            ),
            400,
            METADATA,
        ),
        ("expired".into(), times(now - 600, now - 120), 400, METADATA),
        (
            "iat 2 minutes in the future".into(),
            times(now + 120, now + 600),
            400,
            METADATA,
        ),
        (
            "lifetime 3601 s".into(),
            times(now, now + 3601),
            400,
            METADATA,
        ),
        (
            "lifetime exactly 3600 s".into(),
            times(now, now + 3600),
            201,
            CREATED,
        ),
    ];
    for missing in ["iss", "aud", "jti", "iat", "exp"] {
        cases.push((
            format!("no {missing}"),
            d.request(|c| {
                c.remove(missing);
            }),
            400,
            METADATA,
        ));
    }
    cases.extend([
        (
            "iss is not the SSA's software_id".into(),
            d.request(|c| set(c, "iss", json!("SomeoneElse1234"))),
            400,
            METADATA,
        ),
        (
            "software_id is not the SSA's".into(),
            d.request(|c| set(c, "software_id", json!(OTHER_SOFTWARE))),
            400,
            METADATA,
        ),
        (
            "aud is another bank".into(),
            d.request(|c| set(c, "aud", json!("0015800001OtherAAA"))),
            400,
            METADATA,
        ),
        (
            "aud is Onramp's issuer URL".into(),
            d.request(|c| set(c, "aud", json!(d.app.address))),
            201,
            CREATED,
        ),
        (
            "signed by a key with a kid not in the software JWKS".into(),
            stranger.sign("JWT", &claims()).unwrap(),
            400,
            METADATA,
        ),
        (
            "signed by another key under the software's kid".into(),
            impostor.sign("JWT", &claims()).unwrap(),
            400,
            METADATA,
        ),
        (
            "the attacker's own key in a jwk header, with its kid".into(),
            es256_with_header(
                &stranger_pkcs8,
                &json!({ "alg": "ES256", "kid": "attacker-1", "typ": "JWT",
                         "jwk": stranger.public_jwk() }),
                &claims(),
            ),
            400,
            METADATA,
        ),
        (
            "the attacker's own key in a jwk header, without kid".into(),
            es256_with_header(
                &stranger_pkcs8,
                &json!({ "alg": "ES256", "typ": "JWT", "jwk": stranger.public_jwk() }),
                &claims(),
            ),
            400,
            METADATA,
        ),
    ]);
    expect_all(&d, "/register", cases).await;

    let once = d.request(|_| {});
    expect(
        &d,
        "first use of a jti",
        "/register",
        once.clone(),
        201,
        CREATED,
    )
    .await;
    expect(&d, "replayed jti", "/register", once, 400, METADATA).await;
}

#[tokio::test]
async fn the_software_statement_must_be_a_fresh_complete_ssa_of_a_trusted_directory() {
    let d = Dcr::start().await;
    let now = d.app.state.clock.now().timestamp();
    let ssa_claims = || Value::Object(d.ssa_claims());
    let (other_directory, _) = SigningKey::generate_es256("dir-2".into()).unwrap();
    let (forger, _) = SigningKey::generate_es256("dir-1".into()).unwrap();
    let ssa = |f: &dyn Fn(&mut Map<String, Value>)| with_ssa(&d, &d.ssa(f));
    let mut cases: Vec<(String, String, u16, &str)> = vec![
        (
            "no software_statement".into(),
            d.request(|c| {
                c.remove("software_statement");
            }),
            400,
            STATEMENT,
        ),
        (
            "a software_statement that is not a JWT".into(),
            with_ssa(&d, "not-a-software-statement"),
            400,
            STATEMENT,
        ),
        (
            "SSA with alg none".into(),
            with_ssa(
                &d,
                &compact(&json!({ "alg": "none", "typ": "JWT" }), &ssa_claims(), b""),
            ),
            400,
            STATEMENT,
        ),
        (
            "SSA signed by a key (kid) the directory does not have".into(),
            with_ssa(&d, &other_directory.sign("JWT", &ssa_claims()).unwrap()),
            400,
            STATEMENT,
        ),
        (
            "SSA signed by another key under the directory's kid".into(),
            with_ssa(&d, &forger.sign("JWT", &ssa_claims()).unwrap()),
            400,
            STATEMENT,
        ),
        (
            "SSA of an untrusted issuer".into(),
            ssa(&|c| set(c, "iss", json!("Some Other Directory"))),
            400,
            UNAPPROVED,
        ),
        (
            "SSA issued 31 minutes ago".into(),
            ssa(&|c| set(c, "iat", json!(now - 31 * 60))),
            400,
            STATEMENT,
        ),
        (
            "SSA issued 29 minutes ago".into(),
            ssa(&|c| set(c, "iat", json!(now - 29 * 60))),
            201,
            CREATED,
        ),
        (
            "SSA issued 2 minutes in the future".into(),
            ssa(&|c| set(c, "iat", json!(now + 120))),
            400,
            STATEMENT,
        ),
    ];
    for missing in [
        "software_id",
        "software_jwks_endpoint",
        "software_redirect_uris",
        "software_roles",
        "org_id",
        "org_status",
    ] {
        cases.push((
            format!("SSA without {missing}"),
            ssa(&|c| {
                c.remove(missing);
            }),
            400,
            STATEMENT,
        ));
    }
    cases.extend([
        (
            "organisation Revoked".into(),
            ssa(&|c| set(c, "org_status", json!("Revoked"))),
            400,
            UNAPPROVED,
        ),
        (
            "competent authority status Inactive".into(),
            ssa(&|c| c["organisation_competent_authority_claims"]["status"] = json!("Inactive")),
            400,
            UNAPPROVED,
        ),
        (
            "production software from the sandbox directory".into(),
            ssa(&|c| set(c, "software_environment", json!("production"))),
            400,
            UNAPPROVED,
        ),
    ]);
    expect_all(&d, "/register", cases).await;
}

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
