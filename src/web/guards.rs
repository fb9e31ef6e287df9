//! Who may see a page: a signed-in, verified portal user; a signed-in, enabled admin.

use super::error::PageError;
use super::session::TypedSession;
use crate::domain::{Actor, paths};
use crate::state::AppState;
use crate::store;
use crate::store::admins::AdminRecord;
use crate::store::users::UserRecord;

/// The signed-in portal user, or a redirect to the portal sign-in.
pub async fn require_user(st: &AppState, session: &TypedSession) -> Result<UserRecord, PageError> {
    let id = session.user_id().ok_or(PageError::SignIn(paths::LOGIN))?;
    match store::users::get(&st.db, id).await? {
        Some(u) if u.email_verified_at.is_some() => {
            session.note_organisation(u.organisation_id.to_string());
            Ok(u)
        }
        _ => {
            session.sign_out_user(st).await?;
            Err(PageError::SignIn(paths::LOGIN))
        }
    }
}

/// The signed-in admin, or a redirect to the console's own sign-in. A portal session never
/// opens the console.
pub async fn require_admin(
    st: &AppState,
    session: &TypedSession,
) -> Result<AdminRecord, PageError> {
    let id = session
        .admin_id()
        .ok_or(PageError::SignIn(paths::ADMIN_LOGIN))?;
    match store::admins::get(&st.db, id).await? {
        Some(a) if !a.disabled => Ok(a),
        _ => {
            session.sign_out_admin(st).await?;
            Err(PageError::SignIn(paths::ADMIN_LOGIN))
        }
    }
}

/// The actor for a portal user.
pub fn tpp_actor(u: &UserRecord) -> Actor {
    Actor::Tpp {
        id: u.id,
        email: u.email.clone(),
    }
}

/// The actor for an admin.
pub fn admin_actor(a: &AdminRecord) -> Actor {
    Actor::Admin {
        id: a.id,
        email: a.email.clone(),
        role: a.role,
    }
}

/// The signed-in portal user and their organisation.
pub async fn require_member(
    st: &AppState,
    session: &TypedSession,
) -> Result<(UserRecord, crate::store::organisations::OrganisationRecord), PageError> {
    let user = require_user(st, session).await?;
    let org = store::organisations::get(&st.db, user.organisation_id)
        .await?
        .ok_or(PageError::NotFound)?;
    Ok((user, org))
}

/// A signed-in admin who may change organisations and clients (approvers and superadmins;
/// reviewers only read).
pub async fn require_admin_role(
    st: &AppState,
    session: &TypedSession,
) -> Result<AdminRecord, PageError> {
    let admin = require_admin(st, session).await?;
    if !admin.role.may_change_status() {
        return Err(PageError::Forbidden(
            "Reviewers can see organisations and clients; suspending or revoking needs an approver.",
        ));
    }
    Ok(admin)
}
