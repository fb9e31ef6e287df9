//! `/admin/clients`: every client across organisations (portal and DCR alike), with search, and
//! one client's page with its metadata, history and suspend / reactivate / revoke.

use super::who;
use crate::clients::service::{self as clients, StatusChange};
use crate::clients::{ClientError, ClientStatus, Environment, Origin};
use crate::domain::{ClientId, paths};
use crate::state::AppState;
use crate::store::Page;
use crate::store::clients::ClientFilter;
use crate::web::csrf::FormPost;
use crate::web::error::PageError;
use crate::web::guards::{admin_actor, require_admin, require_admin_role};
use crate::web::ip::client_ip;
use crate::web::render::{self, Layout};
use crate::web::session::TypedSession;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

const PAGE_SIZE: u64 = 50;

/// Search fields.
#[derive(Deserialize)]
pub struct ListQuery {
    q: Option<String>,
    origin: Option<String>,
    environment: Option<String>,
    status: Option<String>,
    page: Option<u64>,
}

struct Row {
    client_id: String,
    legal_name: String,
    environment: String,
    origin: String,
    status: String,
    created: String,
}

#[derive(Template)]
#[template(path = "admin/clients.html")]
struct ListPage {
    layout: Layout,
    rows: Vec<Row>,
    total: u64,
    q: String,
    origin: String,
    environment: String,
    status: String,
    page: u64,
    pages: u64,
    query_base: String,
}

fn some(s: &Option<String>) -> Option<String> {
    s.as_ref()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// GET `/admin/clients`.
pub async fn list(
    st: web::Data<AppState>,
    session: TypedSession,
    q: web::Query<ListQuery>,
) -> Result<HttpResponse, PageError> {
    let admin = require_admin(&st, &session).await?;
    let origin = some(&q.origin);
    let environment = some(&q.environment);
    let status = some(&q.status);
    let filter = ClientFilter {
        text: some(&q.q),
        origin: origin.as_deref().and_then(Origin::parse),
        environment: environment.as_deref().and_then(Environment::parse),
        status: status.as_deref().and_then(ClientStatus::parse),
        organisation: None,
    };
    let page = q.page.unwrap_or(1).max(1);
    let (rows, total) = clients::search(&st.db, &filter, Page::new(page, PAGE_SIZE)).await?;
    let enc = |s: &Option<String>| {
        url::form_urlencoded::byte_serialize(s.clone().unwrap_or_default().as_bytes())
            .collect::<String>()
    };
    render::ok(&ListPage {
        layout: Layout::admin("Clients", &session, who(&admin))?,
        rows: rows
            .into_iter()
            .map(|r| Row {
                client_id: r.client.client_id.to_string(),
                legal_name: r.legal_name,
                environment: r.client.environment.as_str().into(),
                origin: r.client.origin.as_str().into(),
                status: r.client.status.as_str().into(),
                created: crate::domain::clock::human_date(&r.client.created_at),
            })
            .collect(),
        total,
        query_base: format!(
            "q={}&origin={}&environment={}&status={}",
            enc(&filter.text),
            enc(&origin),
            enc(&environment),
            enc(&status)
        ),
        q: filter.text.unwrap_or_default(),
        origin: origin.unwrap_or_default(),
        environment: environment.unwrap_or_default(),
        status: status.unwrap_or_default(),
        page,
        pages: total.div_ceil(PAGE_SIZE).max(1),
    })
}

#[derive(Template)]
#[template(path = "admin/client.html")]
struct ShowPage {
    layout: Layout,
    client_id: String,
    organisation_id: String,
    legal_name: String,
    application: String,
    environment: String,
    origin: String,
    status: String,
    auth_method: String,
    metadata: String,
    history: Vec<(String, String, String, String)>,
    can_act: bool,
}

/// GET `/admin/clients/{id}`.
pub async fn show(
    st: web::Data<AppState>,
    session: TypedSession,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let admin = require_admin(&st, &session).await?;
    let id = ClientId(path.into_inner());
    let (c, org, app) = clients::with_owner(&st.db, &id)
        .await?
        .ok_or(PageError::NotFound)?;
    let history = clients::history(&st.db, &id)
        .await?
        .into_iter()
        .map(|e| {
            let comment = e
                .detail
                .get("comment")
                .and_then(|c| c.as_str())
                .unwrap_or_default()
                .to_string();
            (
                crate::domain::clock::human_time(&e.at),
                e.actor_name,
                e.action,
                comment,
            )
        })
        .collect();
    render::ok(&ShowPage {
        layout: Layout::admin(&format!("Client {id}"), &session, who(&admin))?,
        client_id: id.to_string(),
        organisation_id: c.organisation_id.to_string(),
        legal_name: org.map(|o| o.legal_name).unwrap_or_default(),
        application: app.map(|a| a.name).unwrap_or_default(),
        environment: c.environment.to_string(),
        origin: c.origin.to_string(),
        status: c.status.to_string(),
        auth_method: c.auth_method.to_string(),
        metadata: serde_json::to_string_pretty(&c.metadata).unwrap_or_default(),
        history,
        can_act: admin.role != crate::domain::AdminRole::Reviewer,
    })
}

/// POST `/admin/clients/{id}/status`: `action` = `suspend`, `reactivate` or `revoke`, with a
/// required comment.
pub async fn set_status(
    st: web::Data<AppState>,
    session: TypedSession,
    req: HttpRequest,
    path: web::Path<String>,
    FormPost(sub): FormPost,
) -> Result<HttpResponse, PageError> {
    let admin = require_admin_role(&st, &session).await?;
    let id = ClientId(path.into_inner());
    let back = format!("{}/{id}", paths::ADMIN_CLIENTS);
    let comment = sub.get("comment").unwrap_or_default().trim().to_string();
    let to = match sub.get("action") {
        Some("suspend") => ClientStatus::Suspended,
        Some("reactivate") => ClientStatus::Active,
        Some("revoke") => ClientStatus::Revoked,
        _ => return Err(PageError::NotFound),
    };
    if comment.is_empty() {
        session.flash(
            "error",
            "Give a reason: it is kept in the client's history.",
        )?;
        return Ok(render::see_other(&back));
    }
    let change = StatusChange {
        to,
        comment: &comment,
        ip: Some(client_ip(&req, &st.settings)),
    };
    match clients::change_status_now(&st, &id, change, &admin_actor(&admin)).await {
        Ok(_) => session.flash("success", format!("The client is now {}.", to.as_str()))?,
        Err(e @ (ClientError::NotApplicable(_) | ClientError::Revoked)) => {
            session.flash("error", e.to_string())?
        }
        Err(e) => return Err(e.into()),
    }
    Ok(render::see_other(&back))
}
