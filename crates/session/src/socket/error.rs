//! Typed errors of the socket layer. None of them carries key material:
//! they name the peer, the option and the kernel's errno, never the secret.

use std::io;
use std::net::{IpAddr, SocketAddr};

use super::family::IpFamily;

/// The running kernel has no TCP-AO (RFC 5925) support (Linux < 6.7 or
/// `CONFIG_TCP_AO` not set), or the probe could not tell.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AoUnsupported {
    /// The kernel answered the TCP-AO socket options with this errno
    /// (`ENOPROTOOPT` when the option is unknown, `EOPNOTSUPP` when it is
    /// compiled out for the family).
    #[error("kernel lacks TCP-AO ({errno})")]
    KernelLacksAo {
        /// Symbolic errno name, e.g. `ENOPROTOOPT`.
        errno: &'static str,
    },
    /// The probe itself failed (no socket could be created, or an errno
    /// that says neither yes nor no).
    #[error("TCP-AO probe failed: {reason}")]
    ProbeFailed {
        /// What went wrong, from the OS error.
        reason: String,
    },
}

/// Errors setting up BGP sockets: keys, TTL security, binding.
#[derive(Debug, thiserror::Error)]
pub enum SocketError {
    /// The kernel refused `TCP_MD5SIG` as an unknown option
    /// (`CONFIG_TCP_MD5SIG` not set).
    #[error("kernel lacks TCP-MD5 signatures (RFC 2385) ({errno})")]
    Md5Unsupported {
        /// Symbolic errno name.
        errno: &'static str,
    },
    /// TCP-AO is not available in this kernel.
    #[error(transparent)]
    AoUnsupported(#[from] AoUnsupported),
    /// The kernel's crypto layer has no such TCP-AO algorithm.
    #[error("TCP-AO algorithm {algorithm} is not available in the kernel crypto API")]
    AoAlgorithmUnavailable {
        /// Kernel crypto name, e.g. `cmac(aes128)`.
        algorithm: &'static str,
    },
    /// An MKT with the same SendID or RecvID already exists for this peer
    /// (RFC 5925 §3.1: the IDs of MKTs must not overlap).
    #[error(
        "a TCP-AO key with send id {send_id} or receive id {recv_id} already exists for {peer}"
    )]
    AoKeyIdInUse {
        /// The peer.
        peer: IpAddr,
        /// SendID of the rejected key.
        send_id: u8,
        /// RecvID of the rejected key.
        recv_id: u8,
    },
    /// TCP-MD5 and TCP-AO cannot both protect the same peer (RFC 5925
    /// §7.7; the kernel answers `EKEYREJECTED`).
    #[error("{peer} cannot have both a TCP-MD5 and a TCP-AO key")]
    KeyConflict {
        /// The peer.
        peer: IpAddr,
    },
    /// The peer's address family cannot be keyed or reached on this socket
    /// (e.g. an IPv6 peer on an IPv4 socket, or an IPv4 peer on an
    /// IPv6-only socket).
    #[error("peer {peer} does not fit a {socket} socket")]
    FamilyMismatch {
        /// The peer.
        peer: IpAddr,
        /// What the socket is: `IPv4`, `IPv6-only`, `dual-stack IPv6`.
        socket: &'static str,
    },
    /// The local bind address and the peer are of different families.
    #[error("local address {local} and peer {peer} are of different address families")]
    LocalAddressFamily {
        /// The requested local address.
        local: SocketAddr,
        /// The peer.
        peer: SocketAddr,
    },
    /// IPv6 TTL options were asked of an IPv4 socket.
    #[error("{family:?} TTL options cannot be set on an {socket} socket")]
    OptionFamily {
        /// Family of the requested option.
        family: IpFamily,
        /// What the socket is.
        socket: &'static str,
    },
    /// No listening socket of the listener can accept this peer's family.
    #[error("no listening socket accepts connections from {peer}")]
    NoListener {
        /// The peer.
        peer: IpAddr,
    },
    /// GTSM hop count 0 (RFC 5082 needs at least 1).
    #[error("GTSM hop count must be between 1 and 255")]
    InvalidHops,
    /// TTL 0 cannot be sent.
    #[error("TTL / hop limit must be between 1 and 255")]
    InvalidTtl,
    /// A socket option call failed.
    #[error("{option} failed: {source}")]
    Sockopt {
        /// The option, e.g. `TCP_MD5SIG` or `IP_MINTTL`.
        option: &'static str,
        /// The OS error.
        #[source]
        source: io::Error,
    },
    /// Creating, binding or listening on a socket failed.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address being bound.
        addr: SocketAddr,
        /// The OS error.
        #[source]
        source: io::Error,
    },
}

impl SocketError {
    /// Wraps a failed socket-option call.
    pub(crate) fn sockopt(option: &'static str, source: io::Error) -> Self {
        Self::Sockopt { option, source }
    }
}

impl From<SocketError> for io::Error {
    /// Keeps the typed error reachable through `io::Error::get_ref`, with a
    /// kind that lets callers tell "unsupported" from "invalid" from OS
    /// failures.
    fn from(e: SocketError) -> Self {
        let kind = match &e {
            SocketError::Md5Unsupported { .. }
            | SocketError::AoUnsupported(_)
            | SocketError::AoAlgorithmUnavailable { .. } => io::ErrorKind::Unsupported,
            SocketError::AoKeyIdInUse { .. }
            | SocketError::KeyConflict { .. }
            | SocketError::FamilyMismatch { .. }
            | SocketError::OptionFamily { .. }
            | SocketError::LocalAddressFamily { .. }
            | SocketError::NoListener { .. }
            | SocketError::InvalidHops
            | SocketError::InvalidTtl => io::ErrorKind::InvalidInput,
            SocketError::Sockopt { source, .. } | SocketError::Bind { source, .. } => source.kind(),
        };
        io::Error::new(kind, e)
    }
}

/// Symbolic name of the errnos this layer interprets (for messages).
pub(crate) fn errno_name(err: &io::Error) -> &'static str {
    match err.raw_os_error() {
        Some(libc::ENOPROTOOPT) => "ENOPROTOOPT",
        Some(libc::EOPNOTSUPP) => "EOPNOTSUPP",
        Some(libc::ENOENT) => "ENOENT",
        Some(libc::EINVAL) => "EINVAL",
        Some(libc::EPERM) => "EPERM",
        Some(libc::EEXIST) => "EEXIST",
        Some(libc::EKEYREJECTED) => "EKEYREJECTED",
        _ => "other",
    }
}

/// Whether `err` says "this socket option does not exist in this kernel".
pub(crate) fn is_unknown_option(err: &io::Error) -> bool {
    matches!(
        err.raw_os_error(),
        Some(libc::ENOPROTOOPT) | Some(libc::EOPNOTSUPP)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn socket_error_io_conversion_keeps_type_and_kind() {
        let e: io::Error = SocketError::AoUnsupported(AoUnsupported::KernelLacksAo {
            errno: "ENOPROTOOPT",
        })
        .into();
        assert_eq!(e.kind(), io::ErrorKind::Unsupported);
        let inner = e
            .get_ref()
            .and_then(|i| i.downcast_ref::<SocketError>())
            .expect("typed error inside");
        assert!(matches!(inner, SocketError::AoUnsupported(_)));
        assert_eq!(e.to_string(), "kernel lacks TCP-AO (ENOPROTOOPT)");

        let e: io::Error = SocketError::InvalidHops.into();
        assert_eq!(e.kind(), io::ErrorKind::InvalidInput);
    }

    #[test]
    fn socket_errno_names() {
        let e = io::Error::from_raw_os_error(libc::ENOPROTOOPT);
        assert_eq!(errno_name(&e), "ENOPROTOOPT");
        assert!(is_unknown_option(&e));
        let e = io::Error::from_raw_os_error(libc::ENOENT);
        assert!(!is_unknown_option(&e));
    }
}
