//! `/admin/account/sessions`: where the signed-in admin is signed in, and "Sign out everywhere".

use super::who;
use crate::accounts::sessions::SessionKind;
use crate::domain::paths;
use crate::state::AppState;
use crate::web::csrf::FormPost;
use crate::web::error::PageError;
use crate::web::guards::require_admin;
use crate::web::render::{self, Layout};
use crate::web::session::TypedSession;
use actix_web::{HttpResponse, web};

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
