//! `/applications`: the organisation's applications and their keys at a glance.

use crate::clients::{ClientStatus, Environment};
use crate::state::AppState;
use crate::web::error::PageError;
use crate::web::guards::require_member;
use crate::web::render::{self, Layout};
use crate::web::session::TypedSession;
use actix_web::{HttpResponse, web};
use askama::Template;

struct Row {
    id: String,
    name: String,
    status: String,
    sandbox: String,
    production: String,
}

#[derive(Template)]
#[template(path = "portal/apps/list.html")]
struct ListPage {
    layout: Layout,
    rows: Vec<Row>,
    org_active: bool,
}

/// GET.
pub async fn show(
    st: web::Data<AppState>,
    session: TypedSession,
) -> Result<HttpResponse, PageError> {
    let (user, org) = require_member(&st, &session).await?;
    let mut rows = Vec::new();
    for app in crate::applications::service::list_for_org(&st.db, org.id).await? {
        let clients = crate::clients::service::for_application(&st.db, app.id).await?;
        let status_in = |env: Environment| {
            clients
                .iter()
                .find(|c| c.environment == env && c.status != ClientStatus::Revoked)
                .map_or_else(|| "none".to_string(), |c| c.status.to_string())
        };
        rows.push(Row {
            id: app.id.to_string(),
            name: app.name.clone(),
            status: app.status.to_string(),
            sandbox: status_in(Environment::Sandbox),
            production: status_in(Environment::Production),
        });
    }
    render::ok(&ListPage {
        layout: Layout::portal("Applications", &session, Some(user.email))?,
        rows,
        org_active: org.status == crate::domain::OrganisationStatus::Active,
    })
}
