//! Sliding-window throttles kept in the store, so that every node counts alike.

use crate::store::{self, ConnectionTrait, StoreError};
use chrono::{DateTime, Duration, Utc};

/// A named limit: at most `max` events per `window`.
#[derive(Clone, Copy, Debug)]
pub struct Limit {
    /// Kind of event (`signup_ip`, `login_fail_ip`, …).
    pub kind: &'static str,
    /// Events allowed in the window.
    pub max: u32,
    /// Window length.
    pub window: Duration,
}

impl Limit {
    /// Whether `key` is already at the limit (without recording anything).
    pub async fn exceeded(
        &self,
        c: &impl ConnectionTrait,
        key: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let n = store::rate::count_since(c, self.kind, key, now - self.window).await?;
        Ok(n >= u64::from(self.max))
    }

    /// Records one event for `key`.
    pub async fn hit(
        &self,
        c: &impl ConnectionTrait,
        key: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        store::rate::record(c, self.kind, key, now).await
    }

    /// Records one event and says whether the limit was already reached before it.
    pub async fn take(
        &self,
        c: &impl ConnectionTrait,
        key: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let over = self.exceeded(c, key, now).await?;
        if !over {
            self.hit(c, key, now).await?;
        }
        Ok(!over)
    }

    /// Forgets `key`'s events.
    pub async fn clear(&self, c: &impl ConnectionTrait, key: &str) -> Result<(), StoreError> {
        store::rate::clear(c, self.kind, key).await
    }
}
