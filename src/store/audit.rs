//! The audit trail: append-only rows, read with filters, chained for tamper evidence. Every
//! row written carries `seq` (its place in one chain), the previous row's hash and its own:
//! SHA-256 over the previous hash and the row's canonical content. Rows are chained inside the
//! transaction that writes them; on PostgreSQL a transaction-scoped advisory lock gives the chain
//! one order across nodes (SQLite has a single writer already).

use super::entities::audit_events::{self as audit, Entity};
use super::{Page, StoreError};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};

/// A stored audit event.
#[derive(Clone, Debug)]
pub struct AuditRecord {
    /// When.
    pub at: DateTime<Utc>,
    /// `tpp`, `admin` or `system`.
    pub actor_type: String,
    /// Actor id.
    pub actor_id: Option<String>,
    /// Actor name at the time.
    pub actor_name: String,
    /// What happened, e.g. `signup.submitted`.
    pub action: String,
    /// Kind of subject.
    pub subject_type: String,
    /// Subject id.
    pub subject_id: String,
    /// Organisation concerned.
    pub organisation_id: Option<String>,
    /// Details (JSON object).
    pub detail: serde_json::Value,
    /// Client address.
    pub ip: Option<String>,
}

/// Filters of the audit page.
#[derive(Clone, Debug, Default)]
pub struct AuditFilter {
    /// Actions starting with this text.
    pub action: Option<String>,
    /// Actor name containing this text.
    pub actor: Option<String>,
    /// Organisation id.
    pub organisation_id: Option<String>,
    /// Not before.
    pub since: Option<DateTime<Utc>>,
    /// Not after.
    pub until: Option<DateTime<Utc>>,
}

/// The hash before the first chained row.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The lock key of the chain on PostgreSQL ("onramp audit").
const CHAIN_LOCK: i64 = 0x6f6e_7261_6d70_6175;

/// What a row's hash covers, in a fixed order: the previous hash, then the row's fields as
/// stored (times in microseconds, the detail as its stored JSON text).
#[expect(
    clippy::too_many_arguments,
    reason = "every stored field of a row, in order"
)]
fn canonical(
    id: &str,
    seq: i64,
    at: DateTime<Utc>,
    actor: (&str, Option<&str>, &str),
    action: &str,
    subject: (&str, &str),
    organisation_id: Option<&str>,
    detail: &str,
    ip: Option<&str>,
) -> String {
    serde_json::json!([
        id,
        seq,
        at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        actor.0,
        actor.1,
        actor.2,
        action,
        subject.0,
        subject.1,
        organisation_id,
        detail,
        ip
    ])
    .to_string()
}

fn link(prev: &str, content: &str) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(prev.as_bytes());
    h.update(b"\n");
    h.update(content.as_bytes());
    hex::encode(h.finalize())
}

/// The row of an event at `seq` after `prev`.
fn to_active(r: &AuditRecord, seq: i64, prev: &str) -> (audit::ActiveModel, String) {
    use chrono::SubsecRound;
    let id = uuid::Uuid::now_v7().to_string();
    // Stored with microseconds on every database, so hashed with microseconds.
    let at = r.at.trunc_subsecs(6);
    let detail = r.detail.to_string();
    let content = canonical(
        &id,
        seq,
        at,
        (&r.actor_type, r.actor_id.as_deref(), &r.actor_name),
        &r.action,
        (&r.subject_type, &r.subject_id),
        r.organisation_id.as_deref(),
        &detail,
        r.ip.as_deref(),
    );
    let hash = link(prev, &content);
    let row = audit::ActiveModel {
        id: Set(id),
        at: Set(at),
        actor_type: Set(r.actor_type.clone()),
        actor_id: Set(r.actor_id.clone()),
        actor_name: Set(r.actor_name.clone()),
        action: Set(r.action.clone()),
        subject_type: Set(r.subject_type.clone()),
        subject_id: Set(r.subject_id.clone()),
        organisation_id: Set(r.organisation_id.clone()),
        detail: Set(detail),
        ip: Set(r.ip.clone()),
        seq: Set(Some(seq)),
        prev_hash: Set(Some(prev.to_string())),
        hash: Set(Some(hash.clone())),
    };
    (row, hash)
}

/// Takes the chain for this transaction and returns its head: the last `seq` and hash.
async fn chain_head(c: &impl ConnectionTrait) -> Result<(i64, String), StoreError> {
    if c.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        c.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({CHAIN_LOCK})"))
            .await?;
    }
    let last = Entity::find()
        .filter(audit::Column::Seq.is_not_null())
        .order_by_desc(audit::Column::Seq)
        .one(c)
        .await?;
    Ok(match last {
        Some(m) => (m.seq.unwrap_or(0), m.hash.unwrap_or_else(|| GENESIS.into())),
        None => (0, GENESIS.into()),
    })
}

/// Appends an event to the chain.
pub async fn insert(c: &impl ConnectionTrait, r: &AuditRecord) -> Result<(), StoreError> {
    insert_rows(c, vec![AuditRow::of(r)]).await
}

/// An event to append, built ahead of a group commit; it is chained when written.
#[derive(Clone, Debug)]
pub struct AuditRow(AuditRecord);

impl AuditRow {
    /// The row of `r`.
    pub fn of(r: &AuditRecord) -> Self {
        Self(r.clone())
    }
}

/// Appends many events, in order, in one statement.
pub async fn insert_rows(c: &impl ConnectionTrait, rows: Vec<AuditRow>) -> Result<(), StoreError> {
    if rows.is_empty() {
        return Ok(());
    }
    let (mut seq, mut prev) = chain_head(c).await?;
    let mut models = Vec::with_capacity(rows.len());
    for r in rows {
        seq += 1;
        let (m, hash) = to_active(&r.0, seq, &prev);
        prev = hash;
        models.push(m);
    }
    super::insert_all(c, models, 1024).await
}

/// What a walk of the chain found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChainReport {
    /// Every chained row links to the one before and hashes to what it says.
    Intact {
        /// Rows in the chain.
        chained: u64,
        /// Rows written before the chain began (not covered).
        before_chain: u64,
    },
    /// The first row that does not hold.
    Broken {
        /// Its place in the chain.
        seq: i64,
        /// Its id.
        id: String,
        /// What is wrong.
        reason: String,
    },
}

/// Walks the whole chain in order, a thousand rows at a time.
pub async fn verify_chain(c: &impl ConnectionTrait) -> Result<ChainReport, StoreError> {
    let before_chain = Entity::find()
        .filter(audit::Column::Seq.is_null())
        .count(c)
        .await?;
    let mut expected_seq = 1_i64;
    let mut prev = GENESIS.to_string();
    let mut chained = 0_u64;
    loop {
        let batch = Entity::find()
            .filter(audit::Column::Seq.gte(expected_seq))
            .order_by_asc(audit::Column::Seq)
            .limit(1000)
            .all(c)
            .await?;
        if batch.is_empty() {
            return Ok(ChainReport::Intact {
                chained,
                before_chain,
            });
        }
        for m in batch {
            let seq = m.seq.unwrap_or(0);
            let broken = |reason: String| ChainReport::Broken {
                seq,
                id: m.id.clone(),
                reason,
            };
            if seq != expected_seq {
                return Ok(broken(format!("row {expected_seq} is missing")));
            }
            if m.prev_hash.as_deref() != Some(prev.as_str()) {
                return Ok(broken("it does not link to the row before it".into()));
            }
            let content = canonical(
                &m.id,
                seq,
                m.at,
                (&m.actor_type, m.actor_id.as_deref(), &m.actor_name),
                &m.action,
                (&m.subject_type, &m.subject_id),
                m.organisation_id.as_deref(),
                &m.detail,
                m.ip.as_deref(),
            );
            let hash = link(&prev, &content);
            if m.hash.as_deref() != Some(hash.as_str()) {
                return Ok(broken("its content does not match its hash".into()));
            }
            prev = hash;
            expected_seq += 1;
            chained += 1;
        }
    }
}

/// Every event at or after `since`, oldest first, as stored (for export).
pub async fn since(
    c: &impl ConnectionTrait,
    since: DateTime<Utc>,
) -> Result<Vec<(AuditRecord, Option<i64>, Option<String>)>, StoreError> {
    let rows = Entity::find()
        .filter(audit::Column::At.gte(since))
        .order_by_asc(audit::Column::At)
        .all(c)
        .await?;
    Ok(rows
        .into_iter()
        .map(|m| {
            let (seq, hash) = (m.seq, m.hash.clone());
            (to_record(m), seq, hash)
        })
        .collect())
}

fn query(f: &AuditFilter) -> sea_orm::Select<Entity> {
    let mut q = Entity::find();
    if let Some(a) = &f.action {
        q = q.filter(audit::Column::Action.starts_with(a.as_str()));
    }
    if let Some(a) = &f.actor {
        q = q.filter(audit::Column::ActorName.contains(a.as_str()));
    }
    if let Some(o) = &f.organisation_id {
        q = q.filter(audit::Column::OrganisationId.eq(o.as_str()));
    }
    if let Some(s) = f.since {
        q = q.filter(audit::Column::At.gte(s));
    }
    if let Some(u) = f.until {
        q = q.filter(audit::Column::At.lte(u));
    }
    q
}

/// Matching events, newest first, and their total count.
pub async fn list(
    c: &impl ConnectionTrait,
    f: &AuditFilter,
    page: Page,
) -> Result<(Vec<AuditRecord>, u64), StoreError> {
    let total = query(f).count(c).await?;
    let rows = query(f)
        .order_by_desc(audit::Column::At)
        .offset(page.offset())
        .limit(page.size)
        .all(c)
        .await?;
    let out = rows.into_iter().map(to_record).collect();
    Ok((out, total))
}

/// Every event about one subject, oldest first (a client's or an organisation's history).
pub async fn for_subject(
    c: &impl ConnectionTrait,
    subject_type: &str,
    subject_id: &str,
) -> Result<Vec<AuditRecord>, StoreError> {
    let rows = Entity::find()
        .filter(audit::Column::SubjectType.eq(subject_type))
        .filter(audit::Column::SubjectId.eq(subject_id))
        .order_by_asc(audit::Column::At)
        .all(c)
        .await?;
    Ok(rows.into_iter().map(to_record).collect())
}

fn to_record(m: audit::Model) -> AuditRecord {
    AuditRecord {
        at: m.at,
        actor_type: m.actor_type,
        actor_id: m.actor_id,
        actor_name: m.actor_name,
        action: m.action,
        subject_type: m.subject_type,
        subject_id: m.subject_id,
        organisation_id: m.organisation_id,
        detail: serde_json::from_str(&m.detail).unwrap_or(serde_json::Value::Null),
        ip: m.ip,
    }
}
