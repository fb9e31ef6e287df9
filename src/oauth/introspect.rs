//! RFC 7662 introspection for the bank's API gateway: `active: false` for anything not valid now
//! (expired, badly signed, revoked or suspended client), the token's claims otherwise.

use super::token;
use crate::state::AppState;
use secrecy::ExposeSecret;
use serde_json::{Value, json};
use subtle::ConstantTimeEq;

/// Whether Basic credentials are the configured gateway credential.
pub fn caller_allowed(st: &AppState, id: &str, secret: &str) -> bool {
    let cfg = &st.settings.oauth;
    let want = cfg.introspection_client_secret.expose_secret();
    !want.is_empty()
        && id == cfg.introspection_client_id
        && bool::from(want.as_bytes().ct_eq(secret.as_bytes()))
}

/// The introspection response for a token.
pub async fn introspect(st: &AppState, token: &str) -> Value {
    match token::check(st, token).await {
        Ok(at) => {
            let mut out = json!({ "active": true, "token_type": "Bearer" });
            for k in [
                "scope",
                "client_id",
                "sub",
                "aud",
                "iss",
                "exp",
                "iat",
                "jti",
                "cnf",
                "environment",
            ] {
                if let Some(v) = at.claims.get(k) {
                    out[k] = v.clone();
                }
            }
            out
        }
        Err(_) => json!({ "active": false }),
    }
}
