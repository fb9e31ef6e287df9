//! Key requests and secrets: sandbox keys at once, secret (re)generation shown once,
//! revocation. The production request and change forms are in [`super::production`].

use crate::domain::{ApplicationId, ClientId, paths};
use crate::keys::KeyError;
use crate::keys::service;
use crate::state::AppState;
use crate::store::clients::ClientRecord;
use crate::web::csrf::FormPost;
use crate::web::error::PageError;
use crate::web::guards::{require_member, tpp_actor};
use crate::web::ip::client_ip;
use crate::web::portal::examples::{Example, sandbox_example};
use crate::web::render::{self, Layout};
use crate::web::session::TypedSession;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::Duration;

#[derive(Template)]
#[template(path = "portal/keys/credentials.html")]
struct CredentialsPage {
    layout: Layout,
    application: String,
    environment: String,
    client_id: String,
    secret: String,
    auth_method: String,
    example: Option<Example>,
}

fn app_id(raw: &str) -> Result<ApplicationId, PageError> {
    raw.parse().map_err(|_| PageError::NotFound)
}

fn credentials(
    st: &AppState,
    session: &TypedSession,
    email: String,
    client: &ClientRecord,
    secret: Option<String>,
) -> Result<HttpResponse, PageError> {
    let example = (client.environment == crate::clients::Environment::Sandbox)
        .then(|| sandbox_example(&st.settings, client, "", secret.as_deref()));
    render::ok(&CredentialsPage {
        layout: Layout::portal("Your credentials", session, Some(email))?,
        application: client.application_id.to_string(),
        environment: client.environment.to_string(),
        client_id: client.client_id.to_string(),
        secret: secret.unwrap_or_default(),
        auth_method: client.auth_method.to_string(),
        example,
    })
}

/// POST `/applications/{id}/sandbox-keys`.
pub async fn request_sandbox(
    st: web::Data<AppState>,
    session: TypedSession,
    path: web::Path<String>,
    FormPost(_): FormPost,
) -> Result<HttpResponse, PageError> {
    let id = app_id(&path)?;
    let (user, org) = require_member(&st, &session).await?;
    match service::request_sandbox(&st, org.id, id, &tpp_actor(&user)).await {
        Ok(issued) => match issued.client {
            Some(client) => credentials(
                &st,
                &session,
                user.email,
                &client,
                issued.secret.map(|s| s.expose().to_string()),
            ),
            None => {
                session.flash("info", "Your request for sandbox keys is with the bank.")?;
                Ok(render::see_other(&paths::application(id)))
            }
        },
        Err(KeyError::Refused(m)) => {
            session.flash("error", m)?;
            Ok(render::see_other(&paths::application(id)))
        }
        Err(e) => Err(e.into()),
    }
}

/// The longest grace period the form accepts, in minutes (24 hours).
const MAX_GRACE_MINUTES: i64 = 24 * 60;

/// Reads `grace_minutes`: empty means none; anything else must be a whole number of minutes
/// from 0 to 1440.
fn grace_minutes(raw: Option<&str>) -> Result<Duration, PageError> {
    let raw = raw.map(str::trim).unwrap_or_default();
    if raw.is_empty() {
        return Ok(Duration::zero());
    }
    match raw.parse::<i64>() {
        Ok(m) if (0..=MAX_GRACE_MINUTES).contains(&m) => Ok(Duration::minutes(m)),
        _ => Err(PageError::Invalid(format!(
            "The grace period must be a whole number of minutes from 0 to {MAX_GRACE_MINUTES}."
        ))),
    }
}

/// POST `/clients/{client_id}/secret`: make the first secret, or a new one with a grace period
/// (`grace_minutes`, at most 24 hours) for the old one.
pub async fn new_secret(
    st: web::Data<AppState>,
    session: TypedSession,
    path: web::Path<String>,
    FormPost(sub): FormPost,
) -> Result<HttpResponse, PageError> {
    let id = ClientId(path.into_inner());
    let (user, org) = require_member(&st, &session).await?;
    let grace = grace_minutes(sub.get("grace_minutes"))?;
    match service::new_secret(&st, org.id, &id, grace, &tpp_actor(&user)).await {
        Ok((client, secret)) => credentials(
            &st,
            &session,
            user.email,
            &client,
            Some(secret.expose().to_string()),
        ),
        Err(KeyError::Refused(m)) => {
            session.flash("error", m)?;
            Ok(render::see_other(paths::APPLICATIONS))
        }
        Err(e) => Err(e.into()),
    }
}

/// POST `/clients/{client_id}/revoke`.
pub async fn revoke(
    st: web::Data<AppState>,
    session: TypedSession,
    req: HttpRequest,
    path: web::Path<String>,
    FormPost(_): FormPost,
) -> Result<HttpResponse, PageError> {
    let id = ClientId(path.into_inner());
    let (user, org) = require_member(&st, &session).await?;
    let client = service::revoke(
        &st,
        org.id,
        &id,
        &tpp_actor(&user),
        Some(client_ip(&req, &st.settings)),
    )
    .await?;
    session.flash(
        "success",
        format!(
            "Client {} is revoked; its tokens stop working.",
            client.client_id
        ),
    )?;
    Ok(render::see_other(&paths::application(
        client.application_id,
    )))
}
