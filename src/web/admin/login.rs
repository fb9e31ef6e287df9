//! `/admin/login` and `/admin/logout`.

use crate::accounts::{AccountError, service as accounts};
use crate::domain::paths;
use crate::state::AppState;
use crate::web::csrf::FormPost;
use crate::web::error::PageError;
use crate::web::ip::client_ip;
use crate::web::render::{self, Layout};
use crate::web::session::TypedSession;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

#[derive(Template)]
#[template(path = "admin/login.html")]
struct LoginPage {
    layout: Layout,
    email: String,
    error: String,
}

/// GET: the console's sign-in form.
pub async fn form(session: TypedSession) -> Result<HttpResponse, PageError> {
    if session.admin_id().is_some() {
        return Ok(render::see_other(paths::ADMIN));
    }
    render::ok(&LoginPage {
        layout: Layout::admin("Admin sign in", &session, None)?,
        email: String::new(),
        error: String::new(),
    })
}

/// POST: check the password, with throttling.
pub async fn submit(
    st: web::Data<AppState>,
    session: TypedSession,
    req: HttpRequest,
    FormPost(sub): FormPost,
) -> Result<HttpResponse, PageError> {
    let email = sub.get("email").unwrap_or_default().trim().to_string();
    let ip = client_ip(&req, &st.settings);
    match accounts::login_admin(&st, &email, sub.get("password").unwrap_or_default(), &ip).await {
        Ok(a) => {
            let actor = crate::web::guards::admin_actor(&a);
            crate::web::two_step::after_password(&st, &session, &actor).await
        }
        Err(e @ (AccountError::InvalidCredentials | AccountError::Throttled { .. })) => {
            let status = if matches!(e, AccountError::Throttled { .. }) {
                StatusCode::TOO_MANY_REQUESTS
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            render::page(
                &LoginPage {
                    layout: Layout::admin("Admin sign in", &session, None)?,
                    email,
                    error: e.to_string(),
                },
                status,
            )
        }
        Err(e) => Err(e.into()),
    }
}

/// POST: sign out of the console.
pub async fn logout(
    st: web::Data<AppState>,
    session: TypedSession,
    FormPost(_): FormPost,
) -> Result<HttpResponse, PageError> {
    session.sign_out_admin(&st).await?;
    session.flash("info", "You have signed out of the console.")?;
    Ok(render::see_other(paths::ADMIN_LOGIN))
}
