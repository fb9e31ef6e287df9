//! Reading organisations, applications, clients and audit events, with filters and cursors.

use super::caller::ApiCaller;
use super::{ApiError, PageQuery, page_of};
use crate::admin_api::{cursor, lists};
use crate::audit::{AuditFilter, AuditRecord};
use crate::clients::{ClientStatus, Environment, Origin};
use crate::domain::{ApplicationId, ClientId, OrganisationId, OrganisationStatus};
use crate::state::AppState;
use crate::store::applications::ApplicationRecord;
use crate::store::clients::{ClientFilter, ClientRecord};
use crate::store::organisations::OrganisationRecord;
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::{Value, json};

fn parsed<T>(
    raw: Option<&str>,
    what: &str,
    parse: impl Fn(&str) -> Option<T>,
) -> Result<Option<T>, ApiError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => parse(s)
            .map(Some)
            .ok_or_else(|| ApiError::invalid(format!("unknown {what} `{s}`"))),
    }
}

fn org_json(o: &OrganisationRecord) -> Value {
    json!({
        "id": o.id.to_string(), "legal_name": o.legal_name, "status": o.status,
        "directory_org_id": o.directory_org_id,
        "created_at": o.created_at.to_rfc3339(), "updated_at": o.updated_at.to_rfc3339(),
    })
}

fn app_json(a: &ApplicationRecord) -> Value {
    json!({
        "id": a.id.to_string(), "organisation_id": a.organisation_id.to_string(),
        "name": a.name, "description": a.description, "status": a.status,
        "redirect_uris": a.redirect_uris, "scopes": a.scopes,
        "created_at": a.created_at.to_rfc3339(),
    })
}

fn client_json(c: &ClientRecord) -> Value {
    json!({
        "client_id": c.client_id.as_str(), "organisation_id": c.organisation_id.to_string(),
        "application_id": c.application_id.to_string(), "environment": c.environment,
        "origin": c.origin, "status": c.status, "auth_method": c.auth_method.as_str(),
        "created_at": c.created_at.to_rfc3339(),
    })
}

fn audit_json(r: &AuditRecord) -> Value {
    json!({
        "at": r.at.to_rfc3339(), "actor_type": r.actor_type, "actor_id": r.actor_id,
        "actor": r.actor_name, "action": r.action, "subject_type": r.subject_type,
        "subject_id": r.subject_id, "organisation_id": r.organisation_id,
        "detail": r.detail, "ip": r.ip,
    })
}

/// Organisation filters.
#[derive(Deserialize)]
pub struct OrgQuery {
    status: Option<String>,
    q: Option<String>,
    #[serde(flatten)]
    page: PageQuery,
}

/// GET `/organisations`.
pub async fn organisations(
    st: web::Data<AppState>,
    _caller: ApiCaller,
    q: web::Query<OrgQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = q.page.page()?;
    let status = parsed(q.status.as_deref(), "status", OrganisationStatus::parse)?;
    let text = q.q.as_deref().map(str::trim).filter(|t| !t.is_empty());
    let (rows, total) = crate::tpp::query::list(&st.db, status, text, page).await?;
    let items = rows.iter().map(org_json).collect();
    Ok(HttpResponse::Ok().json(page_of(items, cursor::next(page, total), total)))
}

/// GET `/organisations/{id}`.
pub async fn organisation(
    st: web::Data<AppState>,
    _caller: ApiCaller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id: OrganisationId = path.parse().map_err(|_| ApiError::not_found())?;
    let org = crate::tpp::query::get(&st.db, id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let mut v = org_json(&org);
    v["profile"] = Value::Object(org.profile.clone());
    Ok(HttpResponse::Ok().json(v))
}

/// Application filters.
#[derive(Deserialize)]
pub struct AppQuery {
    organisation_id: Option<String>,
    status: Option<String>,
    #[serde(flatten)]
    page: PageQuery,
}

/// GET `/applications`.
pub async fn applications(
    st: web::Data<AppState>,
    _caller: ApiCaller,
    q: web::Query<AppQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = q.page.page()?;
    let org = parsed(q.organisation_id.as_deref(), "organisation_id", |s| {
        s.parse().ok()
    })?;
    let (rows, total) = lists::applications(&st, org, q.status.as_deref(), page).await?;
    let items = rows.iter().map(app_json).collect();
    Ok(HttpResponse::Ok().json(page_of(items, cursor::next(page, total), total)))
}

/// GET `/applications/{id}`.
pub async fn application(
    st: web::Data<AppState>,
    _caller: ApiCaller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id: ApplicationId = path.parse().map_err(|_| ApiError::not_found())?;
    let app = crate::applications::service::get(&st.db, id)
        .await
        .map_err(|e| ApiError::internal(&e))?
        .ok_or_else(ApiError::not_found)?;
    Ok(HttpResponse::Ok().json(app_json(&app)))
}

/// Client filters.
#[derive(Deserialize)]
pub struct ClientQuery {
    environment: Option<String>,
    status: Option<String>,
    origin: Option<String>,
    organisation_id: Option<String>,
    q: Option<String>,
    #[serde(flatten)]
    page: PageQuery,
}

/// GET `/clients`.
pub async fn clients(
    st: web::Data<AppState>,
    _caller: ApiCaller,
    q: web::Query<ClientQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = q.page.page()?;
    let filter = ClientFilter {
        text: q.q.clone().filter(|t| !t.trim().is_empty()),
        origin: parsed(q.origin.as_deref(), "origin", Origin::parse)?,
        environment: parsed(q.environment.as_deref(), "environment", Environment::parse)?,
        status: parsed(q.status.as_deref(), "status", ClientStatus::parse)?,
        organisation: parsed(q.organisation_id.as_deref(), "organisation_id", |s| {
            s.parse().ok()
        })?,
    };
    let (rows, total) = crate::clients::service::search(&st.db, &filter, page).await?;
    let items = rows
        .iter()
        .map(|r| {
            let mut v = client_json(&r.client);
            v["legal_name"] = json!(r.legal_name);
            v
        })
        .collect();
    Ok(HttpResponse::Ok().json(page_of(items, cursor::next(page, total), total)))
}

/// GET `/clients/{id}`: the client, its metadata and its history.
pub async fn client(
    st: web::Data<AppState>,
    _caller: ApiCaller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = ClientId(path.into_inner());
    let c = crate::clients::service::get(&st.db, &id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let history = crate::clients::service::history(&st.db, &id).await?;
    let mut v = client_json(&c);
    v["metadata"] = c.metadata.clone();
    v["history"] = history.iter().map(audit_json).collect();
    Ok(HttpResponse::Ok().json(v))
}

/// Audit filters.
#[derive(Deserialize)]
pub struct AuditQuery {
    action: Option<String>,
    actor: Option<String>,
    organisation_id: Option<String>,
    since: Option<String>,
    until: Option<String>,
    #[serde(flatten)]
    page: PageQuery,
}

fn time(raw: Option<&str>, what: &str) -> Result<Option<chrono::DateTime<chrono::Utc>>, ApiError> {
    parsed(raw, what, |s| {
        chrono::DateTime::parse_from_rfc3339(s)
            .ok()
            .map(|t| t.with_timezone(&chrono::Utc))
    })
}

/// GET `/audit-events`: newest first.
pub async fn audit_events(
    st: web::Data<AppState>,
    _caller: ApiCaller,
    q: web::Query<AuditQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = q.page.page()?;
    let some = |s: &Option<String>| s.clone().filter(|v| !v.trim().is_empty());
    let filter = AuditFilter {
        action: some(&q.action),
        actor: some(&q.actor),
        organisation_id: some(&q.organisation_id),
        since: time(q.since.as_deref(), "since (RFC 3339)")?,
        until: time(q.until.as_deref(), "until (RFC 3339)")?,
    };
    let (rows, total) = crate::audit::list(&st.db, &filter, page).await?;
    let items = rows.iter().map(audit_json).collect();
    Ok(HttpResponse::Ok().json(page_of(items, cursor::next(page, total), total)))
}
