//! One unit of work: begin a write transaction (queued at the SQLite write gate), do every write
//! in it, commit, and only then act outside the database: drop the client caches when clients
//! or organisations changed, and deliver the mail queued in the outbox. Services use this in
//! place of writing the sequence out each time, so none forgets a step.

use crate::email::outbox::{self, Queued};
use crate::state::AppState;
use crate::store::DatabaseTransaction;

/// A transaction with what to do after it commits.
pub struct UnitOfWork {
    /// The transaction every write goes through.
    pub tx: DatabaseTransaction,
    gate: Option<tokio::sync::OwnedMutexGuard<()>>,
    /// Mail queued in the outbox inside the transaction, delivered after the commit.
    pub mail: Queued,
    clients_changed: bool,
}

impl UnitOfWork {
    /// Opens a unit of work.
    pub async fn begin(st: &AppState) -> Result<Self, sea_orm::DbErr> {
        let (tx, gate) = st.begin().await?;
        Ok(Self {
            tx,
            gate,
            mail: Queued::default(),
            clients_changed: false,
        })
    }

    /// Marks that clients or organisations change: every node-local cache of them is dropped
    /// after the commit.
    pub fn touches_clients(&mut self) {
        self.clients_changed = true;
    }

    /// Commits, then drops the caches and delivers the queued mail. A failed delivery stays in
    /// the outbox for the background worker; the committed change stands.
    pub async fn commit(self, st: &AppState) -> Result<(), sea_orm::DbErr> {
        let Self {
            tx,
            gate,
            mail,
            clients_changed,
        } = self;
        tx.commit().await?;
        drop(gate);
        if clients_changed {
            st.clients_changed();
        }
        outbox::deliver(&st.db, &st.mailer, &st.clock, &mail.0).await;
        Ok(())
    }
}
