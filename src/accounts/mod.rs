//! People who sign in: TPP portal users and bank admins. Passwords are argon2id hashes; the
//! policy refuses short, common and email-derived passwords; failed logins are throttled per
//! account and per address.

mod error;
pub mod password;
pub mod service;
pub mod sessions;

pub use error::AccountError;
pub use password::{Hasher, check_policy};
