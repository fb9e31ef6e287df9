//! TLS and client certificates. Onramp's own listener (rustls) asks for client certificates,
//! verifies them against `tls.client_ca` (and the sandbox directory's CA), and records the verified leaf on the connection;
//! behind a proxy, the certificate header is believed only from `proxy.trusted_proxies` and is
//! ignored (and logged) from anywhere else. [`ClientCert`] gives handlers whichever applies.

use crate::config::{Settings, TlsSettings};
use crate::oauth::presented::Presented;
use crate::state::AppState;
use actix_web::dev::{Extensions, Payload};
use actix_web::{FromRequest, HttpRequest, web};
use anyhow::{Context, anyhow};
use rustls::server::WebPkiClientVerifier;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use std::any::Any;
use std::future::{Ready, ready};
use std::sync::Arc;

/// The leaf certificate a TLS client presented (verified by the handshake), read once per
/// connection.
#[derive(Clone, Debug)]
struct PeerCert(Arc<Presented>);

/// Builds the rustls server configuration from `[tls]`; client certificates chain to
/// `tls.client_ca` or to `extra_root` (the sandbox directory's CA).
pub fn server_config(
    tls: &TlsSettings,
    extra_root: Option<Vec<u8>>,
) -> anyhow::Result<rustls::ServerConfig> {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(&tls.cert)
        .with_context(|| format!("tls.cert {}", tls.cert.display()))?
        .collect::<Result<_, _>>()
        .with_context(|| format!("tls.cert {}", tls.cert.display()))?;
    let key = PrivateKeyDer::from_pem_file(&tls.key)
        .with_context(|| format!("tls.key {}", tls.key.display()))?;
    let builder = rustls::ServerConfig::builder();
    let mut roots = rustls::RootCertStore::empty();
    if let Some(ca) = &tls.client_ca {
        for c in CertificateDer::pem_file_iter(ca)
            .with_context(|| format!("tls.client_ca {}", ca.display()))?
        {
            roots
                .add(c.context("tls.client_ca")?)
                .context("tls.client_ca")?;
        }
    }
    if let Some(der) = extra_root {
        roots
            .add(CertificateDer::from(der))
            .context("the sandbox directory's CA")?;
    }
    let builder = if roots.is_empty() {
        builder.with_no_client_auth()
    } else {
        {
            let verifier = WebPkiClientVerifier::builder(Arc::new(roots));
            let verifier = if tls.client_auth == "required" {
                verifier.build()
            } else {
                verifier.allow_unauthenticated().build()
            }
            .map_err(|e| anyhow!("tls.client_ca: {e}"))?;
            builder.with_client_cert_verifier(verifier)
        }
    };
    let mut config = builder
        .with_single_cert(certs, key)
        .context("tls.cert and tls.key do not match")?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

/// Records the verified client certificate of a TLS connection (`HttpServer::on_connect`).
pub fn on_connect(conn: &dyn Any, ext: &mut Extensions) {
    type Tls = actix_tls::accept::rustls_0_23::TlsStream<actix_web::rt::net::TcpStream>;
    if let Some(stream) = conn.downcast_ref::<Tls>() {
        let (_, session) = stream.get_ref();
        if let Some(leaf) = session.peer_certificates().and_then(|c| c.first()) {
            ext.insert(PeerCert(Arc::new(Presented::read(leaf.to_vec()))));
        }
    }
}

/// The client certificate of a request, if any: from Onramp's TLS listener, or from a trusted
/// proxy's header.
#[derive(Clone, Debug, Default)]
pub struct ClientCert(Option<Arc<Presented>>);

impl ClientCert {
    /// The DER, if a certificate was presented.
    pub fn der(&self) -> Option<&[u8]> {
        self.0.as_deref().map(Presented::der)
    }

    /// The certificate as read once, if one was presented.
    pub fn presented(&self) -> Option<&Presented> {
        self.0.as_deref()
    }
}

fn from_proxy(req: &HttpRequest, settings: &Settings) -> Option<Vec<u8>> {
    let proxy = settings.proxy.as_ref()?;
    let value = req.headers().get(proxy.client_cert_header.as_str())?;
    let peer = req.peer_addr().map(|a| a.ip());
    if !peer.is_some_and(|ip| proxy.trusted_proxies.iter().any(|n| n.contains(&ip))) {
        tracing::warn!(
            peer = ?peer,
            header = %proxy.client_cert_header,
            "client certificate header from an untrusted address ignored"
        );
        return None;
    }
    CertificateDer::from_pem_slice(&unescape(value.as_bytes()))
        .ok()
        .map(|c| c.to_vec())
}

/// Decodes a forwarded certificate: percent-encoded PEM as nginx's `$ssl_client_escaped_cert`
/// sends it, or form-encoded (spaces as `+`), which some proxies send.
fn unescape(raw: &[u8]) -> Vec<u8> {
    let form_encoded = raw.windows(11).any(|w| w == b"-----BEGIN+");
    let bytes: Vec<u8> = if form_encoded {
        raw.iter()
            .map(|b| if *b == b'+' { b' ' } else { *b })
            .collect()
    } else {
        raw.to_vec()
    };
    percent_encoding::percent_decode(&bytes).collect()
}

impl FromRequest for ClientCert {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        if let Some(PeerCert(presented)) = req.conn_data::<PeerCert>() {
            return ready(Ok(Self(Some(presented.clone()))));
        }
        let proxied = req
            .app_data::<web::Data<AppState>>()
            .and_then(|st| from_proxy(req, &st.settings));
        ready(Ok(Self(proxied.map(|der| Arc::new(Presented::read(der))))))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn decodes_nginx_and_form_escaped_pem() {
        let pem =
            "-----BEGIN CERTIFICATE-----\nMIIBszCC+Vmg/wIBAgIU==\n-----END CERTIFICATE-----\n";
        let nginx = percent_encoding::utf8_percent_encode(pem, percent_encoding::NON_ALPHANUMERIC)
            .to_string();
        let form: String = url::form_urlencoded::byte_serialize(pem.as_bytes()).collect();
        for escaped in [nginx, form] {
            assert_eq!(
                String::from_utf8(super::unescape(escaped.as_bytes())).unwrap(),
                pem,
                "{escaped}"
            );
        }
    }
}
