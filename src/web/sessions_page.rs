//! "Your sessions": the open sessions of the signed-in person (portal or console), with "Sign
//! out everywhere". One page type for both doors.

use super::error::PageError;
use super::render::{self, Layout};
use super::session::TypedSession;
use crate::accounts::sessions::{self, SessionKind};
use crate::state::AppState;
use actix_web::HttpResponse;
use askama::Template;

/// One row of the table.
pub struct Row {
    signed_in: String,
    last_seen: String,
    ip: String,
    browser: String,
    current: bool,
}

#[derive(Template)]
#[template(path = "account/sessions.html")]
struct SessionsPage {
    layout: Layout,
    rows: Vec<Row>,
    end_all: &'static str,
}

/// Renders the page for the person `subject_id` at door `kind`.
pub async fn show(
    st: &AppState,
    session: &TypedSession,
    kind: SessionKind,
    subject_id: &str,
    layout: Layout,
    end_all: &'static str,
) -> Result<HttpResponse, PageError> {
    let current = session.session_id(kind);
    let rows = sessions::list(st, kind, subject_id)
        .await?
        .into_iter()
        .map(|r| Row {
            signed_in: crate::domain::clock::human_time(&r.created_at),
            last_seen: crate::domain::clock::human_time(&r.last_seen_at),
            ip: r.ip.unwrap_or_default(),
            browser: r.user_agent.unwrap_or_default(),
            current: current.as_deref() == Some(r.id.as_str()),
        })
        .collect();
    render::ok(&SessionsPage {
        layout,
        rows,
        end_all,
    })
}

/// Ends every session of the person, this one included.
pub async fn end_all(st: &AppState, kind: SessionKind, subject_id: &str) -> Result<u64, PageError> {
    Ok(sessions::end_all(st, kind, subject_id, None).await?)
}
