//! Persistence: the only module that speaks sea-orm and names entity types. It maps rows to
//! plain records with typed ids, translates constraint violations, and holds no business rules.
//! Every function takes any connection (the pool or an open transaction) so that services can
//! group writes in one transaction.

pub mod admin_api_tokens;
pub mod admins;
pub mod applications;
pub mod audit;
pub mod authority;
pub mod clients;
pub mod email_tokens;
pub mod entities;
mod error;
pub mod group_commit;
pub mod invitations;
pub mod jti;
pub mod mfa;
pub mod organisations;
pub mod outbox;
pub mod pending_signups;
pub mod rate;
pub mod revoked_tokens;
pub mod sandbox_software;
pub mod secrets;
pub mod sessions;
pub mod signing_keys;
pub mod trusted;
pub mod users;
pub mod workflows;

pub use error::StoreError;
pub use sea_orm::{ConnectionTrait, DatabaseConnection, DatabaseTransaction, TransactionTrait};

use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, Database};
use std::time::Duration;

/// The highest page number asked of the database (any query string beyond it reads as this).
const MAX_PAGE: u64 = 100_000;

/// A page request: 1-based page number and page size.
#[derive(Clone, Copy, Debug)]
pub struct Page {
    /// 1-based.
    pub number: u64,
    /// Rows per page.
    pub size: u64,
}

impl Page {
    /// Page `number` (1 to 100,000: a page past the end is simply empty) of `size` rows.
    pub fn new(number: u64, size: u64) -> Self {
        Self {
            number: number.clamp(1, MAX_PAGE),
            size: size.clamp(1, 200),
        }
    }

    fn offset(&self) -> u64 {
        self.number.saturating_sub(1).saturating_mul(self.size)
    }
}

/// Opens the database named by `url`, creating the SQLite file's folder when needed.
pub async fn connect(url: &str) -> Result<DatabaseConnection, StoreError> {
    connect_with(url, false).await
}

/// A connection of its own for the group-commit writer, so that it never queues for a pooled
/// connection behind the requests it serves. On SQLite this one connection leaves foreign keys
/// unchecked by SQLite: the only ones its rows carry (an application's and a client's
/// organisation) are checked by the batch itself, in its transaction, which writes a client only
/// if its organisation is active then (`group_commit::check_organisations`). SQLite's own check
/// would cost every batch either a statement journal per multi-row INSERT (immediate checks) or
/// the re-preparing of every statement (`PRAGMA defer_foreign_keys` expires them all).
pub async fn connect_writer(url: &str) -> Result<DatabaseConnection, StoreError> {
    connect_with(url, true).await
}

async fn connect_with(url: &str, writer: bool) -> Result<DatabaseConnection, StoreError> {
    if let Some(rest) = url.strip_prefix("sqlite://") {
        let path = rest.split('?').next().unwrap_or_default();
        if let Some(parent) = std::path::Path::new(path).parent()
            && !parent.as_os_str().is_empty()
        {
            std::fs::create_dir_all(parent).map_err(|e| StoreError::Setup(e.to_string()))?;
        }
    }
    let mut opts = ConnectOptions::new(url.to_owned());
    opts.connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(10))
        .sqlx_logging(false);
    if url.starts_with("sqlite:") {
        // Every connection gets the pragmas (they are per connection, except the journal
        // mode): WAL; every commit fsynced (synchronous = FULL), so that a committed
        // registration or approval survives even a power cut; a 5 s wait on a busy database;
        // foreign keys on, except on the writer's (see `connect_writer`); 64 prepared
        // statements (the group commit's multi-row inserts come in a few shapes only: see
        // `chunk_sizes`). The group-commit writer gets an 8 MiB page cache; the pool's eight
        // connections, which mostly read (the hot paths read through caches), 2 MiB each, so
        // that memory stays flat under load (each connection keeps its own caches and its own
        // thread). A pool of four was tried: some portal steps hold one connection while
        // asking for another, and under load they timed out. SQLite checkpoints the WAL itself
        // after the commit that takes it past 1000 pages, on the committing connection: mostly
        // the group-commit writer, between two batches, never beside it (a checkpoint by a task
        // of its own, four times a second, was tried: it wrote less, but the writer's batches
        // waited behind it and p99 rose from 17 to 26 ms).
        use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
        let page_cache_kib = if writer { "-8192" } else { "-2048" };
        opts.max_connections(if writer { 1 } else { 8 })
            .min_connections(1)
            .map_sqlx_sqlite_opts(move |o| {
                o.journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Full)
                    .busy_timeout(Duration::from_secs(5))
                    .foreign_keys(!writer)
                    .pragma("cache_size", page_cache_kib)
                    .statement_cache_capacity(64)
            });
    } else {
        opts.max_connections(if writer { 1 } else { 16 });
    }
    Ok(Database::connect(opts).await?)
}

/// The sizes a batch of `n` rows is inserted in: powers of two, at most `max` (itself a power of
/// two, at most 64), largest first. A multi-row INSERT is one prepared statement per row count,
/// and each connection keeps its prepared statements: so a connection holds at most seven shapes
/// of each insert, instead of one per batch size it ever met (a statement of many rows is tens of
/// KiB).
pub(crate) fn chunk_sizes(mut n: usize, max: usize) -> impl Iterator<Item = usize> {
    std::iter::from_fn(move || {
        if n == 0 {
            return None;
        }
        let size = power_of_two_at_most(n.min(max));
        n -= size;
        Some(size)
    })
}

fn power_of_two_at_most(n: usize) -> usize {
    1 << (usize::BITS - 1 - n.max(1).leading_zeros())
}

/// Most bytes of one statement sent to PostgreSQL. sqlx 0.9 leaves Nagle's algorithm on (its
/// issue 4335), and over TLS a message longer than one TLS record (16 KiB) leaves as two writes:
/// the second then waits about 40 ms for the server's delayed ACK. A group commit measured 100 ms
/// per batch that way, against 10 ms with statements kept under a record.
const PG_STATEMENT_BYTES: usize = 12 * 1024;

/// How many rows of about `row_bytes` each one INSERT carries on `c`'s database.
pub(crate) fn rows_per_statement(c: &impl ConnectionTrait, row_bytes: usize) -> usize {
    if c.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        power_of_two_at_most((PG_STATEMENT_BYTES / row_bytes.max(1)).min(64))
    } else {
        64
    }
}

/// Inserts rows of one table, each about `row_bytes` long, in a few multi-row statements
/// ([`chunk_sizes`], [`rows_per_statement`]); nothing when there are none.
async fn insert_all<A>(
    c: &impl ConnectionTrait,
    rows: Vec<A>,
    row_bytes: usize,
) -> Result<(), StoreError>
where
    A: sea_orm::ActiveModelTrait + Send,
{
    let total = rows.len();
    let mut rows = rows.into_iter();
    for size in chunk_sizes(total, rows_per_statement(c, row_bytes)) {
        exec_insert(
            c,
            &<A::Entity as sea_orm::EntityTrait>::insert_many(rows.by_ref().take(size)),
        )
        .await?;
    }
    Ok(())
}

/// Runs an INSERT; the rows it inserted. On SQLite it runs as `INSERT OR FAIL`: a failing row
/// ends the statement without undoing the rows before it, so SQLite keeps no statement journal
/// (a copy of every page the statement changes) for a statement of many rows inside a
/// transaction. Call it inside a transaction that its error rolls back, as the group commit
/// does; a statement of one row behaves the same either way.
pub(crate) async fn exec_insert(
    c: &impl ConnectionTrait,
    insert: &impl sea_orm::QueryTrait,
) -> Result<u64, sea_orm::DbErr> {
    let backend = c.get_database_backend();
    let mut statement = insert.build(backend);
    if backend == sea_orm::DatabaseBackend::Sqlite
        && let Some(rest) = statement.sql.strip_prefix("INSERT INTO ")
    {
        statement.sql = format!("INSERT OR FAIL INTO {rest}");
    }
    Ok(c.execute_raw(statement).await?.rows_affected())
}

/// One page of `q`, newest `order` first, with the total count of its rows.
async fn newest_page<E>(
    c: &impl ConnectionTrait,
    q: sea_orm::Select<E>,
    order: E::Column,
    page: Page,
) -> Result<(Vec<E::Model>, u64), StoreError>
where
    E: sea_orm::EntityTrait,
    E::Model: Send + Sync,
{
    use sea_orm::{PaginatorTrait, QueryOrder, QuerySelect};
    let total = q.clone().count(c).await?;
    let rows = q
        .order_by_desc(order)
        .offset(page.offset())
        .limit(page.size)
        .all(c)
        .await?;
    Ok((rows, total))
}

/// The PostgreSQL advisory lock that serialises migrations across nodes ("onramp" in ASCII).
const MIGRATION_LOCK: i64 = 0x6f6e_7261_6d70;

/// Applies every pending migration. On PostgreSQL, nodes starting together take turns: each
/// holds an advisory lock (on a transaction of its own, released at its end) while it migrates,
/// so the first applies the migrations and the others then find none pending.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), StoreError> {
    if db.get_database_backend() != sea_orm::DatabaseBackend::Postgres {
        Migrator::up(db, None).await?;
        return Ok(());
    }
    let lock = db.begin().await?;
    lock.execute_raw(sea_orm::Statement::from_string(
        sea_orm::DatabaseBackend::Postgres,
        format!("SELECT pg_advisory_xact_lock({MIGRATION_LOCK})"),
    ))
    .await?;
    let applied = Migrator::up(db, None).await;
    lock.commit().await?;
    applied?;
    Ok(())
}

/// How many migrations this binary knows.
pub fn migration_count() -> usize {
    Migrator::migrations().len()
}

/// How many migrations this binary knows that the database has not applied.
pub async fn pending_migrations(db: &DatabaseConnection) -> Result<usize, StoreError> {
    Ok(Migrator::get_pending_migrations(db).await?.len())
}

/// Connections of the pool (in use, idle).
pub fn pool_usage(db: &DatabaseConnection) -> (u32, u32) {
    // The backend is checked first: the pool getters panic on the other backend.
    let (size, idle) = match db.get_database_backend() {
        sea_orm::DatabaseBackend::Sqlite => {
            let p = db.get_sqlite_connection_pool();
            (p.size(), u32::try_from(p.num_idle()).unwrap_or(u32::MAX))
        }
        sea_orm::DatabaseBackend::Postgres => {
            let p = db.get_postgres_connection_pool();
            (p.size(), u32::try_from(p.num_idle()).unwrap_or(u32::MAX))
        }
        _ => (0, 0),
    };
    (size.saturating_sub(idle), idle)
}

/// Whether the database answers (readiness).
pub async fn ping(db: &DatabaseConnection) -> bool {
    db.ping().await.is_ok()
}

/// Opens a write transaction. On SQLite it takes the write lock at `BEGIN` (IMMEDIATE), so
/// that two writers queue instead of failing when one upgrades a read; other databases ignore
/// the mode.
pub async fn begin(db: &DatabaseConnection) -> Result<DatabaseTransaction, sea_orm::DbErr> {
    db.begin_with_options(sea_orm::TransactionOptions {
        sqlite_transaction_mode: Some(sea_orm::SqliteTransactionMode::Immediate),
        ..Default::default()
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::chunk_sizes;

    #[test]
    fn batches_split_into_powers_of_two_of_at_most_64_rows() {
        let sizes = |n| chunk_sizes(n, 64).collect::<Vec<_>>();
        assert_eq!(sizes(0), Vec::<usize>::new());
        assert_eq!(sizes(1), vec![1]);
        assert_eq!(sizes(45), vec![32, 8, 4, 1]);
        assert_eq!(sizes(64), vec![64]);
        assert_eq!(sizes(200), vec![64, 64, 64, 8]);
        assert_eq!(chunk_sizes(7, 2).collect::<Vec<_>>(), vec![2, 2, 2, 1]);
        for max in [1, 2, 4, 64] {
            for n in 0..600 {
                let s: Vec<usize> = chunk_sizes(n, max).collect();
                assert_eq!(s.iter().sum::<usize>(), n);
                assert!(s.iter().all(|c| c.is_power_of_two() && *c <= max));
            }
        }
    }
}
