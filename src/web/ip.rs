//! The client's address: the peer, or the first `X-Forwarded-For` hop when the peer is a
//! configured trusted proxy.

use crate::config::Settings;
use actix_web::HttpRequest;
use std::net::IpAddr;

/// The address throttles and audit rows use.
pub fn client_ip(req: &HttpRequest, settings: &Settings) -> String {
    let peer = req.peer_addr().map(|a| a.ip());
    let trusted = |ip: &IpAddr| {
        settings
            .proxy
            .as_ref()
            .is_some_and(|p| p.trusted_proxies.iter().any(|n| n.contains(ip)))
    };
    if let Some(p) = peer.filter(trusted) {
        if let Some(fwd) = req
            .headers()
            .get("X-Forwarded-For")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .and_then(|v| v.trim().parse::<IpAddr>().ok())
        {
            return fwd.to_string();
        }
        return p.to_string();
    }
    peer.map_or_else(|| "unknown".to_string(), |p| p.to_string())
}
