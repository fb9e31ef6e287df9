//! A certificate's status from its issuer's OCSP responder (RFC 6960): a request for one
//! certificate (SHA-1 `CertID`, as responders expect), an answer whose signature is checked
//! against the issuer or a responder the issuer delegated to (`id-kp-OCSPSigning`), and whose
//! `thisUpdate`/`nextUpdate` are current.

use super::{Answer, SignedFetch, Status, reason_name};
use chrono::{DateTime, Utc};
use x509_cert::Certificate;
use x509_cert::der::asn1::{Null, ObjectIdentifier, OctetString};
use x509_cert::der::{Decode, Encode};
use x509_cert::spki::AlgorithmIdentifierOwned;
use x509_ocsp::{
    BasicOcspResponse, CertId, CertStatus, OcspGeneralizedTime, OcspRequest, OcspResponse,
    OcspResponseStatus, Request, TbsRequest,
};
use x509_parser::prelude::{FromDer, X509Certificate, parse_x509_certificate};

/// Largest answer accepted.
const MAX_ANSWER: usize = 64 * 1024;
/// SHA-1, the `CertID` hash responders support.
const SHA1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.14.3.2.26");
/// `id-pkix-ocsp-basic`.
const BASIC: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1.1");
/// How far a responder's clock may run ahead.
const SKEW: chrono::Duration = chrono::Duration::minutes(5);

fn sha1(data: &[u8]) -> Vec<u8> {
    ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, data)
        .as_ref()
        .to_vec()
}

/// The `CertID` of `leaf` under `issuer`.
pub fn cert_id(leaf: &[u8], issuer: &[u8]) -> Result<CertId, String> {
    let bad = |_| "the certificate cannot be read for OCSP".to_string();
    let leaf = Certificate::from_der(leaf).map_err(bad)?;
    let issuer = Certificate::from_der(issuer).map_err(bad)?;
    let name = issuer.tbs_certificate.subject.to_der().map_err(bad)?;
    let key = issuer
        .tbs_certificate
        .subject_public_key_info
        .subject_public_key
        .raw_bytes();
    Ok(CertId {
        hash_algorithm: AlgorithmIdentifierOwned {
            oid: SHA1,
            parameters: Some(Null.into()),
        },
        issuer_name_hash: OctetString::new(sha1(&name)).map_err(bad)?,
        issuer_key_hash: OctetString::new(sha1(key)).map_err(bad)?,
        serial_number: leaf.tbs_certificate.serial_number,
    })
}

/// Asks the responder at `url` about `leaf`.
pub(super) async fn ask(
    outbound: &dyn SignedFetch,
    url: &str,
    leaf: &[u8],
    issuer: &[u8],
    now: DateTime<Utc>,
) -> Result<Answer, String> {
    let id = cert_id(leaf, issuer)?;
    let request = OcspRequest {
        tbs_request: TbsRequest {
            version: x509_ocsp::Version::V1,
            requestor_name: None,
            request_list: vec![Request {
                req_cert: id.clone(),
                single_request_extensions: None,
            }],
            request_extensions: None,
        },
        optional_signature: None,
    }
    .to_der()
    .map_err(|e| format!("request: {e}"))?;
    let body = outbound
        .fetch_signed(url, Some(("application/ocsp-request", request)), MAX_ANSWER)
        .await?;
    read(&body, &id, issuer, now).map_err(|e| format!("{url}: {e}"))
}

fn time(t: &OcspGeneralizedTime) -> Option<DateTime<Utc>> {
    let secs = i64::try_from(t.0.to_unix_duration().as_secs()).ok()?;
    DateTime::from_timestamp(secs, 0)
}

/// Whether `signature` by `signer` over `data` verifies.
fn verifies(
    signer: &X509Certificate<'_>,
    alg: &AlgorithmIdentifierOwned,
    signature: &[u8],
    data: &[u8],
) -> bool {
    let Ok(alg_der) = alg.to_der() else {
        return false;
    };
    let Ok((_, alg)) = x509_parser::x509::AlgorithmIdentifier::from_der(&alg_der) else {
        return false;
    };
    let sig = x509_parser::asn1_rs::BitString::new(0, signature);
    x509_parser::verify::verify_signature(signer.public_key(), &alg, &sig, data).is_ok()
}

/// Whether `responder` may answer for `issuer`: issued by it for `id-kp-OCSPSigning`.
fn delegated(responder: &X509Certificate<'_>, issuer: &X509Certificate<'_>) -> bool {
    responder.issuer().as_raw() == issuer.subject().as_raw()
        && responder
            .verify_signature(Some(issuer.public_key()))
            .is_ok()
        && responder
            .extended_key_usage()
            .ok()
            .flatten()
            .is_some_and(|e| e.value.ocsp_signing)
}

/// Reads the responder's answer about `id`.
pub fn read(
    der: &[u8],
    id: &CertId,
    issuer_der: &[u8],
    now: DateTime<Utc>,
) -> Result<Answer, String> {
    let response = OcspResponse::from_der(der).map_err(|_| "the answer cannot be read")?;
    if response.response_status != OcspResponseStatus::Successful {
        return Err(format!(
            "the responder answered {:?}",
            response.response_status
        ));
    }
    let bytes = response
        .response_bytes
        .filter(|b| b.response_type == BASIC)
        .ok_or("the answer is not a basic OCSP response")?;
    let basic = BasicOcspResponse::from_der(bytes.response.as_bytes())
        .map_err(|_| "the basic OCSP response cannot be read")?;
    let (_, issuer) =
        parse_x509_certificate(issuer_der).map_err(|_| "the issuer cannot be read")?;
    let tbs = basic
        .tbs_response_data
        .to_der()
        .map_err(|_| "the answer cannot be re-encoded")?;
    let signature = basic.signature.raw_bytes();
    let alg = &basic.signature_algorithm;
    let responders: Vec<Vec<u8>> = basic
        .certs
        .iter()
        .flatten()
        .filter_map(|c| c.to_der().ok())
        .collect();
    let signed = verifies(&issuer, alg, signature, &tbs)
        || responders.iter().any(|r| {
            parse_x509_certificate(r)
                .is_ok_and(|(_, r)| delegated(&r, &issuer) && verifies(&r, alg, signature, &tbs))
        });
    if !signed {
        return Err(
            "the answer's signature is neither the issuer's nor a delegated responder's".into(),
        );
    }
    let single = basic
        .tbs_response_data
        .responses
        .iter()
        .find(|r| {
            r.cert_id.serial_number == id.serial_number
                && (r.cert_id.hash_algorithm.oid != id.hash_algorithm.oid
                    || (r.cert_id.issuer_name_hash == id.issuer_name_hash
                        && r.cert_id.issuer_key_hash == id.issuer_key_hash))
        })
        .ok_or("the answer is about another certificate")?;
    if time(&single.this_update).is_none_or(|t| t > now + SKEW) {
        return Err("the answer's thisUpdate is in the future".into());
    }
    let next_update = single.next_update.as_ref().and_then(time);
    if next_update.is_some_and(|n| n < now) {
        return Err("the answer is out of date (nextUpdate has passed)".into());
    }
    let status = match &single.cert_status {
        CertStatus::Good(_) => Status::Good("OCSP"),
        CertStatus::Revoked(info) => Status::Revoked {
            at: time(&info.revocation_time).unwrap_or(now),
            reason: info.revocation_reason.map(|r| reason_name(r as u32)),
            by: "OCSP",
        },
        CertStatus::Unknown(_) => return Err("the responder does not know the certificate".into()),
    };
    Ok(Answer {
        status,
        next_update,
    })
}
