//! People who sign in: TPP portal users and bank admins. Passwords are argon2id hashes; the
//! policy refuses short, common and email-derived passwords; failed logins are throttled per
//! account and per address; admins (and portal users who choose or
//! whose organisation requires it) add a TOTP second step.

mod error;
pub mod mfa;
pub mod password;
pub mod people;
pub mod service;
pub mod sessions;

pub use error::AccountError;
pub use password::{Hasher, check_policy};
