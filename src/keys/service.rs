//! Requesting keys and managing client secrets from the portal.

use super::KeyError;
use crate::applications::service::{get_for_org, spec_of};
use crate::clients::service::{self as clients, StatusChange};
use crate::clients::validate::problems_for;
use crate::clients::{AuthMethod, ClientError, ClientStatus, Environment, Scope};
use crate::domain::{Actor, ApplicationId, ClientId, OrganisationId, PlainToken};
use crate::email::outbox::{self, Queued};
use crate::forms::{FieldErrors, Submission};
use crate::state::AppState;
use crate::store::applications::ApplicationRecord;
use crate::store::clients::ClientRecord;
use crate::store::organisations::OrganisationRecord;
use crate::store::{self, ConnectionTrait, DatabaseTransaction};
use crate::tasks::service::Subject;
use chrono::Duration;

/// Workflow run for sandbox keys.
pub const SANDBOX_WORKFLOW: &str = "sandbox-keys";
/// Workflow run for production keys.
pub const PRODUCTION_WORKFLOW: &str = "production-keys";

/// The workflow that governs keys for `env`.
pub fn workflow_for(env: Environment) -> &'static str {
    match env {
        Environment::Sandbox => SANDBOX_WORKFLOW,
        Environment::Production => PRODUCTION_WORKFLOW,
    }
}

/// What a key request produced.
pub struct Issued {
    /// The client, when the workflow issued it at once.
    pub client: Option<ClientRecord>,
    /// Its secret, to show once (secret-based methods only).
    pub secret: Option<PlainToken>,
}

/// The application's live (not revoked) client in `env`, if any.
pub async fn live_client(
    c: &impl ConnectionTrait,
    app: ApplicationId,
    env: Environment,
) -> Result<Option<ClientRecord>, KeyError> {
    Ok(store::clients::for_application(c, app)
        .await?
        .into_iter()
        .find(|cl| cl.environment == env.as_str() && cl.status != ClientStatus::Revoked.as_str()))
}

/// Checks that no client exists and no request is open for `env`.
async fn check_can_request(
    st: &AppState,
    c: &impl ConnectionTrait,
    app: ApplicationId,
    env: Environment,
) -> Result<(), KeyError> {
    if live_client(c, app, env).await?.is_some() {
        return Err(KeyError::Refused(format!(
            "This application already has {env} keys. Revoke them first to ask for new ones."
        )));
    }
    let wf_name = workflow_for(env);
    if let Some(inst) =
        store::workflows::latest_for_subject(c, wf_name, "application", &app.to_string()).await?
    {
        let open = st
            .workflows
            .get(wf_name)
            .and_then(|wf| wf.state(&inst.state))
            .is_some_and(|s| !s.terminal);
        if open {
            return Err(KeyError::Refused(format!(
                "A request for {env} keys is already with the bank."
            )));
        }
    }
    Ok(())
}

/// The SQLite write gate held with a transaction.
type Gate = Option<tokio::sync::OwnedMutexGuard<()>>;

/// Opens the transaction of a key request: the application is the organisation's and approved,
/// the organisation is active, the application's settings suit `env`, and it has neither keys
/// nor an open request there.
async fn open_request(
    st: &AppState,
    org: OrganisationId,
    app_id: ApplicationId,
    env: Environment,
) -> Result<
    (
        DatabaseTransaction,
        Gate,
        ApplicationRecord,
        OrganisationRecord,
    ),
    KeyError,
> {
    let (tx, gate) = st.begin().await?;
    let app = get_for_org(&tx, org, app_id).await?;
    let org_rec = store::organisations::get(&tx, org)
        .await?
        .ok_or(KeyError::NotFound)?;
    if org_rec.status != "active" {
        return Err(KeyError::Refused(format!(
            "Your organisation is {}: keys cannot be requested.",
            org_rec.status
        )));
    }
    if app.status != "active" {
        return Err(KeyError::Refused(
            "This application is not approved yet.".into(),
        ));
    }
    if crate::applications::service::registered_by_dcr(&tx, app.id).await? {
        return Err(KeyError::Refused(
            crate::applications::service::DCR_MANAGED.into(),
        ));
    }
    let problems = problems_for(&spec_of(&app), env, &st.settings.keys.methods(env));
    if let Some(p) = problems.into_iter().next() {
        return Err(KeyError::Refused(p));
    }
    check_can_request(st, &tx, app.id, env).await?;
    Ok((tx, gate, app, org_rec))
}

/// Asks for sandbox keys: the `sandbox-keys` workflow normally approves at once, and the client
/// (with its secret, for secret-based methods) comes back to be shown once.
pub async fn request_sandbox(
    st: &AppState,
    org: OrganisationId,
    app_id: ApplicationId,
    actor: &Actor,
) -> Result<Issued, KeyError> {
    let wf = st
        .workflows
        .get(SANDBOX_WORKFLOW)
        .ok_or_else(|| KeyError::Refused("The bank has not configured sandbox keys.".into()))?;
    let (tx, gate, app, org_rec) = open_request(st, org, app_id, Environment::Sandbox).await?;
    let mut queued = Queued::default();
    crate::tasks::service::start(
        &tx,
        st,
        wf,
        Subject {
            kind: "application",
            id: app.id.to_string(),
        },
        &org_rec,
        serde_json::Map::new(),
        actor,
        &mut queued,
    )
    .await?;
    let client = live_client(&tx, app.id, Environment::Sandbox).await?;
    let secret = match &client {
        Some(cl) if AuthMethod::parse(&cl.auth_method).is_some_and(AuthMethod::uses_secret) => {
            Some(clients::new_secret(&tx, cl, Duration::zero(), actor, st.clock.now()).await?)
        }
        _ => None,
    };
    tx.commit().await?;
    drop(gate);
    st.clients_changed();
    outbox::deliver(&st.db, &st.mailer, &st.clock, &queued.0).await;
    Ok(Issued { client, secret })
}

/// Asks for production keys with the `production-keys` workflow's form. Nothing is issued until
/// the bank approves.
pub async fn request_production(
    st: &AppState,
    org: OrganisationId,
    app_id: ApplicationId,
    actor: &Actor,
    form: &Submission,
) -> Result<(), KeyError> {
    let wf = st
        .workflows
        .get(PRODUCTION_WORKFLOW)
        .ok_or_else(|| KeyError::Refused("The bank has not configured production keys.".into()))?;
    let (tx, gate, app, org_rec) = open_request(st, org, app_id, Environment::Production).await?;
    let values = wf.form.validate(form).map_err(KeyError::Invalid)?;
    // Roles declared on this form (the light pattern asks for them here) must cover the
    // application's scopes.
    if let Some(roles) = values.get("roles").and_then(|r| r.as_array()) {
        let granted: Vec<Scope> = roles
            .iter()
            .filter_map(|r| r.as_str())
            .filter_map(Scope::for_role)
            .collect();
        if let Some(missing) = app
            .scopes
            .iter()
            .filter_map(|s| Scope::parse(s))
            .find(|s| !granted.contains(s))
        {
            let mut errors = FieldErrors::new();
            errors.insert(
                "roles".into(),
                format!(
                    "The application uses the “{}” scope, which needs the {} role.",
                    missing.as_str(),
                    missing.role()
                ),
            );
            return Err(KeyError::Invalid(errors));
        }
    }
    let mut queued = Queued::default();
    crate::tasks::service::start(
        &tx,
        st,
        wf,
        Subject {
            kind: "application",
            id: app.id.to_string(),
        },
        &org_rec,
        values,
        actor,
        &mut queued,
    )
    .await?;
    tx.commit().await?;
    drop(gate);
    st.clients_changed();
    outbox::deliver(&st.db, &st.mailer, &st.clock, &queued.0).await;
    Ok(())
}

/// One client of an organisation; another organisation's is "not found".
pub async fn client_for_org(
    c: &impl ConnectionTrait,
    org: OrganisationId,
    id: &ClientId,
) -> Result<ClientRecord, KeyError> {
    match store::clients::get(c, id).await? {
        Some(cl) if cl.organisation_id == org => Ok(cl),
        _ => Err(KeyError::NotFound),
    }
}

/// Makes (or remakes) a client's secret; the old one keeps working for `grace`.
pub async fn new_secret(
    st: &AppState,
    org: OrganisationId,
    id: &ClientId,
    grace: Duration,
    actor: &Actor,
) -> Result<(ClientRecord, PlainToken), KeyError> {
    let (tx, gate) = st.begin().await?;
    let client = client_for_org(&tx, org, id).await?;
    if client.status != ClientStatus::Active.as_str() {
        return Err(KeyError::Refused(format!(
            "This client is {}: its secret cannot be changed.",
            client.status
        )));
    }
    let secret = clients::new_secret(&tx, &client, grace, actor, st.clock.now())
        .await
        .map_err(|e| match e {
            ClientError::NotApplicable(m) => KeyError::Refused(m),
            other => other.into(),
        })?;
    tx.commit().await?;
    drop(gate);
    st.clients_changed();
    Ok((client, secret))
}

/// Revokes one of the organisation's clients.
pub async fn revoke(
    st: &AppState,
    org: OrganisationId,
    id: &ClientId,
    actor: &Actor,
    ip: Option<String>,
) -> Result<ClientRecord, KeyError> {
    let (tx, gate) = st.begin().await?;
    let client = client_for_org(&tx, org, id).await?;
    let change = StatusChange {
        to: ClientStatus::Revoked,
        comment: "revoked by the TPP",
        ip,
    };
    clients::change_status(&tx, &client, change, actor, st.clock.now()).await?;
    tx.commit().await?;
    drop(gate);
    st.clients_changed();
    Ok(client)
}
