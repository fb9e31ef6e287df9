//! Persistence: the only module that speaks sea-orm and names entity types. It maps rows to
//! plain records with typed ids, translates constraint violations, and holds no business rules.
//! Every function takes any connection (the pool or an open transaction) so that services can
//! group writes in one transaction.

pub mod admins;
pub mod applications;
pub mod audit;
pub mod clients;
pub mod email_tokens;
pub mod entities;
mod error;
pub mod group_commit;
pub mod invitations;
pub mod jti;
pub mod organisations;
pub mod outbox;
pub mod rate;
pub mod sandbox_software;
pub mod secrets;
pub mod signing_keys;
pub mod users;
pub mod workflows;

pub use error::StoreError;
pub use sea_orm::{ConnectionTrait, DatabaseConnection, DatabaseTransaction, TransactionTrait};

use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, Database};
use std::time::Duration;

/// A page request: 1-based page number and page size.
#[derive(Clone, Copy, Debug)]
pub struct Page {
    /// 1-based.
    pub number: u64,
    /// Rows per page.
    pub size: u64,
}

impl Page {
    /// Page `number` (at least 1) of `size` rows.
    pub fn new(number: u64, size: u64) -> Self {
        Self {
            number: number.max(1),
            size: size.clamp(1, 200),
        }
    }

    fn offset(&self) -> u64 {
        (self.number - 1) * self.size
    }
}

/// Opens the database named by `url`, creating the SQLite file's folder when needed.
pub async fn connect(url: &str) -> Result<DatabaseConnection, StoreError> {
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
        // Every pooled connection gets the pragmas (they are per connection, except the
        // journal mode): WAL, commits that survive a process crash without an fsync each
        // (synchronous = NORMAL), a 5 s wait on a busy database, foreign keys on.
        use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
        opts.max_connections(4)
            .min_connections(1)
            .map_sqlx_sqlite_opts(|o| {
                o.journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .busy_timeout(Duration::from_secs(5))
                    .foreign_keys(true)
            });
    } else {
        opts.max_connections(16);
    }
    Ok(Database::connect(opts).await?)
}

/// Applies every pending migration.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), StoreError> {
    Migrator::up(db, None).await?;
    Ok(())
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
