//! Software made in Onramp's sandbox directory.

use super::StoreError;
use super::entities::sandbox_software::{self as sw, Entity};
use super::error::parse_id;
use crate::domain::OrganisationId;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};

/// A stored piece of sandbox software.
#[derive(Clone, Debug)]
pub struct SandboxSoftwareRecord {
    /// `software_id` (a UUID without dashes).
    pub software_id: String,
    /// Owner.
    pub organisation_id: OrganisationId,
    /// `software_client_name`.
    pub client_name: String,
    /// `software_redirect_uris`.
    pub redirect_uris: Vec<String>,
    /// `software_roles`.
    pub roles: Vec<String>,
    /// The public JWKS the directory hosts (signing key and transport certificate).
    pub jwks: serde_json::Value,
    /// The transport certificate the sandbox CA issued (PEM).
    pub certificate_pem: String,
    /// Who made it (an email).
    pub created_by: String,
    /// Made.
    pub created_at: DateTime<Utc>,
    /// Retired: its JWKS is no longer served.
    pub retired_at: Option<DateTime<Utc>>,
}

fn json<T: serde::de::DeserializeOwned>(s: &str) -> Result<T, StoreError> {
    serde_json::from_str(s).map_err(|e| StoreError::Malformed(e.to_string()))
}

fn from_model(m: sw::Model) -> Result<SandboxSoftwareRecord, StoreError> {
    Ok(SandboxSoftwareRecord {
        software_id: m.software_id,
        organisation_id: parse_id(&m.organisation_id)?,
        client_name: m.client_name,
        redirect_uris: json(&m.redirect_uris)?,
        roles: json(&m.roles)?,
        jwks: json(&m.jwks)?,
        certificate_pem: m.certificate_pem,
        created_by: m.created_by,
        created_at: m.created_at,
        retired_at: m.retired_at,
    })
}

/// Stores new software.
pub async fn insert(c: &impl ConnectionTrait, r: &SandboxSoftwareRecord) -> Result<(), StoreError> {
    let am = sw::ActiveModel {
        software_id: Set(r.software_id.clone()),
        organisation_id: Set(r.organisation_id.to_string()),
        client_name: Set(r.client_name.clone()),
        redirect_uris: Set(serde_json::to_string(&r.redirect_uris).unwrap_or_default()),
        roles: Set(serde_json::to_string(&r.roles).unwrap_or_default()),
        jwks: Set(r.jwks.to_string()),
        certificate_pem: Set(r.certificate_pem.clone()),
        created_by: Set(r.created_by.clone()),
        created_at: Set(r.created_at),
        retired_at: Set(r.retired_at),
    };
    Entity::insert(am).exec_without_returning(c).await?;
    Ok(())
}

/// One piece of software by id, retired or not.
pub async fn get(
    c: &impl ConnectionTrait,
    software_id: &str,
) -> Result<Option<SandboxSoftwareRecord>, StoreError> {
    Entity::find_by_id(software_id.to_string())
        .one(c)
        .await?
        .map(from_model)
        .transpose()
}

/// An organisation's software, newest first.
pub async fn for_organisation(
    c: &impl ConnectionTrait,
    org: OrganisationId,
) -> Result<Vec<SandboxSoftwareRecord>, StoreError> {
    Entity::find()
        .filter(sw::Column::OrganisationId.eq(org.to_string()))
        .order_by_desc(sw::Column::CreatedAt)
        .all(c)
        .await?
        .into_iter()
        .map(from_model)
        .collect()
}

/// Retires software of `org` (its JWKS stops being served); false when there was none to retire.
pub async fn retire(
    c: &impl ConnectionTrait,
    org: OrganisationId,
    software_id: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let res = Entity::update_many()
        .col_expr(sw::Column::RetiredAt, Expr::value(now))
        .filter(sw::Column::SoftwareId.eq(software_id))
        .filter(sw::Column::OrganisationId.eq(org.to_string()))
        .filter(sw::Column::RetiredAt.is_null())
        .exec(c)
        .await?;
    Ok(res.rows_affected == 1)
}
