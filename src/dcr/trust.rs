//! Trust anchors for software statements, as DCR uses them: the directories themselves live in
//! [`crate::trust`]; here their keys are fetched (through the outbound client and its cache)
//! when a directory publishes them at a URL.

use super::DcrError;
use crate::jose::JwkSet;
use crate::state::AppState;
use std::sync::Arc;

pub use crate::trust::{Directories, Directory, Keys, SANDBOX_DIRECTORY};

/// The directory's keys, holding `kid` if it can.
pub async fn directory_keys(
    st: &AppState,
    dir: &Directory,
    kid: Option<&str>,
) -> Result<Arc<JwkSet>, DcrError> {
    match dir.keys() {
        Keys::Fixed(k) => Ok(k.clone()),
        Keys::Uri(u) => st
            .client_jwks
            .get(&st.outbound, u, kid)
            .await
            .map_err(|e| DcrError::Server(format!("directory {} keys: {e}", dir.issuer))),
    }
}
