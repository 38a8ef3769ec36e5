//! The active side of BGP transport (RFC 4271 §8.2.1, the
//! `TcpConnection_Valid` / `Tcp_CR_Acked` path): open a TCP connection to
//! a neighbor with every option in place **before** the SYN is sent —
//! TCP-MD5 (RFC 2385) or TCP-AO (RFC 5925) key, GTSM (RFC 5082) or a plain
//! TTL, the local address, `TCP_NODELAY` and keepalive off (BGP's own
//! KEEPALIVE and hold timer watch the session, RFC 4271 §4.4).

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use socket2::SockRef;
use tokio::net::{TcpSocket, TcpStream};

use super::ao::{set_ao_key, AoKey};
use super::error::SocketError;
use super::family::IpFamily;
use super::md5::set_md5;
use super::secret::Secret;
use super::ttl::{set_gtsm, set_ttl};

/// Default bound on the TCP handshake.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// How the outgoing TTL / hop limit is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TtlPolicy {
    /// The kernel default (64 on Linux) and no receive check.
    #[default]
    KernelDefault,
    /// A fixed outgoing TTL (eBGP multihop; 1 for directly connected eBGP
    /// without GTSM), no receive check.
    Ttl(u8),
    /// GTSM (RFC 5082): send with 255, require at least 255 − hops + 1.
    Gtsm {
        /// How many hops away the peer may be (1: directly connected).
        hops: u8,
    },
}

/// Everything about an outgoing connection besides the peer address.
#[derive(Debug, Clone)]
pub struct ConnectOptions<'a> {
    /// Local address (and port, 0 for any) to bind before connecting.
    pub local: Option<SocketAddr>,
    /// TCP-MD5 key for the peer.
    pub md5: Option<&'a Secret>,
    /// TCP-AO key for the peer (exclusive with `md5`).
    pub ao: Option<&'a AoKey>,
    /// TTL handling.
    pub ttl: TtlPolicy,
    /// Bound on the handshake; a peer that drops our SYNs (e.g. a key
    /// mismatch) ends in `io::ErrorKind::TimedOut`.
    pub timeout: Duration,
}

impl Default for ConnectOptions<'_> {
    fn default() -> Self {
        Self {
            local: None,
            md5: None,
            ao: None,
            ttl: TtlPolicy::KernelDefault,
            timeout: DEFAULT_CONNECT_TIMEOUT,
        }
    }
}

/// Builds the socket for connecting to `peer` with all `opts` applied,
/// not yet connected. [`connect`] uses it; exposed for callers that drive
/// the handshake themselves.
pub fn connect_socket(
    peer: SocketAddr,
    opts: &ConnectOptions<'_>,
) -> Result<TcpSocket, SocketError> {
    let peer = SocketAddr::new(peer.ip().to_canonical(), peer.port());
    if opts.md5.is_some() && opts.ao.is_some() {
        return Err(SocketError::KeyConflict { peer: peer.ip() });
    }
    let family = IpFamily::of(peer.ip());
    let sockopt = |option| move |e| SocketError::sockopt(option, e);
    let sock = match family {
        IpFamily::V4 => TcpSocket::new_v4(),
        IpFamily::V6 => TcpSocket::new_v6(),
    }
    .map_err(sockopt("socket"))?;
    if let Some(local) = opts.local {
        let local = SocketAddr::new(local.ip().to_canonical(), local.port());
        if IpFamily::of(local.ip()) != family {
            return Err(SocketError::LocalAddressFamily { local, peer });
        }
        sock.set_reuseaddr(true).map_err(sockopt("SO_REUSEADDR"))?;
        sock.bind(local).map_err(sockopt("bind"))?;
    }
    if let Some(key) = opts.md5 {
        set_md5(&sock, peer.ip(), Some(key))?;
    }
    if let Some(key) = opts.ao {
        set_ao_key(&sock, peer.ip(), key)?;
    }
    match opts.ttl {
        TtlPolicy::KernelDefault => {}
        TtlPolicy::Ttl(ttl) => set_ttl(&sock, family, ttl)?,
        TtlPolicy::Gtsm { hops } => set_gtsm(&sock, family, hops)?,
    }
    sock.set_nodelay(true).map_err(sockopt("TCP_NODELAY"))?;
    SockRef::from(&sock)
        .set_keepalive(false)
        .map_err(sockopt("SO_KEEPALIVE"))?;
    Ok(sock)
}

/// Connects to `peer` with all `opts` set before the SYN, within
/// `opts.timeout`. Option errors come back as `io::Error`s wrapping a
/// [`SocketError`] (kind `Unsupported` when the kernel lacks MD5 or AO).
pub async fn connect(peer: SocketAddr, opts: &ConnectOptions<'_>) -> io::Result<TcpStream> {
    let peer = SocketAddr::new(peer.ip().to_canonical(), peer.port());
    let sock = connect_socket(peer, opts)?;
    match tokio::time::timeout(opts.timeout, sock.connect(peer)).await {
        Ok(r) => r,
        Err(_) => Err(io::Error::new(
            io::ErrorKind::TimedOut,
            format!(
                "TCP connection to {peer} not established within {:?}",
                opts.timeout
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn socket_connect_socket_applies_options() {
        let peer: SocketAddr = "127.0.0.1:179".parse().expect("literal");
        let opts = ConnectOptions {
            ttl: TtlPolicy::Gtsm { hops: 1 },
            ..ConnectOptions::default()
        };
        let sock = connect_socket(peer, &opts).expect("socket");
        let r = SockRef::from(&sock);
        assert!(r.tcp_nodelay().expect("nodelay"));
        assert!(!r.keepalive().expect("keepalive"));
        assert_eq!(
            super::super::ttl::ttl(&sock, IpFamily::V4).expect("ttl"),
            255
        );
        assert_eq!(
            super::super::ttl::min_ttl(&sock, IpFamily::V4).expect("minttl"),
            255
        );
    }

    #[test]
    fn socket_connect_mapped_peer_uses_ipv4_socket() {
        let mapped: SocketAddr = "[::ffff:127.0.0.1]:179".parse().expect("literal");
        let sock = connect_socket(mapped, &ConnectOptions::default()).expect("socket");
        assert_eq!(
            super::super::family::SocketFamily::of(&sock).expect("family"),
            super::super::family::SocketFamily::V4
        );
    }

    #[test]
    fn socket_connect_rejects_md5_with_ao_and_family_mismatch() {
        let secret: Secret = "x".parse().expect("valid");
        let ao = AoKey {
            send_id: 1,
            recv_id: 1,
            algorithm: super::super::ao::AoAlgorithm::HmacSha1,
            secret: secret.clone(),
        };
        let peer: SocketAddr = "127.0.0.1:179".parse().expect("literal");
        let both = ConnectOptions {
            md5: Some(&secret),
            ao: Some(&ao),
            ..ConnectOptions::default()
        };
        assert!(matches!(
            connect_socket(peer, &both),
            Err(SocketError::KeyConflict { .. })
        ));
        let v6_local = ConnectOptions {
            local: Some("[::1]:0".parse().expect("literal")),
            ..ConnectOptions::default()
        };
        assert!(matches!(
            connect_socket(peer, &v6_local),
            Err(SocketError::LocalAddressFamily { .. })
        ));
    }
}
