//! The typed session: who is signed in (portal user and/or admin), the CSRF token and one-time
//! flash messages, in an encrypted cookie. The cookie key is shared by every node.

use super::error::PageError;
use crate::domain::{AdminId, UserId};
use crate::state::AppState;
use actix_session::{Session, SessionExt};
use actix_web::cookie::Key;
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rand::RngCore;
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use std::future::{Ready, ready};

/// The session cookie's key: from `session_key`, or generated once and kept in the database.
pub async fn load_key(st: &AppState) -> anyhow::Result<Key> {
    if let Some(k) = &st.settings.session_key {
        return Ok(Key::derive_from(k.expose_secret().as_bytes()));
    }
    let stored = crate::store::secrets::get_or_create(
        &st.db,
        "session_key",
        || {
            let mut bytes = [0u8; 64];
            rand::rng().fill_bytes(&mut bytes);
            STANDARD.encode(bytes)
        },
        st.clock.now(),
    )
    .await?;
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
pub struct TypedSession(Session);

const USER: &str = "uid";
const ADMIN: &str = "aid";
const CSRF: &str = "csrf";
const FLASH: &str = "flash";

impl TypedSession {
    /// Wraps an actix session.
    pub fn from_session(s: Session) -> Self {
        Self(s)
    }

    /// Signs a portal user in (a fresh session id, a fresh CSRF token).
    pub fn sign_in_user(&self, id: UserId) -> Result<(), PageError> {
        self.0.renew();
        self.0.remove(CSRF);
        self.0.insert(USER, id.to_string())?;
        Ok(())
    }

    /// Signs an admin in.
    pub fn sign_in_admin(&self, id: AdminId) -> Result<(), PageError> {
        self.0.renew();
        self.0.remove(CSRF);
        self.0.insert(ADMIN, id.to_string())?;
        Ok(())
    }

    /// The signed-in portal user.
    pub fn user_id(&self) -> Option<UserId> {
        self.0
            .get::<String>(USER)
            .ok()
            .flatten()
            .and_then(|s| s.parse().ok())
    }

    /// The signed-in admin.
    pub fn admin_id(&self) -> Option<AdminId> {
        self.0
            .get::<String>(ADMIN)
            .ok()
            .flatten()
            .and_then(|s| s.parse().ok())
    }

    /// Signs the portal user out.
    pub fn sign_out_user(&self) {
        self.0.remove(USER);
        self.0.renew();
    }

    /// Signs the admin out.
    pub fn sign_out_admin(&self) {
        self.0.remove(ADMIN);
        self.0.renew();
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
        ready(Ok(Self(req.get_session())))
    }
}
