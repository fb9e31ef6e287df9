//! The standing of an eIDAS transport certificate at registration: a certificate that reaches a
//! trusted-list service which was not granted at its `notBefore`, or that is revoked, is
//! refused (`invalid_client_metadata`, as the other transport-certificate refusals); so is one
//! whose revocation status cannot be learned when `authority.revocation = "require"`. The TLS
//! layer has already chained it to `tls.client_ca`; a chain that reaches neither a configured
//! root nor a trusted list is left to that.

use super::DcrError;
use crate::authority::ChainVerdict;
use crate::authority::revocation::{Mode, Status};
use crate::oauth::presented::Presented;
use crate::state::AppState;

/// Checks the presented certificate, if it is an eIDAS (PSD2) one.
pub async fn check(st: &AppState, cert: Option<&Presented>) -> Result<(), DcrError> {
    let Some((der, c)) = cert.and_then(|p| Some((p.der(), p.eidas()?))) else {
        return Ok(());
    };
    let lists = crate::authority::trust_import::lists(st)
        .await
        .map_err(|e| DcrError::Server(e.to_string()))?;
    let now = st.clock.now();
    let a = &st.authority;
    let chain = a.roots.verify_with(&lists, c.kind, der, &[], now);
    if let ChainVerdict::NotListed(why) = &chain.verdict {
        return Err(DcrError::Metadata(format!(
            "The transport certificate is not on a trusted list: {why}."
        )));
    }
    let rev = a.revocation_with(&st.outbound);
    let status = match &chain.issuer {
        Some(issuer) => rev.check(der, issuer, now).await,
        None if rev.mode == Mode::Off => Status::NotChecked,
        None => {
            Status::Unknown("its issuer is neither a configured root nor on a trusted list".into())
        }
    };
    if let Some(revoked) = status.revoked_text() {
        return Err(DcrError::Metadata(format!(
            "The transport certificate is {revoked}."
        )));
    }
    match status {
        Status::Unknown(why) if rev.mode == Mode::Require => Err(DcrError::Metadata(format!(
            "The transport certificate's revocation status could not be learned, and this bank requires it: {why}."
        ))),
        Status::Unknown(why) => {
            tracing::info!(why, "registration: revocation not checked");
            Ok(())
        }
        _ => Ok(()),
    }
}
