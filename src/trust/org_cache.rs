//! Active organisations named by software statements, cached per node for DCR's hot path
//! (30 seconds at most, dropped on every local change to organisations or clients). The group
//! commit checks inside its transaction that an organisation is still active, so a suspension
//! made on another node is never missed.

use crate::store::organisations::OrganisationRecord;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long an entry lives.
pub const TTL: Duration = Duration::from_secs(30);

/// (the statement's issuer, `org_id`): directory org ids are scoped by their issuer.
pub type OrgKey = (String, String);

type Entries = HashMap<OrgKey, (Instant, OrganisationRecord)>;

/// The cache; cheap to clone.
#[derive(Clone, Debug, Default)]
pub struct OrgCache {
    entries: Arc<Mutex<Entries>>,
}

impl OrgCache {
    /// A fresh entry.
    pub fn get(&self, key: &OrgKey) -> Option<OrganisationRecord> {
        let m = self.entries.lock().ok()?;
        m.get(key)
            .filter(|(at, _)| at.elapsed() < TTL)
            .map(|(_, org)| org.clone())
    }

    /// Remembers an active organisation.
    pub fn insert(&self, key: OrgKey, org: OrganisationRecord) {
        if let Ok(mut m) = self.entries.lock() {
            if m.len() > 10_000 {
                m.clear();
            }
            m.insert(key, (Instant::now(), org));
        }
    }

    /// Drops every entry (after a change to organisations).
    pub fn invalidate(&self) {
        if let Ok(mut m) = self.entries.lock() {
            m.clear();
        }
    }
}
