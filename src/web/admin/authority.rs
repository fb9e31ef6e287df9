//! POST `/admin/tasks/{id}/authority`: from a task page's "Authority checks" panel, run the
//! checks again ("Re-run checks") or record a manual verification with a comment.

use crate::state::AppState;
use crate::tasks::query;
use crate::web::csrf::FormPost;
use crate::web::error::PageError;
use crate::web::guards::{admin_actor, require_admin};
use crate::web::render;
use crate::web::session::TypedSession;
use actix_web::{HttpResponse, web};

/// POST: `what` = `recheck` or `manual` (with `comment`).
pub async fn act(
    st: web::Data<AppState>,
    session: TypedSession,
    path: web::Path<String>,
    FormPost(sub): FormPost,
) -> Result<HttpResponse, PageError> {
    let admin = require_admin(&st, &session).await?;
    let id = path.parse().map_err(|_| PageError::NotFound)?;
    let actor = admin_actor(&admin);
    let (detail, _) = query::task_for_admin(&st, id, &actor, admin.role).await?;
    let org = &detail.organisation;
    let comment = sub.get("comment").unwrap_or_default().trim().to_string();
    let done = match sub.get("what").unwrap_or_default() {
        "recheck" => {
            crate::authority::service::check_organisation(&st.db, &st, org, Some(id)).await?;
            ("success", "The authority checks ran again.".to_string())
        }
        "manual" if !comment.is_empty() => {
            crate::authority::service::record_manual(&st, org, Some(id), &actor, &comment).await?;
            (
                "success",
                "Your verification is recorded as evidence.".to_string(),
            )
        }
        "manual" => (
            "error",
            "Say how you verified the firm in the comment.".to_string(),
        ),
        _ => return Err(PageError::NotFound),
    };
    session.flash(done.0, done.1)?;
    Ok(render::see_other(&format!(
        "{}#authority-checks",
        crate::domain::paths::admin_task(id)
    )))
}
