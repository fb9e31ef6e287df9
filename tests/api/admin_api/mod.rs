//! The admin API: tokens made in the console, roles and four-eyes shared with the console,
//! lists with filters and cursors, the audit trail of calls, and the OpenAPI document.

mod access;
mod actions;
mod lists;

use crate::helpers::*;
use onramp::domain::AdminRole;
use serde_json::Value;

/// A token for the admin `email` with `role`, made by a fresh superadmin in the console.
pub async fn token_for(app: &TestApp, email: &str, role: &str) -> String {
    let (_, boss) = app.admin(AdminRole::Superadmin).await;
    let r = boss
        .post_form(
            "/admin/api-tokens",
            &[
                ("name", "ci"),
                ("admin", email),
                ("role", role),
                ("days", "30"),
            ],
        )
        .await;
    assert_eq!(r.status(), 200, "token made");
    let html = r.text().await.unwrap();
    let token = texts(&html, "#new-token")
        .pop()
        .expect("the token is shown");
    assert!(token.starts_with("onr_adm_"), "{token}");
    token
}

/// A new admin of `role` and a token of theirs with the same role.
pub async fn admin_token(app: &TestApp, role: AdminRole) -> (String, String) {
    let email = app.create_admin(role).await;
    let token = token_for(app, &email, role.as_str()).await;
    (email, token)
}

/// Calls the API; returns the status and the JSON body.
pub async fn call(
    app: &TestApp,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (u16, Value) {
    let url = app.visitor.url(&format!("/admin/api/v1{path}"));
    let client = reqwest::Client::new();
    let mut req = match method {
        "GET" => client.get(url),
        _ => client.post(url),
    };
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// GET with a token.
pub async fn get(app: &TestApp, path: &str, token: &str) -> (u16, Value) {
    call(app, "GET", path, Some(token), None).await
}

/// POST JSON with a token.
pub async fn post(app: &TestApp, path: &str, token: &str, body: Value) -> (u16, Value) {
    call(app, "POST", path, Some(token), Some(body)).await
}

/// The id of the waiting task of `workflow` for `legal_name`, found through the API.
pub async fn task_id(app: &TestApp, token: &str, workflow: &str, legal_name: &str) -> String {
    let (s, v) = get(app, &format!("/tasks?workflow={workflow}"), token).await;
    assert_eq!(s, 200, "{v}");
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["legal_name"] == legal_name)
        .unwrap_or_else(|| panic!("no {workflow} task for {legal_name}: {v}"))["id"]
        .as_str()
        .unwrap()
        .to_string()
}
