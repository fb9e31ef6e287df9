//! Access tokens: JWTs signed with Onramp's current key (`typ` `at+jwt`, RFC 9068) carrying
//! `iss`, `sub`, `aud`, `client_id`, `scope`, `iat`, `exp`, `jti`, the client's environment and,
//! when a certificate was presented, `cnf.x5t#S256` (RFC 8705). Verification checks the
//! signature, the issuer, the time, the client's current status (so suspending or revoking a
//! client stops its tokens at once) and the certificate binding.

use super::OAuthError;
use crate::clients::ClientStatus;
use crate::domain::ClientId;
use crate::jose::{self, JoseError, x5t_s256};
use crate::state::AppState;
use crate::store::{self, clients::ClientRecord};
use serde_json::{Value, json};

/// An issued token.
pub struct Issued {
    /// The JWT.
    pub access_token: String,
    /// Seconds until it expires.
    pub expires_in: i64,
    /// Granted scopes, space-separated.
    pub scope: String,
}

fn jti() -> String {
    use rand::RngCore;
    let mut b = [0u8; 16];
    rand::rng().fill_bytes(&mut b);
    jose::b64(&b)
}

/// Signs an access token for `client` with `scope`, bound to `cert` when one was presented.
pub fn issue(
    st: &AppState,
    client: &ClientRecord,
    scope: &str,
    cert: Option<&[u8]>,
) -> Result<Issued, OAuthError> {
    let signer = st
        .keys
        .signer()
        .ok_or_else(|| OAuthError::Server("no signing key".into()))?;
    let now = st.clock.now().timestamp();
    let ttl = i64::try_from(st.settings.oauth.access_token_ttl.as_secs()).unwrap_or(3600);
    let mut claims = json!({
        "iss": st.settings.issuer(),
        "sub": client.client_id.as_str(),
        "aud": st.settings.issuer(),
        "client_id": client.client_id.as_str(),
        "scope": scope,
        "iat": now,
        "exp": now + ttl,
        "jti": jti(),
        "environment": client.environment,
    });
    if let Some(der) = cert {
        claims["cnf"] = json!({ "x5t#S256": x5t_s256(der) });
    }
    let access_token = signer
        .sign("at+jwt", &claims)
        .map_err(|e| OAuthError::Server(format!("signing failed: {e}")))?;
    Ok(Issued {
        access_token,
        expires_in: ttl,
        scope: scope.to_string(),
    })
}

/// A verified access token.
#[derive(Clone, Debug)]
pub struct AccessToken {
    /// Its claims.
    pub claims: serde_json::Map<String, Value>,
    /// The client it was issued to (as it is now).
    pub client: ClientRecord,
}

impl AccessToken {
    /// Its scopes.
    pub fn scopes(&self) -> Vec<&str> {
        self.claims
            .get("scope")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .split_whitespace()
            .collect()
    }

    /// The certificate thumbprint it is bound to.
    pub fn bound_to(&self) -> Option<&str> {
        self.claims
            .get("cnf")
            .and_then(|c| c.get("x5t#S256"))
            .and_then(Value::as_str)
    }
}

/// Why a token is refused (for `WWW-Authenticate: Bearer error="invalid_token"`).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct InvalidToken(pub String);

/// Verifies a token's signature, issuer, time and client, but not its certificate binding
/// (introspection reports `cnf` for the gateway to check).
pub async fn check(st: &AppState, token: &str) -> Result<AccessToken, InvalidToken> {
    let bad = |m: &str| InvalidToken(m.into());
    let jws =
        jose::decode(token).map_err(|e| InvalidToken(format!("the token is not valid: {e}")))?;
    if jws.header.typ.as_deref() != Some("at+jwt") {
        return Err(bad("not an Onramp access token"));
    }
    let mut result = jws.verify(&st.keys.verify_set());
    if matches!(result, Err(JoseError::UnknownKid(_))) || st.keys.stale() {
        let _ = st.keys.refresh(&st.db, &st.clock).await;
        result = jws.verify(&st.keys.verify_set());
    }
    result.map_err(|_| bad("the token's signature does not verify"))?;
    if jws.str_claim("iss") != Some(st.settings.issuer()) {
        return Err(bad("the token was not issued here"));
    }
    let now = st.clock.now().timestamp();
    if jws.time_claim("exp").is_none_or(|exp| exp <= now) {
        return Err(bad("the token has expired"));
    }
    let id = jws
        .str_claim("client_id")
        .ok_or_else(|| bad("the token names no client"))?;
    let client = store::clients::get(&st.db, &ClientId(id.to_string()))
        .await
        .map_err(|_| bad("the token could not be checked"))?
        .ok_or_else(|| bad("the token's client no longer exists"))?;
    if client.status != ClientStatus::Active.as_str() {
        return Err(InvalidToken(format!(
            "the token's client is {}",
            client.status
        )));
    }
    Ok(AccessToken {
        claims: jws.claims,
        client,
    })
}

/// [`check`], then the certificate binding: a bound token must come with the same certificate.
pub async fn verify(
    st: &AppState,
    token: &str,
    cert: Option<&[u8]>,
) -> Result<AccessToken, InvalidToken> {
    let at = check(st, token).await?;
    if let Some(bound) = at.bound_to() {
        match cert {
            Some(der) if x5t_s256(der) == bound => {}
            Some(_) => {
                return Err(InvalidToken(
                    "the token is bound to another certificate".into(),
                ));
            }
            None => {
                return Err(InvalidToken(
                    "the token is bound to a certificate: present it".into(),
                ));
            }
        }
    }
    Ok(at)
}
