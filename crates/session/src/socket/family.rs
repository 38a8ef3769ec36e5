//! Address families of peers and sockets, and the address under which the
//! kernel files a peer's TCP-MD5 / TCP-AO key on a given socket.
//!
//! An IPv4 peer is keyed by its plain address on an IPv4 socket and by its
//! IPv4-mapped address (`::ffff:a.b.c.d`, RFC 4291 §2.5.5.2) on a
//! dual-stack IPv6 socket; it cannot reach an IPv6-only socket at all.

use std::net::IpAddr;
use std::os::fd::AsFd;

use socket2::{Domain, SockRef};

use super::error::SocketError;
use super::sys::KernelSockaddr;

/// The IP version of a peer (an IPv4-mapped IPv6 address counts as IPv4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IpFamily {
    /// IPv4: `IP_TTL`, `IP_MINTTL`.
    V4,
    /// IPv6: `IPV6_UNICAST_HOPS`, `IPV6_MINHOPCOUNT`.
    V6,
}

impl IpFamily {
    /// The family of `ip`, with `::ffff:a.b.c.d` counted as IPv4.
    pub fn of(ip: IpAddr) -> Self {
        match ip.to_canonical() {
            IpAddr::V4(_) => Self::V4,
            IpAddr::V6(_) => Self::V6,
        }
    }
}

/// What kind of socket a descriptor is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SocketFamily {
    /// `AF_INET`.
    V4,
    /// `AF_INET6`; `dual_stack` when `IPV6_V6ONLY` is off.
    V6 {
        /// IPv4 peers arrive here as `::ffff:a.b.c.d`.
        dual_stack: bool,
    },
}

impl SocketFamily {
    /// Reads `SO_DOMAIN` (and `IPV6_V6ONLY` for IPv6) from the socket.
    pub(crate) fn of(sock: &impl AsFd) -> Result<Self, SocketError> {
        let s = SockRef::from(sock);
        let domain = s
            .domain()
            .map_err(|e| SocketError::sockopt("SO_DOMAIN", e))?;
        if domain == Domain::IPV4 {
            Ok(Self::V4)
        } else if domain == Domain::IPV6 {
            let only_v6 = s
                .only_v6()
                .map_err(|e| SocketError::sockopt("IPV6_V6ONLY", e))?;
            Ok(Self::V6 {
                dual_stack: !only_v6,
            })
        } else {
            Err(SocketError::sockopt(
                "SO_DOMAIN",
                std::io::Error::new(std::io::ErrorKind::InvalidInput, "not an IP socket"),
            ))
        }
    }

    /// Human name for messages.
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Self::V4 => "IPv4",
            Self::V6 { dual_stack: true } => "dual-stack IPv6",
            Self::V6 { dual_stack: false } => "IPv6-only",
        }
    }

    /// Whether a peer of this address can talk to this socket.
    pub(crate) fn accepts(self, peer: IpAddr) -> bool {
        matches!(
            (self, peer.to_canonical()),
            (Self::V4, IpAddr::V4(_))
                | (Self::V6 { .. }, IpAddr::V6(_))
                | (Self::V6 { dual_stack: true }, IpAddr::V4(_))
        )
    }
}

/// Where the kernel files a peer's key on one socket.
#[derive(Clone, Copy)]
pub(crate) struct KeyTarget {
    /// `sockaddr_in`/`sockaddr_in6` image for the key's address field.
    pub(crate) addr: KernelSockaddr,
    /// Host prefix length as TCP-AO wants it: 32 for IPv4 (also when
    /// mapped into IPv6), 128 for IPv6.
    pub(crate) prefix: u8,
}

/// The key address of `peer` on a socket of family `socket`.
pub(crate) fn key_target(socket: SocketFamily, peer: IpAddr) -> Result<KeyTarget, SocketError> {
    match (socket, peer.to_canonical()) {
        (SocketFamily::V4, IpAddr::V4(v4)) => Ok(KeyTarget {
            addr: KernelSockaddr::v4(v4),
            prefix: 32,
        }),
        (SocketFamily::V6 { dual_stack: true }, IpAddr::V4(v4)) => Ok(KeyTarget {
            addr: KernelSockaddr::v6(v4.to_ipv6_mapped()),
            prefix: 32,
        }),
        (SocketFamily::V6 { .. }, IpAddr::V6(v6)) => Ok(KeyTarget {
            addr: KernelSockaddr::v6(v6),
            prefix: 128,
        }),
        (s, _) => Err(SocketError::FamilyMismatch {
            peer,
            socket: s.describe(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{Ipv4Addr, Ipv6Addr};

    fn v4() -> IpAddr {
        IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1))
    }

    #[test]
    fn socket_family_of_mapped_is_v4() {
        let mapped = IpAddr::V6(Ipv4Addr::new(192, 0, 2, 1).to_ipv6_mapped());
        assert_eq!(IpFamily::of(mapped), IpFamily::V4);
        assert_eq!(IpFamily::of(v4()), IpFamily::V4);
        assert_eq!(IpFamily::of(IpAddr::V6(Ipv6Addr::LOCALHOST)), IpFamily::V6);
    }

    #[test]
    fn socket_key_target_plain_v4() {
        let t = key_target(SocketFamily::V4, v4()).expect("v4 on v4");
        assert_eq!(t.prefix, 32);
        assert_eq!(t.addr.family(), libc::AF_INET as u16);
        assert_eq!(&t.addr.as_bytes()[4..8], &[192, 0, 2, 1]);
    }

    #[test]
    fn socket_key_target_mapped_on_dual_stack() {
        let t = key_target(SocketFamily::V6 { dual_stack: true }, v4()).expect("dual");
        assert_eq!(t.prefix, 32);
        assert_eq!(t.addr.family(), libc::AF_INET6 as u16);
        assert_eq!(
            &t.addr.as_bytes()[8..24],
            &[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1]
        );
    }

    #[test]
    fn socket_key_target_mapped_peer_on_v4_socket_is_plain() {
        let mapped = IpAddr::V6(Ipv4Addr::new(192, 0, 2, 1).to_ipv6_mapped());
        let t = key_target(SocketFamily::V4, mapped).expect("canonicalised");
        assert_eq!(t.addr.family(), libc::AF_INET as u16);
    }

    #[test]
    fn socket_key_target_rejects_wrong_family() {
        let v6only = SocketFamily::V6 { dual_stack: false };
        let err = key_target(v6only, v4()).err().expect("v4 on v6only");
        assert!(err.to_string().contains("IPv6-only"), "{err}");
        let err = key_target(SocketFamily::V4, IpAddr::V6(Ipv6Addr::LOCALHOST))
            .err()
            .expect("v6 on v4");
        assert!(matches!(err, SocketError::FamilyMismatch { .. }));
        let t = key_target(v6only, IpAddr::V6(Ipv6Addr::LOCALHOST)).expect("v6");
        assert_eq!(t.prefix, 128);
    }

    #[test]
    fn socket_family_reads_the_descriptor() {
        use socket2::{Socket, Type};
        let s4 = Socket::new(Domain::IPV4, Type::STREAM, None).expect("v4");
        assert_eq!(SocketFamily::of(&s4).expect("family"), SocketFamily::V4);
        let s6 = Socket::new(Domain::IPV6, Type::STREAM, None).expect("v6");
        s6.set_only_v6(true).expect("v6only");
        assert_eq!(
            SocketFamily::of(&s6).expect("family"),
            SocketFamily::V6 { dual_stack: false }
        );
        s6.set_only_v6(false).expect("dual");
        let fam = SocketFamily::of(&s6).expect("family");
        assert_eq!(fam, SocketFamily::V6 { dual_stack: true });
        assert!(fam.accepts(v4()));
        assert!(!SocketFamily::V4.accepts(IpAddr::V6(Ipv6Addr::LOCALHOST)));
    }
}
