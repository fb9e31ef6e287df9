//! What the bank approved is what runs in production: production settings proposed per
//! environment and issued from the reviewed copy, changes only through a reviewed request,
//! secret methods refused on every path, sender-constrained production tokens, sandbox and
//! production tokens that cannot be confused, and approval refused after a suspension.

use crate::helpers::*;
use onramp::clients::Environment;
use onramp::domain::{AdminRole, ClientId};
use serde_json::Value;

const DN_A: &str = "CN=acme-prod,O=Acme Ltd,C=GB";
const DN_B: &str = "CN=acme-prod-2026,O=Acme Ltd,C=GB";

fn production_form<'a>(dn: &'a str, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut f = vec![
        ("redirect_uris", "https://budget.example/cb"),
        ("auth_method", "tls_client_auth"),
        ("tls_subject_dn", dn),
        ("scopes", "accounts"),
    ];
    f.extend_from_slice(extra);
    f
}

async fn production_client(app: &TestApp) -> Option<onramp::store::clients::ClientRecord> {
    use sea_orm::{ConnectionTrait, Statement};
    let row = app
        .state
        .db
        .query_one_raw(Statement::from_string(
            app.state.db.get_database_backend(),
            "SELECT client_id FROM clients WHERE environment = 'production'",
        ))
        .await
        .unwrap()?;
    let id: String = row.try_get("", "client_id").unwrap();
    onramp::store::clients::get(&app.state.db, &ClientId(id))
        .await
        .unwrap()
}

/// A TPP with a secret-based sandbox client whose production keys (tls_client_auth, `dn`) were
/// approved by a reviewer and a different approver. Returns the TPP and the application path.
async fn approved_production(app: &TestApp, dn: &str) -> (Visitor, String) {
    let (_, tpp) = app.approved_tpp("Acme").await;
    let app_path = tpp.create_app(APP).await;
    tpp.sandbox_keys(&app_path).await;
    let form = production_form(dn, &[("use_case", "Account views for small businesses.")]);
    let r = tpp
        .post_form(&format!("{app_path}/production-keys"), &form)
        .await;
    assert_eq!(r.status(), 303);
    let (_, reviewer) = app.admin(AdminRole::Reviewer).await;
    let task = reviewer.task_for("production-keys", "Acme").await;
    let seen = reviewer.get_html(&task).await;
    let proposed = texts(&seen, "#proposed dd").join(" ");
    assert!(
        proposed.contains(dn),
        "the reviewer sees the proposal: {proposed}"
    );
    assert!(proposed.contains("tls_client_auth"));
    assert_eq!(reviewer.decide(&task, "review", "").await.status(), 303);
    let (_, approver) = app.admin(AdminRole::Approver).await;
    assert!(
        texts(&approver.get_html(&task).await, "#proposed dd")
            .join(" ")
            .contains(dn)
    );
    assert_eq!(approver.decide(&task, "approve", "").await.status(), 303);
    (tpp, app_path)
}

#[tokio::test]
async fn what_the_approver_saw_is_issued_and_production_changes_wait_for_review() {
    let app = spawn_app().await;
    let (tpp, app_path) = approved_production(&app, DN_A).await;
    let live = production_client(&app).await.expect("issued on approval");
    assert_eq!(live.auth_method.as_str(), "tls_client_auth");
    assert_eq!(live.metadata["tls_client_auth_subject_dn"], DN_A);
    assert_eq!(
        live.metadata["redirect_uris"][0],
        "https://budget.example/cb"
    );

    // An ordinary edit changes the sandbox at once and leaves production as approved.
    let edit = [
        ("name", "Budget helper"),
        ("redirect_uris", "https://elsewhere.example/cb"),
        ("auth_method", "client_secret_post"),
        ("scopes", "accounts"),
    ];
    assert_eq!(
        tpp.post_form(&format!("{app_path}/edit"), &edit)
            .await
            .status(),
        303
    );
    let after_edit = production_client(&app).await.unwrap();
    assert_eq!(after_edit.auth_method, live.auth_method);
    assert_eq!(after_edit.metadata["tls_client_auth_subject_dn"], DN_A);
    assert_eq!(
        after_edit.metadata["redirect_uris"][0],
        "https://budget.example/cb"
    );

    // A secret method cannot be proposed for production.
    let secret_change = [
        ("redirect_uris", "https://budget.example/cb"),
        ("auth_method", "client_secret_basic"),
        ("scopes", "accounts"),
        ("reason", "We prefer secrets."),
    ];
    let r = tpp
        .post_form(&format!("{app_path}/production-settings"), &secret_change)
        .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(
        texts(&html, "#f-auth_method-error")[0].contains("does not accept client_secret_basic")
    );
    assert_eq!(
        texts(&html, "#f-reason")[0],
        "We prefer secrets.",
        "typed text kept"
    );

    // A change request: the live client keeps its settings until a reviewer decides.
    let change = production_form(DN_B, &[("reason", "New transport certificate.")]);
    let r = tpp
        .post_form(&format!("{app_path}/production-settings"), &change)
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(
        production_client(&app).await.unwrap().metadata["tls_client_auth_subject_dn"],
        DN_A,
        "unchanged before review"
    );
    let page = tpp.get_html(&app_path).await;
    assert!(texts(&page, "#production-change")[0].contains("Waiting for review"));
    let (_, reviewer) = app.admin(AdminRole::Reviewer).await;
    let task = reviewer.task_for("production-change", "Acme").await;
    let seen = reviewer.get_html(&task).await;
    let diff = texts(&seen, "table.diff tbody tr");
    assert_eq!(diff.len(), 1, "only what changes: {diff:?}");
    assert!(diff[0].contains(DN_A) && diff[0].contains(DN_B));
    assert_eq!(
        reviewer
            .decide(&task, "reject", "Use the old certificate.")
            .await
            .status(),
        303
    );
    assert_eq!(
        production_client(&app).await.unwrap().metadata["tls_client_auth_subject_dn"],
        DN_A,
        "a rejection applies nothing"
    );

    // Proposed again and approved: exactly the new settings apply, and the history says so.
    let r = tpp
        .post_form(&format!("{app_path}/production-settings"), &change)
        .await;
    assert_eq!(r.status(), 303);
    let task = reviewer.task_for("production-change", "Acme").await;
    assert_eq!(reviewer.decide(&task, "approve", "").await.status(), 303);
    let changed = production_client(&app).await.unwrap();
    assert_eq!(changed.client_id, live.client_id, "the same client");
    assert_eq!(changed.metadata["tls_client_auth_subject_dn"], DN_B);
    assert_eq!(changed.auth_method, live.auth_method);
    let history = onramp::clients::service::history(&app.state.db, &changed.client_id)
        .await
        .unwrap();
    let last = history.last().unwrap();
    assert_eq!(last.action, "client.settings_changed");
    assert_eq!(last.detail["changes"][0]["to"], DN_B);
}

#[tokio::test]
async fn a_production_client_gets_no_secret_and_no_token_with_a_secret_method() {
    let app = spawn_tls_app_with(|_| {}).await;
    let (tpp, _) = approved_production(&app, DN_A).await;
    let live = production_client(&app).await.unwrap();
    // Regenerate: refused, nothing stored.
    let r = tpp
        .post_form(&format!("/clients/{}/secret", live.client_id), &[])
        .await;
    assert_eq!(r.status(), 303);
    assert!(production_client(&app).await.unwrap().secret_hash.is_none());
    // A row carrying a secret method (as if written before this policy, or by hand) cannot get
    // a token: /token checks the production policy itself.
    use sea_orm::{ConnectionTrait, Statement};
    let secret = onramp::domain::PlainToken::generate("obp_prd_");
    app.state
        .db
        .execute_raw(Statement::from_string(
            app.state.db.get_database_backend(),
            format!(
                "UPDATE clients SET auth_method = 'client_secret_basic', secret_hash = '{}' WHERE client_id = '{}'",
                secret.hash().as_str(),
                live.client_id
            ),
        ))
        .await
        .unwrap();
    app.state.clients_changed();
    let pki = app.pki.as_ref().unwrap();
    let me = pki.client("acme-prod", "Acme Ltd", None);
    let r = pki
        .client_http(Some(&me))
        .post(format!("{}/token", app.tls_address.as_ref().unwrap()))
        .basic_auth(live.client_id.as_str(), Some(secret.expose()))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"], "invalid_client");
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains("does not accept client_secret_basic")
    );
}

#[tokio::test]
async fn production_tokens_need_mutual_tls_carry_cnf_and_never_pass_as_sandbox_ones() {
    let app = spawn_tls_app_with(|s| {
        s.oauth.introspection_client_secret = "prod-gw-secret".to_string().into();
        s.oauth.sandbox_introspection_client_secret = "sbx-gw-secret".to_string().into();
    })
    .await;
    let (_, tpp) = app.approved_tpp("Acme").await;
    let (key, _) = onramp::jose::SigningKey::generate_es256("k-prod".into()).unwrap();
    let jwks = serde_json::json!({ "keys": [key.public_jwk()] }).to_string();
    let fields = [
        ("name", "Keyed"),
        ("redirect_uris", "https://keyed.example/cb"),
        ("auth_method", "private_key_jwt"),
        ("jwks", jwks.as_str()),
        ("scopes", "accounts"),
    ];
    let app_path = tpp.create_app(&fields).await;
    let (sandbox_id, _) = tpp.sandbox_keys(&app_path).await;
    let mut form: Vec<(&str, &str)> = fields[1..].to_vec();
    form.push(("use_case", "Account views for small businesses."));
    assert_eq!(
        tpp.post_form(&format!("{app_path}/production-keys"), &form)
            .await
            .status(),
        303
    );
    let (_, boss) = app.admin(AdminRole::Superadmin).await;
    let task = boss.task_for("production-keys", "Acme").await;
    boss.decide(&task, "review", "").await;
    let (_, approver) = app.admin(AdminRole::Approver).await;
    assert_eq!(approver.decide(&task, "approve", "").await.status(), 303);
    let prod = production_client(&app).await.unwrap();
    let base = app.tls_address.clone().unwrap();
    let now = app.state.clock.now().timestamp();
    let pki = app.pki.as_ref().unwrap();

    // No certificate: refused, saying why.
    let r = crate::helpers::dcr::private_key_jwt_token(
        &pki.client_http(None),
        &base,
        &key,
        prod.client_id.as_str(),
        now,
    )
    .await;
    assert_eq!(r.status(), 401);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"], "invalid_client");
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains("mutual TLS"),
        "{body}"
    );

    // With one: bound to it, signed by a production key, for the production audience.
    let me = pki.client("keyed", "Acme Ltd", None);
    let mtls = pki.client_http(Some(&me));
    let r = crate::helpers::dcr::private_key_jwt_token(
        &mtls,
        &base,
        &key,
        prod.client_id.as_str(),
        now,
    )
    .await;
    assert_eq!(r.status(), 200);
    let prod_token = r.json::<Value>().await.unwrap()["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let claims = jwt_part(&prod_token, 1);
    assert_eq!(claims["cnf"]["x5t#S256"], onramp::jose::x5t_s256(&me.der));
    assert_eq!(
        claims["aud"],
        app.state.settings.audience(Environment::Production)
    );
    let prod_kid = jwt_part(&prod_token, 0)["kid"]
        .as_str()
        .unwrap()
        .to_string();
    let jwks: Value = reqwest::get(app.url("/jwks"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let sandbox_jwks: Value = reqwest::get(app.url("/sandbox/jwks"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let kids = |j: &Value| -> Vec<String> {
        j["keys"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k["kid"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(kids(&jwks).contains(&prod_kid));
    assert!(!kids(&sandbox_jwks).contains(&prod_kid));

    // A sandbox token: signed by a sandbox key, not in /jwks, inactive for the production
    // gateway, active for the sandbox one; and the reverse for the production token.
    let r = crate::helpers::dcr::private_key_jwt_token(
        &pki.client_http(None),
        &base,
        &key,
        &sandbox_id,
        now,
    )
    .await;
    assert_eq!(
        r.status(),
        200,
        "the sandbox stays as it is: no certificate needed"
    );
    let sbx_token = r.json::<Value>().await.unwrap()["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let sbx_kid = jwt_part(&sbx_token, 0)["kid"].as_str().unwrap().to_string();
    assert!(
        !kids(&jwks).contains(&sbx_kid),
        "a sandbox token fails with /jwks keys"
    );
    assert!(kids(&sandbox_jwks).contains(&sbx_kid));
    assert_ne!(jwt_part(&sbx_token, 1)["aud"], claims["aud"]);
    let introspect = |creds: (&'static str, &'static str), token: String| {
        let url = format!("{base}/introspect");
        let http = pki.client_http(None);
        async move {
            http.post(url)
                .basic_auth(creds.0, Some(creds.1))
                .form(&[("token", token.as_str())])
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()["active"]
                .clone()
        }
    };
    assert_eq!(
        introspect(("gateway", "prod-gw-secret"), sbx_token.clone()).await,
        false
    );
    assert_eq!(
        introspect(("sandbox-gateway", "sbx-gw-secret"), sbx_token.clone()).await,
        true
    );
    assert_eq!(
        introspect(("gateway", "prod-gw-secret"), prod_token.clone()).await,
        true
    );
    assert_eq!(
        introspect(("sandbox-gateway", "sbx-gw-secret"), prod_token.clone()).await,
        false
    );
    // The sandbox API takes sandbox tokens only.
    let api = format!("{base}/sandbox/open-banking/v3.1/aisp/accounts");
    let status = |t: String| {
        let mtls = mtls.clone();
        let api = api.clone();
        async move {
            mtls.get(api)
                .bearer_auth(t)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    assert_eq!(status(sbx_token).await, 200);
    assert_eq!(status(prod_token).await, 401);
}

fn jwt_part(token: &str, i: usize) -> Value {
    let part = token.split('.').nth(i).unwrap();
    serde_json::from_slice(&onramp::jose::unb64(part).unwrap()).unwrap()
}

#[tokio::test]
async fn approving_after_the_organisation_was_suspended_issues_nothing() {
    let app = spawn_app().await;
    let (_, tpp) = app.approved_tpp("Acme").await;
    let app_path = tpp.create_app(APP).await;
    let form = production_form(DN_A, &[("use_case", "Account views for small businesses.")]);
    assert_eq!(
        tpp.post_form(&format!("{app_path}/production-keys"), &form)
            .await
            .status(),
        303
    );
    let (_, reviewer) = app.admin(AdminRole::Reviewer).await;
    let task = reviewer.task_for("production-keys", "Acme").await;
    assert_eq!(reviewer.decide(&task, "review", "").await.status(), 303);
    // Suspended after the request, as the console's suspension does.
    use sea_orm::{ConnectionTrait, Statement};
    let row = app
        .state
        .db
        .query_one_raw(Statement::from_string(
            app.state.db.get_database_backend(),
            "SELECT id FROM organisations WHERE legal_name = 'Acme'",
        ))
        .await
        .unwrap()
        .unwrap();
    let org: onramp::domain::OrganisationId =
        row.try_get::<String>("", "id").unwrap().parse().unwrap();
    onramp::store::organisations::set_status(
        &app.state.db,
        org,
        onramp::domain::OrganisationStatus::Suspended,
        app.state.clock.now(),
    )
    .await
    .unwrap();
    let (_, approver) = app.admin(AdminRole::Approver).await;
    let r = approver.decide(&task, "approve", "").await;
    assert_eq!(r.status(), 409);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("The organisation is suspended"),
        "the reason is shown"
    );
    assert!(production_client(&app).await.is_none(), "nothing issued");
    let page = approver.get_html(&task).await;
    assert!(
        page.contains("Reviewed, waiting for approval"),
        "the task is not completed"
    );
}
