//! The set of prefix lengths one IRR entry allows.
//!
//! A route/route6 object (RFC 2622 §4, RFC 4012 §3) registers one prefix;
//! the route server also accepts its more-specifics up to a configured
//! length, and bgpq4 / operator files may give an explicit range
//! (`greater-equal` .. `less-equal`, the RFC 2622 §2 range operators
//! `^n-m`). Two entries for the same prefix may give disjoint ranges, so
//! the allowed lengths are kept as a bit set over 0..=128.

/// A set of prefix lengths (0..=128), one bit each.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Lengths([u64; 3]);

impl Lengths {
    /// No length.
    pub const EMPTY: Lengths = Lengths([0; 3]);

    /// The lengths `ge..=le` (empty when `ge > le`; lengths above 128 are ignored).
    pub fn range(ge: u8, le: u8) -> Lengths {
        let mut l = Lengths::EMPTY;
        for n in ge..=le.min(128) {
            l.insert(n);
        }
        l
    }

    /// Adds one length (ignored above 128).
    pub fn insert(&mut self, len: u8) {
        if len <= 128 {
            self.0[(len / 64) as usize] |= 1u64 << (len % 64);
        }
    }

    /// True when `len` is in the set.
    pub fn contains(&self, len: u8) -> bool {
        len <= 128 && self.0[(len / 64) as usize] & (1u64 << (len % 64)) != 0
    }

    /// True when no length is in the set.
    pub fn is_empty(&self) -> bool {
        self.0 == [0; 3]
    }

    /// The union of both sets.
    pub fn union(self, other: Lengths) -> Lengths {
        Lengths([
            self.0[0] | other.0[0],
            self.0[1] | other.0[1],
            self.0[2] | other.0[2],
        ])
    }

    /// The lengths in `self` that are not in `other`.
    pub fn minus(self, other: Lengths) -> Lengths {
        Lengths([
            self.0[0] & !other.0[0],
            self.0[1] & !other.0[1],
            self.0[2] & !other.0[2],
        ])
    }

    /// The set as maximal contiguous ranges `(ge, le)`, shortest first.
    pub fn ranges(&self) -> Vec<(u8, u8)> {
        let mut out = Vec::new();
        let mut start: Option<u8> = None;
        for n in 0..=128u8 {
            match (self.contains(n), start) {
                (true, None) => start = Some(n),
                (false, Some(s)) => {
                    out.push((s, n - 1));
                    start = None;
                }
                _ => {}
            }
        }
        if let Some(s) = start {
            out.push((s, 128));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn range_contains_its_bounds_only() {
        let l = Lengths::range(20, 24);
        assert!(!l.contains(19));
        assert!(l.contains(20) && l.contains(24));
        assert!(!l.contains(25));
        assert_eq!(l.ranges(), vec![(20, 24)]);
    }

    #[test]
    fn disjoint_union_and_difference() {
        let a = Lengths::range(8, 8).union(Lengths::range(63, 65));
        assert_eq!(a.ranges(), vec![(8, 8), (63, 65)]);
        let b = Lengths::range(64, 128);
        assert_eq!(a.minus(b).ranges(), vec![(8, 8), (63, 63)]);
        assert_eq!(b.ranges(), vec![(64, 128)]);
        assert!(b.contains(128) && !b.contains(129));
        assert!(Lengths::range(5, 4).is_empty());
    }
}
