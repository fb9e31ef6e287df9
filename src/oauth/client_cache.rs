//! A short-lived cache of client records for the token endpoint, the hottest path: it saves a
//! database round trip per token request. An entry lives at most one second, and every change
//! to clients or organisations made through this node drops them all at once, so this node never
//! issues a token to a client it has just suspended or revoked. Another node may lag by up to a
//! second; the tokens it would issue in that second are refused where they are used, because
//! every use of a token ([`super::token::check`]) reads the client's status from the database.

use crate::domain::ClientId;
use crate::store::clients::ClientRecord;
use crate::store::{self, DatabaseConnection, StoreError};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const TTL: Duration = Duration::from_secs(1);

type Entries = HashMap<ClientId, (Instant, u64, Arc<ClientRecord>)>;

/// The cache; cheap to clone.
#[derive(Clone, Debug, Default)]
pub struct ClientCache {
    entries: Arc<Mutex<Entries>>,
    generation: Arc<AtomicU64>,
}

impl ClientCache {
    /// The client, from the cache when fresh, else from the database; shared, not copied.
    pub async fn get(
        &self,
        db: &DatabaseConnection,
        id: &ClientId,
    ) -> Result<Option<Arc<ClientRecord>>, StoreError> {
        let generation = self.generation.load(Ordering::Acquire);
        if let Ok(map) = self.entries.lock()
            && let Some((at, g, rec)) = map.get(id)
            && *g == generation
            && at.elapsed() < TTL
        {
            return Ok(Some(rec.clone()));
        }
        let found = store::clients::get(db, id).await?.map(Arc::new);
        if let (Some(rec), Ok(mut map)) = (&found, self.entries.lock()) {
            if map.len() > 50_000 {
                map.clear();
            }
            map.insert(id.clone(), (Instant::now(), generation, rec.clone()));
        }
        Ok(found)
    }

    /// Drops every entry: call after committing a change to clients or organisations.
    pub fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        if let Ok(mut map) = self.entries.lock() {
            map.clear();
        }
    }
}
