//! A bounds-checked reader over a record body: every read either returns the
//! value or a short description of what was missing, never panics.

use bytes::Bytes;
use condor_wire::{Prefix, PrefixError};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Reads big-endian fields from a body, tracking the position.
pub(crate) struct Cursor {
    buf: Bytes,
    pos: usize,
}

/// Why a read failed, in words (turned into [`crate::MrtError::Malformed`]).
pub(crate) type ReadResult<T> = Result<T, String>;

impl Cursor {
    pub(crate) fn new(buf: Bytes) -> Cursor {
        Cursor { buf, pos: 0 }
    }

    pub(crate) fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// The next `n` octets, shared with the record body (no copy).
    pub(crate) fn take(&mut self, n: usize, what: &str) -> ReadResult<Bytes> {
        if self.remaining() < n {
            return Err(format!(
                "{what}: need {n} octets at body offset {}, only {} left",
                self.pos,
                self.remaining()
            ));
        }
        let b = self.buf.slice(self.pos..self.pos + n);
        self.pos += n;
        Ok(b)
    }

    /// Everything left.
    pub(crate) fn rest(&mut self) -> Bytes {
        let b = self.buf.slice(self.pos..);
        self.pos = self.buf.len();
        b
    }

    fn array<const N: usize>(&mut self, what: &str) -> ReadResult<[u8; N]> {
        let b = self.take(N, what)?;
        let mut a = [0u8; N];
        a.copy_from_slice(&b);
        Ok(a)
    }

    pub(crate) fn u8(&mut self, what: &str) -> ReadResult<u8> {
        Ok(self.array::<1>(what)?[0])
    }

    pub(crate) fn u16(&mut self, what: &str) -> ReadResult<u16> {
        Ok(u16::from_be_bytes(self.array(what)?))
    }

    pub(crate) fn u32(&mut self, what: &str) -> ReadResult<u32> {
        Ok(u32::from_be_bytes(self.array(what)?))
    }

    pub(crate) fn ipv4(&mut self, what: &str) -> ReadResult<Ipv4Addr> {
        Ok(Ipv4Addr::from(self.array::<4>(what)?))
    }

    pub(crate) fn ipv6(&mut self, what: &str) -> ReadResult<Ipv6Addr> {
        Ok(Ipv6Addr::from(self.array::<16>(what)?))
    }

    /// An address of the family given by an MRT AFI field (1 = IPv4, 2 = IPv6).
    pub(crate) fn ip_of_afi(&mut self, afi: u16, what: &str) -> ReadResult<IpAddr> {
        match afi {
            1 => Ok(IpAddr::V4(self.ipv4(what)?)),
            2 => Ok(IpAddr::V6(self.ipv6(what)?)),
            _ => Err(format!("{what}: unknown address family {afi}")),
        }
    }

    /// A prefix as NLRI encodes it (length octet, then the significant
    /// octets), for IPv4 (`v6 == false`) or IPv6. Host bits beyond the
    /// length are cleared.
    pub(crate) fn nlri_prefix(&mut self, v6: bool, what: &str) -> ReadResult<Prefix> {
        let len = self.u8(what)?;
        let max = if v6 { 128 } else { 32 };
        if len > max {
            return Err(format!("{what}: prefix length {len} exceeds {max}"));
        }
        let n = (len as usize).div_ceil(8);
        let octets = self.take(n, what)?;
        let addr = if v6 {
            let mut a = [0u8; 16];
            a[..n].copy_from_slice(&octets);
            IpAddr::V6(Ipv6Addr::from(a))
        } else {
            let mut a = [0u8; 4];
            a[..n].copy_from_slice(&octets);
            IpAddr::V4(Ipv4Addr::from(a))
        };
        Prefix::new(addr, len).map_err(|e: PrefixError| format!("{what}: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_are_bounds_checked() {
        let mut c = Cursor::new(Bytes::from_static(&[0, 1, 0, 0, 0, 2, 24, 192, 0, 2, 99]));
        assert_eq!(c.u16("a").unwrap(), 1);
        assert_eq!(c.u32("b").unwrap(), 2);
        assert_eq!(
            c.nlri_prefix(false, "p").unwrap().to_string(),
            "192.0.2.0/24"
        );
        assert_eq!(c.remaining(), 1);
        assert!(c.u16("c").unwrap_err().contains("need 2 octets"));
        // A failed read consumes nothing.
        assert_eq!(c.u8("d").unwrap(), 99);
        assert!(c.u8("e").is_err());
    }

    #[test]
    fn prefix_length_is_checked() {
        let mut c = Cursor::new(Bytes::from_static(&[33, 1, 2, 3, 4, 5]));
        assert!(c
            .nlri_prefix(false, "p")
            .unwrap_err()
            .contains("exceeds 32"));
        let mut c = Cursor::new(Bytes::from_static(&[24, 1, 2]));
        assert!(c.nlri_prefix(false, "p").is_err());
        let mut c = Cursor::new(Bytes::from_static(&[0]));
        assert_eq!(c.nlri_prefix(true, "p").unwrap().to_string(), "::/0");
    }
}
