//! Requesting keys and managing client secrets from the portal.

use super::KeyError;
use crate::applications::service::get_for_org;
use crate::clients::ApplicationStatus;
use crate::clients::service::{self as clients, StatusChange};
use crate::clients::settings::{EnvSettings, PREVIOUS_KEY, SETTINGS_KEY};
use crate::clients::validate::{self, ClientInput, Context};
use crate::clients::{ClientError, ClientStatus, Environment, Origin, Scope, policy};
use crate::domain::{Actor, ApplicationId, ClientId, OrganisationId, PlainToken};
use crate::email::outbox::Queued;
use crate::forms::{FieldErrors, Submission};
use crate::state::AppState;
use crate::store::applications::ApplicationRecord;
use crate::store::authority::EvidenceRecord;
use crate::store::clients::ClientRecord;
use crate::store::organisations::OrganisationRecord;
use crate::store::{self, ConnectionTrait};
use crate::tasks::service::Subject;
use crate::unit_of_work::UnitOfWork;
use chrono::Duration;

/// Workflow run for sandbox keys.
pub const SANDBOX_WORKFLOW: &str = "sandbox-keys";
/// Workflow run for production keys.
pub const PRODUCTION_WORKFLOW: &str = "production-keys";
/// Workflow run for a change to a production client's settings.
pub const CHANGE_WORKFLOW: &str = "production-change";

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
        .find(|cl| cl.environment == env && cl.status != ClientStatus::Revoked))
}

/// Whether the newest instance of `wf_name` about the application is still open.
pub async fn request_open(
    st: &AppState,
    c: &impl ConnectionTrait,
    wf_name: &str,
    app: ApplicationId,
) -> Result<bool, KeyError> {
    Ok(
        match store::workflows::latest_for_subject(c, wf_name, "application", &app.to_string())
            .await?
        {
            Some(inst) => st
                .workflows
                .get(wf_name)
                .and_then(|wf| wf.state(&inst.state))
                .is_some_and(|s| !s.terminal),
            None => false,
        },
    )
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
    if request_open(st, c, workflow_for(env), app).await? {
        return Err(KeyError::Refused(format!(
            "A request for {env} keys is already with the bank."
        )));
    }
    Ok(())
}

/// Checks production settings typed into a form: the validator with the production context
/// (methods the bank accepts for production, https redirect URIs, scopes within `roles`), then
/// the production rules. Errors are keyed by field.
pub fn check_production_settings(
    st: &AppState,
    app: &ApplicationRecord,
    org: &OrganisationRecord,
    input: &ClientInput,
    roles: Option<&[Scope]>,
    evidence: &[EvidenceRecord],
) -> Result<EnvSettings, FieldErrors> {
    let ctx = Context {
        environment: Some(Environment::Production),
        auth_methods: st.settings.keys.methods(Environment::Production),
        scopes: roles.map(<[Scope]>::to_vec),
    };
    let mut named = input.clone();
    named.name = app.name.clone();
    let spec = validate::validate(&named, &ctx)?;
    let settings = EnvSettings::of_spec(&spec);
    let mut problems = policy::production_problems(&settings, org.status, roles, &st.settings.keys);
    problems.extend(policy::evidence_problems(&settings.scope_list(), evidence));
    if let Some(p) = problems.into_iter().next() {
        let mut errors = FieldErrors::new();
        errors.insert("scopes".into(), p);
        return Err(errors);
    }
    Ok(settings)
}

/// The checks before a key request for `env`: the application is the organisation's, approved
/// and not DCR's, the organisation is active, and there are neither keys nor an open request
/// there. Run inside the request's transaction, and by the form page beforehand so that a
/// refusal is shown before anything is typed.
pub async fn check_request(
    st: &AppState,
    c: &impl ConnectionTrait,
    org: OrganisationId,
    app_id: ApplicationId,
    env: Environment,
) -> Result<(ApplicationRecord, OrganisationRecord), KeyError> {
    let app = get_for_org(c, org, app_id).await?;
    let org_rec = store::organisations::get(c, org)
        .await?
        .ok_or(KeyError::NotFound)?;
    if org_rec.status != crate::domain::OrganisationStatus::Active {
        return Err(KeyError::Refused(format!(
            "Your organisation is {}: keys cannot be requested.",
            org_rec.status
        )));
    }
    if app.status != ApplicationStatus::Active {
        return Err(KeyError::Refused(
            "This application is not approved yet.".into(),
        ));
    }
    if crate::applications::service::registered_by_dcr(c, app.id).await? {
        return Err(KeyError::Refused(
            crate::applications::service::DCR_MANAGED.into(),
        ));
    }
    check_can_request(st, c, app.id, env).await?;
    Ok((app, org_rec))
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
    let mut uow = UnitOfWork::begin(st).await?;
    let (app, org_rec) = check_request(st, &uow.tx, org, app_id, Environment::Sandbox).await?;
    let tx = &uow.tx;
    let sandbox = clients::sandbox_settings(&app);
    if let Some(m) = sandbox.method() {
        policy::method_allowed(&st.settings.keys, Environment::Sandbox, m)
            .map_err(|e| KeyError::Refused(format!("{e} Edit the application first.")))?;
    }
    let mut queued = Queued::default();
    crate::tasks::service::start(
        tx,
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
    let client = live_client(tx, app.id, Environment::Sandbox).await?;
    let secret = match &client {
        Some(cl) if cl.auth_method.uses_secret() => Some(
            clients::new_secret(
                tx,
                &st.settings.keys,
                cl,
                Duration::zero(),
                actor,
                st.clock.now(),
            )
            .await?,
        ),
        _ => None,
    };
    uow.mail = queued;
    uow.touches_clients();
    uow.commit(st).await?;
    Ok(Issued { client, secret })
}

/// Asks for production keys: the proposed production settings (prefilled from the sandbox's;
/// when the form carries none, the sandbox's are proposed as they are) and the
/// `production-keys` workflow's form. The exact settings are stored on the workflow instance:
/// the reviewer and the approver see them, and the client is issued from that stored copy.
/// Nothing is issued until the bank approves.
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
    let uow = UnitOfWork::begin(st).await?;
    let (app, org_rec) = check_request(st, &uow.tx, org, app_id, Environment::Production).await?;
    let (values, form_errors) = match wf.form.validate(form) {
        Ok(v) => (v, FieldErrors::new()),
        Err(e) => (serde_json::Map::new(), e),
    };
    let input = if form.get("auth_method").is_some() {
        ClientInput::from_submission(form)
    } else {
        clients::sandbox_settings(&app).input(&app.name)
    };
    let roles = policy::declared_roles(&org_rec, &values);
    let evidence = store::authority::latest_per_source(&st.db, org_rec.id).await?;
    let checked =
        check_production_settings(st, &app, &org_rec, &input, roles.as_deref(), &evidence);
    let mut errors = form_errors;
    // Scopes outside roles declared on this form are the roles field's error.
    let settings = merge_errors(&mut errors, checked, values.contains_key("roles"));
    let (Some(settings), true) = (settings, errors.is_empty()) else {
        return Err(KeyError::Invalid(errors));
    };
    let mut data = values;
    data.insert(SETTINGS_KEY.into(), settings.to_value());
    submit_request(st, uow, wf, &app, &org_rec, data, actor).await
}

/// Folds the settings check's field errors into the form's; `roles_field` moves a scope error
/// to the roles field when the form declared roles. The settings when they passed.
fn merge_errors(
    errors: &mut FieldErrors,
    checked: Result<EnvSettings, FieldErrors>,
    roles_field: bool,
) -> Option<EnvSettings> {
    match checked {
        Ok(s) => Some(s),
        Err(e) => {
            for (k, v) in e {
                let k = if roles_field && k == "scopes" {
                    "roles".into()
                } else {
                    k
                };
                errors.entry(k).or_insert(v);
            }
            None
        }
    }
}

/// Starts `wf` on the application with the request's data, in the unit of work, and commits.
async fn submit_request(
    st: &AppState,
    mut uow: UnitOfWork,
    wf: &crate::workflow::Workflow,
    app: &ApplicationRecord,
    org: &OrganisationRecord,
    data: serde_json::Map<String, serde_json::Value>,
    actor: &Actor,
) -> Result<(), KeyError> {
    crate::tasks::service::start(
        &uow.tx,
        st,
        wf,
        Subject {
            kind: "application",
            id: app.id.to_string(),
        },
        org,
        data,
        actor,
        &mut uow.mail,
    )
    .await?;
    uow.commit(st).await?;
    Ok(())
}

/// The live production client and its settings, for the change form.
pub async fn production_settings(
    st: &AppState,
    org: OrganisationId,
    app_id: ApplicationId,
) -> Result<(ApplicationRecord, ClientRecord, EnvSettings), KeyError> {
    let app = get_for_org(&st.db, org, app_id).await?;
    let client = live_client(&st.db, app.id, Environment::Production)
        .await?
        .filter(|c| c.origin == Origin::Portal)
        .ok_or_else(|| {
            KeyError::Refused("This application has no production client to change.".into())
        })?;
    let settings = EnvSettings::of_metadata(&client.metadata);
    Ok((app, client, settings))
}

/// Proposes new production settings: the `production-change` workflow reviews them, and until
/// it approves, the live client keeps its settings. Only settings that pass the production
/// rules may be proposed; proposing the settings in force is refused as no change.
pub async fn request_production_change(
    st: &AppState,
    org: OrganisationId,
    app_id: ApplicationId,
    actor: &Actor,
    form: &Submission,
) -> Result<(), KeyError> {
    let wf = st.workflows.get(CHANGE_WORKFLOW).ok_or_else(|| {
        KeyError::Refused("The bank has not configured production changes.".into())
    })?;
    let uow = UnitOfWork::begin(st).await?;
    let tx = &uow.tx;
    let app = get_for_org(tx, org, app_id).await?;
    let org_rec = store::organisations::get(tx, org)
        .await?
        .ok_or(KeyError::NotFound)?;
    if org_rec.status != crate::domain::OrganisationStatus::Active {
        return Err(KeyError::Refused(format!(
            "Your organisation is {}: production settings cannot be changed.",
            org_rec.status
        )));
    }
    let client = live_client(tx, app.id, Environment::Production)
        .await?
        .filter(|c| c.origin == Origin::Portal)
        .ok_or_else(|| {
            KeyError::Refused("This application has no production client to change.".into())
        })?;
    if request_open(st, tx, CHANGE_WORKFLOW, app.id).await? {
        return Err(KeyError::Refused(
            "A change to the production settings is already with the bank.".into(),
        ));
    }
    let (values, mut errors) = match wf.form.validate(form) {
        Ok(v) => (v, FieldErrors::new()),
        Err(e) => (serde_json::Map::new(), e),
    };
    let input = ClientInput::from_submission(form);
    // The roles the production keys were granted under: declared at signup, or (the light
    // pattern) on the production-keys request that issued the client.
    let granted = store::workflows::latest_for_subject(
        tx,
        PRODUCTION_WORKFLOW,
        "application",
        &app.id.to_string(),
    )
    .await?
    .map(|i| i.data)
    .unwrap_or_default();
    let roles = policy::declared_roles(&org_rec, &granted);
    let current = EnvSettings::of_metadata(&client.metadata);
    let evidence = store::authority::latest_per_source(&st.db, org_rec.id).await?;
    let checked =
        check_production_settings(st, &app, &org_rec, &input, roles.as_deref(), &evidence);
    let proposed = merge_errors(&mut errors, checked, false);
    if let Some(p) = &proposed
        && p.diff(&current).is_empty()
    {
        errors.insert(
            "auth_method".into(),
            "These are the settings in force: change something to propose a change.".into(),
        );
    }
    let (Some(proposed), true) = (proposed, errors.is_empty()) else {
        return Err(KeyError::Invalid(errors));
    };
    let mut data = values;
    data.insert(SETTINGS_KEY.into(), proposed.to_value());
    data.insert(PREVIOUS_KEY.into(), current.to_value());
    if let Some(r) = granted.get("roles") {
        data.insert("roles".into(), r.clone());
    }
    data.insert("client_id".into(), client.client_id.as_str().into());
    submit_request(st, uow, wf, &app, &org_rec, data, actor).await
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
    let mut uow = UnitOfWork::begin(st).await?;
    let tx = &uow.tx;
    let client = client_for_org(tx, org, id).await?;
    if client.status != ClientStatus::Active {
        return Err(KeyError::Refused(format!(
            "This client is {}: its secret cannot be changed.",
            client.status
        )));
    }
    let secret = clients::new_secret(tx, &st.settings.keys, &client, grace, actor, st.clock.now())
        .await
        .map_err(|e| match e {
            ClientError::NotApplicable(m) => KeyError::Refused(m),
            other => other.into(),
        })?;
    uow.touches_clients();
    uow.commit(st).await?;
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
    let mut uow = UnitOfWork::begin(st).await?;
    let tx = &uow.tx;
    let client = client_for_org(tx, org, id).await?;
    let change = StatusChange {
        to: ClientStatus::Revoked,
        comment: "revoked by the TPP",
        ip,
    };
    clients::change_status(tx, &client, change, actor, st.clock.now()).await?;
    uow.touches_clients();
    uow.commit(st).await?;
    Ok(client)
}
