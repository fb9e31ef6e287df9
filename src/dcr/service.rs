//! Register, read, update and delete into the one client store: the organisation is found by
//! the statement's `org_id` or created from its claims; every registration is an application of
//! its own with one client (`origin = dcr`, decision 16). Registrations of known organisations
//! are group-committed ([`crate::store::group_commit`]); everything else runs in a transaction
//! of its own.

use super::request::{self, Request};
use super::response::{self, Registration};
use super::{DcrError, Version, binding, orgs, policy};
use crate::audit;
use crate::clients::ApplicationStatus;
use crate::clients::service::{self as clients, StatusChange};
use crate::clients::{AuthMethod, ClientStatus, Origin};
use crate::domain::{Actor, ApplicationId, ClientId, OrganisationId};
use crate::oauth::presented::Presented;
use crate::oauth::token;
use crate::state::AppState;
use crate::store;
use crate::store::applications::ApplicationRecord;
use crate::store::clients::ClientRecord;
use crate::store::group_commit::{NewClient, Outcome, Write};
use crate::unit_of_work::UnitOfWork;
use chrono::{DateTime, Duration, Utc};
use serde_json::{Map, Value, json};

fn https(v: Option<&str>) -> Option<String> {
    v.filter(|u| u.starts_with("https://")).map(str::to_string)
}

fn application_of(
    req: &Request,
    meta: &Map<String, Value>,
    org: OrganisationId,
    id: ApplicationId,
    now: DateTime<Utc>,
) -> ApplicationRecord {
    let ssa = &req.ssa;
    let str_of = |k: &str| meta.get(k).and_then(Value::as_str).map(str::to_string);
    ApplicationRecord {
        id,
        organisation_id: org,
        name: str_of("client_name").unwrap_or_else(|| ssa.software_id().to_string()),
        description: ssa
            .str("software_client_description")
            .unwrap_or_default()
            .to_string(),
        logo_uri: https(ssa.str("software_logo_uri")),
        redirect_uris: meta
            .get("redirect_uris")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|u| u.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default(),
        auth_method: str_of("token_endpoint_auth_method").unwrap_or_default(),
        jwks_uri: str_of("jwks_uri"),
        jwks: None,
        tls_subject_dn: str_of("tls_client_auth_subject_dn"),
        scopes: str_of("scope")
            .unwrap_or_default()
            .split_whitespace()
            .map(str::to_string)
            .collect(),
        status: ApplicationStatus::Active,
        created_at: now,
        updated_at: now,
    }
}

fn stored_metadata(req: &Request, mut meta: Map<String, Value>) -> Value {
    meta.insert("software_statement".into(), json!(req.ssa.token));
    Value::Object(meta)
}

async fn checked(
    st: &AppState,
    version: Version,
    body: &str,
    cert: Option<&Presented>,
) -> Result<(Request, Map<String, Value>), DcrError> {
    let req = request::verify(st, body).await?;
    let meta = policy::validate(&req.claims, &req.ssa, &st.settings.dcr, version)?;
    // The bank's production methods (`keys.production_auth_methods`) bind DCR as well: a
    // production client is never registered with a method its token requests would fail on.
    if let Some(m) = meta
        .get("token_endpoint_auth_method")
        .and_then(Value::as_str)
        .and_then(AuthMethod::parse)
    {
        crate::clients::policy::method_allowed(&st.settings.keys, req.ssa.environment(), m)
            .map_err(DcrError::Metadata)?;
    }
    let dn = meta
        .get("tls_client_auth_subject_dn")
        .and_then(Value::as_str)
        .map(str::to_string);
    binding::check(st, &req.ssa, cert, dn.as_deref()).await?;
    super::cert_status::check(st, cert).await?;
    let scope = meta
        .get("scope")
        .and_then(Value::as_str)
        .unwrap_or_default();
    binding::check_roles(cert, scope)?;
    Ok((req, meta))
}

/// The application and client a registration makes.
fn new_client(
    req: &Request,
    meta: Map<String, Value>,
    org: OrganisationId,
    now: DateTime<Utc>,
) -> (ApplicationRecord, ClientRecord) {
    let app = application_of(req, &meta, org, ApplicationId::new(), now);
    let client = clients::new_record(
        &app,
        req.ssa.environment(),
        Origin::Dcr,
        AuthMethod::parse(&app.auth_method).unwrap_or(AuthMethod::TlsClientAuth),
        stored_metadata(req, meta),
        now,
    );
    (app, client)
}

fn registered_event<'a>(
    req: &Request,
    client: &ClientRecord,
    ip: Option<String>,
    actor: &'a Actor,
) -> audit::Event<'a> {
    audit::Event {
        actor,
        action: "client.registered",
        subject_type: "client",
        subject_id: client.client_id.to_string(),
        organisation: Some(client.organisation_id),
        detail: json!({ "software_id": req.ssa.software_id(), "issuer": req.ssa.str("iss"), "environment": client.environment }),
        ip,
    }
}

/// Spends the request's single-use ids on their own (for the paths that write in their own
/// transaction).
async fn spend_ids(st: &AppState, req: &Request) -> Result<(), DcrError> {
    let write = Write {
        claims: req.once.clone(),
        rows: None,
    };
    match st.writes.submit(write).await? {
        Outcome::Replayed => Err(request::replayed(st, req).await),
        _ => Ok(()),
    }
}

/// `POST /register`: a new client; the response JSON. The usual case (a known organisation, a
/// method without a secret) is committed with other registrations in one group commit; the
/// rest in a transaction of its own. New clients need no client-cache invalidation: the cache
/// never holds misses.
pub async fn register(
    st: &AppState,
    version: Version,
    body: &str,
    cert: Option<&Presented>,
    ip: Option<String>,
) -> Result<Registration, DcrError> {
    let (req, meta) = checked(st, version, body, cert).await?;
    let now = st.clock.now();
    let secret = meta
        .get("token_endpoint_auth_method")
        .and_then(Value::as_str)
        .and_then(AuthMethod::parse)
        .is_some_and(AuthMethod::uses_secret);
    match orgs::known_cached(st, &req).await? {
        Some(org) if !secret => {
            let (application, client) = new_client(&req, meta, org.id, now);
            let event = audit::row(registered_event(&req, &client, ip, &Actor::System), now);
            let write = Write {
                claims: req.once.clone(),
                rows: Some(NewClient::new(&application, &client, &[event])),
            };
            match st.writes.submit(write).await? {
                Outcome::Committed => response::of(&client, None, Some(req.ssa.claims())),
                Outcome::Replayed => Err(request::replayed(st, &req).await),
                Outcome::OrganisationInactive => {
                    st.dcr_orgs.invalidate();
                    Err(DcrError::Unapproved(format!(
                        "Organisation {} is no longer active at this bank, so it cannot register software.",
                        req.ssa.org_id()
                    )))
                }
            }
        }
        _ => register_alone(st, &req, meta, ip, now).await,
    }
}

/// A registration in a transaction of its own: it may create the organisation or a secret.
async fn register_alone(
    st: &AppState,
    req: &Request,
    meta: Map<String, Value>,
    ip: Option<String>,
    now: DateTime<Utc>,
) -> Result<Registration, DcrError> {
    spend_ids(st, req).await?;
    let uow = UnitOfWork::begin(st).await?;
    let tx = &uow.tx;
    let org = match orgs::known(tx, req).await? {
        Some(org) => org,
        None => orgs::create(tx, req, now).await?,
    };
    let (app, client) = new_client(req, meta, org.id, now);
    store::applications::insert(tx, &app).await?;
    store::clients::insert(tx, &client).await?;
    let actor = Actor::System;
    let secret = if client.auth_method.uses_secret() {
        Some(
            clients::new_secret(
                tx,
                &st.settings.keys,
                &client,
                Duration::zero(),
                &actor,
                now,
            )
            .await
            .map_err(|e| DcrError::Server(format!("{e:?}")))?,
        )
    } else {
        None
    };
    audit::record(tx, registered_event(req, &client, ip, &actor), now).await?;
    uow.commit(st).await?;
    response::of(
        &client,
        secret.as_ref().map(|s| s.expose()),
        Some(req.ssa.claims()),
    )
}

/// The DCR client a management call names, authorised by that client's own access token over
/// the same certificate (decisions 9 and 20).
pub async fn authorise(
    st: &AppState,
    id: &str,
    bearer: Option<&str>,
    cert: Option<&[u8]>,
) -> Result<ClientRecord, DcrError> {
    let token = bearer.ok_or(DcrError::MissingToken)?;
    let at = token::verify(st, token, cert, None)
        .await
        .map_err(|e| DcrError::InvalidToken(format!("The access token is not valid: {}.", e.0)))?;
    if at.client.client_id.as_str() != id {
        let named = store::clients::get(&st.db, &ClientId(id.to_string())).await?;
        if named.is_none_or(|c| c.status == ClientStatus::Revoked) {
            // OB DCR: a management call naming an unknown client revokes the token presented.
            token::revoke_presented(st, token, "DCR management call for an unknown client").await;
            return Err(DcrError::InvalidToken(
                "Unknown client: the access token presented is now revoked.".into(),
            ));
        }
        return Err(DcrError::InvalidToken(
            "The access token was issued to another client.".into(),
        ));
    }
    if at.client.origin != Origin::Dcr {
        return Err(DcrError::InvalidToken(
            "This client was not registered through DCR.".into(),
        ));
    }
    Ok(at.client)
}

/// `GET /register/{id}`.
pub async fn read(
    st: &AppState,
    id: &str,
    bearer: Option<&str>,
    cert: Option<&[u8]>,
) -> Result<Registration, DcrError> {
    let client = authorise(st, id, bearer, cert).await?;
    response::of(&client, None, None)
}

/// `PUT /register/{id}`: the same checks as a registration; the software may not change; tokens
/// stay valid.
pub async fn update(
    st: &AppState,
    version: Version,
    id: &str,
    bearer: Option<&str>,
    cert: Option<&Presented>,
    body: &str,
    ip: Option<String>,
) -> Result<Registration, DcrError> {
    let client = authorise(st, id, bearer, cert.map(Presented::der)).await?;
    let (req, meta) = checked(st, version, body, cert).await?;
    if let Some(asked) = req.claims.get("client_id")
        && asked.as_str() != Some(id)
    {
        return Err(DcrError::Metadata(
            "client_id in the request does not match the client in the URL.".into(),
        ));
    }
    let stored_software = client
        .metadata
        .get("software_id")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if stored_software != req.ssa.software_id() {
        return Err(DcrError::Metadata(
            "software_id cannot change: register the other software separately.".into(),
        ));
    }
    spend_ids(st, &req).await?;
    let now = st.clock.now();
    let mut uow = UnitOfWork::begin(st).await?;
    let tx = &uow.tx;
    let mut app = application_of(
        &req,
        &meta,
        client.organisation_id,
        client.application_id,
        now,
    );
    if let Some(old) = store::applications::get(tx, client.application_id).await? {
        app.created_at = old.created_at;
    }
    store::applications::update(tx, &app).await?;
    let metadata = stored_metadata(&req, meta);
    let method = AuthMethod::parse(&app.auth_method).unwrap_or(client.auth_method);
    store::clients::set_metadata(tx, &client.client_id, method, &metadata, now).await?;
    audit::record(
        tx,
        audit::Event {
            actor: &Actor::System,
            action: "client.updated_by_dcr",
            subject_type: "client",
            subject_id: client.client_id.to_string(),
            organisation: Some(client.organisation_id),
            detail: json!({ "software_id": req.ssa.software_id() }),
            ip,
        },
        now,
    )
    .await?;
    uow.touches_clients();
    uow.commit(st).await?;
    let updated = store::clients::get(&st.db, &client.client_id)
        .await?
        .ok_or_else(|| DcrError::Server("client vanished".into()))?;
    response::of(&updated, None, Some(req.ssa.claims()))
}

/// `DELETE /register/{id}`: the client is revoked (so are its tokens) and its application
/// deleted.
pub async fn delete(
    st: &AppState,
    id: &str,
    bearer: Option<&str>,
    cert: Option<&[u8]>,
    ip: Option<String>,
) -> Result<(), DcrError> {
    let client = authorise(st, id, bearer, cert).await?;
    let now = st.clock.now();
    let mut uow = UnitOfWork::begin(st).await?;
    let tx = &uow.tx;
    let change = StatusChange {
        to: ClientStatus::Revoked,
        comment: "deleted through DCR",
        ip,
    };
    clients::change_status(tx, &client, change, &Actor::System, now)
        .await
        .map_err(|e| DcrError::Server(format!("{e:?}")))?;
    store::applications::set_status(tx, client.application_id, ApplicationStatus::Deleted, now)
        .await?;
    uow.touches_clients();
    uow.commit(st).await?;
    Ok(())
}
