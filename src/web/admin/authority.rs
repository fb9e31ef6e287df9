//! POST `/admin/tasks/{id}/authority` and `/admin/organisations/{id}/authority`: from a task
//! page's "Authority checks" panel or the organisation page's "Authority evidence", run the
//! checks again ("Re-run checks") or record a manual verification with a comment. Both go
//! through the same authority service; from a task, the evidence also names the task.

use crate::domain::{InstanceId, OrganisationId, paths};
use crate::state::AppState;
use crate::store::organisations::OrganisationRecord;
use crate::tasks::query;
use crate::web::csrf::FormPost;
use crate::web::error::PageError;
use crate::web::guards::{admin_actor, require_admin};
use crate::web::render;
use crate::web::session::TypedSession;
use actix_web::{HttpResponse, web};

/// Runs what the form asks (`what` = `recheck` or `manual` with `comment`) and flashes the
/// outcome.
async fn run(
    st: &AppState,
    session: &TypedSession,
    org: &OrganisationRecord,
    instance: Option<InstanceId>,
    actor: &crate::domain::Actor,
    sub: &crate::forms::Submission,
) -> Result<(), PageError> {
    let comment = sub.get("comment").unwrap_or_default().trim().to_string();
    let done = match sub.get("what").unwrap_or_default() {
        "recheck" => {
            crate::authority::service::check_organisation(&st.db, st, org, instance).await?;
            ("success", "The authority checks ran again.".to_string())
        }
        "manual" if !comment.is_empty() => {
            crate::authority::service::record_manual(st, org, instance, actor, &comment).await?;
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
    Ok(())
}

/// POST from a task page.
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
    run(&st, &session, &detail.organisation, Some(id), &actor, &sub).await?;
    Ok(render::see_other(&format!(
        "{}#authority-checks",
        paths::admin_task(id)
    )))
}

/// POST from an organisation page.
pub async fn act_on_organisation(
    st: web::Data<AppState>,
    session: TypedSession,
    path: web::Path<String>,
    FormPost(sub): FormPost,
) -> Result<HttpResponse, PageError> {
    let admin = require_admin(&st, &session).await?;
    let id: OrganisationId = path.parse().map_err(|_| PageError::NotFound)?;
    let org = crate::tpp::query::get(&st.db, id)
        .await?
        .ok_or(PageError::NotFound)?;
    run(&st, &session, &org, None, &admin_actor(&admin), &sub).await?;
    Ok(render::see_other(&format!(
        "{}/{id}#authority-evidence",
        paths::ADMIN_ORGANISATIONS
    )))
}
