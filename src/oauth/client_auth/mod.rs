//! Token-endpoint client authentication: find which method the request uses, load the client,
//! check it is active and registered for that method, then verify with the method's own file.

mod private_key_jwt;
mod secret;
mod tls;

use super::OAuthError;
use crate::clients::{AuthMethod, ClientStatus};
use crate::domain::ClientId;
use crate::oauth::presented::Presented;
use crate::state::AppState;
use crate::store::clients::ClientRecord;

/// What the web layer hands over.
pub struct Credentials<'a> {
    /// `client_id` from the form.
    pub client_id: Option<&'a str>,
    /// `client_secret` from the form.
    pub client_secret: Option<&'a str>,
    /// `client_assertion_type` from the form.
    pub assertion_type: Option<&'a str>,
    /// `client_assertion` from the form.
    pub assertion: Option<&'a str>,
    /// Decoded HTTP Basic credentials.
    pub basic: Option<(String, String)>,
    /// The client certificate the TLS layer (or a trusted proxy) verified.
    pub cert: Option<&'a Presented>,
    /// The token endpoint URLs an assertion's `aud` may name.
    pub audiences: Vec<String>,
}

/// An authenticated client.
pub struct Authenticated {
    /// The client (shared with the client cache).
    pub client: std::sync::Arc<ClientRecord>,
    /// How it authenticated.
    pub method: AuthMethod,
}

const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

fn bad(m: &str) -> OAuthError {
    OAuthError::InvalidClient(m.into())
}

/// Authenticates the calling client.
pub async fn authenticate(st: &AppState, c: &Credentials<'_>) -> Result<Authenticated, OAuthError> {
    let mut methods = Vec::new();
    if c.basic.is_some() {
        methods.push(AuthMethod::ClientSecretBasic);
    }
    if c.client_secret.is_some() {
        methods.push(AuthMethod::ClientSecretPost);
    }
    if c.assertion.is_some() || c.assertion_type.is_some() {
        methods.push(AuthMethod::PrivateKeyJwt);
    }
    let method = match methods.as_slice() {
        [] if c.client_id.is_some() => AuthMethod::TlsClientAuth,
        [] => {
            return Err(bad(
                "Client authentication is missing: use the method the client was registered with.",
            ));
        }
        [one] => *one,
        _ => {
            return Err(OAuthError::InvalidRequest(
                "Use exactly one client authentication method per request.".into(),
            ));
        }
    };
    let mut assertion = None;
    let claimed: String = match method {
        AuthMethod::ClientSecretBasic => c.basic.as_ref().map(|b| b.0.clone()).unwrap_or_default(),
        AuthMethod::PrivateKeyJwt => {
            if c.assertion_type != Some(JWT_BEARER) {
                return Err(bad(
                    "client_assertion_type must be urn:ietf:params:oauth:client-assertion-type:jwt-bearer.",
                ));
            }
            let (claimed, jws) = private_key_jwt::claimed_client(c.assertion.unwrap_or_default())?;
            assertion = Some(jws);
            claimed
        }
        _ => c.client_id.unwrap_or_default().to_string(),
    };
    if let Some(form_id) = c.client_id
        && form_id != claimed
    {
        return Err(bad("client_id does not match the authenticated client."));
    }
    let client = st
        .client_cache
        .get(&st.db, &ClientId(claimed.clone()))
        .await?
        .ok_or_else(|| bad("Unknown client or wrong credentials."))?;
    if client.status != ClientStatus::Active {
        return Err(bad(&format!("The client is {}.", client.status)));
    }
    if client.auth_method != method {
        return Err(bad(&format!(
            "This client is registered for {}, not {}.",
            client.auth_method,
            method.as_str()
        )));
    }
    crate::clients::policy::check_token_request(&st.settings, &client, c.cert.is_some())
        .map_err(|e| bad(&e))?;
    crate::sandbox_directory::check_environment(st, client.environment, c.cert.map(Presented::der))
        .map_err(|e| bad(&format!("The client certificate is {e}.")))?;
    match method {
        AuthMethod::ClientSecretBasic => {
            let secret = c.basic.as_ref().map(|b| b.1.as_str()).unwrap_or_default();
            secret::verify(st, &client, secret)?;
        }
        AuthMethod::ClientSecretPost => {
            secret::verify(st, &client, c.client_secret.unwrap_or_default())?
        }
        AuthMethod::PrivateKeyJwt => {
            let jws = assertion.ok_or_else(|| bad("client_assertion is missing."))?;
            private_key_jwt::verify(st, &client, &jws, &c.audiences).await?;
        }
        AuthMethod::TlsClientAuth => tls::verify(&client, c.cert)?,
    }
    Ok(Authenticated { client, method })
}
