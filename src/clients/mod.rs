//! The one store of OAuth clients, shared by the portal, the console, DCR and the token
//! endpoint: the client model, the single metadata validator, and the service that issues,
//! rotates, suspends and revokes clients. Secrets are 256-bit, shown once, kept as SHA-256.

mod error;

pub mod policy;
pub mod service;
pub mod settings;
pub mod validate;

pub use crate::domain::client as model;
pub use error::ClientError;
pub use model::{ApplicationStatus, AuthMethod, ClientStatus, Environment, Origin, Scope};
