//! The admin API's part of `/openapi.json`: one entry per route of [`super::ROUTES`] (a test
//! checks both ways), bearer admin API tokens, and the shared error shape.

use serde_json::{Map, Value, json};

fn err(desc: &str) -> Value {
    json!({ "description": desc, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } })
}

fn errors(extra: &[(&str, &str)]) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert(
        "401".into(),
        err("invalid_token: missing, unknown, expired or revoked token"),
    );
    for (code, desc) in extra {
        m.insert((*code).into(), err(desc));
    }
    m
}

fn ok(schema: &str) -> Value {
    json!({ "description": "OK", "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{schema}") } } } })
}

fn q(name: &str, desc: &str) -> Value {
    json!({ "name": name, "in": "query", "required": false, "schema": { "type": "string" }, "description": desc })
}

fn id_param() -> Value {
    json!({ "name": "id", "in": "path", "required": true, "schema": { "type": "string" } })
}

fn list(summary: &str, filters: &[(&str, &str)]) -> Value {
    let mut params: Vec<Value> = filters.iter().map(|(n, d)| q(n, d)).collect();
    params.push(json!({ "name": "limit", "in": "query", "schema": { "type": "integer", "minimum": 1, "maximum": 200, "default": 50 } }));
    params.push(q("cursor", "next_cursor of the previous page"));
    let mut responses = errors(&[("422", "invalid_request: a bad filter, limit or cursor")]);
    responses.insert("200".into(), ok("Page"));
    json!({ "get": { "summary": summary, "parameters": params, "responses": responses } })
}

fn read(summary: &str, schema: &str) -> Value {
    let mut responses = errors(&[("404", "not_found")]);
    responses.insert("200".into(), ok(schema));
    json!({ "parameters": [id_param()], "get": { "summary": summary, "responses": responses } })
}

fn change(summary: &str, body: &str, extra: &[(&str, &str)], actions: &[&str]) -> Value {
    let mut responses = errors(extra);
    responses.insert("200".into(), json!({ "description": "Done" }));
    let mut params = vec![id_param()];
    if !actions.is_empty() {
        params.push(json!({ "name": "action", "in": "path", "required": true, "schema": { "type": "string", "enum": actions } }));
    }
    json!({
        "parameters": params,
        "post": {
            "summary": summary,
            "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{body}") } } } },
            "responses": responses
        }
    })
}

const STATUS_ERRORS: &[(&str, &str)] = &[
    ("403", "insufficient_role: reviewers only read"),
    ("404", "not_found"),
    (
        "409",
        "not_applicable or revoked: the status cannot change so",
    ),
    ("422", "invalid_request: comment is required"),
];

/// The admin API's paths, keyed by full path.
pub fn paths() -> Map<String, Value> {
    let p = |s: &str| format!("{}{s}", super::BASE);
    let mut m = Map::new();
    m.insert(p("/tasks"), list("Tasks (waiting for an admin unless status says otherwise)", &[
        ("workflow", "workflow name"), ("state", "state name"),
        ("status", "waiting (default), any, pending, action_required, approved, rejected, cancelled"),
    ]));
    m.insert(
        p("/tasks/{id}"),
        read(
            "A task with its data, history and the steps the caller may take",
            "Task",
        ),
    );
    m.insert(
        p("/tasks/{id}/actions"),
        change(
            "Take a workflow step (approve, reject, request information…) as the token's admin",
            "Step",
            &[
                ("403", "insufficient_role: the role may not take this step"),
                ("404", "not_found"),
                ("409", "four_eyes, wrong_state, stale or refused"),
                (
                    "422",
                    "invalid_request: unknown action or a missing comment",
                ),
            ],
            &[],
        ),
    );
    m.insert(
        p("/organisations"),
        list(
            "Organisations",
            &[
                ("status", "unverified, pending, active, rejected, suspended"),
                ("q", "name contains"),
            ],
        ),
    );
    m.insert(
        p("/organisations/{id}"),
        read("An organisation", "Organisation"),
    );
    m.insert(
        p("/organisations/{id}/{action}"),
        change(
            "Suspend an organisation with its active clients, or reactivate it with the clients its suspension stopped",
            "Reason",
            STATUS_ERRORS,
            &["suspend", "reactivate"],
        ),
    );
    m.insert(
        p("/applications"),
        list(
            "Applications",
            &[
                ("organisation_id", "one organisation"),
                ("status", "application status"),
            ],
        ),
    );
    m.insert(
        p("/applications/{id}"),
        read("An application", "Application"),
    );
    m.insert(
        p("/clients"),
        list(
            "Clients",
            &[
                ("environment", "sandbox or production"),
                ("status", "pending, active, suspended, revoked"),
                ("origin", "portal or dcr"),
                ("organisation_id", "one organisation"),
                ("q", "client id or organisation name contains"),
            ],
        ),
    );
    m.insert(
        p("/clients/{id}"),
        read("A client with its metadata and history", "Client"),
    );
    m.insert(
        p("/clients/{id}/{action}"),
        change(
            "Suspend, reactivate or revoke (final) a client",
            "Reason",
            STATUS_ERRORS,
            &["suspend", "reactivate", "revoke"],
        ),
    );
    m.insert(
        p("/audit-events"),
        list(
            "Audit events, newest first",
            &[
                ("action", "action"),
                ("actor", "actor name contains"),
                ("organisation_id", "one organisation"),
                ("since", "RFC 3339 time"),
                ("until", "RFC 3339 time"),
            ],
        ),
    );
    for (_, v) in m.iter_mut() {
        if let Some(o) = v.as_object_mut() {
            for op in ["get", "post"] {
                if let Some(x) = o.get_mut(op).and_then(Value::as_object_mut) {
                    x.insert("security".into(), json!([{ "adminToken": [] }]));
                    x.insert("tags".into(), json!(["admin"]));
                }
            }
        }
    }
    m
}

/// The schemas the admin API's paths name.
pub fn schemas() -> Map<String, Value> {
    let obj = |props: Value| json!({ "type": "object", "properties": props });
    let s = json!({ "type": "string" });
    let mut m = Map::new();
    m.insert("Page".into(), obj(json!({ "items": { "type": "array", "items": { "type": "object" } }, "next_cursor": { "type": "string", "nullable": true }, "total": { "type": "integer" } })));
    m.insert("Task".into(), obj(json!({ "id": s, "workflow": s, "state": s, "state_label": s, "status": s, "subject_type": s, "subject_id": s, "organisation_id": s, "legal_name": s, "version": { "type": "integer" }, "data": { "type": "object" }, "events": { "type": "array", "items": { "type": "object" } }, "steps": { "type": "array", "items": { "type": "object" } } })));
    m.insert("Step".into(), json!({ "type": "object", "required": ["action"], "properties": { "action": s, "comment": s, "version": { "type": "integer", "description": "the version read; the current one when absent" } } }));
    m.insert(
        "Reason".into(),
        json!({ "type": "object", "required": ["comment"], "properties": { "comment": s } }),
    );
    m.insert("Organisation".into(), obj(json!({ "id": s, "legal_name": s, "status": s, "directory_org_id": s, "profile": { "type": "object" } })));
    m.insert(
        "Application".into(),
        obj(json!({ "id": s, "organisation_id": s, "name": s, "status": s })),
    );
    m.insert("Client".into(), obj(json!({ "client_id": s, "organisation_id": s, "application_id": s, "environment": s, "origin": s, "status": s, "auth_method": s, "metadata": { "type": "object" }, "history": { "type": "array", "items": { "type": "object" } } })));
    m
}

/// Adds the admin API to the document: its paths (each with the plain listener's URL as its
/// server), its security scheme and its schemas.
pub fn merge(doc: &mut Value, base_url: &str) {
    let mut paths = paths();
    for v in paths.values_mut() {
        v["servers"] = json!([{ "url": base_url }]);
    }
    if let Some(p) = doc["paths"].as_object_mut() {
        p.extend(paths);
    }
    if let Some(c) = doc["components"]["schemas"].as_object_mut() {
        c.extend(schemas());
    }
    doc["components"]["securitySchemes"]["adminToken"] = json!({
        "type": "http", "scheme": "bearer",
        "description": "An admin API token (onr_adm_…) made by a superadmin in the console"
    });
}
