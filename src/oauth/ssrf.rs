//! Which addresses Onramp's own fetches may reach, and a DNS resolver that enforces it at the
//! moment of connection: reqwest connects only to the addresses this resolver returned, after
//! they were checked, so a name that answers a public address to one lookup and a private one
//! to the next (DNS rebinding) never reaches the private one.

use ipnet::IpNet;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::{Arc, LazyLock};

/// The IANA special-purpose registries (IPv4 and IPv6), multicast and the deprecated
/// site-local block: nothing here is a public web server.
const SPECIAL: &[&str] = &[
    "0.0.0.0/8",
    "10.0.0.0/8",
    "100.64.0.0/10",
    "127.0.0.0/8",
    "169.254.0.0/16",
    "172.16.0.0/12",
    "192.0.0.0/24",
    "192.0.2.0/24",
    "192.31.196.0/24",
    "192.52.193.0/24",
    "192.88.99.0/24",
    "192.168.0.0/16",
    "192.175.48.0/24",
    "198.18.0.0/15",
    "198.51.100.0/24",
    "203.0.113.0/24",
    "224.0.0.0/4",
    "240.0.0.0/4",
    "255.255.255.255/32",
    "::/128",
    "::1/128",
    "::ffff:0:0/96",
    "64:ff9b::/96",
    "64:ff9b:1::/48",
    "100::/64",
    "2001::/23",
    "2001:db8::/32",
    "2002::/16",
    "2620:4f:8000::/48",
    "3fff::/20",
    "5f00::/16",
    "fc00::/7",
    "fe80::/10",
    "fec0::/10",
    "ff00::/8",
];

static SPECIAL_NETS: LazyLock<Vec<IpNet>> =
    LazyLock::new(|| SPECIAL.iter().filter_map(|n| n.parse().ok()).collect());

/// Whether `ip` lies in a special-purpose range. IPv4-mapped IPv6 addresses (`::ffff:0:0/96`)
/// are all refused: a public server has no need to be named that way.
pub fn special(ip: IpAddr) -> bool {
    SPECIAL_NETS.iter().any(|n| n.contains(&ip))
}

/// A name lookup (the system's by default; tests give their own).
pub type Lookup = Arc<
    dyn Fn(String) -> Pin<Box<dyn Future<Output = std::io::Result<Vec<IpAddr>>> + Send>>
        + Send
        + Sync,
>;

/// The system resolver.
pub fn system_lookup() -> Lookup {
    Arc::new(|host: String| {
        Box::pin(async move {
            Ok(tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .map(|a| a.ip())
                .collect())
        })
    })
}

/// Refused because a name resolved to a special-purpose address.
#[derive(Debug, thiserror::Error)]
#[error("the address is not allowed")]
pub struct Blocked;

/// Resolves through `lookup` and refuses names with any special-purpose address (unless
/// `allow_private`, for tests).
pub struct GuardedResolver {
    /// The lookup.
    pub lookup: Lookup,
    /// Tests only: let loopback and private addresses through.
    pub allow_private: bool,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let lookup = self.lookup.clone();
        let allow_private = self.allow_private;
        let host = name.as_str().to_string();
        Box::pin(async move {
            let ips = lookup(host).await?;
            if !allow_private && ips.iter().any(|ip| special(*ip)) {
                return Err(Box::new(Blocked) as Box<dyn std::error::Error + Send + Sync>);
            }
            let addrs: Addrs = Box::new(ips.into_iter().map(|ip| SocketAddr::new(ip, 0)));
            Ok(addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::special;

    #[test]
    fn every_special_purpose_range_is_refused() {
        for a in [
            "0.1.2.3",
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "198.18.0.1",
            "198.19.255.255",
            "240.0.0.1",
            "255.255.255.255",
            "224.0.0.1",
            "192.0.2.1",
            "::",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:10.0.0.1",
            "::ffff:8.8.8.8",
            "64:ff9b::a00:1",
            "2002:a00:1::",
            "2001:db8::1",
            "ff02::1",
        ] {
            assert!(special(a.parse().unwrap()), "{a}");
        }
        for a in ["8.8.8.8", "1.1.1.1", "2001:4860:4860::8888", "2a00:1450::1"] {
            assert!(!special(a.parse().unwrap()), "{a}");
        }
    }
}
