//! HTTPS requests Onramp makes itself (client and directory JWKS): a timeout, a size limit,
//! https only and no loopback or private addresses unless `[outbound]` allows them for tests,
//! system roots plus `outbound.extra_ca`.

use crate::config::OutboundSettings;
use std::net::IpAddr;

/// Largest JWKS accepted.
pub const MAX_BODY: usize = 64 * 1024;

/// Why a fetch failed, in words for a TPP's developer.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct FetchError(pub String);

/// The outbound client with its policy.
#[derive(Clone, Debug)]
pub struct Outbound {
    client: reqwest::Client,
    allow_http: bool,
    allow_private: bool,
}

fn private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.octets()[0] == 100 && (64..128).contains(&v4.octets()[1])
        }
        IpAddr::V6(v6) => {
            v6.is_loopback()
                || v6.is_unspecified()
                || (v6.segments()[0] & 0xfe00) == 0xfc00
                || (v6.segments()[0] & 0xffc0) == 0xfe80
                || v6
                    .to_ipv4_mapped()
                    .is_some_and(|v4| private(IpAddr::V4(v4)))
        }
    }
}

impl Outbound {
    /// Builds the client from `[outbound]`.
    /// `outbound.extra_ca` is already resolved against the config file's folder.
    pub fn new(s: &OutboundSettings) -> Result<Self, String> {
        let mut roots = rustls::RootCertStore::empty();
        let native = rustls_native_roots();
        roots.add_parsable_certificates(native);
        if !s.extra_ca.is_empty() {
            use rustls_pki_types::pem::PemObject;
            let path = std::path::Path::new(&s.extra_ca);
            let certs = rustls_pki_types::CertificateDer::pem_file_iter(path)
                .map_err(|e| format!("outbound.extra_ca {}: {e}", path.display()))?;
            for c in certs {
                roots
                    .add(c.map_err(|e| format!("outbound.extra_ca: {e}"))?)
                    .map_err(|e| format!("outbound.extra_ca: {e}"))?;
            }
        }
        let tls = rustls::ClientConfig::builder()
            .with_root_certificates(roots)
            .with_no_client_auth();
        let client = reqwest::Client::builder()
            .tls_backend_preconfigured(tls)
            .timeout(s.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| format!("outbound client: {e}"))?;
        Ok(Self {
            client,
            allow_http: s.allow_http,
            allow_private: s.allow_private_addresses,
        })
    }

    /// Fetches a JSON document (a JWKS) under the policy.
    pub async fn get_json(&self, raw: &str) -> Result<serde_json::Value, FetchError> {
        let url = url::Url::parse(raw).map_err(|_| FetchError(format!("{raw} is not a URL")))?;
        match url.scheme() {
            "https" => {}
            "http" if self.allow_http => {}
            _ => return Err(FetchError(format!("{raw} must use https"))),
        }
        let host = url
            .host_str()
            .ok_or_else(|| FetchError(format!("{raw} has no host")))?;
        let port = url.port_or_known_default().unwrap_or(443);
        if !self.allow_private {
            let addrs = tokio::net::lookup_host((host, port))
                .await
                .map_err(|_| FetchError(format!("cannot resolve {host}")))?;
            for a in addrs {
                if private(a.ip()) {
                    return Err(FetchError(format!("{host} resolves to a private address")));
                }
            }
        }
        let mut resp = self
            .client
            .get(url.clone())
            .header("Accept", "application/json, application/jwk-set+json")
            .send()
            .await
            .map_err(|e| FetchError(format!("fetching {raw} failed: {}", e.without_url())))?;
        if !resp.status().is_success() {
            return Err(FetchError(format!("{raw} answered {}", resp.status())));
        }
        let mut body = Vec::new();
        while let Some(chunk) = resp
            .chunk()
            .await
            .map_err(|e| FetchError(format!("reading {raw} failed: {}", e.without_url())))?
        {
            body.extend_from_slice(&chunk);
            if body.len() > MAX_BODY {
                return Err(FetchError(format!("{raw} is larger than {MAX_BODY} bytes")));
            }
        }
        serde_json::from_slice(&body).map_err(|_| FetchError(format!("{raw} is not JSON")))
    }
}

/// The system's CA certificates (Debian's bundle), if present.
fn rustls_native_roots() -> Vec<rustls_pki_types::CertificateDer<'static>> {
    use rustls_pki_types::pem::PemObject;
    [
        "/etc/ssl/certs/ca-certificates.crt",
        "/etc/pki/tls/certs/ca-bundle.crt",
    ]
    .iter()
    .find_map(|p| rustls_pki_types::CertificateDer::pem_file_iter(p).ok())
    .map(|it| it.filter_map(Result::ok).collect())
    .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::private;

    #[test]
    fn private_addresses_are_recognised() {
        for a in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.1.1",
            "::1",
            "fd00::1",
            "::ffff:10.0.0.1",
            "100.64.0.1",
        ] {
            assert!(private(a.parse().unwrap()), "{a}");
        }
        for a in ["8.8.8.8", "2001:4860:4860::8888"] {
            assert!(!private(a.parse().unwrap()), "{a}");
        }
    }
}
