//! Group commit for the hot write paths: single use of JWT ids (client assertions at `/token`,
//! registration requests) and new DCR clients. Requests queue their writes to one writer task,
//! which commits everything waiting in one transaction, a few multi-row INSERTs per table and one
//! commit (one fsync) for the lot, then answers each request. A request returns only after its
//! write is committed, so nothing acknowledged is ever lost; a replayed `jti` fails only its own
//! request, never its neighbours in the batch.

use super::applications::{self, ApplicationRecord, ApplicationRow};
use super::audit::{self, AuditRecord, AuditRow};
use super::clients::{self, ClientRecord, NewClientRow};
use super::entities::jti_uses::{self as ju, Entity as Jti};
use super::organisations;
use super::{StoreError, begin};
use crate::domain::OrganisationId;
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, DatabaseConnection, DatabaseTransaction, EntityTrait, TransactionTrait,
};
use std::collections::HashSet;
use std::sync::Arc;
use tokio::sync::{Mutex, mpsc, oneshot};

/// Most writes committed together.
const MAX_BATCH: usize = 256;

/// A `jti` to use once: `(issuer, jti)` is refused a second time until `expires_at`.
#[derive(Clone, Debug)]
pub struct JtiClaim {
    /// Whose ids (`client:<id>`, `dcr:<software_id>`, `ssa:<directory>`).
    pub issuer: String,
    /// The id.
    pub jti: String,
    /// Kept until.
    pub expires_at: DateTime<Utc>,
}

/// A new client with its application and its audit events, as rows ready to insert; written
/// only if its organisation is active when the batch commits.
#[derive(Debug)]
pub struct NewClient {
    /// The organisations its rows refer to (the application's and the client's: the same one
    /// when built by DCR): the only foreign keys these rows carry, checked by the batch itself.
    organisations: [OrganisationId; 2],
    application: ApplicationRow,
    client: NewClientRow,
    events: Vec<AuditRow>,
}

impl NewClient {
    /// The rows of a new client, its application and its events.
    pub fn new(
        application: &ApplicationRecord,
        client: &ClientRecord,
        events: &[AuditRecord],
    ) -> Self {
        Self {
            organisations: [application.organisation_id, client.organisation_id],
            application: ApplicationRow::of(application),
            client: NewClientRow::of(client),
            events: events.iter().map(AuditRow::of).collect(),
        }
    }
}

/// One request's writes: its ids, then (if none was used before) its rows.
#[derive(Debug, Default)]
pub struct Write {
    /// Ids to use once.
    pub claims: Vec<JtiClaim>,
    /// Rows to add when every claim is fresh.
    pub rows: Option<NewClient>,
}

/// What became of a write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Committed.
    Committed,
    /// One of its ids was used before: nothing of it was written.
    Replayed,
    /// Its client's organisation is no longer active: nothing of it was written.
    OrganisationInactive,
}

type Job = (Write, oneshot::Sender<Result<Outcome, String>>);

/// The queue to the writer task; cheap to clone.
#[derive(Clone, Debug)]
pub struct GroupCommit {
    queue: mpsc::Sender<Job>,
}

impl GroupCommit {
    /// Starts the writer on a thread of its own (so that it never waits behind request
    /// handlers for a turn to run), with a connection of its own (`writer`, so that it never
    /// waits for a pooled one); it stops when the last queue handle is dropped. `gate` is the
    /// SQLite write queue shared with every other writer.
    pub fn start(
        writer: DatabaseConnection,
        gate: Option<Arc<Mutex<()>>>,
    ) -> Result<Self, StoreError> {
        let (queue, rx) = mpsc::channel(MAX_BATCH * 16);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| StoreError::Setup(format!("group-commit writer: {e}")))?;
        std::thread::Builder::new()
            .name("onramp-writer".into())
            .spawn(move || runtime.block_on(run(writer, gate, rx)))
            .map_err(|e| StoreError::Setup(format!("group-commit writer: {e}")))?;
        Ok(Self { queue })
    }

    /// Queues a write and waits until it is committed (or refused).
    pub async fn submit(&self, write: Write) -> Result<Outcome, StoreError> {
        let (tx, rx) = oneshot::channel();
        self.queue
            .send((write, tx))
            .await
            .map_err(|_| StoreError::Unavailable("the group-commit writer has stopped".into()))?;
        rx.await
            .map_err(|_| StoreError::Unavailable("the group-commit writer has stopped".into()))?
            .map_err(StoreError::Unavailable)
    }

    /// Uses `(issuer, jti)` once; false when it was used before.
    pub async fn use_once(
        &self,
        issuer: String,
        jti: String,
        expires_at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let write = Write {
            claims: vec![JtiClaim {
                issuer,
                jti,
                expires_at,
            }],
            rows: None,
        };
        Ok(self.submit(write).await? == Outcome::Committed)
    }
}

async fn run(db: DatabaseConnection, gate: Option<Arc<Mutex<()>>>, mut rx: mpsc::Receiver<Job>) {
    while let Some(first) = rx.recv().await {
        let mut jobs = vec![first];
        while jobs.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(j) => jobs.push(j),
                Err(_) => break,
            }
        }
        let started = std::time::Instant::now();
        let result = {
            let _queued = match &gate {
                Some(g) => Some(g.lock().await),
                None => None,
            };
            commit(&db, &mut jobs).await
        };
        // Rendered at /metrics; the store records through the metrics facade directly.
        metrics::histogram!("onramp_group_commit_batch_size").record(jobs.len() as f64);
        metrics::histogram!("onramp_group_commit_seconds").record(started.elapsed().as_secs_f64());
        match result {
            Ok(outcomes) => {
                for ((_, reply), o) in jobs.into_iter().zip(outcomes) {
                    let _ = reply.send(Ok(o));
                }
            }
            Err(e) => {
                tracing::error!(error = %e, batch = jobs.len(), "group commit failed");
                for (_, reply) in jobs {
                    let _ = reply.send(Err(format!("group commit failed: {e}")));
                }
            }
        }
    }
}

fn key(c: &JtiClaim) -> (String, String) {
    (c.issuer.clone(), c.jti.clone())
}

fn row(c: &JtiClaim) -> ju::ActiveModel {
    ju::ActiveModel {
        issuer: Set(c.issuer.clone()),
        jti: Set(c.jti.clone()),
        expires_at: Set(c.expires_at),
    }
}

/// Inserts the claims that are not taken yet, in a few multi-row statements
/// ([`super::chunk_sizes`], [`super::rows_per_statement`]); returns how many were inserted.
async fn insert_fresh(
    tx: &DatabaseTransaction,
    claims: &[&JtiClaim],
) -> Result<u64, sea_orm::DbErr> {
    let mut inserted = 0;
    let mut rest = claims;
    // An id row is at most about 400 bytes (issuer and jti are bounded).
    for size in super::chunk_sizes(claims.len(), super::rows_per_statement(tx, 512)) {
        let (chunk, tail) = rest.split_at(size);
        rest = tail;
        let insert = Jti::insert_many(chunk.iter().map(|c| row(c)))
            .on_conflict_do_nothing_on([ju::Column::Issuer, ju::Column::Jti]);
        inserted += super::exec_insert(tx, &insert).await?;
    }
    Ok(inserted)
}

/// Stores the claims of the batch in a few statements, after marking as replayed the writes that
/// repeat an id of an earlier write of the batch; false when some id was used before (the
/// caller then rolls back and takes the slow path).
async fn claim(
    tx: &DatabaseTransaction,
    writes: &[&Write],
    outcomes: &mut [Outcome],
) -> Result<bool, StoreError> {
    // A key twice in the batch: the later write is a replay of the earlier.
    let mut seen = HashSet::new();
    for (w, o) in writes.iter().zip(outcomes.iter_mut()) {
        if w.claims.iter().any(|c| seen.contains(&key(c))) {
            *o = Outcome::Replayed;
        } else {
            seen.extend(w.claims.iter().map(key));
        }
    }
    let fresh: Vec<&JtiClaim> = writes
        .iter()
        .zip(outcomes.iter())
        .filter(|(_, o)| **o == Outcome::Committed)
        .flat_map(|(w, _)| w.claims.iter())
        .collect();
    Ok(insert_fresh(tx, &fresh).await? == fresh.len() as u64)
}

/// The slow path, after a batch met a used id: one savepoint per write, so that the used ids
/// are known exactly.
async fn claim_one_by_one(
    tx: &DatabaseTransaction,
    writes: &[&Write],
    outcomes: &mut [Outcome],
) -> Result<(), StoreError> {
    for (w, o) in writes.iter().zip(outcomes.iter_mut()) {
        if *o != Outcome::Committed {
            continue;
        }
        let sp = tx.begin().await?;
        let claims: Vec<&JtiClaim> = w.claims.iter().collect();
        if insert_fresh(&sp, &claims).await? == claims.len() as u64 {
            sp.commit().await?;
        } else {
            sp.rollback().await?;
            *o = Outcome::Replayed;
        }
    }
    Ok(())
}

/// Marks the writes whose organisation is not active (checked inside the transaction, so a
/// suspension committed before this batch always wins). This is also the batch's foreign-key
/// check: an organisation that is active exists, and the writer's connection leaves SQLite's
/// own check off (see [`super::connect_writer`]).
async fn check_organisations(
    tx: &DatabaseTransaction,
    writes: &[&Write],
    outcomes: &mut [Outcome],
) -> Result<(), StoreError> {
    let mut ids: Vec<_> = writes
        .iter()
        .filter_map(|w| w.rows.as_ref())
        .flat_map(|r| r.organisations)
        .collect();
    ids.sort();
    ids.dedup();
    let active = organisations::active_among(tx, &ids).await?;
    for (w, o) in writes.iter().zip(outcomes.iter_mut()) {
        if let Some(r) = &w.rows
            && !r.organisations.iter().all(|o| active.contains(o))
        {
            *o = Outcome::OrganisationInactive;
        }
    }
    Ok(())
}

async fn commit(db: &DatabaseConnection, jobs: &mut [Job]) -> Result<Vec<Outcome>, StoreError> {
    let mut outcomes = vec![Outcome::Committed; jobs.len()];
    let mut tx = begin(db).await?;
    {
        let writes: Vec<&Write> = jobs.iter().map(|(w, _)| w).collect();
        check_organisations(&tx, &writes, &mut outcomes).await?;
        if !claim(&tx, &writes, &mut outcomes).await? {
            tx.rollback().await?;
            tx = begin(db).await?;
            claim_one_by_one(&tx, &writes, &mut outcomes).await?;
        }
    }
    let (mut apps, mut cls, mut events) = (Vec::new(), Vec::new(), Vec::new());
    for ((w, _), o) in jobs.iter_mut().zip(&outcomes) {
        if *o == Outcome::Committed
            && let Some(r) = w.rows.take()
        {
            apps.push(r.application);
            cls.push(r.client);
            events.extend(r.events);
        }
    }
    applications::insert_rows(&tx, apps).await?;
    clients::insert_rows(&tx, cls).await?;
    audit::insert_rows(&tx, events).await?;
    tx.commit().await?;
    Ok(outcomes)
}
