//! Signup, verification and resubmission.

use super::SignupError;
use crate::accounts::check_policy;
use crate::audit;
use crate::domain::{Actor, EmailAddress, OrganisationId, PlainToken, TokenHash, UserId, paths};
use crate::email::messages;
use crate::email::outbox::{self, Queued};
use crate::forms::{FieldErrors, Submission};
use crate::ratelimit::Limit;
use crate::state::AppState;
use crate::store::email_tokens::TokenUse;
use crate::store::organisations::OrganisationRecord;
use crate::store::users::UserRecord;
use crate::store::{self, StoreError};
use crate::tasks::service::Subject;
use crate::unit_of_work::UnitOfWork;
use chrono::Duration;

/// Name of the signup workflow file.
pub const SIGNUP_WORKFLOW: &str = "signup";
/// Token purpose of verification links.
pub const VERIFY_PURPOSE: &str = "verify";

fn signup_limit(st: &AppState) -> Limit {
    Limit {
        kind: "signup_ip",
        max: st.settings.limits.signups_per_ip_per_hour,
        window: Duration::hours(1),
    }
}

pub(super) fn email_limit(st: &AppState) -> Limit {
    Limit {
        kind: "email_addr",
        max: st.settings.limits.emails_per_address_per_hour,
        window: Duration::hours(1),
    }
}

/// Checks the account part of the signup form (email, password, confirmation).
fn check_account(sub: &Submission, errors: &mut FieldErrors) -> Option<EmailAddress> {
    let email = match EmailAddress::parse(sub.get("email").unwrap_or_default()) {
        Ok(e) => Some(e),
        Err(m) => {
            errors.insert("email".into(), m.into());
            None
        }
    };
    let password = sub.get("password").unwrap_or_default();
    let confirm = sub.get("password_confirm");
    if let Err(m) = check_policy(password, email.as_ref().map_or("", EmailAddress::as_str)) {
        errors.insert("password".into(), m);
    } else if confirm.is_some_and(|c| c != password) {
        errors.insert(
            "password_confirm".into(),
            "The two passwords do not match.".into(),
        );
    }
    email
}

/// Stores a fresh single-use verification token (valid 24 hours) and returns its link.
async fn verification_link(
    c: &impl store::ConnectionTrait,
    st: &AppState,
    user: UserId,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<String, StoreError> {
    let token = PlainToken::generate("onr_ev_");
    store::email_tokens::insert(
        c,
        &token.hash(),
        VERIFY_PURPOSE,
        user,
        now + Duration::hours(24),
        now,
    )
    .await?;
    Ok(format!(
        "{}?token={}",
        st.link(paths::VERIFY),
        token.expose()
    ))
}

/// Handles a signup form. On success (new or existing email alike) a mail is sent and the same
/// answer is given, so the page never tells whether an address has an account.
pub async fn signup(st: &AppState, sub: &Submission, ip: &str) -> Result<(), SignupError> {
    let wf = st
        .workflows
        .get(SIGNUP_WORKFLOW)
        .ok_or(SignupError::NoWorkflow)?;
    let mut errors = FieldErrors::new();
    let values = wf.form.validate(sub).unwrap_or_else(|e| {
        errors.extend(e);
        Default::default()
    });
    let email = check_account(sub, &mut errors);
    let (Some(email), true) = (email, errors.is_empty()) else {
        return Err(SignupError::Invalid(errors));
    };
    let now = st.clock.now();
    if !signup_limit(st).take(&st.db, ip, now).await? {
        return Err(SignupError::Throttled);
    }
    let password_hash = st
        .hasher
        .hash(sub.get("password").unwrap_or_default().to_string())
        .await
        .map_err(|()| SignupError::Hash)?;

    let (tx, gate) = st.begin().await?;
    let mut queued = Queued::default();
    let existing = store::users::find_by_email(&tx, email.as_str()).await?;
    if existing
        .as_ref()
        .is_some_and(|u| u.email_verified_at.is_some())
    {
        let mail = messages::signup_existing(
            email.as_str(),
            &st.link(paths::LOGIN),
            &st.link(paths::PASSWORD_FORGOT),
        )?;
        if email_limit(st).take(&tx, email.as_str(), now).await? {
            outbox::queue(&tx, &st.clock, vec![mail], &mut queued).await?;
        }
        tx.commit().await?;
        drop(gate);
        outbox::deliver_in_background(&st.db, &st.mailer, &st.clock, queued.0);
        return Ok(());
    }
    let legal_name = values
        .get("legal_name")
        .and_then(|v| v.as_str())
        .filter(|s| !s.is_empty())
        .or_else(|| values.get("company_name").and_then(|v| v.as_str()))
        .unwrap_or(email.as_str())
        .to_string();
    let org = OrganisationRecord {
        id: OrganisationId::new(),
        legal_name: legal_name.clone(),
        status: crate::domain::OrganisationStatus::Unverified,
        profile: values,
        created_at: now,
        updated_at: now,
        directory_org_id: None,
        directory_issuer: None,
        require_mfa: false,
    };
    store::organisations::insert(&tx, &org).await?;
    if existing.is_some() {
        // Someone signed up with this address before and it is not verified: this signup waits
        // for its own link and replaces that one only once the address follows it.
        super::squat::queue_replacement(&tx, st, &email, &org, password_hash, &mut queued).await?;
        tx.commit().await?;
        drop(gate);
        outbox::deliver_in_background(&st.db, &st.mailer, &st.clock, queued.0);
        return Ok(());
    }
    let user = UserRecord {
        id: UserId::new(),
        organisation_id: org.id,
        email: email.as_str().to_string(),
        password_hash,
        role: "owner".into(),
        email_verified_at: None,
        created_at: now,
    };
    match store::users::insert(&tx, &user).await {
        Ok(()) => {}
        // Lost a race with another signup for the same address: answer as for any address.
        Err(StoreError::Conflict) => return Ok(()),
        Err(e) => return Err(e.into()),
    }
    let link = verification_link(&tx, st, user.id, now).await?;
    email_limit(st).hit(&tx, email.as_str(), now).await?;
    outbox::queue(
        &tx,
        &st.clock,
        vec![messages::verify_email(email.as_str(), &legal_name, &link)?],
        &mut queued,
    )
    .await?;
    let actor = Actor::Tpp {
        id: user.id,
        email: user.email.clone(),
    };
    audit::record(
        &tx,
        audit::Event {
            actor: &actor,
            action: "signup.created",
            subject_type: "organisation",
            subject_id: org.id.to_string(),
            organisation: Some(org.id),
            detail: serde_json::json!({ "legal_name": legal_name }),
            ip: Some(ip.to_string()),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    drop(gate);
    outbox::deliver_in_background(&st.db, &st.mailer, &st.clock, queued.0);
    Ok(())
}

/// Follows a verification link: verifies the address and, for a new organisation, starts its
/// signup workflow. Returns the verified user's email.
pub async fn verify_email(st: &AppState, token: &str) -> Result<String, SignupError> {
    let wf = st
        .workflows
        .get(SIGNUP_WORKFLOW)
        .ok_or(SignupError::NoWorkflow)?;
    let now = st.clock.now();
    // The authority checks below run in the transaction: ask the remote registers first.
    if let Some(user) =
        store::email_tokens::owner(&st.db, &TokenHash::of(token), VERIFY_PURPOSE, now).await?
        && let Some(user) = store::users::get(&st.db, user).await?
        && let Some(org) = store::organisations::get(&st.db, user.organisation_id).await?
        && org.status == crate::domain::OrganisationStatus::Unverified
    {
        crate::authority::service::warm_remote(st, &org).await;
    }
    let mut uow = UnitOfWork::begin(st).await?;
    let tx = &uow.tx;
    let user_id =
        match store::email_tokens::take(tx, &TokenHash::of(token), VERIFY_PURPOSE, now).await? {
            TokenUse::Used(u) => u,
            TokenUse::Unknown => super::squat::replace(tx, token, now)
                .await?
                .ok_or(SignupError::BadLink)?,
            _ => return Err(SignupError::BadLink),
        };
    let user = store::users::get(tx, user_id)
        .await?
        .ok_or(SignupError::BadLink)?;
    // Whichever signup verifies, the others waiting for this address are dropped.
    super::squat::drop_waiting(tx, &user.email).await?;
    store::users::mark_verified(tx, user.id, now).await?;
    let mut org = store::organisations::get(tx, user.organisation_id)
        .await?
        .ok_or(SignupError::BadLink)?;
    let mut queued = Queued::default();
    let actor = Actor::Tpp {
        id: user.id,
        email: user.email.clone(),
    };
    if org.status == crate::domain::OrganisationStatus::Unverified {
        store::organisations::set_status(
            tx,
            org.id,
            crate::domain::OrganisationStatus::Pending,
            now,
        )
        .await?;
        org.status = crate::domain::OrganisationStatus::Pending;
        // The authority checks run first, so that the workflow's conditions
        // (`authority_verified`, `roles_cover_request`) see their evidence.
        let instance = crate::domain::InstanceId::new();
        crate::authority::service::check_organisation(tx, st, &org, Some(instance)).await?;
        crate::tasks::service::start_as(
            tx,
            st,
            wf,
            instance,
            Subject {
                kind: "organisation",
                id: org.id.to_string(),
            },
            &org,
            org.profile.clone(),
            &actor,
            &mut queued,
        )
        .await?;
    }
    audit::record(
        tx,
        audit::Event {
            actor: &actor,
            action: "signup.email_verified",
            subject_type: "user",
            subject_id: user.id.to_string(),
            organisation: Some(org.id),
            detail: serde_json::json!({}),
            ip: None,
        },
        now,
    )
    .await?;
    uow.mail = queued;
    uow.commit(st).await?;
    Ok(user.email)
}

/// Sends a fresh verification link if the address has an unverified account. Answers the same
/// either way.
pub async fn resend_verification(st: &AppState, raw_email: &str) -> Result<(), SignupError> {
    let Ok(email) = EmailAddress::parse(raw_email) else {
        return Ok(());
    };
    let now = st.clock.now();
    let uow = UnitOfWork::begin(st).await?;
    let tx = &uow.tx;
    let Some(user) = store::users::find_by_email(tx, email.as_str()).await? else {
        return Ok(());
    };
    if user.email_verified_at.is_some() || !email_limit(st).take(tx, email.as_str(), now).await? {
        return Ok(());
    }
    let org = store::organisations::get(tx, user.organisation_id).await?;
    store::email_tokens::void_for_user(tx, user.id, VERIFY_PURPOSE, now).await?;
    let link = verification_link(tx, st, user.id, now).await?;
    let legal = org.map(|o| o.legal_name).unwrap_or_default();
    let mut queued = Queued::default();
    outbox::queue(
        tx,
        &st.clock,
        vec![messages::verify_email(email.as_str(), &legal, &link)?],
        &mut queued,
    )
    .await?;
    uow.commit(st).await?;
    outbox::deliver_in_background(&st.db, &st.mailer, &st.clock, queued.0);
    Ok(())
}

/// An organisation and where its signup stands.
pub struct SignupStanding {
    /// The organisation.
    pub org: OrganisationRecord,
    /// Its signup workflow's standing, once the email is verified.
    pub standing: Option<crate::tasks::query::Standing>,
}

/// Loads the organisation of `org_id` and its signup standing.
pub async fn signup_standing(
    st: &AppState,
    org_id: OrganisationId,
) -> Result<Option<SignupStanding>, SignupError> {
    let Some(org) = store::organisations::get(&st.db, org_id).await? else {
        return Ok(None);
    };
    let standing = crate::tasks::query::standing(
        st,
        org.id,
        SIGNUP_WORKFLOW,
        "organisation",
        &org.id.to_string(),
    )
    .await?;
    Ok(Some(SignupStanding { org, standing }))
}
