//! Issuing, rotating, suspending and revoking clients. Every change is an audit event on the
//! client, which is its history.

use super::ClientError;
use super::model::{AuthMethod, ClientStatus, Environment, Origin};
use super::settings::EnvSettings;
use crate::audit;
use crate::config::KeySettings;
use crate::domain::{Actor, ApplicationId, ClientId, OrganisationId, PlainToken, TokenHash};
use crate::store::Page;
use crate::store::applications::ApplicationRecord;
use crate::store::clients::ClientRecord;
use crate::store::clients::{ClientFilter, ClientRow};
use crate::store::organisations::OrganisationRecord;
use crate::store::{self, ConnectionTrait};
use crate::unit_of_work::UnitOfWork;
use chrono::{DateTime, Duration, Utc};

/// The longest grace period an old secret may keep after regeneration.
pub const MAX_GRACE: Duration = Duration::hours(24);

/// The sandbox settings of an application (its own columns).
pub fn sandbox_settings(app: &ApplicationRecord) -> EnvSettings {
    EnvSettings {
        auth_method: app.auth_method.clone(),
        jwks_uri: app.jwks_uri.clone(),
        jwks: app
            .jwks
            .as_deref()
            .and_then(|j| serde_json::from_str(j).ok()),
        tls_subject_dn: app.tls_subject_dn.clone(),
        redirect_uris: app.redirect_uris.clone(),
        scopes: app.scopes.clone(),
    }
}

/// The metadata a portal client of `app` gets with `settings`.
pub fn metadata_for(app: &ApplicationRecord, settings: &EnvSettings) -> serde_json::Value {
    settings.metadata(&app.name, app.logo_uri.clone(), &app.id.to_string())
}

/// A new active client of `app` in `env`, without a secret (portal and DCR clients alike).
pub fn new_record(
    app: &ApplicationRecord,
    env: Environment,
    origin: Origin,
    auth_method: AuthMethod,
    metadata: serde_json::Value,
    now: DateTime<Utc>,
) -> ClientRecord {
    ClientRecord {
        client_id: ClientId::generate(),
        application_id: app.id,
        organisation_id: app.organisation_id,
        environment: env,
        origin,
        auth_method,
        metadata,
        status: ClientStatus::Active,
        status_before_suspension: None,
        secret_hash: None,
        secret_hint: None,
        secret_created_at: None,
        previous_secret_hash: None,
        previous_secret_expires_at: None,
        created_at: now,
        updated_at: now,
    }
}

/// Issues an active portal client for an application in `env` with `settings`, inside the
/// caller's transaction.
pub async fn issue(
    c: &impl ConnectionTrait,
    app: &ApplicationRecord,
    env: Environment,
    settings: &EnvSettings,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<ClientRecord, ClientError> {
    let method = settings.method().ok_or_else(|| {
        ClientError::NotApplicable(format!(
            "Unknown authentication method {}.",
            settings.auth_method
        ))
    })?;
    let record = new_record(
        app,
        env,
        Origin::Portal,
        method,
        metadata_for(app, settings),
        now,
    );
    store::clients::insert(c, &record).await?;
    audit::record(
        c,
        audit::Event {
            actor,
            action: "client.issued",
            subject_type: "client",
            subject_id: record.client_id.to_string(),
            organisation: Some(app.organisation_id),
            detail: serde_json::json!({
                "environment": env.as_str(),
                "origin": Origin::Portal.as_str(),
                "application": app.id.to_string(),
                "auth_method": method.as_str(),
                "settings": settings.to_value(),
            }),
            ip: None,
        },
        now,
    )
    .await?;
    Ok(record)
}

/// Replaces a client's settings (approved production change, or a sandbox edit), recording
/// old → new in its history.
pub async fn apply_settings(
    c: &impl ConnectionTrait,
    client: &ClientRecord,
    app: &ApplicationRecord,
    settings: &EnvSettings,
    actor: &Actor,
    comment: &str,
    now: DateTime<Utc>,
) -> Result<(), ClientError> {
    let method = settings.method().ok_or_else(|| {
        ClientError::NotApplicable(format!(
            "Unknown authentication method {}.",
            settings.auth_method
        ))
    })?;
    let old = EnvSettings::of_metadata(&client.metadata);
    let mut metadata = metadata_for(app, settings);
    // Keep what the software registered beside the settings (DCR clients are not changed here,
    // but a field added later must not be lost).
    if let (Some(new), Some(prev)) = (metadata.as_object_mut(), client.metadata.as_object()) {
        for (k, v) in prev {
            new.entry(k.clone()).or_insert_with(|| v.clone());
        }
    }
    store::clients::set_metadata(c, &client.client_id, method, &metadata, now).await?;
    let changes: Vec<serde_json::Value> = settings
        .diff(&old)
        .into_iter()
        .map(|(field, from, to)| serde_json::json!({ "field": field, "from": from, "to": to }))
        .collect();
    audit::record(
        c,
        audit::Event {
            actor,
            action: "client.settings_changed",
            subject_type: "client",
            subject_id: client.client_id.to_string(),
            organisation: Some(client.organisation_id),
            detail: serde_json::json!({ "comment": comment, "changes": changes }),
            ip: None,
        },
        now,
    )
    .await?;
    Ok(())
}

/// Makes a new secret for a secret-based client and returns it, to be shown once. The previous
/// secret stops now, or after `grace` (at most 24 hours).
pub async fn new_secret(
    c: &impl ConnectionTrait,
    keys: &KeySettings,
    client: &ClientRecord,
    grace: Duration,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<PlainToken, ClientError> {
    if client.status == ClientStatus::Revoked {
        return Err(ClientError::Revoked);
    }
    super::policy::check_secret_allowed(keys, client).map_err(ClientError::NotApplicable)?;
    let prefix = if client.environment == Environment::Production {
        "obp_prd_"
    } else {
        "obp_sbx_"
    };
    let secret = PlainToken::generate(prefix);
    let hint = format!("{}…", &secret.expose()[..prefix.len() + 4]);
    let grace = grace.clamp(Duration::zero(), MAX_GRACE);
    let previous = client
        .secret_hash
        .clone()
        .filter(|_| grace > Duration::zero())
        .map(|h| (h, now + grace));
    store::clients::set_secret(
        c,
        &client.client_id,
        secret.hash().as_str(),
        &hint,
        previous,
        now,
    )
    .await?;
    let first = client.secret_hash.is_none();
    audit::record(
        c,
        audit::Event {
            actor,
            action: if first { "client.secret_created" } else { "client.secret_regenerated" },
            subject_type: "client",
            subject_id: client.client_id.to_string(),
            organisation: Some(client.organisation_id),
            detail: serde_json::json!({ "old_secret_valid_minutes": grace.num_minutes(), "hint": hint }),
            ip: None,
        },
        now,
    )
    .await?;
    Ok(secret)
}

/// Whether `presented` is the client's secret (or its previous one, within its grace period).
/// Compared in constant time on SHA-256 digests.
pub fn secret_matches(client: &ClientRecord, presented: &str, now: DateTime<Utc>) -> bool {
    let given = TokenHash::of(presented);
    let current = client
        .secret_hash
        .as_ref()
        .is_some_and(|h| TokenHash::from_stored(h.clone()).matches(&given));
    let previous = client.previous_secret_hash.as_ref().is_some_and(|h| {
        client
            .previous_secret_expires_at
            .is_some_and(|until| now < until)
            && TokenHash::from_stored(h.clone()).matches(&given)
    });
    current | previous
}

/// A status change requested by a person.
pub struct StatusChange<'a> {
    /// New status.
    pub to: ClientStatus,
    /// Why (shown in the history).
    pub comment: &'a str,
    /// Client address.
    pub ip: Option<String>,
}

/// Suspends, reactivates or revokes a client. Revoked is final.
pub async fn change_status(
    c: &impl ConnectionTrait,
    client: &ClientRecord,
    change: StatusChange<'_>,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<(), ClientError> {
    let from = client.status;
    let allowed = match (from, change.to) {
        (ClientStatus::Revoked, _) => return Err(ClientError::Revoked),
        (ClientStatus::Active, ClientStatus::Suspended)
        | (ClientStatus::Suspended, ClientStatus::Active)
        | (ClientStatus::Pending, ClientStatus::Active)
        | (_, ClientStatus::Revoked) => true,
        _ => false,
    };
    if !allowed {
        return Err(ClientError::NotApplicable(format!(
            "A {} client cannot become {}.",
            from.as_str(),
            change.to.as_str()
        )));
    }
    store::clients::set_status(c, &client.client_id, change.to, now).await?;
    let action = match change.to {
        ClientStatus::Suspended => "client.suspended",
        ClientStatus::Active => "client.reactivated",
        ClientStatus::Revoked => "client.revoked",
        ClientStatus::Pending => "client.pending",
    };
    audit::record(
        c,
        audit::Event {
            actor,
            action,
            subject_type: "client",
            subject_id: client.client_id.to_string(),
            organisation: Some(client.organisation_id),
            detail: serde_json::json!({ "from": from.as_str(), "comment": change.comment }),
            ip: change.ip,
        },
        now,
    )
    .await?;
    Ok(())
}

/// Changes a client's status in its own transaction (the console's suspend, reactivate,
/// revoke). A client of a suspended organisation stays suspended until the organisation is
/// reactivated.
pub async fn change_status_now(
    st: &crate::state::AppState,
    id: &ClientId,
    change: StatusChange<'_>,
    actor: &Actor,
) -> Result<ClientRecord, ClientError> {
    let mut uow = UnitOfWork::begin(st).await?;
    let tx = &uow.tx;
    let client = store::clients::get(tx, id)
        .await?
        .ok_or(ClientError::NotFound)?;
    if change.to == ClientStatus::Active {
        let org = store::organisations::get(tx, client.organisation_id).await?;
        if org.is_some_and(|o| o.status == crate::domain::OrganisationStatus::Suspended) {
            return Err(ClientError::NotApplicable(
                "Its organisation is suspended: reactivate the organisation first.".into(),
            ));
        }
    }
    change_status(tx, &client, change, actor, st.clock.now()).await?;
    uow.touches_clients();
    uow.commit(st).await?;
    Ok(client)
}

/// One client.
pub async fn get(
    c: &impl ConnectionTrait,
    id: &ClientId,
) -> Result<Option<ClientRecord>, ClientError> {
    Ok(store::clients::get(c, id).await?)
}

/// A client with its organisation and application, for the console.
pub async fn with_owner(
    c: &impl ConnectionTrait,
    id: &ClientId,
) -> Result<
    Option<(
        ClientRecord,
        Option<OrganisationRecord>,
        Option<ApplicationRecord>,
    )>,
    ClientError,
> {
    let Some(client) = store::clients::get(c, id).await? else {
        return Ok(None);
    };
    let org = store::organisations::get(c, client.organisation_id).await?;
    let app = store::applications::get(c, client.application_id).await?;
    Ok(Some((client, org, app)))
}

/// The console's client search: a page of matches, newest first, with the total.
pub async fn search(
    c: &impl ConnectionTrait,
    filter: &ClientFilter,
    page: Page,
) -> Result<(Vec<ClientRow>, u64), ClientError> {
    Ok(store::clients::search(c, filter, page).await?)
}

/// An organisation's clients, newest first.
pub async fn for_organisation(
    c: &impl ConnectionTrait,
    org: OrganisationId,
) -> Result<Vec<ClientRecord>, ClientError> {
    Ok(store::clients::for_organisation(c, org).await?)
}

/// An application's clients, newest first.
pub async fn for_application(
    c: &impl ConnectionTrait,
    app: ApplicationId,
) -> Result<Vec<ClientRecord>, ClientError> {
    Ok(store::clients::for_application(c, app).await?)
}

/// A client's history (its audit events), oldest first.
pub async fn history(
    c: &impl ConnectionTrait,
    id: &ClientId,
) -> Result<Vec<audit::AuditRecord>, ClientError> {
    Ok(store::audit::for_subject(c, "client", id.as_str()).await?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{ApplicationId, OrganisationId};

    fn t0() -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).unwrap()
    }

    fn client(hash: Option<String>, prev: Option<(String, DateTime<Utc>)>) -> ClientRecord {
        let now = t0();
        ClientRecord {
            client_id: ClientId::generate(),
            application_id: ApplicationId::new(),
            organisation_id: OrganisationId::new(),
            environment: Environment::Sandbox,
            origin: Origin::Portal,
            auth_method: AuthMethod::ClientSecretBasic,
            metadata: serde_json::json!({}),
            status: ClientStatus::Active,
            status_before_suspension: None,
            secret_hash: hash,
            secret_hint: None,
            secret_created_at: None,
            previous_secret_hash: prev.as_ref().map(|p| p.0.clone()),
            previous_secret_expires_at: prev.map(|p| p.1),
            created_at: now,
            updated_at: now,
        }
    }

    #[test]
    fn secrets_match_in_constant_time_and_old_ones_only_within_grace() {
        let now = t0();
        let cur = PlainToken::generate("obp_sbx_");
        let old = PlainToken::generate("obp_sbx_");
        let c = client(
            Some(cur.hash().as_str().into()),
            Some((old.hash().as_str().into(), now + Duration::hours(1))),
        );
        assert!(secret_matches(&c, cur.expose(), now));
        assert!(secret_matches(&c, old.expose(), now));
        assert!(!secret_matches(&c, old.expose(), now + Duration::hours(2)));
        assert!(!secret_matches(&c, "obp_sbx_wrong", now));
        assert!(!secret_matches(&client(None, None), "", now));
    }
}
