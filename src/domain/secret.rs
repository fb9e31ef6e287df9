//! High-entropy tokens (email links, later client secrets): shown once as [`PlainToken`], stored
//! only as a SHA-256 [`TokenHash`], compared in constant time. Neither prints its value.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::fmt;
use subtle::ConstantTimeEq;

/// A freshly generated token: 256 random bits, URL-safe, with a recognisable prefix.
pub struct PlainToken(String);

impl PlainToken {
    /// Generates a token with the given prefix (e.g. `onr_ev_`).
    pub fn generate(prefix: &str) -> Self {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        Self(format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes)))
    }

    /// The token's text, to be shown or sent exactly once.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The hash kept at rest.
    pub fn hash(&self) -> TokenHash {
        TokenHash::of(&self.0)
    }
}

impl fmt::Debug for PlainToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PlainToken(<redacted>)")
    }
}

/// SHA-256 of a token, hex-encoded.
#[derive(Clone, PartialEq, Eq)]
pub struct TokenHash(String);

impl TokenHash {
    /// Hashes a presented token.
    pub fn of(token: &str) -> Self {
        Self(hex::encode(Sha256::digest(token.as_bytes())))
    }

    /// Wraps a hash read from the store.
    pub fn from_stored(hex: String) -> Self {
        Self(hex)
    }

    /// The hex text, for the store.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Constant-time comparison.
    pub fn matches(&self, other: &TokenHash) -> bool {
        self.0.as_bytes().ct_eq(other.0.as_bytes()).into()
    }
}

impl fmt::Debug for TokenHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TokenHash(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_unique_prefixed_and_never_printed() {
        let a = PlainToken::generate("onr_ev_");
        let b = PlainToken::generate("onr_ev_");
        assert_ne!(a.expose(), b.expose());
        assert!(a.expose().starts_with("onr_ev_"));
        assert_eq!(a.expose().len(), "onr_ev_".len() + 43);
        assert!(!format!("{a:?}").contains(a.expose()));
        assert!(a.hash().matches(&TokenHash::of(a.expose())));
        assert!(!a.hash().matches(&b.hash()));
    }
}
