//! The registration response (decision 10): `client_id`, integer `client_id_issued_at`, the
//! metadata as stored, the `software_statement`, and the statement's claims flattened, without
//! `iss`, `iat`, `exp`, `aud` or `jti`.

use crate::store::clients::ClientRecord;
use serde_json::{Value, json};

/// The JSON a TPP gets back for its client.
pub fn of(client: &ClientRecord, secret: Option<&str>) -> Value {
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
        if let Some(claims) = meta.get("ssa_claims").and_then(Value::as_object) {
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
