//! PSD2 eIDAS certificates (ETSI TS 119 495), parsed once and in one place: the PSD2 roles,
//! the competent authority (NCA name and id), QWAC or QSealC, the `organizationIdentifier`, the
//! validity and identity of the certificate. Every QCStatement is walked and matched by OID
//! (spec/authority.md section 3 and decisions 4 and 5); nothing is guessed from key usage.

use crate::domain::Psd2Role;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use x509_parser::der_parser::ber::BerObject;
use x509_parser::der_parser::der::parse_der as parse_der_object;
use x509_parser::prelude::*;

/// The qcStatements extension.
pub const QC_STATEMENTS: &str = "1.3.6.1.5.5.7.1.3";
/// The PSD2 QCStatement.
pub const PSD2_STATEMENT: &str = "0.4.0.19495.2";
/// The QcType statement.
pub const QC_TYPE: &str = "0.4.0.1862.1.6";
/// `organizationIdentifier` (X.520).
pub const ORGANIZATION_IDENTIFIER: &str = "2.5.4.97";

/// What a qualified certificate is for (QcType).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CertKind {
    /// Website authentication: used for mTLS (`0.4.0.1862.1.6.3`).
    Qwac,
    /// Electronic seal: signs requests (`0.4.0.1862.1.6.2`).
    Qsealc,
    /// Electronic signature of a person (`0.4.0.1862.1.6.1`).
    Esig,
}

impl CertKind {
    fn from_qc_type(oid: &str) -> Option<Self> {
        match oid {
            "0.4.0.1862.1.6.3" => Some(Self::Qwac),
            "0.4.0.1862.1.6.2" => Some(Self::Qsealc),
            "0.4.0.1862.1.6.1" => Some(Self::Esig),
            _ => None,
        }
    }

    /// The fallback when there is no QcType: the certificate policy (EN 319 411-2).
    fn from_policy(oid: &str) -> Option<Self> {
        match oid {
            "0.4.0.194112.1.4" | "0.4.0.194112.1.5" | "0.4.0.194112.1.6" | "0.4.0.19495.3.1" => {
                Some(Self::Qwac)
            }
            "0.4.0.194112.1.1" | "0.4.0.194112.1.3" => Some(Self::Qsealc),
            _ => None,
        }
    }

    /// What people read.
    pub fn label(self) -> &'static str {
        match self {
            Self::Qwac => "QWAC",
            Self::Qsealc => "QSealC",
            Self::Esig => "eSig",
        }
    }
}

/// An `organizationIdentifier`: the PSD2 scheme `PSD<CC>-<NCA>-<number>`, or another scheme
/// (`NTR…`, `VAT…`) kept as written, which verifies nothing by itself (decision 4).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "scheme", rename_all = "lowercase")]
pub enum OrgIdentifier {
    /// `PSDGB-FCA-123456`.
    Psd {
        /// The NCA's country (ISO-2).
        country: String,
        /// The NCA's short name (`FCA`).
        nca: String,
        /// The authorisation number.
        number: String,
    },
    /// Any other scheme.
    Other {
        /// The identifier as written.
        value: String,
    },
}

impl OrgIdentifier {
    /// Parses an identifier (`^PSD([A-Z]{2})-([A-Z]{2,8})-(.+)$` or another scheme).
    pub fn parse(text: &str) -> Self {
        match parse_psd(text) {
            Some((country, nca, number)) => Self::Psd {
                country: country.into(),
                nca: nca.into(),
                number: number.into(),
            },
            None => Self::Other { value: text.into() },
        }
    }

    /// The NCA id as certificates write it (`GB-FCA`), for the PSD2 scheme.
    pub fn nca_id(&self) -> Option<String> {
        match self {
            Self::Psd { country, nca, .. } => Some(format!("{country}-{nca}")),
            Self::Other { .. } => None,
        }
    }

    /// The authorisation number, for the PSD2 scheme.
    pub fn number(&self) -> Option<&str> {
        match self {
            Self::Psd { number, .. } => Some(number),
            Self::Other { .. } => None,
        }
    }
}

impl std::fmt::Display for OrgIdentifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Psd {
                country,
                nca,
                number,
            } => write!(f, "PSD{country}-{nca}-{number}"),
            Self::Other { value } => f.write_str(value),
        }
    }
}

pub use crate::domain::psd2::parse_psd;

/// What a certificate says, as Onramp reads it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Psd2Certificate {
    /// The subject DN, as text for people.
    pub subject: String,
    /// The issuer DN, as text for people.
    pub issuer: String,
    /// The serial number (hex).
    pub serial: String,
    /// SHA-256 of the DER (hex), as `x5t#S256` is, before base64url.
    pub sha256: String,
    /// The subject's organisation name (`O`).
    pub legal_name: Option<String>,
    /// The subject's `organizationIdentifier`.
    pub organization_identifier: Option<OrgIdentifier>,
    /// The PSD2 roles of the PSD2 QCStatement (by OID; unknown OIDs are skipped).
    pub roles: Vec<Psd2Role>,
    /// `nCAName` of the PSD2 QCStatement.
    pub nca_name: Option<String>,
    /// `nCAId` of the PSD2 QCStatement (`GB-FCA`).
    pub nca_id: Option<String>,
    /// QWAC, QSealC or eSig, from QcType, else from the policies.
    pub kind: Option<CertKind>,
    /// Valid from.
    pub not_before: DateTime<Utc>,
    /// Valid until.
    pub not_after: DateTime<Utc>,
}

impl Psd2Certificate {
    /// Whether it carries a PSD2 QCStatement (an eIDAS PSD2 certificate, not a plain one).
    pub fn is_psd2(&self) -> bool {
        self.nca_id.is_some() || !self.roles.is_empty()
    }

    /// Whether `now` is inside its validity.
    pub fn valid_at(&self, now: DateTime<Utc>) -> bool {
        self.not_before <= now && now <= self.not_after
    }
}

/// Why a certificate could not be read.
#[derive(Debug, thiserror::Error)]
pub enum CertError {
    /// Not PEM, not DER, or not a certificate.
    #[error("not a certificate: {0}")]
    Malformed(String),
    /// The qcStatements extension is not what ETSI EN 319 412-5 says.
    #[error("its qcStatements cannot be read: {0}")]
    QcStatements(String),
}

fn time(t: ASN1Time) -> DateTime<Utc> {
    DateTime::from_timestamp(t.timestamp(), 0).unwrap_or_default()
}

/// Reads a DER certificate.
pub fn parse_der(der: &[u8]) -> Result<Psd2Certificate, CertError> {
    let (_, cert) = parse_x509_certificate(der).map_err(|e| CertError::Malformed(e.to_string()))?;
    read(&cert, der)
}

/// Reads a certificate already parsed from `der`.
pub fn read(cert: &X509Certificate<'_>, der: &[u8]) -> Result<Psd2Certificate, CertError> {
    let mut out = Psd2Certificate {
        subject: cert.subject().to_string(),
        issuer: cert.issuer().to_string(),
        serial: cert.raw_serial_as_string().replace(':', ""),
        sha256: hex::encode(Sha256::digest(der)),
        legal_name: cert
            .subject()
            .iter_organization()
            .next()
            .and_then(|a| a.as_str().ok())
            .map(str::to_string),
        organization_identifier: None,
        roles: Vec::new(),
        nca_name: None,
        nca_id: None,
        kind: None,
        not_before: time(cert.validity().not_before),
        not_after: time(cert.validity().not_after),
    };
    for rdn in cert.subject().iter() {
        for a in rdn.iter() {
            if a.attr_type().to_id_string() == ORGANIZATION_IDENTIFIER
                && let Ok(v) = a.as_str()
            {
                out.organization_identifier = Some(OrgIdentifier::parse(v));
            }
        }
    }
    let mut policy_kind = None;
    for ext in cert.extensions() {
        let oid = ext.oid.to_id_string();
        if oid == QC_STATEMENTS {
            read_qc_statements(ext.value, &mut out)?;
        } else if let ParsedExtension::CertificatePolicies(policies) = ext.parsed_extension() {
            policy_kind = policies
                .iter()
                .find_map(|p| CertKind::from_policy(&p.policy_id.to_id_string()));
        }
    }
    if out.kind.is_none() {
        out.kind = policy_kind;
    }
    Ok(out)
}

/// Reads the first certificate of a PEM text (or DER bytes).
pub fn parse_pem_or_der(bytes: &[u8]) -> Result<(Vec<u8>, Psd2Certificate), CertError> {
    let der = pem_chain(bytes)?.into_iter().next().unwrap_or_default();
    let cert = parse_der(&der)?;
    Ok((der, cert))
}

/// Every certificate of a PEM text, in order (DER bytes are taken as one certificate).
pub fn pem_chain(bytes: &[u8]) -> Result<Vec<Vec<u8>>, CertError> {
    use rustls_pki_types::CertificateDer;
    use rustls_pki_types::pem::PemObject;
    if !bytes.windows(10).any(|w| w == b"-----BEGIN") {
        return Ok(vec![bytes.to_vec()]);
    }
    let certs: Vec<Vec<u8>> = CertificateDer::pem_slice_iter(bytes)
        .map(|c| c.map(|c| c.to_vec()))
        .collect::<Result<_, _>>()
        .map_err(|e| CertError::Malformed(e.to_string()))?;
    if certs.is_empty() {
        return Err(CertError::Malformed(
            "no CERTIFICATE block in the PEM".into(),
        ));
    }
    Ok(certs)
}

fn qc(e: impl std::fmt::Display) -> CertError {
    CertError::QcStatements(e.to_string())
}

fn seq<'a, 'b>(o: &'b BerObject<'a>) -> Result<&'b Vec<BerObject<'a>>, CertError> {
    o.as_sequence().map_err(qc)
}

/// Walks `SEQUENCE OF QCStatement { statementId OID, statementInfo ANY OPTIONAL }`.
fn read_qc_statements(value: &[u8], out: &mut Psd2Certificate) -> Result<(), CertError> {
    let (_, statements) = parse_der_object(value).map_err(qc)?;
    for statement in seq(&statements)? {
        let parts = seq(statement)?;
        let Some(id) = parts.first() else { continue };
        let id = id.as_oid().map_err(qc)?.to_id_string();
        let info = parts.get(1);
        match (id.as_str(), info) {
            (PSD2_STATEMENT, Some(info)) => read_psd2(info, out)?,
            (QC_TYPE, Some(info)) => {
                for t in seq(info)? {
                    if let Some(kind) = t
                        .as_oid()
                        .ok()
                        .and_then(|o| CertKind::from_qc_type(&o.to_id_string()))
                    {
                        out.kind.get_or_insert(kind);
                    }
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// `PSD2QcType ::= SEQUENCE { rolesOfPSP SEQUENCE OF RoleOfPSP, nCAName, nCAId }`.
fn read_psd2(info: &BerObject<'_>, out: &mut Psd2Certificate) -> Result<(), CertError> {
    let parts = seq(info)?;
    let [roles, name, id, ..] = parts.as_slice() else {
        return Err(qc("the PSD2 statement needs roles, nCAName and nCAId"));
    };
    for role in seq(roles)? {
        let pair = seq(role)?;
        if let Some(r) = pair
            .first()
            .and_then(|o| o.as_oid().ok())
            .and_then(|o| Psd2Role::from_oid(&o.to_id_string()))
            && !out.roles.contains(&r)
        {
            out.roles.push(r);
        }
    }
    out.roles.sort();
    out.nca_name = Some(name.as_str().map_err(qc)?.to_string());
    out.nca_id = Some(id.as_str().map_err(qc)?.to_string());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn organisation_identifiers_split_only_the_psd2_scheme() {
        assert_eq!(
            OrgIdentifier::parse("PSDFI-FINFSA-01234567")
                .nca_id()
                .as_deref(),
            Some("FI-FINFSA")
        );
        assert_eq!(
            OrgIdentifier::parse("NTRGB-09876543"),
            OrgIdentifier::Other {
                value: "NTRGB-09876543".into()
            }
        );
        assert!(parse_psd("PSDGB-F-1").is_none());
        assert!(parse_psd("PSDGB-FCA-").is_none());
        assert_eq!(parse_psd("PSDGB-FCA-12-3"), Some(("GB", "FCA", "12-3")));
    }
}
