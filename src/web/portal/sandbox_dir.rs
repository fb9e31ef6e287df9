//! `/sandbox-directory`: an approved organisation makes sandbox software statements and test
//! transport certificates, to try DCR before it has a directory account.

use crate::forms::Submission;
use crate::sandbox_directory::SandboxError;
use crate::sandbox_directory::software::{self, NewSoftware};
use crate::state::AppState;
use crate::store::organisations::OrganisationRecord;
use crate::store::sandbox_software::SandboxSoftwareRecord;
use crate::web::csrf::FormPost;
use crate::web::error::PageError;
use crate::web::guards::{require_member, tpp_actor};
use crate::web::render::{self, Layout};
use crate::web::session::TypedSession;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use secrecy::ExposeSecret;

/// A line of the software list.
struct Row {
    id: String,
    name: String,
    created: String,
    retired: bool,
}

#[derive(Template)]
#[template(path = "portal/sandbox_dir/list.html")]
struct ListPage {
    layout: Layout,
    enabled: bool,
    approved: bool,
    rows: Vec<Row>,
    roles: Vec<(String, bool)>,
    client_name: String,
    redirect_uris: String,
    csr: String,
    signing_key: String,
    error_field: String,
    error: String,
    ca_url: String,
}

#[derive(Template)]
#[template(path = "portal/sandbox_dir/show.html")]
struct ShowPage {
    layout: Layout,
    sw: SandboxSoftwareRecord,
    retired: bool,
    jwks_url: String,
    ca_url: String,
    register_url: String,
    token_url: String,
    subject_dn: String,
    ssa: String,
    example: String,
    signing_key_pem: String,
    transport_key_pem: String,
    refused: String,
}

fn row(s: &SandboxSoftwareRecord) -> Row {
    Row {
        id: s.software_id.clone(),
        name: s.client_name.clone(),
        created: crate::domain::clock::human_time(&s.created_at),
        retired: s.retired_at.is_some(),
    }
}

fn ca_url(st: &AppState) -> String {
    format!("{}/sandbox-directory/ca.pem", st.settings.base_url())
}

async fn list_page(
    st: &AppState,
    session: &TypedSession,
    input: &NewSoftware,
    error: Option<(&str, String)>,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let (user, org) = require_member(st, session).await?;
    let rows = software::list(st, &org).await?.iter().map(row).collect();
    let roles = software::allowed_roles(&org)
        .into_iter()
        .map(|r| {
            let on = input.roles.contains(&r);
            (r, on)
        })
        .collect();
    let (error_field, error) = error.map(|(f, m)| (f.to_string(), m)).unwrap_or_default();
    render::page(
        &ListPage {
            layout: Layout::portal("Sandbox directory", session, Some(user.email))?,
            enabled: st.sandbox_directory.is_some(),
            approved: org.status == crate::domain::OrganisationStatus::Active,
            rows,
            roles,
            client_name: input.client_name.clone(),
            redirect_uris: input.redirect_uris.clone(),
            csr: input.csr.clone(),
            signing_key: input.signing_key.clone(),
            error_field,
            error,
            ca_url: ca_url(st),
        },
        status,
    )
}

/// GET `/sandbox-directory`.
pub async fn list(
    st: web::Data<AppState>,
    session: TypedSession,
) -> Result<HttpResponse, PageError> {
    list_page(&st, &session, &NewSoftware::default(), None, StatusCode::OK).await
}

fn input_of(form: &Submission) -> NewSoftware {
    let text = |k: &str| form.get(k).unwrap_or_default().to_string();
    NewSoftware {
        client_name: text("client_name"),
        redirect_uris: text("redirect_uris"),
        roles: form.all("roles").into_iter().map(str::to_string).collect(),
        csr: text("csr"),
        signing_key: text("signing_key"),
    }
}

/// POST `/sandbox-directory`: makes the software and shows it, with any generated private keys
/// this once.
pub async fn create(
    st: web::Data<AppState>,
    session: TypedSession,
    FormPost(form): FormPost,
) -> Result<HttpResponse, PageError> {
    let (user, org) = require_member(&st, &session).await?;
    let input = input_of(&form);
    match software::create(&st, &org, &tpp_actor(&user), &input).await {
        Ok(created) => {
            let keys = created.generated.map(|g| {
                (
                    g.signing_key_pem.expose_secret().to_string(),
                    g.transport_key_pem.expose_secret().to_string(),
                )
            });
            show_page(&st, &session, user.email, &org, created.software, keys)
        }
        Err(SandboxError::Invalid(field, msg)) => {
            list_page(
                &st,
                &session,
                &input,
                Some((field, msg)),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(SandboxError::Refused(msg)) => {
            list_page(
                &st,
                &session,
                &input,
                Some(("", msg)),
                StatusCode::FORBIDDEN,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

fn show_page(
    st: &AppState,
    session: &TypedSession,
    email: String,
    org: &OrganisationRecord,
    sw: SandboxSoftwareRecord,
    keys: Option<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let (ssa, example, refused) = match software::statement(st, org, &sw) {
        Ok(ssa) => {
            let example = software::request_example(st, org, &sw, &ssa);
            (
                ssa,
                serde_json::to_string_pretty(&example).unwrap_or_default(),
                String::new(),
            )
        }
        Err(SandboxError::Refused(m)) => (String::new(), String::new(), m),
        Err(e) => return Err(e.into()),
    };
    let (signing_key_pem, transport_key_pem) = keys.unwrap_or_default();
    let base = st.settings.mtls_base_url();
    render::ok(&ShowPage {
        layout: Layout::portal(&sw.client_name, session, Some(email))?,
        retired: sw.retired_at.is_some(),
        jwks_url: software::jwks_url(st, &sw.software_id),
        ca_url: ca_url(st),
        register_url: format!("{base}/register"),
        token_url: format!("{base}/token"),
        subject_dn: software::subject_dn(org, &sw),
        ssa,
        example,
        signing_key_pem,
        transport_key_pem,
        refused,
        sw,
    })
}

/// GET `/sandbox-directory/software/{id}`: the software, a fresh statement and an example
/// registration request.
pub async fn show(
    st: web::Data<AppState>,
    session: TypedSession,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let (user, org) = require_member(&st, &session).await?;
    let sw = software::get(&st, &org, &path).await?;
    show_page(&st, &session, user.email, &org, sw, None)
}

/// POST `/sandbox-directory/software/{id}/retire`.
pub async fn retire(
    st: web::Data<AppState>,
    session: TypedSession,
    path: web::Path<String>,
    FormPost(_): FormPost,
) -> Result<HttpResponse, PageError> {
    let (user, org) = require_member(&st, &session).await?;
    software::retire(&st, &org, &tpp_actor(&user), &path).await?;
    session.flash(
        "info",
        "The software is retired: its keys are no longer published, so it can no longer register.",
    )?;
    Ok(render::see_other("/sandbox-directory"))
}
