//! The background sender: claims due webhook events from the outbox, POSTs them signed through
//! the outbound client (SSRF guard, timeout), marks them sent on a 2xx, and otherwise retries
//! after 2, 4, 8… seconds (at most an hour) until the last attempt, then marks them failed.

use super::sign::signature;
use crate::state::AppState;
use crate::store::{self, StoreError};
use chrono::Duration;
use secrecy::ExposeSecret;

/// Attempts before an event is marked failed.
pub const MAX_ATTEMPTS: i32 = 8;

/// How often the sender looks for due events.
const POLL: std::time::Duration = std::time::Duration::from_secs(1);

/// Sends due events until the process stops.
pub async fn run(st: AppState) {
    if st.settings.webhooks.is_empty() {
        return;
    }
    let mut tick = tokio::time::interval(POLL);
    loop {
        tick.tick().await;
        if let Err(e) = deliver_due(&st).await {
            tracing::error!(error = %e, "webhook sender failed");
        }
    }
}

/// Attempts every due event once.
pub async fn deliver_due(st: &AppState) -> Result<(), StoreError> {
    let now = st.clock.now();
    for id in store::outbox::due_of(&st.db, store::outbox::WEBHOOK, now, 50).await? {
        let Some(ev) = store::outbox::claim(&st.db, &id, now, now + Duration::minutes(2)).await?
        else {
            continue;
        };
        let attempts = ev.attempts + 1;
        let Some(hook) = st.settings.webhooks.iter().find(|w| w.name == ev.recipient) else {
            let why = format!("webhook `{}` is no longer configured", ev.recipient);
            store::outbox::mark_failed(&st.db, &id, &why, now, true).await?;
            continue;
        };
        let ts = st.clock.now().timestamp();
        let sig = signature(hook.secret.expose_secret(), &ev.id, ts, &ev.body_text);
        let headers = [
            ("webhook-id", ev.id.clone()),
            ("webhook-timestamp", ts.to_string()),
            ("webhook-signature", sig),
        ];
        let outcome = st
            .outbound
            .post_json(&hook.url, &headers, ev.body_text.clone())
            .await;
        match outcome {
            Ok(status) if (200..300).contains(&status) => {
                store::outbox::mark_sent(&st.db, &id, st.clock.now()).await?;
            }
            other => {
                let why = match other {
                    Ok(status) => format!("the receiver answered {status}"),
                    Err(e) => e,
                };
                let wait = Duration::seconds(2_i64.pow(attempts.clamp(1, 11) as u32).min(3600));
                let give_up = attempts >= MAX_ATTEMPTS;
                tracing::warn!(webhook = %hook.name, attempts, give_up, reason = %why, "webhook delivery failed");
                store::outbox::mark_failed(&st.db, &id, &why, st.clock.now() + wait, give_up)
                    .await?;
            }
        }
    }
    Ok(())
}
