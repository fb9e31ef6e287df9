//! Who Onramp trusts to vouch for TPP software, and the per-node cache of organisations those
//! statements name. These values live in the application state, so this module sits below it
//! and below DCR and the sandbox directory, which use them: it depends only on `config`,
//! `domain`, `jose` and `store`.

mod anchors;
mod org_cache;

pub use anchors::{Directories, Directory, Keys, SANDBOX_DIRECTORY};
pub use org_cache::{OrgCache, OrgKey, TTL};
