//! Session cookies: the portal's (`onramp_portal`) and the console's (`onramp_admin`, sent only
//! under `/admin`) each carry a random token of a server-side session (see
//! [`crate::accounts::sessions`]). A middleware resolves them before the handler runs and sets
//! or clears them after it, as the handler asked.

use crate::accounts::sessions::{self, Active, SessionKind};
use crate::state::AppState;
use actix_web::body::MessageBody;
use actix_web::cookie::{Cookie, SameSite};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, web};

/// The portal session cookie.
pub const PORTAL_COOKIE: &str = "onramp_portal";
/// The console session cookie.
pub const ADMIN_COOKIE: &str = "onramp_admin";

/// The cookie name and path of a door.
pub fn cookie_of(kind: SessionKind) -> (&'static str, &'static str) {
    match kind {
        SessionKind::Portal => (PORTAL_COOKIE, "/"),
        SessionKind::Admin => (ADMIN_COOKIE, "/admin"),
    }
}

/// The sessions a request carries, once checked.
#[derive(Clone, Debug, Default)]
pub struct Signed {
    /// The open portal session.
    pub portal: Option<Active>,
    /// The open console session.
    pub admin: Option<Active>,
}

impl Signed {
    /// The session of a door.
    pub fn get(&self, kind: SessionKind) -> Option<&Active> {
        match kind {
            SessionKind::Portal => self.portal.as_ref(),
            SessionKind::Admin => self.admin.as_ref(),
        }
    }

    /// Sets or clears the session of a door.
    pub fn set(&mut self, kind: SessionKind, s: Option<Active>) {
        match kind {
            SessionKind::Portal => self.portal = s,
            SessionKind::Admin => self.admin = s,
        }
    }
}

/// Cookies a handler wants set (or, with an empty value, removed) on its response.
#[derive(Clone, Debug, Default)]
pub struct PendingCookies(pub Vec<(SessionKind, Option<String>)>);

/// Resolves the session cookies before the handler, applies cookie changes after it.
pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let mut signed = Signed::default();
    if let Some(st) = req.app_data::<web::Data<AppState>>().cloned() {
        for kind in [SessionKind::Portal, SessionKind::Admin] {
            let (name, _) = cookie_of(kind);
            let Some(token) = req.cookie(name).map(|c| c.value().to_string()) else {
                continue;
            };
            match sessions::resolve(&st, kind, &token).await {
                Ok(active) => signed.set(kind, active),
                Err(e) => tracing::error!(error = %e, "could not read a session"),
            }
        }
    }
    req.extensions_mut().insert(signed);
    let secure = req
        .app_data::<web::Data<AppState>>()
        .is_some_and(|st| st.settings.secure_cookies());
    let mut res = next.call(req).await?;
    let pending = res.request().extensions_mut().remove::<PendingCookies>();
    for (kind, value) in pending.map(|p| p.0).unwrap_or_default() {
        let (name, path) = cookie_of(kind);
        let mut cookie = Cookie::build(name, value.clone().unwrap_or_default())
            .path(path)
            .http_only(true)
            .secure(secure)
            .same_site(SameSite::Lax)
            .finish();
        match value {
            Some(_) => cookie.set_max_age(actix_web::cookie::time::Duration::hours(
                sessions::ABSOLUTE_LIFETIME.num_hours(),
            )),
            None => cookie.make_removal(),
        }
        res.response_mut().add_cookie(&cookie)?;
    }
    Ok(res)
}
