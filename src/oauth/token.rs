//! Access tokens: JWTs signed with the current key of the client's environment (`typ` `at+jwt`,
//! RFC 9068) carrying `iss`, `sub`, `aud` (per environment), `client_id`, `scope`, `iat`, `exp`,
//! `jti`, the client's environment and, when a certificate was presented (always, for
//! production: FAPI), `cnf.x5t#S256` (RFC 8705). Verification checks the signature with that
//! environment's keys, the issuer, the audience, the time, the deny list of revoked tokens, the
//! client's current status (so suspending or revoking a client stops its tokens at once) and the
//! certificate binding. A sandbox token never passes as a production one, nor the reverse.

use super::OAuthError;
use crate::clients::{ClientStatus, Environment};
use crate::domain::ClientId;
use crate::jose::{self, x5t_s256};
use crate::state::AppState;
use crate::store::{self, clients::ClientRecord};
use serde_json::Value;

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

/// The claims of an access token, serialised straight from borrowed fields.
#[derive(serde::Serialize)]
struct Claims<'a> {
    iss: &'a str,
    sub: &'a str,
    aud: &'a str,
    client_id: &'a str,
    scope: &'a str,
    iat: i64,
    exp: i64,
    jti: &'a str,
    environment: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    cnf: Option<Confirmation<'a>>,
}

/// `cnf` (RFC 8705): the certificate the token is bound to.
#[derive(serde::Serialize)]
struct Confirmation<'a> {
    #[serde(rename = "x5t#S256")]
    x5t_s256: &'a str,
}

/// Signs an access token for `client` with `scope`, bound to the certificate whose `x5t#S256`
/// is `bound_to` when one was presented.
pub fn issue(
    st: &AppState,
    client: &ClientRecord,
    scope: &str,
    bound_to: Option<&str>,
) -> Result<Issued, OAuthError> {
    let env = client.environment;
    if env == Environment::Production
        && bound_to.is_none()
        && st.settings.oauth.production_requires_mtls
    {
        // Client authentication refuses this first; kept here so that no other path can mint
        // an unbound production token.
        return Err(OAuthError::InvalidClient(
            "Production tokens are bound to the client's certificate: call over mutual TLS.".into(),
        ));
    }
    let signer = st
        .keys
        .get(env)
        .signer()
        .ok_or_else(|| OAuthError::Server("no signing key".into()))?;
    let now = st.clock.now().timestamp();
    let ttl = i64::try_from(st.settings.oauth.access_token_ttl.as_secs()).unwrap_or(3600);
    let audience = st.settings.audience(env);
    let jti = jti();
    let claims = Claims {
        iss: st.settings.issuer(),
        sub: client.client_id.as_str(),
        aud: &audience,
        client_id: client.client_id.as_str(),
        scope,
        iat: now,
        exp: now + ttl,
        jti: &jti,
        environment: env.as_str(),
        cnf: bound_to.map(|x5t_s256| Confirmation { x5t_s256 }),
    };
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

/// Verifies a token's signature, issuer, audience, time, revocation and client, but not its
/// certificate binding (introspection reports `cnf` for the gateway to check). `want` names the
/// environment the caller serves; `None` takes either (DCR management, whose clients live in
/// both), always checked against the keys and audience of the token's own environment.
pub async fn check(
    st: &AppState,
    token: &str,
    want: Option<Environment>,
) -> Result<AccessToken, InvalidToken> {
    let bad = |m: &str| InvalidToken(m.into());
    let jws =
        jose::decode(token).map_err(|e| InvalidToken(format!("the token is not valid: {e}")))?;
    if jws.header.typ.as_deref() != Some("at+jwt") {
        return Err(bad("not an Onramp access token"));
    }
    let kid = jws.header.kid.clone().unwrap_or_default();
    if st.keys.environment_of(&kid).is_none() || st.keys.stale() {
        let _ = st.keys.refresh(&st.db, &st.clock).await;
    }
    let env = st
        .keys
        .environment_of(&kid)
        .ok_or_else(|| bad("the token's signature does not verify"))?;
    if want.is_some_and(|w| w != env) {
        return Err(match want {
            Some(Environment::Sandbox) => bad("this is the sandbox: use a sandbox client's token"),
            _ => bad("a sandbox token is not valid here"),
        });
    }
    jws.verify(&st.keys.get(env).verify_set())
        .map_err(|_| bad("the token's signature does not verify"))?;
    if jws.str_claim("iss") != Some(st.settings.issuer()) {
        return Err(bad("the token was not issued here"));
    }
    let aud = st.settings.audience(env);
    let aud_ok = match jws.claims.get("aud") {
        Some(Value::String(a)) => *a == aud,
        Some(Value::Array(list)) => list.iter().any(|a| a.as_str() == Some(aud.as_str())),
        _ => false,
    };
    if !aud_ok || jws.str_claim("environment") != Some(env.as_str()) {
        return Err(bad("the token is not meant for this audience"));
    }
    let now = st.clock.now().timestamp();
    if jws.time_claim("exp").is_none_or(|exp| exp <= now) {
        return Err(bad("the token has expired"));
    }
    let jti = jws.str_claim("jti").unwrap_or_default();
    if store::revoked_tokens::is_revoked(&st.db, jti)
        .await
        .map_err(|_| bad("the token could not be checked"))?
    {
        return Err(bad("the token was revoked"));
    }
    let id = jws
        .str_claim("client_id")
        .ok_or_else(|| bad("the token names no client"))?;
    let client = store::clients::get(&st.db, &ClientId(id.to_string()))
        .await
        .map_err(|_| bad("the token could not be checked"))?
        .ok_or_else(|| bad("the token's client no longer exists"))?;
    if client.status != ClientStatus::Active {
        return Err(InvalidToken(format!(
            "the token's client is {}",
            client.status
        )));
    }
    if client.environment != env {
        return Err(bad("the token's client works in another environment"));
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
    want: Option<Environment>,
) -> Result<AccessToken, InvalidToken> {
    let at = check(st, token, want).await?;
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

/// Puts a presented token on the deny list until it would expire, whoever presents it next and
/// on whichever node. Only a token that Onramp itself signed and that is still valid is listed:
/// anything else works nowhere anyway, and a forged one must not revoke a real token's `jti`.
pub async fn revoke_presented(st: &AppState, token: &str, reason: &str) {
    let Ok(at) = check(st, token, None).await else {
        return;
    };
    let jti = at.claims.get("jti").and_then(Value::as_str);
    let exp = at.claims.get("exp").and_then(Value::as_i64);
    let (Some(jti), Some(exp)) = (jti, exp) else {
        return;
    };
    let now = st.clock.now();
    let Some(expires) = chrono::DateTime::from_timestamp(exp.clamp(0, 253_402_300_799), 0) else {
        return;
    };
    if expires <= now {
        return;
    }
    let result = async {
        let (tx, gate) = st.begin().await?;
        store::revoked_tokens::revoke(&tx, jti, expires, reason, now).await?;
        tx.commit().await?;
        drop(gate);
        Ok::<_, store::StoreError>(())
    }
    .await;
    if let Err(e) = result {
        tracing::error!(error = %e, "could not put a token on the deny list");
    }
}
