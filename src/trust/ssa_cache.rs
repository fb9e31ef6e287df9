//! Software statements whose directory signature has verified, kept by the SHA-256 of their
//! compact form for at most five minutes (as long as a directory's fetched JWKS is kept), so
//! that a TPP registering many clients with one statement pays for its signature once. Only the
//! signature check is kept: freshness, mandatory claims and statuses are checked on every use,
//! as are the request's own signature and `jti`; an organisation suspended at this bank still
//! wins at the group commit.

use crate::domain::client::Environment;
use crate::jose::Jws;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const TTL: Duration = Duration::from_secs(300);
/// Each entry holds a decoded statement (a few KiB): at most a few MiB in all.
const MAX_ENTRIES: usize = 1024;

/// A statement whose signature verified with its directory's keys.
#[derive(Debug)]
pub struct Verified {
    /// The decoded statement.
    pub jws: Jws,
    /// The environment of the directory that signed it.
    pub environment: Environment,
}

type Entries = HashMap<[u8; 32], (Instant, Arc<Verified>)>;

/// The cache; one per node.
#[derive(Debug, Default)]
pub struct SsaCache {
    entries: Mutex<Entries>,
}

fn key(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

impl SsaCache {
    /// The statement, if its signature verified less than five minutes ago.
    pub fn get(&self, token: &str) -> Option<Arc<Verified>> {
        let map = self.entries.lock().ok()?;
        map.get(&key(token))
            .filter(|(at, _)| at.elapsed() < TTL)
            .map(|(_, v)| v.clone())
    }

    /// Keeps a statement whose signature has just verified.
    pub fn put(&self, token: &str, verified: Arc<Verified>) {
        if let Ok(mut map) = self.entries.lock() {
            if map.len() >= MAX_ENTRIES {
                map.retain(|_, (at, _)| at.elapsed() < TTL);
                if map.len() >= MAX_ENTRIES {
                    map.clear();
                }
            }
            map.insert(key(token), (Instant::now(), verified));
        }
    }
}
