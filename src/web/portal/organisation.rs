//! Resubmitting a task's form when the bank asked for more information: `/tasks/{id}/edit`
//! for any of the organisation's tasks (production keys, …) and `/organisation/edit` for its
//! signup.

use crate::domain::{InstanceId, paths};
use crate::forms::{FieldErrors, FieldView, Submission};
use crate::state::AppState;
use crate::store::users::UserRecord;
use crate::tasks::TaskError;
use crate::tasks::query::{self, Standing};
use crate::tasks::service::{self, Scope, StepRequest};
use crate::tpp::service::signup_standing;
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
    heading: String,
    action: String,
    fields: Vec<FieldView>,
    errors: Vec<(String, String, String)>,
    comment: String,
    version: i32,
}

fn edit_path(s: &Standing) -> String {
    if s.instance.subject_type == "organisation" {
        paths::ORGANISATION_EDIT.to_string()
    } else {
        format!("/tasks/{}/edit", s.instance.id)
    }
}

fn done_path(s: &Standing) -> String {
    if s.instance.subject_type == "application" {
        paths::application(&s.instance.subject_id)
    } else {
        paths::DASHBOARD.to_string()
    }
}

fn render_edit(
    st: &AppState,
    session: &TypedSession,
    user: &UserRecord,
    s: &Standing,
    sub: &Submission,
    errors: &FieldErrors,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let wf = st
        .workflows
        .get(&s.instance.workflow)
        .ok_or(PageError::NotFound)?;
    let fields = wf.form.view(sub, errors);
    let summary = fields
        .iter()
        .filter(|f| f.has_error())
        .map(|f| (f.id.clone(), f.label.clone(), f.error.clone()))
        .collect();
    let heading = format!("{}: update your details", wf.title);
    render::page(
        &EditPage {
            layout: Layout::portal(&heading, session, Some(user.email.clone()))?,
            heading,
            action: edit_path(s),
            fields,
            errors: summary,
            comment: s.comment.clone().unwrap_or_default(),
            version: s.instance.version,
        },
        status,
    )
}

async fn show(
    st: &AppState,
    session: &TypedSession,
    user: &UserRecord,
    s: Standing,
) -> Result<HttpResponse, PageError> {
    if s.resubmit_action.is_none() {
        return Err(PageError::NotFound);
    }
    let sub = Submission::from_values(&s.instance.data);
    render_edit(
        st,
        session,
        user,
        &s,
        &sub,
        &FieldErrors::new(),
        StatusCode::OK,
    )
}

async fn submit(
    st: &AppState,
    session: &TypedSession,
    req: &HttpRequest,
    user: &UserRecord,
    s: Standing,
    sub: Submission,
) -> Result<HttpResponse, PageError> {
    let Some(action) = s.resubmit_action.clone() else {
        session.flash(
            "info",
            "This is with the bank; there is nothing to resubmit now.",
        )?;
        return Ok(render::see_other(&done_path(&s)));
    };
    let version = sub
        .get("version")
        .and_then(|v| v.parse().ok())
        .unwrap_or(s.instance.version);
    let step = StepRequest {
        instance: s.instance.id,
        action: &action,
        comment: None,
        expected_version: version,
        form: Some(&sub),
        ip: Some(client_ip(req, &st.settings)),
    };
    let notice = match service::decide(
        st,
        Scope::Organisation(user.organisation_id),
        &tpp_actor(user),
        step,
    )
    .await
    {
        Ok(_) => {
            session.flash(
                "success",
                "Thank you: your details have been resubmitted to the bank.",
            )?;
            return Ok(render::see_other(&done_path(&s)));
        }
        Err(TaskError::Form(errors)) => {
            return render_edit(
                st,
                session,
                user,
                &s,
                &sub,
                &errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            );
        }
        Err(e @ (TaskError::Stale { .. } | TaskError::Step(_))) => e.to_string(),
        Err(e) => return Err(e.into()),
    };
    session.flash("error", notice)?;
    Ok(render::see_other(&done_path(&s)))
}

async fn signup_task(st: &AppState, user: &UserRecord) -> Result<Standing, PageError> {
    signup_standing(st, user.organisation_id)
        .await?
        .and_then(|s| s.standing)
        .ok_or(PageError::NotFound)
}

async fn task(st: &AppState, user: &UserRecord, raw: &str) -> Result<Standing, PageError> {
    let id: InstanceId = raw.parse().map_err(|_| PageError::NotFound)?;
    Ok(query::standing_by_id(st, user.organisation_id, id).await?)
}

/// GET `/organisation/edit`.
pub async fn form(
    st: web::Data<AppState>,
    session: TypedSession,
) -> Result<HttpResponse, PageError> {
    let user = require_user(&st, &session).await?;
    let s = signup_task(&st, &user).await?;
    show(&st, &session, &user, s).await
}

/// POST `/organisation/edit`.
pub async fn resubmit(
    st: web::Data<AppState>,
    session: TypedSession,
    req: HttpRequest,
    FormPost(sub): FormPost,
) -> Result<HttpResponse, PageError> {
    let user = require_user(&st, &session).await?;
    let s = signup_task(&st, &user).await?;
    submit(&st, &session, &req, &user, s, sub).await
}

/// GET `/tasks/{id}/edit`.
pub async fn task_form(
    st: web::Data<AppState>,
    session: TypedSession,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let user = require_user(&st, &session).await?;
    let s = task(&st, &user, &path).await?;
    show(&st, &session, &user, s).await
}

/// POST `/tasks/{id}/edit`.
pub async fn task_resubmit(
    st: web::Data<AppState>,
    session: TypedSession,
    req: HttpRequest,
    path: web::Path<String>,
    FormPost(sub): FormPost,
) -> Result<HttpResponse, PageError> {
    let user = require_user(&st, &session).await?;
    let s = task(&st, &user, &path).await?;
    submit(&st, &session, &req, &user, s, sub).await
}
