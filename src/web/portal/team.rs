//! `/team` (members, invitations, removal) and `/invite` (accepting an invitation).

use crate::domain::{UserId, paths};
use crate::state::AppState;
use crate::team::{TeamError, service};
use crate::web::csrf::FormPost;
use crate::web::error::PageError;
use crate::web::guards::{require_member, require_user};
use crate::web::render::{self, Layout};
use crate::web::session::TypedSession;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

struct Member {
    id: String,
    email: String,
    role: String,
    is_me: bool,
}

#[derive(Template)]
#[template(path = "portal/team.html")]
struct TeamPage {
    layout: Layout,
    members: Vec<Member>,
    invitations: Vec<(String, String)>,
    is_owner: bool,
    two_step_required: bool,
    email: String,
    error: String,
}

async fn page(
    st: &AppState,
    session: &TypedSession,
    email: String,
    error: String,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let (user, org) = require_member(st, session).await?;
    let (members, invites) = service::members(st, &user).await?;
    render::page(
        &TeamPage {
            layout: Layout::portal("Team", session, Some(user.email.clone()))?,
            members: members
                .into_iter()
                .map(|m| Member {
                    id: m.id.to_string(),
                    is_me: m.id == user.id,
                    email: m.email,
                    role: m.role,
                })
                .collect(),
            invitations: invites
                .into_iter()
                .map(|i| (i.email, i.expires_at.format("%Y-%m-%d").to_string()))
                .collect(),
            is_owner: user.role == "owner",
            two_step_required: org.require_mfa,
            email,
            error,
        },
        status,
    )
}

/// GET `/team`.
pub async fn show(
    st: web::Data<AppState>,
    session: TypedSession,
) -> Result<HttpResponse, PageError> {
    page(&st, &session, String::new(), String::new(), StatusCode::OK).await
}

/// POST `/team/invite`.
pub async fn invite(
    st: web::Data<AppState>,
    session: TypedSession,
    FormPost(sub): FormPost,
) -> Result<HttpResponse, PageError> {
    let user = require_user(&st, &session).await?;
    let email = sub.get("email").unwrap_or_default().to_string();
    match service::invite(&st, &user, &email).await {
        Ok(()) => {
            session.flash("success", format!("Invitation sent to {}.", email.trim()))?;
            Ok(render::see_other(paths::TEAM))
        }
        Err(TeamError::NotOwner) => Err(PageError::Forbidden(
            "Only the organisation's owners can manage its team.",
        )),
        Err(e @ TeamError::Refused(_)) => {
            page(
                &st,
                &session,
                email,
                e.to_string(),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// POST `/team/two-step`: the owner requires (`require=1`) or stops requiring two-step sign-in.
pub async fn two_step(
    st: web::Data<AppState>,
    session: TypedSession,
    FormPost(sub): FormPost,
) -> Result<HttpResponse, PageError> {
    let user = require_user(&st, &session).await?;
    let require = sub.get("require") == Some("1");
    match service::require_two_step(&st, &user, require).await {
        Ok(()) => {
            let text = if require {
                "Every member now signs in with two steps; those without an app set one up at their next sign-in."
            } else {
                "Two-step sign-in is now each member's choice."
            };
            session.flash("success", text)?;
            Ok(render::see_other(paths::TEAM))
        }
        Err(TeamError::NotOwner) => Err(PageError::Forbidden(
            "Only the organisation's owners can manage its team.",
        )),
        Err(e) => Err(e.into()),
    }
}

/// POST `/team/{user_id}/remove`.
pub async fn remove(
    st: web::Data<AppState>,
    session: TypedSession,
    path: web::Path<String>,
    FormPost(_): FormPost,
) -> Result<HttpResponse, PageError> {
    let user = require_user(&st, &session).await?;
    let member: UserId = path.parse().map_err(|_| PageError::NotFound)?;
    match service::remove(&st, &user, member).await {
        Ok(()) => {
            session.flash("success", "The member was removed.")?;
            Ok(render::see_other(paths::TEAM))
        }
        Err(TeamError::NotOwner) => Err(PageError::Forbidden(
            "Only the organisation's owners can manage its team.",
        )),
        Err(TeamError::Refused(m)) => {
            session.flash("error", m)?;
            Ok(render::see_other(paths::TEAM))
        }
        Err(e) => Err(e.into()),
    }
}

/// The link's query.
#[derive(Deserialize)]
pub struct TokenQuery {
    token: Option<String>,
}

#[derive(Template)]
#[template(path = "portal/invite.html")]
struct InvitePage {
    layout: Layout,
    token: String,
    legal_name: String,
    email: String,
    error: String,
}

async fn invite_page(
    st: &AppState,
    session: &TypedSession,
    token: String,
    error: String,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let (legal_name, email, error, status) = match service::open_invitation(st, &token).await {
        Ok((inv, name)) => (name, inv.email, error, status),
        Err(e @ TeamError::BadLink) => (
            String::new(),
            String::new(),
            e.to_string(),
            StatusCode::BAD_REQUEST,
        ),
        Err(e) => return Err(e.into()),
    };
    render::page(
        &InvitePage {
            layout: Layout::portal("Join your team", session, None)?,
            token,
            legal_name,
            email,
            error,
        },
        status,
    )
}

/// GET `/invite?token=…`.
pub async fn accept_form(
    st: web::Data<AppState>,
    session: TypedSession,
    q: web::Query<TokenQuery>,
) -> Result<HttpResponse, PageError> {
    invite_page(
        &st,
        &session,
        q.token.clone().unwrap_or_default(),
        String::new(),
        StatusCode::OK,
    )
    .await
}

/// POST `/invite`: choose a password and join.
pub async fn accept(
    st: web::Data<AppState>,
    session: TypedSession,
    FormPost(sub): FormPost,
) -> Result<HttpResponse, PageError> {
    let token = sub.get("token").unwrap_or_default().to_string();
    let password = sub.get("password").unwrap_or_default();
    if sub.get("password_confirm").is_some_and(|c| c != password) {
        let msg = "The two passwords do not match.".to_string();
        return invite_page(&st, &session, token, msg, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    match service::accept(&st, &token, password).await {
        Ok(user) => {
            // A new member signs in as anyone does: where the organisation requires two-step
            // sign-in, they set it up first.
            let actor = crate::web::guards::tpp_actor(&user);
            let next = crate::web::two_step::after_password(&st, &session, &actor).await?;
            session.flash("success", "Welcome: you have joined the team.")?;
            Ok(next)
        }
        Err(e @ (TeamError::WeakPassword(_) | TeamError::Refused(_) | TeamError::BadLink)) => {
            invite_page(
                &st,
                &session,
                token,
                e.to_string(),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}
