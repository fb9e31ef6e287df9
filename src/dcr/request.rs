//! The registration request JWT: its form (b.3 step 1), its software statement (steps 2-8, in
//! [`super::ssa`]), its own claims and times, its issuer (step 9), its signature by a key of the
//! software's JWKS (step 10, never a key from the header), and the ids it uses once.

use super::DcrError;
use super::ssa::{self, Ssa};
use crate::jose::{self, JoseError, Jws};
use crate::oauth::SKEW_SECONDS;
use crate::state::AppState;
use crate::store;
use crate::store::group_commit::JtiClaim;
use chrono::TimeZone;
use serde_json::Value;

/// A verified registration request.
#[derive(Clone, Debug)]
pub struct Request {
    /// The request's claims (the client metadata).
    pub claims: serde_json::Map<String, Value>,
    /// Its software statement.
    pub ssa: Ssa,
    /// The ids it uses up, written with its registration.
    pub once: Vec<JtiClaim>,
}

fn metadata(m: impl Into<String>) -> DcrError {
    DcrError::Metadata(m.into())
}

/// Step 1: a compact JWS signed with PS256 or ES256.
fn check_form(body: &str) -> Result<Jws, DcrError> {
    jose::decode(body).map_err(|e| match e {
        JoseError::UnsupportedAlg(a) => metadata(format!(
            "The registration request is signed with {a}; only PS256 and ES256 are accepted."
        )),
        JoseError::Crit(c) => metadata(format!(
            "The registration request has an unsupported critical header ({c})."
        )),
        other => metadata(format!(
            "The body must be the registration request as a signed JWT: {other}."
        )),
    })
}

/// The request's own claims: present, in time, for this bank.
fn check_claims(st: &AppState, jws: &Jws) -> Result<(), DcrError> {
    for name in ["iss", "aud", "jti"] {
        if jws.claims.get(name).is_none() {
            return Err(metadata(format!("The registration request lacks {name}.")));
        }
    }
    let now = st.clock.now().timestamp();
    let iat = jws.time_claim("iat").ok_or_else(|| {
        metadata("The registration request needs iat: seconds since 1970, before the year 10000.")
    })?;
    let exp = jws.time_claim("exp").ok_or_else(|| {
        metadata("The registration request needs exp: seconds since 1970, before the year 10000.")
    })?;
    if exp <= now - SKEW_SECONDS {
        return Err(metadata(
            "The registration request has expired (exp is in the past).",
        ));
    }
    if iat > now + SKEW_SECONDS {
        return Err(metadata("The registration request's iat is in the future."));
    }
    if exp - iat > 3600 {
        return Err(metadata(
            "The registration request may live at most 60 minutes (exp - iat).",
        ));
    }
    let ours = [st.settings.dcr.aspsp_org_id.as_str(), st.settings.issuer()];
    let aud_ok = match jws.claims.get("aud") {
        Some(Value::String(a)) => ours.iter().any(|o| !o.is_empty() && o == a),
        Some(Value::Array(list)) => list
            .iter()
            .filter_map(Value::as_str)
            .any(|a| ours.iter().any(|o| !o.is_empty() && *o == a)),
        _ => false,
    };
    if !aud_ok {
        return Err(metadata(format!(
            "aud must be this bank's directory organisation id{} or {}.",
            if st.settings.dcr.aspsp_org_id.is_empty() {
                String::new()
            } else {
                format!(" ({})", st.settings.dcr.aspsp_org_id)
            },
            st.settings.issuer()
        )));
    }
    Ok(())
}

/// Step 9: the request comes from the statement's software.
fn check_issuer(jws: &Jws, ssa: &Ssa) -> Result<(), DcrError> {
    if jws.str_claim("iss") != Some(ssa.software_id()) {
        return Err(metadata(
            "The request's iss must be the software statement's software_id.",
        ));
    }
    if let Some(id) = jws.claims.get("software_id")
        && id.as_str() != Some(ssa.software_id())
    {
        return Err(metadata(
            "software_id does not match the software statement's software_id.",
        ));
    }
    Ok(())
}

/// Step 10: signed by one of the software's own keys, from its `software_jwks_endpoint`.
async fn check_signature(st: &AppState, jws: &Jws, ssa: &Ssa) -> Result<(), DcrError> {
    let endpoint = ssa.str("software_jwks_endpoint").unwrap_or_default();
    let allowed = &st.settings.dcr.software_jwks_hosts;
    if !allowed.is_empty() && !crate::sandbox_directory::hosts(st, endpoint) {
        let host = url::Url::parse(endpoint)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or_default();
        if !allowed.contains(&host) {
            return Err(DcrError::Unapproved(format!(
                "The software's JWKS host {host} is not on this bank's allowlist."
            )));
        }
    }
    let keys = crate::sandbox_directory::keys_at(st, endpoint, jws.header.kid.as_deref())
        .await
        .map_err(|e| metadata(format!("The software's JWKS could not be fetched: {e}")))?;
    let signing = |k: &crate::jose::Jwk| k.use_.as_deref().is_none_or(|u| u == "sig");
    jws.verify_among(&keys, signing).map_err(|e| match e {
        JoseError::UnknownKid(k) if !k.is_empty() => metadata(format!(
            "The request's kid “{k}” is not a signing key of the software's JWKS ({endpoint})."
        )),
        _ => metadata(format!(
            "The request's signature does not verify with the software's JWKS ({endpoint})."
        )),
    })
}

/// The ids the request uses up (decision 5): its `jti` per software until its `exp`, across
/// nodes, and the SSA's when `dcr.ssa_single_use` is on. They are written with the
/// registration itself (see [`crate::store::group_commit`]).
fn replay_claims(st: &AppState, jws: &Jws, ssa: &Ssa) -> Result<Vec<JtiClaim>, DcrError> {
    let jti = jws
        .str_claim("jti")
        .filter(|j| !j.is_empty() && j.len() <= 255)
        .ok_or_else(|| metadata("jti must be a string."))?;
    // `check_claims` bounded exp to at most an hour after a not-future iat; should a date still
    // not convert, keep the id for a year rather than forget it now.
    let exp = jws.time_claim("exp").unwrap_or_default() + SKEW_SECONDS;
    let until = chrono::Utc
        .timestamp_opt(exp, 0)
        .single()
        .filter(|t| *t > st.clock.now())
        .unwrap_or_else(|| st.clock.now() + chrono::Duration::days(365));
    let mut claims = vec![JtiClaim {
        issuer: format!("dcr:{}", ssa.software_id()),
        jti: jti.to_string(),
        expires_at: until,
    }];
    let ssa_jti = ssa.str("jti").unwrap_or_default();
    if st.settings.dcr.ssa_single_use && !ssa_jti.is_empty() {
        claims.push(JtiClaim {
            issuer: format!("ssa:{}", ssa.str("iss").unwrap_or_default()),
            jti: ssa_jti.to_string(),
            expires_at: st.clock.now() + chrono::Duration::days(365),
        });
    }
    Ok(claims)
}

/// The error for a request refused because an id it uses was used before: its own `jti`, or
/// (when statements are single use) its statement's.
pub async fn replayed(st: &AppState, req: &Request) -> DcrError {
    let own = req.once.first();
    let own_taken = match own {
        Some(c) => store::jti::exists(&st.db, &c.issuer, &c.jti)
            .await
            .unwrap_or(true),
        None => true,
    };
    if own_taken || req.once.len() < 2 {
        metadata("This registration request's jti was already used: sign a new request.")
    } else {
        DcrError::Statement("This software statement was already used.".into())
    }
}

/// Verifies a registration request body.
pub async fn verify(st: &AppState, body: &str) -> Result<Request, DcrError> {
    let jws = check_form(body)?;
    let ssa = ssa::verify(st, jws.str_claim("software_statement")).await?;
    check_claims(st, &jws)?;
    check_issuer(&jws, &ssa)?;
    check_signature(st, &jws, &ssa).await?;
    let once = replay_claims(st, &jws, &ssa)?;
    Ok(Request {
        claims: jws.claims,
        ssa,
        once,
    })
}
