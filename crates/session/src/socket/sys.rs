//! The only `unsafe` code of the socket layer: Linux socket-option
//! constants, the `#[repr(C)]` mirrors of the kernel's UAPI structures for
//! TCP-MD5 (RFC 2385) and TCP-AO (RFC 5925), and thin `setsockopt(2)` /
//! `getsockopt(2)` wrappers around them.
//!
//! Layouts follow `include/uapi/linux/tcp.h` (TCP-AO since Linux 6.7) on
//! Linux; the `const` assertions at the bottom of this file pin every size
//! and field offset, so a layout mistake fails the build instead of handing
//! the kernel a misshapen buffer. Everything here is `pub(crate)`: the rest
//! of the module builds these structures with safe code and checks the
//! errors the kernel returns.

#![allow(unsafe_code)]

use std::io;
use std::mem::{self, size_of};
use std::net::{Ipv4Addr, Ipv6Addr};
use std::os::fd::{AsRawFd, BorrowedFd};

use libc::{c_int, c_void, socklen_t};

/// `TCP_MD5SIG` (linux/tcp.h): set or delete an RFC 2385 key for one peer.
pub(crate) const TCP_MD5SIG: c_int = 14;
/// `TCP_MD5SIG_MAXKEYLEN` (linux/tcp.h).
pub(crate) const TCP_MD5SIG_MAXKEYLEN: usize = 80;
/// `TCP_AO_ADD_KEY` (linux/tcp.h, Linux ≥ 6.7): add a Master Key Tuple.
pub(crate) const TCP_AO_ADD_KEY: c_int = 38;
/// `TCP_AO_DEL_KEY`: delete a Master Key Tuple.
pub(crate) const TCP_AO_DEL_KEY: c_int = 39;
/// `TCP_AO_INFO`: per-socket TCP-AO state and counters.
pub(crate) const TCP_AO_INFO: c_int = 40;
/// `TCP_AO_GET_KEYS`: list keys (unused; kept for the record of the UAPI).
#[allow(dead_code)]
pub(crate) const TCP_AO_GET_KEYS: c_int = 41;
/// `TCP_AO_REPAIR`: SNE/ISN repair (unused; kept for the record of the UAPI).
#[allow(dead_code)]
pub(crate) const TCP_AO_REPAIR: c_int = 42;
/// `TCP_AO_MAXKEYLEN` (linux/tcp.h).
pub(crate) const TCP_AO_MAXKEYLEN: usize = 80;
/// Length of `tcp_ao_add.alg_name`, including the terminating NUL.
pub(crate) const TCP_AO_ALG_NAME_LEN: usize = 64;

/// Bit of the `set_current` bit-field in `tcp_ao_add`/`tcp_ao_del`
/// (first declared bit-field: least significant bit on little-endian ABIs,
/// most significant on big-endian ones).
#[cfg(target_endian = "little")]
pub(crate) const AO_SET_CURRENT: u32 = 1 << 0;
/// See the little-endian twin.
#[cfg(target_endian = "big")]
pub(crate) const AO_SET_CURRENT: u32 = 1 << 31;
/// Bit of the `set_rnext` bit-field (second declared bit-field).
#[cfg(target_endian = "little")]
pub(crate) const AO_SET_RNEXT: u32 = 1 << 1;
/// See the little-endian twin.
#[cfg(target_endian = "big")]
pub(crate) const AO_SET_RNEXT: u32 = 1 << 30;

/// `struct __kernel_sockaddr_storage`: 128 bytes, pointer-aligned. Filled
/// with a `sockaddr_in` or `sockaddr_in6` image (port always 0: the kernel
/// keys MD5/AO by address only and rejects a port for AO).
#[repr(C, align(8))]
#[derive(Clone, Copy)]
pub(crate) struct KernelSockaddr {
    bytes: [u8; 128],
}

impl KernelSockaddr {
    /// A `sockaddr_in` for `addr`, port 0.
    pub(crate) fn v4(addr: Ipv4Addr) -> Self {
        let mut bytes = [0u8; 128];
        // sin_family (host order), sin_port (0), sin_addr (network order).
        bytes[0..2].copy_from_slice(&(libc::AF_INET as u16).to_ne_bytes());
        bytes[4..8].copy_from_slice(&addr.octets());
        Self { bytes }
    }

    /// A `sockaddr_in6` for `addr`, port 0, flow info 0, scope 0.
    pub(crate) fn v6(addr: Ipv6Addr) -> Self {
        let mut bytes = [0u8; 128];
        // sin6_family, sin6_port (0), sin6_flowinfo (0), sin6_addr, scope 0.
        bytes[0..2].copy_from_slice(&(libc::AF_INET6 as u16).to_ne_bytes());
        bytes[8..24].copy_from_slice(&addr.octets());
        Self { bytes }
    }

    /// The address family stored in the first two bytes.
    #[cfg(test)]
    pub(crate) fn family(&self) -> u16 {
        u16::from_ne_bytes([self.bytes[0], self.bytes[1]])
    }

    /// The raw image (tests only).
    #[cfg(test)]
    pub(crate) fn as_bytes(&self) -> &[u8; 128] {
        &self.bytes
    }
}

/// `struct tcp_md5sig` (linux/tcp.h), used with `TCP_MD5SIG`.
#[repr(C)]
pub(crate) struct TcpMd5Sig {
    /// `tcpm_addr`: the peer.
    pub(crate) addr: KernelSockaddr,
    /// `tcpm_flags` (only read with `TCP_MD5SIG_EXT`; 0 here).
    pub(crate) flags: u8,
    /// `tcpm_prefixlen` (only read with `TCP_MD5SIG_EXT`; 0 here).
    pub(crate) prefixlen: u8,
    /// `tcpm_keylen`: 0 deletes the key for `addr`.
    pub(crate) keylen: u16,
    /// `tcpm_ifindex` (only read with `TCP_MD5SIG_EXT`; 0 here).
    pub(crate) ifindex: i32,
    /// `tcpm_key`.
    pub(crate) key: [u8; TCP_MD5SIG_MAXKEYLEN],
}

impl Drop for TcpMd5Sig {
    fn drop(&mut self) {
        wipe(&mut self.key);
    }
}

/// `struct tcp_ao_add` (linux/tcp.h), used with `TCP_AO_ADD_KEY`.
#[repr(C, align(8))]
pub(crate) struct TcpAoAdd {
    /// `addr`: the peer (port must be 0).
    pub(crate) addr: KernelSockaddr,
    /// `alg_name`: NUL-terminated kernel crypto name, e.g. `hmac(sha1)`.
    pub(crate) alg_name: [u8; TCP_AO_ALG_NAME_LEN],
    /// `ifindex`: L3 device for VRFs (0: any).
    pub(crate) ifindex: i32,
    /// Bit-fields `set_current:1, set_rnext:1, reserved:30`.
    pub(crate) flags: u32,
    /// `reserved2`: must be 0.
    pub(crate) reserved2: u16,
    /// `prefix`: peer address prefix length (non-zero for a host key).
    pub(crate) prefix: u8,
    /// `sndid`: SendID (RFC 5925 §3.1).
    pub(crate) sndid: u8,
    /// `rcvid`: RecvID (RFC 5925 §3.1).
    pub(crate) rcvid: u8,
    /// `maclen`: MAC length in octets (0: kernel default of 12).
    pub(crate) maclen: u8,
    /// `keyflags`: `TCP_AO_KEYF_*`.
    pub(crate) keyflags: u8,
    /// `keylen`: octets used in `key`.
    pub(crate) keylen: u8,
    /// `key`: the master key.
    pub(crate) key: [u8; TCP_AO_MAXKEYLEN],
}

impl Drop for TcpAoAdd {
    fn drop(&mut self) {
        wipe(&mut self.key);
    }
}

/// `struct tcp_ao_del` (linux/tcp.h), used with `TCP_AO_DEL_KEY`.
#[repr(C, align(8))]
pub(crate) struct TcpAoDel {
    /// `addr`: the peer, exactly as given when the key was added.
    pub(crate) addr: KernelSockaddr,
    /// `ifindex`.
    pub(crate) ifindex: i32,
    /// Bit-fields `set_current:1, set_rnext:1, del_async:1, reserved:29`.
    pub(crate) flags: u32,
    /// `reserved2`: must be 0.
    pub(crate) reserved2: u16,
    /// `prefix`: as given when the key was added.
    pub(crate) prefix: u8,
    /// `sndid` of the key to delete.
    pub(crate) sndid: u8,
    /// `rcvid` of the key to delete.
    pub(crate) rcvid: u8,
    /// `current_key`: KeyID to make current (with `set_current`).
    pub(crate) current_key: u8,
    /// `rnext`: KeyID to request (with `set_rnext`).
    pub(crate) rnext: u8,
    /// `keyflags`.
    pub(crate) keyflags: u8,
}

/// `struct tcp_ao_info_opt` (linux/tcp.h), read with `TCP_AO_INFO`.
#[repr(C, align(8))]
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct TcpAoInfoOpt {
    /// Bit-fields `set_current, set_rnext, ao_required, set_counters,
    /// accept_icmps, reserved:27`.
    pub(crate) flags: u32,
    /// `reserved2`.
    pub(crate) reserved2: u16,
    /// `current_key`: KeyID of Current_key.
    pub(crate) current_key: u8,
    /// `rnext`: KeyID of RNext_key.
    pub(crate) rnext: u8,
    /// `pkt_good`: segments that verified.
    pub(crate) pkt_good: u64,
    /// `pkt_bad`: segments that failed verification.
    pub(crate) pkt_bad: u64,
    /// `pkt_key_not_found`: no key to verify with.
    pub(crate) pkt_key_not_found: u64,
    /// `pkt_ao_required`: segments missing the AO option.
    pub(crate) pkt_ao_required: u64,
    /// `pkt_dropped_icmp`: ICMPs ignored.
    pub(crate) pkt_dropped_icmp: u64,
}

/// Types that may be handed to the kernel as an option buffer and filled
/// back from one.
///
/// # Safety
/// Implementors must be `#[repr(C)]` (or primitive) types made only of
/// integers and byte arrays, so that every bit pattern, including all
/// zeroes, is a valid value and the type has no pointers.
unsafe trait Plain: Sized {}

// SAFETY: a primitive integer; every bit pattern is valid.
unsafe impl Plain for c_int {}
// SAFETY: repr(C), integers and byte arrays only.
unsafe impl Plain for TcpMd5Sig {}
// SAFETY: repr(C), integers and byte arrays only.
unsafe impl Plain for TcpAoAdd {}
// SAFETY: repr(C), integers and byte arrays only.
unsafe impl Plain for TcpAoDel {}
// SAFETY: repr(C), integers and byte arrays only.
unsafe impl Plain for TcpAoInfoOpt {}

fn setsockopt<T: Plain>(
    fd: BorrowedFd<'_>,
    level: c_int,
    name: c_int,
    value: &T,
) -> io::Result<()> {
    let len = socklen_t::try_from(size_of::<T>())
        .map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))?;
    // SAFETY: `fd` is a live descriptor for the duration of the borrow;
    // `value` points to `len` initialised bytes of a `Plain` type that the
    // kernel only reads.
    let rc = unsafe {
        libc::setsockopt(
            fd.as_raw_fd(),
            level,
            name,
            (value as *const T).cast::<c_void>(),
            len,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

fn getsockopt<T: Plain>(fd: BorrowedFd<'_>, level: c_int, name: c_int) -> io::Result<T> {
    // SAFETY: `T: Plain` guarantees that all-zero bytes are a valid `T`.
    let mut value: T = unsafe { mem::zeroed() };
    let mut len = socklen_t::try_from(size_of::<T>())
        .map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))?;
    // SAFETY: `fd` is live for the borrow; `value` is a writable buffer of
    // `len` bytes, and the kernel writes at most `len` bytes into it and
    // updates `len`. Any bytes it writes form a valid `T` (`Plain`).
    let rc = unsafe {
        libc::getsockopt(
            fd.as_raw_fd(),
            level,
            name,
            (&mut value as *mut T).cast::<c_void>(),
            &mut len,
        )
    };
    if rc == 0 {
        Ok(value)
    } else {
        Err(io::Error::last_os_error())
    }
}

/// `setsockopt(fd, level, name, &int)`.
pub(crate) fn set_int(fd: BorrowedFd<'_>, level: c_int, name: c_int, v: c_int) -> io::Result<()> {
    setsockopt(fd, level, name, &v)
}

/// `getsockopt(fd, level, name, &int)`.
pub(crate) fn get_int(fd: BorrowedFd<'_>, level: c_int, name: c_int) -> io::Result<c_int> {
    getsockopt(fd, level, name)
}

/// `setsockopt(fd, IPPROTO_TCP, TCP_MD5SIG, cmd)`.
pub(crate) fn set_md5sig(fd: BorrowedFd<'_>, cmd: &TcpMd5Sig) -> io::Result<()> {
    setsockopt(fd, libc::IPPROTO_TCP, TCP_MD5SIG, cmd)
}

/// `setsockopt(fd, IPPROTO_TCP, TCP_AO_ADD_KEY, cmd)`.
pub(crate) fn ao_add_key(fd: BorrowedFd<'_>, cmd: &TcpAoAdd) -> io::Result<()> {
    setsockopt(fd, libc::IPPROTO_TCP, TCP_AO_ADD_KEY, cmd)
}

/// `setsockopt(fd, IPPROTO_TCP, TCP_AO_DEL_KEY, cmd)`.
pub(crate) fn ao_del_key(fd: BorrowedFd<'_>, cmd: &TcpAoDel) -> io::Result<()> {
    setsockopt(fd, libc::IPPROTO_TCP, TCP_AO_DEL_KEY, cmd)
}

/// `getsockopt(fd, IPPROTO_TCP, TCP_AO_INFO)`.
pub(crate) fn ao_info(fd: BorrowedFd<'_>) -> io::Result<TcpAoInfoOpt> {
    getsockopt(fd, libc::IPPROTO_TCP, TCP_AO_INFO)
}

/// Overwrites key material with zeroes in a way the optimiser may not
/// remove (the buffer is about to be freed or dropped).
pub(crate) fn wipe(buf: &mut [u8]) {
    for b in buf.iter_mut() {
        // SAFETY: `b` is a valid, aligned, exclusive reference to a `u8`.
        unsafe { std::ptr::write_volatile(b, 0) };
    }
    std::sync::atomic::compiler_fence(std::sync::atomic::Ordering::SeqCst);
}

// Layout checks against linux/tcp.h (x86-64/aarch64: 4-byte int, 8-byte
// pointer alignment for __kernel_sockaddr_storage).
const _: () = {
    use std::mem::{align_of, offset_of};
    assert!(size_of::<KernelSockaddr>() == 128);
    assert!(align_of::<KernelSockaddr>() == 8);

    assert!(size_of::<TcpMd5Sig>() == 216);
    assert!(offset_of!(TcpMd5Sig, flags) == 128);
    assert!(offset_of!(TcpMd5Sig, prefixlen) == 129);
    assert!(offset_of!(TcpMd5Sig, keylen) == 130);
    assert!(offset_of!(TcpMd5Sig, ifindex) == 132);
    assert!(offset_of!(TcpMd5Sig, key) == 136);

    assert!(size_of::<TcpAoAdd>() == 288);
    assert!(offset_of!(TcpAoAdd, alg_name) == 128);
    assert!(offset_of!(TcpAoAdd, ifindex) == 192);
    assert!(offset_of!(TcpAoAdd, flags) == 196);
    assert!(offset_of!(TcpAoAdd, reserved2) == 200);
    assert!(offset_of!(TcpAoAdd, prefix) == 202);
    assert!(offset_of!(TcpAoAdd, sndid) == 203);
    assert!(offset_of!(TcpAoAdd, rcvid) == 204);
    assert!(offset_of!(TcpAoAdd, maclen) == 205);
    assert!(offset_of!(TcpAoAdd, keyflags) == 206);
    assert!(offset_of!(TcpAoAdd, keylen) == 207);
    assert!(offset_of!(TcpAoAdd, key) == 208);

    assert!(size_of::<TcpAoDel>() == 144);
    assert!(offset_of!(TcpAoDel, ifindex) == 128);
    assert!(offset_of!(TcpAoDel, flags) == 132);
    assert!(offset_of!(TcpAoDel, reserved2) == 136);
    assert!(offset_of!(TcpAoDel, prefix) == 138);
    assert!(offset_of!(TcpAoDel, sndid) == 139);
    assert!(offset_of!(TcpAoDel, rcvid) == 140);
    assert!(offset_of!(TcpAoDel, current_key) == 141);
    assert!(offset_of!(TcpAoDel, rnext) == 142);
    assert!(offset_of!(TcpAoDel, keyflags) == 143);

    assert!(size_of::<TcpAoInfoOpt>() == 48);
    assert!(offset_of!(TcpAoInfoOpt, current_key) == 6);
    assert!(offset_of!(TcpAoInfoOpt, rnext) == 7);
    assert!(offset_of!(TcpAoInfoOpt, pkt_good) == 8);
    assert!(offset_of!(TcpAoInfoOpt, pkt_dropped_icmp) == 40);
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn socket_sockaddr_v4_image_matches_sockaddr_in() {
        let sa = KernelSockaddr::v4(Ipv4Addr::new(192, 0, 2, 7));
        assert_eq!(sa.family(), libc::AF_INET as u16);
        assert_eq!(&sa.as_bytes()[2..4], &[0, 0], "port must be 0");
        assert_eq!(&sa.as_bytes()[4..8], &[192, 0, 2, 7]);
        assert!(sa.as_bytes()[8..].iter().all(|&b| b == 0));
    }

    #[test]
    fn socket_sockaddr_v6_image_matches_sockaddr_in6() {
        let ip: Ipv6Addr = "2001:db8::1".parse().expect("literal");
        let sa = KernelSockaddr::v6(ip);
        assert_eq!(sa.family(), libc::AF_INET6 as u16);
        assert_eq!(&sa.as_bytes()[2..8], &[0; 6], "port and flowinfo 0");
        assert_eq!(&sa.as_bytes()[8..24], &ip.octets());
        assert!(sa.as_bytes()[24..].iter().all(|&b| b == 0));
    }

    #[test]
    fn socket_wipe_zeroes_buffer() {
        let mut buf = *b"hunter2";
        wipe(&mut buf);
        assert_eq!(buf, [0; 7]);
    }

    #[test]
    fn socket_int_option_roundtrip() {
        let s = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None)
            .expect("socket");
        use std::os::fd::AsFd;
        set_int(s.as_fd(), libc::IPPROTO_IP, libc::IP_TTL, 77).expect("set");
        assert_eq!(
            get_int(s.as_fd(), libc::IPPROTO_IP, libc::IP_TTL).expect("get"),
            77
        );
    }
}
