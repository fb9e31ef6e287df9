//! Keys for applications: sandbox keys at once (the `sandbox-keys` workflow), production keys
//! after approval (the `production-keys` workflow, with the bank's further form), client secrets
//! shown once, regeneration with a grace period, revocation by the TPP.

mod error;
pub mod service;

pub use error::KeyError;
