//! The clock: the only place that reads the system time, so that tests can fix or move it.

use chrono::{DateTime, Duration, Utc};
use std::sync::{Arc, Mutex};

/// Source of the current time, held in the application state.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    offset: Arc<Mutex<Duration>>,
}

impl Clock {
    /// A clock that follows the system time.
    pub fn system() -> Self {
        Self::default()
    }

    /// The current time (system time plus any test offset).
    pub fn now(&self) -> DateTime<Utc> {
        #[expect(
            clippy::disallowed_methods,
            reason = "the one place that reads the time"
        )]
        let now = Utc::now();
        now + self.offset()
    }

    /// Moves this clock forward; tests use it to expire tokens without sleeping.
    pub fn advance(&self, by: Duration) {
        if let Ok(mut offset) = self.offset.lock() {
            *offset += by;
        }
    }

    fn offset(&self) -> Duration {
        self.offset
            .lock()
            .map(|o| *o)
            .unwrap_or_else(|_| Duration::zero())
    }
}

/// A time as pages and mails show it: `30 Nov 2026, 15:37 UTC`.
pub fn human_time(t: &DateTime<Utc>) -> String {
    t.format("%-d %b %Y, %H:%M UTC").to_string()
}

/// A day as pages show it: `30 Nov 2026`.
pub fn human_date(t: &DateTime<Utc>) -> String {
    t.format("%-d %b %Y").to_string()
}
