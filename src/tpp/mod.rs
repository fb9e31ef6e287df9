//! TPP organisations and their signup: the configurable signup form (from the `signup`
//! workflow), account creation without account enumeration, email verification that starts the
//! signup workflow, and resubmission when the bank asks for more.

pub mod admin;
mod error;
pub mod query;
pub mod service;
mod squat;

pub use error::SignupError;
