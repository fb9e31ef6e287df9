//! `/admin/account/sessions` and `/admin/account/password`: where the signed-in admin is signed
//! in, "Sign out everywhere", and a password change.

use super::who;
use crate::accounts::sessions::SessionKind;
use crate::accounts::{AccountError, service as accounts};
use crate::domain::paths;
use crate::state::AppState;
use crate::web::csrf::FormPost;
use crate::web::error::PageError;
use crate::web::guards::require_admin;
use crate::web::ip::client_ip;
use crate::web::render::{self, Layout};
use crate::web::session::TypedSession;
use actix_web::HttpRequest;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

/// GET: the admin's open sessions.
pub async fn sessions(
    st: web::Data<AppState>,
    session: TypedSession,
) -> Result<HttpResponse, PageError> {
    let admin = require_admin(&st, &session).await?;
    let layout = Layout::admin("Your sessions", &session, who(&admin))?;
    crate::web::sessions_page::show(
        &st,
        &session,
        SessionKind::Admin,
        &admin.id.to_string(),
        layout,
        paths::ADMIN_SESSIONS_END,
    )
    .await
}

/// POST: end every session of the admin, this one included.
pub async fn end_all(
    st: web::Data<AppState>,
    session: TypedSession,
    FormPost(_): FormPost,
) -> Result<HttpResponse, PageError> {
    let admin = require_admin(&st, &session).await?;
    crate::web::sessions_page::end_all(&st, SessionKind::Admin, &admin.id.to_string()).await?;
    session.sign_out_admin(&st).await?;
    session.flash("info", "You have signed out everywhere.")?;
    Ok(render::see_other(paths::ADMIN_LOGIN))
}

#[derive(Template)]
#[template(path = "admin/password.html")]
struct PasswordPage {
    layout: Layout,
    error: String,
}

/// GET `/admin/account/password`.
pub async fn password_form(
    st: web::Data<AppState>,
    session: TypedSession,
) -> Result<HttpResponse, PageError> {
    let admin = require_admin(&st, &session).await?;
    render::ok(&PasswordPage {
        layout: Layout::admin("Change your password", &session, who(&admin))?,
        error: String::new(),
    })
}

/// POST `/admin/account/password`.
pub async fn change_password(
    st: web::Data<AppState>,
    session: TypedSession,
    req: HttpRequest,
    FormPost(sub): FormPost,
) -> Result<HttpResponse, PageError> {
    let admin = require_admin(&st, &session).await?;
    let new = sub.get("password").unwrap_or_default();
    let error = if sub.get("password_confirm").is_some_and(|c| c != new) {
        "The two new passwords do not match.".to_string()
    } else {
        let ip = client_ip(&req, &st.settings);
        let current = sub.get("current_password").unwrap_or_default();
        let this = session.session_id(SessionKind::Admin);
        match accounts::change_admin_password(&st, &admin, current, new, &ip, this.as_deref()).await
        {
            Ok(()) => {
                session.flash("success", "Your password has been changed.")?;
                return Ok(render::see_other(paths::ADMIN));
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
        &PasswordPage {
            layout: Layout::admin("Change your password", &session, who(&admin))?,
            error,
        },
        StatusCode::UNPROCESSABLE_ENTITY,
    )
}
