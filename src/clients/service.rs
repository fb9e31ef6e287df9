//! Issuing, rotating, suspending and revoking clients. Every change is an audit event on the
//! client, which is its history.

use super::ClientError;
use super::model::{AuthMethod, ClientMetadata, ClientStatus, Environment, Origin};
use crate::audit;
use crate::domain::{Actor, ClientId, PlainToken, TokenHash};
use crate::store::applications::ApplicationRecord;
use crate::store::clients::ClientRecord;
use crate::store::{self, ConnectionTrait};
use chrono::{DateTime, Duration, Utc};

/// The longest grace period an old secret may keep after regeneration.
pub const MAX_GRACE: Duration = Duration::hours(24);

/// The metadata a portal client gets from its application.
pub fn metadata_for(app: &ApplicationRecord) -> ClientMetadata {
    ClientMetadata {
        client_name: app.name.clone(),
        logo_uri: app.logo_uri.clone(),
        redirect_uris: app.redirect_uris.clone(),
        token_endpoint_auth_method: app.auth_method.clone(),
        grant_types: vec!["client_credentials".into()],
        scope: app.scopes.join(" "),
        jwks_uri: app.jwks_uri.clone(),
        jwks: app
            .jwks
            .as_deref()
            .and_then(|j| serde_json::from_str(j).ok()),
        tls_client_auth_subject_dn: app.tls_subject_dn.clone(),
        software_id: Some(app.id.to_string()),
    }
}

/// A new active client of `app` in `env`, without a secret (portal and DCR clients alike).
pub fn new_record(
    app: &ApplicationRecord,
    env: Environment,
    origin: Origin,
    metadata: serde_json::Value,
    now: DateTime<Utc>,
) -> ClientRecord {
    ClientRecord {
        client_id: ClientId::generate(),
        application_id: app.id,
        organisation_id: app.organisation_id,
        environment: env.as_str().into(),
        origin: origin.as_str().into(),
        auth_method: app.auth_method.clone(),
        metadata,
        status: ClientStatus::Active.as_str().into(),
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

/// Issues an active client for an application in `env`, inside the caller's transaction.
pub async fn issue(
    c: &impl ConnectionTrait,
    app: &ApplicationRecord,
    env: Environment,
    origin: Origin,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<ClientRecord, ClientError> {
    let metadata = serde_json::to_value(metadata_for(app)).unwrap_or_default();
    let record = new_record(app, env, origin, metadata, now);
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
                "origin": origin.as_str(),
                "application": app.id.to_string(),
                "auth_method": app.auth_method,
            }),
            ip: None,
        },
        now,
    )
    .await?;
    Ok(record)
}

/// Makes a new secret for a secret-based client and returns it, to be shown once. The previous
/// secret stops now, or after `grace` (at most 24 hours).
pub async fn new_secret(
    c: &impl ConnectionTrait,
    client: &ClientRecord,
    grace: Duration,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<PlainToken, ClientError> {
    if client.status == ClientStatus::Revoked.as_str() {
        return Err(ClientError::Revoked);
    }
    if !AuthMethod::parse(&client.auth_method).is_some_and(AuthMethod::uses_secret) {
        return Err(ClientError::NotApplicable(format!(
            "This client authenticates with {}, not with a secret.",
            client.auth_method
        )));
    }
    let prefix = if client.environment == Environment::Production.as_str() {
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
    let from = ClientStatus::parse(&client.status).unwrap_or(ClientStatus::Pending);
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
    store::clients::set_status(c, &client.client_id, change.to.as_str(), now).await?;
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
    let (tx, gate) = st.begin().await?;
    let client = store::clients::get(&tx, id)
        .await?
        .ok_or(ClientError::NotFound)?;
    if change.to == ClientStatus::Active {
        let org = store::organisations::get(&tx, client.organisation_id).await?;
        if org.is_some_and(|o| o.status == "suspended") {
            return Err(ClientError::NotApplicable(
                "Its organisation is suspended: reactivate the organisation first.".into(),
            ));
        }
    }
    change_status(&tx, &client, change, actor, st.clock.now()).await?;
    tx.commit().await?;
    drop(gate);
    st.clients_changed();
    Ok(client)
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
            environment: "sandbox".into(),
            origin: "portal".into(),
            auth_method: "client_secret_basic".into(),
            metadata: serde_json::json!({}),
            status: "active".into(),
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
