//! Account squatting: someone may sign up with an address that is not theirs. A later signup for
//! the same address, while it is still unverified, does not fail and does not take over at
//! once: it waits (with its own password and organisation) for its own link, and only when the
//! address follows that link does it replace the first signup, which is then dropped.

use super::SignupError;
use super::service::{VERIFY_PURPOSE, email_limit};
use crate::audit;
use crate::domain::{Actor, EmailAddress, PlainToken, TokenHash, UserId, paths};
use crate::email::messages;
use crate::email::outbox::{self, Queued};
use crate::state::AppState;
use crate::store::organisations::OrganisationRecord;
use crate::store::pending_signups::PendingSignup;
use crate::store::users::UserRecord;
use crate::store::{self, ConnectionTrait};
use chrono::{DateTime, Duration, Utc};

/// Keeps a second signup for an unverified address waiting for its link, and mails the link.
/// Only the newest such signup waits.
pub(super) async fn queue_replacement(
    tx: &impl ConnectionTrait,
    st: &AppState,
    email: &EmailAddress,
    org: &OrganisationRecord,
    password_hash: String,
    queued: &mut Queued,
) -> Result<(), SignupError> {
    let now = st.clock.now();
    if !email_limit(st).take(tx, email.as_str(), now).await? {
        store::organisations::delete_unverified(tx, org.id).await?;
        return Ok(());
    }
    for older in store::pending_signups::drop_for_email(tx, email.as_str()).await? {
        store::organisations::delete_unverified(tx, older).await?;
    }
    let token = PlainToken::generate("onr_ev_");
    store::pending_signups::insert(
        tx,
        &token.hash(),
        &PendingSignup {
            email: email.as_str().to_string(),
            organisation_id: org.id,
            password_hash,
            expires_at: now + Duration::hours(24),
        },
        now,
    )
    .await?;
    let link = format!("{}?token={}", st.link(paths::VERIFY), token.expose());
    outbox::queue(
        tx,
        &st.clock,
        vec![messages::verify_email(
            email.as_str(),
            &org.legal_name,
            &link,
        )?],
        queued,
    )
    .await?;
    audit::record(
        tx,
        audit::Event {
            actor: &Actor::System,
            action: "signup.waiting_for_verification",
            subject_type: "organisation",
            subject_id: org.id.to_string(),
            organisation: Some(org.id),
            detail: serde_json::json!({ "legal_name": org.legal_name }),
            ip: None,
        },
        now,
    )
    .await?;
    Ok(())
}

/// Follows a waiting signup's link: drops the unverified account that held the address and
/// makes the waiting signup's account in its place. Returns the new (not yet verified) user, or
/// `None` when the link is unknown or expired, or the address was verified meanwhile.
pub(super) async fn replace(
    tx: &impl ConnectionTrait,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Option<UserId>, SignupError> {
    let Some(p) = store::pending_signups::take(tx, &TokenHash::of(token), now).await? else {
        return Ok(None);
    };
    if let Some(old) = store::users::find_by_email(tx, &p.email).await? {
        if old.email_verified_at.is_some() {
            store::organisations::delete_unverified(tx, p.organisation_id).await?;
            return Ok(None);
        }
        store::email_tokens::void_for_user(tx, old.id, VERIFY_PURPOSE, now).await?;
        store::users::delete(tx, old.id).await?;
        store::organisations::delete_unverified(tx, old.organisation_id).await?;
    }
    let user = UserRecord {
        id: UserId::new(),
        organisation_id: p.organisation_id,
        email: p.email,
        password_hash: p.password_hash,
        role: "owner".into(),
        email_verified_at: None,
        created_at: now,
    };
    store::users::insert(tx, &user).await?;
    Ok(Some(user.id))
}

/// Drops every signup still waiting for `email` (another one has verified it).
pub(super) async fn drop_waiting(
    tx: &impl ConnectionTrait,
    email: &str,
) -> Result<(), SignupError> {
    for org in store::pending_signups::drop_for_email(tx, email).await? {
        store::organisations::delete_unverified(tx, org).await?;
    }
    Ok(())
}
