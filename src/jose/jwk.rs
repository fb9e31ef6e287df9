//! JSON Web Keys: the public EC P-256 and RSA keys Onramp verifies with.

use super::jws::JoseError;
use super::unb64;
use serde_json::Value;

/// The key material.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyKind {
    /// An uncompressed P-256 point (0x04 ‖ x ‖ y).
    EcP256 {
        /// The point.
        point: Vec<u8>,
    },
    /// An RSA public key (at least 2048 bits).
    Rsa {
        /// Modulus, big-endian.
        n: Vec<u8>,
        /// Exponent, big-endian.
        e: Vec<u8>,
    },
    /// A key type Onramp does not verify with (kept so that its `kid` is known).
    Other,
}

/// One key.
#[derive(Clone, Debug)]
pub struct Jwk {
    /// Key id.
    pub kid: Option<String>,
    /// `sig` or `enc` (or `tls` in OB directory JWKS).
    pub use_: Option<String>,
    /// Material.
    pub kind: KeyKind,
    /// The key as published.
    pub raw: Value,
}

impl Jwk {
    /// Parses one JWK; private members make it an error.
    pub fn parse(v: &Value) -> Result<Self, JoseError> {
        let s = |k: &str| v.get(k).and_then(Value::as_str);
        if ["d", "p", "q", "dp", "dq", "qi", "k"]
            .iter()
            .any(|f| v.get(*f).is_some())
        {
            return Err(JoseError::Malformed(
                "the JWKS contains private key material".into(),
            ));
        }
        let kind = match (s("kty"), s("crv")) {
            (Some("EC"), Some("P-256")) => {
                let (x, y) = (
                    unb64(s("x").unwrap_or_default())?,
                    unb64(s("y").unwrap_or_default())?,
                );
                if x.len() != 32 || y.len() != 32 {
                    return Err(JoseError::Malformed(
                        "a P-256 key needs 32-byte x and y".into(),
                    ));
                }
                let mut point = Vec::with_capacity(65);
                point.push(4);
                point.extend(x);
                point.extend(y);
                KeyKind::EcP256 { point }
            }
            (Some("RSA"), _) => {
                let n = unb64(s("n").unwrap_or_default())?;
                let e = unb64(s("e").unwrap_or_default())?;
                let bits = n.iter().skip_while(|b| **b == 0).count() * 8;
                if bits < 2048 || e.is_empty() {
                    return Err(JoseError::Malformed(
                        "RSA keys must have at least 2048 bits".into(),
                    ));
                }
                KeyKind::Rsa { n, e }
            }
            (Some(_), _) => KeyKind::Other,
            (None, _) => return Err(JoseError::Malformed("a key has no kty".into())),
        };
        Ok(Self {
            kid: s("kid").map(str::to_string),
            use_: s("use").map(str::to_string),
            kind,
            raw: v.clone(),
        })
    }

    /// Whether the key is published for encryption only.
    pub fn is_for_encryption(&self) -> bool {
        self.use_.as_deref() == Some("enc")
    }
}

/// A key set.
#[derive(Clone, Debug, Default)]
pub struct JwkSet {
    /// The keys, in order.
    pub keys: Vec<Jwk>,
}

impl JwkSet {
    /// Parses `{"keys": [...]}`; keys that fail to parse are an error.
    pub fn parse(v: &Value) -> Result<Self, JoseError> {
        let keys = v
            .get("keys")
            .and_then(Value::as_array)
            .ok_or_else(|| JoseError::Malformed("a JWKS needs a \"keys\" array".into()))?;
        Ok(Self {
            keys: keys.iter().map(Jwk::parse).collect::<Result<_, _>>()?,
        })
    }

    /// The key with `kid`.
    pub fn find(&self, kid: &str) -> Option<&Jwk> {
        self.keys.iter().find(|k| k.kid.as_deref() == Some(kid))
    }
}
