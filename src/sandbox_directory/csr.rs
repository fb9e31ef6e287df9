//! Certificate signing requests that TPPs paste or upload for sandbox software.

use super::SandboxError;
use rcgen::CertificateSigningRequestParams;

/// The public key of a PEM certificate signing request, its signature checked. The requested
/// subject and extensions are ignored.
pub fn csr_key(pem: &str) -> Result<rcgen::PublicKey, SandboxError> {
    CertificateSigningRequestParams::from_pem(pem.trim())
        .map(|csr| csr.public_key)
        .map_err(|e| {
            SandboxError::Invalid(
                "csr",
                match e {
                    rcgen::Error::InvalidCertificationRequestSignature => {
                        "The CSR's signature does not verify.".into()
                    }
                    rcgen::Error::UnsupportedExtension => {
                        "The CSR asks for an extension Onramp cannot read; make it with only a subject (openssl req -new -key transport.key -subj \"/CN=test\").".into()
                    }
                    _ => "This is not a PEM certificate signing request (-----BEGIN CERTIFICATE REQUEST-----).".into(),
                },
            )
        })
}
