//! Sign-in for portal users and admins (with throttling), admin creation, password reset.

use super::sessions::SessionKind;
use super::{AccountError, check_policy};
use crate::audit;
use crate::domain::{
    Actor, AdminId, AdminRole, EmailAddress, PlainToken, TokenHash, UserId, paths,
};
use crate::email::messages;
use crate::email::outbox::{self, Queued};
use crate::ratelimit::Limit;
use crate::state::AppState;
use crate::store::admins::AdminRecord;
use crate::store::email_tokens::TokenUse;
use crate::store::users::UserRecord;
use crate::store::{self, StoreError};
use crate::unit_of_work::UnitOfWork;
use chrono::Duration;

const RESET_PURPOSE: &str = "reset";

/// Which door someone signs in through.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Door {
    /// The TPP portal.
    Portal,
    /// The admin console.
    Admin,
}

impl Door {
    fn prefix(self) -> &'static str {
        match self {
            Self::Portal => "portal",
            Self::Admin => "admin",
        }
    }
}

fn limits(st: &AppState, door: Door) -> (Limit, Limit) {
    let l = &st.settings.limits;
    let window = Duration::from_std(l.login_lockout).unwrap_or(Duration::minutes(15));
    let (acct, ip) = match door {
        Door::Portal => ("login_fail_acct_portal", "login_fail_ip_portal"),
        Door::Admin => ("login_fail_acct_admin", "login_fail_ip_admin"),
    };
    (
        Limit {
            kind: acct,
            max: l.login_failures_per_account,
            window,
        },
        Limit {
            kind: ip,
            max: l.login_failures_per_ip_per_hour,
            window: Duration::hours(1),
        },
    )
}

/// One sign-in attempt, counted before the password is checked (so that a parallel burst
/// cannot pass the limit: the k-th attempt sees at least k), and taken back when it succeeds or
/// is refused by the throttle.
struct Attempt {
    door: Door,
    account: (crate::ratelimit::Limit, crate::ratelimit::Hit),
    by_ip: (crate::ratelimit::Limit, crate::ratelimit::Hit),
}

impl Attempt {
    /// Counts the attempt and refuses it when the account or the address is backed off.
    async fn begin(st: &AppState, door: Door, email: &str, ip: &str) -> Result<Self, AccountError> {
        let now = st.clock.now();
        let (acct, by_ip) = limits(st, door);
        let attempt = Self {
            door,
            account: (acct, acct.hit(&st.db, email, now).await?),
            by_ip: (by_ip, by_ip.hit(&st.db, ip, now).await?),
        };
        let wait = match acct.backed_off(&st.db, email, now).await? {
            Some(w) => Some(w),
            None => by_ip.backed_off(&st.db, ip, now).await?,
        };
        if let Some(wait) = wait {
            attempt.take_back(st).await?;
            tracing::info!(
                login.door = door.prefix(),
                "sign-in refused by the throttle"
            );
            return Err(AccountError::Throttled {
                minutes: wait.num_minutes().max(1),
            });
        }
        Ok(attempt)
    }

    /// The attempt does not count (it succeeded, or was refused before the password check).
    async fn take_back(&self, st: &AppState) -> Result<(), AccountError> {
        self.account.0.take_back(&st.db, &self.account.1).await?;
        self.by_ip.0.take_back(&st.db, &self.by_ip.1).await?;
        Ok(())
    }

    /// The password was right: the account's failures are forgotten.
    async fn succeeded(self, st: &AppState, email: &str) -> Result<(), AccountError> {
        self.take_back(st).await?;
        self.account.0.clear(&st.db, email).await?;
        Ok(())
    }

    /// The password was wrong: the attempt stays counted.
    fn failed(self) {
        tracing::info!(login.door = self.door.prefix(), "failed sign-in");
    }
}

/// Signs a portal user in.
pub async fn login_portal(
    st: &AppState,
    email: &str,
    password: &str,
    ip: &str,
) -> Result<UserRecord, AccountError> {
    let email = email.trim().to_lowercase();
    let attempt = Attempt::begin(st, Door::Portal, &email, ip).await?;
    let user = store::users::find_by_email(&st.db, &email).await?;
    let ok = st
        .hasher
        .verify(
            user.as_ref().map(|u| u.password_hash.clone()),
            password.to_string(),
        )
        .await;
    match user {
        Some(u) if ok => {
            attempt.succeeded(st, &email).await?;
            if u.email_verified_at.is_none() {
                return Err(AccountError::EmailNotVerified);
            }
            Ok(u)
        }
        _ => {
            attempt.failed();
            Err(AccountError::InvalidCredentials)
        }
    }
}

/// Signs an admin in.
pub async fn login_admin(
    st: &AppState,
    email: &str,
    password: &str,
    ip: &str,
) -> Result<AdminRecord, AccountError> {
    let email = email.trim().to_lowercase();
    let attempt = Attempt::begin(st, Door::Admin, &email, ip).await?;
    let admin = store::admins::find_by_email(&st.db, &email).await?;
    let ok = st
        .hasher
        .verify(
            admin.as_ref().map(|a| a.password_hash.clone()),
            password.to_string(),
        )
        .await;
    match admin {
        Some(a) if ok && !a.disabled => {
            attempt.succeeded(st, &email).await?;
            let actor = Actor::Admin {
                id: a.id,
                email: a.email.clone(),
                role: a.role,
            };
            audit::record(
                &st.db,
                audit::Event {
                    actor: &actor,
                    action: "admin.login",
                    subject_type: "admin",
                    subject_id: a.id.to_string(),
                    organisation: None,
                    detail: serde_json::json!({}),
                    ip: Some(ip.to_string()),
                },
                st.clock.now(),
            )
            .await?;
            Ok(a)
        }
        _ => {
            attempt.failed();
            Err(AccountError::InvalidCredentials)
        }
    }
}

/// Creates a bank admin (the CLI's `admin create`).
pub async fn create_admin(
    st: &AppState,
    email: &str,
    role: AdminRole,
    password: &str,
) -> Result<AdminRecord, AccountError> {
    let email =
        EmailAddress::parse(email).map_err(|m| AccountError::WeakPassword(m.to_string()))?;
    check_policy(password, email.as_str()).map_err(AccountError::WeakPassword)?;
    let hash = st
        .hasher
        .hash(password.to_string())
        .await
        .map_err(|()| AccountError::Hash)?;
    let now = st.clock.now();
    let rec = AdminRecord {
        id: AdminId::new(),
        email: email.as_str().to_string(),
        password_hash: hash,
        role,
        disabled: false,
        created_at: now,
    };
    let uow = UnitOfWork::begin(st).await?;
    let tx = &uow.tx;
    match store::admins::insert(tx, &rec).await {
        Ok(()) => {}
        Err(StoreError::Conflict) => return Err(AccountError::AdminExists),
        Err(e) => return Err(e.into()),
    }
    audit::record(
        tx,
        audit::Event {
            actor: &Actor::System,
            action: "admin.created",
            subject_type: "admin",
            subject_id: rec.id.to_string(),
            organisation: None,
            detail: serde_json::json!({ "email": rec.email, "role": role.as_str() }),
            ip: None,
        },
        now,
    )
    .await?;
    uow.commit(st).await?;
    Ok(rec)
}

/// Mails a reset link if the address has an account. Answers the same either way.
pub async fn request_password_reset(st: &AppState, raw_email: &str) -> Result<(), AccountError> {
    let Ok(email) = EmailAddress::parse(raw_email) else {
        return Ok(());
    };
    let now = st.clock.now();
    let limit = Limit {
        kind: "email_addr",
        max: st.settings.limits.emails_per_address_per_hour,
        window: Duration::hours(1),
    };
    let uow = UnitOfWork::begin(st).await?;
    let tx = &uow.tx;
    let Some(user) = store::users::find_by_email(tx, email.as_str()).await? else {
        return Ok(());
    };
    if !limit.take(tx, email.as_str(), now).await? {
        return Ok(());
    }
    store::email_tokens::void_for_user(tx, user.id, RESET_PURPOSE, now).await?;
    let token = PlainToken::generate("onr_pr_");
    store::email_tokens::insert(
        tx,
        &token.hash(),
        RESET_PURPOSE,
        user.id,
        now + Duration::hours(1),
        now,
    )
    .await?;
    let link = format!(
        "{}?token={}",
        st.link(paths::PASSWORD_RESET),
        token.expose()
    );
    let mail = messages::password_reset(email.as_str(), &link).map_err(|_| AccountError::Hash)?;
    let mut queued = Queued::default();
    outbox::queue(tx, &st.clock, vec![mail], &mut queued).await?;
    uow.commit(st).await?;
    outbox::deliver_in_background(&st.db, &st.mailer, &st.clock, queued.0);
    Ok(())
}

/// Whether a reset link is still usable (to show the form or an explanation).
pub async fn reset_link_valid(st: &AppState, token: &str) -> Result<bool, AccountError> {
    Ok(
        store::email_tokens::peek(&st.db, &TokenHash::of(token), RESET_PURPOSE, st.clock.now())
            .await?,
    )
}

/// Sets a new password through a reset link. The link works once; a verified reset also counts
/// as email verification.
pub async fn reset_password(
    st: &AppState,
    token: &str,
    password: &str,
) -> Result<(), AccountError> {
    let now = st.clock.now();
    let hash_of_token = TokenHash::of(token);
    if !store::email_tokens::peek(&st.db, &hash_of_token, RESET_PURPOSE, now).await? {
        return Err(AccountError::BadLink);
    }
    let uow = UnitOfWork::begin(st).await?;
    let tx = &uow.tx;
    // Validate against the account's email before consuming the link.
    let TokenUse::Used(user_id) =
        store::email_tokens::take(tx, &hash_of_token, RESET_PURPOSE, now).await?
    else {
        return Err(AccountError::BadLink);
    };
    let user = store::users::get(tx, user_id)
        .await?
        .ok_or(AccountError::BadLink)?;
    check_policy(password, &user.email).map_err(AccountError::WeakPassword)?;
    let hash = st
        .hasher
        .hash(password.to_string())
        .await
        .map_err(|()| AccountError::Hash)?;
    store::users::set_password(tx, user.id, &hash, now).await?;
    let actor = Actor::Tpp {
        id: user.id,
        email: user.email.clone(),
    };
    audit::record(
        tx,
        audit::Event {
            actor: &actor,
            action: "account.password_reset",
            subject_type: "user",
            subject_id: user.id.to_string(),
            organisation: Some(user.organisation_id),
            detail: serde_json::json!({}),
            ip: None,
        },
        now,
    )
    .await?;
    uow.commit(st).await?;
    // Whoever had the old password may have a session: every session of the account ends.
    super::sessions::end_all(st, SessionKind::Portal, &user.id.to_string(), None).await?;
    limits(st, Door::Portal)
        .0
        .clear(&st.db, &user.email)
        .await?;
    Ok(())
}

/// A signed-in person's password change, before anything is written: the current password is
/// checked under the same throttle as a sign-in at `door`, the new one against the policy; returns
/// the new hash.
async fn new_password_hash(
    st: &AppState,
    door: Door,
    email: &str,
    stored_hash: &str,
    current: &str,
    new: &str,
    ip: &str,
) -> Result<String, AccountError> {
    let attempt = Attempt::begin(st, door, email, ip).await?;
    if !st
        .hasher
        .verify(Some(stored_hash.to_string()), current.to_string())
        .await
    {
        attempt.failed();
        return Err(AccountError::WrongPassword);
    }
    attempt.succeeded(st, email).await?;
    check_policy(new, email).map_err(AccountError::WeakPassword)?;
    st.hasher
        .hash(new.to_string())
        .await
        .map_err(|()| AccountError::Hash)
}

/// Changes a signed-in portal user's password: the current one must be right (a wrong one
/// counts as a failed sign-in) and the new one must pass the policy. Every other session of the
/// user ends; `this_session` (the one making the change) stays.
pub async fn change_password(
    st: &AppState,
    user_id: UserId,
    current: &str,
    new: &str,
    ip: &str,
    this_session: Option<&str>,
) -> Result<(), AccountError> {
    let user = store::users::get(&st.db, user_id)
        .await?
        .ok_or(AccountError::InvalidCredentials)?;
    let hash = new_password_hash(
        st,
        Door::Portal,
        &user.email,
        &user.password_hash,
        current,
        new,
        ip,
    )
    .await?;
    let now = st.clock.now();
    let uow = UnitOfWork::begin(st).await?;
    let tx = &uow.tx;
    store::users::set_password(tx, user.id, &hash, now).await?;
    audit::record(
        tx,
        audit::Event {
            actor: &Actor::Tpp {
                id: user.id,
                email: user.email.clone(),
            },
            action: "account.password_changed",
            subject_type: "user",
            subject_id: user.id.to_string(),
            organisation: Some(user.organisation_id),
            detail: serde_json::json!({}),
            ip: Some(ip.to_string()),
        },
        now,
    )
    .await?;
    uow.commit(st).await?;
    super::sessions::end_all(st, SessionKind::Portal, &user.id.to_string(), this_session).await?;
    Ok(())
}

/// Changes a signed-in admin's password, as [`change_password`] does for portal users: the
/// current password is checked (and throttled), the policy applies, the admin's other sessions
/// end.
pub async fn change_admin_password(
    st: &AppState,
    admin: &AdminRecord,
    current: &str,
    new: &str,
    ip: &str,
    this_session: Option<&str>,
) -> Result<(), AccountError> {
    let hash = new_password_hash(
        st,
        Door::Admin,
        &admin.email,
        &admin.password_hash,
        current,
        new,
        ip,
    )
    .await?;
    let now = st.clock.now();
    let uow = UnitOfWork::begin(st).await?;
    let tx = &uow.tx;
    store::admins::set_password(tx, admin.id, &hash).await?;
    audit::record(
        tx,
        audit::Event {
            actor: &Actor::Admin {
                id: admin.id,
                email: admin.email.clone(),
                role: admin.role,
            },
            action: "admin.password_changed",
            subject_type: "admin",
            subject_id: admin.id.to_string(),
            organisation: None,
            detail: serde_json::json!({}),
            ip: Some(ip.to_string()),
        },
        now,
    )
    .await?;
    uow.commit(st).await?;
    super::sessions::end_all(st, SessionKind::Admin, &admin.id.to_string(), this_session).await?;
    Ok(())
}
