//! Creating, editing and deleting applications.

use super::ApplicationError;
use crate::audit;
use crate::clients::ApplicationStatus;
use crate::clients::service::{self as clients, StatusChange};
use crate::clients::settings::EnvSettings;
use crate::clients::validate::{self, ClientInput, ClientSpec, Context};
use crate::clients::{AuthMethod, ClientStatus, Environment, Origin, Scope};
use crate::domain::{Actor, ApplicationId, OrganisationId};
use crate::email::outbox::Queued;
use crate::state::AppState;
use crate::store::applications::ApplicationRecord;
use crate::store::organisations::OrganisationRecord;
use crate::store::{self, ConnectionTrait};
use crate::tasks::service::Subject;
use crate::unit_of_work::UnitOfWork;

/// Name of the workflow new applications run through.
pub const APPLICATION_WORKFLOW: &str = "application";

/// The scopes an organisation's declared roles allow; `None` when it declared none yet (the
/// light signup), in which case any scope may be tried in the sandbox.
pub fn org_scopes(org: &OrganisationRecord) -> Option<Vec<Scope>> {
    crate::clients::policy::org_roles(org)
}

/// The validation context of an organisation's applications: the application form holds the
/// sandbox settings (production settings are proposed in the production-keys request), so the
/// methods are those the bank accepts in the sandbox, the scopes those of its roles.
pub fn context(st: &AppState, org: &OrganisationRecord) -> Context {
    Context {
        environment: Some(Environment::Sandbox),
        auth_methods: st.settings.keys.methods(Environment::Sandbox),
        scopes: org_scopes(org),
    }
}

/// The settings of a stored application, as the validator's output.
pub fn spec_of(app: &ApplicationRecord) -> ClientSpec {
    ClientSpec {
        name: app.name.clone(),
        description: app.description.clone(),
        logo_uri: app.logo_uri.clone(),
        redirect_uris: app.redirect_uris.clone(),
        auth_method: AuthMethod::parse(&app.auth_method).unwrap_or(AuthMethod::PrivateKeyJwt),
        jwks_uri: app.jwks_uri.clone(),
        jwks: app
            .jwks
            .as_deref()
            .and_then(|j| serde_json::from_str(j).ok()),
        tls_subject_dn: app.tls_subject_dn.clone(),
        scopes: app.scopes.iter().filter_map(|s| Scope::parse(s)).collect(),
    }
}

/// A stored application as form input (to prefill the edit form).
pub fn input_of(app: &ApplicationRecord) -> ClientInput {
    ClientInput {
        name: app.name.clone(),
        description: app.description.clone(),
        logo_uri: app.logo_uri.clone().unwrap_or_default(),
        redirect_uris: app.redirect_uris.join("\n"),
        auth_method: app.auth_method.clone(),
        jwks_uri: app.jwks_uri.clone().unwrap_or_default(),
        jwks: app.jwks.clone().unwrap_or_default(),
        tls_subject_dn: app.tls_subject_dn.clone().unwrap_or_default(),
        scopes: app.scopes.clone(),
    }
}

fn apply_spec(app: &mut ApplicationRecord, spec: ClientSpec) {
    app.name = spec.name;
    app.description = spec.description;
    app.logo_uri = spec.logo_uri;
    app.redirect_uris = spec.redirect_uris;
    app.auth_method = spec.auth_method.as_str().into();
    app.jwks_uri = spec.jwks_uri;
    app.jwks = spec.jwks.map(|j| j.to_string());
    app.tls_subject_dn = spec.tls_subject_dn;
    app.scopes = spec.scopes.iter().map(|s| s.as_str().to_string()).collect();
}

/// The organisation, which must be active to have applications.
async fn active_org(
    c: &impl ConnectionTrait,
    org: OrganisationId,
) -> Result<OrganisationRecord, ApplicationError> {
    let org = store::organisations::get(c, org)
        .await?
        .ok_or(ApplicationError::NotFound)?;
    if org.status != crate::domain::OrganisationStatus::Active {
        return Err(ApplicationError::Refused(
            "Your organisation must be approved (and not suspended) before it can manage applications."
                .into(),
        ));
    }
    Ok(org)
}

/// One application of an organisation; another organisation's is "not found".
pub async fn get_for_org(
    c: &impl ConnectionTrait,
    org: OrganisationId,
    id: ApplicationId,
) -> Result<ApplicationRecord, ApplicationError> {
    match store::applications::get(c, id).await? {
        Some(a) if a.organisation_id == org && a.status != ApplicationStatus::Deleted => Ok(a),
        _ => Err(ApplicationError::NotFound),
    }
}

/// An organisation's applications that are not deleted, oldest first.
pub async fn list_for_org(
    c: &impl ConnectionTrait,
    org: OrganisationId,
) -> Result<Vec<ApplicationRecord>, ApplicationError> {
    Ok(store::applications::list_for_org(c, org).await?)
}

/// One application, whoever owns it (the console's view).
pub async fn get(
    c: &impl ConnectionTrait,
    id: ApplicationId,
) -> Result<Option<ApplicationRecord>, ApplicationError> {
    Ok(store::applications::get(c, id).await?)
}

/// Creates an application and runs it through the `application` workflow.
pub async fn create(
    st: &AppState,
    org_id: OrganisationId,
    actor: &Actor,
    input: &ClientInput,
) -> Result<ApplicationRecord, ApplicationError> {
    let wf = st.workflows.get(APPLICATION_WORKFLOW).ok_or_else(|| {
        ApplicationError::Refused("The bank has not configured application approval.".into())
    })?;
    let mut uow = UnitOfWork::begin(st).await?;
    let tx = &uow.tx;
    let org = active_org(tx, org_id).await?;
    let spec = validate::validate(input, &context(st, &org)).map_err(ApplicationError::Invalid)?;
    let now = st.clock.now();
    let mut app = ApplicationRecord {
        id: ApplicationId::new(),
        organisation_id: org.id,
        name: String::new(),
        description: String::new(),
        logo_uri: None,
        redirect_uris: Vec::new(),
        auth_method: String::new(),
        jwks_uri: None,
        jwks: None,
        tls_subject_dn: None,
        scopes: Vec::new(),
        status: ApplicationStatus::Pending,
        created_at: now,
        updated_at: now,
    };
    apply_spec(&mut app, spec);
    store::applications::insert(tx, &app).await?;
    let mut queued = Queued::default();
    crate::tasks::service::start(
        tx,
        st,
        wf,
        Subject {
            kind: "application",
            id: app.id.to_string(),
        },
        &org,
        serde_json::Map::new(),
        actor,
        &mut queued,
    )
    .await?;
    let app = store::applications::get(tx, app.id)
        .await?
        .ok_or(ApplicationError::NotFound)?;
    uow.mail = queued;
    uow.touches_clients();
    uow.commit(st).await?;
    Ok(app)
}

/// Whether the application was made by Dynamic Client Registration: its settings then belong
/// to the TPP's software (`PUT /register`), not to the portal.
pub async fn registered_by_dcr(
    c: &impl ConnectionTrait,
    id: ApplicationId,
) -> Result<bool, crate::store::StoreError> {
    Ok(store::clients::for_application(c, id)
        .await?
        .iter()
        .any(|c| c.origin == Origin::Dcr))
}

/// What the portal says when asked to change a DCR application.
pub const DCR_MANAGED: &str = "This application was registered by your software through DCR: change its settings with PUT /register, or revoke or delete it here.";

/// Changes an application's settings; its portal clients take the new metadata.
pub async fn update(
    st: &AppState,
    org_id: OrganisationId,
    id: ApplicationId,
    actor: &Actor,
    input: &ClientInput,
) -> Result<ApplicationRecord, ApplicationError> {
    let mut uow = UnitOfWork::begin(st).await?;
    let tx = &uow.tx;
    let org = active_org(tx, org_id).await?;
    let mut app = get_for_org(tx, org.id, id).await?;
    if registered_by_dcr(tx, app.id).await? {
        return Err(ApplicationError::Refused(DCR_MANAGED.into()));
    }
    let spec = validate::validate(input, &context(st, &org)).map_err(ApplicationError::Invalid)?;
    let now = st.clock.now();
    let before = app.clone();
    apply_spec(&mut app, spec);
    app.updated_at = now;
    store::applications::update(tx, &app).await?;
    let changes = changes(&before, &app);
    // Sandbox settings change at once. A production client keeps the settings the bank
    // approved (they change only through a production change request); it takes only the
    // application's new name and logo.
    let sandbox = clients::sandbox_settings(&app);
    for c in store::clients::for_application(tx, app.id).await? {
        if c.origin != Origin::Portal || c.status == ClientStatus::Revoked {
            continue;
        }
        let settings = match c.environment {
            Environment::Sandbox => sandbox.clone(),
            Environment::Production => EnvSettings::of_metadata(&c.metadata),
        };
        let method = settings.method().unwrap_or(c.auth_method);
        let metadata = clients::metadata_for(&app, &settings);
        store::clients::set_metadata(tx, &c.client_id, method, &metadata, now).await?;
    }
    audit::record(
        tx,
        audit::Event {
            actor,
            action: "application.updated",
            subject_type: "application",
            subject_id: app.id.to_string(),
            organisation: Some(org.id),
            detail: changes,
            ip: None,
        },
        now,
    )
    .await?;
    uow.touches_clients();
    uow.commit(st).await?;
    Ok(app)
}

/// What an update changed, field by field: `{"Name": {"old": .., "new": ..}, ..}`.
fn changes(before: &ApplicationRecord, after: &ApplicationRecord) -> serde_json::Value {
    let mut out = serde_json::Map::new();
    let mut put = |k: &str, old: &str, new: &str| {
        if old != new {
            out.insert(k.into(), serde_json::json!({ "old": old, "new": new }));
        }
    };
    put("Name", &before.name, &after.name);
    put("Description", &before.description, &after.description);
    for (k, old, new) in clients::sandbox_settings(after).diff(&clients::sandbox_settings(before)) {
        put(&k, &old, &new);
    }
    serde_json::Value::Object(out)
}

/// Deletes an application and revokes its clients.
pub async fn delete(
    st: &AppState,
    org_id: OrganisationId,
    id: ApplicationId,
    actor: &Actor,
) -> Result<(), ApplicationError> {
    let mut uow = UnitOfWork::begin(st).await?;
    let tx = &uow.tx;
    let app = get_for_org(tx, org_id, id).await?;
    let now = st.clock.now();
    for c in store::clients::for_application(tx, app.id).await? {
        if c.status != ClientStatus::Revoked {
            let change = StatusChange {
                to: ClientStatus::Revoked,
                comment: "application deleted",
                ip: None,
            };
            clients::change_status(tx, &c, change, actor, now).await?;
        }
    }
    store::applications::set_status(tx, app.id, ApplicationStatus::Deleted, now).await?;
    audit::record(
        tx,
        audit::Event {
            actor,
            action: "application.deleted",
            subject_type: "application",
            subject_id: app.id.to_string(),
            organisation: Some(org_id),
            detail: serde_json::json!({ "name": app.name }),
            ip: None,
        },
        now,
    )
    .await?;
    uow.touches_clients();
    uow.commit(st).await?;
    Ok(())
}
