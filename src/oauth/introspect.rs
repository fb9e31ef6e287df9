//! RFC 7662 introspection for the bank's API gateways: `active: false` for anything not valid now
//! (expired, badly signed, revoked, suspended client, or a token of the other environment), the
//! token's claims otherwise. Each environment's gateway has its own credential and sees only its
//! environment's tokens.

use super::token;
use crate::clients::Environment;
use crate::state::AppState;
use secrecy::ExposeSecret;
use serde_json::{Value, json};
use subtle::ConstantTimeEq;

/// The environment whose gateway credential the Basic credentials are, if any.
pub fn caller_environment(st: &AppState, id: &str, secret: &str) -> Option<Environment> {
    let cfg = &st.settings.oauth;
    let credentials = [
        (
            Environment::Production,
            &cfg.introspection_client_id,
            &cfg.introspection_client_secret,
        ),
        (
            Environment::Sandbox,
            &cfg.sandbox_introspection_client_id,
            &cfg.sandbox_introspection_client_secret,
        ),
    ];
    credentials.into_iter().find_map(|(env, want_id, want)| {
        let want = want.expose_secret();
        (!want.is_empty()
            && id == want_id.as_str()
            && bool::from(want.as_bytes().ct_eq(secret.as_bytes())))
        .then_some(env)
    })
}

/// The introspection response for a token, as the gateway of `env` may see it.
pub async fn introspect(st: &AppState, token: &str, env: Environment) -> Value {
    match token::check(st, token, Some(env)).await {
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
