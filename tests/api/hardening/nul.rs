//! NUL characters, which PostgreSQL cannot store or compare, never make a 5xx: forms drop them,
//! a path or query with `%00` is a 400, and credentials or assertions naming a NUL client find
//! none.

use crate::helpers::*;
use onramp::jose::b64;

#[tokio::test]
async fn nul_characters_anywhere_get_a_clean_answer() {
    let app = spawn_app().await;
    let v = app.other_browser();
    for (path, fields) in [
        (
            "/login",
            vec![("email", "a\0b@x.example"), ("password", "p\0w")],
        ),
        ("/admin/login", vec![("email", "\0"), ("password", "\0")]),
        ("/password/forgot", vec![("email", "x\0@y.example")]),
        (
            "/token",
            vec![("grant_type", "client_credentials"), ("client_id", "\0")],
        ),
    ] {
        let r = v.post_form(path, &fields).await;
        assert!(r.status().as_u16() < 500, "{path}: {}", r.status());
    }
    for path in [
        "/admin/audit?action=%00",
        "/register/%00",
        "/verify?token=a%00b",
    ] {
        let r = v.get(path).await;
        assert_eq!(r.status(), 400, "{path}");
    }
    let http = reqwest::Client::new();
    let r = http
        .post(app.url("/token"))
        .basic_auth("\0", Some("\0"))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let header = b64(br#"{"alg":"ES256","kid":"k"}"#);
    let claims =
        b64(br#"{"iss":"\u0000","sub":"\u0000","aud":"x","exp":9999999999,"jti":"\u0000"}"#);
    let assertion = format!("{header}.{claims}.AAAA");
    let r = http
        .post(app.url("/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            (
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ),
            ("client_assertion", &assertion),
        ])
        .send()
        .await
        .unwrap();
    assert!(r.status().as_u16() < 500, "{}", r.status());
    assert_eq!(app.get("/healthz").await.status(), 200);
}
