//! The sandbox directory's certificate authority: it issues test transport certificates whose
//! subject Onramp sets itself (CN = software_id, OU = organisation id, O = legal name), whatever
//! the CSR asked for, so that a sandbox certificate can never pose as another organisation.

use super::AnchorError;
use chrono::{DateTime, Datelike, Duration, Utc};
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, PublicKeyData, SerialNumber,
};
use rustls_pki_types::CertificateDer;

/// The CA: its key, its certificate, and the subject its certificates name as issuer.
pub struct Ca {
    issuer: Issuer<'static, KeyPair>,
    cert_pem: String,
    cert_der: Vec<u8>,
    subject_raw: Vec<u8>,
}

impl std::fmt::Debug for Ca {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Ca")
    }
}

/// Valid from the day before `now` for `days`.
fn validity(params: &mut CertificateParams, now: DateTime<Utc>, days: i64) {
    let ymd = |t: DateTime<Utc>| {
        let month = u8::try_from(t.month()).unwrap_or(1);
        let day = u8::try_from(t.day()).unwrap_or(1);
        rcgen::date_time_ymd(t.year(), month, day)
    };
    params.not_before = ymd(now - Duration::days(1));
    params.not_after = ymd(now + Duration::days(days));
}

fn serial() -> SerialNumber {
    use rand::RngCore;
    let mut b = [0u8; 16];
    rand::rng().fill_bytes(&mut b);
    b[0] &= 0x7f;
    SerialNumber::from_slice(&b)
}

fn bad(e: impl std::fmt::Display) -> AnchorError {
    AnchorError(format!("sandbox CA: {e}"))
}

/// A new CA key and self-signed certificate (PEMs), valid ten years from `now`.
pub fn generate(now: DateTime<Utc>) -> Result<(String, String), AnchorError> {
    let key = KeyPair::generate().map_err(bad)?;
    let mut params = CertificateParams::default();
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let mut dn = DistinguishedName::new();
    let tag = hex::encode(&serial().as_ref()[..4]);
    dn.push(
        DnType::CommonName,
        format!("Onramp Sandbox Transport CA {tag}"),
    );
    dn.push(DnType::OrganizationName, super::SANDBOX_DIRECTORY);
    params.distinguished_name = dn;
    params.serial_number = Some(serial());
    validity(&mut params, now, 3650);
    let cert = params.self_signed(&key).map_err(bad)?;
    Ok((key.serialize_pem(), cert.pem()))
}

impl Ca {
    /// Loads the CA from its stored PEMs.
    pub fn load(key_pem: &str, cert_pem: &str) -> Result<Self, AnchorError> {
        let key = KeyPair::from_pem(key_pem).map_err(bad)?;
        let der = rustls_pki_types::pem::PemObject::from_pem_slice(cert_pem.as_bytes())
            .map(|c: CertificateDer<'static>| c.to_vec())
            .map_err(bad)?;
        let (_, parsed) = x509_parser::parse_x509_certificate(&der).map_err(bad)?;
        let subject_raw = parsed.subject().as_raw().to_vec();
        let issuer =
            Issuer::from_ca_cert_der(&CertificateDer::from(der.clone()), key).map_err(bad)?;
        Ok(Self {
            issuer,
            cert_pem: cert_pem.to_string(),
            cert_der: der,
            subject_raw,
        })
    }

    /// The CA certificate (PEM), for proxies and TPPs to trust.
    pub fn pem(&self) -> &str {
        &self.cert_pem
    }

    /// The CA certificate (DER), for Onramp's own TLS listener.
    pub fn der(&self) -> &[u8] {
        &self.cert_der
    }

    /// Whether this CA issued the (already chain-verified) certificate: its issuer is this CA's
    /// subject, which carries a random tag per installation.
    pub fn issued(&self, cert_der: &[u8]) -> bool {
        x509_parser::parse_x509_certificate(cert_der)
            .is_ok_and(|(_, c)| c.issuer().as_raw() == self.subject_raw.as_slice())
    }

    /// Issues a client certificate for `key` valid one year, naming the software and its
    /// organisation. Returns PEM and DER.
    pub fn issue(
        &self,
        key: &impl PublicKeyData,
        software_id: &str,
        org_id: &str,
        org_name: &str,
        now: DateTime<Utc>,
    ) -> Result<(String, Vec<u8>), AnchorError> {
        let mut params = CertificateParams::default();
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CommonName, software_id);
        dn.push(DnType::OrganizationalUnitName, org_id);
        dn.push(DnType::OrganizationName, org_name);
        params.distinguished_name = dn;
        params.serial_number = Some(serial());
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        params.use_authority_key_identifier_extension = true;
        validity(&mut params, now, 365);
        let cert = params.signed_by(key, &self.issuer).map_err(bad)?;
        Ok((cert.pem(), cert.der().to_vec()))
    }
}
