//! Bogon prefixes and ASNs: what must never be routed between members.
//!
//! Prefixes: the IANA IPv4 and IPv6 Special-Purpose Address Registries
//! (RFC 6890 and its updates) for the ranges that are not globally
//! reachable, multicast and reserved space, and for IPv6 anything outside
//! the global unicast range 2000::/3. A prefix is a bogon when it lies
//! inside a bogon range or covers one (a /7 that swallows 10/8 is no
//! better than 10/8).
//!
//! ASNs: 0 (RFC 7607), AS_TRANS 23456 (RFC 6793), documentation (RFC 5398),
//! private use (RFC 6996), 65535 and 4294967295 (RFC 7300), and the IANA
//! reserved block 65552–131071.

use condor_wire::{Asn, Prefix};
use std::net::{Ipv4Addr, Ipv6Addr};

/// IPv4 special-purpose ranges that are not globally routable.
const V4: &[(Ipv4Addr, u8)] = &[
    (Ipv4Addr::new(0, 0, 0, 0), 8),       // "this network" (RFC 791)
    (Ipv4Addr::new(10, 0, 0, 0), 8),      // private (RFC 1918)
    (Ipv4Addr::new(100, 64, 0, 0), 10),   // shared address space (RFC 6598)
    (Ipv4Addr::new(127, 0, 0, 0), 8),     // loopback (RFC 1122)
    (Ipv4Addr::new(169, 254, 0, 0), 16),  // link local (RFC 3927)
    (Ipv4Addr::new(172, 16, 0, 0), 12),   // private (RFC 1918)
    (Ipv4Addr::new(192, 0, 0, 0), 24),    // IETF protocol assignments (RFC 6890)
    (Ipv4Addr::new(192, 0, 2, 0), 24),    // TEST-NET-1 (RFC 5737)
    (Ipv4Addr::new(192, 88, 99, 0), 24),  // 6to4 relay anycast, deprecated (RFC 7526)
    (Ipv4Addr::new(192, 168, 0, 0), 16),  // private (RFC 1918)
    (Ipv4Addr::new(198, 18, 0, 0), 15),   // benchmarking (RFC 2544)
    (Ipv4Addr::new(198, 51, 100, 0), 24), // TEST-NET-2 (RFC 5737)
    (Ipv4Addr::new(203, 0, 113, 0), 24),  // TEST-NET-3 (RFC 5737)
    (Ipv4Addr::new(224, 0, 0, 0), 4),     // multicast (RFC 5771)
    (Ipv4Addr::new(240, 0, 0, 0), 4),     // reserved, incl. broadcast (RFC 1112)
];

/// IPv6 ranges inside 2000::/3 that are not globally routable.
const V6: &[(Ipv6Addr, u8)] = &[
    (Ipv6Addr::new(0x2001, 0, 0, 0, 0, 0, 0, 0), 32), // Teredo (RFC 4380)
    (Ipv6Addr::new(0x2001, 0x2, 0, 0, 0, 0, 0, 0), 48), // benchmarking (RFC 5180)
    (Ipv6Addr::new(0x2001, 0x10, 0, 0, 0, 0, 0, 0), 28), // ORCHID, deprecated (RFC 4843)
    (Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0), 32), // documentation (RFC 3849)
    (Ipv6Addr::new(0x2002, 0, 0, 0, 0, 0, 0, 0), 16), // 6to4 (RFC 3056)
    (Ipv6Addr::new(0x3ffe, 0, 0, 0, 0, 0, 0, 0), 16), // old 6bone (RFC 3701)
    (Ipv6Addr::new(0x3fff, 0, 0, 0, 0, 0, 0, 0), 20), // documentation (RFC 9637)
];

fn v4_overlaps(addr: Ipv4Addr, len: u8, (b, blen): (Ipv4Addr, u8)) -> bool {
    let l = len.min(blen);
    let mask = if l == 0 { 0 } else { u32::MAX << (32 - l) };
    u32::from(addr) & mask == u32::from(b) & mask
}

fn v6_overlaps(addr: Ipv6Addr, len: u8, (b, blen): (Ipv6Addr, u8)) -> bool {
    let l = len.min(blen);
    let mask = if l == 0 { 0 } else { u128::MAX << (128 - l) };
    u128::from(addr) & mask == u128::from(b) & mask
}

/// True when `p` is inside or covers a bogon range.
pub fn is_bogon_prefix(p: &Prefix) -> bool {
    match *p {
        Prefix::V4(a, len) => V4.iter().any(|&b| v4_overlaps(a, len, b)),
        Prefix::V6(a, len) => {
            // Outside (or covering more than) global unicast 2000::/3.
            if len < 3 || u128::from(a) >> 125 != 1 {
                return true;
            }
            V6.iter().any(|&b| v6_overlaps(a, len, b))
        }
    }
}

/// True when `asn` must never appear in a path between members.
pub fn is_bogon_asn(asn: Asn) -> bool {
    matches!(asn.0,
        0
        | 23456
        | 64496..=64511
        | 64512..=65534
        | 65535
        | 65536..=65551
        | 65552..=131071
        | 4_200_000_000..=4_294_967_294
        | 4_294_967_295)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Prefix {
        let (a, l) = s.split_once('/').expect("prefix");
        Prefix::new(a.parse().expect("addr"), l.parse().expect("len")).expect("valid")
    }

    #[test]
    fn special_purpose_v4() {
        for b in [
            "10.0.0.0/8",
            "10.1.0.0/16",
            "192.168.1.0/24",
            "100.64.0.0/10",
            "100.127.0.0/16",
            "127.0.0.0/8",
            "0.0.0.0/0",
            "0.0.0.0/8",
            "198.18.0.0/15",
            "198.19.255.0/24",
            "224.0.0.0/4",
            "240.0.0.0/4",
            "203.0.113.0/24",
            "8.0.0.0/6", // covers nothing bogon? 8/6 = 8.0.0.0-11.255.255.255 covers 10/8
        ] {
            assert!(is_bogon_prefix(&p(b)), "{b} is a bogon");
        }
        for ok in [
            "45.183.47.0/24",
            "8.8.8.0/24",
            "100.128.0.0/16",
            "172.32.0.0/16",
            "1.1.1.0/24",
        ] {
            assert!(!is_bogon_prefix(&p(ok)), "{ok} is routable");
        }
    }

    #[test]
    fn special_purpose_v6() {
        for b in [
            "::/0",
            "::/8",
            "fe80::/10",
            "fc00::/7",
            "ff02::/16",
            "2001:db8::/32",
            "2001:db8:1::/48",
            "2002::/16",
            "3fff::/20",
            "4000::/3",
            "2000::/2",
        ] {
            assert!(is_bogon_prefix(&p(b)), "{b} is a bogon");
        }
        for ok in [
            "2803:cd60::/32",
            "2803:cd60:6411:5::/64",
            "2001:4860::/32",
            "2a00::/12",
        ] {
            assert!(!is_bogon_prefix(&p(ok)), "{ok} is routable");
        }
    }

    #[test]
    fn asns() {
        for b in [
            0,
            23456,
            64496,
            64511,
            64512,
            65000,
            65534,
            65535,
            65536,
            65551,
            100_000,
            4_200_000_000,
            u32::MAX,
        ] {
            assert!(is_bogon_asn(Asn(b)), "AS{b}");
        }
        for ok in [1, 3356, 64115, 64495, 131072, 262_589, 4_199_999_999] {
            assert!(!is_bogon_asn(Asn(ok)), "AS{ok}");
        }
    }

    #[test]
    fn agrees_with_the_shared_bogon_list() {
        // Team Cymru's fullbogons list also lists unallocated space; every
        // special-purpose range of ours must be in it, or covered by it, or
        // (192.88.99.0/24, deprecated rather than unallocated) in the bogon
        // list arouteserver ships.
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/data/06-bogons"
        );
        let Ok(dir) = std::fs::read_dir(path) else {
            eprintln!("skipped: {path} absent (../shared data not checked out)");
            return;
        };
        let mut list = Vec::new();
        for e in dir.flatten() {
            let name = e.file_name().to_string_lossy().to_string();
            if !(name.contains("fullbogons-ipv4") && name.ends_with(".txt")) {
                continue;
            }
            let text = std::fs::read_to_string(e.path()).expect("read");
            list.extend(
                text.lines()
                    .filter(|l| !l.starts_with('#') && l.contains('/'))
                    .map(|l| p(l.trim())),
            );
        }
        if list.is_empty() {
            eprintln!("skipped: no fullbogons-ipv4 text list in {path}");
            return;
        }
        let ars =
            std::fs::read_to_string(format!("{path}/arouteserver__bogons.yml")).unwrap_or_default();
        for &(a, l) in V4 {
            let ours = Prefix::V4(a, l);
            assert!(
                list.iter().any(|c| c.contains(&ours) || ours.contains(c))
                    || ars.contains(&format!("prefix: \"{a}\"")),
                "{a}/{l} not in the fullbogons list"
            );
        }
    }
}
