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

/// Decodes a run of prefixes of one address family, appending to `out`.
/// Host bits beyond the prefix length are cleared (RFC 4271 §4.3 makes them
/// irrelevant), so re-encoding yields the canonical form.
pub fn decode_prefixes(
    buf: &[u8],
    afi: Afi,
    add_path: bool,
    out: &mut Vec<Nlri>,
) -> Result<(), NlriError> {
    let max_len: u8 = if afi == Afi::IPV4 { 32 } else { 128 };
    let mut i = 0;
    // Every entry takes at least one octet: reserve accordingly but bounded by input.
    out.reserve(buf.len().min(4096) / if add_path { 6 } else { 3 });
    while i < buf.len() {
        let start = i;
        let path_id = if add_path {
            let Some(b) = buf.get(i..i + 4) else {
                return Err(NlriError {
                    offset: start,
                    reason: "truncated path identifier",
                });
            };
            i += 4;
            Some(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
        } else {
            None
        };
        let Some(&len) = buf.get(i) else {
            return Err(NlriError {
                offset: start,
                reason: "missing prefix length",
            });
        };
        i += 1;
        if len > max_len {
            return Err(NlriError {
                offset: start,
                reason: "prefix length exceeds the address width",
            });
        }
        let n = (len as usize).div_ceil(8);
        let Some(bytes) = buf.get(i..i + n) else {
            return Err(NlriError {
                offset: start,
                reason: "prefix overruns the field",
            });
        };
        i += n;
        let prefix = if afi == Afi::IPV4 {
            let mut a = [0u8; 4];
            a[..n].copy_from_slice(bytes);
            let v = u32::from_be_bytes(a) & crate::types::mask32(len);
            Prefix::V4(Ipv4Addr::from(v), len)
        } else {
            let mut a = [0u8; 16];
            a[..n].copy_from_slice(bytes);
            let v = u128::from_be_bytes(a) & crate::types::mask128(len);
            Prefix::V6(Ipv6Addr::from(v), len)
        };
        out.push(Nlri { path_id, prefix });
    }
    Ok(())
}

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
    fn host_bits_are_cleared() {
        let mut out = Vec::new();
        decode_prefixes(&[23, 192, 0, 3], Afi::IPV4, false, &mut out).unwrap();
        assert_eq!(out[0].prefix.to_string(), "192.0.2.0/23");
    }
}
