//! The registration response (decision 10): `client_id`, integer `client_id_issued_at`, the
//! metadata as stored, the `software_statement`, and the statement's claims flattened, without
//! `iss`, `iat`, `exp`, `aud` or `jti`. The claims are not stored twice: they are read back from
//! the stored (verified at registration) statement. The JSON is written straight from the
//! stored record and the claims, without copying them into a new object first.

use super::DcrError;
use crate::store::clients::ClientRecord;
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Map, Value};
use std::borrow::Cow;

/// Members the record itself gives; stored metadata never overrides them.
const OWN: [&str; 4] = [
    "client_id",
    "client_id_issued_at",
    "client_secret",
    "client_secret_expires_at",
];
/// Statement claims that describe the statement, not the software.
const STATEMENT_ONLY: [&str; 5] = ["iss", "iat", "exp", "aud", "jti"];

/// What the TPP gets back for its client.
#[derive(Debug)]
pub struct Registration {
    /// The client's id.
    pub client_id: String,
    /// The response body (a JSON object).
    pub json: String,
}

/// The claims of the client's stored statement (rows written before claims were read back from
/// the statement carry them as `ssa_claims`).
fn statement_claims(meta: &Map<String, Value>) -> Option<Map<String, Value>> {
    if let Some(c) = meta.get("ssa_claims").and_then(Value::as_object) {
        return Some(c.clone());
    }
    let token = meta.get("software_statement")?.as_str()?;
    crate::jose::decode(token).ok().map(|j| j.claims)
}

/// The response object, borrowed from the record and the claims.
struct Body<'a> {
    client: &'a ClientRecord,
    meta: Option<&'a Map<String, Value>>,
    claims: Option<Cow<'a, Map<String, Value>>>,
    secret: Option<&'a str>,
}

impl Serialize for Body<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("client_id", self.client.client_id.as_str())?;
        map.serialize_entry("client_id_issued_at", &self.client.created_at.timestamp())?;
        let stored = |k: &str| self.meta.is_some_and(|m| m.contains_key(k));
        for (k, v) in self.meta.into_iter().flatten() {
            if k != "ssa_claims" && !OWN.contains(&k.as_str()) {
                map.serialize_entry(k, v)?;
            }
        }
        for (k, v) in self.claims.iter().flat_map(|c| c.iter()) {
            let k = k.as_str();
            if !STATEMENT_ONLY.contains(&k) && !OWN.contains(&k) && !stored(k) {
                map.serialize_entry(k, v)?;
            }
        }
        if let Some(secret) = self.secret {
            map.serialize_entry("client_secret", secret)?;
            map.serialize_entry("client_secret_expires_at", &0)?;
        }
        map.end()
    }
}

/// The JSON a TPP gets back for its client; `claims` are the statement's, when the caller has
/// them at hand.
pub fn of(
    client: &ClientRecord,
    secret: Option<&str>,
    claims: Option<&Map<String, Value>>,
) -> Result<Registration, DcrError> {
    let meta = client.metadata.as_object();
    let claims = match claims {
        Some(c) => Some(Cow::Borrowed(c)),
        None => meta.and_then(statement_claims).map(Cow::Owned),
    };
    let body = Body {
        client,
        meta,
        claims,
        secret,
    };
    let json = serde_json::to_string(&body)
        .map_err(|e| DcrError::Server(format!("the registration response: {e}")))?;
    Ok(Registration {
        client_id: client.client_id.as_str().to_string(),
        json,
    })
}
