//! `/signup`: the configured signup form plus the account's email and password.

use super::own_field;
use crate::domain::paths;
use crate::forms::{FieldErrors, FieldView, Submission};
use crate::state::AppState;
use crate::tpp::{SignupError, service};
use crate::web::csrf::FormPost;
use crate::web::error::PageError;
use crate::web::ip::client_ip;
use crate::web::render::{self, Layout};
use crate::web::session::TypedSession;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

#[derive(Template)]
#[template(path = "portal/signup.html")]
struct SignupPage {
    layout: Layout,
    fields: Vec<FieldView>,
    account: Vec<FieldView>,
    errors: Vec<(String, String, String)>,
    notice: String,
}

fn page(
    st: &AppState,
    session: &TypedSession,
    sub: &Submission,
    errors: &FieldErrors,
    notice: &str,
) -> Result<SignupPage, PageError> {
    let wf = st
        .workflows
        .get(service::SIGNUP_WORKFLOW)
        .ok_or(PageError::NotFound)?;
    let fields = wf.form.view(sub, errors);
    let account = vec![
        own_field(
            "email",
            "Email address",
            "email",
            sub,
            errors,
            "We send a link to this address to verify it. You sign in with it.",
            "email",
        ),
        own_field(
            "password",
            "Password",
            "password",
            sub,
            errors,
            "At least 12 characters. Avoid common passwords and your email address.",
            "new-password",
        ),
        own_field(
            "password_confirm",
            "Confirm password",
            "password",
            sub,
            errors,
            "",
            "new-password",
        ),
    ];
    let summary = fields
        .iter()
        .chain(account.iter())
        .filter(|f| f.has_error())
        .map(|f| (f.id.clone(), f.label.clone(), f.error.clone()))
        .collect();
    Ok(SignupPage {
        layout: Layout::portal("Sign up", session, None)?,
        fields,
        account,
        errors: summary,
        notice: notice.into(),
    })
}

/// GET: the empty form.
pub async fn form(
    st: web::Data<AppState>,
    session: TypedSession,
) -> Result<HttpResponse, PageError> {
    render::ok(&page(
        &st,
        &session,
        &Submission::default(),
        &FieldErrors::new(),
        "",
    )?)
}

/// POST: validate, create the account, mail the link; or show the form again with messages.
pub async fn submit(
    st: web::Data<AppState>,
    session: TypedSession,
    req: HttpRequest,
    FormPost(sub): FormPost,
) -> Result<HttpResponse, PageError> {
    let ip = client_ip(&req, &st.settings);
    match service::signup(&st, &sub, &ip).await {
        Ok(()) => Ok(render::see_other(paths::SIGNUP_DONE)),
        Err(SignupError::Invalid(errors)) => render::page(
            &page(&st, &session, &sub, &errors, "")?,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(e @ SignupError::Throttled) => render::page(
            &page(&st, &session, &sub, &FieldErrors::new(), &e.to_string())?,
            StatusCode::TOO_MANY_REQUESTS,
        ),
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "portal/signup_done.html")]
struct DonePage {
    layout: Layout,
}

/// GET: "check your email".
pub async fn done(session: TypedSession) -> Result<HttpResponse, PageError> {
    render::ok(&DonePage {
        layout: Layout::portal("Check your email", &session, None)?,
    })
}
