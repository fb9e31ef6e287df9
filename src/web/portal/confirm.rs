//! Confirmation pages before destructive actions (deleting an application, revoking keys): what
//! will happen, a red button that does it, and a way back. No JavaScript needed.

use crate::applications::service as applications;
use crate::domain::{ApplicationId, ClientId, paths};
use crate::keys::service as keys;
use crate::state::AppState;
use crate::web::error::PageError;
use crate::web::guards::require_member;
use crate::web::render::{self, Layout};
use crate::web::session::TypedSession;
use actix_web::{HttpResponse, web};
use askama::Template;

#[derive(Template)]
#[template(path = "portal/confirm.html")]
struct ConfirmPage {
    layout: Layout,
    heading: String,
    consequences: Vec<String>,
    action: String,
    button: &'static str,
    cancel: String,
}

/// GET `/applications/{id}/delete`.
pub async fn delete_application(
    st: web::Data<AppState>,
    session: TypedSession,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let id: ApplicationId = path.parse().map_err(|_| PageError::NotFound)?;
    let (user, org) = require_member(&st, &session).await?;
    let app = applications::get_for_org(&st.db, org.id, id).await?;
    let heading = format!("Delete the application “{}”?", app.name);
    render::ok(&ConfirmPage {
        layout: Layout::portal(&heading, &session, Some(user.email))?,
        heading,
        consequences: vec![
            "Its sandbox and production keys are revoked at once: tokens issued to them stop \
             working, and your software can no longer get new ones."
                .into(),
            "Requests for keys that are still waiting are withdrawn.".into(),
        ],
        action: format!("/applications/{id}/delete"),
        button: "Delete application",
        cancel: paths::application(id),
    })
}

/// GET `/clients/{client_id}/revoke`.
pub async fn revoke_client(
    st: web::Data<AppState>,
    session: TypedSession,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let id = ClientId(path.into_inner());
    let (user, org) = require_member(&st, &session).await?;
    let client = keys::client_for_org(&st.db, org.id, &id).await?;
    let heading = format!(
        "Revoke the {} keys {}?",
        client.environment, client.client_id
    );
    render::ok(&ConfirmPage {
        layout: Layout::portal(&heading, &session, Some(user.email))?,
        heading,
        consequences: vec![
            "The client stops working at once: its tokens are refused and it cannot get new \
             ones."
                .into(),
            "The application stays; you can ask for new keys for it afterwards.".into(),
        ],
        action: format!("/clients/{id}/revoke"),
        button: "Revoke keys",
        cancel: paths::application(client.application_id),
    })
}
