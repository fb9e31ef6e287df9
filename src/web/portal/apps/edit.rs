//! Creating, editing and deleting an application.

use super::{fields, form_definition, input_from, submission_from};
use crate::applications::ApplicationError;
use crate::applications::service;
use crate::domain::{ApplicationId, paths};
use crate::forms::{FieldErrors, FieldView, Submission};
use crate::state::AppState;
use crate::web::csrf::FormPost;
use crate::web::error::PageError;
use crate::web::guards::{require_member, tpp_actor};
use crate::web::render::{self, Layout};
use crate::web::session::TypedSession;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

#[derive(Template)]
#[template(path = "portal/apps/form.html")]
struct FormPage {
    layout: Layout,
    heading: String,
    action: String,
    button: String,
    fields: Vec<FieldView>,
    errors: Vec<(String, String, String)>,
    notice: String,
}

fn parse(raw: &str) -> Result<ApplicationId, PageError> {
    raw.parse().map_err(|_| PageError::NotFound)
}

async fn page(
    st: &AppState,
    session: &TypedSession,
    id: Option<ApplicationId>,
    sub: &Submission,
    errors: &FieldErrors,
    notice: String,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let (user, org) = require_member(st, session).await?;
    let def = form_definition(st, &org);
    let (fields, summary) = fields(&def, sub, errors);
    let (heading, action, button) = match id {
        None => (
            "Create an application".to_string(),
            "/applications/new".to_string(),
            "Create application",
        ),
        Some(id) => (
            "Edit the application".into(),
            format!("{}/edit", paths::application(id)),
            "Save changes",
        ),
    };
    render::page(
        &FormPage {
            layout: Layout::portal(&heading, session, Some(user.email))?,
            heading,
            action,
            button: button.into(),
            fields,
            errors: summary,
            notice,
        },
        status,
    )
}

/// GET `/applications/new`.
pub async fn new_form(
    st: web::Data<AppState>,
    session: TypedSession,
) -> Result<HttpResponse, PageError> {
    page(
        &st,
        &session,
        None,
        &Submission::default(),
        &FieldErrors::new(),
        String::new(),
        StatusCode::OK,
    )
    .await
}

/// POST `/applications/new`.
pub async fn create(
    st: web::Data<AppState>,
    session: TypedSession,
    FormPost(sub): FormPost,
) -> Result<HttpResponse, PageError> {
    let (user, org) = require_member(&st, &session).await?;
    match service::create(&st, org.id, &tpp_actor(&user), &input_from(&sub)).await {
        Ok(app) => {
            session.flash("success", format!("Application “{}” created.", app.name))?;
            Ok(render::see_other(&paths::application(app.id)))
        }
        Err(ApplicationError::Invalid(errors)) => {
            page(
                &st,
                &session,
                None,
                &sub,
                &errors,
                String::new(),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(ApplicationError::Refused(m)) => {
            page(
                &st,
                &session,
                None,
                &sub,
                &FieldErrors::new(),
                m,
                StatusCode::FORBIDDEN,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// GET `/applications/{id}/edit`.
pub async fn edit_form(
    st: web::Data<AppState>,
    session: TypedSession,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let id = parse(&path)?;
    let (_, org) = require_member(&st, &session).await?;
    let app = service::get_for_org(&st.db, org.id, id).await?;
    let sub = submission_from(&service::input_of(&app));
    page(
        &st,
        &session,
        Some(id),
        &sub,
        &FieldErrors::new(),
        String::new(),
        StatusCode::OK,
    )
    .await
}

/// POST `/applications/{id}/edit`.
pub async fn update(
    st: web::Data<AppState>,
    session: TypedSession,
    path: web::Path<String>,
    FormPost(sub): FormPost,
) -> Result<HttpResponse, PageError> {
    let id = parse(&path)?;
    let (user, org) = require_member(&st, &session).await?;
    match service::update(&st, org.id, id, &tpp_actor(&user), &input_from(&sub)).await {
        Ok(app) => {
            session.flash("success", "Changes saved.")?;
            Ok(render::see_other(&paths::application(app.id)))
        }
        Err(ApplicationError::Invalid(errors)) => {
            page(
                &st,
                &session,
                Some(id),
                &sub,
                &errors,
                String::new(),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(ApplicationError::Refused(m)) => {
            page(
                &st,
                &session,
                Some(id),
                &sub,
                &FieldErrors::new(),
                m,
                StatusCode::FORBIDDEN,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// POST `/applications/{id}/delete`.
pub async fn delete(
    st: web::Data<AppState>,
    session: TypedSession,
    path: web::Path<String>,
    FormPost(_): FormPost,
) -> Result<HttpResponse, PageError> {
    let id = parse(&path)?;
    let (user, org) = require_member(&st, &session).await?;
    service::delete(&st, org.id, id, &tpp_actor(&user)).await?;
    session.flash(
        "success",
        "The application was deleted and its keys revoked.",
    )?;
    Ok(render::see_other(paths::APPLICATIONS))
}
