//! `private_key_jwt` (RFC 7523): a JWT signed by the client with PS256 or ES256; `iss` = `sub` =
//! client_id; `aud` names the token endpoint or the issuer; `exp` required and at most 60 minutes
//! ahead; `jti` used once until `exp`, across nodes; key from the client's registered `jwks` or
//! its `jwks_uri` (cached, refetched once on an unknown `kid`).

use crate::jose::{self, JoseError, JwkSet, Jws};
use crate::oauth::{OAuthError, SKEW_SECONDS};
use crate::state::AppState;
use crate::store::clients::ClientRecord;
use chrono::TimeZone;
use std::sync::Arc;

fn bad(m: impl Into<String>) -> OAuthError {
    OAuthError::InvalidClient(m.into())
}

/// The decoded assertion and the client it claims to be (its `sub`, or `iss`), before any
/// verification.
pub fn claimed_client(assertion: &str) -> Result<(String, Jws), OAuthError> {
    let jws = jose::decode(assertion).map_err(|e| bad(format!("client_assertion: {e}")))?;
    let claimed = jws
        .str_claim("sub")
        .or_else(|| jws.str_claim("iss"))
        .map(str::to_string)
        .ok_or_else(|| bad("client_assertion needs iss and sub (the client_id)."))?;
    Ok((claimed, jws))
}

async fn keys_of(
    st: &AppState,
    client: &ClientRecord,
    kid: Option<&str>,
) -> Result<Arc<JwkSet>, OAuthError> {
    if let Some(jwks) = client.metadata.get("jwks").filter(|v| !v.is_null()) {
        return JwkSet::parse(jwks)
            .map(Arc::new)
            .map_err(|e| bad(format!("The client's registered JWKS is unusable: {e}")));
    }
    let uri = client
        .metadata
        .get("jwks_uri")
        .and_then(|v| v.as_str())
        .ok_or_else(|| bad("The client has no registered keys (jwks or jwks_uri)."))?;
    crate::sandbox_directory::keys_at(st, uri, kid)
        .await
        .map_err(|e| bad(format!("The client's jwks_uri could not be used: {e}")))
}

/// Verifies the assertion (as [`claimed_client`] decoded it) for `client`.
pub async fn verify(
    st: &AppState,
    client: &ClientRecord,
    jws: &Jws,
    audiences: &[String],
) -> Result<(), OAuthError> {
    let id = client.client_id.as_str();
    if jws.str_claim("iss") != Some(id) || jws.str_claim("sub") != Some(id) {
        return Err(bad(
            "client_assertion: iss and sub must both be the client_id.",
        ));
    }
    let aud_ok = match jws.claims.get("aud") {
        Some(serde_json::Value::String(a)) => audiences.iter().any(|x| x == a),
        Some(serde_json::Value::Array(list)) => list
            .iter()
            .filter_map(|v| v.as_str())
            .any(|a| audiences.iter().any(|x| x == a)),
        _ => false,
    };
    if !aud_ok {
        return Err(bad(format!(
            "client_assertion: aud must be the token endpoint ({}).",
            audiences.first().map(String::as_str).unwrap_or_default()
        )));
    }
    let now = st.clock.now().timestamp();
    let exp = jws
        .time_claim("exp")
        .ok_or_else(|| bad("client_assertion: exp is required."))?;
    if exp <= now - SKEW_SECONDS {
        return Err(bad("client_assertion has expired."));
    }
    if exp > now + 3600 + SKEW_SECONDS {
        return Err(bad(
            "client_assertion: exp may be at most 60 minutes ahead.",
        ));
    }
    if jws
        .time_claim("iat")
        .is_some_and(|iat| iat > now + SKEW_SECONDS)
    {
        return Err(bad("client_assertion: iat is in the future."));
    }
    if jws
        .time_claim("nbf")
        .is_some_and(|nbf| nbf > now + SKEW_SECONDS)
    {
        return Err(bad("client_assertion is not valid yet (nbf)."));
    }
    let jti = jws
        .str_claim("jti")
        .filter(|j| !j.is_empty() && j.len() <= 255)
        .ok_or_else(|| bad("client_assertion: jti is required."))?;
    let keys = keys_of(st, client, jws.header.kid.as_deref()).await?;
    jws.verify(&keys).map_err(|e| match e {
        JoseError::UnknownKid(k) if !k.is_empty() => {
            bad(format!("client_assertion: no registered key has kid {k}."))
        }
        other => bad(format!("client_assertion: {other}.")),
    })?;
    // Only a verified assertion spends its jti.
    let until = chrono::Utc
        .timestamp_opt(exp + SKEW_SECONDS, 0)
        .single()
        .filter(|t| *t > st.clock.now())
        .unwrap_or_else(|| st.clock.now() + chrono::Duration::days(365));
    if !st
        .writes
        .use_once(format!("client:{id}"), jti.to_string(), until)
        .await?
    {
        return Err(bad("client_assertion: this jti was already used."));
    }
    Ok(())
}
