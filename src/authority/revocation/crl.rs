//! A certificate's status from its issuer's CRL: fetched, its signature checked against the
//! issuer, its `nextUpdate` honoured, the certificate's serial looked up.

use super::{Answer, SignedFetch, Status, reason_name};
use chrono::{DateTime, Utc};
use x509_parser::prelude::*;

/// Largest CRL accepted.
const MAX_CRL: usize = 10 * 1024 * 1024;

fn time(t: ASN1Time) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(t.timestamp(), 0)
}

/// Big-endian integer bytes without leading zeros, for comparing serials.
fn trimmed(serial: &[u8]) -> &[u8] {
    let start = serial.iter().position(|b| *b != 0).unwrap_or(serial.len());
    &serial[start..]
}

/// Fetches the CRL at `url` and reads `cert`'s status in it.
pub(super) async fn fetch(
    outbound: &dyn SignedFetch,
    url: &str,
    cert: &X509Certificate<'_>,
    issuer: &X509Certificate<'_>,
    now: DateTime<Utc>,
) -> Result<Answer, String> {
    let der = outbound.fetch_signed(url, None, MAX_CRL).await?;
    read(&der, cert, issuer, now).map_err(|e| format!("{url}: {e}"))
}

/// Reads `cert`'s status in the CRL `der` of `issuer`.
pub(super) fn read(
    der: &[u8],
    cert: &X509Certificate<'_>,
    issuer: &X509Certificate<'_>,
    now: DateTime<Utc>,
) -> Result<Answer, String> {
    let (_, crl) = parse_x509_crl(der).map_err(|_| "the CRL cannot be read".to_string())?;
    if crl.issuer().as_raw() != issuer.subject().as_raw() {
        return Err(format!("the CRL is {}'s, not the issuer's", crl.issuer()));
    }
    crl.verify_signature(issuer.public_key())
        .map_err(|_| "the CRL's signature does not verify against the issuer".to_string())?;
    let next_update = crl.next_update().and_then(time);
    if next_update.is_some_and(|n| n < now) {
        return Err("the CRL is out of date (nextUpdate has passed)".into());
    }
    let serial = trimmed(cert.raw_serial());
    let status = match crl
        .iter_revoked_certificates()
        .find(|r| trimmed(r.raw_serial()) == serial)
    {
        Some(r) => Status::Revoked {
            at: time(r.revocation_date).unwrap_or(now),
            reason: r.reason_code().map(|(_, c)| reason_name(u32::from(c.0))),
            by: "CRL",
        },
        None => Status::Good("CRL"),
    };
    Ok(Answer {
        status,
        next_update,
    })
}
