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
    subject_link: String,
    detail: Vec<(String, String)>,
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
            subject_link: subject_link(&r.subject_type, &r.subject_id),
            subject: format!("{} {}", r.subject_type, short(&r.subject_id)),
            detail: readable(&r.detail),
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

/// The console page of an audit subject, when it has one.
fn subject_link(kind: &str, id: &str) -> String {
    match kind {
        "task" => format!("/admin/tasks/{id}"),
        "organisation" => format!("/admin/organisations/{id}"),
        "client" => format!("/admin/clients/{id}"),
        _ => String::new(),
    }
}

/// An id short enough for a table cell (its first 8 characters); the link holds all of it.
fn short(id: &str) -> String {
    match id.char_indices().nth(8) {
        Some((i, _)) => format!("{}…", &id[..i]),
        None => id.to_string(),
    }
}

/// The detail as `key: value` pairs, one per item; a `{"from": .., "to": ..}` pair or an
/// `old`/`new` pair reads as a change, `old → new`.
fn readable(detail: &serde_json::Value) -> Vec<(String, String)> {
    use serde_json::Value;
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        Value::Null => "—".into(),
        other => other.to_string(),
    };
    let Value::Object(map) = detail else {
        return if detail.is_null() {
            Vec::new()
        } else {
            vec![(String::new(), text(detail))]
        };
    };
    map.iter()
        .map(|(k, v)| {
            let shown = match v {
                Value::Object(o) if o.contains_key("old") && o.contains_key("new") => {
                    format!("{} → {}", text(&o["old"]), text(&o["new"]))
                }
                Value::Object(o) if o.contains_key("from") && o.contains_key("to") => {
                    format!("{} → {}", text(&o["from"]), text(&o["to"]))
                }
                other => text(other),
            };
            (k.replace('_', " "), shown)
        })
        .collect()
}
