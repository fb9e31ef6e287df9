//! The application state every service receives: database, clock, settings, workflows, mailer
//! and password hasher. No actix types; tests build it the same way as `serve`.

use crate::accounts::Hasher;
use crate::config::Settings;
use crate::domain::Clock;
use crate::email::Mailer;
use crate::oauth::client_cache::ClientCache;
use crate::oauth::jwks_cache::JwksCache;
use crate::oauth::keyring::KeyRings;
use crate::oauth::outbound::Outbound;
use crate::store::DatabaseConnection;
use crate::trust::{Directories, OrgCache};
use crate::workflow::Registry;
use std::sync::Arc;

/// Shared state; cheap to clone.
#[derive(Clone, Debug)]
pub struct AppState {
    /// The database pool.
    pub db: DatabaseConnection,
    /// The clock.
    pub clock: Clock,
    /// The loaded settings.
    pub settings: Arc<Settings>,
    /// The loaded workflows.
    pub workflows: Arc<Registry>,
    /// Outgoing mail.
    pub mailer: Mailer,
    /// Password hashing.
    pub hasher: Hasher,
    /// Onramp's token signing keys, one ring per environment.
    pub keys: KeyRings,
    /// Outbound HTTPS (JWKS).
    pub outbound: Outbound,
    /// Clients' fetched key sets.
    pub client_jwks: JwksCache,
    /// Trusted software statement issuers.
    pub directories: Arc<Directories>,
    /// Onramp's own sandbox directory (`dcr.sandbox_directory`), when on.
    pub sandbox_directory: Option<Arc<crate::trust::SandboxDirectory>>,
    /// Client records for the token endpoint.
    pub client_cache: ClientCache,
    /// On SQLite, hot single-row writes (used JWT ids) queue here instead of meeting SQLite's
    /// lock and sleeping in its busy handler; `None` on PostgreSQL.
    pub sqlite_writes: Option<Arc<tokio::sync::Mutex<()>>>,
    /// Active organisations named by software statements, cached for DCR.
    pub dcr_orgs: OrgCache,
    /// Software statements whose signature verified, cached for DCR.
    pub ssa_cache: Arc<crate::trust::SsaCache>,
    /// The group-commit writer of single-use ids and DCR registrations.
    pub writes: crate::store::group_commit::GroupCommit,
    /// The key that seals secrets at rest (`security.data_key`), when set.
    pub data_key: Option<Arc<crate::domain::sealed::DataKey>>,
    /// Authority checks: the authority-code table and certificate roots.
    pub authority: Arc<crate::authority::Authority>,
}

impl AppState {
    /// Opens a write transaction. On SQLite it first queues for the process's write gate, so
    /// that writers wait their turn here instead of sleeping in SQLite's busy handler; drop the
    /// returned gate once the transaction has committed.
    pub async fn begin(
        &self,
    ) -> Result<
        (
            crate::store::DatabaseTransaction,
            Option<tokio::sync::OwnedMutexGuard<()>>,
        ),
        sea_orm::DbErr,
    > {
        let gate = match &self.sqlite_writes {
            Some(g) => Some(g.clone().lock_owned().await),
            None => None,
        };
        Ok((crate::store::begin(&self.db).await?, gate))
    }

    /// Call after committing a change to clients or organisations.
    pub fn clients_changed(&self) {
        self.client_cache.invalidate();
        self.dcr_orgs.invalidate();
    }

    /// An absolute link to a portal path.
    pub fn link(&self, path: &str) -> String {
        format!("{}{}", self.settings.base_url(), path)
    }
}
