//! TPP organisations.

use super::entities::organisations::{self as org, Entity};
use super::error::parse_id;
use super::{Page, StoreError};
use crate::domain::{OrganisationId, OrganisationStatus};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect,
};

/// A stored organisation.
#[derive(Clone, Debug)]
pub struct OrganisationRecord {
    /// Id.
    pub id: OrganisationId,
    /// Legal name, as submitted.
    pub legal_name: String,
    /// Where it stands.
    pub status: OrganisationStatus,
    /// Submitted form values (JSON object).
    pub profile: serde_json::Map<String, serde_json::Value>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    /// Its `org_id` in a trusted directory, when known from a software statement.
    pub directory_org_id: Option<String>,
    /// The directory (SSA issuer) that `directory_org_id` belongs to.
    pub directory_issuer: Option<String>,
    /// Its owner requires two-step sign-in of every member.
    pub require_mfa: bool,
}

fn from_model(m: org::Model) -> Result<OrganisationRecord, StoreError> {
    Ok(OrganisationRecord {
        id: parse_id(&m.id)?,
        legal_name: m.legal_name,
        status: OrganisationStatus::parse(&m.status).ok_or_else(|| {
            StoreError::Malformed(format!("unknown organisation status `{}`", m.status))
        })?,
        profile: serde_json::from_str(&m.profile)
            .map_err(|e| StoreError::Malformed(e.to_string()))?,
        created_at: m.created_at,
        updated_at: m.updated_at,
        directory_org_id: m.directory_org_id,
        directory_issuer: m.directory_issuer,
        require_mfa: m.require_mfa,
    })
}

/// Inserts a new organisation.
pub async fn insert(c: &impl ConnectionTrait, r: &OrganisationRecord) -> Result<(), StoreError> {
    let am = org::ActiveModel {
        id: Set(r.id.to_string()),
        legal_name: Set(r.legal_name.clone()),
        status: Set(r.status.as_str().into()),
        profile: Set(serde_json::Value::Object(r.profile.clone()).to_string()),
        created_at: Set(r.created_at),
        updated_at: Set(r.updated_at),
        directory_org_id: Set(r.directory_org_id.clone()),
        directory_issuer: Set(r.directory_issuer.clone()),
        require_mfa: Set(r.require_mfa),
    };
    Entity::insert(am).exec_without_returning(c).await?;
    Ok(())
}

/// One organisation.
pub async fn get(
    c: &impl ConnectionTrait,
    id: OrganisationId,
) -> Result<Option<OrganisationRecord>, StoreError> {
    Entity::find_by_id(id.to_string())
        .one(c)
        .await?
        .map(from_model)
        .transpose()
}

/// Sets the status.
pub async fn set_status(
    c: &impl ConnectionTrait,
    id: OrganisationId,
    status: OrganisationStatus,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    Entity::update_many()
        .col_expr(org::Column::Status, Expr::value(status.as_str()))
        .col_expr(org::Column::UpdatedAt, Expr::value(now))
        .filter(org::Column::Id.eq(id.to_string()))
        .exec(c)
        .await?;
    Ok(())
}

/// Sets whether members must use two-step sign-in.
pub async fn set_require_mfa(
    c: &impl ConnectionTrait,
    id: OrganisationId,
    require: bool,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    Entity::update_many()
        .col_expr(org::Column::RequireMfa, Expr::value(require))
        .col_expr(org::Column::UpdatedAt, Expr::value(now))
        .filter(org::Column::Id.eq(id.to_string()))
        .exec(c)
        .await?;
    Ok(())
}

/// Deletes an organisation that never got past email verification (a dropped signup). Returns
/// whether one was deleted.
pub async fn delete_unverified(
    c: &impl ConnectionTrait,
    id: OrganisationId,
) -> Result<bool, StoreError> {
    Ok(Entity::delete_many()
        .filter(org::Column::Id.eq(id.to_string()))
        .filter(org::Column::Status.eq(OrganisationStatus::Unverified.as_str()))
        .exec(c)
        .await?
        .rows_affected
        > 0)
}

/// Replaces the submitted profile (a resubmission).
pub async fn update_profile(
    c: &impl ConnectionTrait,
    id: OrganisationId,
    legal_name: &str,
    profile: &serde_json::Map<String, serde_json::Value>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    Entity::update_many()
        .col_expr(org::Column::LegalName, Expr::value(legal_name))
        .col_expr(
            org::Column::Profile,
            Expr::value(serde_json::Value::Object(profile.clone()).to_string()),
        )
        .col_expr(org::Column::UpdatedAt, Expr::value(now))
        .filter(org::Column::Id.eq(id.to_string()))
        .exec(c)
        .await?;
    Ok(())
}

/// Organisations, newest first, optionally with one status and a name containing `text`;
/// with the total count.
pub async fn list(
    c: &impl ConnectionTrait,
    status: Option<OrganisationStatus>,
    text: Option<&str>,
    page: Page,
) -> Result<(Vec<OrganisationRecord>, u64), StoreError> {
    let mut q = Entity::find();
    if let Some(s) = status {
        q = q.filter(org::Column::Status.eq(s.as_str()));
    }
    if let Some(t) = text {
        q = q.filter(org::Column::LegalName.contains(t));
    }
    let (rows, total) = super::newest_page(c, q, org::Column::CreatedAt, page).await?;
    let rows = rows.into_iter().map(from_model).collect::<Result<_, _>>()?;
    Ok((rows, total))
}

/// The organisation known by `org_id` in the directory `issuer`. Organisations stored before
/// issuers were recorded (no issuer) still match their `org_id`.
pub async fn find_by_directory_id(
    c: &impl ConnectionTrait,
    issuer: &str,
    org_id: &str,
) -> Result<Option<OrganisationRecord>, StoreError> {
    let exact = Entity::find()
        .filter(org::Column::DirectoryOrgId.eq(org_id))
        .filter(org::Column::DirectoryIssuer.eq(issuer))
        .one(c)
        .await?;
    let found = match exact {
        Some(m) => Some(m),
        None => {
            Entity::find()
                .filter(org::Column::DirectoryOrgId.eq(org_id))
                .filter(org::Column::DirectoryIssuer.is_null())
                .one(c)
                .await?
        }
    };
    found.map(from_model).transpose()
}

/// Which of `ids` are active.
pub async fn active_among(
    c: &impl ConnectionTrait,
    ids: &[OrganisationId],
) -> Result<std::collections::HashSet<OrganisationId>, StoreError> {
    if ids.is_empty() {
        return Ok(Default::default());
    }
    let rows: Vec<String> = Entity::find()
        .select_only()
        .column(org::Column::Id)
        .filter(org::Column::Id.is_in(ids.iter().map(|i| i.to_string())))
        .filter(org::Column::Status.eq(OrganisationStatus::Active.as_str()))
        .into_tuple()
        .all(c)
        .await?;
    rows.iter().map(|r| parse_id(r)).collect()
}

/// An organisation's legal name by stored id (empty when unknown), for listing rows.
pub(super) async fn legal_name(c: &impl ConnectionTrait, id: &str) -> Result<String, StoreError> {
    Ok(Entity::find_by_id(id.to_string())
        .select_only()
        .column(org::Column::LegalName)
        .into_tuple::<String>()
        .one(c)
        .await?
        .unwrap_or_default())
}
