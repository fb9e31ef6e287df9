//! Lists with filters and cursors, reads by id, and the OpenAPI document against the router.

use super::*;
use std::collections::BTreeSet;

#[tokio::test]
async fn lists_filter_and_cursors_walk_every_row_once() {
    let app = spawn_app().await;
    let (_, tpp) = app.approved_tpp("Alpha").await;
    app.approved_tpp("Bravo").await;
    app.verified_tpp("Charlie").await;
    let (_, token) = admin_token(&app, AdminRole::Reviewer).await;

    let mut seen = Vec::new();
    let mut path = "/organisations?limit=1".to_string();
    loop {
        let (s, v) = get(&app, &path, &token).await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(v["total"], 3);
        let items = v["items"].as_array().unwrap();
        assert_eq!(items.len(), 1);
        seen.push(items[0]["legal_name"].as_str().unwrap().to_string());
        match v["next_cursor"].as_str() {
            Some(c) => path = format!("/organisations?cursor={c}"),
            None => break,
        }
    }
    seen.sort();
    assert_eq!(seen, ["Alpha", "Bravo", "Charlie"]);
    let (_, active) = get(&app, "/organisations?status=active", &token).await;
    assert_eq!(active["total"], 2);
    assert_eq!(get(&app, "/organisations?status=nope", &token).await.0, 422);
    assert_eq!(
        get(&app, "/organisations?cursor=forged", &token).await.0,
        422
    );
    assert_eq!(get(&app, "/organisations?limit=0", &token).await.0, 422);

    let (_, waiting) = get(&app, "/tasks", &token).await;
    assert_eq!(
        waiting["total"], 1,
        "only Charlie's signup waits: {waiting}"
    );
    let (_, approved) = get(&app, "/tasks?workflow=signup&status=approved", &token).await;
    assert_eq!(approved["total"], 2);
    assert_eq!(get(&app, "/tasks?status=sideways", &token).await.0, 422);

    let app_path = tpp
        .create_app(&[
            ("name", "Ledger"),
            ("redirect_uris", "https://alpha.example/cb"),
            ("auth_method", "private_key_jwt"),
            ("jwks", JWKS),
            ("scopes", "accounts"),
        ])
        .await;
    let (client_id, _) = tpp.sandbox_keys(&app_path).await;
    let (_, c) = get(&app, &format!("/clients/{client_id}"), &token).await;
    let org = c["organisation_id"].as_str().unwrap().to_string();
    let (_, apps) = get(
        &app,
        &format!("/applications?organisation_id={org}"),
        &token,
    )
    .await;
    assert_eq!(apps["total"], 1);
    let app_id = apps["items"][0]["id"].as_str().unwrap();
    let (s, a) = get(&app, &format!("/applications/{app_id}"), &token).await;
    assert_eq!((s, a["name"].as_str()), (200, Some("Ledger")));
    let (_, sandbox) = get(
        &app,
        &format!("/clients?environment=sandbox&organisation_id={org}"),
        &token,
    )
    .await;
    assert_eq!(sandbox["items"][0]["client_id"], client_id.as_str());
    let (_, prod) = get(&app, "/clients?environment=production", &token).await;
    assert_eq!(prod["total"], 0);
    assert_eq!(get(&app, "/applications/not-an-id", &token).await.0, 404);
    assert_eq!(get(&app, "/clients/unknown", &token).await.0, 404);
    let (_, ev) = get(
        &app,
        &format!("/audit-events?organisation_id={org}&limit=200"),
        &token,
    )
    .await;
    assert!(
        ev["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "client.issued"),
        "{ev}"
    );
    assert_eq!(
        get(&app, "/audit-events?since=yesterday", &token).await.0,
        422
    );
}

#[tokio::test]
async fn the_openapi_document_lists_exactly_the_routes_the_router_serves() {
    let app = spawn_app().await;
    let doc: Value = app.get("/openapi.json").await.json().await.unwrap();
    let mut documented = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        if path.starts_with("/admin/api/v1") {
            for m in ["get", "post", "put", "delete", "patch"] {
                if item.get(m).is_some() {
                    documented.insert((m.to_string(), path.clone()));
                }
            }
        }
    }
    let routed: BTreeSet<(String, String)> = onramp::web::admin_api::ROUTES
        .iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    assert_eq!(
        documented, routed,
        "the document and the router agree both ways"
    );
    assert!(routed.len() >= 10);
    assert!(doc["components"]["securitySchemes"]["adminToken"].is_object());

    // Every listed route is served (401 without a token, never the fallback's 404), and a path
    // the table does not list is not.
    for (m, p) in &routed {
        let concrete = p.replace("{id}", "x").replace("{action}", "suspend");
        let rel = concrete.trim_start_matches("/admin/api/v1");
        let (s, v) = call(
            &app,
            &m.to_uppercase(),
            rel,
            None,
            Some(serde_json::json!({})),
        )
        .await;
        assert_eq!(
            (s, v["error"].as_str()),
            (401, Some("invalid_token")),
            "{m} {p}"
        );
    }
    let (s, v) = call(&app, "GET", "/nothing-here", None, None).await;
    assert_eq!((s, v["error"].as_str()), (404, Some("not_found")));
}
