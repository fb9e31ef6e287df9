//! Portal (TPP) users.

use super::StoreError;
use super::entities::portal_users::{self as user, Entity};
use super::error::parse_id;
use crate::domain::{OrganisationId, UserId};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};

/// A stored portal user.
#[derive(Clone, Debug)]
pub struct UserRecord {
    /// Id.
    pub id: UserId,
    /// The organisation the user belongs to.
    pub organisation_id: OrganisationId,
    /// Lower-case email.
    pub email: String,
    /// PHC-format argon2id hash.
    pub password_hash: String,
    /// `owner` or `developer`.
    pub role: String,
    /// When the email was verified.
    pub email_verified_at: Option<DateTime<Utc>>,
    /// Created.
    pub created_at: DateTime<Utc>,
}

fn from_model(m: user::Model) -> Result<UserRecord, StoreError> {
    Ok(UserRecord {
        id: parse_id(&m.id)?,
        organisation_id: parse_id(&m.organisation_id)?,
        email: m.email,
        password_hash: m.password_hash,
        role: m.role,
        email_verified_at: m.email_verified_at,
        created_at: m.created_at,
    })
}

/// Inserts a user; [`StoreError::Conflict`] when the email is taken.
pub async fn insert(c: &impl ConnectionTrait, r: &UserRecord) -> Result<(), StoreError> {
    let am = user::ActiveModel {
        id: Set(r.id.to_string()),
        organisation_id: Set(r.organisation_id.to_string()),
        email: Set(r.email.clone()),
        password_hash: Set(r.password_hash.clone()),
        role: Set(r.role.clone()),
        email_verified_at: Set(r.email_verified_at),
        created_at: Set(r.created_at),
        updated_at: Set(r.created_at),
    };
    Entity::insert(am).exec_without_returning(c).await?;
    Ok(())
}

/// The user with this (lower-case) email.
pub async fn find_by_email(
    c: &impl ConnectionTrait,
    email: &str,
) -> Result<Option<UserRecord>, StoreError> {
    Entity::find()
        .filter(user::Column::Email.eq(email))
        .one(c)
        .await?
        .map(from_model)
        .transpose()
}

/// One user.
pub async fn get(c: &impl ConnectionTrait, id: UserId) -> Result<Option<UserRecord>, StoreError> {
    Entity::find_by_id(id.to_string())
        .one(c)
        .await?
        .map(from_model)
        .transpose()
}

/// The members of an organisation, oldest first.
pub async fn list_by_org(
    c: &impl ConnectionTrait,
    org: OrganisationId,
) -> Result<Vec<UserRecord>, StoreError> {
    Entity::find()
        .filter(user::Column::OrganisationId.eq(org.to_string()))
        .order_by_asc(user::Column::CreatedAt)
        .all(c)
        .await?
        .into_iter()
        .map(from_model)
        .collect()
}

/// Marks the email verified (once).
pub async fn mark_verified(
    c: &impl ConnectionTrait,
    id: UserId,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    Entity::update_many()
        .col_expr(user::Column::EmailVerifiedAt, Expr::value(now))
        .col_expr(user::Column::UpdatedAt, Expr::value(now))
        .filter(user::Column::Id.eq(id.to_string()))
        .filter(user::Column::EmailVerifiedAt.is_null())
        .exec(c)
        .await?;
    Ok(())
}

/// Replaces the password hash.
pub async fn set_password(
    c: &impl ConnectionTrait,
    id: UserId,
    hash: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    Entity::update_many()
        .col_expr(user::Column::PasswordHash, Expr::value(hash))
        .col_expr(user::Column::UpdatedAt, Expr::value(now))
        .filter(user::Column::Id.eq(id.to_string()))
        .exec(c)
        .await?;
    Ok(())
}

/// Removes a user (a member taken off a team).
pub async fn delete(c: &impl ConnectionTrait, id: UserId) -> Result<(), StoreError> {
    Entity::delete_by_id(id.to_string()).exec(c).await?;
    Ok(())
}
