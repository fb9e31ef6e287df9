//! Item 7's property test: arbitrary strings thrown at every portal and admin form, the query
//! strings that take numbers or dates, and the JSON/JWT endpoints. No answer is a 5xx and the
//! server keeps answering. At least 10,000 cases (`ONRAMP_FUZZ_CASES` raises it).

use crate::helpers::*;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use onramp::domain::AdminRole;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;

/// Values that tend to break parsers: anything, long digits, signed and exponent numbers,
/// dates, empty.
fn value() -> BoxedStrategy<String> {
    prop_oneof![
        any::<String>(),
        "[0-9]{1,30}",
        "-?[0-9]{1,20}(\\.[0-9]{1,5})?([eE][+-]?[0-9]{1,4})?",
        "[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9:]{0,12})?",
        "[a-zA-Z0-9@.:/_-]{0,40}",
        Just(String::new()),
    ]
    .boxed()
}

/// A compact JWS whose claims carry arbitrary numbers and strings (unsigned: the server must
/// refuse it cleanly, whatever the numbers).
fn jwt() -> BoxedStrategy<String> {
    (
        prop_oneof![Just("ES256"), Just("PS256"), Just("none"), Just("HS256")],
        any::<f64>(),
        any::<i64>(),
        value(),
    )
        .prop_map(|(alg, f, i, s)| {
            let h = serde_json::json!({ "alg": alg, "kid": s, "typ": "JWT" });
            let c = serde_json::json!({
                "iss": s, "aud": s, "jti": s, "iat": f, "exp": i, "nbf": f,
                "software_statement": s, "redirect_uris": [s],
            });
            format!(
                "{}.{}.{}",
                URL_SAFE_NO_PAD.encode(h.to_string()),
                URL_SAFE_NO_PAD.encode(c.to_string()),
                URL_SAFE_NO_PAD.encode(s.as_bytes())
            )
        })
        .boxed()
}

/// Who sends a case.
#[derive(Clone, Copy, Debug)]
enum As {
    Tpp,
    Admin,
    Anon,
    Api,
}

/// One request shape: method, path, who, field names (forms) or `None` (a raw body).
struct Target {
    post: bool,
    path: String,
    who: As,
    fields: &'static [&'static str],
}

fn targets(app_path: &str, client: &str, org: &str) -> Vec<Target> {
    let form = |path: &str, who, fields| Target {
        post: true,
        path: path.to_string(),
        who,
        fields,
    };
    let get = |path: &str, who, fields| Target {
        post: false,
        path: path.to_string(),
        who,
        fields,
    };
    vec![
        form(
            "/signup",
            As::Anon,
            &[
                "legal_name",
                "country",
                "company_number",
                "email",
                "password",
                "password_confirm",
                "roles",
                "website",
            ],
        ),
        form("/login", As::Anon, &["email", "password"]),
        form("/password/forgot", As::Tpp, &["email"]),
        form(
            "/password/reset",
            As::Tpp,
            &["token", "password", "password_confirm"],
        ),
        form("/verify/resend", As::Tpp, &["email"]),
        form(
            "/account/password",
            As::Tpp,
            &["current_password", "password", "password_confirm"],
        ),
        form(
            "/applications/new",
            As::Tpp,
            &[
                "name",
                "redirect_uris",
                "auth_method",
                "scopes",
                "jwks",
                "jwks_uri",
            ],
        ),
        form(
            &format!("{app_path}/edit"),
            As::Tpp,
            &["name", "redirect_uris", "auth_method", "scopes"],
        ),
        form(
            &format!("{app_path}/production-keys"),
            As::Tpp,
            &[
                "auth_method",
                "jwks_uri",
                "tls_client_auth_subject_dn",
                "scopes",
            ],
        ),
        form(
            &format!("{app_path}/production-settings"),
            As::Tpp,
            &["redirect_uris", "scopes", "jwks_uri"],
        ),
        form(
            &format!("/clients/{client}/secret"),
            As::Tpp,
            &["grace_minutes"],
        ),
        form("/team/invite", As::Tpp, &["email"]),
        form(
            "/organisation/edit",
            As::Tpp,
            &["legal_name", "country", "website"],
        ),
        form(
            "/sandbox-directory",
            As::Tpp,
            &["name", "roles", "redirect_uris"],
        ),
        form(
            "/invite",
            As::Anon,
            &["token", "password", "password_confirm"],
        ),
        form("/admin/login", As::Anon, &["email", "password"]),
        form("/admin/login/code", As::Anon, &["code"]),
        form("/login/code", As::Anon, &["code"]),
        form("/account/two-step/setup", As::Tpp, &["code"]),
        form(
            "/admin/account/two-step/recovery-codes",
            As::Admin,
            &["code"],
        ),
        form(
            "/admin/tasks/00000000-0000-0000-0000-000000000000",
            As::Admin,
            &["action", "comment", "version"],
        ),
        form(
            &format!("/admin/organisations/{org}/status"),
            As::Admin,
            &["status", "reason"],
        ),
        form(
            &format!("/admin/clients/{client}/status"),
            As::Admin,
            &["status", "reason"],
        ),
        form(
            "/token",
            As::Api,
            &[
                "grant_type",
                "client_id",
                "client_secret",
                "scope",
                "client_assertion_type",
                "client_assertion",
            ],
        ),
        form("/introspect", As::Api, &["token", "token_type_hint"]),
        get(
            "/admin/audit",
            As::Admin,
            &["action", "actor", "since", "until", "page"],
        ),
        get("/admin", As::Admin, &["workflow", "page", "q"]),
        get("/admin/organisations", As::Admin, &["page", "q", "status"]),
        get("/admin/clients", As::Admin, &["page", "q", "environment"]),
        get("/verify", As::Api, &["token"]),
        get("/password/reset", As::Api, &["token"]),
        get("/invite", As::Anon, &["token"]),
        get("/applications", As::Tpp, &["page"]),
        Target {
            post: true,
            path: "/register".into(),
            who: As::Api,
            fields: &[],
        },
        Target {
            post: true,
            path: "/open-banking/v3.3/register".into(),
            who: As::Api,
            fields: &[],
        },
    ]
}

#[tokio::test]
async fn arbitrary_input_never_gets_a_5xx_and_the_server_keeps_answering() {
    let cases: usize = std::env::var("ONRAMP_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000)
        .max(10_000);
    let app = spawn_app_with(|s| {
        s.limits.signups_per_ip_per_hour = 1_000_000;
        s.limits.login_failures_per_ip_per_hour = 1_000_000;
    })
    .await;
    let (email, tpp) = app.approved_tpp("Acme").await;
    let app_path = tpp.create_app(APP).await;
    let (client, _) = tpp.sandbox_keys(&app_path).await;
    let org = onramp::store::users::find_by_email(&app.state.db, &email)
        .await
        .unwrap()
        .unwrap()
        .organisation_id
        .to_string();
    let (_, admin) = app.admin(AdminRole::Superadmin).await;
    let anon = app.other_browser();
    let (tpp_csrf, admin_csrf, anon_csrf) =
        (tpp.csrf().await, admin.csrf().await, anon.csrf().await);
    let api = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let targets = targets(&app_path, &client, &org);

    let mut runner = TestRunner::deterministic();
    let values = proptest::collection::vec(value(), 8);
    let (mut done, mut statuses) = (0usize, std::collections::BTreeMap::<u16, usize>::new());
    while done < cases {
        let mut batch = tokio::task::JoinSet::new();
        for _ in 0..16 {
            let pick = (0..targets.len()).new_tree(&mut runner).unwrap().current();
            let t = &targets[pick];
            let vals = values.new_tree(&mut runner).unwrap().current();
            let (http, csrf) = match t.who {
                As::Tpp => (tpp.client.clone(), tpp_csrf.clone()),
                As::Admin => (admin.client.clone(), admin_csrf.clone()),
                As::Anon => (anon.client.clone(), anon_csrf.clone()),
                As::Api => (api.clone(), String::new()),
            };
            let url = app.url(&t.path);
            let mut pairs: Vec<(String, String)> = t
                .fields
                .iter()
                .zip(vals.iter())
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect();
            let req = if t.fields.is_empty() {
                let body = if vals[0].len().is_multiple_of(2) {
                    jwt().new_tree(&mut runner).unwrap().current()
                } else {
                    vals[0].clone()
                };
                http.post(url)
                    .header("Content-Type", "application/jwt")
                    .body(body.clone())
            } else if t.post {
                pairs.push(("csrf_token".into(), csrf));
                http.post(url).form(&pairs)
            } else {
                http.get(url).query(&pairs)
            };
            let shown = format!(
                "{} {} {:?}",
                if t.post { "POST" } else { "GET" },
                t.path,
                vals
            );
            batch.spawn(async move {
                // A kept-alive connection the server has just closed fails to send; that
                // request is sent once more. A panicking handler fails both times.
                let again = req.try_clone();
                let mut answer = req.send().await.map(|r| r.status().as_u16());
                if let (Err(e), Some(again)) = (&answer, again)
                    && e.is_request()
                {
                    answer = again.send().await.map(|r| r.status().as_u16());
                }
                (answer, shown)
            });
        }
        for (status, shown) in batch.join_all().await {
            let status = status.unwrap_or_else(|e| panic!("no answer to {shown}: {e:?}"));
            assert!(status < 500, "{status} for {shown}");
            *statuses.entry(status).or_default() += 1;
        }
        done += 16;
    }
    assert_eq!(app.get("/healthz").await.status(), 200, "still serving");
    assert_eq!(tpp.get("/dashboard").await.status(), 200, "still signed in");
    eprintln!("{done} cases, statuses: {statuses:?}");
}
