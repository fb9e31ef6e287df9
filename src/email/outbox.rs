//! The outbox: queue a message inside the transaction of the change it reports, deliver it after
//! the commit, and retry failures with back-off from a background worker. A failed send never
//! undoes the change.

use super::Mailer;
use crate::domain::Clock;
use crate::store::{self, ConnectionTrait, DatabaseConnection, StoreError};
use chrono::Duration;

/// A rendered message, ready to queue.
#[derive(Clone, Debug)]
pub struct Mail {
    /// Recipient.
    pub to: String,
    /// Subject.
    pub subject: String,
    /// Plain-text body.
    pub body: String,
}

/// Ids of queued messages, to deliver once the transaction has committed.
#[derive(Debug, Default)]
pub struct Queued(pub Vec<String>);

/// Queues messages in the caller's transaction.
pub async fn queue(
    c: &impl ConnectionTrait,
    clock: &Clock,
    mails: Vec<Mail>,
    queued: &mut Queued,
) -> Result<(), StoreError> {
    for m in mails {
        let id = store::outbox::insert(c, &m.to, &m.subject, &m.body, clock.now()).await?;
        queued.0.push(id);
    }
    Ok(())
}

const MAX_ATTEMPTS: i32 = 12;

/// Delivers the given messages in a task of their own and returns at once, so that an answer
/// never waits for (or reveals through its timing) a delivery. Failures are recorded for the
/// worker, as with [`deliver`].
pub fn deliver_in_background(
    db: &DatabaseConnection,
    mailer: &Mailer,
    clock: &Clock,
    ids: Vec<String>,
) {
    if ids.is_empty() {
        return;
    }
    let guard = mailer.start_delivery();
    let (db, mailer, clock) = (db.clone(), mailer.clone(), clock.clone());
    tokio::spawn(async move {
        deliver(&db, &mailer, &clock, &ids).await;
        drop(guard);
    });
}

/// Tries to deliver the given messages now. Failures are recorded for the worker.
pub async fn deliver(db: &DatabaseConnection, mailer: &Mailer, clock: &Clock, ids: &[String]) {
    for id in ids {
        if let Err(e) = deliver_one(db, mailer, clock, id).await {
            tracing::error!(outbox.id = %id, error = %e, "could not update the outbox");
        }
    }
}

async fn deliver_one(
    db: &DatabaseConnection,
    mailer: &Mailer,
    clock: &Clock,
    id: &str,
) -> Result<(), StoreError> {
    let now = clock.now();
    let Some(msg) = store::outbox::claim(db, id, now, now + Duration::minutes(2)).await? else {
        return Ok(());
    };
    match mailer
        .send(&msg.recipient, &msg.subject, &msg.body_text)
        .await
    {
        Ok(()) => store::outbox::mark_sent(db, id, clock.now()).await,
        Err(e) => {
            let attempts = msg.attempts + 1;
            let give_up = attempts >= MAX_ATTEMPTS;
            let backoff = Duration::seconds(30 * 2_i64.pow(attempts.clamp(0, 10) as u32));
            tracing::warn!(outbox.id = %id, attempts, give_up, error = %e, "mail delivery failed");
            store::outbox::mark_failed(
                db,
                id,
                &e,
                clock.now() + backoff.min(Duration::hours(6)),
                give_up,
            )
            .await
        }
    }
}

/// Delivers every message that is due; the worker calls it periodically.
pub async fn deliver_due(
    db: &DatabaseConnection,
    mailer: &Mailer,
    clock: &Clock,
) -> Result<usize, StoreError> {
    let ids = store::outbox::due(db, clock.now(), 100).await?;
    deliver(db, mailer, clock, &ids).await;
    Ok(ids.len())
}

/// How many messages wait for delivery and how many were given up on.
pub async fn counts(db: &DatabaseConnection) -> Result<(u64, u64), StoreError> {
    let pending = store::outbox::count_with_status(db, "pending").await?;
    let failed = store::outbox::count_with_status(db, "failed").await?;
    Ok((pending, failed))
}
