//! `/applications/{id}`: an application's settings, its sandbox and production keys, and where
//! its key requests stand.

use crate::applications::service::get_for_org;
use crate::clients::service as clients;
use crate::clients::settings::EnvSettings;
use crate::clients::{AuthMethod, ClientStatus, Environment, Origin};
use crate::domain::ApplicationId;
use crate::keys::service::{CHANGE_WORKFLOW, live_client, workflow_for};
use crate::state::AppState;
use crate::store::applications::ApplicationRecord;
use crate::store::clients::ClientRecord;
use crate::tasks::query::{self, Standing};
use crate::web::error::PageError;
use crate::web::guards::require_member;
use crate::web::portal::examples::{Example, sandbox_example};
use crate::web::render::{self, Layout};
use crate::web::session::TypedSession;
use actix_web::{HttpResponse, web};
use askama::Template;

/// A client as its application page shows it.
pub struct ClientView {
    /// The id.
    pub client_id: String,
    /// Status.
    pub status: String,
    /// Auth method.
    pub auth_method: String,
    /// Whether it authenticates with a secret.
    pub uses_secret: bool,
    /// Whether a secret was made.
    pub has_secret: bool,
    /// The secret's first characters.
    pub secret_hint: String,
    /// When the secret was made.
    pub secret_created: String,
    /// Until when the previous secret works, if it still does.
    pub previous_until: String,
    /// Its history, oldest first: (when, who, what).
    pub history: Vec<(String, String, String)>,
}

/// One environment's section.
pub struct EnvView {
    /// `sandbox` or `production`.
    pub env: String,
    /// Its live client.
    pub client: Option<ClientView>,
    /// Its newest key request.
    pub request: Option<Standing>,
    /// A copy-paste example: get a token, call the sandbox API (sandbox clients only).
    pub example: Option<Example>,
    /// The settings in force on a production client (what the bank approved).
    pub settings: Vec<(String, String)>,
    /// The newest production change request, when one was made.
    pub change: Option<Standing>,
    /// Whether a change request may be started now (a portal production client, none open).
    pub can_change: bool,
}

/// Settings as rows for people.
fn settings_rows(s: &EnvSettings) -> Vec<(String, String)> {
    let mut rows = vec![("Authentication".to_string(), s.auth_method.clone())];
    if let Some(u) = &s.jwks_uri {
        rows.push(("JWKS URL".into(), u.clone()));
    }
    if s.jwks.is_some() {
        rows.push(("JWKS".into(), "pasted key set".into()));
    }
    if let Some(dn) = &s.tls_subject_dn {
        rows.push(("Certificate subject DN".into(), dn.clone()));
    }
    rows.push(("Redirect URIs".into(), s.redirect_uris.join(" ")));
    rows.push(("Scopes".into(), s.scopes.join(" ")));
    rows
}

#[derive(Template)]
#[template(path = "portal/apps/show.html")]
struct ShowPage {
    layout: Layout,
    app: ApplicationRecord,
    auth_label: String,
    /// Where production clients get tokens (the mutual-TLS token endpoint).
    mtls_token: String,
    /// Whether a TLS listener is configured here.
    has_tls: bool,
    envs: Vec<EnvView>,
    /// The software_id when DCR made the application (its settings are then the software's).
    dcr_software: String,
}

async fn client_view(st: &AppState, c: &ClientRecord) -> Result<ClientView, PageError> {
    let now = st.clock.now();
    let history = clients::history(&st.db, &c.client_id)
        .await?
        .into_iter()
        .map(|e| {
            let who = if e.actor_type == "admin" {
                "The bank".to_string()
            } else {
                e.actor_name
            };
            let comment = e
                .detail
                .get("comment")
                .and_then(|c| c.as_str())
                .unwrap_or_default();
            let what = if comment.is_empty() {
                e.action
            } else {
                format!("{}: {comment}", e.action)
            };
            (crate::domain::clock::human_time(&e.at), who, what)
        })
        .collect();
    Ok(ClientView {
        client_id: c.client_id.to_string(),
        status: c.status.to_string(),
        auth_method: c.auth_method.to_string(),
        uses_secret: c.auth_method.uses_secret(),
        has_secret: c.secret_hash.is_some(),
        secret_hint: c.secret_hint.clone().unwrap_or_default(),
        secret_created: c
            .secret_created_at
            .map(|t| crate::domain::clock::human_time(&t))
            .unwrap_or_default(),
        previous_until: c
            .previous_secret_expires_at
            .filter(|t| *t > now)
            .map(|t| crate::domain::clock::human_time(&t))
            .unwrap_or_default(),
        history,
    })
}

/// GET.
pub async fn show(
    st: web::Data<AppState>,
    session: TypedSession,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let id: ApplicationId = path.parse().map_err(|_| PageError::NotFound)?;
    let (user, org) = require_member(&st, &session).await?;
    let app = get_for_org(&st.db, org.id, id).await?;
    let mut envs = Vec::new();
    let mut dcr_software = String::new();
    for env in Environment::ALL {
        let record = live_client(&st.db, app.id, *env).await?;
        if let Some(c) = record.as_ref().filter(|c| c.origin == Origin::Dcr) {
            dcr_software = c
                .metadata
                .get("software_id")
                .and_then(|v| v.as_str())
                .unwrap_or("unknown")
                .to_string();
        }
        let example = match &record {
            Some(c) if *env == Environment::Sandbox => Some(sandbox_example(
                &st.settings,
                c,
                &app.scopes.join(" "),
                None,
            )),
            _ => None,
        };
        let client = match &record {
            Some(c) => Some(client_view(&st, c).await?),
            None => None,
        };
        let request = query::standing(
            &st,
            org.id,
            workflow_for(*env),
            "application",
            &app.id.to_string(),
        )
        .await?;
        let production_portal = record
            .as_ref()
            .filter(|c| c.environment == Environment::Production && c.origin == Origin::Portal);
        let settings = production_portal
            .map(|c| settings_rows(&EnvSettings::of_metadata(&c.metadata)))
            .unwrap_or_default();
        let change = match production_portal {
            Some(_) => {
                query::standing(
                    &st,
                    org.id,
                    CHANGE_WORKFLOW,
                    "application",
                    &app.id.to_string(),
                )
                .await?
            }
            None => None,
        };
        let change_open = change
            .as_ref()
            .is_some_and(|c| matches!(c.status, "pending" | "action_required"));
        envs.push(EnvView {
            env: env.as_str().into(),
            can_change: production_portal.is_some_and(|c| c.status == ClientStatus::Active)
                && !change_open
                && st.workflows.get(CHANGE_WORKFLOW).is_some(),
            client,
            request,
            example,
            settings,
            change,
        });
    }
    if !dcr_software.is_empty() {
        envs.retain(|e| e.client.is_some());
    }
    render::ok(&ShowPage {
        layout: Layout::portal(&app.name, &session, Some(user.email))?,
        mtls_token: format!("{}/token", st.settings.mtls_base_url()),
        has_tls: st.settings.tls.is_some(),
        dcr_software,
        auth_label: AuthMethod::parse(&app.auth_method)
            .map_or(app.auth_method.clone(), |m| m.label().into()),
        app,
        envs,
    })
}
