//! Server-side sessions for both doors. The cookie carries a random token; the store keeps its
//! SHA-256 with who signed in, when, from where, and when the session was last used. A session
//! ends at sign-out, after `security.session_idle` without use, 12 hours after sign-in, or when
//! its person changes or resets the password or signs out everywhere. Every node sees the same
//! sessions (they live in the database).

use super::AccountError;
use crate::domain::{PlainToken, TokenHash};
use crate::state::AppState;
use crate::store;
use crate::store::sessions::SessionRecord;
use chrono::{DateTime, Duration, Utc};

/// The longest a session lasts, however busy.
pub const ABSOLUTE_LIFETIME: Duration = Duration::hours(12);

/// `last_seen_at` is written at most this often per session.
const TOUCH_EVERY: Duration = Duration::minutes(1);

/// Which door a session opens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionKind {
    /// The TPP portal.
    Portal,
    /// The admin console.
    Admin,
}

impl SessionKind {
    /// Its stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Portal => "portal",
            Self::Admin => "admin",
        }
    }

    fn idle(self, st: &AppState) -> Duration {
        let idle = &st.settings.security.session_idle;
        let d = match self {
            Self::Portal => idle.portal,
            Self::Admin => idle.admin,
        };
        Duration::from_std(d).unwrap_or(Duration::minutes(30))
    }
}

/// Where a sign-in came from, kept with the session.
#[derive(Clone, Debug, Default)]
pub struct Origin {
    /// The client's address.
    pub ip: String,
    /// The browser's `User-Agent`, cut to 255 characters.
    pub user_agent: String,
}

/// A session that is still open.
#[derive(Clone, Debug)]
pub struct Active {
    /// Its stored id (the token's hash).
    pub id: String,
    /// The user's or admin's id.
    pub subject_id: String,
}

/// Starts a session for `subject_id`; returns the token for the cookie.
pub async fn start(
    st: &AppState,
    kind: SessionKind,
    subject_id: &str,
    origin: &Origin,
) -> Result<PlainToken, AccountError> {
    let token = PlainToken::generate("");
    let now = st.clock.now();
    store::sessions::insert(
        &st.db,
        &SessionRecord {
            id: token.hash().as_str().to_string(),
            kind: kind.as_str().into(),
            subject_id: subject_id.into(),
            created_at: now,
            last_seen_at: now,
            ip: Some(origin.ip.chars().take(64).collect()),
            user_agent: Some(origin.user_agent.chars().take(255).collect()),
        },
    )
    .await?;
    Ok(token)
}

/// Whether a stored session is still open at `now`.
fn open(r: &SessionRecord, idle: Duration, now: DateTime<Utc>) -> bool {
    r.created_at + ABSOLUTE_LIFETIME > now && r.last_seen_at + idle > now
}

/// The open session behind a cookie token, noting its use; an expired one is deleted.
pub async fn resolve(
    st: &AppState,
    kind: SessionKind,
    token: &str,
) -> Result<Option<Active>, AccountError> {
    let Some(r) = store::sessions::get(&st.db, &TokenHash::of(token)).await? else {
        return Ok(None);
    };
    let now = st.clock.now();
    if r.kind != kind.as_str() {
        return Ok(None);
    }
    if !open(&r, kind.idle(st), now) {
        store::sessions::delete(&st.db, &r.id).await?;
        return Ok(None);
    }
    if now - r.last_seen_at >= TOUCH_EVERY {
        store::sessions::touch(&st.db, &r.id, now).await?;
    }
    Ok(Some(Active {
        id: r.id,
        subject_id: r.subject_id,
    }))
}

/// Ends one session (sign-out).
pub async fn end(st: &AppState, id: &str) -> Result<(), AccountError> {
    store::sessions::delete(&st.db, id).await?;
    Ok(())
}

/// Ends every session of a person, but `keep` when given; returns how many ended.
pub async fn end_all(
    st: &AppState,
    kind: SessionKind,
    subject_id: &str,
    keep: Option<&str>,
) -> Result<u64, AccountError> {
    Ok(store::sessions::delete_for_subject(&st.db, kind.as_str(), subject_id, keep).await?)
}

/// A person's open sessions, newest first.
pub async fn list(
    st: &AppState,
    kind: SessionKind,
    subject_id: &str,
) -> Result<Vec<SessionRecord>, AccountError> {
    let now = st.clock.now();
    let idle = kind.idle(st);
    Ok(
        store::sessions::list_for_subject(&st.db, kind.as_str(), subject_id)
            .await?
            .into_iter()
            .filter(|r| open(r, idle, now))
            .collect(),
    )
}

/// Deletes sessions that can no longer be used (the background worker).
pub async fn purge(st: &AppState) -> Result<u64, AccountError> {
    let now = st.clock.now();
    let longest_idle = SessionKind::Portal
        .idle(st)
        .max(SessionKind::Admin.idle(st));
    Ok(store::sessions::purge(&st.db, now - ABSOLUTE_LIFETIME, now - longest_idle).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_closes_after_its_idle_time_or_twelve_hours() {
        let t0 = DateTime::<Utc>::UNIX_EPOCH + Duration::days(1000);
        let r = SessionRecord {
            id: String::new(),
            kind: "admin".into(),
            subject_id: String::new(),
            created_at: t0,
            last_seen_at: t0,
            ip: None,
            user_agent: None,
        };
        let idle = Duration::minutes(30);
        assert!(open(&r, idle, t0 + Duration::minutes(29)));
        assert!(!open(&r, idle, t0 + Duration::minutes(30)));
        let busy = SessionRecord {
            last_seen_at: t0 + Duration::hours(12),
            ..r
        };
        assert!(!open(&busy, idle, t0 + Duration::hours(12)));
    }
}
