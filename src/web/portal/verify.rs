//! `/verify` (the emailed link) and `/verify/resend`.

use crate::domain::paths;
use crate::state::AppState;
use crate::tpp::{SignupError, service};
use crate::web::csrf::FormPost;
use crate::web::error::PageError;
use crate::web::render::{self, Layout};
use crate::web::session::TypedSession;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

/// The link's query.
#[derive(Deserialize)]
pub struct TokenQuery {
    token: Option<String>,
}

#[derive(Template)]
#[template(path = "portal/verified.html")]
struct VerifiedPage {
    layout: Layout,
    ok: bool,
    message: String,
}

/// GET: consume the link, verify the address, start the signup workflow.
pub async fn verify(
    st: web::Data<AppState>,
    session: TypedSession,
    q: web::Query<TokenQuery>,
) -> Result<HttpResponse, PageError> {
    let token = q.token.clone().unwrap_or_default();
    match service::verify_email(&st, &token).await {
        Ok(_) => render::ok(&VerifiedPage {
            layout: Layout::portal("Email verified", &session, None)?,
            ok: true,
            message: "Your email address is verified and your signup has gone to the bank for review. Sign in to follow it.".into(),
        }),
        Err(e @ SignupError::BadLink) => render::page(
            &VerifiedPage { layout: Layout::portal("Link not valid", &session, None)?, ok: false, message: e.to_string() },
            StatusCode::BAD_REQUEST,
        ),
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "portal/resend.html")]
struct ResendPage {
    layout: Layout,
    email: String,
}

/// GET: ask for a new link.
pub async fn resend_form(session: TypedSession) -> Result<HttpResponse, PageError> {
    render::ok(&ResendPage {
        layout: Layout::portal("New verification link", &session, None)?,
        email: String::new(),
    })
}

/// POST: send a new link (same answer whatever the address).
pub async fn resend(
    st: web::Data<AppState>,
    session: TypedSession,
    FormPost(sub): FormPost,
) -> Result<HttpResponse, PageError> {
    service::resend_verification(&st, sub.get("email").unwrap_or_default()).await?;
    session.flash(
        "info",
        "If that address has an account waiting for verification, we have sent it a new link.",
    )?;
    Ok(render::see_other(paths::LOGIN))
}
