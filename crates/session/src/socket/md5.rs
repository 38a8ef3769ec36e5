//! TCP MD5 signatures (RFC 2385) for BGP sessions (RFC 4271 §5 notes the
//! option; RFC 2385 §4 has the receiver silently drop unsigned or wrongly
//! signed segments, which the Linux kernel does).
//!
//! Keys are set per peer address with the plain `TCP_MD5SIG` option (no
//! prefix, no interface index): on a listening socket before the peer's
//! SYN arrives, and on a connecting socket before `connect`. An accepted
//! connection inherits its peer's key from the listener. Removing a key
//! (key length 0) affects only future connections.

use std::net::IpAddr;
use std::os::fd::AsFd;

use super::error::{errno_name, is_unknown_option, SocketError};
use super::family::{key_target, SocketFamily};
use super::secret::Secret;
use super::sys::{self, TcpMd5Sig, TCP_MD5SIG_MAXKEYLEN};

/// Sets (`Some`) or removes (`None`) the RFC 2385 key for `peer` on `sock`.
///
/// `sock` may be a listener (keys for many peers, each set and removed
/// independently) or a not-yet-connected socket. On a dual-stack IPv6
/// socket an IPv4 `peer` is keyed under its IPv4-mapped address; on an
/// IPv4 socket under the plain address. Removing a key that is not set is
/// not an error.
pub fn set_md5(sock: &impl AsFd, peer: IpAddr, key: Option<&Secret>) -> Result<(), SocketError> {
    let family = SocketFamily::of(sock)?;
    let target = key_target(family, peer)?;
    let mut cmd = TcpMd5Sig {
        addr: target.addr,
        flags: 0,
        prefixlen: 0,
        keylen: 0,
        ifindex: 0,
        key: [0; TCP_MD5SIG_MAXKEYLEN],
    };
    if let Some(key) = key {
        let bytes = key.expose();
        // `Secret` guarantees 1..=80 octets; `get_mut` keeps this
        // panic-free even if that invariant were ever broken.
        let Some(dst) = cmd.key.get_mut(..bytes.len()) else {
            return Err(SocketError::sockopt(
                "TCP_MD5SIG",
                std::io::Error::from(std::io::ErrorKind::InvalidInput),
            ));
        };
        dst.copy_from_slice(bytes);
        cmd.keylen = bytes.len() as u16;
    }
    match sys::set_md5sig(sock.as_fd(), &cmd) {
        Ok(()) => Ok(()),
        // Deleting a key that does not exist.
        Err(e) if key.is_none() && e.raw_os_error() == Some(libc::ENOENT) => Ok(()),
        Err(e) if is_unknown_option(&e) => Err(SocketError::Md5Unsupported {
            errno: errno_name(&e),
        }),
        Err(e) if e.raw_os_error() == Some(libc::EKEYREJECTED) => {
            Err(SocketError::KeyConflict { peer })
        }
        Err(e) => Err(SocketError::sockopt("TCP_MD5SIG", e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use socket2::{Domain, Socket, Type};
    use std::net::{Ipv4Addr, Ipv6Addr};

    fn key() -> Secret {
        "md5-unit".parse().expect("valid")
    }

    #[test]
    fn socket_md5_set_and_remove_on_unbound_sockets() {
        let s4 = Socket::new(Domain::IPV4, Type::STREAM, None).expect("socket");
        let peer = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 9));
        match set_md5(&s4, peer, Some(&key())) {
            Ok(()) => {}
            Err(SocketError::Md5Unsupported { errno }) => {
                println!("SKIPPED: kernel lacks TCP-MD5 ({errno})");
                return;
            }
            Err(e) => panic!("set: {e}"),
        }
        set_md5(&s4, peer, None).expect("remove");
        set_md5(&s4, peer, None).expect("removing twice is fine");

        let s6 = Socket::new(Domain::IPV6, Type::STREAM, None).expect("socket");
        s6.set_only_v6(false).expect("dual");
        set_md5(&s6, peer, Some(&key())).expect("mapped key on dual-stack");
        set_md5(&s6, IpAddr::V6(Ipv6Addr::LOCALHOST), Some(&key())).expect("v6 key");
    }

    #[test]
    fn socket_md5_family_mismatch_is_typed() {
        let s4 = Socket::new(Domain::IPV4, Type::STREAM, None).expect("socket");
        let err = set_md5(&s4, IpAddr::V6(Ipv6Addr::LOCALHOST), Some(&key()))
            .expect_err("v6 peer on v4 socket");
        assert!(matches!(err, SocketError::FamilyMismatch { .. }), "{err}");
        assert!(!err.to_string().contains("md5-unit"));
    }
}
