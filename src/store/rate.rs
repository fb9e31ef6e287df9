//! Rate-limit events, counted in a sliding window. Kept in the database so that every node of a
//! cluster sees the same counts.

use super::StoreError;
use super::entities::rate_events::{self as rate, Entity};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};

/// Records one event of `kind` for `key`; returns its id.
pub async fn record(
    c: &impl ConnectionTrait,
    kind: &str,
    key: &str,
    now: DateTime<Utc>,
) -> Result<String, StoreError> {
    let id = uuid::Uuid::new_v4().to_string();
    let am = rate::ActiveModel {
        id: Set(id.clone()),
        kind: Set(kind.to_string()),
        key: Set(key.to_string()),
        at: Set(now),
    };
    Entity::insert(am).exec_without_returning(c).await?;
    Ok(id)
}

/// Forgets one event.
pub async fn delete(c: &impl ConnectionTrait, id: &str) -> Result<(), StoreError> {
    Entity::delete_by_id(id.to_string()).exec(c).await?;
    Ok(())
}

/// The times of the newest `limit` events of `kind` for `key` since `since`, newest first.
pub async fn recent(
    c: &impl ConnectionTrait,
    kind: &str,
    key: &str,
    since: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<DateTime<Utc>>, StoreError> {
    Ok(Entity::find()
        .select_only()
        .column(rate::Column::At)
        .filter(rate::Column::Kind.eq(kind))
        .filter(rate::Column::Key.eq(key))
        .filter(rate::Column::At.gt(since))
        .order_by_desc(rate::Column::At)
        .limit(limit)
        .into_tuple::<DateTime<Utc>>()
        .all(c)
        .await?)
}

/// Events of `kind` for `key` since `since`.
pub async fn count_since(
    c: &impl ConnectionTrait,
    kind: &str,
    key: &str,
    since: DateTime<Utc>,
) -> Result<u64, StoreError> {
    Ok(Entity::find()
        .filter(rate::Column::Kind.eq(kind))
        .filter(rate::Column::Key.eq(key))
        .filter(rate::Column::At.gt(since))
        .count(c)
        .await?)
}

/// Forgets the events of `kind` for `key` (a successful login clears its failures).
pub async fn clear(c: &impl ConnectionTrait, kind: &str, key: &str) -> Result<(), StoreError> {
    Entity::delete_many()
        .filter(rate::Column::Kind.eq(kind))
        .filter(rate::Column::Key.eq(key))
        .exec(c)
        .await?;
    Ok(())
}

/// Deletes events older than `before`.
pub async fn purge(c: &impl ConnectionTrait, before: DateTime<Utc>) -> Result<u64, StoreError> {
    Ok(Entity::delete_many()
        .filter(rate::Column::At.lt(before))
        .exec(c)
        .await?
        .rows_affected)
}
