//! Applications of TPP organisations.

use super::StoreError;
use super::entities::applications::{self as app, Entity};
use super::error::parse_id;
use crate::domain::client::ApplicationStatus;
use crate::domain::{ApplicationId, OrganisationId};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};

/// A stored application.
#[derive(Clone, Debug)]
pub struct ApplicationRecord {
    /// Id.
    pub id: ApplicationId,
    /// Owner.
    pub organisation_id: OrganisationId,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Logo URL.
    pub logo_uri: Option<String>,
    /// Redirect URIs.
    pub redirect_uris: Vec<String>,
    /// `token_endpoint_auth_method`.
    pub auth_method: String,
    /// JWKS URL.
    pub jwks_uri: Option<String>,
    /// Pasted JWKS (JSON text).
    pub jwks: Option<String>,
    /// Certificate subject DN.
    pub tls_subject_dn: Option<String>,
    /// Scopes.
    pub scopes: Vec<String>,
    /// Its lifecycle.
    pub status: ApplicationStatus,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Changed.
    pub updated_at: DateTime<Utc>,
}

fn json_list(s: &str) -> Result<Vec<String>, StoreError> {
    serde_json::from_str(s).map_err(|e| StoreError::Malformed(e.to_string()))
}

fn from_model(m: app::Model) -> Result<ApplicationRecord, StoreError> {
    Ok(ApplicationRecord {
        id: parse_id(&m.id)?,
        organisation_id: parse_id(&m.organisation_id)?,
        name: m.name,
        description: m.description,
        logo_uri: m.logo_uri,
        redirect_uris: json_list(&m.redirect_uris)?,
        auth_method: m.auth_method,
        jwks_uri: m.jwks_uri,
        jwks: m.jwks,
        tls_subject_dn: m.tls_subject_dn,
        scopes: json_list(&m.scopes)?,
        status: ApplicationStatus::parse(&m.status).ok_or_else(|| {
            StoreError::Malformed(format!("unknown application status `{}`", m.status))
        })?,
        created_at: m.created_at,
        updated_at: m.updated_at,
    })
}

fn to_active(r: &ApplicationRecord) -> app::ActiveModel {
    app::ActiveModel {
        id: Set(r.id.to_string()),
        organisation_id: Set(r.organisation_id.to_string()),
        name: Set(r.name.clone()),
        description: Set(r.description.clone()),
        logo_uri: Set(r.logo_uri.clone()),
        redirect_uris: Set(serde_json::json!(r.redirect_uris).to_string()),
        auth_method: Set(r.auth_method.clone()),
        jwks_uri: Set(r.jwks_uri.clone()),
        jwks: Set(r.jwks.clone()),
        tls_subject_dn: Set(r.tls_subject_dn.clone()),
        scopes: Set(serde_json::json!(r.scopes).to_string()),
        status: Set(r.status.as_str().into()),
        created_at: Set(r.created_at),
        updated_at: Set(r.updated_at),
    }
}

/// Inserts an application.
pub async fn insert(c: &impl ConnectionTrait, r: &ApplicationRecord) -> Result<(), StoreError> {
    Entity::insert(to_active(r))
        .exec_without_returning(c)
        .await?;
    Ok(())
}

/// An application's row, built ahead of a group commit, so that its values (JSON included) are made on the
/// request's thread rather than the writer's.
#[derive(Clone, Debug)]
pub struct ApplicationRow(app::ActiveModel);

impl ApplicationRow {
    /// The row of `r`.
    pub fn of(r: &ApplicationRecord) -> Self {
        Self(to_active(r))
    }
}

/// Stores many rows in one statement.
pub async fn insert_rows(
    c: &impl ConnectionTrait,
    rows: Vec<ApplicationRow>,
) -> Result<(), StoreError> {
    super::insert_all(c, rows.into_iter().map(|r| r.0).collect(), 1024).await
}

/// Replaces an application's settings (every column but id, owner and created).
pub async fn update(c: &impl ConnectionTrait, r: &ApplicationRecord) -> Result<(), StoreError> {
    let mut am = to_active(r);
    am.created_at = sea_orm::ActiveValue::NotSet;
    Entity::update(am).exec(c).await?;
    Ok(())
}

/// One application.
pub async fn get(
    c: &impl ConnectionTrait,
    id: ApplicationId,
) -> Result<Option<ApplicationRecord>, StoreError> {
    Entity::find_by_id(id.to_string())
        .one(c)
        .await?
        .map(from_model)
        .transpose()
}

/// An organisation's applications that are not deleted, oldest first.
pub async fn list_for_org(
    c: &impl ConnectionTrait,
    org: OrganisationId,
) -> Result<Vec<ApplicationRecord>, StoreError> {
    Entity::find()
        .filter(app::Column::OrganisationId.eq(org.to_string()))
        .filter(app::Column::Status.ne(ApplicationStatus::Deleted.as_str()))
        .order_by_asc(app::Column::CreatedAt)
        .all(c)
        .await?
        .into_iter()
        .map(from_model)
        .collect()
}

/// Applications, newest first, optionally of one organisation and with one status; with the
/// total count (the admin API's list).
pub async fn list(
    c: &impl ConnectionTrait,
    org: Option<OrganisationId>,
    status: Option<ApplicationStatus>,
    page: super::Page,
) -> Result<(Vec<ApplicationRecord>, u64), StoreError> {
    let mut q = Entity::find();
    if let Some(o) = org {
        q = q.filter(app::Column::OrganisationId.eq(o.to_string()));
    }
    if let Some(s) = status {
        q = q.filter(app::Column::Status.eq(s.as_str()));
    }
    let (rows, total) = super::newest_page(c, q, app::Column::CreatedAt, page).await?;
    let rows = rows.into_iter().map(from_model).collect::<Result<_, _>>()?;
    Ok((rows, total))
}

/// Sets the status.
pub async fn set_status(
    c: &impl ConnectionTrait,
    id: ApplicationId,
    status: ApplicationStatus,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    Entity::update_many()
        .col_expr(app::Column::Status, Expr::value(status.as_str()))
        .col_expr(app::Column::UpdatedAt, Expr::value(now))
        .filter(app::Column::Id.eq(id.to_string()))
        .exec(c)
        .await?;
    Ok(())
}
