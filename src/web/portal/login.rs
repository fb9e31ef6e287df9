//! `/login` and `/logout` for TPP users.

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
#[template(path = "portal/login.html")]
struct LoginPage {
    layout: Layout,
    email: String,
    error: String,
    unverified: bool,
}

/// GET: the sign-in form (or the dashboard when already signed in).
pub async fn form(session: TypedSession) -> Result<HttpResponse, PageError> {
    if session.user_id().is_some() {
        return Ok(render::see_other(paths::DASHBOARD));
    }
    render::ok(&LoginPage {
        layout: Layout::portal("Sign in", &session, None)?,
        email: String::new(),
        error: String::new(),
        unverified: false,
    })
}

/// POST: check the password, with throttling; renew the session on success.
pub async fn submit(
    st: web::Data<AppState>,
    session: TypedSession,
    req: HttpRequest,
    FormPost(sub): FormPost,
) -> Result<HttpResponse, PageError> {
    let email = sub.get("email").unwrap_or_default().trim().to_string();
    let ip = client_ip(&req, &st.settings);
    match accounts::login_portal(&st, &email, sub.get("password").unwrap_or_default(), &ip).await {
        Ok(user) => {
            let actor = crate::web::guards::tpp_actor(&user);
            crate::web::two_step::after_password(&st, &session, &actor).await
        }
        Err(
            e @ (AccountError::InvalidCredentials
            | AccountError::Throttled { .. }
            | AccountError::EmailNotVerified),
        ) => {
            let status = match e {
                AccountError::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            let unverified = matches!(e, AccountError::EmailNotVerified);
            render::page(
                &LoginPage {
                    layout: Layout::portal("Sign in", &session, None)?,
                    email,
                    error: e.to_string(),
                    unverified,
                },
                status,
            )
        }
        Err(e) => Err(e.into()),
    }
}

/// POST: sign out.
pub async fn logout(
    st: web::Data<AppState>,
    session: TypedSession,
    FormPost(_): FormPost,
) -> Result<HttpResponse, PageError> {
    session.sign_out_user(&st).await?;
    session.flash("info", "You have signed out.")?;
    Ok(render::see_other(paths::LOGIN))
}
