//! Bank admins.

use super::StoreError;
use super::entities::admins::{self as admin, Entity};
use super::error::parse_id;
use crate::domain::{AdminId, AdminRole};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};

/// A stored admin.
#[derive(Clone, Debug)]
pub struct AdminRecord {
    /// Id.
    pub id: AdminId,
    /// Lower-case email.
    pub email: String,
    /// PHC-format argon2id hash.
    pub password_hash: String,
    /// Role.
    pub role: AdminRole,
    /// A disabled admin cannot sign in.
    pub disabled: bool,
    /// Created.
    pub created_at: DateTime<Utc>,
}

fn from_model(m: admin::Model) -> Result<AdminRecord, StoreError> {
    Ok(AdminRecord {
        id: parse_id(&m.id)?,
        email: m.email,
        password_hash: m.password_hash,
        role: m.role.parse().map_err(StoreError::Malformed)?,
        disabled: m.disabled,
        created_at: m.created_at,
    })
}

/// Inserts an admin; [`StoreError::Conflict`] when the email is taken.
pub async fn insert(c: &impl ConnectionTrait, r: &AdminRecord) -> Result<(), StoreError> {
    let am = admin::ActiveModel {
        id: Set(r.id.to_string()),
        email: Set(r.email.clone()),
        password_hash: Set(r.password_hash.clone()),
        role: Set(r.role.as_str().to_string()),
        disabled: Set(r.disabled),
        created_at: Set(r.created_at),
    };
    Entity::insert(am).exec_without_returning(c).await?;
    Ok(())
}

/// The admin with this (lower-case) email.
pub async fn find_by_email(
    c: &impl ConnectionTrait,
    email: &str,
) -> Result<Option<AdminRecord>, StoreError> {
    Entity::find()
        .filter(admin::Column::Email.eq(email))
        .one(c)
        .await?
        .map(from_model)
        .transpose()
}

/// One admin.
pub async fn get(c: &impl ConnectionTrait, id: AdminId) -> Result<Option<AdminRecord>, StoreError> {
    Entity::find_by_id(id.to_string())
        .one(c)
        .await?
        .map(from_model)
        .transpose()
}

/// Every admin that is not disabled, oldest first.
pub async fn list_active(c: &impl ConnectionTrait) -> Result<Vec<AdminRecord>, StoreError> {
    Entity::find()
        .filter(admin::Column::Disabled.eq(false))
        .order_by_asc(admin::Column::CreatedAt)
        .all(c)
        .await?
        .into_iter()
        .map(from_model)
        .collect()
}

/// Replaces an admin's password hash.
pub async fn set_password(
    c: &impl ConnectionTrait,
    id: AdminId,
    hash: &str,
) -> Result<(), StoreError> {
    Entity::update_many()
        .col_expr(
            admin::Column::PasswordHash,
            sea_orm::sea_query::Expr::value(hash),
        )
        .filter(admin::Column::Id.eq(id.to_string()))
        .exec(c)
        .await?;
    Ok(())
}
