//! `/organisation/edit`: change the signup details and resubmit when the bank asked for more.

use crate::domain::paths;
use crate::forms::{FieldErrors, FieldView, Submission};
use crate::state::AppState;
use crate::tasks::TaskError;
use crate::tasks::service::{self, Scope, StepRequest};
use crate::tpp::service::{SIGNUP_WORKFLOW, SignupStanding, signup_standing};
use crate::web::csrf::FormPost;
use crate::web::error::PageError;
use crate::web::guards::{require_user, tpp_actor};
use crate::web::ip::client_ip;
use crate::web::render::{self, Layout};
use crate::web::session::TypedSession;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

#[derive(Template)]
#[template(path = "portal/org_edit.html")]
struct EditPage {
    layout: Layout,
    fields: Vec<FieldView>,
    errors: Vec<(String, String, String)>,
    comment: String,
    version: i32,
}

fn summary(fields: &[FieldView]) -> Vec<(String, String, String)> {
    fields
        .iter()
        .filter(|f| f.has_error())
        .map(|f| (f.id.clone(), f.label.clone(), f.error.clone()))
        .collect()
}

/// GET: the form prefilled with what was submitted, if a resubmission is possible now.
pub async fn form(
    st: web::Data<AppState>,
    session: TypedSession,
) -> Result<HttpResponse, PageError> {
    let user = require_user(&st, &session).await?;
    let standing = signup_standing(&st, user.organisation_id)
        .await?
        .and_then(|s| s.standing)
        .filter(|s| s.resubmit_action.is_some())
        .ok_or(PageError::NotFound)?;
    let wf = st
        .workflows
        .get(SIGNUP_WORKFLOW)
        .ok_or(PageError::NotFound)?;
    let fields = wf.form.view(
        &Submission::from_values(&standing.instance.data),
        &FieldErrors::new(),
    );
    render::ok(&EditPage {
        layout: Layout::portal("Update your details", &session, Some(user.email))?,
        errors: Vec::new(),
        fields,
        comment: standing.comment.unwrap_or_default(),
        version: standing.instance.version,
    })
}

/// POST: validate and resubmit.
pub async fn submit(
    st: web::Data<AppState>,
    session: TypedSession,
    req: HttpRequest,
    FormPost(sub): FormPost,
) -> Result<HttpResponse, PageError> {
    let user = require_user(&st, &session).await?;
    let SignupStanding { org, standing } = signup_standing(&st, user.organisation_id)
        .await?
        .ok_or(PageError::NotFound)?;
    let standing = standing.ok_or(PageError::NotFound)?;
    let Some(action) = standing.resubmit_action.clone() else {
        session.flash(
            "info",
            "Your details are with the bank; there is nothing to resubmit now.",
        )?;
        return Ok(render::see_other(paths::DASHBOARD));
    };
    let version = sub
        .get("version")
        .and_then(|v| v.parse().ok())
        .unwrap_or(standing.instance.version);
    let req_step = StepRequest {
        instance: standing.instance.id,
        action: &action,
        comment: None,
        expected_version: version,
        form: Some(&sub),
        ip: Some(client_ip(&req, &st.settings)),
    };
    let notice = match service::decide(
        &st,
        Scope::Organisation(org.id),
        &tpp_actor(&user),
        req_step,
    )
    .await
    {
        Ok(_) => {
            session.flash(
                "success",
                "Thank you: your details have been resubmitted to the bank.",
            )?;
            return Ok(render::see_other(paths::DASHBOARD));
        }
        Err(TaskError::Form(errors)) => {
            let wf = st
                .workflows
                .get(SIGNUP_WORKFLOW)
                .ok_or(PageError::NotFound)?;
            let fields = wf.form.view(&sub, &errors);
            return render::page(
                &EditPage {
                    layout: Layout::portal("Update your details", &session, Some(user.email))?,
                    errors: summary(&fields),
                    fields,
                    comment: standing.comment.unwrap_or_default(),
                    version,
                },
                StatusCode::UNPROCESSABLE_ENTITY,
            );
        }
        Err(e @ (TaskError::Stale { .. } | TaskError::Step(_))) => e.to_string(),
        Err(e) => return Err(e.into()),
    };
    session.flash("error", notice)?;
    Ok(render::see_other(paths::DASHBOARD))
}
