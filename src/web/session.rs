//! The typed session: who is signed in (portal user and/or admin, each a server-side session
//! behind a cookie of its own, see [`super::auth`]), and the CSRF token and one-time flash
//! messages, in an encrypted cookie whose key is shared by every node.

use super::auth::{PendingCookies, Signed};
use super::error::PageError;
use crate::accounts::sessions::{self, Origin, SessionKind};
use crate::domain::sealed;
use crate::domain::{AdminId, UserId};
use crate::state::AppState;
use actix_session::{Session, SessionExt};
use actix_web::cookie::Key;
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rand::RngCore;
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use std::future::{Ready, ready};

/// The name (and sealing purpose) of the stored session cookie key.
pub const SESSION_KEY: &str = "session_key";

/// The session cookie's key: from `session_key`, or generated once and kept in the database
/// (sealed under the data key when there is one).
pub async fn load_key(st: &AppState) -> anyhow::Result<Key> {
    if let Some(k) = &st.settings.session_key {
        return Ok(Key::derive_from(k.expose_secret().as_bytes()));
    }
    let key = st.data_key.as_deref();
    let mut bytes = [0u8; 64];
    rand::rng().fill_bytes(&mut bytes);
    let fresh = sealed::protect(key, SESSION_KEY, &STANDARD.encode(bytes))?;
    let stored =
        crate::store::secrets::get_or_create(&st.db, SESSION_KEY, || fresh, st.clock.now()).await?;
    let stored = sealed::reveal(key, SESSION_KEY, &stored)?;
    let bytes = STANDARD.decode(stored)?;
    Ok(Key::try_from(bytes.as_slice())?)
}

/// A one-time message shown at the top of the next page.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Flash {
    /// `info`, `success` or `error`.
    pub kind: String,
    /// The text.
    pub text: String,
}

/// Typed access to the session.
pub struct TypedSession(Session, HttpRequest);

const CSRF: &str = "csrf";
const FLASH: &str = "flash";
const SECOND_STEP: &str = "second_step";

/// A password given, the second step still to come: whose, at which door, until when.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct SecondStep {
    door: String,
    subject: String,
    until: i64,
}

impl TypedSession {
    /// The session of a request.
    pub fn of(req: &HttpRequest) -> Self {
        Self(req.get_session(), req.clone())
    }

    /// Signs a portal user in: a new server-side session (ending the one this browser had),
    /// a fresh CSRF token.
    pub async fn sign_in_user(&self, st: &AppState, id: UserId) -> Result<(), PageError> {
        self.sign_in(st, SessionKind::Portal, &id.to_string()).await
    }

    /// Signs an admin in.
    pub async fn sign_in_admin(&self, st: &AppState, id: AdminId) -> Result<(), PageError> {
        self.sign_in(st, SessionKind::Admin, &id.to_string()).await
    }

    async fn sign_in(
        &self,
        st: &AppState,
        kind: SessionKind,
        subject: &str,
    ) -> Result<(), PageError> {
        if let Some(old) = self.session_id(kind) {
            sessions::end(st, &old).await?;
        }
        let origin = Origin {
            ip: super::ip::client_ip(&self.1, &st.settings),
            user_agent: self
                .1
                .headers()
                .get("User-Agent")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string(),
        };
        let token = sessions::start(st, kind, subject, &origin).await?;
        self.0.renew();
        self.0.remove(CSRF);
        self.set_signed(
            kind,
            Some(sessions::Active {
                id: token.hash().as_str().to_string(),
                subject_id: subject.to_string(),
            }),
        );
        self.queue_cookie(kind, Some(token.expose().to_string()));
        Ok(())
    }

    fn set_signed(&self, kind: SessionKind, active: Option<sessions::Active>) {
        let mut ext = self.1.extensions_mut();
        let mut signed = ext.remove::<Signed>().unwrap_or_default();
        signed.set(kind, active);
        ext.insert(signed);
    }

    fn queue_cookie(&self, kind: SessionKind, value: Option<String>) {
        let mut ext = self.1.extensions_mut();
        let mut pending = ext.remove::<PendingCookies>().unwrap_or_default();
        pending.0.retain(|(k, _)| *k != kind);
        pending.0.push((kind, value));
        ext.insert(pending);
    }

    /// The id (token hash) of this browser's open session at a door.
    pub fn session_id(&self, kind: SessionKind) -> Option<String> {
        self.1
            .extensions()
            .get::<Signed>()
            .and_then(|s| s.get(kind).map(|a| a.id.clone()))
    }

    fn subject(&self, kind: SessionKind) -> Option<String> {
        self.1
            .extensions()
            .get::<Signed>()
            .and_then(|s| s.get(kind).map(|a| a.subject_id.clone()))
    }

    /// The signed-in portal user.
    pub fn user_id(&self) -> Option<UserId> {
        self.subject(SessionKind::Portal)
            .and_then(|s| s.parse().ok())
    }

    /// The signed-in admin.
    pub fn admin_id(&self) -> Option<AdminId> {
        self.subject(SessionKind::Admin)
            .and_then(|s| s.parse().ok())
    }

    /// Signs the portal user out: the session ends on the server, the cookie goes.
    pub async fn sign_out_user(&self, st: &AppState) -> Result<(), PageError> {
        self.sign_out(st, SessionKind::Portal).await
    }

    /// Signs the admin out.
    pub async fn sign_out_admin(&self, st: &AppState) -> Result<(), PageError> {
        self.sign_out(st, SessionKind::Admin).await
    }

    async fn sign_out(&self, st: &AppState, kind: SessionKind) -> Result<(), PageError> {
        if let Some(id) = self.session_id(kind) {
            sessions::end(st, &id).await?;
        }
        self.set_signed(kind, None);
        self.queue_cookie(kind, None);
        self.0.renew();
        Ok(())
    }

    /// Remembers that `subject` gave the right password at `kind`'s door and owes a second
    /// step until `until`.
    pub fn await_second_step(
        &self,
        kind: SessionKind,
        subject: &str,
        until: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), PageError> {
        self.0.insert(
            SECOND_STEP,
            SecondStep {
                door: kind.as_str().to_string(),
                subject: subject.to_string(),
                until: until.timestamp(),
            },
        )?;
        Ok(())
    }

    /// Who owes a second step at `kind`'s door, if it has not expired at `now`.
    pub fn second_step_of(
        &self,
        kind: SessionKind,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Option<String> {
        let p = self.0.get::<SecondStep>(SECOND_STEP).ok().flatten()?;
        (p.door == kind.as_str() && p.until > now.timestamp()).then_some(p.subject)
    }

    /// Forgets the pending second step.
    pub fn end_second_step(&self) {
        self.0.remove(SECOND_STEP);
    }

    /// Names the organisation this request acts for, in its log line.
    pub fn note_organisation(&self, organisation: String) {
        super::access_log::note_organisation(&self.1, organisation);
    }

    /// The CSRF token, created on first use.
    pub fn csrf_token(&self) -> Result<String, PageError> {
        if let Some(t) = self.0.get::<String>(CSRF)? {
            return Ok(t);
        }
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        let t = hex::encode(bytes);
        self.0.insert(CSRF, &t)?;
        Ok(t)
    }

    /// Whether `presented` is this session's CSRF token (constant time).
    pub fn csrf_matches(&self, presented: &str) -> bool {
        use subtle::ConstantTimeEq;
        match self.0.get::<String>(CSRF) {
            Ok(Some(t)) => {
                !presented.is_empty() && bool::from(t.as_bytes().ct_eq(presented.as_bytes()))
            }
            _ => false,
        }
    }

    /// Leaves a message for the next page.
    pub fn flash(&self, kind: &str, text: impl Into<String>) -> Result<(), PageError> {
        self.0.insert(
            FLASH,
            Flash {
                kind: kind.into(),
                text: text.into(),
            },
        )?;
        Ok(())
    }

    /// Takes the pending message, if any.
    pub fn take_flash(&self) -> Result<Option<Flash>, PageError> {
        Ok(self.0.remove_as::<Flash>(FLASH).and_then(Result::ok))
    }
}

impl FromRequest for TypedSession {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(Self(req.get_session(), req.clone())))
    }
}
