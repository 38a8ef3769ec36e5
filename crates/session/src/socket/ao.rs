//! The TCP Authentication Option (RFC 5925) with the algorithms of
//! RFC 5926, through the Linux TCP-AO socket options (Linux ≥ 6.7,
//! `CONFIG_TCP_AO`).
//!
//! A Master Key Tuple (RFC 5925 §3.1) is the peer address, a SendID, a
//! RecvID, the MAC algorithm and the master key; the kernel derives the
//! traffic keys (RFC 5926 §3.1) and signs and checks every segment. The
//! MAC is truncated to 96 bits (RFC 5926 §3.2: HMAC-SHA-1-96 and
//! AES-128-CMAC-96).
//!
//! Support is detected at run time: [`probe_tcp_ao`] says whether the
//! kernel has it, and every call here returns
//! [`SocketError::AoUnsupported`] where it does not.

use std::fmt;
use std::net::IpAddr;
use std::os::fd::AsFd;
use std::str::FromStr;

use socket2::{Domain, SockRef, Socket, Type};

use super::error::{errno_name, is_unknown_option, AoUnsupported, SocketError};
use super::family::{key_target, SocketFamily};
use super::secret::Secret;
use super::sys::{self, TcpAoAdd, TcpAoDel, TCP_AO_ALG_NAME_LEN, TCP_AO_MAXKEYLEN};

/// MAC length in octets: 96 bits, as RFC 5926 §3.2 specifies for both
/// mandatory algorithms (and the kernel's default).
pub const AO_MAC_LEN: u8 = 12;

/// A TCP-AO MAC / KDF algorithm, named as the kernel crypto API knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AoAlgorithm {
    /// HMAC-SHA-1-96 with KDF_HMAC_SHA1 (RFC 5926 §3.1.1.1, §3.2.1).
    HmacSha1,
    /// AES-128-CMAC-96 with KDF_AES_128_CMAC (RFC 5926 §3.1.1.2, §3.2.2).
    CmacAes128,
    /// HMAC-SHA-256 truncated to 96 bits (not in RFC 5926; offered by
    /// some vendors and by Linux).
    HmacSha256,
}

impl AoAlgorithm {
    /// The name passed in `tcp_ao_add.alg_name`.
    pub fn kernel_name(self) -> &'static str {
        match self {
            Self::HmacSha1 => "hmac(sha1)",
            Self::CmacAes128 => "cmac(aes128)",
            Self::HmacSha256 => "hmac(sha256)",
        }
    }
}

impl fmt::Display for AoAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.kernel_name())
    }
}

/// A name that is not one of the supported TCP-AO algorithms.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown TCP-AO algorithm {0:?}; expected hmac(sha1), cmac(aes128) or hmac(sha256)")]
pub struct UnknownAoAlgorithm(pub String);

impl FromStr for AoAlgorithm {
    type Err = UnknownAoAlgorithm;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "hmac(sha1)" => Ok(Self::HmacSha1),
            "cmac(aes128)" => Ok(Self::CmacAes128),
            "hmac(sha256)" => Ok(Self::HmacSha256),
            other => Err(UnknownAoAlgorithm(other.chars().take(64).collect())),
        }
    }
}

/// One TCP-AO Master Key Tuple for a peer (RFC 5925 §3.1). The peer's
/// `send_id` must equal our `recv_id` and the other way round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AoKey {
    /// KeyID we put in outgoing segments.
    pub send_id: u8,
    /// KeyID we expect in incoming segments.
    pub recv_id: u8,
    /// MAC and KDF algorithm.
    pub algorithm: AoAlgorithm,
    /// Master key (redacted in `Debug`).
    pub secret: Secret,
}

/// TCP-AO statistics of one socket (`TCP_AO_INFO`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AoCounters {
    /// Segments that verified.
    pub good: u64,
    /// Segments whose MAC did not verify.
    pub bad: u64,
    /// Segments with a KeyID we have no key for.
    pub key_not_found: u64,
    /// Segments without TCP-AO where it was required.
    pub ao_required: u64,
    /// ICMP errors ignored (RFC 5925 §7.8).
    pub dropped_icmp: u64,
}

/// Whether the running kernel supports TCP-AO: creates a TCP socket and
/// reads `TCP_AO_INFO` from it. A kernel with TCP-AO answers `ENOENT`
/// (no keys on the socket yet); one without answers `ENOPROTOOPT`.
pub fn probe_tcp_ao() -> Result<(), AoUnsupported> {
    let sock =
        Socket::new(Domain::IPV4, Type::STREAM, None).map_err(|e| AoUnsupported::ProbeFailed {
            reason: format!("cannot create a TCP socket: {e}"),
        })?;
    match sys::ao_info(sock.as_fd()) {
        Ok(_) => Ok(()),
        Err(e) if e.raw_os_error() == Some(libc::ENOENT) => Ok(()),
        Err(e) if is_unknown_option(&e) => Err(AoUnsupported::KernelLacksAo {
            errno: errno_name(&e),
        }),
        Err(e) => Err(AoUnsupported::ProbeFailed {
            reason: format!("getsockopt(TCP_AO_INFO): {e}"),
        }),
    }
}

/// Maps an errno from a TCP-AO option call.
fn ao_error(e: std::io::Error, option: &'static str, peer: IpAddr) -> SocketError {
    if is_unknown_option(&e) {
        SocketError::AoUnsupported(AoUnsupported::KernelLacksAo {
            errno: errno_name(&e),
        })
    } else if e.raw_os_error() == Some(libc::EKEYREJECTED) {
        SocketError::KeyConflict { peer }
    } else {
        SocketError::sockopt(option, e)
    }
}

/// Adds the MKT `key` for `peer` on `sock`.
///
/// On a listening socket the key is offered to future connections from
/// `peer`. On a socket that is not listening (about to `connect`), the key
/// also becomes the current key and the one requested from the peer
/// (RNext), so the connection starts with it. Key rollover on an
/// established connection is not handled here.
pub fn set_ao_key(sock: &impl AsFd, peer: IpAddr, key: &AoKey) -> Result<(), SocketError> {
    let family = SocketFamily::of(sock)?;
    let target = key_target(family, peer)?;
    let listening = SockRef::from(sock)
        .is_listener()
        .map_err(|e| SocketError::sockopt("SO_ACCEPTCONN", e))?;
    let mut cmd = TcpAoAdd {
        addr: target.addr,
        alg_name: [0; TCP_AO_ALG_NAME_LEN],
        ifindex: 0,
        flags: if listening {
            0
        } else {
            sys::AO_SET_CURRENT | sys::AO_SET_RNEXT
        },
        reserved2: 0,
        prefix: target.prefix,
        sndid: key.send_id,
        rcvid: key.recv_id,
        maclen: AO_MAC_LEN,
        keyflags: 0,
        keylen: 0,
        key: [0; TCP_AO_MAXKEYLEN],
    };
    let name = key.algorithm.kernel_name().as_bytes();
    // The name leaves room for the terminating NUL (all names are short).
    if let Some(dst) = cmd.alg_name.get_mut(..name.len()) {
        dst.copy_from_slice(name);
    }
    let bytes = key.secret.expose();
    let (Some(dst), Ok(len)) = (cmd.key.get_mut(..bytes.len()), u8::try_from(bytes.len())) else {
        return Err(SocketError::sockopt(
            "TCP_AO_ADD_KEY",
            std::io::Error::from(std::io::ErrorKind::InvalidInput),
        ));
    };
    dst.copy_from_slice(bytes);
    cmd.keylen = len;
    match sys::ao_add_key(sock.as_fd(), &cmd) {
        Ok(()) => Ok(()),
        Err(e) if e.raw_os_error() == Some(libc::EEXIST) => Err(SocketError::AoKeyIdInUse {
            peer,
            send_id: key.send_id,
            recv_id: key.recv_id,
        }),
        // The crypto API has no such algorithm (the add path has no other
        // ENOENT).
        Err(e) if e.raw_os_error() == Some(libc::ENOENT) => {
            Err(SocketError::AoAlgorithmUnavailable {
                algorithm: key.algorithm.kernel_name(),
            })
        }
        Err(e) => Err(ao_error(e, "TCP_AO_ADD_KEY", peer)),
    }
}

/// Deletes the MKT with `send_id`/`recv_id` for `peer` from `sock`.
/// Deleting a key that is not there is not an error. The kernel refuses
/// (`EBUSY`) to delete the key an established connection is using.
pub fn del_ao_key(
    sock: &impl AsFd,
    peer: IpAddr,
    send_id: u8,
    recv_id: u8,
) -> Result<(), SocketError> {
    let family = SocketFamily::of(sock)?;
    let target = key_target(family, peer)?;
    let cmd = TcpAoDel {
        addr: target.addr,
        ifindex: 0,
        flags: 0,
        reserved2: 0,
        prefix: target.prefix,
        sndid: send_id,
        rcvid: recv_id,
        current_key: 0,
        rnext: 0,
        keyflags: 0,
    };
    match sys::ao_del_key(sock.as_fd(), &cmd) {
        Ok(()) => Ok(()),
        Err(e) if e.raw_os_error() == Some(libc::ENOENT) => Ok(()),
        Err(e) => Err(ao_error(e, "TCP_AO_DEL_KEY", peer)),
    }
}

/// TCP-AO counters of `sock` (for metrics and diagnostics). A socket
/// without TCP-AO keys reports all zeroes.
pub fn ao_counters(sock: &impl AsFd) -> Result<AoCounters, SocketError> {
    match sys::ao_info(sock.as_fd()) {
        Ok(i) => Ok(AoCounters {
            good: i.pkt_good,
            bad: i.pkt_bad,
            key_not_found: i.pkt_key_not_found,
            ao_required: i.pkt_ao_required,
            dropped_icmp: i.pkt_dropped_icmp,
        }),
        Err(e) if e.raw_os_error() == Some(libc::ENOENT) => Ok(AoCounters::default()),
        Err(e) if is_unknown_option(&e) => {
            Err(SocketError::AoUnsupported(AoUnsupported::KernelLacksAo {
                errno: errno_name(&e),
            }))
        }
        Err(e) => Err(SocketError::sockopt("TCP_AO_INFO", e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn socket_ao_algorithm_names_roundtrip() {
        for a in [
            AoAlgorithm::HmacSha1,
            AoAlgorithm::CmacAes128,
            AoAlgorithm::HmacSha256,
        ] {
            assert_eq!(a.kernel_name().parse::<AoAlgorithm>(), Ok(a));
            assert!(a.kernel_name().len() < TCP_AO_ALG_NAME_LEN);
        }
        assert!("md5".parse::<AoAlgorithm>().is_err());
    }

    #[test]
    fn socket_ao_key_debug_redacts() {
        let k = AoKey {
            send_id: 1,
            recv_id: 2,
            algorithm: AoAlgorithm::HmacSha1,
            secret: "ao-topsecret".parse().expect("valid"),
        };
        let shown = format!("{k:?}");
        assert!(!shown.contains("topsecret"), "{shown}");
        assert!(shown.contains("<redacted>"), "{shown}");
    }

    #[test]
    fn socket_ao_calls_agree_with_probe() {
        let probe = probe_tcp_ao();
        let sock = Socket::new(Domain::IPV4, Type::STREAM, None).expect("socket");
        let peer: IpAddr = "127.0.0.1".parse().expect("literal");
        let key = AoKey {
            send_id: 7,
            recv_id: 8,
            algorithm: AoAlgorithm::HmacSha1,
            secret: "ao-unit".parse().expect("valid"),
        };
        let added = set_ao_key(&sock, peer, &key);
        let counters = ao_counters(&sock);
        match probe {
            Ok(()) => {
                added.expect("add");
                assert_eq!(counters.expect("counters"), AoCounters::default());
                let again = set_ao_key(&sock, peer, &key).expect_err("same ids");
                assert!(matches!(again, SocketError::AoKeyIdInUse { .. }), "{again}");
                del_ao_key(&sock, peer, 7, 8).expect("delete");
                del_ao_key(&sock, peer, 7, 8).expect("delete twice");
            }
            Err(AoUnsupported::KernelLacksAo { errno }) => {
                println!("SKIPPED (partly): kernel lacks TCP-AO ({errno})");
                let e = added.expect_err("no AO in kernel");
                assert!(matches!(e, SocketError::AoUnsupported(_)), "{e}");
                assert!(e.to_string().starts_with("kernel lacks TCP-AO"), "{e}");
                assert!(!e.to_string().contains("ao-unit"));
                assert!(matches!(counters, Err(SocketError::AoUnsupported(_))));
                assert!(matches!(
                    del_ao_key(&sock, peer, 7, 8),
                    Err(SocketError::AoUnsupported(_))
                ));
            }
            Err(other) => panic!("probe could not decide: {other}"),
        }
    }
}
