//! A TPP organisation's applications: create (through the `application` workflow), edit, delete
//! (which revokes their clients). The settings go through the one client validator, with the
//! scopes limited to the organisation's roles.

mod error;
pub mod service;

pub use error::ApplicationError;
