//! The one store of OAuth clients.

use super::entities::clients::{self as cl, Entity};
use super::entities::organisations::{self as org, Entity as Orgs};
use super::error::parse_id;
use super::{Page, StoreError};
use crate::domain::client::{AuthMethod, ClientStatus, Environment, Origin};
use crate::domain::{ApplicationId, ClientId, OrganisationId};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect,
};

/// A stored client.
#[derive(Clone, Debug)]
pub struct ClientRecord {
    /// The client id.
    pub client_id: ClientId,
    /// Its application.
    pub application_id: ApplicationId,
    /// Its organisation.
    pub organisation_id: OrganisationId,
    /// Where it works.
    pub environment: Environment,
    /// How it came to be.
    pub origin: Origin,
    /// `token_endpoint_auth_method`.
    pub auth_method: AuthMethod,
    /// Registered metadata (JSON object).
    pub metadata: serde_json::Value,
    /// Its lifecycle.
    pub status: ClientStatus,
    /// The status to restore when its organisation is reactivated.
    pub status_before_suspension: Option<ClientStatus>,
    /// SHA-256 of the current secret.
    pub secret_hash: Option<String>,
    /// The secret's first characters, for people to recognise it.
    pub secret_hint: Option<String>,
    /// When the current secret was made.
    pub secret_created_at: Option<DateTime<Utc>>,
    /// SHA-256 of the previous secret, during its grace period.
    pub previous_secret_hash: Option<String>,
    /// End of the previous secret's grace period.
    pub previous_secret_expires_at: Option<DateTime<Utc>>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Changed.
    pub updated_at: DateTime<Utc>,
}

/// Parses a stored enumeration value.
fn parse<T>(what: &str, raw: &str, f: impl Fn(&str) -> Option<T>) -> Result<T, StoreError> {
    f(raw).ok_or_else(|| StoreError::Malformed(format!("unknown client {what} `{raw}`")))
}

fn from_model(m: cl::Model) -> Result<ClientRecord, StoreError> {
    Ok(ClientRecord {
        environment: parse("environment", &m.environment, Environment::parse)?,
        origin: parse("origin", &m.origin, Origin::parse)?,
        auth_method: parse("auth method", &m.auth_method, AuthMethod::parse)?,
        status: parse("status", &m.status, ClientStatus::parse)?,
        status_before_suspension: m
            .status_before_suspension
            .as_deref()
            .map(|s| parse("status", s, ClientStatus::parse))
            .transpose()?,
        client_id: ClientId(m.client_id),
        application_id: parse_id(&m.application_id)?,
        organisation_id: parse_id(&m.organisation_id)?,
        metadata: serde_json::from_str(&m.metadata)
            .map_err(|e| StoreError::Malformed(e.to_string()))?,
        secret_hash: m.secret_hash,
        secret_hint: m.secret_hint,
        secret_created_at: m.secret_created_at,
        previous_secret_hash: m.previous_secret_hash,
        previous_secret_expires_at: m.previous_secret_expires_at,
        created_at: m.created_at,
        updated_at: m.updated_at,
    })
}

/// The row of a client.
fn to_active(r: &ClientRecord) -> cl::ActiveModel {
    cl::ActiveModel {
        client_id: Set(r.client_id.0.clone()),
        application_id: Set(r.application_id.to_string()),
        organisation_id: Set(r.organisation_id.to_string()),
        environment: Set(r.environment.as_str().into()),
        origin: Set(r.origin.as_str().into()),
        auth_method: Set(r.auth_method.as_str().into()),
        metadata: Set(r.metadata.to_string()),
        status: Set(r.status.as_str().into()),
        status_before_suspension: Set(r.status_before_suspension.map(|s| s.as_str().into())),
        secret_hash: Set(r.secret_hash.clone()),
        secret_hint: Set(r.secret_hint.clone()),
        secret_created_at: Set(r.secret_created_at),
        previous_secret_hash: Set(r.previous_secret_hash.clone()),
        previous_secret_expires_at: Set(r.previous_secret_expires_at),
        created_at: Set(r.created_at),
        updated_at: Set(r.updated_at),
    }
}

/// Stores a new client.
pub async fn insert(c: &impl ConnectionTrait, r: &ClientRecord) -> Result<(), StoreError> {
    Entity::insert(to_active(r))
        .exec_without_returning(c)
        .await?;
    Ok(())
}

/// A client's row, built ahead of a group commit, so that its values (JSON included) are made on the
/// request's thread rather than the writer's.
#[derive(Clone, Debug)]
pub struct NewClientRow(cl::ActiveModel);

impl NewClientRow {
    /// The row of `r`.
    pub fn of(r: &ClientRecord) -> Self {
        Self(to_active(r))
    }
}

/// Stores many rows in one statement.
pub async fn insert_rows(
    c: &impl ConnectionTrait,
    rows: Vec<NewClientRow>,
) -> Result<(), StoreError> {
    // A DCR client's metadata carries its software statement: a row is about 3 KiB.
    super::insert_all(c, rows.into_iter().map(|r| r.0).collect(), 4096).await
}

/// One client.
pub async fn get(
    c: &impl ConnectionTrait,
    id: &ClientId,
) -> Result<Option<ClientRecord>, StoreError> {
    // No client id holds a NUL (PostgreSQL cannot even compare one).
    if id.0.contains('\0') {
        return Ok(None);
    }
    Entity::find_by_id(id.0.clone())
        .one(c)
        .await?
        .map(from_model)
        .transpose()
}

/// An application's clients, newest first.
pub async fn for_application(
    c: &impl ConnectionTrait,
    app: ApplicationId,
) -> Result<Vec<ClientRecord>, StoreError> {
    Entity::find()
        .filter(cl::Column::ApplicationId.eq(app.to_string()))
        .order_by_desc(cl::Column::CreatedAt)
        .all(c)
        .await?
        .into_iter()
        .map(from_model)
        .collect()
}

/// An organisation's clients, newest first.
pub async fn for_organisation(
    c: &impl ConnectionTrait,
    org: OrganisationId,
) -> Result<Vec<ClientRecord>, StoreError> {
    Entity::find()
        .filter(cl::Column::OrganisationId.eq(org.to_string()))
        .order_by_desc(cl::Column::CreatedAt)
        .all(c)
        .await?
        .into_iter()
        .map(from_model)
        .collect()
}

/// Sets a client's status.
pub async fn set_status(
    c: &impl ConnectionTrait,
    id: &ClientId,
    status: ClientStatus,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    Entity::update_many()
        .col_expr(cl::Column::Status, Expr::value(status.as_str()))
        .col_expr(cl::Column::UpdatedAt, Expr::value(now))
        .filter(cl::Column::ClientId.eq(id.0.clone()))
        .exec(c)
        .await?;
    Ok(())
}

/// Replaces the secret; the old one stays valid until `previous_until` (or stops now).
pub async fn set_secret(
    c: &impl ConnectionTrait,
    id: &ClientId,
    hash: &str,
    hint: &str,
    previous: Option<(String, DateTime<Utc>)>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let (prev_hash, prev_until) = match previous {
        Some((h, t)) => (Some(h), Some(t)),
        None => (None, None),
    };
    Entity::update_many()
        .col_expr(cl::Column::SecretHash, Expr::value(hash))
        .col_expr(cl::Column::SecretHint, Expr::value(hint))
        .col_expr(cl::Column::SecretCreatedAt, Expr::value(now))
        .col_expr(cl::Column::PreviousSecretHash, Expr::value(prev_hash))
        .col_expr(cl::Column::PreviousSecretExpiresAt, Expr::value(prev_until))
        .col_expr(cl::Column::UpdatedAt, Expr::value(now))
        .filter(cl::Column::ClientId.eq(id.0.clone()))
        .exec(c)
        .await?;
    Ok(())
}

/// Replaces the registered metadata (and the auth method it names).
pub async fn set_metadata(
    c: &impl ConnectionTrait,
    id: &ClientId,
    auth_method: AuthMethod,
    metadata: &serde_json::Value,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    Entity::update_many()
        .col_expr(cl::Column::AuthMethod, Expr::value(auth_method.as_str()))
        .col_expr(cl::Column::Metadata, Expr::value(metadata.to_string()))
        .col_expr(cl::Column::UpdatedAt, Expr::value(now))
        .filter(cl::Column::ClientId.eq(id.0.clone()))
        .exec(c)
        .await?;
    Ok(())
}

/// Suspends every active client of an organisation, remembering that they were active.
pub async fn suspend_for_org(
    c: &impl ConnectionTrait,
    org: OrganisationId,
    now: DateTime<Utc>,
) -> Result<u64, StoreError> {
    Ok(Entity::update_many()
        .col_expr(cl::Column::StatusBeforeSuspension, Expr::value("active"))
        .col_expr(cl::Column::Status, Expr::value("suspended"))
        .col_expr(cl::Column::UpdatedAt, Expr::value(now))
        .filter(cl::Column::OrganisationId.eq(org.to_string()))
        .filter(cl::Column::Status.eq("active"))
        .exec(c)
        .await?
        .rows_affected)
}

/// Restores the clients an organisation's suspension stopped.
pub async fn restore_for_org(
    c: &impl ConnectionTrait,
    org: OrganisationId,
    now: DateTime<Utc>,
) -> Result<u64, StoreError> {
    Ok(Entity::update_many()
        .col_expr(cl::Column::Status, Expr::value("active"))
        .col_expr(
            cl::Column::StatusBeforeSuspension,
            Expr::value(Option::<String>::None),
        )
        .col_expr(cl::Column::UpdatedAt, Expr::value(now))
        .filter(cl::Column::OrganisationId.eq(org.to_string()))
        .filter(cl::Column::Status.eq("suspended"))
        .filter(cl::Column::StatusBeforeSuspension.eq("active"))
        .exec(c)
        .await?
        .rows_affected)
}

/// The console's client search.
#[derive(Clone, Debug, Default)]
pub struct ClientFilter {
    /// Client id or organisation name containing this text.
    pub text: Option<String>,
    /// How it came to be.
    pub origin: Option<Origin>,
    /// Where it works.
    pub environment: Option<Environment>,
    /// A status.
    pub status: Option<ClientStatus>,
    /// One organisation's clients only.
    pub organisation: Option<OrganisationId>,
}

/// A client with its organisation's legal name.
#[derive(Clone, Debug)]
pub struct ClientRow {
    /// The client.
    pub client: ClientRecord,
    /// Its organisation's legal name.
    pub legal_name: String,
}

/// Clients matching the filter, newest first, with the total count.
pub async fn search(
    c: &impl ConnectionTrait,
    f: &ClientFilter,
    page: Page,
) -> Result<(Vec<ClientRow>, u64), StoreError> {
    let mut q = Entity::find();
    if let Some(t) = f.text.as_deref().filter(|t| !t.is_empty()) {
        let org_ids: Vec<String> = Orgs::find()
            .select_only()
            .column(org::Column::Id)
            .filter(org::Column::LegalName.contains(t))
            .into_tuple::<String>()
            .all(c)
            .await?;
        q = q.filter(
            Condition::any()
                .add(cl::Column::ClientId.contains(t))
                .add(cl::Column::OrganisationId.is_in(org_ids)),
        );
    }
    if let Some(o) = f.origin {
        q = q.filter(cl::Column::Origin.eq(o.as_str()));
    }
    if let Some(e) = f.environment {
        q = q.filter(cl::Column::Environment.eq(e.as_str()));
    }
    if let Some(s) = f.status {
        q = q.filter(cl::Column::Status.eq(s.as_str()));
    }
    if let Some(o) = f.organisation {
        q = q.filter(cl::Column::OrganisationId.eq(o.to_string()));
    }
    let total = q.clone().count(c).await?;
    let rows = q
        .order_by_desc(cl::Column::CreatedAt)
        .offset(page.offset())
        .limit(page.size)
        .all(c)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for m in rows {
        let legal_name = super::organisations::legal_name(c, &m.organisation_id).await?;
        out.push(ClientRow {
            client: from_model(m)?,
            legal_name,
        });
    }
    Ok((out, total))
}
