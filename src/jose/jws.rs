//! Compact JWS: split, decode, check the algorithm against the allow-list, verify.

use super::jwk::{Jwk, KeyKind};
use super::unb64;
use ring::signature::{self, RsaPublicKeyComponents, UnparsedPublicKey};
use serde_json::{Map, Value};

/// The latest numeric date accepted in a claim: 9999-12-31T23:59:59Z.
pub const MAX_TIME_CLAIM: i64 = 253_402_300_799;

/// The only algorithms Onramp accepts or produces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Alg {
    /// ECDSA P-256 with SHA-256.
    Es256,
    /// RSASSA-PSS with SHA-256.
    Ps256,
}

impl Alg {
    /// Parses an `alg`; anything but PS256 and ES256 is `None`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "ES256" => Some(Self::Es256),
            "PS256" => Some(Self::Ps256),
            _ => None,
        }
    }

    /// The name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Es256 => "ES256",
            Self::Ps256 => "PS256",
        }
    }
}

/// Why a JWS is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JoseError {
    /// Not a well-formed compact JWS.
    #[error("malformed JWT: {0}")]
    Malformed(String),
    /// `alg` is missing or not PS256/ES256.
    #[error("algorithm `{0}` is not accepted (PS256 or ES256 only)")]
    UnsupportedAlg(String),
    /// A `crit` header names an extension Onramp does not understand.
    #[error("unsupported critical header `{0}`")]
    Crit(String),
    /// No key in the set matches the `kid`.
    #[error("no key with kid `{0}`")]
    UnknownKid(String),
    /// The key does not fit the algorithm.
    #[error("the key does not fit algorithm {0}")]
    KeyMismatch(&'static str),
    /// The signature does not verify.
    #[error("signature does not verify")]
    BadSignature,
}

/// The header fields Onramp reads.
#[derive(Clone, Debug)]
pub struct Header {
    /// Checked algorithm.
    pub alg: Alg,
    /// Key id.
    pub kid: Option<String>,
    /// Type.
    pub typ: Option<String>,
    /// Every field, as sent.
    pub raw: Map<String, Value>,
}

/// A parsed, not yet verified, compact JWS.
#[derive(Clone, Debug)]
pub struct Jws {
    /// Its header.
    pub header: Header,
    /// Its claims (a JSON object).
    pub claims: Map<String, Value>,
    signing_input: String,
    signature: Vec<u8>,
}

/// Parses a compact JWS: three base64url parts, a JSON object header with an accepted `alg`
/// and no unknown `crit`, and a JSON object payload.
pub fn decode(token: &str) -> Result<Jws, JoseError> {
    let mut parts = token.trim().split('.');
    let (Some(h), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(JoseError::Malformed(
            "expected three dot-separated parts".into(),
        ));
    };
    let raw: Map<String, Value> = serde_json::from_slice(&unb64(h)?)
        .map_err(|_| JoseError::Malformed("the header is not a JSON object".into()))?;
    let alg_name = raw.get("alg").and_then(Value::as_str).unwrap_or("none");
    let alg = Alg::parse(alg_name).ok_or_else(|| JoseError::UnsupportedAlg(alg_name.into()))?;
    if let Some(crit) = raw.get("crit") {
        let name = crit
            .as_array()
            .and_then(|a| a.first())
            .and_then(Value::as_str)
            .unwrap_or("(malformed)");
        return Err(JoseError::Crit(name.into()));
    }
    let claims: Map<String, Value> = serde_json::from_slice(&unb64(p)?)
        .map_err(|_| JoseError::Malformed("the payload is not a JSON object".into()))?;
    let signature = unb64(s)?;
    Ok(Jws {
        header: Header {
            alg,
            kid: raw.get("kid").and_then(Value::as_str).map(str::to_string),
            typ: raw.get("typ").and_then(Value::as_str).map(str::to_string),
            raw,
        },
        claims,
        signing_input: format!("{h}.{p}"),
        signature,
    })
}

impl Jws {
    /// Verifies the signature with `key`, which must fit the header's algorithm.
    pub fn verify_with(&self, key: &Jwk) -> Result<(), JoseError> {
        let msg = self.signing_input.as_bytes();
        match (self.header.alg, &key.kind) {
            (Alg::Es256, KeyKind::EcP256 { point }) => {
                UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_FIXED, point)
                    .verify(msg, &self.signature)
                    .map_err(|_| JoseError::BadSignature)
            }
            (Alg::Ps256, KeyKind::Rsa { n, e }) => RsaPublicKeyComponents { n, e }
                .verify(&signature::RSA_PSS_2048_8192_SHA256, msg, &self.signature)
                .map_err(|_| JoseError::BadSignature),
            (alg, _) => Err(JoseError::KeyMismatch(alg.as_str())),
        }
    }

    /// Verifies against a key set: the key named by `kid`, or, without a `kid`, any signing key
    /// of the right type.
    pub fn verify(&self, keys: &super::JwkSet) -> Result<(), JoseError> {
        self.verify_among(keys, |_| true)
    }

    /// [`Jws::verify`] with only the keys that `usable` picks (never encryption keys).
    pub fn verify_among(
        &self,
        keys: &super::JwkSet,
        usable: impl Fn(&Jwk) -> bool,
    ) -> Result<(), JoseError> {
        let usable = |k: &&Jwk| !k.is_for_encryption() && usable(k);
        match &self.header.kid {
            Some(kid) => {
                let key = keys
                    .keys
                    .iter()
                    .filter(usable)
                    .find(|k| k.kid.as_deref() == Some(kid.as_str()))
                    .ok_or_else(|| JoseError::UnknownKid(kid.clone()))?;
                self.verify_with(key)
            }
            None => {
                let mut tried = false;
                for key in keys.keys.iter().filter(usable) {
                    tried = true;
                    if self.verify_with(key).is_ok() {
                        return Ok(());
                    }
                }
                if tried {
                    Err(JoseError::BadSignature)
                } else {
                    Err(JoseError::UnknownKid(String::new()))
                }
            }
        }
    }

    /// A string claim.
    pub fn str_claim(&self, name: &str) -> Option<&str> {
        self.claims.get(name).and_then(Value::as_str)
    }

    /// A numeric date claim (seconds since the epoch), only when it lies between 1970 and the
    /// end of 9999: anything else (negative, huge, not finite) counts as absent, so that
    /// arithmetic on it can neither saturate nor wrap and it always converts to a date.
    pub fn time_claim(&self, name: &str) -> Option<i64> {
        let v = self.claims.get(name)?;
        let secs = match v.as_i64() {
            Some(i) => i,
            None => {
                let f = v.as_f64()?;
                if !(0.0..=MAX_TIME_CLAIM as f64).contains(&f) {
                    return None;
                }
                f as i64
            }
        };
        (0..=MAX_TIME_CLAIM).contains(&secs).then_some(secs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(claim: Value) -> Jws {
        let mut claims = Map::new();
        claims.insert("exp".into(), claim);
        Jws {
            header: Header {
                alg: Alg::Es256,
                kid: None,
                typ: None,
                raw: Map::new(),
            },
            claims,
            signing_input: String::new(),
            signature: Vec::new(),
        }
    }

    #[test]
    fn time_claims_out_of_range_count_as_absent() {
        for bad in [
            serde_json::json!(-1),
            serde_json::json!(-1e300),
            serde_json::json!(1e300),
            serde_json::json!(1e13),
            serde_json::json!(i64::MAX),
            serde_json::json!("1700000000"),
        ] {
            assert_eq!(with(bad.clone()).time_claim("exp"), None, "{bad}");
        }
    }

    #[test]
    fn time_claims_in_range_are_whole_seconds() {
        assert_eq!(
            with(serde_json::json!(1_700_000_000)).time_claim("exp"),
            Some(1_700_000_000)
        );
        assert_eq!(
            with(serde_json::json!(1_700_000_000.7)).time_claim("exp"),
            Some(1_700_000_000)
        );
        assert_eq!(
            with(serde_json::json!(MAX_TIME_CLAIM)).time_claim("exp"),
            Some(MAX_TIME_CLAIM)
        );
    }
}
