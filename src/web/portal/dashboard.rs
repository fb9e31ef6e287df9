//! `/` and `/dashboard`: where the organisation stands, in words.

use crate::domain::paths;
use crate::state::AppState;
use crate::tasks::query::{self, Standing};
use crate::tpp::service::{SIGNUP_WORKFLOW, SignupStanding, signup_standing};
use crate::web::error::PageError;
use crate::web::guards::require_user;
use crate::web::render::{self, Layout};
use crate::web::session::TypedSession;
use actix_web::{HttpResponse, web};
use askama::Template;

#[derive(Template)]
#[template(path = "portal/home.html")]
struct HomePage {
    layout: Layout,
}

/// GET `/`: the welcome page, or the dashboard when signed in.
pub async fn home(session: TypedSession) -> Result<HttpResponse, PageError> {
    if session.user_id().is_some() {
        return Ok(render::see_other(paths::DASHBOARD));
    }
    render::ok(&HomePage {
        layout: Layout::portal("Open Banking developer portal", &session, None)?,
    })
}

#[derive(Template)]
#[template(path = "portal/dashboard.html")]
struct DashboardPage {
    layout: Layout,
    legal_name: String,
    org_status: String,
    standing: Option<Standing>,
    submitted: Vec<(String, String)>,
    /// The authority checks' results, in plain words.
    checks: Vec<String>,
}

/// GET `/dashboard`.
pub async fn show(
    st: web::Data<AppState>,
    session: TypedSession,
) -> Result<HttpResponse, PageError> {
    let user = require_user(&st, &session).await?;
    let SignupStanding { org, standing } = signup_standing(&st, user.organisation_id)
        .await?
        .ok_or(PageError::NotFound)?;
    let submitted = st
        .workflows
        .get(SIGNUP_WORKFLOW)
        .map(|wf| query::submitted_values(wf, &org.profile))
        .unwrap_or_default();
    render::ok(&DashboardPage {
        layout: Layout::portal("Dashboard", &session, Some(user.email.clone()))?,
        legal_name: org.legal_name.clone(),
        org_status: org.status.to_string(),
        standing,
        submitted,
        checks: crate::web::evidence::rows(&st, org.id)
            .await?
            .into_iter()
            .map(|r| r.plain)
            .collect(),
    })
}
