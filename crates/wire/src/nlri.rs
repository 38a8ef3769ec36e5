//! NLRI encoding (RFC 4271 §4.3, RFC 4760 §5) with optional ADD-PATH path
//! identifiers (RFC 7911 §3): `[path id (4)] length (1) prefix (ceil(len/8))`.

use crate::{Afi, Nlri, Prefix};
use std::net::{Ipv4Addr, Ipv6Addr};

/// Why an NLRI field could not be parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NlriError {
    /// Offset of the bad entry inside the field.
    pub offset: usize,
    /// What was wrong.
    pub reason: &'static str,
}

/// Checks a run of prefixes of one address family without decoding them:
/// every entry has its path identifier (with `add_path`), its length octet,
/// a length within the address width, and its octets inside `buf`. Returns
/// how many entries there are; [`NlriIter`] then reads them.
pub fn validate_prefixes(buf: &[u8], afi: Afi, add_path: bool) -> Result<usize, NlriError> {
    let max_len: u8 = if afi == Afi::IPV4 { 32 } else { 128 };
    let id_len = if add_path { 4 } else { 0 };
    let mut i = 0;
    let mut count = 0;
    while i < buf.len() {
        let start = i;
        if buf.len() - i < id_len {
            return Err(NlriError {
                offset: start,
                reason: "truncated path identifier",
            });
        }
        i += id_len;
        let Some(&len) = buf.get(i) else {
            return Err(NlriError {
                offset: start,
                reason: "missing prefix length",
            });
        };
        if len > max_len {
            return Err(NlriError {
                offset: start,
                reason: "prefix length exceeds the address width",
            });
        }
        i += 1 + (len as usize).div_ceil(8);
        if i > buf.len() {
            return Err(NlriError {
                offset: start,
                reason: "prefix overruns the field",
            });
        }
        count += 1;
    }
    Ok(count)
}

/// Decodes a run of prefixes of one address family, appending to `out`
/// (nothing is appended when the run is malformed). Host bits beyond the
/// prefix length are cleared (RFC 4271 §4.3 makes them irrelevant), so
/// re-encoding yields the canonical form.
pub fn decode_prefixes(
    buf: &[u8],
    afi: Afi,
    add_path: bool,
    out: &mut Vec<Nlri>,
) -> Result<(), NlriError> {
    let count = validate_prefixes(buf, afi, add_path)?;
    out.extend(NlriIter::new(buf, afi, add_path, count));
    Ok(())
}

/// The prefixes of an NLRI field that [`validate_prefixes`] accepted, decoded
/// one by one as they are read (host bits cleared). Allocation-free.
#[derive(Clone, Debug, Default)]
pub struct NlriIter<'a> {
    /// The field, and before it whatever octets precede it in the message:
    /// those are read (never decoded) so that every prefix is loaded in one
    /// go, as the last octets of a window that ends where the prefix ends.
    data: &'a [u8],
    /// Where the next entry starts in `data`.
    pos: usize,
    v6: bool,
    add_path: bool,
    remaining: usize,
}

impl<'a> NlriIter<'a> {
    /// Reads `count` entries of a field already checked by
    /// [`validate_prefixes`] with the same `afi` and `add_path`. Should the
    /// field be malformed after all, iteration stops at the bad entry.
    pub(crate) fn new(buf: &'a [u8], afi: Afi, add_path: bool, count: usize) -> NlriIter<'a> {
        NlriIter::within(buf, 0, afi, add_path, count)
    }

    /// The same for the field `data[at..]`, where `data` also holds whatever
    /// the message has before the field.
    pub(crate) fn within(
        data: &'a [u8],
        at: usize,
        afi: Afi,
        add_path: bool,
        count: usize,
    ) -> NlriIter<'a> {
        NlriIter {
            data,
            pos: at,
            v6: afi != Afi::IPV4,
            add_path,
            remaining: count,
        }
    }

    /// The undecoded octets still to be read.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.data.get(self.pos..).unwrap_or_default()
    }

    fn stop(&mut self) -> Option<Nlri> {
        self.remaining = 0;
        self.pos = self.data.len();
        None
    }
}

/// The `N` octets of `data` that end at `end` (which is within `data`);
/// when fewer than `N` octets precede `end` (a field given on its own), the
/// ones there are, zero-padded in front.
#[inline]
fn window<const N: usize>(data: &[u8], end: usize) -> [u8; N] {
    let Some(before) = data.get(..end) else {
        return [0; N];
    };
    match before.last_chunk::<N>() {
        Some(w) => *w,
        None => {
            let mut a = [0u8; N];
            a[N - before.len()..].copy_from_slice(before);
            a
        }
    }
}

impl Iterator for NlriIter<'_> {
    type Item = Nlri;

    #[inline]
    fn next(&mut self) -> Option<Nlri> {
        if self.remaining == 0 {
            return None;
        }
        let mut p = self.pos;
        let path_id = if self.add_path {
            let Some(&id) = self.data.get(p..).and_then(|b| b.first_chunk::<4>()) else {
                return self.stop();
            };
            p += 4;
            Some(u32::from_be_bytes(id))
        } else {
            None
        };
        let Some(&len) = self.data.get(p) else {
            return self.stop();
        };
        let n = (len as usize).div_ceil(8);
        let end = p + 1 + n;
        if end > self.data.len() || len > if self.v6 { 128 } else { 32 } {
            return self.stop();
        }
        // The prefix octets end the window: shifting them to the top drops
        // the octets before them, the mask clears the bits beyond the
        // length. (A zero-length prefix shifts by the full width, which
        // wraps to no shift; the mask then clears everything.)
        let prefix = if self.v6 {
            let shift = 8 * (16 - n) as u32;
            let v = u128::from_be_bytes(window::<16>(self.data, end)).wrapping_shl(shift);
            Prefix::V6(Ipv6Addr::from(v & crate::types::mask128(len)), len)
        } else {
            let shift = 8 * (4 - n) as u32;
            let v = u32::from_be_bytes(window::<4>(self.data, end)).wrapping_shl(shift);
            Prefix::V4(Ipv4Addr::from(v & crate::types::mask32(len)), len)
        };
        self.pos = end;
        self.remaining -= 1;
        Some(Nlri { path_id, prefix })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}

impl ExactSizeIterator for NlriIter<'_> {}

impl std::iter::FusedIterator for NlriIter<'_> {}

/// Octets one NLRI entry takes on the wire.
pub fn encoded_len(nlri: &Nlri, add_path: bool) -> usize {
    (if add_path { 4 } else { 0 }) + 1 + (nlri.prefix.len() as usize).div_ceil(8)
}

/// Appends one NLRI entry. With `add_path`, a missing path id is sent as 0.
pub fn encode_prefix(nlri: &Nlri, add_path: bool, out: &mut Vec<u8>) {
    if add_path {
        out.extend_from_slice(&nlri.path_id.unwrap_or(0).to_be_bytes());
    }
    out.push(nlri.prefix.len());
    out.extend_from_slice(&nlri.prefix.significant_octets());
}

/// Appends a run of NLRI entries.
pub fn encode_prefixes(nlri: &[Nlri], add_path: bool, out: &mut Vec<u8>) {
    for n in nlri {
        encode_prefix(n, add_path, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Nlri {
        Nlri::new(s.parse().unwrap())
    }

    #[test]
    fn decodes_v4_and_v6_runs() {
        let buf = [24, 45, 183, 47, 0, 32, 192, 0, 2, 1];
        let mut out = Vec::new();
        decode_prefixes(&buf, Afi::IPV4, false, &mut out).unwrap();
        assert_eq!(
            out,
            vec![p("45.183.47.0/24"), p("0.0.0.0/0"), p("192.0.2.1/32")]
        );
        let buf6 = [48, 0x28, 0x03, 0xcd, 0x60, 0x64, 0x11, 0];
        out.clear();
        decode_prefixes(&buf6, Afi::IPV6, false, &mut out).unwrap();
        assert_eq!(out, vec![p("2803:cd60:6411::/48"), p("::/0")]);
    }

    #[test]
    fn add_path_ids() {
        let buf = [0, 0, 0, 7, 8, 10];
        let mut out = Vec::new();
        decode_prefixes(&buf, Afi::IPV4, true, &mut out).unwrap();
        assert_eq!(
            out,
            vec![Nlri {
                path_id: Some(7),
                prefix: "10.0.0.0/8".parse().unwrap()
            }]
        );
        let mut enc = Vec::new();
        encode_prefixes(&out, true, &mut enc);
        assert_eq!(enc, buf);
    }

    #[test]
    fn errors_name_the_offset() {
        let mut out = Vec::new();
        assert_eq!(
            decode_prefixes(&[8, 10, 33, 1, 2, 3, 4], Afi::IPV4, false, &mut out)
                .unwrap_err()
                .offset,
            2
        );
        assert_eq!(
            decode_prefixes(&[24, 10, 1], Afi::IPV4, false, &mut out)
                .unwrap_err()
                .reason,
            "prefix overruns the field"
        );
        assert!(decode_prefixes(&[129], Afi::IPV6, false, &mut out).is_err());
        assert!(decode_prefixes(&[0, 0, 1], Afi::IPV4, true, &mut out).is_err());
    }

    #[test]
    fn iterator_reads_short_tails_and_every_width() {
        // A /7 at the very end (one octet left: the slow path, host bit
        // cleared) after a /32 (four octets readable at once), then an IPv6
        // /0 and /128.
        let buf = [32, 192, 0, 2, 1, 7, 0xff];
        assert_eq!(validate_prefixes(&buf, Afi::IPV4, false), Ok(2));
        let got: Vec<Nlri> = NlriIter::new(&buf, Afi::IPV4, false, 2).collect();
        assert_eq!(got, vec![p("192.0.2.1/32"), p("254.0.0.0/7")]);
        let mut v6 = vec![0, 128];
        v6.extend_from_slice(&[0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
        assert_eq!(validate_prefixes(&v6, Afi::IPV6, false), Ok(2));
        let it = NlriIter::new(&v6, Afi::IPV6, false, 2);
        assert_eq!(it.len(), 2);
        assert_eq!(
            it.collect::<Vec<_>>(),
            vec![p("::/0"), p("2001:db8::1/128")]
        );
    }

    #[test]
    fn iterator_stops_on_a_field_it_was_not_given_validated() {
        // Claimed three entries, the second overruns: one is read, then none.
        let mut it = NlriIter::new(&[8, 10, 24, 1], Afi::IPV4, false, 3);
        assert_eq!(it.next(), Some(p("10.0.0.0/8")));
        assert_eq!(it.next(), None);
        assert_eq!(it.len(), 0);
        let mut bad_len = NlriIter::new(&[33, 1, 2, 3, 4, 5], Afi::IPV4, false, 1);
        assert_eq!(bad_len.next(), None);
    }

    #[test]
    fn decode_appends_nothing_on_error() {
        let mut out = vec![p("10.0.0.0/8")];
        assert!(decode_prefixes(&[8, 10, 24, 1], Afi::IPV4, false, &mut out).is_err());
        assert_eq!(out.len(), 1);
    }

    #[test]
    fn every_length_reads_the_same_alone_and_within_a_message() {
        // Each IPv4 and IPv6 length as the only entry of a field given on
        // its own (fewer octets before the prefix end than a load takes)
        // and of a field preceded by other octets of the message.
        for (afi, max) in [(Afi::IPV4, 32u8), (Afi::IPV6, 128)] {
            for len in 0..=max {
                let n = (len as usize).div_ceil(8);
                let mut field = vec![len];
                field.extend((0..n).map(|i| 0xf0 | i as u8));
                let mut a = [0u8; 16];
                a[..n].copy_from_slice(&field[1..]);
                let addr: std::net::IpAddr = if afi == Afi::IPV4 {
                    Ipv4Addr::new(a[0], a[1], a[2], a[3]).into()
                } else {
                    Ipv6Addr::from(a).into()
                };
                let want = vec![Nlri::new(Prefix::new(addr, len).unwrap())];
                let alone: Vec<Nlri> = NlriIter::new(&field, afi, false, 1).collect();
                assert_eq!(alone, want, "/{len} alone");
                let mut msg = vec![0xaa; 20];
                msg.extend_from_slice(&field);
                let within: Vec<Nlri> = NlriIter::within(&msg, 20, afi, false, 1).collect();
                assert_eq!(within, want, "/{len} within");
            }
        }
    }

    #[test]
    fn host_bits_are_cleared() {
        let mut out = Vec::new();
        decode_prefixes(&[23, 192, 0, 3], Afi::IPV4, false, &mut out).unwrap();
        assert_eq!(out[0].prefix.to_string(), "192.0.2.0/23");
    }
}
