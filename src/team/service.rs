//! Inviting, accepting and removing team members.

use super::TeamError;
use crate::accounts::check_policy;
use crate::audit;
use crate::domain::{Actor, EmailAddress, PlainToken, TokenHash, UserId, paths};
use crate::email::messages;
use crate::email::outbox::{self, Queued};
use crate::ratelimit::Limit;
use crate::state::AppState;
use crate::store::invitations::InvitationRecord;
use crate::store::users::UserRecord;
use crate::store::{self, StoreError};
use crate::unit_of_work::UnitOfWork;
use chrono::Duration;

/// How long an invitation link works.
pub const INVITATION_TTL: Duration = Duration::days(7);

fn invitation_limit(st: &AppState) -> Limit {
    Limit {
        kind: "invite_org",
        max: st.settings.limits.invitations_per_organisation_per_day,
        window: Duration::days(1),
    }
}

fn actor(u: &UserRecord) -> Actor {
    Actor::Tpp {
        id: u.id,
        email: u.email.clone(),
    }
}

/// The members and open invitations of the user's organisation.
pub async fn members(
    st: &AppState,
    user: &UserRecord,
) -> Result<(Vec<UserRecord>, Vec<InvitationRecord>), TeamError> {
    let members = store::users::list_by_org(&st.db, user.organisation_id).await?;
    let invites =
        store::invitations::open_for_org(&st.db, user.organisation_id, st.clock.now()).await?;
    Ok((members, invites))
}

/// Invites `email` to the owner's organisation.
pub async fn invite(st: &AppState, owner: &UserRecord, email: &str) -> Result<(), TeamError> {
    if owner.role != "owner" {
        return Err(TeamError::NotOwner);
    }
    let email = EmailAddress::parse(email).map_err(|m| TeamError::Refused(m.into()))?;
    let now = st.clock.now();
    let uow = UnitOfWork::begin(st).await?;
    let tx = &uow.tx;
    let org = store::organisations::get(tx, owner.organisation_id)
        .await?
        .ok_or(TeamError::NotFound)?;
    if org.status != crate::domain::OrganisationStatus::Active {
        return Err(TeamError::Refused(
            "You can invite people once the bank has approved your organisation (and while it is not suspended)."
                .into(),
        ));
    }
    if store::users::list_by_org(tx, owner.organisation_id)
        .await?
        .iter()
        .any(|u| u.email == email.as_str())
    {
        return Err(TeamError::Refused(format!("{email} is already a member.")));
    }
    // Counted inside the transaction, so a burst of invitations cannot pass the limit together
    // on PostgreSQL (the write gate serialises them on SQLite).
    if !invitation_limit(st)
        .take(tx, &org.id.to_string(), now)
        .await?
    {
        return Err(TeamError::Refused(format!(
            "Your organisation has sent {} invitations in the last 24 hours: try again tomorrow.",
            st.settings.limits.invitations_per_organisation_per_day
        )));
    }
    let token = PlainToken::generate("onr_inv_");
    let rec = InvitationRecord {
        organisation_id: owner.organisation_id,
        email: email.as_str().into(),
        invited_by: owner.id,
        expires_at: now + INVITATION_TTL,
        accepted_at: None,
        created_at: now,
    };
    store::invitations::insert(tx, &token.hash(), &rec).await?;
    let link = format!("{}?token={}", st.link(paths::INVITE), token.expose());
    let mail = messages::invitation(email.as_str(), &org.legal_name, &owner.email, &link)?;
    let mut queued = Queued::default();
    outbox::queue(tx, &st.clock, vec![mail], &mut queued).await?;
    audit::record(
        tx,
        audit::Event {
            actor: &actor(owner),
            action: "team.invited",
            subject_type: "organisation",
            subject_id: org.id.to_string(),
            organisation: Some(org.id),
            detail: serde_json::json!({ "email": email.as_str() }),
            ip: None,
        },
        now,
    )
    .await?;
    uow.commit(st).await?;
    outbox::deliver_in_background(&st.db, &st.mailer, &st.clock, queued.0);
    Ok(())
}

/// The open invitation behind a link, with the organisation's name.
pub async fn open_invitation(
    st: &AppState,
    token: &str,
) -> Result<(InvitationRecord, String), TeamError> {
    let inv = store::invitations::find_open(&st.db, &TokenHash::of(token), st.clock.now())
        .await?
        .ok_or(TeamError::BadLink)?;
    let org = store::organisations::get(&st.db, inv.organisation_id)
        .await?
        .ok_or(TeamError::BadLink)?;
    Ok((inv, org.legal_name))
}

/// Accepts an invitation: creates the member's account (its email is proven by the link).
pub async fn accept(st: &AppState, token: &str, password: &str) -> Result<UserRecord, TeamError> {
    let (inv, _) = open_invitation(st, token).await?;
    check_policy(password, &inv.email).map_err(TeamError::WeakPassword)?;
    let hash = st
        .hasher
        .hash(password.to_string())
        .await
        .map_err(|()| TeamError::Hash)?;
    let now = st.clock.now();
    let uow = UnitOfWork::begin(st).await?;
    let tx = &uow.tx;
    if !store::invitations::accept(tx, &TokenHash::of(token), now).await? {
        return Err(TeamError::BadLink);
    }
    let user = UserRecord {
        id: UserId::new(),
        organisation_id: inv.organisation_id,
        email: inv.email.clone(),
        password_hash: hash,
        role: "developer".into(),
        email_verified_at: Some(now),
        created_at: now,
    };
    match store::users::insert(tx, &user).await {
        Ok(()) => {}
        Err(StoreError::Conflict) => {
            return Err(TeamError::Refused(
                "This email address already has an account. Sign in with it, or ask to be invited with another address."
                    .into(),
            ));
        }
        Err(e) => return Err(e.into()),
    }
    audit::record(
        tx,
        audit::Event {
            actor: &actor(&user),
            action: "team.joined",
            subject_type: "organisation",
            subject_id: inv.organisation_id.to_string(),
            organisation: Some(inv.organisation_id),
            detail: serde_json::json!({ "email": user.email }),
            ip: None,
        },
        now,
    )
    .await?;
    uow.commit(st).await?;
    Ok(user)
}

/// Removes a member from the owner's organisation (an owner cannot remove itself).
pub async fn remove(st: &AppState, owner: &UserRecord, member: UserId) -> Result<(), TeamError> {
    if owner.role != "owner" {
        return Err(TeamError::NotOwner);
    }
    if member == owner.id {
        return Err(TeamError::Refused("You cannot remove yourself.".into()));
    }
    let uow = UnitOfWork::begin(st).await?;
    let tx = &uow.tx;
    let target = match store::users::get(tx, member).await? {
        Some(u) if u.organisation_id == owner.organisation_id => u,
        _ => return Err(TeamError::NotFound),
    };
    store::users::delete(tx, target.id).await?;
    audit::record(
        tx,
        audit::Event {
            actor: &actor(owner),
            action: "team.removed",
            subject_type: "organisation",
            subject_id: owner.organisation_id.to_string(),
            organisation: Some(owner.organisation_id),
            detail: serde_json::json!({ "email": target.email }),
            ip: None,
        },
        st.clock.now(),
    )
    .await?;
    uow.commit(st).await?;
    Ok(())
}

/// The owner requires (or stops requiring) two-step sign-in of every member: from their next
/// sign-in, a member without it sets it up before going on.
pub async fn require_two_step(
    st: &AppState,
    owner: &UserRecord,
    require: bool,
) -> Result<(), TeamError> {
    if owner.role != "owner" {
        return Err(TeamError::NotOwner);
    }
    let now = st.clock.now();
    let uow = UnitOfWork::begin(st).await?;
    let tx = &uow.tx;
    store::organisations::set_require_mfa(tx, owner.organisation_id, require, now).await?;
    audit::record(
        tx,
        audit::Event {
            actor: &actor(owner),
            action: "team.two_step_required",
            subject_type: "organisation",
            subject_id: owner.organisation_id.to_string(),
            organisation: Some(owner.organisation_id),
            detail: serde_json::json!({ "required": require }),
            ip: None,
        },
        now,
    )
    .await?;
    uow.commit(st).await?;
    Ok(())
}
