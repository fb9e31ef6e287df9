//! The portal's copy-ready examples: the one on the credentials page, run as pasted, gets a
//! token and the sandbox accounts; the application page's needs no placeholder edits and no
//! `jq`; certificate-based clients are pointed at the TLS listener, or told there is none.

use crate::helpers::*;

/// Runs `script` with bash off the test's runtime thread (the server's database connections
/// may live on it).
async fn run(script: &str) -> String {
    let script = script.to_string();
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new("bash")
            .args(["-c", &script])
            .output()
    })
    .await
    .unwrap()
    .expect("bash");
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout).unwrap()
}

#[tokio::test]
async fn the_credentials_page_example_works_as_pasted_for_both_secret_methods() {
    let app = spawn_app().await;
    let (_, tpp) = app.approved_tpp("Example Ltd").await;
    for method in ["client_secret_basic", "client_secret_post"] {
        let fields: Vec<(&str, &str)> = APP
            .iter()
            .map(|&(k, v)| {
                if k == "auth_method" {
                    (k, method)
                } else {
                    (k, v)
                }
            })
            .collect();
        let path = tpp.create_app(&fields).await;
        let r = tpp.post_form(&format!("{path}/sandbox-keys"), &[]).await;
        let page = r.text().await.unwrap();
        let (_, secret) = credentials(&page);
        let example = texts(&page, "#example-credentials").pop().expect(&page);
        assert!(example.contains(&secret.unwrap()), "the real secret, once");
        assert!(
            !example.contains("jq") && !example.contains("YOUR_"),
            "{example}"
        );
        assert!(page.contains("Needs curl"), "says what it needs");
        assert!(
            page.contains("data-copy=\"example-credentials\""),
            "a copy button"
        );
        let out = run(&example).await;
        assert!(out.contains("\"AccountId\""), "{method}: {out}");

        // The application page's example asks for the secret instead of holding it.
        let show = tpp.get_html(&path).await;
        let example = texts(&show, "#example-sandbox").pop().expect(&show);
        assert!(example.contains("read -rs CLIENT_SECRET"), "{example}");
        assert!(
            !example.contains("jq") && !example.contains("YOUR_"),
            "{example}"
        );
    }
}

#[tokio::test]
async fn certificate_clients_are_sent_to_the_tls_listener_or_told_there_is_none() {
    let fields: &[(&str, &str)] = &[
        ("name", "Cert app"),
        ("redirect_uris", "https://c.example/cb"),
        ("auth_method", "tls_client_auth"),
        ("tls_subject_dn", "CN=tpp.example,O=Example Ltd,C=GB"),
        ("scopes", "accounts"),
    ];
    let plain = spawn_app().await;
    let (_, tpp) = plain.approved_tpp("Cert Ltd").await;
    let path = tpp.create_app(fields).await;
    tpp.sandbox_keys(&path).await;
    let show = tpp.get_html(&path).await;
    assert!(show.contains("has no TLS listener configured"), "{show}");

    let tls = spawn_tls_app_with(|_| {}).await;
    let (_, tpp) = tls.approved_tpp("Cert Ltd").await;
    let path = tpp.create_app(fields).await;
    tpp.sandbox_keys(&path).await;
    let show = tpp.get_html(&path).await;
    let example = texts(&show, "#example-sandbox").pop().unwrap();
    let tls_url = tls.tls_address.clone().unwrap();
    assert!(example.contains(&format!("{tls_url}/token")), "{example}");
    assert!(example.contains("--cert transport.pem --key transport.key"));
    assert!(!show.contains("has no TLS listener configured"));
}
