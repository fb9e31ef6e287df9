//! The mail outbox: messages are written in the same transaction as the change they report,
//! then delivered; a failed delivery stays here and is retried. Delivery claims a row first so
//! that two nodes never send the same message.

use super::StoreError;
use super::entities::outbox::{self as ob, Entity};
use chrono::{DateTime, Utc};
use sea_orm::ExprTrait;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};

/// A queued message.
#[derive(Clone, Debug)]
pub struct OutboxRecord {
    /// Id.
    pub id: String,
    /// Recipient address.
    pub recipient: String,
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub body_text: String,
    /// Delivery attempts so far.
    pub attempts: i32,
}

/// What a row carries.
pub const MAIL: &str = "mail";
/// A webhook event: the recipient is the webhook's name, the body its JSON.
pub const WEBHOOK: &str = "webhook";

/// Queues a message.
pub async fn insert(
    c: &impl ConnectionTrait,
    recipient: &str,
    subject: &str,
    body_text: &str,
    now: DateTime<Utc>,
) -> Result<String, StoreError> {
    insert_kind(c, MAIL, recipient, subject, body_text, now).await
}

/// Queues a row of `kind` (mail or a webhook event).
pub async fn insert_kind(
    c: &impl ConnectionTrait,
    kind: &str,
    recipient: &str,
    subject: &str,
    body_text: &str,
    now: DateTime<Utc>,
) -> Result<String, StoreError> {
    let id = uuid::Uuid::now_v7().to_string();
    let am = ob::ActiveModel {
        kind: Set(kind.to_string()),
        id: Set(id.clone()),
        recipient: Set(recipient.to_string()),
        subject: Set(subject.to_string()),
        body_text: Set(body_text.to_string()),
        status: Set("pending".into()),
        attempts: Set(0),
        last_error: Set(None),
        next_attempt_at: Set(now),
        claimed_until: Set(None),
        created_at: Set(now),
        sent_at: Set(None),
    };
    Entity::insert(am).exec_without_returning(c).await?;
    Ok(id)
}

/// Claims a pending message for delivery until `until`; `None` if another worker holds it or it
/// is no longer pending.
pub async fn claim(
    c: &impl ConnectionTrait,
    id: &str,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Option<OutboxRecord>, StoreError> {
    let res = Entity::update_many()
        .col_expr(ob::Column::ClaimedUntil, Expr::value(until))
        .filter(ob::Column::Id.eq(id))
        .filter(ob::Column::Status.eq("pending"))
        .filter(
            Condition::any()
                .add(ob::Column::ClaimedUntil.is_null())
                .add(ob::Column::ClaimedUntil.lt(now)),
        )
        .exec(c)
        .await?;
    if res.rows_affected != 1 {
        return Ok(None);
    }
    Ok(Entity::find_by_id(id.to_string())
        .one(c)
        .await?
        .map(|m| OutboxRecord {
            id: m.id,
            recipient: m.recipient,
            subject: m.subject,
            body_text: m.body_text,
            attempts: m.attempts,
        }))
}

/// Marks a message delivered.
pub async fn mark_sent(
    c: &impl ConnectionTrait,
    id: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    Entity::update_many()
        .col_expr(ob::Column::Status, Expr::value("sent"))
        .col_expr(ob::Column::SentAt, Expr::value(now))
        // The body held live links (verification, reset, invitation): once delivered it goes;
        // recipient, subject and times stay for the record.
        .col_expr(ob::Column::BodyText, Expr::value(""))
        .col_expr(ob::Column::Attempts, Expr::col(ob::Column::Attempts).add(1))
        .col_expr(
            ob::Column::ClaimedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(ob::Column::Id.eq(id))
        .exec(c)
        .await?;
    Ok(())
}

/// Records a failed attempt; the message is retried from `retry_at`, or given up (`failed`)
/// when `give_up` is set.
pub async fn mark_failed(
    c: &impl ConnectionTrait,
    id: &str,
    error: &str,
    retry_at: DateTime<Utc>,
    give_up: bool,
) -> Result<(), StoreError> {
    Entity::update_many()
        .col_expr(
            ob::Column::Status,
            Expr::value(if give_up { "failed" } else { "pending" }),
        )
        .col_expr(ob::Column::LastError, Expr::value(error))
        .col_expr(ob::Column::NextAttemptAt, Expr::value(retry_at))
        .col_expr(ob::Column::Attempts, Expr::col(ob::Column::Attempts).add(1))
        .col_expr(
            ob::Column::ClaimedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(ob::Column::Id.eq(id))
        .exec(c)
        .await?;
    Ok(())
}

/// Ids of pending messages due for an attempt.
pub async fn due(
    c: &impl ConnectionTrait,
    now: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<String>, StoreError> {
    due_of(c, MAIL, now, limit).await
}

/// Ids of pending rows of `kind` due for an attempt.
pub async fn due_of(
    c: &impl ConnectionTrait,
    kind: &str,
    now: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<String>, StoreError> {
    Ok(Entity::find()
        .select_only()
        .column(ob::Column::Id)
        .filter(ob::Column::Kind.eq(kind))
        .filter(ob::Column::Status.eq("pending"))
        .filter(ob::Column::NextAttemptAt.lte(now))
        .order_by_asc(ob::Column::NextAttemptAt)
        .limit(limit)
        .into_tuple::<String>()
        .all(c)
        .await?)
}

/// Counts messages by status (for metrics and tests).
pub async fn count_with_status(c: &impl ConnectionTrait, status: &str) -> Result<u64, StoreError> {
    use sea_orm::PaginatorTrait;
    Ok(Entity::find()
        .filter(ob::Column::Status.eq(status))
        .count(c)
        .await?)
}

/// A row's status and attempts so far (tests and operators).
pub async fn status_of(
    c: &impl ConnectionTrait,
    id: &str,
) -> Result<Option<(String, i32)>, StoreError> {
    Ok(Entity::find_by_id(id.to_string())
        .one(c)
        .await?
        .map(|m| (m.status, m.attempts)))
}
