//! `/admin/audit`: the audit trail with filters.

use super::who;
use crate::audit::AuditFilter;
use crate::state::AppState;
use crate::store::Page;
use crate::web::error::PageError;
use crate::web::guards::require_admin;
use crate::web::render::{self, Layout};
use crate::web::session::TypedSession;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::{NaiveDate, TimeZone, Utc};
use serde::Deserialize;

const PAGE_SIZE: u64 = 50;

/// Filters and page.
#[derive(Deserialize)]
pub struct AuditQuery {
    action: Option<String>,
    actor: Option<String>,
    since: Option<String>,
    until: Option<String>,
    page: Option<u64>,
}

struct Row {
    at: String,
    actor: String,
    action: String,
    subject: String,
    detail: String,
    ip: String,
}

#[derive(Template)]
#[template(path = "admin/audit.html")]
struct AuditPage {
    layout: Layout,
    rows: Vec<Row>,
    total: u64,
    page: u64,
    pages: u64,
    action: String,
    actor: String,
    since: String,
    until: String,
    query_base: String,
}

fn day(s: &Option<String>, end: bool) -> Option<chrono::DateTime<Utc>> {
    let d = NaiveDate::parse_from_str(s.as_deref()?.trim(), "%Y-%m-%d").ok()?;
    let t = if end {
        d.and_hms_opt(23, 59, 59)?
    } else {
        d.and_hms_opt(0, 0, 0)?
    };
    Utc.from_local_datetime(&t).single()
}

fn non_empty(s: &Option<String>) -> Option<String> {
    s.as_ref()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// GET.
pub async fn show(
    st: web::Data<AppState>,
    session: TypedSession,
    q: web::Query<AuditQuery>,
) -> Result<HttpResponse, PageError> {
    let admin = require_admin(&st, &session).await?;
    let filter = AuditFilter {
        action: non_empty(&q.action),
        actor: non_empty(&q.actor),
        organisation_id: None,
        since: day(&q.since, false),
        until: day(&q.until, true),
    };
    let page = q.page.unwrap_or(1).max(1);
    let (records, total) = crate::audit::list(&st.db, &filter, Page::new(page, PAGE_SIZE)).await?;
    let rows = records
        .into_iter()
        .map(|r| Row {
            at: crate::domain::clock::human_time(&r.at),
            actor: format!("{} ({})", r.actor_name, r.actor_type),
            action: r.action,
            subject: format!("{} {}", r.subject_type, r.subject_id),
            detail: if r.detail == serde_json::json!({}) {
                String::new()
            } else {
                r.detail.to_string()
            },
            ip: r.ip.unwrap_or_default(),
        })
        .collect();
    let enc = |s: &Option<String>| {
        url::form_urlencoded::byte_serialize(s.clone().unwrap_or_default().as_bytes())
            .collect::<String>()
    };
    render::ok(&AuditPage {
        layout: Layout::admin("Audit trail", &session, who(&admin))?,
        rows,
        total,
        page,
        pages: total.div_ceil(PAGE_SIZE).max(1),
        query_base: format!(
            "action={}&actor={}&since={}&until={}",
            enc(&q.action),
            enc(&q.actor),
            enc(&q.since),
            enc(&q.until)
        ),
        action: q.action.clone().unwrap_or_default(),
        actor: q.actor.clone().unwrap_or_default(),
        since: q.since.clone().unwrap_or_default(),
        until: q.until.clone().unwrap_or_default(),
    })
}
