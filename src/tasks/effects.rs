//! What entering a state does, in the step's transaction: organisation and application status,
//! and clients issued or changed. Production clients are issued (or changed) from the settings
//! stored on the task, after the production rules run again on the organisation as it is now.

use super::TaskError;
use crate::clients::service as clients;
use crate::clients::settings::{EnvSettings, SETTINGS_KEY};
use crate::clients::{ApplicationStatus, ClientStatus, Environment, policy};
use crate::domain::{Actor, ApplicationId, ClientId, OrganisationStatus};
use crate::state::AppState;
use crate::store::organisations::OrganisationRecord;
use crate::store::workflows::InstanceRecord;
use crate::store::{self, ConnectionTrait};
use crate::workflow::Effect;

/// Does one effect of entering a state, in the step's transaction.
pub(super) async fn apply(
    c: &impl ConnectionTrait,
    st: &AppState,
    effect: Effect,
    inst: &InstanceRecord,
    org: &OrganisationRecord,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), TaskError> {
    let org_status = match effect {
        Effect::ActivateOrganisation => Some(OrganisationStatus::Active),
        Effect::RejectOrganisation => Some(OrganisationStatus::Rejected),
        Effect::SuspendOrganisation => Some(OrganisationStatus::Suspended),
        _ => None,
    };
    if let Some(status) = org_status {
        store::organisations::set_status(c, org.id, status, now).await?;
        if effect == Effect::SuspendOrganisation {
            store::clients::suspend_for_org(c, org.id, now).await?;
        }
        return Ok(());
    }
    if effect == Effect::ReactivateSuspendedClients {
        return reactivate_suspended(c, inst, org, now).await;
    }
    let app_id: ApplicationId = inst.subject_id.parse().map_err(|_| TaskError::NotFound)?;
    match effect {
        Effect::ActivateApplication => {
            store::applications::set_status(c, app_id, ApplicationStatus::Active, now).await?;
        }
        Effect::RejectApplication => {
            store::applications::set_status(c, app_id, ApplicationStatus::Rejected, now).await?;
        }
        Effect::IssueSandboxClient => {
            let app = store::applications::get(c, app_id)
                .await?
                .ok_or(TaskError::NotFound)?;
            let settings = clients::sandbox_settings(&app);
            clients::issue(
                c,
                &app,
                Environment::Sandbox,
                &settings,
                &Actor::System,
                now,
            )
            .await?;
        }
        Effect::IssueProductionClient => {
            let app = store::applications::get(c, app_id)
                .await?
                .ok_or(TaskError::NotFound)?;
            // Requests made before settings were stored per environment propose the
            // application's own.
            let settings = EnvSettings::from_data(&inst.data, SETTINGS_KEY)
                .unwrap_or_else(|| clients::sandbox_settings(&app));
            check_production(c, st, inst, &settings).await?;
            if keys_live(c, app_id, Environment::Production).await? {
                return Err(TaskError::Refused(
                    "The application already has a production client.".into(),
                ));
            }
            clients::issue(
                c,
                &app,
                Environment::Production,
                &settings,
                &Actor::System,
                now,
            )
            .await?;
        }
        Effect::ApplyProductionChange => {
            let app = store::applications::get(c, app_id)
                .await?
                .ok_or(TaskError::NotFound)?;
            let settings = EnvSettings::from_data(&inst.data, SETTINGS_KEY).ok_or_else(|| {
                TaskError::Refused("This request carries no proposed settings.".into())
            })?;
            check_production(c, st, inst, &settings).await?;
            let id = inst
                .data
                .get("client_id")
                .and_then(|v| v.as_str())
                .unwrap_or_default();
            let client = store::clients::get(c, &ClientId(id.to_string()))
                .await?
                .filter(|cl| cl.application_id == app_id && cl.status != ClientStatus::Revoked)
                .ok_or_else(|| {
                    TaskError::Refused(
                        "The production client this change was for is revoked or gone.".into(),
                    )
                })?;
            let comment = format!("production change approved (task {})", inst.id);
            clients::apply_settings(c, &client, &app, &settings, &Actor::System, &comment, now)
                .await?;
        }
        _ => {}
    }
    Ok(())
}

/// `reactivate_suspended_clients`: the clients an authority check suspended, as listed on the
/// task, become active again, unless revoked since; refused while the organisation is suspended.
async fn reactivate_suspended(
    c: &impl ConnectionTrait,
    inst: &InstanceRecord,
    org: &OrganisationRecord,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), TaskError> {
    if org.status == OrganisationStatus::Suspended {
        return Err(TaskError::Refused(
            "The organisation is suspended: reactivate the organisation first.".into(),
        ));
    }
    let ids = inst
        .data
        .get("suspended_clients")
        .and_then(|v| v.as_array())
        .cloned()
        .unwrap_or_default();
    let comment = format!(
        "reactivated after an authorisation change (task {})",
        inst.id
    );
    for id in ids.iter().filter_map(|v| v.as_str()) {
        let Some(client) = store::clients::get(c, &ClientId(id.to_string())).await? else {
            continue;
        };
        if client.organisation_id != org.id || client.status != ClientStatus::Suspended {
            continue;
        }
        let change = clients::StatusChange {
            to: ClientStatus::Active,
            comment: &comment,
            ip: None,
        };
        clients::change_status(c, &client, change, &Actor::System, now).await?;
    }
    Ok(())
}

/// Runs the production rules again, inside the approving transaction, on the organisation as it
/// is now: a rule that no longer holds refuses the step with the reason.
async fn check_production(
    c: &impl ConnectionTrait,
    st: &AppState,
    inst: &InstanceRecord,
    settings: &EnvSettings,
) -> Result<(), TaskError> {
    let org = store::organisations::get(c, inst.organisation_id)
        .await?
        .ok_or(TaskError::NotFound)?;
    let app_id: ApplicationId = inst.subject_id.parse().map_err(|_| TaskError::NotFound)?;
    let app = store::applications::get(c, app_id)
        .await?
        .ok_or(TaskError::NotFound)?;
    if app.status != ApplicationStatus::Active {
        return Err(TaskError::Refused(format!(
            "This cannot be approved: the application is {}.",
            app.status
        )));
    }
    let roles = policy::declared_roles(&org, &inst.data);
    let mut problems =
        policy::production_problems(settings, org.status, roles.as_deref(), &st.settings.keys);
    let evidence = store::authority::latest_per_source(c, org.id).await?;
    problems.extend(policy::evidence_problems(&settings.scope_list(), &evidence));
    if problems.is_empty() {
        Ok(())
    } else {
        Err(TaskError::Refused(format!(
            "This cannot be approved: {}",
            problems.join(" ")
        )))
    }
}

async fn keys_live(
    c: &impl ConnectionTrait,
    app: ApplicationId,
    env: Environment,
) -> Result<bool, TaskError> {
    Ok(store::clients::for_application(c, app)
        .await?
        .iter()
        .any(|cl| cl.environment == env && cl.status != ClientStatus::Revoked))
}
