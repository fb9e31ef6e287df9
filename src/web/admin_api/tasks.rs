//! Tasks: list with filters, read one with its history and the steps the caller may take, and
//! take a step (approve, reject, request information…) through the console's own service.

use super::caller::ApiCaller;
use super::{ApiError, PageQuery, page_of};
use crate::admin_api::cursor;
use crate::admin_api::lists::{self, TaskQuery};
use crate::domain::InstanceId;
use crate::state::AppState;
use crate::store::workflows::InstanceRecord;
use crate::tasks::query;
use crate::tasks::service::{self, Scope, StepRequest};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::{Value, json};

/// Task filters.
#[derive(Deserialize)]
pub struct ListQuery {
    workflow: Option<String>,
    state: Option<String>,
    status: Option<String>,
    #[serde(flatten)]
    page: PageQuery,
}

fn task_json(st: &AppState, i: &InstanceRecord, legal_name: Option<&str>) -> Value {
    let state = st
        .workflows
        .get(&i.workflow)
        .and_then(|w| w.state(&i.state));
    json!({
        "id": i.id.to_string(),
        "workflow": i.workflow,
        "state": i.state,
        "state_label": state.map_or(i.state.as_str(), |s| s.label.as_str()),
        "status": state.map_or("pending", |s| s.status.as_str()),
        "subject_type": i.subject_type,
        "subject_id": i.subject_id,
        "organisation_id": i.organisation_id.to_string(),
        "legal_name": legal_name,
        "version": i.version,
        "created_at": i.created_at.to_rfc3339(),
        "updated_at": i.updated_at.to_rfc3339(),
    })
}

fn parse_id(raw: &str) -> Result<InstanceId, ApiError> {
    raw.parse().map_err(|_| ApiError::not_found())
}

/// GET `/tasks`: waiting for an admin by default; `status=any` for all.
pub async fn list(
    st: web::Data<AppState>,
    _caller: ApiCaller,
    q: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = q.page.page()?;
    let filter = TaskQuery {
        workflow: q.workflow.clone(),
        state: q.state.clone(),
        status: q.status.clone(),
    };
    let (rows, total) = lists::tasks(&st, &filter, page).await?;
    let items = rows
        .iter()
        .map(|r| task_json(&st, &r.instance, Some(&r.legal_name)))
        .collect();
    Ok(HttpResponse::Ok().json(page_of(items, cursor::next(page, total), total)))
}

/// GET `/tasks/{id}`.
pub async fn show(
    st: web::Data<AppState>,
    caller: ApiCaller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_id(&path)?;
    let (detail, _) = query::task_for_admin(&st, id, &caller.0.actor, caller.role()).await?;
    let mut v = task_json(&st, &detail.instance, Some(&detail.organisation.legal_name));
    v["data"] = Value::Object(detail.instance.data.clone());
    v["events"] = detail
        .events
        .iter()
        .map(|e| {
            json!({
                "seq": e.seq, "action": e.action, "from": e.from_state, "to": e.to_state,
                "actor_type": e.actor_type, "actor": e.actor_name, "comment": e.comment,
                "at": e.at.to_rfc3339(),
            })
        })
        .collect();
    v["steps"] = detail
        .steps
        .iter()
        .map(|s| {
            json!({
                "action": s.action, "label": s.label,
                "comment_required": s.comment_required, "blocked": s.blocked,
            })
        })
        .collect();
    Ok(HttpResponse::Ok().json(v))
}

/// A step to take.
#[derive(Deserialize)]
pub struct ActBody {
    action: String,
    comment: Option<String>,
    /// The version the caller saw; the current one when absent.
    version: Option<i32>,
}

/// POST `/tasks/{id}/actions`: `{"action": "approve", "comment": "…", "version": 2}`.
pub async fn act(
    st: web::Data<AppState>,
    caller: ApiCaller,
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Json<ActBody>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_id(&path)?;
    let version = match body.version {
        Some(v) => v,
        None => {
            query::task_for_admin(&st, id, &caller.0.actor, caller.role())
                .await?
                .0
                .instance
                .version
        }
    };
    let step = StepRequest {
        instance: id,
        action: body.action.trim(),
        comment: body.comment.as_deref(),
        expected_version: version,
        form: None,
        ip: Some(crate::web::ip::client_ip(&req, &st.settings)),
    };
    let inst = service::decide(&st, Scope::Admin, &caller.0.actor, step).await?;
    Ok(HttpResponse::Ok().json(task_json(&st, &inst, None)))
}
