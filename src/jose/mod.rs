//! JOSE, the small part Onramp needs, on `ring`: compact JWS parsing and verification for
//! PS256 and ES256 only (everything else, `none` and HS* included, is refused), JWK and JWKS
//! parsing, ES256/PS256 signing, and certificate thumbprints. Keys are never taken from token
//! headers (`jwk`, `x5c`, `jku`, `x5u`).
//!
//! Why our own module over a JOSE crate: one crypto provider (ring, which rustls already uses),
//! ring's ES256 speed on the token endpoint's hot path, and an allow-list that cannot be widened
//! by a header. The framing is small and fully tested here.

mod jwk;
mod jws;
mod sign;

pub use jwk::{Jwk, JwkSet, KeyKind};
pub use jws::{Alg, Header, JoseError, Jws, decode};
pub use sign::SigningKey;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

/// base64url without padding.
pub fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Strict base64url decoding (no padding, no other alphabet).
pub fn unb64(s: &str) -> Result<Vec<u8>, JoseError> {
    URL_SAFE_NO_PAD
        .decode(s)
        .map_err(|_| JoseError::Malformed("a part is not base64url".into()))
}

/// RFC 8705 `x5t#S256`: base64url SHA-256 of a certificate's DER.
pub fn x5t_s256(der: &[u8]) -> String {
    b64(&Sha256::digest(der))
}
