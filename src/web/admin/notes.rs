//! `POST /admin/tasks/{id}/note`: an internal note on a task, for admins only.

use super::task::parse_id;
use crate::domain::paths;
use crate::state::AppState;
use crate::tasks::{TaskError, notes};
use crate::web::csrf::FormPost;
use crate::web::error::PageError;
use crate::web::guards::{admin_actor, require_admin};
use crate::web::render;
use crate::web::session::TypedSession;
use actix_web::{HttpResponse, web};

/// POST: adds the note, back to the task.
pub async fn add(
    st: web::Data<AppState>,
    session: TypedSession,
    path: web::Path<String>,
    FormPost(sub): FormPost,
) -> Result<HttpResponse, PageError> {
    let admin = require_admin(&st, &session).await?;
    let id = parse_id(&path)?;
    let text = sub.get("note").unwrap_or_default();
    match notes::add(&st, &admin_actor(&admin), id, text).await {
        Ok(()) => session.flash("success", "Note added. The TPP does not see it.")?,
        Err(TaskError::Refused(m)) => session.flash("error", m)?,
        Err(e) => return Err(e.into()),
    }
    Ok(render::see_other(&paths::admin_task(id)))
}
