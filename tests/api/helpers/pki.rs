//! A test PKI made per test with rcgen: a CA, a server certificate for localhost, client
//! certificates with chosen subjects, and mTLS HTTP clients that present them.

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, SanType,
};
use std::path::{Path, PathBuf};

/// The CA and the server's files.
pub struct Pki {
    /// The CA's PEM file (server trust for clients, client trust for the server).
    pub ca_file: PathBuf,
    /// The server certificate's PEM file.
    pub cert_file: PathBuf,
    /// The server key's PEM file.
    pub key_file: PathBuf,
    ca_pem: String,
    ca_params: CertificateParams,
    ca_key: KeyPair,
}

/// A client certificate with its key.
pub struct Identity {
    /// DER of the certificate.
    pub der: Vec<u8>,
    /// PEM of the certificate.
    pub cert_pem: String,
    /// PEM of the key.
    pub key_pem: String,
    /// The subject as RFC 4514 text.
    pub dn: String,
}

impl Pki {
    /// Makes a CA and a localhost server certificate under `dir`.
    pub fn new(dir: &Path) -> Self {
        let ca_key = KeyPair::generate().unwrap();
        let mut ca_params = ca_params();
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CommonName, "Onramp Test CA");
        dn.push(DnType::OrganizationName, "Test Directory");
        ca_params.distinguished_name = dn;
        let ca = ca_params.self_signed(&ca_key).unwrap();

        let server_key = KeyPair::generate().unwrap();
        let mut sp = CertificateParams::new(vec!["localhost".to_string()]).unwrap();
        sp.subject_alt_names
            .push(SanType::IpAddress("127.0.0.1".parse().unwrap()));
        sp.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        sp.distinguished_name.push(DnType::CommonName, "localhost");
        let issuer = Issuer::from_params(&ca_params, &ca_key);
        let server = sp.signed_by(&server_key, &issuer).unwrap();

        let ca_file = dir.join("ca.pem");
        let cert_file = dir.join("server.pem");
        let key_file = dir.join("server.key");
        std::fs::write(&ca_file, ca.pem()).unwrap();
        std::fs::write(&cert_file, server.pem()).unwrap();
        std::fs::write(&key_file, server_key.serialize_pem()).unwrap();
        Self {
            ca_file,
            cert_file,
            key_file,
            ca_pem: ca.pem(),
            ca_params,
            ca_key,
        }
    }

    /// A client certificate for `CN=cn, O=org, C=GB` (and `organizationIdentifier` if given),
    /// signed by this CA.
    pub fn client(&self, cn: &str, org: &str, org_id: Option<&str>) -> Identity {
        self.issue(cn, org, org_id, Vec::new())
    }

    /// A client certificate as [`Pki::client`] makes, with further extensions.
    pub(super) fn issue(
        &self,
        cn: &str,
        org: &str,
        org_id: Option<&str>,
        extensions: Vec<rcgen::CustomExtension>,
    ) -> Identity {
        let (mut p, dn) = client_params(cn, org, org_id);
        p.custom_extensions = extensions;
        sign(p, dn, &Issuer::from_params(&self.ca_params, &self.ca_key))
    }

    /// An HTTPS client trusting this CA and presenting `identity` (if any).
    pub fn client_http(&self, identity: Option<&Identity>) -> reqwest::Client {
        use rustls_pki_types::pem::PemObject;
        use rustls_pki_types::{CertificateDer, PrivateKeyDer};
        onramp::startup::install_crypto();
        let mut roots = rustls::RootCertStore::empty();
        roots
            .add(CertificateDer::from_pem_slice(self.ca_pem.as_bytes()).unwrap())
            .unwrap();
        let builder = rustls::ClientConfig::builder().with_root_certificates(roots);
        let config = match identity {
            Some(id) => builder
                .with_client_auth_cert(
                    vec![CertificateDer::from_pem_slice(id.cert_pem.as_bytes()).unwrap()],
                    PrivateKeyDer::from_pem_slice(id.key_pem.as_bytes()).unwrap(),
                )
                .unwrap(),
            None => builder.with_no_client_auth(),
        };
        reqwest::Client::builder()
            .tls_backend_preconfigured(config)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    }
}

/// A client certificate's parameters for `CN=cn, O=org, C=GB` (and `organizationIdentifier`
/// if given), with the subject as RFC 4514 text.
pub(super) fn client_params(
    cn: &str,
    org: &str,
    org_id: Option<&str>,
) -> (CertificateParams, String) {
    let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
    p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    p.distinguished_name.push(DnType::CommonName, cn);
    p.distinguished_name.push(DnType::OrganizationName, org);
    p.distinguished_name.push(DnType::CountryName, "GB");
    let mut dn = format!("CN={cn},O={org},C=GB");
    if let Some(id) = org_id {
        p.distinguished_name
            .push(DnType::CustomDnType(vec![2, 5, 4, 97]), id);
        dn.push_str(&format!(",organizationIdentifier={id}"));
    }
    (p, dn)
}

/// Signs `p` with a new key under `issuer`.
pub(super) fn sign(p: CertificateParams, dn: String, issuer: &Issuer<'_, &KeyPair>) -> Identity {
    let key = KeyPair::generate().unwrap();
    let cert = p.signed_by(&key, issuer).unwrap();
    Identity {
        der: cert.der().to_vec(),
        cert_pem: cert.pem(),
        key_pem: key.serialize_pem(),
        dn,
    }
}

/// A CA's parameters: any path length, signing certificates and CRLs.
pub(super) fn ca_params() -> CertificateParams {
    let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    p
}
