//! Server secrets generated once and shared by every node (the session cookie key).

use super::StoreError;
use super::entities::server_secrets::{self as sec, Entity};
use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};

/// Returns the secret `name`, storing `generate()` first if there is none. Two nodes racing at
/// first start both end up with the value that won the insert.
pub async fn get_or_create(
    c: &impl ConnectionTrait,
    name: &str,
    generate: impl FnOnce() -> String,
    now: DateTime<Utc>,
) -> Result<String, StoreError> {
    if let Some(m) = Entity::find_by_id(name.to_string()).one(c).await? {
        return Ok(m.value);
    }
    let am = sec::ActiveModel {
        name: Set(name.to_string()),
        value: Set(generate()),
        created_at: Set(now),
    };
    match Entity::insert(am).exec_without_returning(c).await {
        Ok(_) | Err(sea_orm::DbErr::RecordNotInserted) => {}
        Err(e) => {
            let e = StoreError::from(e);
            if !matches!(e, StoreError::Conflict) {
                return Err(e);
            }
        }
    }
    Entity::find_by_id(name.to_string())
        .one(c)
        .await?
        .map(|m| m.value)
        .ok_or_else(|| StoreError::Malformed(format!("secret {name} vanished")))
}

/// The stored value of secret `name`, if any.
pub async fn get(c: &impl ConnectionTrait, name: &str) -> Result<Option<String>, StoreError> {
    Ok(Entity::find_by_id(name.to_string())
        .one(c)
        .await?
        .map(|m| m.value))
}

/// Replaces the stored value of secret `name` (re-encrypted).
pub async fn set(c: &impl ConnectionTrait, name: &str, value: &str) -> Result<(), StoreError> {
    use sea_orm::{ColumnTrait, QueryFilter};
    Entity::update_many()
        .col_expr(sec::Column::Value, sea_orm::sea_query::Expr::value(value))
        .filter(sec::Column::Name.eq(name))
        .exec(c)
        .await?;
    Ok(())
}
