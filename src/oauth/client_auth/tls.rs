//! `tls_client_auth` (RFC 8705): the verified client certificate's subject DN must equal the
//! registered `tls_client_auth_subject_dn`, compared as parsed DNs.

use crate::oauth::OAuthError;
use crate::oauth::dn::Dn;
use crate::oauth::presented::Presented;
use crate::store::clients::ClientRecord;

/// Checks the certificate (its subject was read once, with its connection).
pub fn verify(client: &ClientRecord, cert: Option<&Presented>) -> Result<(), OAuthError> {
    let cert = cert.ok_or_else(|| {
        OAuthError::InvalidClient(
            "tls_client_auth needs a client certificate on the mTLS endpoint.".into(),
        )
    })?;
    let registered = client
        .metadata
        .get("tls_client_auth_subject_dn")
        .and_then(|v| v.as_str())
        .and_then(Dn::parse_cached)
        .ok_or_else(|| {
            OAuthError::InvalidClient("The client has no usable registered subject DN.".into())
        })?;
    match cert.subject() {
        Some(presented) if *presented == *registered => Ok(()),
        _ => Err(OAuthError::InvalidClient(
            "The certificate's subject DN does not match the client's registered tls_client_auth_subject_dn.".into(),
        )),
    }
}
