//! HTTPS requests Onramp makes itself (client and directory JWKS, webhooks): a timeout, a size limit,
//! https only and no loopback or private addresses unless `[outbound]` allows them for tests,
//! system roots plus `outbound.extra_ca`.

use super::ssrf::{self, GuardedResolver, Lookup};
use crate::config::OutboundSettings;
use std::net::IpAddr;
use std::sync::Arc;

/// Largest JWKS accepted.
pub const MAX_BODY: usize = 64 * 1024;

/// Why a fetch failed, in words for a TPP's developer.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct FetchError(pub String);

impl FetchError {
    /// "could not fetch the JWKS" and a reason class, never the address, port or the network's
    /// own error text (which would make the fetch a port scanner).
    fn class(reason: &str) -> Self {
        Self(format!("could not fetch the JWKS ({reason})"))
    }
}

/// The outbound client with its policy.
#[derive(Clone, Debug)]
pub struct Outbound {
    client: reqwest::Client,
    allow_http: bool,
    allow_private: bool,
}

impl Outbound {
    /// Builds the client from `[outbound]`.
    /// `outbound.extra_ca` is already resolved against the config file's folder.
    pub fn new(s: &OutboundSettings) -> Result<Self, String> {
        Self::with_lookup(s, ssrf::system_lookup())
    }

    /// Builds the client with its own name lookup (tests answer what they like).
    pub fn with_lookup(s: &OutboundSettings, lookup: Lookup) -> Result<Self, String> {
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
            .no_proxy()
            .dns_resolver(Arc::new(GuardedResolver {
                lookup,
                allow_private: s.allow_private_addresses,
            }))
            .build()
            .map_err(|e| format!("outbound client: {e}"))?;
        Ok(Self {
            client,
            allow_http: s.allow_http,
            allow_private: s.allow_private_addresses,
        })
    }

    /// Fetches a JSON document (a JWKS) under the policy. Names are resolved once, by the
    /// client's guarded resolver, and the connection goes to the address that was checked.
    pub async fn get_json(&self, raw: &str) -> Result<serde_json::Value, FetchError> {
        let url = self.checked(raw)?;
        let mut resp = self
            .client
            .get(url.clone())
            .header("Accept", "application/json, application/jwk-set+json")
            .send()
            .await
            .map_err(|e| FetchError::class(reason(&e)))?;
        if !resp.status().is_success() {
            return Err(FetchError::class(
                "the server answered with an error status",
            ));
        }
        let body = read_limited(&mut resp, MAX_BODY)
            .await
            .map_err(FetchError::class)?;
        serde_json::from_slice(&body).map_err(|_| FetchError::class("the document is not JSON"))
    }

    /// Fetches signed revocation data (a CRL with a GET, an OCSP answer with a POST of
    /// `post = (content type, body)`), at most `limit` bytes. Plain `http` is allowed here
    /// whatever `outbound.allow_http` says: CRLs and OCSP are published over http (RFC 5280,
    /// RFC 6960) and carry their own signature, which the caller checks. Addresses are guarded
    /// as for every fetch.
    pub async fn fetch_signed(
        &self,
        raw: &str,
        post: Option<(&str, Vec<u8>)>,
        limit: usize,
    ) -> Result<Vec<u8>, FetchError> {
        let what = |r: &str| FetchError(format!("could not fetch {raw} ({r})"));
        let url = Self {
            allow_http: true,
            ..self.clone()
        }
        .checked(raw)
        .map_err(|e| FetchError(format!("{raw}: {}", e.0)))?;
        let req = match post {
            Some((content_type, body)) => self
                .client
                .post(url)
                .header("Content-Type", content_type)
                .body(body),
            None => self.client.get(url),
        };
        let mut resp = req.send().await.map_err(|e| what(reason(&e)))?;
        if !resp.status().is_success() {
            return Err(what("the server answered with an error status"));
        }
        read_limited(&mut resp, limit).await.map_err(what)
    }

    /// GETs `raw` with `headers` under the same policy (register APIs): the status, the
    /// `Retry-After` header in seconds, and the body up to `max_body` bytes. Errors are classes
    /// ("the connection failed"), never the network's own text.
    pub async fn get_with(
        &self,
        raw: &str,
        headers: &[(&str, &str)],
        max_body: usize,
    ) -> Result<crate::authority::fca::HttpAnswer, String> {
        let url = self.checked(raw).map_err(|e| e.0)?;
        let mut req = self.client.get(url).header("Accept", "application/json");
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        let mut resp = req.send().await.map_err(|e| reason(&e).to_string())?;
        let retry_after = resp
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse().ok());
        let status = resp.status().as_u16();
        let mut body = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(|e| reason(&e).to_string())? {
            body.extend_from_slice(&chunk);
            if body.len() > max_body {
                return Err("the answer is too large".into());
            }
        }
        Ok(crate::authority::fca::HttpAnswer {
            status,
            retry_after,
            body,
        })
    }

    /// GETs `raw` under the same policy and writes the body to `out` as it arrives (a large
    /// register file); refuses an error status and more than `max_bytes`. Returns the size.
    pub async fn download(
        &self,
        raw: &str,
        out: &mut (impl tokio::io::AsyncWrite + Unpin),
        max_bytes: u64,
    ) -> Result<u64, String> {
        use tokio::io::AsyncWriteExt;
        let url = self.checked(raw).map_err(|e| e.0)?;
        let mut resp = self
            .client
            .get(url)
            .timeout(std::time::Duration::from_secs(600))
            .send()
            .await
            .map_err(|e| reason(&e).to_string())?;
        if !resp.status().is_success() {
            return Err(format!("the server answered {}", resp.status().as_u16()));
        }
        let mut size: u64 = 0;
        while let Some(chunk) = resp.chunk().await.map_err(|e| reason(&e).to_string())? {
            size += chunk.len() as u64;
            if size > max_bytes {
                return Err("the file is larger than allowed".into());
            }
            out.write_all(&chunk).await.map_err(|e| e.to_string())?;
        }
        out.flush().await.map_err(|e| e.to_string())?;
        Ok(size)
    }

    /// POSTs a JSON body with `headers` under the same policy (webhooks); returns the answer's
    /// status. The answer's body is not read.
    pub async fn post_json(
        &self,
        raw: &str,
        headers: &[(&str, String)],
        body: String,
    ) -> Result<u16, String> {
        let url = self.checked(raw).map_err(|e| e.0)?;
        let mut req = self
            .client
            .post(url)
            .header("Content-Type", "application/json");
        for (name, value) in headers {
            req = req.header(*name, value);
        }
        let resp = req
            .body(body)
            .send()
            .await
            .map_err(|e| reason(&e).to_string())?;
        Ok(resp.status().as_u16())
    }

    /// The URL if the policy lets Onramp reach it: https (or http when allowed), a host, and
    /// no special-purpose address written in it.
    fn checked(&self, raw: &str) -> Result<url::Url, FetchError> {
        let url = url::Url::parse(raw).map_err(|_| FetchError::class("not a URL"))?;
        match url.scheme() {
            "https" => {}
            "http" if self.allow_http => {}
            _ => return Err(FetchError::class("the URL must use https")),
        }
        let host = url
            .host_str()
            .ok_or_else(|| FetchError::class("the URL has no host"))?;
        // An address written in the URL is never looked up, so it is checked here.
        let literal = host.trim_start_matches('[').trim_end_matches(']');
        if let Ok(ip) = literal.parse::<IpAddr>()
            && !self.allow_private
            && ssrf::special(ip)
        {
            return Err(FetchError::class("the address is not allowed"));
        }
        Ok(url)
    }
}

impl crate::authority::revocation::SignedFetch for Outbound {
    fn fetch_signed<'a>(
        &'a self,
        url: &'a str,
        post: Option<(&'a str, Vec<u8>)>,
        limit: usize,
    ) -> crate::authority::revocation::FetchFuture<'a> {
        Box::pin(async move {
            Outbound::fetch_signed(self, url, post, limit)
                .await
                .map_err(|e| e.0)
        })
    }
}

/// The answer's body, refused past `limit` bytes.
async fn read_limited(resp: &mut reqwest::Response, limit: usize) -> Result<Vec<u8>, &'static str> {
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(|e| reason(&e))? {
        body.extend_from_slice(&chunk);
        if body.len() > limit {
            return Err("the document is too large");
        }
    }
    Ok(body)
}

/// Register lookups (the FCA API) go through the guarded client.
impl crate::authority::fca::RegisterHttp for Outbound {
    fn get<'a>(
        &'a self,
        url: &'a str,
        headers: &'a [(&'a str, &'a str)],
    ) -> crate::authority::fca::HttpFuture<'a> {
        Box::pin(self.get_with(url, headers, 1024 * 1024))
    }
}

/// The class of a transport error.
fn reason(e: &reqwest::Error) -> &'static str {
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        if s.is::<ssrf::Blocked>() {
            return "the address is not allowed";
        }
        source = s.source();
    }
    if e.is_timeout() {
        "the request timed out"
    } else if e.is_connect() {
        "the connection failed"
    } else {
        "the request failed"
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
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A local HTTP server that counts the requests it gets and answers an empty JWKS.
    async fn counting_server() -> (u16, Arc<AtomicUsize>) {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let hits = Arc::new(AtomicUsize::new(0));
        let counter = hits.clone();
        tokio::spawn(async move {
            while let Ok((mut sock, _)) = listener.accept().await {
                counter.fetch_add(1, Ordering::SeqCst);
                let mut buf = [0u8; 1024];
                let _ = sock.read(&mut buf).await;
                let body = r#"{"keys":[]}"#;
                let _ = sock
                    .write_all(
                        format!(
                            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
                            body.len()
                        )
                        .as_bytes(),
                    )
                    .await;
            }
        });
        (port, hits)
    }

    /// A resolver that answers a public address to its first lookup and loopback afterwards.
    fn rebinding() -> (Lookup, Arc<AtomicUsize>) {
        let lookups = Arc::new(AtomicUsize::new(0));
        let n = lookups.clone();
        let lookup: Lookup = Arc::new(move |_host: String| {
            let first = n.fetch_add(1, Ordering::SeqCst) == 0;
            Box::pin(async move {
                // A public address passes the check; the connection to it fails (or times out)
                // in the test sandbox, which is all the test needs.
                Ok(vec![if first {
                    IpAddr::from([8, 8, 8, 8])
                } else {
                    IpAddr::from([127, 0, 0, 1])
                }])
            })
        });
        (lookup, lookups)
    }

    fn settings() -> OutboundSettings {
        OutboundSettings {
            allow_http: true,
            timeout: std::time::Duration::from_secs(1),
            ..OutboundSettings::default()
        }
    }

    #[tokio::test]
    async fn a_name_that_rebinds_to_loopback_on_the_second_lookup_is_never_fetched() {
        let (port, hits) = counting_server().await;
        let (lookup, lookups) = rebinding();
        let out = Outbound::with_lookup(&settings(), lookup).unwrap();
        let url = format!("http://jwks.tpp.example:{port}/jwks");
        for _ in 0..3 {
            let err = out.get_json(&url).await.unwrap_err();
            assert!(err.0.starts_with("could not fetch the JWKS ("), "{err}");
            assert!(!err.0.contains("127.0.0.1") && !err.0.contains(&port.to_string()));
        }
        assert!(lookups.load(Ordering::SeqCst) >= 2, "looked up again");
        assert_eq!(hits.load(Ordering::SeqCst), 0, "loopback was never reached");
    }

    #[tokio::test]
    async fn addresses_written_in_the_url_are_checked_too() {
        let (port, hits) = counting_server().await;
        let out = Outbound::new(&settings()).unwrap();
        for host in ["127.0.0.1", "[::1]", "[::ffff:127.0.0.1]", "0.0.0.0"] {
            let err = out
                .get_json(&format!("http://{host}:{port}/jwks"))
                .await
                .unwrap_err();
            assert_eq!(
                err.0,
                "could not fetch the JWKS (the address is not allowed)"
            );
        }
        assert_eq!(hits.load(Ordering::SeqCst), 0);
    }

    #[tokio::test]
    async fn the_test_switch_lets_loopback_through() {
        let (port, hits) = counting_server().await;
        let s = OutboundSettings {
            allow_private_addresses: true,
            ..settings()
        };
        let out = Outbound::new(&s).unwrap();
        let v = out
            .get_json(&format!("http://localhost:{port}/jwks"))
            .await
            .unwrap();
        assert_eq!(v, serde_json::json!({ "keys": [] }));
        assert_eq!(hits.load(Ordering::SeqCst), 1);
    }
}
