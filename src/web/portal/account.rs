//! `/account/password` and `/account/sessions`: a signed-in portal user changes their
//! password, sees where they are signed in and signs out everywhere.

use crate::accounts::sessions::SessionKind;
use crate::accounts::{AccountError, service as accounts};
use crate::domain::paths;
use crate::state::AppState;
use crate::web::csrf::FormPost;
use crate::web::error::PageError;
use crate::web::guards::require_user;
use crate::web::ip::client_ip;
use crate::web::render::{self, Layout};
use crate::web::session::TypedSession;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

#[derive(Template)]
#[template(path = "portal/password_change.html")]
struct ChangePage {
    layout: Layout,
    error: String,
}

/// GET: the form.
pub async fn password_form(
    st: web::Data<AppState>,
    session: TypedSession,
) -> Result<HttpResponse, PageError> {
    let user = require_user(&st, &session).await?;
    render::ok(&ChangePage {
        layout: Layout::portal("Change your password", &session, Some(user.email))?,
        error: String::new(),
    })
}

/// POST: check the current password, set the new one.
pub async fn change_password(
    st: web::Data<AppState>,
    session: TypedSession,
    req: HttpRequest,
    FormPost(sub): FormPost,
) -> Result<HttpResponse, PageError> {
    let user = require_user(&st, &session).await?;
    let new = sub.get("password").unwrap_or_default();
    let error = if sub.get("password_confirm").is_some_and(|c| c != new) {
        "The two new passwords do not match.".to_string()
    } else {
        let ip = client_ip(&req, &st.settings);
        let current = sub.get("current_password").unwrap_or_default();
        let this = session.session_id(SessionKind::Portal);
        match accounts::change_password(&st, user.id, current, new, &ip, this.as_deref()).await {
            Ok(()) => {
                session.flash("success", "Your password has been changed.")?;
                return Ok(render::see_other(paths::DASHBOARD));
            }
            Err(
                e @ (AccountError::WrongPassword
                | AccountError::WeakPassword(_)
                | AccountError::Throttled { .. }),
            ) => e.to_string(),
            Err(e) => return Err(e.into()),
        }
    };
    render::page(
        &ChangePage {
            layout: Layout::portal("Change your password", &session, Some(user.email))?,
            error,
        },
        StatusCode::UNPROCESSABLE_ENTITY,
    )
}

/// GET `/account/sessions`.
pub async fn sessions(
    st: web::Data<AppState>,
    session: TypedSession,
) -> Result<HttpResponse, PageError> {
    let user = require_user(&st, &session).await?;
    let layout = Layout::portal("Your sessions", &session, Some(user.email))?;
    crate::web::sessions_page::show(
        &st,
        &session,
        SessionKind::Portal,
        &user.id.to_string(),
        layout,
        paths::ACCOUNT_SESSIONS_END,
    )
    .await
}

/// POST `/account/sessions/end-all`: "Sign out everywhere", this browser included.
pub async fn end_all(
    st: web::Data<AppState>,
    session: TypedSession,
    FormPost(_): FormPost,
) -> Result<HttpResponse, PageError> {
    let user = require_user(&st, &session).await?;
    crate::web::sessions_page::end_all(&st, SessionKind::Portal, &user.id.to_string()).await?;
    session.sign_out_user(&st).await?;
    session.flash("info", "You have signed out everywhere.")?;
    Ok(render::see_other(paths::LOGIN))
}
