//! argon2id hashing (run off the async threads) and the password policy.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use std::collections::HashSet;
use std::sync::LazyLock;

static COMMON: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| include_str!("common_passwords.txt").lines().collect());

/// Words that make a password guessable whatever is added around them.
const WEAK_STEMS: &[&str] = &[
    "password", "passw0rd", "p@ssword", "p@ssw0rd", "qwerty", "letmein", "welcome", "iloveyou",
    "admin", "monkey", "dragon", "football", "baseball", "sunshine", "princess", "trustno1",
    "abc123", "123456", "master", "shadow", "changeme",
];

/// Checks a new password: at least 12 characters, at most 128, not a common password, not built
/// from a common stem plus digits and symbols, not containing the email or its local part.
pub fn check_policy(password: &str, email: &str) -> Result<(), String> {
    let len = password.chars().count();
    if len < 12 {
        return Err("Use at least 12 characters for your password.".into());
    }
    if len > 128 {
        return Err("Use at most 128 characters for your password.".into());
    }
    let lower = password.to_lowercase();
    if COMMON.contains(lower.as_str()) {
        return Err(
            "That password is too common. Choose one that others are unlikely to use.".into(),
        );
    }
    let core: String = lower.trim_matches(|c: char| !c.is_alphabetic()).to_string();
    let core_letters: String = lower.chars().filter(|c| c.is_alphabetic()).collect();
    if WEAK_STEMS.iter().any(|s| {
        core == *s
            || core_letters == *s
            || lower.starts_with(s) && lower[s.len()..].chars().all(|c| !c.is_alphabetic())
    }) {
        return Err(
            "That password is too easy to guess: avoid common words with numbers added.".into(),
        );
    }
    if lower.chars().collect::<HashSet<_>>().len() < 4 {
        return Err("Use more different characters in your password.".into());
    }
    let email = email.to_lowercase();
    let local = email.split('@').next().unwrap_or_default();
    if !email.is_empty() && (lower.contains(&email) || local.len() >= 4 && lower.contains(local)) {
        return Err("Your password must not contain your email address.".into());
    }
    Ok(())
}

/// Hashes and verifies passwords with argon2id at the configured cost.
#[derive(Clone)]
pub struct Hasher {
    params: Params,
    dummy: String,
}

impl std::fmt::Debug for Hasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hasher").finish_non_exhaustive()
    }
}

impl Hasher {
    /// A hasher with `memory_kib` and `iterations`.
    pub fn new(memory_kib: u32, iterations: u32) -> Result<Self, String> {
        let params = Params::new(memory_kib, iterations, 1, None).map_err(|e| e.to_string())?;
        let mut h = Self {
            params,
            dummy: String::new(),
        };
        h.dummy = h
            .hash_now("a dummy password for timing")
            .map_err(|_| "hash failed".to_string())?;
        Ok(h)
    }

    fn argon(&self) -> Argon2<'static> {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, self.params.clone())
    }

    fn hash_now(&self, password: &str) -> Result<String, ()> {
        let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
        self.argon()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|_| ())
    }

    /// Hashes a password on the blocking pool.
    pub async fn hash(&self, password: String) -> Result<String, ()> {
        let me = self.clone();
        tokio::task::spawn_blocking(move || me.hash_now(&password))
            .await
            .map_err(|_| ())?
    }

    /// Verifies a password against a stored hash, or against a dummy hash when there is no
    /// account, so that both take the same time.
    pub async fn verify(&self, stored: Option<String>, password: String) -> bool {
        let me = self.clone();
        let known = stored.is_some();
        let hash = stored.unwrap_or_else(|| self.dummy.clone());
        tokio::task::spawn_blocking(move || {
            PasswordHash::new(&hash)
                .map(|parsed| {
                    me.argon()
                        .verify_password(password.as_bytes(), &parsed)
                        .is_ok()
                })
                .unwrap_or(false)
        })
        .await
        .unwrap_or(false)
            && known
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_refuses_weak_passwords() {
        let email = "ann.smith@acme.example";
        for bad in [
            "short",
            "password1234",
            "Password2025!",
            "aaaaaaaaaaaaaaa",
            "ann.smith@acme.example1",
            "xx-ann.smith-xx",
            "qwertyuiopasdf",
        ] {
            assert!(check_policy(bad, email).is_err(), "{bad} should be refused");
        }
        assert!(check_policy("correct horse battery staple 7", email).is_ok());
        assert!(check_policy("Vq7!pL2#zR9m", email).is_ok());
    }

    #[tokio::test]
    async fn hashes_verify_and_unknown_accounts_never_match() {
        let h = Hasher::new(64, 1).unwrap();
        let stored = h.hash("Vq7!pL2#zR9m".into()).await.unwrap();
        assert!(stored.starts_with("$argon2id$"));
        assert!(h.verify(Some(stored.clone()), "Vq7!pL2#zR9m".into()).await);
        assert!(!h.verify(Some(stored), "Vq7!pL2#zR9n".into()).await);
        assert!(!h.verify(None, "a dummy password for timing".into()).await);
    }

    #[tokio::test]
    async fn production_parameters_work() {
        let s = crate::config::SecuritySettings::default();
        let h = Hasher::new(s.argon2_memory_kib, s.argon2_iterations).unwrap();
        let stored = h.hash("Vq7!pL2#zR9m".into()).await.unwrap();
        assert!(stored.contains("m=19456,t=2,p=1"), "{stored}");
    }
}
