//! Public keys as JWKs for the software JWKS the sandbox directory hosts: from a certificate
//! (with its `x5c`) or from a pasted public key (PEM or JWK). P-256 (ES256) and RSA of at least
//! 2048 bits (PS256) only.

use super::SandboxError;
use crate::jose::{Jwk, KeyKind, b64};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use x509_parser::prelude::FromDer;
use x509_parser::public_key::PublicKey;
use x509_parser::x509::SubjectPublicKeyInfo;

const P256: &str = "1.2.840.10045.3.1.7";

/// A `kid`: the base64url SHA-256 of the key's DER, shortened.
fn kid_of(spki_der: &[u8]) -> String {
    b64(&Sha256::digest(spki_der)[..16])
}

fn strip_zeros(b: &[u8]) -> &[u8] {
    let start = b.iter().position(|x| *x != 0).unwrap_or(b.len());
    &b[start..]
}

/// The JWK of a SubjectPublicKeyInfo, for `use_`.
fn jwk_of_spki(spki: &SubjectPublicKeyInfo<'_>, use_: &str) -> Result<Value, String> {
    let kid = kid_of(spki.raw);
    match spki.parsed() {
        Ok(PublicKey::EC(point)) => {
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.as_oid().ok())
                .map(|o| o.to_id_string());
            let data = point.data();
            if curve.as_deref() != Some(P256) || data.len() != 65 || data[0] != 4 {
                return Err("an EC key must be on P-256 (ES256)".into());
            }
            Ok(
                json!({ "kty": "EC", "crv": "P-256", "x": b64(&data[1..33]), "y": b64(&data[33..65]),
                       "kid": kid, "use": use_, "alg": "ES256" }),
            )
        }
        Ok(PublicKey::RSA(rsa)) => {
            let n = strip_zeros(rsa.modulus);
            if n.len() < 256 {
                return Err("an RSA key must have at least 2048 bits (PS256)".into());
            }
            Ok(
                json!({ "kty": "RSA", "n": b64(n), "e": b64(strip_zeros(rsa.exponent)),
                       "kid": kid, "use": use_, "alg": "PS256" }),
            )
        }
        _ => Err("only P-256 (ES256) and RSA (PS256) keys can be used".into()),
    }
}

/// The certificate's key as a `tls` JWK carrying the certificate in `x5c`.
pub fn tls_jwk(cert_der: &[u8]) -> Result<Value, SandboxError> {
    let (_, cert) = x509_parser::parse_x509_certificate(cert_der)
        .map_err(|e| SandboxError::Internal(format!("issued certificate: {e}")))?;
    let mut jwk = jwk_of_spki(cert.public_key(), "tls")
        .map_err(|e| SandboxError::Invalid("csr", format!("The CSR's key cannot be used: {e}.")))?;
    jwk["x5c"] = json!([base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        cert_der
    )]);
    jwk["kid"] = json!(format!("tls-{}", jwk["kid"].as_str().unwrap_or_default()));
    Ok(jwk)
}

/// The certificate's key as a `sig` JWK (when the TPP signs with its transport key).
pub fn sig_jwk_of_cert(cert_der: &[u8]) -> Result<Value, SandboxError> {
    let (_, cert) = x509_parser::parse_x509_certificate(cert_der)
        .map_err(|e| SandboxError::Internal(format!("issued certificate: {e}")))?;
    jwk_of_spki(cert.public_key(), "sig").map_err(|e| {
        SandboxError::Invalid("csr", format!("The CSR's key cannot sign requests: {e}."))
    })
}

/// A pasted signing public key: a PEM `PUBLIC KEY` or a public JWK.
pub fn sig_jwk(text: &str) -> Result<Value, SandboxError> {
    let invalid = |m: String| SandboxError::Invalid("signing_key", m);
    let text = text.trim();
    if text.starts_with('{') {
        let mut v: Value = serde_json::from_str(text)
            .map_err(|e| invalid(format!("This is not a JWK (JSON): {e}.")))?;
        let jwk = Jwk::parse(&v).map_err(|e| invalid(format!("This JWK cannot be used: {e}.")))?;
        if matches!(jwk.kind, KeyKind::Other) {
            return Err(invalid(
                "Only P-256 (ES256) and RSA (PS256) keys can be used.".into(),
            ));
        }
        if v.get("kid").is_none() {
            v["kid"] = json!(kid_of(v.to_string().as_bytes()));
        }
        v["use"] = json!("sig");
        return Ok(v);
    }
    let der: rustls_pki_types::SubjectPublicKeyInfoDer<'static> =
        rustls_pki_types::pem::PemObject::from_pem_slice(text.as_bytes()).map_err(|_| {
            invalid("Paste a PEM public key (-----BEGIN PUBLIC KEY-----) or a public JWK.".into())
        })?;
    let (_, spki) = SubjectPublicKeyInfo::from_der(der.as_ref())
        .map_err(|_| invalid("The public key cannot be read.".into()))?;
    jwk_of_spki(&spki, "sig").map_err(|e| invalid(format!("The signing key cannot be used: {e}.")))
}

/// A generated key's SubjectPublicKeyInfo DER as a `sig` JWK.
pub fn sig_jwk_of_spki(spki_der: &[u8]) -> Result<Value, SandboxError> {
    let (_, spki) = SubjectPublicKeyInfo::from_der(spki_der)
        .map_err(|e| SandboxError::Internal(format!("generated key: {e}")))?;
    jwk_of_spki(&spki, "sig").map_err(SandboxError::Internal)
}
