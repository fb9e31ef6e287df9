//! OAuth for registered clients: client authentication (one file per method), the
//! client-credentials grant, Onramp's signing keys and JWKS, certificate-bound JWT access tokens,
//! their verification (sandbox API, DCR management) and RFC 7662 introspection. No HTTP types:
//! the web layer hands in the form, the Authorization header and the client certificate.

pub mod client_auth;
pub mod client_cache;
pub mod dn;
mod error;
pub mod grants;
pub mod introspect;
pub mod jwks_cache;
pub mod keyring;
pub mod outbound;
pub mod presented;
pub mod rewrap;
pub mod ssrf;
pub mod token;

pub use error::OAuthError;

/// Clock skew allowed on JWT times.
pub const SKEW_SECONDS: i64 = 60;
