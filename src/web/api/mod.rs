//! Machine-facing endpoints: health, discovery and JWKS, the token and introspection endpoints,
//! and the sandbox API.

pub mod dcr;
pub mod discovery;
pub mod health;
pub mod introspect;
pub mod openapi;
pub mod sandbox;
pub mod sandbox_directory;
pub mod token;
