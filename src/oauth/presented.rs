//! A client certificate as OAuth uses it, read once per TLS connection rather than once per
//! request: its DER, its `x5t#S256` thumbprint (RFC 8705, what tokens are bound to), its subject
//! DN (what `tls_client_auth` compares) and its PSD2 eIDAS reading (the roles `/token` and DCR
//! check). The handshake has verified it before it gets here.

use super::dn::Dn;
use crate::authority::Psd2Certificate;
use crate::jose::x5t_s256;

/// A verified client certificate, read once.
#[derive(Debug)]
pub struct Presented {
    der: Vec<u8>,
    x5t_s256: String,
    subject: Option<Dn>,
    eidas: Option<Psd2Certificate>,
}

impl Presented {
    /// Reads a certificate's DER.
    pub fn read(der: Vec<u8>) -> Self {
        let eidas = crate::authority::cert::parse_der(&der)
            .ok()
            .filter(Psd2Certificate::is_psd2);
        Self {
            x5t_s256: x5t_s256(&der),
            subject: Dn::of_certificate(&der),
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

    /// What it says as a PSD2 eIDAS certificate, when it is one.
    pub fn eidas(&self) -> Option<&Psd2Certificate> {
        self.eidas.as_ref()
    }
}
