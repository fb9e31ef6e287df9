//! `/admin`: tasks waiting for an admin, oldest first, paged, filterable by workflow and state.

use super::who;
use crate::state::AppState;
use crate::store::Page;
use crate::tasks::query;
use crate::web::error::PageError;
use crate::web::guards::require_admin;
use crate::web::render::{self, Layout};
use crate::web::session::TypedSession;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

const PAGE_SIZE: u64 = 25;

/// Filters and page.
#[derive(Deserialize)]
pub struct InboxQuery {
    workflow: Option<String>,
    state: Option<String>,
    page: Option<u64>,
}

/// A row of the inbox.
struct Row {
    id: String,
    legal_name: String,
    workflow_title: String,
    state_label: String,
    waiting_since: String,
}

#[derive(Template)]
#[template(path = "admin/inbox.html")]
struct InboxPage {
    layout: Layout,
    rows: Vec<Row>,
    total: u64,
    page: u64,
    pages: u64,
    workflow: String,
    state: String,
    workflows: Vec<(String, String)>,
    states: Vec<(String, Vec<(String, String)>)>,
    query_base: String,
}

/// GET.
pub async fn show(
    st: web::Data<AppState>,
    session: TypedSession,
    q: web::Query<InboxQuery>,
) -> Result<HttpResponse, PageError> {
    let admin = require_admin(&st, &session).await?;
    let workflow = q.workflow.clone().filter(|s| !s.is_empty());
    let state = q.state.clone().filter(|s| !s.is_empty());
    let page = q.page.unwrap_or(1).max(1);
    let inbox = query::inbox(
        &st,
        workflow.clone(),
        state.clone(),
        Page::new(page, PAGE_SIZE),
    )
    .await?;
    let rows = inbox
        .rows
        .into_iter()
        .map(|r| {
            let wf = st.workflows.get(&r.instance.workflow);
            Row {
                id: r.instance.id.to_string(),
                legal_name: r.legal_name,
                workflow_title: wf.map_or(r.instance.workflow.clone(), |w| w.title.clone()),
                state_label: wf
                    .and_then(|w| w.state(&r.instance.state))
                    .map_or(r.instance.state.clone(), |s| s.label.clone()),
                waiting_since: crate::domain::clock::human_time(&r.instance.updated_at),
            }
        })
        .collect();
    let workflows = st
        .workflows
        .all()
        .map(|w| (w.name.clone(), w.title.clone()))
        .collect();
    // The states admins act in, grouped by workflow.
    let states: Vec<(String, Vec<(String, String)>)> = st
        .workflows
        .all()
        .filter(|w| workflow.as_ref().is_none_or(|f| *f == w.name))
        .map(|w| {
            let group = w
                .admin_waiting_states()
                .into_iter()
                .map(|s| {
                    let label = w.state(&s).map_or(s.clone(), |x| x.label.clone());
                    (s, label)
                })
                .collect::<Vec<_>>();
            (w.title.clone(), group)
        })
        .filter(|(_, g)| !g.is_empty())
        .collect();
    let query_base = format!(
        "workflow={}&state={}",
        url::form_urlencoded::byte_serialize(workflow.clone().unwrap_or_default().as_bytes())
            .collect::<String>(),
        url::form_urlencoded::byte_serialize(state.clone().unwrap_or_default().as_bytes())
            .collect::<String>()
    );
    render::ok(&InboxPage {
        layout: Layout::admin("Tasks", &session, who(&admin))?,
        rows,
        total: inbox.total,
        page,
        pages: inbox.total.div_ceil(PAGE_SIZE).max(1),
        workflow: workflow.unwrap_or_default(),
        state: state.unwrap_or_default(),
        workflows,
        states,
        query_base,
    })
}
