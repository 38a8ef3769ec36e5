//! TTL / hop limit handling: the Generalized TTL Security Mechanism
//! (GTSM, RFC 5082) and plain TTLs for eBGP multihop.
//!
//! RFC 5082 §3: a GTSM sender transmits with TTL (IPv6 hop limit) 255, and
//! the receiver discards packets of the session whose TTL is below
//! 255 − (hops − 1), where `hops` is how many hops away the peer may be
//! (1 for a directly connected peer, the usual case at an IXP). Linux
//! implements the receive check with `IP_MINTTL` / `IPV6_MINHOPCOUNT`.
//!
//! On a dual-stack IPv6 socket, traffic with IPv4 peers follows the IPv4
//! options (`IP_TTL`, `IP_MINTTL`), which Linux accepts on IPv6 TCP
//! sockets; pass [`IpFamily::V4`] for such a peer.
//!
//! `IP_MINTTL` on a listening socket applies to every SYN it receives, so
//! per-neighbor GTSM on a shared listener is set by the caller on the
//! accepted stream (later segments are then checked) or listener-wide.

use std::os::fd::AsFd;

use libc::c_int;

use super::error::SocketError;
use super::family::{IpFamily, SocketFamily};
use super::sys;

/// The TTL a GTSM sender uses (RFC 5082 §3).
pub const GTSM_TTL: u8 = 255;

/// The lowest TTL GTSM accepts from a peer `hops` hops away:
/// 255 − hops + 1 (RFC 5082 §3), or `None` for `hops` = 0.
pub fn gtsm_min_ttl(hops: u8) -> Option<u8> {
    if hops == 0 {
        None
    } else {
        Some(GTSM_TTL - (hops - 1))
    }
}

fn ttl_opt(family: IpFamily) -> (c_int, c_int, &'static str) {
    match family {
        IpFamily::V4 => (libc::IPPROTO_IP, libc::IP_TTL, "IP_TTL"),
        IpFamily::V6 => (
            libc::IPPROTO_IPV6,
            libc::IPV6_UNICAST_HOPS,
            "IPV6_UNICAST_HOPS",
        ),
    }
}

fn min_ttl_opt(family: IpFamily) -> (c_int, c_int, &'static str) {
    match family {
        IpFamily::V4 => (libc::IPPROTO_IP, libc::IP_MINTTL, "IP_MINTTL"),
        IpFamily::V6 => (
            libc::IPPROTO_IPV6,
            libc::IPV6_MINHOPCOUNT,
            "IPV6_MINHOPCOUNT",
        ),
    }
}

/// IPv6 options cannot be set on an IPv4 socket.
fn check_family(sock: &impl AsFd, family: IpFamily) -> Result<(), SocketError> {
    let sf = SocketFamily::of(sock)?;
    if sf == SocketFamily::V4 && family == IpFamily::V6 {
        return Err(SocketError::OptionFamily {
            family,
            socket: sf.describe(),
        });
    }
    Ok(())
}

fn set(sock: &impl AsFd, opt: (c_int, c_int, &'static str), v: u8) -> Result<(), SocketError> {
    sys::set_int(sock.as_fd(), opt.0, opt.1, c_int::from(v))
        .map_err(|e| SocketError::sockopt(opt.2, e))
}

fn get(sock: &impl AsFd, opt: (c_int, c_int, &'static str)) -> Result<u8, SocketError> {
    let v = sys::get_int(sock.as_fd(), opt.0, opt.1).map_err(|e| SocketError::sockopt(opt.2, e))?;
    u8::try_from(v).map_err(|_| {
        SocketError::sockopt(
            opt.2,
            std::io::Error::new(std::io::ErrorKind::InvalidData, "value out of range"),
        )
    })
}

/// Enables GTSM (RFC 5082) for `family` traffic on `sock`: send with
/// TTL / hop limit 255 and drop received segments whose TTL is below
/// 255 − `hops` + 1. `hops` is 1 for a directly connected peer.
pub fn set_gtsm(sock: &impl AsFd, family: IpFamily, hops: u8) -> Result<(), SocketError> {
    let min = gtsm_min_ttl(hops).ok_or(SocketError::InvalidHops)?;
    check_family(sock, family)?;
    set(sock, ttl_opt(family), GTSM_TTL)?;
    set(sock, min_ttl_opt(family), min)
}

/// Sets the outgoing TTL / hop limit for `family` traffic on `sock`
/// (eBGP multihop, or TTL 1 for directly connected eBGP without GTSM).
pub fn set_ttl(sock: &impl AsFd, family: IpFamily, ttl: u8) -> Result<(), SocketError> {
    if ttl == 0 {
        return Err(SocketError::InvalidTtl);
    }
    check_family(sock, family)?;
    set(sock, ttl_opt(family), ttl)
}

/// The outgoing TTL / hop limit for `family` traffic on `sock`.
pub fn ttl(sock: &impl AsFd, family: IpFamily) -> Result<u8, SocketError> {
    check_family(sock, family)?;
    get(sock, ttl_opt(family))
}

/// The minimum received TTL / hop count for `family` traffic on `sock`
/// (0: no check).
pub fn min_ttl(sock: &impl AsFd, family: IpFamily) -> Result<u8, SocketError> {
    check_family(sock, family)?;
    get(sock, min_ttl_opt(family))
}

#[cfg(test)]
mod tests {
    use super::*;
    use socket2::{Domain, Socket, Type};

    #[test]
    fn socket_gtsm_min_ttl_formula() {
        assert_eq!(gtsm_min_ttl(0), None);
        assert_eq!(gtsm_min_ttl(1), Some(255));
        assert_eq!(gtsm_min_ttl(2), Some(254));
        assert_eq!(gtsm_min_ttl(255), Some(1));
    }

    #[test]
    fn socket_gtsm_v4_reads_back() {
        let s = Socket::new(Domain::IPV4, Type::STREAM, None).expect("socket");
        assert_eq!(min_ttl(&s, IpFamily::V4).expect("default"), 0);
        set_gtsm(&s, IpFamily::V4, 1).expect("gtsm");
        assert_eq!(ttl(&s, IpFamily::V4).expect("ttl"), 255);
        assert_eq!(min_ttl(&s, IpFamily::V4).expect("minttl"), 255);
        set_gtsm(&s, IpFamily::V4, 3).expect("gtsm 3 hops");
        assert_eq!(min_ttl(&s, IpFamily::V4).expect("minttl"), 253);
        assert!(matches!(
            set_gtsm(&s, IpFamily::V4, 0),
            Err(SocketError::InvalidHops)
        ));
        assert!(matches!(
            set_gtsm(&s, IpFamily::V6, 1),
            Err(SocketError::OptionFamily { .. })
        ));
    }

    #[test]
    fn socket_gtsm_v6_reads_back() {
        let s = Socket::new(Domain::IPV6, Type::STREAM, None).expect("socket");
        set_gtsm(&s, IpFamily::V6, 2).expect("gtsm");
        assert_eq!(ttl(&s, IpFamily::V6).expect("hops"), 255);
        assert_eq!(min_ttl(&s, IpFamily::V6).expect("minhop"), 254);
        // IPv4 options on an IPv6 socket govern its IPv4-mapped traffic.
        set_gtsm(&s, IpFamily::V4, 1).expect("v4 options on v6 socket");
        assert_eq!(min_ttl(&s, IpFamily::V4).expect("minttl"), 255);
    }

    #[test]
    fn socket_plain_ttl() {
        let s = Socket::new(Domain::IPV4, Type::STREAM, None).expect("socket");
        set_ttl(&s, IpFamily::V4, 1).expect("ttl 1");
        assert_eq!(ttl(&s, IpFamily::V4).expect("ttl"), 1);
        set_ttl(&s, IpFamily::V4, 64).expect("ttl 64");
        assert_eq!(ttl(&s, IpFamily::V4).expect("ttl"), 64);
        assert!(matches!(
            set_ttl(&s, IpFamily::V4, 0),
            Err(SocketError::InvalidTtl)
        ));
    }
}
