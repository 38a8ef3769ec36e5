//! The prefix allocator: a numbering of non-bogon IPv4 /24s.
//!
//! Index `0` is `1.0.0.0/24`; each next index is the next /24 upward that is
//! not in a special-purpose or otherwise unroutable range (RFC 6890 and its
//! IANA registry, RFC 1918, RFC 6598, RFC 5737, RFC 2544, RFC 3068/7526,
//! multicast and class E). The mapping is a bijection between
//! `0..CAPACITY` and the allowed /24s, computable both ways in a few
//! comparisons and without allocation, so a simulated peer can tell from a
//! received prefix alone which peer announced it (see [`crate::plan`]).
//!
//! /24 is the most common prefix length in the IPv4 table (more than half of
//! it) and the longest that route servers accept, so every benchmark prefix
//! is a /24.

use std::net::Ipv4Addr;

/// A range of /24 numbers (`address >> 8`), end exclusive.
#[derive(Clone, Copy, Debug)]
struct Range24 {
    start: u32,
    end: u32,
}

/// `a.b.c.0/len` as a range of /24 numbers (len at most 24).
const fn r(a: u32, b: u32, c: u32, len: u32) -> Range24 {
    let start = (a << 16) | (b << 8) | c;
    Range24 {
        start,
        end: start + (1 << (24 - len)),
    }
}

/// The excluded ranges, sorted and disjoint (checked by a test).
const EXCLUDED: [Range24; 14] = [
    r(0, 0, 0, 8),       // "this network" (RFC 791)
    r(10, 0, 0, 8),      // private (RFC 1918)
    r(100, 64, 0, 10),   // shared address space (RFC 6598)
    r(127, 0, 0, 8),     // loopback
    r(169, 254, 0, 16),  // link local (RFC 3927)
    r(172, 16, 0, 12),   // private (RFC 1918)
    r(192, 0, 0, 24),    // IETF protocol assignments (RFC 6890)
    r(192, 0, 2, 24),    // TEST-NET-1 (RFC 5737)
    r(192, 88, 99, 24),  // 6to4 relay anycast (RFC 3068, deprecated by RFC 7526)
    r(192, 168, 0, 16),  // private (RFC 1918)
    r(198, 18, 0, 15),   // benchmarking (RFC 2544); our next hops live here
    r(198, 51, 100, 24), // TEST-NET-2 (RFC 5737)
    r(203, 0, 113, 24),  // TEST-NET-3 (RFC 5737)
    Range24 {
        start: 224 << 16,
        end: 1 << 24,
    }, // multicast, class E, broadcast
];

/// First /24 number handed out: 1.0.0.0/24.
const FIRST: u32 = 1 << 16;

/// Number of /24s the allocator can hand out.
pub const CAPACITY: u32 = {
    let mut n = (1 << 24) - FIRST;
    let mut i = 0;
    while i < EXCLUDED.len() {
        if EXCLUDED[i].end > FIRST {
            let s = if EXCLUDED[i].start > FIRST {
                EXCLUDED[i].start
            } else {
                FIRST
            };
            n -= EXCLUDED[i].end - s;
        }
        i += 1;
    }
    n
};

/// The network address of the /24 with index `index`, or `None` past
/// [`CAPACITY`].
pub fn prefix_at(index: u32) -> Option<Ipv4Addr> {
    if index >= CAPACITY {
        return None;
    }
    let mut n = FIRST + index;
    for ex in EXCLUDED.iter().filter(|e| e.end > FIRST) {
        if n >= ex.start.max(FIRST) {
            n += ex.end - ex.start.max(FIRST);
        }
    }
    Some(Ipv4Addr::from(n << 8))
}

/// The index of the /24 whose network address is `addr`, or `None` when
/// `addr` is not the start of an allocatable /24.
pub fn index_of(addr: Ipv4Addr) -> Option<u32> {
    let a = u32::from(addr);
    if a & 0xff != 0 {
        return None;
    }
    let n = a >> 8;
    if n < FIRST {
        return None;
    }
    let mut skipped = 0;
    for ex in &EXCLUDED {
        if n >= ex.end {
            skipped += ex.end.saturating_sub(ex.start.max(FIRST));
        } else if n >= ex.start {
            return None;
        }
    }
    Some(n - FIRST - skipped)
}

#[cfg(test)]
mod tests {
    use super::*;
    use condor_wire::Prefix;
    use std::net::IpAddr;

    /// The special-purpose ranges, written independently of `EXCLUDED`.
    const BOGONS: [&str; 14] = [
        "0.0.0.0/8",
        "10.0.0.0/8",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "172.16.0.0/12",
        "192.0.0.0/24",
        "192.0.2.0/24",
        "192.88.99.0/24",
        "192.168.0.0/16",
        "198.18.0.0/15",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "224.0.0.0/3",
    ];

    fn bogons() -> Vec<Prefix> {
        BOGONS.iter().map(|s| s.parse().expect("literal")).collect()
    }

    fn is_bogon(a: Ipv4Addr) -> bool {
        bogons().iter().any(|b| b.contains_addr(IpAddr::V4(a)))
    }

    #[test]
    fn excluded_ranges_are_sorted_and_disjoint() {
        for w in EXCLUDED.windows(2) {
            assert!(w[0].start < w[0].end && w[0].end <= w[1].start, "{w:?}");
        }
    }

    #[test]
    fn first_indexes() {
        assert_eq!(prefix_at(0), Some(Ipv4Addr::new(1, 0, 0, 0)));
        assert_eq!(prefix_at(1), Some(Ipv4Addr::new(1, 0, 1, 0)));
        // 9.255.255.0 is the last /24 before 10/8, then 11.0.0.0.
        let last_9 = index_of(Ipv4Addr::new(9, 255, 255, 0)).expect("allocatable");
        assert_eq!(prefix_at(last_9 + 1), Some(Ipv4Addr::new(11, 0, 0, 0)));
    }

    #[test]
    fn capacity_matches_a_count() {
        // 1.0.0.0 to 223.255.255.0 is 223 * 65536 /24s; the excluded ranges
        // inside it: 10/8, 100.64/10, 127/8, 169.254/16, 172.16/12, three
        // single /24s of 192.0.x and 192.88.99, 192.168/16, 198.18/15, two
        // TEST-NETs.
        let excluded = 65536 + 16384 + 65536 + 256 + 4096 + 3 + 256 + 512 + 2;
        assert_eq!(CAPACITY, 223 * 65536 - excluded);
        assert_eq!(prefix_at(CAPACITY), None);
        assert_eq!(
            prefix_at(CAPACITY - 1),
            Some(Ipv4Addr::new(223, 255, 255, 0))
        );
    }

    #[test]
    fn no_bogons_and_round_trip_over_the_first_million() {
        let mut prev = 0u32;
        for i in 0..1_000_000u32 {
            let a = prefix_at(i).expect("within capacity");
            assert!(!is_bogon(a), "{a} is a bogon (index {i})");
            assert_eq!(index_of(a), Some(i), "{a}");
            assert!(u32::from(a) > prev || i == 0, "not increasing at {i}");
            prev = u32::from(a);
        }
    }

    #[test]
    fn round_trip_near_every_exclusion() {
        for ex in &EXCLUDED {
            for n in [ex.start.saturating_sub(1), ex.start, ex.end - 1, ex.end] {
                let a = Ipv4Addr::from(n << 8);
                match index_of(a) {
                    Some(i) => {
                        assert!(!is_bogon(a), "{a}");
                        assert_eq!(prefix_at(i), Some(a));
                    }
                    None => assert!(is_bogon(a) || n >= 1 << 24, "{a} allocatable but refused"),
                }
            }
        }
    }

    #[test]
    fn rejects_non_network_addresses() {
        assert_eq!(index_of(Ipv4Addr::new(1, 0, 0, 1)), None);
        assert_eq!(index_of(Ipv4Addr::new(10, 1, 2, 0)), None);
        assert_eq!(index_of(Ipv4Addr::new(0, 0, 1, 0)), None);
        assert_eq!(index_of(Ipv4Addr::new(240, 0, 0, 0)), None);
    }
}
