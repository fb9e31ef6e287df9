//! `/password/forgot` and `/password/reset`.

use crate::accounts::{AccountError, service as accounts};
use crate::domain::paths;
use crate::state::AppState;
use crate::web::csrf::FormPost;
use crate::web::error::PageError;
use crate::web::render::{self, Layout};
use crate::web::session::TypedSession;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "portal/forgot.html")]
struct ForgotPage {
    layout: Layout,
}

/// GET: ask for a reset link.
pub async fn forgot_form(session: TypedSession) -> Result<HttpResponse, PageError> {
    render::ok(&ForgotPage {
        layout: Layout::portal("Reset your password", &session, None)?,
    })
}

/// POST: mail a link (same answer whatever the address).
pub async fn forgot(
    st: web::Data<AppState>,
    session: TypedSession,
    FormPost(sub): FormPost,
) -> Result<HttpResponse, PageError> {
    accounts::request_password_reset(&st, sub.get("email").unwrap_or_default()).await?;
    session.flash("info", "If that address has an account, we have sent it a link to reset the password. The link works for one hour.")?;
    Ok(render::see_other(paths::LOGIN))
}

/// The link's query.
#[derive(Deserialize)]
pub struct TokenQuery {
    token: Option<String>,
}

#[derive(Template)]
#[template(path = "portal/reset.html")]
struct ResetPage {
    layout: Layout,
    token: String,
    valid: bool,
    error: String,
}

/// GET: the new-password form, or why the link no longer works.
pub async fn reset_form(
    st: web::Data<AppState>,
    session: TypedSession,
    q: web::Query<TokenQuery>,
) -> Result<HttpResponse, PageError> {
    let token = q.token.clone().unwrap_or_default();
    let valid = accounts::reset_link_valid(&st, &token).await?;
    let page = ResetPage {
        layout: Layout::portal("Choose a new password", &session, None)?,
        token,
        valid,
        error: if valid {
            String::new()
        } else {
            AccountError::BadLink.to_string()
        },
    };
    render::page(
        &page,
        if valid {
            StatusCode::OK
        } else {
            StatusCode::BAD_REQUEST
        },
    )
}

/// POST: set the new password.
pub async fn reset(
    st: web::Data<AppState>,
    session: TypedSession,
    FormPost(sub): FormPost,
) -> Result<HttpResponse, PageError> {
    let token = sub.get("token").unwrap_or_default().to_string();
    let password = sub.get("password").unwrap_or_default();
    let error = if sub.get("password_confirm").is_some_and(|c| c != password) {
        Some("The two passwords do not match.".to_string())
    } else {
        match accounts::reset_password(&st, &token, password).await {
            Ok(()) => None,
            Err(e @ (AccountError::WeakPassword(_) | AccountError::BadLink)) => Some(e.to_string()),
            Err(e) => return Err(e.into()),
        }
    };
    match error {
        None => {
            session.flash(
                "success",
                "Your password has been changed. Sign in with the new one.",
            )?;
            Ok(render::see_other(paths::LOGIN))
        }
        Some(error) => {
            let valid = accounts::reset_link_valid(&st, &token).await?;
            let page = ResetPage {
                layout: Layout::portal("Choose a new password", &session, None)?,
                token,
                valid,
                error,
            };
            render::page(&page, StatusCode::UNPROCESSABLE_ENTITY)
        }
    }
}
