//! One member's IRR data: the route/route6 prefixes (RFC 2622 §4,
//! RFC 4012 §3) of its AS-SET or ASN with the allowed more-specifics, and
//! the origin ASNs the AS-SET expands to (RFC 2622 §5.1), with the checks
//! the route-server import policy asks.
//!
//! Matching: a prefix is accepted when some entry covers it and its length
//! is among the lengths that entry allows. An entry without an explicit
//! range allows its own length up to the configured maximum of its family
//! (more-specifics; IPv4 default 24, IPv6 default 48); an entry longer than
//! that maximum allows only itself.

use std::net::{Ipv4Addr, Ipv6Addr};
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use condor_wire::{Asn, Prefix};
use prefix_trie::PrefixMap;
use serde::{Deserialize, Serialize};

use crate::lengths::Lengths;

/// Trie key of an IPv4 prefix: (address bits, length).
pub(crate) type K4 = (u32, u8);
/// Trie key of an IPv6 prefix: (address bits, length).
pub(crate) type K6 = (u128, u8);

/// The longest more-specific accepted per family when an entry gives no range.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MaxLen {
    /// IPv4 (default 24).
    pub v4: u8,
    /// IPv6 (default 48).
    pub v6: u8,
}

impl MaxLen {
    /// Checks the limits for `condor check`: IPv4 8..=32, IPv6 16..=128
    /// (shorter limits would make every ordinary more-specific invalid).
    pub fn validate(&self) -> Result<(), String> {
        if !(8..=32).contains(&self.v4) {
            return Err(format!("max_len_v4 = {}: must be within 8..=32", self.v4));
        }
        if !(16..=128).contains(&self.v6) {
            return Err(format!("max_len_v6 = {}: must be within 16..=128", self.v6));
        }
        Ok(())
    }
}

impl Default for MaxLen {
    fn default() -> Self {
        MaxLen { v4: 24, v6: 48 }
    }
}

/// Where an IRR set's data came from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum IrrSource {
    /// Expanded by running bgpq4 against an IRR server.
    Bgpq4 {
        /// The IRR server (`-h`), or bgpq4's default when absent.
        host: Option<String>,
        /// The IRR sources (`-S`), or the server's default when absent.
        sources: Option<String>,
    },
    /// Read from an operator-supplied file.
    File {
        /// The file.
        path: PathBuf,
    },
}

/// One prefix with the range of lengths it allows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IrrEntry {
    /// The registered prefix.
    pub prefix: Prefix,
    /// Shortest accepted length.
    pub ge: u8,
    /// Longest accepted length.
    pub le: u8,
}

/// How many entries a set holds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IrrCounts {
    /// Distinct IPv4 prefixes.
    pub v4: usize,
    /// Distinct IPv6 prefixes.
    pub v6: usize,
    /// Distinct origin ASNs.
    pub origins: usize,
}

/// The IRR verdict on one route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IrrResult {
    /// The prefix is registered (exactly or as an allowed more-specific).
    pub prefix_ok: bool,
    /// The origin ASN is in the AS-SET.
    pub origin_ok: bool,
}

impl IrrResult {
    /// Both checks passed.
    pub fn accepted(&self) -> bool {
        self.prefix_ok && self.origin_ok
    }
}

/// Collects entries and origins, then freezes them into an [`IrrSet`].
#[derive(Default)]
pub struct IrrSetBuilder {
    max_len: MaxLen,
    v4: PrefixMap<K4, Lengths>,
    v6: PrefixMap<K6, Lengths>,
    origins: Vec<Asn>,
}

impl IrrSetBuilder {
    /// An empty builder applying `max_len` to entries without a range.
    pub fn new(max_len: MaxLen) -> Self {
        IrrSetBuilder {
            max_len,
            ..Default::default()
        }
    }

    /// Adds a registered prefix; without `range` it allows its own length up
    /// to the family's maximum, with `range = (ge, le)` exactly those lengths.
    pub fn add_prefix(&mut self, prefix: Prefix, range: Option<(u8, u8)>) {
        let (ge, le) = match range {
            Some(r) => r,
            None => {
                let max = if prefix.is_ipv4() {
                    self.max_len.v4
                } else {
                    self.max_len.v6
                };
                (prefix.len(), prefix.len().max(max))
            }
        };
        let lengths = Lengths::range(ge.max(prefix.len()), le);
        self.add_lengths(prefix, lengths);
    }

    pub(crate) fn add_lengths(&mut self, prefix: Prefix, lengths: Lengths) {
        if lengths.is_empty() {
            return;
        }
        match prefix {
            Prefix::V4(a, l) => {
                let e = self.v4.entry((u32::from(a), l)).or_default();
                *e = e.union(lengths);
            }
            Prefix::V6(a, l) => {
                let e = self.v6.entry((u128::from(a), l)).or_default();
                *e = e.union(lengths);
            }
        }
    }

    /// Adds an origin ASN.
    pub fn add_origin(&mut self, asn: Asn) {
        self.origins.push(asn);
    }

    /// Freezes the data into a set named `name`.
    pub fn build(mut self, name: &str, source: IrrSource, fetched_at: SystemTime) -> IrrSet {
        self.origins.sort_unstable();
        self.origins.dedup();
        IrrSet {
            name: name.to_string(),
            source,
            fetched_at,
            max_len: self.max_len,
            v4: self.v4,
            v6: self.v6,
            origins: self.origins,
            warnings: Vec::new(),
        }
    }
}

/// One member's expanded AS-SET (or ASN): prefixes with allowed lengths,
/// origin ASNs, and where and when the data was fetched.
pub struct IrrSet {
    name: String,
    source: IrrSource,
    fetched_at: SystemTime,
    max_len: MaxLen,
    v4: PrefixMap<K4, Lengths>,
    v6: PrefixMap<K6, Lengths>,
    origins: Vec<Asn>,
    warnings: Vec<String>,
}

impl std::fmt::Debug for IrrSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IrrSet")
            .field("name", &self.name)
            .field("source", &self.source)
            .field("fetched_at", &self.fetched_at)
            .field("counts", &self.counts())
            .finish()
    }
}

impl IrrSet {
    /// The AS-SET or ASN (or, for a file, the name the operator gave it).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Where the data came from.
    pub fn source(&self) -> &IrrSource {
        &self.source
    }

    /// When the data was fetched from its source.
    pub fn fetched_at(&self) -> SystemTime {
        self.fetched_at
    }

    /// How old the data is at `now` (zero if the clock went back).
    pub fn age(&self, now: SystemTime) -> Duration {
        now.duration_since(self.fetched_at).unwrap_or_default()
    }

    /// The more-specific limits the set was built with.
    pub fn max_len(&self) -> MaxLen {
        self.max_len
    }

    /// Entry counts.
    pub fn counts(&self) -> IrrCounts {
        IrrCounts {
            v4: self.v4.len(),
            v6: self.v6.len(),
            origins: self.origins.len(),
        }
    }

    /// True when the set has no prefix and no origin.
    pub fn is_empty(&self) -> bool {
        self.v4.is_empty() && self.v6.is_empty() && self.origins.is_empty()
    }

    /// What the source reported without failing (bgpq4's `ERROR:` lines
    /// of a successful run, e.g. private ASNs it dropped from the set).
    /// Not kept in the cache.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    pub(crate) fn with_warnings(mut self, warnings: Vec<String>) -> IrrSet {
        self.warnings = warnings;
        self
    }

    /// The origin ASNs, sorted.
    pub fn origins(&self) -> &[Asn] {
        &self.origins
    }

    /// True when `prefix` is registered or an allowed more-specific of a
    /// registered prefix of the same family.
    pub fn check_prefix(&self, prefix: &Prefix) -> bool {
        match *prefix {
            Prefix::V4(a, l) => self
                .v4
                .cover(&(u32::from(a), l))
                .any(|(_, lens)| lens.contains(l)),
            Prefix::V6(a, l) => self
                .v6
                .cover(&(u128::from(a), l))
                .any(|(_, lens)| lens.contains(l)),
        }
    }

    /// True when `asn` is one of the AS-SET's members.
    pub fn check_origin(&self, asn: Asn) -> bool {
        self.origins.binary_search(&asn).is_ok()
    }

    /// Both checks for a route with this prefix and origin ASN.
    pub fn check(&self, prefix: &Prefix, origin: Asn) -> IrrResult {
        IrrResult {
            prefix_ok: self.check_prefix(prefix),
            origin_ok: self.check_origin(origin),
        }
    }

    /// Every entry as (prefix, ge, le), IPv4 first; a prefix with disjoint
    /// ranges gives one entry per range.
    pub fn entries(&self) -> Vec<IrrEntry> {
        let mut out = Vec::with_capacity(self.v4.len() + self.v6.len());
        for (k, lens) in self.v4.iter() {
            push_entries(&mut out, v4_prefix(k), lens);
        }
        for (k, lens) in self.v6.iter() {
            push_entries(&mut out, v6_prefix(k), lens);
        }
        out
    }

    pub(crate) fn v4_map(&self) -> &PrefixMap<K4, Lengths> {
        &self.v4
    }

    pub(crate) fn v6_map(&self) -> &PrefixMap<K6, Lengths> {
        &self.v6
    }
}

fn push_entries(out: &mut Vec<IrrEntry>, prefix: Prefix, lens: &Lengths) {
    for (ge, le) in lens.ranges() {
        out.push(IrrEntry { prefix, ge, le });
    }
}

pub(crate) fn v4_prefix(k: K4) -> Prefix {
    Prefix::V4(Ipv4Addr::from(k.0), k.1)
}

pub(crate) fn v6_prefix(k: K6) -> Prefix {
    Prefix::V6(Ipv6Addr::from(k.0), k.1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Prefix {
        s.parse().unwrap()
    }

    fn sample() -> IrrSet {
        let mut b = IrrSetBuilder::new(MaxLen::default());
        b.add_prefix(p("193.0.0.0/21"), None);
        b.add_prefix(p("193.0.12.0/25"), None);
        b.add_prefix(p("10.0.0.0/8"), Some((16, 16)));
        b.add_prefix(p("2001:67c:2e8::/47"), None);
        b.add_prefix(p("2001:db8::/32"), Some((32, 32)));
        b.add_origin(Asn(3333));
        b.add_origin(Asn(2128));
        b.add_origin(Asn(3333));
        b.build(
            "AS-TEST",
            IrrSource::File {
                path: "x.txt".into(),
            },
            SystemTime::UNIX_EPOCH,
        )
    }

    #[test]
    fn max_len_limits() {
        assert!(MaxLen::default().validate().is_ok());
        assert!(MaxLen { v4: 32, v6: 128 }.validate().is_ok());
        let e = MaxLen { v4: 33, v6: 48 }.validate().unwrap_err();
        assert!(e.contains("max_len_v4 = 33"), "{e}");
        let e = MaxLen { v4: 24, v6: 129 }.validate().unwrap_err();
        assert!(e.contains("max_len_v6 = 129"), "{e}");
        assert!(MaxLen { v4: 7, v6: 48 }.validate().is_err());
    }

    #[test]
    fn shareable_between_tasks() {
        fn send_sync<T: Send + Sync>() {}
        send_sync::<IrrSet>();
        send_sync::<crate::IrrChange>();
        send_sync::<crate::IrrManager>();
        send_sync::<crate::IrrError>();
    }

    #[test]
    fn exact_and_more_specific_within_the_limit() {
        let s = sample();
        assert!(s.check_prefix(&p("193.0.0.0/21")));
        assert!(s.check_prefix(&p("193.0.4.0/22")));
        assert!(s.check_prefix(&p("193.0.7.0/24")));
        assert!(s.check_prefix(&p("2001:67c:2e8::/47")));
        assert!(s.check_prefix(&p("2001:67c:2e9::/48")));
    }

    #[test]
    fn over_the_limit_shorter_or_outside_is_rejected() {
        let s = sample();
        assert!(!s.check_prefix(&p("193.0.7.0/25")), "longer than /24");
        assert!(!s.check_prefix(&p("193.0.0.0/20")), "less specific");
        assert!(!s.check_prefix(&p("193.0.8.0/21")), "neighbour block");
        assert!(!s.check_prefix(&p("2001:67c:2e9::/49")), "longer than /48");
        // An object longer than the limit allows only itself.
        assert!(s.check_prefix(&p("193.0.12.0/25")));
        assert!(!s.check_prefix(&p("193.0.12.0/26")));
        assert!(!s.check_prefix(&p("193.0.12.128/25")));
    }

    #[test]
    fn explicit_ranges_are_honoured() {
        let s = sample();
        assert!(!s.check_prefix(&p("10.0.0.0/8")), "ge 16 excludes /8");
        assert!(s.check_prefix(&p("10.1.0.0/16")));
        assert!(!s.check_prefix(&p("10.1.0.0/17")));
        assert!(s.check_prefix(&p("2001:db8::/32")));
        assert!(!s.check_prefix(&p("2001:db8::/33")), "le 32: exact only");
    }

    #[test]
    fn other_family_never_matches() {
        let s = sample();
        // ::ffff:193.0.0.0/117 carries the same low bits as 193.0.0.0/21.
        assert!(!s.check_prefix(&p("::ffff:193.0.0.0/117")));
        assert!(!s.check_prefix(&p("0.0.0.0/0")));
        assert!(!s.check_prefix(&p("::/0")));
    }

    #[test]
    fn origins_and_combined_result() {
        let s = sample();
        assert_eq!(s.origins(), &[Asn(2128), Asn(3333)]);
        assert!(s.check_origin(Asn(3333)));
        assert!(!s.check_origin(Asn(3334)));
        let r = s.check(&p("193.0.1.0/24"), Asn(2128));
        assert!(r.accepted());
        let r = s.check(&p("193.0.1.0/24"), Asn(1));
        assert_eq!(
            r,
            IrrResult {
                prefix_ok: true,
                origin_ok: false
            }
        );
        assert!(!r.accepted());
        assert_eq!(
            s.counts(),
            IrrCounts {
                v4: 3,
                v6: 2,
                origins: 2
            }
        );
    }

    #[test]
    fn entries_list_each_range() {
        let mut b = IrrSetBuilder::new(MaxLen::default());
        b.add_prefix(p("193.0.0.0/21"), Some((21, 21)));
        b.add_prefix(p("193.0.0.0/21"), Some((23, 24)));
        let s = b.build(
            "AS1",
            IrrSource::File { path: "f".into() },
            SystemTime::UNIX_EPOCH,
        );
        assert!(s.check_prefix(&p("193.0.0.0/21")));
        assert!(!s.check_prefix(&p("193.0.0.0/22")));
        assert!(s.check_prefix(&p("193.0.2.0/23")));
        let e = s.entries();
        assert_eq!(e.len(), 2);
        assert_eq!((e[0].ge, e[0].le, e[1].ge, e[1].le), (21, 21, 23, 24));
    }

    #[test]
    fn hundred_thousand_prefixes_build_and_check_fast() {
        let start = std::time::Instant::now();
        let mut b = IrrSetBuilder::new(MaxLen::default());
        // 100,000 distinct /22s inside 20.0.0.0/6 .. plus 100 origins.
        for i in 0..100_000u32 {
            let a = Ipv4Addr::from((20u32 << 24) + (i << 10));
            b.add_prefix(Prefix::V4(a, 22), None);
        }
        for i in 0..100 {
            b.add_origin(Asn(1000 + i));
        }
        let s = b.build(
            "AS-BIG",
            IrrSource::File { path: "f".into() },
            SystemTime::UNIX_EPOCH,
        );
        let built = start.elapsed();
        assert_eq!(s.counts().v4, 100_000);
        let t = std::time::Instant::now();
        let mut hits = 0;
        for i in 0..100_000u32 {
            let a = Ipv4Addr::from((20u32 << 24) + (i << 10) + 256);
            if s.check_prefix(&Prefix::V4(a, 24)) {
                hits += 1;
            }
            // Outside: the /22 right after the last one, and a /25.
            if s.check_prefix(&Prefix::V4(a, 25)) {
                hits += 1_000_000;
            }
        }
        let checked = t.elapsed();
        assert_eq!(hits, 100_000);
        assert!(!s.check_prefix(&Prefix::V4(
            Ipv4Addr::from((20u32 << 24) + (100_000 << 10)),
            22
        )));
        eprintln!("100k prefixes: build {built:?}, 200k checks {checked:?}");
        // Generous bounds for a debug build on a shared 2-core machine.
        assert!(built < Duration::from_secs(5), "build took {built:?}");
        assert!(checked < Duration::from_secs(5), "checks took {checked:?}");
    }
}
