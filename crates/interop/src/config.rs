//! What an "IXP member" daemon is told: its AS, addresses, BGP peers (with
//! TCP MD5, RFC 2385) and the routes it announces. One `MemberConfig` is
//! rendered into each daemon's own configuration language.

use std::net::{IpAddr, Ipv4Addr};

use crate::error::{Error, Result};
use crate::route::Announcement;

/// One BGP neighbor of a member daemon.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerSpec {
    /// The neighbor's address (also the TCP transport's address family).
    pub addr: IpAddr,
    /// The neighbor's TCP port (where it listens).
    pub port: u16,
    /// The neighbor's AS.
    pub asn: u32,
    /// TCP MD5 signature password (RFC 2385), if any.
    pub md5: Option<String>,
    /// Never open the TCP connection; only accept the neighbor's.
    pub passive: bool,
    /// eBGP multihop TTL; `None` keeps the daemon's directly-connected
    /// default (BIRD refuses 127.0.0.0/8 neighbors without multihop).
    pub multihop: Option<u8>,
    /// Ask to receive several paths per prefix from this neighbor (ADD-PATH
    /// receive, RFC 7911). Only the BIRD backend renders it (`add paths
    /// rx`); the others refuse a configuration that sets it.
    pub add_path_rx: bool,
}

impl PeerSpec {
    /// A neighbor with no MD5, active connects and multihop 2 (works on
    /// loopback with every daemon).
    pub fn new(addr: IpAddr, port: u16, asn: u32) -> Self {
        Self {
            addr,
            port,
            asn,
            md5: None,
            passive: false,
            multihop: Some(2),
            add_path_rx: false,
        }
    }

    /// Sets the TCP MD5 password.
    pub fn with_md5(mut self, password: impl Into<String>) -> Self {
        self.md5 = Some(password.into());
        self
    }

    /// Makes the session passive on this side.
    pub fn passive(mut self) -> Self {
        self.passive = true;
        self
    }

    /// Asks for ADD-PATH receive (several paths per prefix) on this session.
    pub fn with_add_path_rx(mut self) -> Self {
        self.add_path_rx = true;
        self
    }

    /// Sets (or clears) eBGP multihop.
    pub fn with_multihop(mut self, ttl: Option<u8>) -> Self {
        self.multihop = ttl;
        self
    }
}

/// A member daemon's whole configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberConfig {
    /// The daemon's AS.
    pub asn: u32,
    /// BGP identifier.
    pub router_id: Ipv4Addr,
    /// The address the daemon listens on and connects from.
    pub local_addr: IpAddr,
    /// TCP port to listen on; `None` lets the harness pick a free one
    /// (see `RunningDaemon::listen_port`).
    pub listen_port: Option<u16>,
    /// BGP neighbors.
    pub peers: Vec<PeerSpec>,
    /// Routes announced from the start.
    pub routes: Vec<Announcement>,
}

impl MemberConfig {
    /// A member with no peers and no routes; the router id is `local_addr`
    /// when that is IPv4, else derived from the AS.
    pub fn new(asn: u32, local_addr: IpAddr) -> Self {
        let router_id = match local_addr {
            IpAddr::V4(a) => a,
            IpAddr::V6(_) => Ipv4Addr::from(asn.max(1)),
        };
        Self {
            asn,
            router_id,
            local_addr,
            listen_port: None,
            peers: Vec::new(),
            routes: Vec::new(),
        }
    }

    /// Sets the listen port.
    pub fn with_listen_port(mut self, port: u16) -> Self {
        self.listen_port = Some(port);
        self
    }

    /// Adds a neighbor.
    pub fn with_peer(mut self, peer: PeerSpec) -> Self {
        self.peers.push(peer);
        self
    }

    /// Adds a route announced from the start.
    pub fn with_route(mut self, route: Announcement) -> Self {
        self.routes.push(route);
        self
    }

    /// The peer with this address.
    pub fn peer(&self, addr: IpAddr) -> Option<(usize, &PeerSpec)> {
        self.peers.iter().enumerate().find(|(_, p)| p.addr == addr)
    }

    /// Checks what every daemon needs: distinct peer addresses of the local
    /// address's family, and passwords that are safe to write into any of
    /// the configuration languages.
    pub(crate) fn validate(&self, daemon: &'static str) -> Result<()> {
        let unsupported = |detail: String| Error::Unsupported { daemon, detail };
        if self.asn == 0 {
            return Err(unsupported("AS 0".into()));
        }
        for (i, p) in self.peers.iter().enumerate() {
            if p.addr.is_ipv4() != self.local_addr.is_ipv4() {
                return Err(unsupported(format!(
                    "peer {} and local address {} differ in family",
                    p.addr, self.local_addr
                )));
            }
            if self.peers[..i].iter().any(|q| q.addr == p.addr) {
                return Err(unsupported(format!(
                    "two peers share the address {} (the daemons key neighbors by address)",
                    p.addr
                )));
            }
            if p.asn == 0 {
                return Err(unsupported(format!("peer {} has AS 0", p.addr)));
            }
            if let Some(pw) = &p.md5 {
                check_password(pw).map_err(unsupported)?;
            }
            if p.add_path_rx && daemon != crate::DaemonKind::Bird.name() {
                return Err(unsupported(format!(
                    "ADD-PATH receive from {} (only the BIRD backend renders it)",
                    p.addr
                )));
            }
        }
        Ok(())
    }
}

/// A password goes verbatim into five configuration languages: allow only
/// printable ASCII without quoting, comment or block characters, at most 80
/// bytes (Linux's TCP_MD5SIG_MAXKEYLEN).
fn check_password(pw: &str) -> Result<(), String> {
    if pw.is_empty() || pw.len() > 80 {
        return Err(format!("MD5 password length {} not in 1..=80", pw.len()));
    }
    if let Some(c) = pw
        .chars()
        .find(|c| !c.is_ascii_graphic() || "\"'\\;#{}!$`".contains(*c))
    {
        return Err(format!(
            "MD5 password contains {c:?}, which the harness does not quote"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v4(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn validate_catches_family_mismatch_duplicates_and_bad_passwords() {
        let base = MemberConfig::new(65001, v4("127.0.0.2"));
        assert_eq!(base.router_id, Ipv4Addr::new(127, 0, 0, 2));
        let ok = base
            .clone()
            .with_peer(PeerSpec::new(v4("127.0.0.3"), 1790, 65002).with_md5("s3cret"));
        assert!(ok.validate("t").is_ok());
        let mixed = base
            .clone()
            .with_peer(PeerSpec::new(v4("::1"), 1790, 65002));
        assert!(mixed.validate("t").is_err());
        let dup = ok
            .clone()
            .with_peer(PeerSpec::new(v4("127.0.0.3"), 1791, 65003));
        assert!(dup.validate("t").is_err());
        let quote = base
            .clone()
            .with_peer(PeerSpec::new(v4("127.0.0.3"), 1790, 65002).with_md5("a\"b"));
        assert!(quote.validate("t").is_err());
        let long =
            base.with_peer(PeerSpec::new(v4("127.0.0.3"), 1790, 65002).with_md5("x".repeat(81)));
        assert!(long.validate("t").is_err());
        let add_path =
            base_ap().with_peer(PeerSpec::new(v4("127.0.0.3"), 1790, 65002).with_add_path_rx());
        assert!(add_path.validate("bird").is_ok());
        assert!(add_path.validate("gobgp").is_err());
    }

    fn base_ap() -> MemberConfig {
        MemberConfig::new(65001, v4("127.0.0.2"))
    }

    #[test]
    fn ipv6_router_id_comes_from_the_asn() {
        let c = MemberConfig::new(65001, v4("::1"));
        assert_eq!(c.router_id, Ipv4Addr::from(65001u32));
    }
}
