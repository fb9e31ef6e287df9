//! Who Onramp trusts to vouch for TPP software, and the per-node caches of organisations those
//! statements name and of statements whose signature verified. These values live in the
//! application state, so this module sits below it and below DCR and the sandbox directory,
//! which use them: it depends only on `config`, `domain`, `jose` and `store`. Onramp's own
//! sandbox directory's key and CA are anchors too.

mod anchors;
pub mod ca;
mod org_cache;
mod sandbox;
pub mod ssa_cache;

pub use anchors::{Directories, Directory, Keys, SANDBOX_DIRECTORY};
pub use org_cache::{OrgCache, OrgKey, TTL};
pub use sandbox::{SECRET_NAME, SandboxDirectory};
pub use ssa_cache::SsaCache;

/// Why a trust anchor's material could not be made or used.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct AnchorError(pub String);
