//! `/admin/organisations`: every TPP organisation, and one organisation's page with what it
//! submitted, its members, applications and clients, its authority evidence (every record,
//! with "Re-run checks" and a manual verification), its history, and suspend / reactivate.

use super::who;
use crate::domain::{OrganisationId, paths};
use crate::state::AppState;
use crate::store::Page;
use crate::tasks::query;
use crate::tpp::SignupError;
use crate::tpp::service::SIGNUP_WORKFLOW;
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

/// Filters.
#[derive(Deserialize)]
pub struct ListQuery {
    q: Option<String>,
    status: Option<String>,
    page: Option<u64>,
}

struct Row {
    id: String,
    legal_name: String,
    status: String,
    created: String,
}

#[derive(Template)]
#[template(path = "admin/organisations.html")]
struct ListPage {
    layout: Layout,
    rows: Vec<Row>,
    total: u64,
    q: String,
    status: String,
    page: u64,
    pages: u64,
}

/// GET `/admin/organisations`.
pub async fn list(
    st: web::Data<AppState>,
    session: TypedSession,
    q: web::Query<ListQuery>,
) -> Result<HttpResponse, PageError> {
    let admin = require_admin(&st, &session).await?;
    let text = q.q.clone().filter(|s| !s.trim().is_empty());
    let status = q.status.clone().filter(|s| !s.is_empty());
    let page = q.page.unwrap_or(1).max(1);
    let (orgs, total) = crate::tpp::query::list(
        &st.db,
        status
            .as_deref()
            .and_then(crate::domain::OrganisationStatus::parse),
        text.as_deref().map(str::trim),
        Page::new(page, PAGE_SIZE),
    )
    .await?;
    render::ok(&ListPage {
        layout: Layout::admin("Organisations", &session, who(&admin))?,
        rows: orgs
            .into_iter()
            .map(|o| Row {
                id: o.id.to_string(),
                legal_name: o.legal_name,
                status: o.status.to_string(),
                created: crate::domain::clock::human_date(&o.created_at),
            })
            .collect(),
        total,
        q: text.unwrap_or_default(),
        status: status.unwrap_or_default(),
        page,
        pages: total.div_ceil(PAGE_SIZE).max(1),
    })
}

struct ClientRow {
    client_id: String,
    environment: String,
    origin: String,
    status: String,
}

#[derive(Template)]
#[template(path = "admin/organisation.html")]
struct ShowPage {
    layout: Layout,
    id: String,
    legal_name: String,
    status: String,
    submitted: Vec<(String, String)>,
    members: Vec<(String, String)>,
    applications: Vec<(String, String, String)>,
    clients: Vec<ClientRow>,
    history: Vec<(String, String, String)>,
    /// Every authority evidence record, newest first.
    evidence: Vec<crate::web::evidence::HistoryRow>,
    can_act: bool,
}

/// GET `/admin/organisations/{id}`.
pub async fn show(
    st: web::Data<AppState>,
    session: TypedSession,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let admin = require_admin(&st, &session).await?;
    let id: OrganisationId = path.parse().map_err(|_| PageError::NotFound)?;
    let org = crate::tpp::query::get(&st.db, id)
        .await?
        .ok_or(PageError::NotFound)?;
    let submitted = st
        .workflows
        .get(SIGNUP_WORKFLOW)
        .map(|wf| query::submitted_values(wf, &org.profile))
        .unwrap_or_default();
    let members = crate::tpp::query::members(&st.db, id).await?;
    let applications = crate::applications::service::list_for_org(&st.db, id)
        .await?
        .into_iter()
        .map(|a| (a.id.to_string(), a.name, a.status.to_string()))
        .collect();
    let clients = crate::clients::service::for_organisation(&st.db, id)
        .await?
        .into_iter()
        .map(|c| ClientRow {
            client_id: c.client_id.to_string(),
            environment: c.environment.to_string(),
            origin: c.origin.to_string(),
            status: c.status.to_string(),
        })
        .collect();
    let history = crate::audit::for_subject(&st.db, "organisation", &id.to_string())
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
                format!("{} — {}", e.actor_name, e.action),
                comment,
            )
        })
        .collect();
    render::ok(&ShowPage {
        layout: Layout::admin(&org.legal_name, &session, who(&admin))?,
        id: id.to_string(),
        legal_name: org.legal_name,
        status: org.status.to_string(),
        submitted,
        members,
        applications,
        clients,
        history,
        evidence: crate::web::evidence::history(&st, id).await?,
        can_act: admin.role != crate::domain::AdminRole::Reviewer,
    })
}

/// POST `/admin/organisations/{id}/status`: `action` = `suspend` or `reactivate`, with a
/// required comment.
pub async fn set_status(
    st: web::Data<AppState>,
    session: TypedSession,
    req: HttpRequest,
    path: web::Path<String>,
    FormPost(sub): FormPost,
) -> Result<HttpResponse, PageError> {
    let admin = require_admin_role(&st, &session).await?;
    let id: OrganisationId = path.parse().map_err(|_| PageError::NotFound)?;
    let back = format!("{}/{id}", paths::ADMIN_ORGANISATIONS);
    let comment = sub.get("comment").unwrap_or_default().trim().to_string();
    if comment.is_empty() {
        session.flash(
            "error",
            "Give a reason: it is kept in the organisation's history.",
        )?;
        return Ok(render::see_other(&back));
    }
    let suspend = sub.get("action") == Some("suspend");
    let ip = Some(client_ip(&req, &st.settings));
    match crate::tpp::admin::set_suspended(&st, id, suspend, &comment, &admin_actor(&admin), ip)
        .await
    {
        Ok(n) => {
            let what = if suspend { "suspended" } else { "reactivated" };
            session.flash(
                "success",
                format!("Organisation {what}; {n} of its clients {what} with it."),
            )?;
        }
        Err(SignupError::Refused(m)) => session.flash("error", m)?,
        Err(e) => return Err(e.into()),
    }
    Ok(render::see_other(&back))
}
