//! The registration response (decision 10): `client_id`, integer `client_id_issued_at`, the
//! metadata as stored, the `software_statement`, and the statement's claims flattened, without
//! `iss`, `iat`, `exp`, `aud` or `jti`. The claims are not stored twice: they are read back from
//! the stored (verified at registration) statement.

use crate::store::clients::ClientRecord;
use serde_json::{Value, json};

/// The claims of the client's stored statement (rows written before claims were read back from
/// the statement carry them as `ssa_claims`).
fn statement_claims(
    meta: &serde_json::Map<String, Value>,
) -> Option<serde_json::Map<String, Value>> {
    if let Some(c) = meta.get("ssa_claims").and_then(Value::as_object) {
        return Some(c.clone());
    }
    let token = meta.get("software_statement")?.as_str()?;
    crate::jose::decode(token).ok().map(|j| j.claims)
}

/// The JSON a TPP gets back for its client; `claims` are the statement's, when the caller has
/// them at hand.
pub fn of(
    client: &ClientRecord,
    secret: Option<&str>,
    claims: Option<&serde_json::Map<String, Value>>,
) -> Value {
    let mut out = serde_json::Map::new();
    out.insert("client_id".into(), json!(client.client_id.as_str()));
    out.insert(
        "client_id_issued_at".into(),
        json!(client.created_at.timestamp()),
    );
    if let Some(meta) = client.metadata.as_object() {
        for (k, v) in meta {
            if k != "ssa_claims" {
                out.insert(k.clone(), v.clone());
            }
        }
        let read;
        let claims = match claims {
            Some(c) => Some(c),
            None => {
                read = statement_claims(meta);
                read.as_ref()
            }
        };
        if let Some(claims) = claims {
            for (k, v) in claims {
                if !["iss", "iat", "exp", "aud", "jti"].contains(&k.as_str())
                    && !out.contains_key(k)
                {
                    out.insert(k.clone(), v.clone());
                }
            }
        }
    }
    if let Some(s) = secret {
        out.insert("client_secret".into(), json!(s));
        out.insert("client_secret_expires_at".into(), json!(0));
    }
    Value::Object(out)
}
