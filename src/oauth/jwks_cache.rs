//! Clients' key sets fetched from their `jwks_uri`: cached for five minutes, fetched again once
//! when a token names a `kid` the cached set lacks.

use super::outbound::{FetchError, Outbound};
use crate::jose::JwkSet;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const TTL: Duration = Duration::from_secs(300);

type Entries = HashMap<String, (Instant, Arc<JwkSet>)>;

/// A cache of fetched key sets by URL.
#[derive(Clone, Debug, Default)]
pub struct JwksCache {
    entries: Arc<Mutex<Entries>>,
}

impl JwksCache {
    fn cached_with_age(&self, url: &str) -> Option<(Duration, Arc<JwkSet>)> {
        let map = self.entries.lock().ok()?;
        map.get(url)
            .filter(|(at, _)| at.elapsed() < TTL)
            .map(|(at, s)| (at.elapsed(), s.clone()))
    }

    async fn fetch(&self, outbound: &Outbound, url: &str) -> Result<Arc<JwkSet>, FetchError> {
        let v = outbound.get_json(url).await.inspect_err(|_| {
            metrics::counter!("onramp_jwks_fetch_failures_total").increment(1);
        })?;
        let set = Arc::new(JwkSet::parse(&v).map_err(|e| FetchError(format!("{url}: {e}")))?);
        if let Ok(mut map) = self.entries.lock() {
            if map.len() > 10_000 {
                map.clear();
            }
            map.insert(url.to_string(), (Instant::now(), set.clone()));
        }
        Ok(set)
    }

    /// The key set at `url` that holds `kid` (when given): from the cache, or fetched (again).
    pub async fn get(
        &self,
        outbound: &Outbound,
        url: &str,
        kid: Option<&str>,
    ) -> Result<Arc<JwkSet>, FetchError> {
        if let Some((age, set)) = self.cached_with_age(url) {
            // An unknown kid refetches, but at most every ten seconds per URL, so that forged
            // kids cannot make Onramp hammer a TPP's server.
            if kid.is_none_or(|k| set.find(k).is_some()) || age < Duration::from_secs(10) {
                return Ok(set);
            }
        }
        self.fetch(outbound, url).await
    }
}
