//! Throttles kept in the store, so that every node counts alike. Counting is race-free: an event
//! is recorded first and the limit checked afterwards, so the k-th of a parallel burst sees at
//! least k events and no burst gets more than `max` through; a refused event is taken back, so
//! hammering a closed door does not keep it closed.

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

/// One recorded event, to take back if it turns out not to count.
#[derive(Clone, Debug)]
pub struct Hit {
    id: String,
}

impl Limit {
    /// Records one event for `key` and says whether it is within the limit; an event over the
    /// limit is not kept.
    pub async fn take(
        &self,
        c: &impl ConnectionTrait,
        key: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let hit = self.hit(c, key, now).await?;
        let n = store::rate::count_since(c, self.kind, key, now - self.window).await?;
        if n > u64::from(self.max) {
            self.take_back(c, &hit).await?;
            return Ok(false);
        }
        Ok(true)
    }

    /// Records one event for `key`.
    pub async fn hit(
        &self,
        c: &impl ConnectionTrait,
        key: &str,
        now: DateTime<Utc>,
    ) -> Result<Hit, StoreError> {
        Ok(Hit {
            id: store::rate::record(c, self.kind, key, now).await?,
        })
    }

    /// Forgets one recorded event.
    pub async fn take_back(&self, c: &impl ConnectionTrait, hit: &Hit) -> Result<(), StoreError> {
        store::rate::delete(c, &hit.id).await
    }

    /// Whether `key`, with the events recorded so far (its own included), is over the limit
    /// with exponential back-off: `max` events per `window`, `2 × max` per twice the window, and
    /// so on up to 64 windows. A steady guesser is slowed down ever more, and the lock always
    /// ends: nothing counts after 64 windows.
    pub async fn backed_off(
        &self,
        c: &impl ConnectionTrait,
        key: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<Duration>, StoreError> {
        let span = self.window * BACKOFF_STEPS;
        let limit = u64::from(self.max) * BACKOFF_STEPS as u64 + 1;
        let times = store::rate::recent(c, self.kind, key, now - span, limit).await?;
        Ok(backoff(&times, self.max, self.window, now))
    }

    /// Forgets `key`'s events.
    pub async fn clear(&self, c: &impl ConnectionTrait, key: &str) -> Result<(), StoreError> {
        store::rate::clear(c, self.kind, key).await
    }
}

/// How many doublings of the window the back-off looks back over (1, 2, 4, … 64 windows).
const BACKOFF_STEPS: i32 = 64;

/// The wait before the next event is allowed, when `times` (newest first, the current event
/// included) break the back-off rule: for step j = 0, 1, 2, … the events within `window × 2^j`
/// may number at most `max × (j + 1)`.
pub fn backoff(
    times: &[DateTime<Utc>],
    max: u32,
    window: Duration,
    now: DateTime<Utc>,
) -> Option<Duration> {
    let max = max.max(1) as usize;
    let mut span = window;
    let mut j = 0usize;
    while span <= window * BACKOFF_STEPS {
        let allowed = max * (j + 1);
        let within = times.iter().filter(|t| **t > now - span).count();
        if within > allowed {
            // Free again when the oldest event that still counts (the `allowed`-th newest
            // before this one) leaves the span.
            let oldest = times.get(allowed).copied().unwrap_or(now);
            return Some((oldest + span - now).max(Duration::minutes(1)));
        }
        span = span * 2;
        j += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(now: DateTime<Utc>, minutes_ago: &[i64]) -> Vec<DateTime<Utc>> {
        minutes_ago
            .iter()
            .map(|m| now - Duration::minutes(*m))
            .collect()
    }

    #[test]
    fn the_first_max_events_in_a_window_pass_and_the_next_waits() {
        let now = DateTime::<Utc>::UNIX_EPOCH + Duration::days(1000);
        let w = Duration::minutes(15);
        let ten: Vec<i64> = (0..10).collect();
        assert_eq!(backoff(&at(now, &ten), 10, w, now), None);
        let eleven: Vec<i64> = (0..11).collect();
        assert!(backoff(&at(now, &eleven), 10, w, now).is_some());
    }

    #[test]
    fn a_steady_guesser_is_slowed_down_more_and_more_but_never_locked_for_good() {
        let now = DateTime::<Utc>::UNIX_EPOCH + Duration::days(1000);
        let w = Duration::minutes(15);
        // 20 failures in the last 20 minutes: 15 fall in the last 15, so the first step closes.
        let twenty: Vec<i64> = (0..20).collect();
        assert!(backoff(&at(now, &twenty), 10, w, now).is_some());
        // 21 failures, one every 3 minutes: 5 per 15 minutes, 10 per 30, 20 per 60: passes.
        let slow: Vec<i64> = (0..21).map(|i| i * 3).collect();
        assert_eq!(backoff(&at(now, &slow), 10, w, now), None);
        // 40 failures in the last 60 minutes break the 4-window step (at most 30).
        let fast: Vec<i64> = (0..40).map(|i| i * 3 / 2).collect();
        assert!(backoff(&at(now, &fast), 10, w, now).is_some());
        // Nothing is remembered beyond 64 windows.
        let old: Vec<i64> = (0..500).map(|i| 64 * 15 + 1 + i).collect();
        assert_eq!(backoff(&at(now, &old), 10, w, now), None);
    }
}
