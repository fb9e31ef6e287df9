//! `client_secret_basic` and `client_secret_post`: SHA-256 of the presented secret compared in
//! constant time with the stored hash (and, during its grace period, the previous one).

use crate::oauth::OAuthError;
use crate::state::AppState;
use crate::store::clients::ClientRecord;

/// Checks the secret.
pub fn verify(st: &AppState, client: &ClientRecord, presented: &str) -> Result<(), OAuthError> {
    if crate::clients::service::secret_matches(client, presented, st.clock.now()) {
        Ok(())
    } else {
        Err(OAuthError::InvalidClient(
            "Unknown client or wrong credentials.".into(),
        ))
    }
}
