//! Two `onramp serve` processes on one PostgreSQL database, as behind a load balancer: they
//! migrate once between them, and sessions, CSRF tokens, used `jti`s, four-eyes and client
//! suspension hold across them. (PostgreSQL only: several nodes need it.)

use crate::helpers::*;
use onramp::domain::AdminRole;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// An application whose method production accepts.
const PRODUCTION_APP: &[(&str, &str)] = &[
    ("name", "Payments hub"),
    ("redirect_uris", "https://hub.example/cb"),
    ("auth_method", "private_key_jwt"),
    ("jwks", JWKS),
    ("scopes", "accounts"),
];

/// What both nodes publish as their address (the load balancer's).
const PUBLIC_URL: &str = "http://onramp.nodes.test";

/// The same browser (cookie jar) talking to another node.
fn at(v: &Visitor, node: &Node) -> Visitor {
    Visitor {
        address: node.address.clone(),
        client: v.client.clone(),
        clock: v.clock.clone(),
    }
}

async fn token(http: &reqwest::Client, node: &Node, form: &[(&str, &str)]) -> (u16, Value) {
    let r = http
        .post(format!("{}/token", node.address))
        .form(form)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn two_nodes_share_sessions_replay_state_four_eyes_and_suspensions() {
    if std::env::var("ONRAMP_TEST_DATABASE_URL").map_or(true, |u| u.is_empty()) {
        eprintln!("note: several nodes need PostgreSQL; set ONRAMP_TEST_DATABASE_URL");
        return;
    }
    onramp::startup::install_crypto();
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_database(dir.path()).await;
    // Both start together: the migrations run once, under the advisory lock.
    let mut one = Node::start(&url, dir.path(), PUBLIC_URL, &[]);
    let mut two = Node::start(&url, dir.path(), PUBLIC_URL, &[]);
    one.wait_ready().await;
    two.wait_ready().await;
    let app = spawn_app_with(|s| s.database_url = url.clone()).await;
    let db = &app.state.db;
    let applied = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT COUNT(*) AS n FROM seaql_migrations",
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get::<i64>("", "n")
        .unwrap();
    assert_eq!(applied as usize, onramp::store::migration_count());

    // A portal session and a CSRF token made on node one work on node two.
    let (tpp_email, tpp) = app.approved_tpp("Nodes Ltd").await;
    let tpp1 = at(&tpp, &one);
    assert_eq!(tpp1.portal_login(&tpp_email).await.status(), 303);
    let tpp2 = at(&tpp, &two);
    assert_eq!(tpp2.get("/dashboard").await.status(), 200);
    let csrf = tpp1.csrf().await;
    let post = |token: &str| {
        tpp2.client
            .post(tpp2.url("/team/invite"))
            .form(&[("email", "not an address"), ("csrf_token", token)])
            .send()
    };
    assert_eq!(post("forged").await.unwrap().status(), 403);
    assert_eq!(
        post(&csrf).await.unwrap().status(),
        422,
        "node one's token passes CSRF on node two (the address is refused)"
    );

    // A client assertion's jti used on node one is refused on node two.
    let (key, keyed_id) = tpp1.private_key_jwt_client("node-key").await;
    let now = app.state.clock.now().timestamp();
    let claims = json!({ "iss": keyed_id, "sub": keyed_id, "aud": format!("{PUBLIC_URL}/token"),
        "iat": now, "exp": now + 300, "jti": "once-across-nodes" });
    let a = key.sign("JWT", &claims).unwrap();
    let form = [
        ("grant_type", "client_credentials"),
        (
            "client_assertion_type",
            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        ),
        ("client_assertion", a.as_str()),
    ];
    let http = reqwest::Client::new();
    let (status, body) = token(&http, &one, &form).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = token(&http, &two, &form).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_client"))
    );

    // A client suspended on node one is refused at /token on node two within a second.
    let plain = tpp1.create_app(APP).await;
    let (id, secret) = tpp1.sandbox_keys(&plain).await;
    let secret = secret.unwrap();
    let basic = [
        ("grant_type", "client_credentials"),
        ("client_id", id.as_str()),
        ("client_secret", secret.as_str()),
    ];
    let by_secret = |node: &Node| {
        http.post(format!("{}/token", node.address))
            .basic_auth(&id, Some(&secret))
            .form(&basic[..1])
            .send()
    };
    assert_eq!(by_secret(&two).await.unwrap().status(), 200);
    let (_, approver) = app.admin(AdminRole::Approver).await;
    let approver1 = at(&approver, &one);
    let r = approver1
        .post_form(
            &format!("/admin/clients/{id}/status"),
            &[("action", "suspend"), ("comment", "Suspicious traffic")],
        )
        .await;
    assert_eq!(r.status(), 303);
    let suspended = Instant::now();
    loop {
        let status = by_secret(&two).await.unwrap().status();
        if status == 401 {
            break;
        }
        assert!(
            suspended.elapsed() < Duration::from_secs(1),
            "node two still issues tokens to a suspended client"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // Four eyes across nodes: the reviewer on node one cannot approve on node two, and two
    // approvers pressing Approve at once on both nodes issue one production client.
    let hub = tpp1.create_app(PRODUCTION_APP).await;
    let r = tpp1
        .post_form(
            &format!("{hub}/production-keys"),
            &[("use_case", "Account views for small firms.")],
        )
        .await;
    assert_eq!(r.status(), 303);
    let (_, reviewer) = app.admin(AdminRole::Superadmin).await;
    let task = reviewer.task_for("production-keys", "Nodes Ltd").await;
    assert_eq!(
        at(&reviewer, &one)
            .decide(&task, "review", "")
            .await
            .status(),
        303
    );
    let r = at(&reviewer, &two).decide(&task, "approve", "").await;
    assert_eq!(
        r.status(),
        422,
        "the reviewer cannot also approve, on any node"
    );
    let (_, second) = app.admin(AdminRole::Approver).await;
    let (a1, a2) = (at(&approver, &one), at(&second, &two));
    let (r1, r2) = tokio::join!(
        a1.decide(&task, "approve", ""),
        a2.decide(&task, "approve", "")
    );
    let mut statuses = [r1.status().as_u16(), r2.status().as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses[0], 303, "one approval goes through: {statuses:?}");
    assert!(statuses[1] >= 400, "the other is refused: {statuses:?}");
    let n = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT COUNT(*) AS n FROM clients WHERE environment = 'production'",
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get::<i64>("", "n")
        .unwrap();
    assert_eq!(n, 1, "one production client");
    assert!(one.child.try_wait().unwrap().is_none() && two.child.try_wait().unwrap().is_none());
}
