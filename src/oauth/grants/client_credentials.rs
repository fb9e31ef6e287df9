//! `grant_type=client_credentials`: the scopes asked for must be among the client's registered
//! ones; none (or an empty `scope=`) means all of them (decision 14). A production client over
//! an eIDAS certificate gets only what the certificate's PSD2 roles allow.

use crate::oauth::OAuthError;
use crate::oauth::client_auth::Authenticated;
use crate::oauth::presented::Presented;
use crate::oauth::token::{self, Issued};
use crate::state::AppState;

/// Issues a token for an authenticated client.
pub fn handle(
    st: &AppState,
    auth: &Authenticated,
    scope: Option<&str>,
    cert: Option<&Presented>,
) -> Result<Issued, OAuthError> {
    let eidas = cert.and_then(Presented::eidas);
    let meta = &auth.client.metadata;
    let grants: Vec<&str> = meta
        .get("grant_types")
        .and_then(|g| g.as_array())
        .map(|a| a.iter().filter_map(|v| v.as_str()).collect())
        .unwrap_or_default();
    if !grants.is_empty() && !grants.contains(&"client_credentials") {
        return Err(OAuthError::UnauthorizedClient(
            "This client is not registered for the client_credentials grant.".into(),
        ));
    }
    let registered: Vec<&str> = meta
        .get("scope")
        .and_then(|s| s.as_str())
        .unwrap_or_default()
        .split_whitespace()
        .collect();
    let asked: Vec<&str> = scope.unwrap_or_default().split_whitespace().collect();
    let granted = if asked.is_empty() {
        registered.join(" ")
    } else {
        if let Some(extra) = asked
            .iter()
            .find(|s| !registered.contains(s) && **s != "openid")
        {
            return Err(OAuthError::InvalidScope(format!(
                "Scope “{extra}” is not registered for this client (registered: {}).",
                registered.join(" ")
            )));
        }
        let mut g: Vec<&str> = asked.clone();
        g.dedup();
        g.join(" ")
    };
    let granted = crate::clients::policy::certificate_scopes(
        auth.client.environment,
        eidas.map(|c| c.roles.as_slice()),
        &granted,
        !asked.is_empty(),
    )
    .map_err(OAuthError::InvalidScope)?;
    token::issue(st, &auth.client, &granted, cert.map(Presented::x5t_s256))
}
