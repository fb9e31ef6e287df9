//! Every rule of Dynamic Client Registration, one case (or more) per validation step of
//! spec/dcr.md b.3 and "Onramp's decisions", over real mTLS. Each refused case changes one thing
//! of a valid request and pins the HTTP status, the JSON content type, the exact RFC 7591 `error`
//! code and a non-empty `error_description`; each boundary has an accepted twin.

use crate::helpers::dcr::*;

use onramp::jose::{SigningKey, b64};
use ring::rand::SystemRandom;
use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair};
use serde_json::{Map, Value, json};

mod cached_statement;
mod group_commit;
mod more_rules;

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
