//! Secrets sealed at rest with AES-256-GCM under the data key (`security.data_key`). A sealed
//! value reads `enc:v1:` + base64(nonce ‖ ciphertext ‖ tag); the purpose (`signing_key`,
//! `session_key`, …) is bound as associated data, so a value cannot be moved to another use.
//! Values without the prefix are plaintext from before a data key was set: they are read as
//! they are, and `onramp keys rewrap` seals them.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ring::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::rand::{SecureRandom, SystemRandom};
use std::fmt;

/// The prefix of a sealed value.
pub const SEALED_PREFIX: &str = "enc:v1:";

/// Why a stored secret could not be read.
#[derive(Debug, thiserror::Error)]
pub enum SealError {
    /// Sealed, but no data key is configured.
    #[error("a stored secret is encrypted, but security.data_key is not set")]
    NoKey,
    /// Sealed under another key, or damaged.
    #[error("a stored secret does not open with security.data_key (another key, or damaged)")]
    WrongKey,
    /// The data key is not 32 bytes of base64 or hex.
    #[error("security.data_key must be 32 bytes, written as base64 or hex")]
    BadKey,
}

/// The 256-bit data key. Never printed.
pub struct DataKey(LessSafeKey);

impl fmt::Debug for DataKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DataKey(<redacted>)")
    }
}

impl DataKey {
    /// Parses 32 bytes given as base64 (standard or URL-safe) or hex.
    pub fn parse(text: &str) -> Result<Self, SealError> {
        let text = text.trim();
        let bytes = hex::decode(text)
            .ok()
            .or_else(|| STANDARD.decode(text).ok())
            .or_else(|| {
                base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .decode(text.trim_end_matches('='))
                    .ok()
            })
            .filter(|b| b.len() == 32)
            .ok_or(SealError::BadKey)?;
        let key = UnboundKey::new(&AES_256_GCM, &bytes).map_err(|_| SealError::BadKey)?;
        Ok(Self(LessSafeKey::new(key)))
    }

    /// Seals `plain` for `purpose`.
    pub fn seal(&self, purpose: &str, plain: &str) -> Result<String, SealError> {
        let mut nonce = [0u8; NONCE_LEN];
        SystemRandom::new()
            .fill(&mut nonce)
            .map_err(|_| SealError::BadKey)?;
        let mut data = plain.as_bytes().to_vec();
        self.0
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(purpose.as_bytes()),
                &mut data,
            )
            .map_err(|_| SealError::BadKey)?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&data);
        Ok(format!("{SEALED_PREFIX}{}", STANDARD.encode(out)))
    }

    /// Opens a value sealed for `purpose`.
    pub fn open(&self, purpose: &str, sealed: &str) -> Result<String, SealError> {
        let body = sealed
            .strip_prefix(SEALED_PREFIX)
            .ok_or(SealError::WrongKey)?;
        let raw = STANDARD.decode(body).map_err(|_| SealError::WrongKey)?;
        if raw.len() < NONCE_LEN {
            return Err(SealError::WrongKey);
        }
        let (nonce, rest) = raw.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| SealError::WrongKey)?;
        let mut data = rest.to_vec();
        let plain = self
            .0
            .open_in_place(nonce, Aad::from(purpose.as_bytes()), &mut data)
            .map_err(|_| SealError::WrongKey)?;
        String::from_utf8(plain.to_vec()).map_err(|_| SealError::WrongKey)
    }
}

/// Whether a stored value is sealed.
pub fn is_sealed(stored: &str) -> bool {
    stored.starts_with(SEALED_PREFIX)
}

/// The value to store: sealed when there is a data key, as it is otherwise.
pub fn protect(key: Option<&DataKey>, purpose: &str, plain: &str) -> Result<String, SealError> {
    match key {
        Some(k) => k.seal(purpose, plain),
        None => Ok(plain.to_string()),
    }
}

/// The plaintext of a stored value (plaintext values pass through).
pub fn reveal(key: Option<&DataKey>, purpose: &str, stored: &str) -> Result<String, SealError> {
    if !is_sealed(stored) {
        return Ok(stored.to_string());
    }
    key.ok_or(SealError::NoKey)?.open(purpose, stored)
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

    #[test]
    fn a_sealed_value_opens_only_with_its_key_and_purpose() {
        let k = DataKey::parse(KEY).unwrap();
        let sealed = k.seal("signing_key", "secret pkcs8").unwrap();
        assert!(sealed.starts_with(SEALED_PREFIX));
        assert!(!sealed.contains("secret"));
        assert_eq!(k.open("signing_key", &sealed).unwrap(), "secret pkcs8");
        assert!(k.open("session_key", &sealed).is_err(), "another purpose");
        let other = DataKey::parse(&STANDARD.encode([7u8; 32])).unwrap();
        assert!(other.open("signing_key", &sealed).is_err(), "another key");
        assert_ne!(
            sealed,
            k.seal("signing_key", "secret pkcs8").unwrap(),
            "fresh nonce"
        );
    }

    #[test]
    fn plaintext_passes_through_and_a_sealed_value_needs_the_key() {
        assert_eq!(reveal(None, "p", "plain").unwrap(), "plain");
        let k = DataKey::parse(KEY).unwrap();
        let sealed = protect(Some(&k), "p", "x").unwrap();
        assert!(matches!(reveal(None, "p", &sealed), Err(SealError::NoKey)));
        assert_eq!(reveal(Some(&k), "p", &sealed).unwrap(), "x");
        assert!(DataKey::parse("too short").is_err());
    }
}
