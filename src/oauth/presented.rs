//! A client certificate as OAuth uses it, read once per TLS connection rather than once per
//! request: its DER, its `x5t#S256` thumbprint (RFC 8705, what tokens are bound to), its subject
//! DN (what `tls_client_auth` compares), its subject attributes as written (what DCR binds to the
//! statement's organisation) and its PSD2 eIDAS reading (the roles `/token` and DCR check). The
//! handshake has verified it before it gets here.

use super::dn::{Dn, subject_attributes};
use crate::authority::Psd2Certificate;
use crate::jose::x5t_s256;

/// A verified client certificate, read once.
#[derive(Debug)]
pub struct Presented {
    der: Vec<u8>,
    x5t_s256: String,
    subject: Option<Dn>,
    attributes: Vec<(String, String)>,
    eidas: Option<Psd2Certificate>,
}

impl Presented {
    /// Reads a certificate's DER (parsed once for all of it).
    pub fn read(der: Vec<u8>) -> Self {
        let parsed = x509_parser::parse_x509_certificate(&der)
            .ok()
            .map(|(_, c)| c);
        let eidas = parsed
            .as_ref()
            .and_then(|c| crate::authority::cert::read(c, &der).ok())
            .filter(Psd2Certificate::is_psd2);
        let attributes = parsed.as_ref().and_then(subject_attributes);
        Self {
            x5t_s256: x5t_s256(&der),
            subject: attributes.as_deref().and_then(Dn::of_attributes),
            attributes: attributes.unwrap_or_default(),
            eidas,
            der,
        }
    }

    /// The DER.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The base64url SHA-256 thumbprint of the DER.
    pub fn x5t_s256(&self) -> &str {
        &self.x5t_s256
    }

    /// The subject DN, when it reads as one.
    pub fn subject(&self) -> Option<&Dn> {
        self.subject.as_ref()
    }

    /// The subject's attributes as `(dotted OID, value)`, in the certificate's order, unchanged
    /// (empty when one of them is not a string).
    pub fn attributes(&self) -> &[(String, String)] {
        &self.attributes
    }

    /// What it says as a PSD2 eIDAS certificate, when it is one.
    pub fn eidas(&self) -> Option<&Psd2Certificate> {
        self.eidas.as_ref()
    }
}
