//! Dynamic Client Registration, UK Open Banking v3.2/v3.3/v3.4 (spec/dcr.md and its decisions):
//! the request JWT, the software statement from a trusted directory, the registration policy
//! (one named function per check, in the order of b.3), the transport-certificate binding, and
//! register / read / update / delete into the one client store (`origin = dcr`). No HTTP types.

pub mod binding;
pub mod cert_status;
mod error;
pub mod orgs;
pub mod policy;
pub mod request;
pub mod response;
pub mod service;
pub mod ssa;
pub mod trust;
mod version;

pub use error::DcrError;
pub use version::Version;
