//! Operations on a bank's installation, for the command line: verifying and exporting the
//! tamper-evident audit trail, and backing up and restoring a SQLite database while it serves.
//! (For PostgreSQL, backups are `pg_dump`'s job: see README.)

use crate::store::audit::{self, ChainReport};
use crate::store::{ConnectionTrait, DatabaseConnection, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use std::io::Write;
use std::path::Path;

/// Why an operation failed.
#[derive(Debug, thiserror::Error)]
pub enum OpsError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The database failed.
    #[error("database: {0}")]
    Db(#[from] sea_orm::DbErr),
    /// Writing the output failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// The request does not make sense.
    #[error("{0}")]
    Usage(String),
}

/// Walks the audit chain.
pub async fn verify_audit(db: &DatabaseConnection) -> Result<ChainReport, OpsError> {
    Ok(audit::verify_chain(db).await?)
}

/// Parses `--since`: an RFC 3339 time or a date (midnight UTC).
pub fn parse_since(raw: &str) -> Result<DateTime<Utc>, OpsError> {
    if let Ok(t) = DateTime::parse_from_rfc3339(raw) {
        return Ok(t.with_timezone(&Utc));
    }
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
        .ok_or_else(|| {
            OpsError::Usage(format!(
                "--since `{raw}`: give a date (2026-11-30) or a time (2026-11-30T15:00:00Z)"
            ))
        })
}

/// Writes every audit event at or after `since` as JSON lines, oldest first, with its place in
/// the chain and its hash. Returns how many were written.
pub async fn export_audit(
    db: &DatabaseConnection,
    since: DateTime<Utc>,
    out: &mut impl Write,
) -> Result<u64, OpsError> {
    let mut n = 0;
    for (r, seq, hash) in audit::since(db, since).await? {
        let line = serde_json::json!({
            "seq": seq,
            "hash": hash,
            "at": r.at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            "actor_type": r.actor_type,
            "actor_id": r.actor_id,
            "actor_name": r.actor_name,
            "action": r.action,
            "subject_type": r.subject_type,
            "subject_id": r.subject_id,
            "organisation_id": r.organisation_id,
            "detail": r.detail,
            "ip": r.ip,
        });
        writeln!(out, "{line}")?;
        n += 1;
    }
    Ok(n)
}

fn sqlite_only(db: &DatabaseConnection) -> Result<(), OpsError> {
    if db.get_database_backend() != sea_orm::DatabaseBackend::Sqlite {
        return Err(OpsError::Usage(
            "backup and restore are for SQLite; on PostgreSQL use pg_dump and pg_restore (see README)"
                .into(),
        ));
    }
    Ok(())
}

fn quoted(path: &Path) -> Result<String, OpsError> {
    let s = path
        .to_str()
        .ok_or_else(|| OpsError::Usage("the path is not UTF-8".into()))?;
    Ok(format!("'{}'", s.replace('\'', "''")))
}

/// Writes a consistent copy of a SQLite database to `out` while it serves (`VACUUM INTO`: one
/// read transaction, so every committed row up to its start is in the copy and nothing after).
/// Refuses to overwrite a file.
pub async fn backup(db: &DatabaseConnection, out: &Path) -> Result<(), OpsError> {
    sqlite_only(db)?;
    if out.exists() {
        return Err(OpsError::Usage(format!(
            "{} exists: choose a new file",
            out.display()
        )));
    }
    db.execute_unprepared(&format!("VACUUM INTO {}", quoted(out)?))
        .await?;
    Ok(())
}

/// The file of a `sqlite:` database URL.
pub fn sqlite_file(database_url: &str) -> Option<std::path::PathBuf> {
    let rest = database_url
        .strip_prefix("sqlite://")
        .or_else(|| database_url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    (!path.is_empty() && path != ":memory:").then(|| path.into())
}

/// Restores a backup made by [`backup`] as the SQLite database at `target`, which must not exist
/// yet (restore into an empty database; nothing is merged or overwritten). The backup is a
/// self-contained database file: it is copied beside the target, synced to disk, and renamed
/// into place, so a torn copy is never left under the target's name.
pub async fn restore(from: &Path, target: &Path) -> Result<(), OpsError> {
    if !from.is_file() {
        return Err(OpsError::Usage(format!(
            "{} does not exist",
            from.display()
        )));
    }
    if target.exists() {
        return Err(OpsError::Usage(format!(
            "{} exists: restore into an empty database (move the old file away first)",
            target.display()
        )));
    }
    let mut partial = target.as_os_str().to_owned();
    partial.push(".restoring");
    let partial = std::path::PathBuf::from(partial);
    std::fs::copy(from, &partial)?;
    std::fs::File::open(&partial)?.sync_all()?;
    std::fs::rename(&partial, target)?;
    Ok(())
}
