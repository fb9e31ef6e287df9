//! Production settings in the portal: the production-keys request (settings proposed there,
//! prefilled from the sandbox's, with a method production refuses explained before anything is
//! typed) and the production change request (settings in force prefilled; the live client keeps
//! them until the bank approves).

use super::apps::{definition, fields, settings_specs, submission_from};
use crate::applications::service::get_for_org;
use crate::clients::policy::{self, method_allowed};
use crate::clients::service::sandbox_settings;
use crate::clients::{Environment, Scope};
use crate::domain::{ApplicationId, paths};
use crate::forms::{FieldErrors, FieldView, Submission};
use crate::keys::KeyError;
use crate::keys::service::{self, CHANGE_WORKFLOW, PRODUCTION_WORKFLOW};
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
#[template(path = "portal/keys/production.html")]
struct ProductionPage {
    layout: Layout,
    app_id: String,
    heading: String,
    action: String,
    button: String,
    intro: String,
    /// Said before the form: why the prefilled settings need a change, or why the request
    /// cannot be made at all (then `blocked`).
    notice: String,
    blocked: bool,
    settings_fields: Vec<FieldView>,
    form_fields: Vec<FieldView>,
    errors: Vec<(String, String, String)>,
}

/// Which of the two forms.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Keys,
    Change,
}

fn app_id(raw: &str) -> Result<ApplicationId, PageError> {
    raw.parse().map_err(|_| PageError::NotFound)
}

/// `sub`: what to show in the fields (`None`: prefill from the settings in force).
async fn page(
    st: &AppState,
    session: &TypedSession,
    id: ApplicationId,
    kind: Kind,
    sub: Option<&Submission>,
    errors: &FieldErrors,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let (user, org) = require_member(st, session).await?;
    let app = get_for_org(&st.db, org.id, id).await?;
    let wf_name = if kind == Kind::Keys {
        PRODUCTION_WORKFLOW
    } else {
        CHANGE_WORKFLOW
    };
    let wf = st.workflows.get(wf_name).ok_or(PageError::NotFound)?;
    let mut notice = String::new();
    let mut blocked = false;
    let prefill = match kind {
        Kind::Keys => {
            if let Err(KeyError::Refused(m)) =
                service::check_request(st, &st.db, org.id, id, Environment::Production).await
            {
                notice = m;
                blocked = true;
            }
            let sandbox = sandbox_settings(&app);
            let mut input = sandbox.input(&app.name);
            if let Some(m) = sandbox.method()
                && let Err(e) = method_allowed(&st.settings.keys, Environment::Production, m)
                && !blocked
            {
                notice = format!(
                    "Your sandbox client uses {}. {e} Choose one of them below, with its keys or certificate subject; your sandbox keys stay as they are.",
                    m.as_str()
                );
                input.auth_method.clear();
            }
            input
        }
        Kind::Change => match service::production_settings(st, org.id, id).await {
            Ok((_, _, current)) => {
                if service::request_open(st, &st.db, CHANGE_WORKFLOW, id).await? {
                    notice = "A change to the production settings is already with the bank.".into();
                    blocked = true;
                }
                current.input(&app.name)
            }
            Err(KeyError::Refused(m)) => {
                notice = m;
                blocked = true;
                Default::default()
            }
            Err(e) => return Err(e.into()),
        },
    };
    let shown = match sub {
        Some(s) => s.clone(),
        None => submission_from(&prefill),
    };
    let roles: Option<Vec<Scope>> = policy::org_roles(&org);
    let settings_def = definition(&settings_specs(st, Environment::Production, roles));
    let (settings_fields, mut summary) = fields(&settings_def, &shown, errors);
    let (form_fields, more) = fields(&wf.form, &shown, errors);
    summary.extend(more);
    let (heading, action, button) = match kind {
        Kind::Keys => (
            "Request production keys",
            paths::production_keys(id),
            "Request production keys",
        ),
        Kind::Change => (
            "Change production settings",
            paths::production_settings(id),
            "Propose the change",
        ),
    };
    render::page(
        &ProductionPage {
            layout: Layout::portal(heading, session, Some(user.email))?,
            app_id: id.to_string(),
            heading: heading.into(),
            action,
            button: button.into(),
            intro: wf.description.clone(),
            notice,
            blocked,
            settings_fields,
            form_fields,
            errors: summary,
        },
        status,
    )
}

async fn submit(
    st: &AppState,
    session: &TypedSession,
    id: ApplicationId,
    kind: Kind,
    sub: Submission,
) -> Result<HttpResponse, PageError> {
    let (user, org) = require_member(st, session).await?;
    let actor = tpp_actor(&user);
    let result = match kind {
        Kind::Keys => service::request_production(st, org.id, id, &actor, &sub).await,
        Kind::Change => service::request_production_change(st, org.id, id, &actor, &sub).await,
    };
    match result {
        Ok(()) => {
            let msg = match kind {
                Kind::Keys => {
                    "Your request for production keys is with the bank. We will email you when it is decided."
                }
                Kind::Change => {
                    "Your change is with the bank. Your production client keeps its current settings until the change is approved."
                }
            };
            session.flash("success", msg)?;
            Ok(render::see_other(&paths::application(id)))
        }
        Err(KeyError::Invalid(errors)) => {
            page(
                st,
                session,
                id,
                kind,
                Some(&sub),
                &errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(KeyError::Refused(m)) => {
            // Keep what was typed: the page says why, above the form.
            let mut errors = FieldErrors::new();
            errors.insert("auth_method".into(), m);
            page(
                st,
                session,
                id,
                kind,
                Some(&sub),
                &errors,
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// GET `/applications/{id}/production-keys`.
pub async fn keys_form(
    st: web::Data<AppState>,
    session: TypedSession,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let id = app_id(&path)?;
    page(
        &st,
        &session,
        id,
        Kind::Keys,
        None,
        &FieldErrors::new(),
        StatusCode::OK,
    )
    .await
}

/// POST `/applications/{id}/production-keys`.
pub async fn request_keys(
    st: web::Data<AppState>,
    session: TypedSession,
    path: web::Path<String>,
    FormPost(sub): FormPost,
) -> Result<HttpResponse, PageError> {
    submit(&st, &session, app_id(&path)?, Kind::Keys, sub).await
}

/// GET `/applications/{id}/production-settings`.
pub async fn change_form(
    st: web::Data<AppState>,
    session: TypedSession,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let id = app_id(&path)?;
    page(
        &st,
        &session,
        id,
        Kind::Change,
        None,
        &FieldErrors::new(),
        StatusCode::OK,
    )
    .await
}

/// POST `/applications/{id}/production-settings`.
pub async fn request_change(
    st: web::Data<AppState>,
    session: TypedSession,
    path: web::Path<String>,
    FormPost(sub): FormPost,
) -> Result<HttpResponse, PageError> {
    submit(&st, &session, app_id(&path)?, Kind::Change, sub).await
}
