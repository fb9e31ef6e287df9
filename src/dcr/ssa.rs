//! The software statement assertion, checked in the order of spec/dcr.md b.3 (steps 2 to 8),
//! one named function per step.

use super::DcrError;
use crate::clients::Environment;
use crate::jose::{self, JoseError, Jws};
use crate::oauth::SKEW_SECONDS;
use crate::state::AppState;
use crate::trust::ssa_cache::Verified;
use serde_json::{Map, Value};
use std::sync::Arc;

/// A verified SSA.
#[derive(Clone, Debug)]
pub struct Ssa {
    /// The compact JWS as sent.
    pub token: String,
    /// The decoded statement, shared with the node's cache of verified statements.
    verified: Arc<Verified>,
}

fn statement(m: impl Into<String>) -> DcrError {
    DcrError::Statement(m.into())
}

impl Ssa {
    /// The environment of the directory that signed it.
    pub fn environment(&self) -> Environment {
        self.verified.environment
    }

    /// Its claims.
    pub fn claims(&self) -> &Map<String, Value> {
        &self.verified.jws.claims
    }

    /// A string claim.
    pub fn str(&self, name: &str) -> Option<&str> {
        self.claims().get(name).and_then(Value::as_str)
    }

    /// A list-of-strings claim.
    pub fn list(&self, name: &str) -> Vec<String> {
        self.claims()
            .get(name)
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// `software_id`.
    pub fn software_id(&self) -> &str {
        self.str("software_id").unwrap_or_default()
    }

    /// `org_id`.
    pub fn org_id(&self) -> &str {
        self.str("org_id").unwrap_or_default()
    }

    /// The roles the software may play (decision 11): `software_roles`, intersected with the
    /// competent authority's authorisations when the SSA carries them.
    pub fn roles(&self) -> Vec<String> {
        let mut roles: Vec<String> = self
            .list("software_roles")
            .into_iter()
            .map(|r| r.to_uppercase())
            .collect();
        let authorised: Vec<String> = self
            .claims()
            .get("organisation_competent_authority_claims")
            .and_then(|c| c.get("authorisations"))
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.get("roles").and_then(Value::as_array))
                    .flatten()
                    .filter_map(|r| r.as_str().map(str::to_uppercase))
                    .collect()
            })
            .unwrap_or_default();
        if !authorised.is_empty() {
            roles.retain(|r| authorised.contains(r));
        }
        roles
    }
}

/// Step 2: the request carries a software statement.
fn check_present(token: Option<&str>) -> Result<&str, DcrError> {
    token
        .filter(|t| !t.trim().is_empty())
        .ok_or_else(|| statement("The request has no software_statement."))
}

/// Step 3: it parses as a JWS signed with PS256 or ES256.
fn check_form(token: &str) -> Result<Jws, DcrError> {
    jose::decode(token).map_err(|e| match e {
        JoseError::UnsupportedAlg(a) => statement(format!(
            "The software statement is signed with {a}; only PS256 and ES256 are accepted."
        )),
        other => statement(format!(
            "The software statement is not a valid JWS: {other}."
        )),
    })
}

/// Steps 4 and 5: a trusted issuer signed it.
async fn check_issuer_and_signature<'a>(
    st: &'a AppState,
    jws: &Jws,
) -> Result<&'a super::trust::Directory, DcrError> {
    let iss = jws.str_claim("iss").unwrap_or_default();
    let dir = st.directories.find(iss).ok_or_else(|| {
        DcrError::Unapproved(format!(
            "Software statements from “{iss}” are not trusted by this bank."
        ))
    })?;
    let keys = super::trust::directory_keys(st, dir, jws.header.kid.as_deref()).await?;
    jws.verify(&keys).map_err(|e| match e {
        JoseError::UnknownKid(k) => statement(format!(
            "The software statement's kid “{k}” is not among {iss}'s keys."
        )),
        _ => statement(
            "The software statement's signature does not verify with the directory's keys.",
        ),
    })?;
    Ok(dir)
}

/// Step 6: fresh enough.
fn check_freshness(st: &AppState, jws: &Jws) -> Result<(), DcrError> {
    let now = st.clock.now().timestamp();
    let iat = jws
        .time_claim("iat")
        .ok_or_else(|| statement("The software statement has no iat."))?;
    if iat > now + SKEW_SECONDS {
        return Err(statement("The software statement's iat is in the future."));
    }
    let max_age = i64::try_from(st.settings.dcr.ssa_max_age.as_secs()).unwrap_or(i64::MAX);
    if now - iat > max_age {
        return Err(statement(format!(
            "The software statement is too old: it was issued {} minutes ago and this bank accepts at most {}. Ask the directory for a new one.",
            (now - iat) / 60,
            max_age / 60
        )));
    }
    if jws
        .time_claim("exp")
        .is_some_and(|exp| exp <= now - SKEW_SECONDS)
    {
        return Err(statement("The software statement has expired."));
    }
    Ok(())
}

/// Step 7: the claims registration needs are there.
fn check_mandatory_claims(claims: &Map<String, Value>) -> Result<(), DcrError> {
    for name in [
        "software_id",
        "software_jwks_endpoint",
        "org_id",
        "org_status",
    ] {
        if claims
            .get(name)
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
        {
            return Err(statement(format!("The software statement lacks {name}.")));
        }
    }
    for name in ["software_redirect_uris", "software_roles"] {
        if !claims.get(name).is_some_and(Value::is_array) {
            return Err(statement(format!(
                "The software statement lacks {name} (an array)."
            )));
        }
    }
    Ok(())
}

/// Step 8: the organisation and its authorisation are active, and the software's mode and
/// environment fit this directory.
fn check_status(st: &AppState, ssa: &Ssa) -> Result<(), DcrError> {
    let active = |v: Option<&Value>| match v {
        Some(Value::String(s)) => s.eq_ignore_ascii_case("active"),
        Some(Value::Bool(b)) => *b,
        _ => false,
    };
    if !active(ssa.claims().get("org_status")) {
        return Err(DcrError::Unapproved(format!(
            "The organisation's status in the directory is {}, not Active.",
            ssa.str("org_status").unwrap_or("unknown")
        )));
    }
    if let Some(ca) = ssa.claims().get("organisation_competent_authority_claims")
        && ca.get("status").is_some()
        && !active(ca.get("status"))
    {
        return Err(DcrError::Unapproved(
            "The organisation's authorisation by its competent authority is not Active.".into(),
        ));
    }
    if let Some(env) = ssa.str("software_environment")
        && Environment::parse(&env.to_lowercase()).is_some_and(|e| e != ssa.environment())
    {
        return Err(DcrError::Unapproved(format!(
            "This software statement is for the {env} environment, but its directory serves {}.",
            ssa.environment()
        )));
    }
    let test_mode = ssa
        .str("software_mode")
        .is_some_and(|m| m.eq_ignore_ascii_case("test"));
    if test_mode
        && ssa.environment() == Environment::Production
        && !st.settings.dcr.allow_test_software_in_production
    {
        return Err(DcrError::Unapproved(
            "Software in Test mode may not register in production.".into(),
        ));
    }
    Ok(())
}

/// Verifies a software statement (b.3 steps 2 to 8). Its signature (steps 3 to 5) is checked
/// once per statement and node for five minutes ([`crate::trust::ssa_cache`]); every other step
/// runs on every use.
pub async fn verify(st: &AppState, token: Option<&str>) -> Result<Ssa, DcrError> {
    let token = check_present(token)?;
    let verified = match st.ssa_cache.get(token) {
        Some(v) => v,
        None => {
            let jws = check_form(token)?;
            let dir = check_issuer_and_signature(st, &jws).await?;
            let v = Arc::new(Verified {
                environment: dir.environment,
                jws,
            });
            st.ssa_cache.put(token, v.clone());
            v
        }
    };
    check_freshness(st, &verified.jws)?;
    check_mandatory_claims(&verified.jws.claims)?;
    let ssa = Ssa {
        token: token.to_string(),
        verified,
    };
    check_status(st, &ssa)?;
    Ok(ssa)
}
