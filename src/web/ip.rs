//! The client's address. `X-Forwarded-For` is believed only when the peer is one of
//! `proxy.trusted_proxies`, and is read from the right: each trusted hop appended the address it
//! saw, so the first untrusted address from the right is the client. Entries further left were
//! written by the client itself and may be forged.

use crate::config::Settings;
use actix_web::HttpRequest;
use ipnet::IpNet;
use std::net::IpAddr;

/// The address throttles and audit rows use.
pub fn client_ip(req: &HttpRequest, settings: &Settings) -> String {
    let Some(peer) = req.peer_addr().map(|a| a.ip()) else {
        return "unknown".to_string();
    };
    let trusted = settings
        .proxy
        .as_ref()
        .map(|p| p.trusted_proxies.as_slice())
        .unwrap_or_default();
    let hops: Vec<&str> = req
        .headers()
        .get_all("X-Forwarded-For")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .collect();
    resolve(peer, &hops, trusted).to_string()
}

/// The client behind `peer`, given the `X-Forwarded-For` entries in order (leftmost first).
pub fn resolve(peer: IpAddr, hops: &[&str], trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|n| n.contains(ip));
    let mut client = peer;
    for hop in hops.iter().rev() {
        if !is_trusted(&client) {
            break;
        }
        match hop.trim().parse::<IpAddr>() {
            Ok(ip) => client = canonical(ip),
            // A garbled entry: stop at the last hop that a trusted proxy vouched for.
            Err(_) => break,
        }
    }
    client
}

/// An IPv4-mapped IPv6 address as the IPv4 address it is.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap_or(IpAddr::from([0, 0, 0, 0]))
    }

    fn nets(list: &[&str]) -> Vec<IpNet> {
        list.iter().filter_map(|n| n.parse().ok()).collect()
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_forwards() {
        let got = resolve(
            ip("198.51.100.4"),
            &["203.0.113.9"],
            &nets(&["127.0.0.1/32"]),
        );
        assert_eq!(got, ip("198.51.100.4"));
    }

    #[test]
    fn a_trusted_proxy_is_read_from_the_right_skipping_trusted_hops() {
        let trusted = nets(&["127.0.0.1/32", "10.0.0.0/8"]);
        // The client forged the leftmost entry; nginx appended the real one.
        let got = resolve(ip("127.0.0.1"), &["1.2.3.4", " 203.0.113.9"], &trusted);
        assert_eq!(got, ip("203.0.113.9"));
        // Two proxies: the inner one's address is skipped.
        let got = resolve(
            ip("127.0.0.1"),
            &["1.2.3.4", "203.0.113.9", "10.1.2.3"],
            &trusted,
        );
        assert_eq!(got, ip("203.0.113.9"));
        // No header: the proxy itself.
        assert_eq!(resolve(ip("127.0.0.1"), &[], &trusted), ip("127.0.0.1"));
    }

    #[test]
    fn a_garbled_entry_stops_the_walk_at_the_last_vouched_hop() {
        let trusted = nets(&["127.0.0.1/32", "10.0.0.0/8"]);
        let got = resolve(ip("127.0.0.1"), &["1.2.3.4", "junk", "10.1.2.3"], &trusted);
        assert_eq!(got, ip("10.1.2.3"));
    }
}
