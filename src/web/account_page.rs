//! "Your account" (`/account`, `/admin/account`): one page that leads to the password, sessions
//! and two-step sign-in pages, so the header needs a single link.

use super::admin::who;
use super::error::PageError;
use super::guards::{require_admin, require_user};
use super::render::{self, Layout};
use super::session::TypedSession;
use crate::state::AppState;
use actix_web::{HttpResponse, web};
use askama::Template;

#[derive(Template)]
#[template(path = "account/index.html")]
struct AccountPage {
    layout: Layout,
    email: String,
    base: &'static str,
}

/// GET `/account`.
pub async fn portal(
    st: web::Data<AppState>,
    session: TypedSession,
) -> Result<HttpResponse, PageError> {
    let user = require_user(&st, &session).await?;
    render::ok(&AccountPage {
        layout: Layout::portal("Your account", &session, Some(user.email.clone()))?,
        email: user.email,
        base: "/account",
    })
}

/// GET `/admin/account`.
pub async fn admin(
    st: web::Data<AppState>,
    session: TypedSession,
) -> Result<HttpResponse, PageError> {
    let admin = require_admin(&st, &session).await?;
    render::ok(&AccountPage {
        layout: Layout::admin("Your account", &session, who(&admin))?,
        email: admin.email.clone(),
        base: "/admin/account",
    })
}
