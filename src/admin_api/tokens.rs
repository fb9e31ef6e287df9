//! Admin API tokens: made by a superadmin for an admin (the actor of every call made with it),
//! limited to a role no higher than that admin's, shown once, kept as SHA-256, refused after
//! expiry or revocation. Every call made with one is an audit event.

use super::ApiTokenError;
use crate::audit;
use crate::domain::{Actor, AdminRole, ApiTokenId, PlainToken, TokenHash};
use crate::state::AppState;
use crate::store;
use crate::store::admin_api_tokens::ApiTokenRecord;
use crate::store::admins::AdminRecord;
use crate::unit_of_work::UnitOfWork;
use chrono::Duration;

/// The prefix every admin API token starts with.
pub const PREFIX: &str = "onr_adm_";
/// The longest life a token may be given.
pub const MAX_DAYS: i64 = 366;

/// What a superadmin asks for.
pub struct NewToken<'a> {
    /// What it is for.
    pub name: &'a str,
    /// The admin it acts as (email).
    pub admin_email: &'a str,
    /// Its role.
    pub role: AdminRole,
    /// Days until it expires.
    pub days: i64,
}

/// A token with its admin, as the console lists it.
pub struct Listed {
    /// The token.
    pub token: ApiTokenRecord,
    /// Its admin's email.
    pub admin_email: String,
}

/// The caller behind a presented token.
#[derive(Clone, Debug)]
pub struct Caller {
    /// The token's id.
    pub token: ApiTokenId,
    /// The admin, with the token's role when lower than their own.
    pub actor: Actor,
    /// The role the call acts with.
    pub role: AdminRole,
}

/// The actor of an admin with a role.
pub fn actor_of(a: &AdminRecord, role: AdminRole) -> Actor {
    Actor::Admin {
        id: a.id,
        email: a.email.clone(),
        role,
    }
}

/// Makes a token; returns it once with its record.
pub async fn create(
    st: &AppState,
    creator: &AdminRecord,
    req: NewToken<'_>,
    ip: Option<String>,
) -> Result<(PlainToken, ApiTokenRecord), ApiTokenError> {
    if creator.role != AdminRole::Superadmin {
        return Err(ApiTokenError::Forbidden(
            "Only a superadmin makes admin API tokens.".into(),
        ));
    }
    let name = req.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(ApiTokenError::Invalid(
            "Give the token a name of 1 to 100 characters.".into(),
        ));
    }
    if !(1..=MAX_DAYS).contains(&req.days) {
        return Err(ApiTokenError::Invalid(format!(
            "A token lives 1 to {MAX_DAYS} days."
        )));
    }
    let email = req.admin_email.trim().to_lowercase();
    let uow = UnitOfWork::begin(st).await?;
    let tx = &uow.tx;
    let owner = store::admins::find_by_email(tx, &email)
        .await?
        .filter(|a| !a.disabled)
        .ok_or_else(|| ApiTokenError::Invalid(format!("No active admin has the email {email}.")))?;
    if !role_within(req.role, owner.role) {
        return Err(ApiTokenError::Invalid(format!(
            "{} is a {}: their token cannot be a {}.",
            owner.email, owner.role, req.role
        )));
    }
    let now = st.clock.now();
    let plain = PlainToken::generate(PREFIX);
    let record = ApiTokenRecord {
        id: ApiTokenId::new(),
        hash: plain.hash(),
        name: name.to_string(),
        admin_id: owner.id,
        role: req.role,
        created_by: creator.id,
        created_at: now,
        expires_at: now + Duration::days(req.days),
        last_used_at: None,
        revoked_at: None,
    };
    store::admin_api_tokens::insert(tx, &record).await?;
    audit::record(
        tx,
        audit::Event {
            actor: &actor_of(creator, creator.role),
            action: "admin_api_token.created",
            subject_type: "admin_api_token",
            subject_id: record.id.to_string(),
            organisation: None,
            detail: serde_json::json!({
                "name": record.name, "admin": owner.email, "role": record.role.as_str(),
                "expires_at": record.expires_at.to_rfc3339(),
            }),
            ip,
        },
        now,
    )
    .await?;
    uow.commit(st).await?;
    Ok((plain, record))
}

/// Every token with its admin's email, newest first.
pub async fn list(st: &AppState) -> Result<Vec<Listed>, ApiTokenError> {
    let mut out = Vec::new();
    for token in store::admin_api_tokens::list(&st.db).await? {
        let admin_email = store::admins::get(&st.db, token.admin_id)
            .await?
            .map(|a| a.email)
            .unwrap_or_default();
        out.push(Listed { token, admin_email });
    }
    Ok(out)
}

/// Revokes a token (superadmins only).
pub async fn revoke(
    st: &AppState,
    by: &AdminRecord,
    id: ApiTokenId,
    ip: Option<String>,
) -> Result<(), ApiTokenError> {
    if by.role != AdminRole::Superadmin {
        return Err(ApiTokenError::Forbidden(
            "Only a superadmin revokes admin API tokens.".into(),
        ));
    }
    let now = st.clock.now();
    let uow = UnitOfWork::begin(st).await?;
    if !store::admin_api_tokens::revoke(&uow.tx, id, now).await? {
        return Err(ApiTokenError::NotFound);
    }
    audit::record(
        &uow.tx,
        audit::Event {
            actor: &actor_of(by, by.role),
            action: "admin_api_token.revoked",
            subject_type: "admin_api_token",
            subject_id: id.to_string(),
            organisation: None,
            detail: serde_json::json!({}),
            ip,
        },
        now,
    )
    .await?;
    uow.commit(st).await?;
    Ok(())
}

/// The caller behind a presented token: refused when unknown, expired, revoked, or when its
/// admin is disabled. The call's role is the lower of the token's and the admin's own.
pub async fn authenticate(st: &AppState, presented: &str) -> Result<Caller, ApiTokenError> {
    if !presented.starts_with(PREFIX) {
        return Err(ApiTokenError::Unauthenticated("not an admin API token"));
    }
    let hash = TokenHash::of(presented);
    let token = store::admin_api_tokens::find_by_hash(&st.db, &hash)
        .await?
        .filter(|t| t.hash.matches(&hash))
        .ok_or(ApiTokenError::Unauthenticated("unknown token"))?;
    let now = st.clock.now();
    if token.revoked_at.is_some() {
        return Err(ApiTokenError::Unauthenticated("the token was revoked"));
    }
    if now >= token.expires_at {
        return Err(ApiTokenError::Unauthenticated("the token has expired"));
    }
    let admin = store::admins::get(&st.db, token.admin_id)
        .await?
        .filter(|a| !a.disabled)
        .ok_or(ApiTokenError::Unauthenticated(
            "the token's admin is disabled",
        ))?;
    // Roles are not a ladder (a reviewer reviews, an approver approves): a token acts with its
    // admin's own role, or with any role when the admin is a superadmin.
    if !role_within(token.role, admin.role) {
        return Err(ApiTokenError::Unauthenticated(
            "the token's role is no longer its admin's",
        ));
    }
    let role = token.role;
    Ok(Caller {
        token: token.id,
        actor: actor_of(&admin, role),
        role,
    })
}

/// Whether a token with `token` role may act for an admin with `admin` role: only a superadmin's
/// token may take another role than the admin's own.
fn role_within(token: AdminRole, admin: AdminRole) -> bool {
    token == admin || admin == AdminRole::Superadmin
}

/// One answered call, for the audit trail: the token is marked used in the same transaction.
pub struct Call<'a> {
    /// HTTP method.
    pub method: &'a str,
    /// The route pattern.
    pub route: &'a str,
    /// The answer's status.
    pub status: u16,
    /// Client address.
    pub ip: Option<String>,
}

/// Records a call made with a token.
pub async fn record_call(
    st: &AppState,
    caller: &Caller,
    call: Call<'_>,
) -> Result<(), ApiTokenError> {
    let now = st.clock.now();
    let uow = UnitOfWork::begin(st).await?;
    store::admin_api_tokens::touch(&uow.tx, caller.token, now).await?;
    audit::record(
        &uow.tx,
        audit::Event {
            actor: &caller.actor,
            action: "admin_api.call",
            subject_type: "admin_api_token",
            subject_id: caller.token.to_string(),
            organisation: None,
            detail: serde_json::json!({
                "method": call.method, "route": call.route, "status": call.status,
                "role": caller.role.as_str(),
            }),
            ip: call.ip,
        },
        now,
    )
    .await?;
    uow.commit(st).await?;
    Ok(())
}
