//! Looking up who is at a door by id (for the second sign-in step, which comes after the
//! password in another request), and the organisation's two-step rule for its members.

use super::AccountError;
use super::sessions::SessionKind;
use crate::domain::Actor;
use crate::state::AppState;
use crate::store;

/// The enabled admin or verified portal user with this id, as an actor.
pub async fn actor_by_id(
    st: &AppState,
    kind: SessionKind,
    subject: &str,
) -> Result<Option<Actor>, AccountError> {
    Ok(match kind {
        SessionKind::Admin => {
            let Ok(id) = subject.parse() else {
                return Ok(None);
            };
            store::admins::get(&st.db, id)
                .await?
                .filter(|a| !a.disabled)
                .map(|a| Actor::Admin {
                    id: a.id,
                    email: a.email,
                    role: a.role,
                })
        }
        SessionKind::Portal => {
            let Ok(id) = subject.parse() else {
                return Ok(None);
            };
            store::users::get(&st.db, id)
                .await?
                .filter(|u| u.email_verified_at.is_some())
                .map(|u| Actor::Tpp {
                    id: u.id,
                    email: u.email,
                })
        }
    })
}

/// Whether the portal user's organisation requires two-step sign-in of its members.
pub async fn organisation_requires_mfa(st: &AppState, actor: &Actor) -> Result<bool, AccountError> {
    let Actor::Tpp { id, .. } = actor else {
        return Ok(false);
    };
    let Some(user) = store::users::get(&st.db, *id).await? else {
        return Ok(false);
    };
    Ok(store::organisations::get(&st.db, user.organisation_id)
        .await?
        .is_some_and(|o| o.require_mfa))
}

/// The admin with this email, as an actor (for `onramp admin reset-mfa`).
pub async fn admin_by_email(st: &AppState, email: &str) -> Result<Option<Actor>, AccountError> {
    Ok(
        store::admins::find_by_email(&st.db, &email.trim().to_lowercase())
            .await?
            .map(|a| Actor::Admin {
                id: a.id,
                email: a.email,
                role: a.role,
            }),
    )
}
