//! What changed between two versions of one member's IRR set, so the RIB
//! re-evaluates only the routes whose IRR verdict may have changed.
//!
//! `affects(prefix)` is true exactly when some added or removed entry
//! range matches the prefix (covers it, and allows its length). A route
//! whose verdict changed always has such an entry; a route matched both by
//! a removed entry and by an unchanged one is reported too (a harmless
//! re-evaluation that yields the same verdict). Implements no RFC.

use condor_wire::{Asn, Prefix};
use prefix_trie::PrefixMap;

use crate::lengths::Lengths;
use crate::set::{v4_prefix, v6_prefix, IrrEntry, IrrSet, K4, K6};

/// The difference between an old and a new [`IrrSet`].
#[derive(Default)]
pub struct IrrChange {
    added: Vec<IrrEntry>,
    removed: Vec<IrrEntry>,
    added_origins: Vec<Asn>,
    removed_origins: Vec<Asn>,
    changed_v4: PrefixMap<K4, Lengths>,
    changed_v6: PrefixMap<K6, Lengths>,
}

impl std::fmt::Debug for IrrChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IrrChange")
            .field("added", &self.added)
            .field("removed", &self.removed)
            .field("added_origins", &self.added_origins)
            .field("removed_origins", &self.removed_origins)
            .finish()
    }
}

impl IrrChange {
    /// Compares `old` with `new` (`old = None`: everything in `new` is added).
    pub fn between(old: Option<&IrrSet>, new: &IrrSet) -> IrrChange {
        let mut c = IrrChange::default();
        let empty4 = PrefixMap::new();
        let empty6 = PrefixMap::new();
        let (o4, o6, oo) = match old {
            Some(o) => (o.v4_map(), o.v6_map(), o.origins()),
            None => (&empty4, &empty6, &[][..]),
        };
        diff_map(
            o4,
            new.v4_map(),
            v4_prefix,
            &mut c.changed_v4,
            &mut c.added,
            &mut c.removed,
        );
        diff_map(
            o6,
            new.v6_map(),
            v6_prefix,
            &mut c.changed_v6,
            &mut c.added,
            &mut c.removed,
        );
        c.added_origins = new
            .origins()
            .iter()
            .filter(|a| oo.binary_search(a).is_err())
            .copied()
            .collect();
        c.removed_origins = oo
            .iter()
            .filter(|a| !new.check_origin(**a))
            .copied()
            .collect();
        c
    }

    /// True when nothing changed.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty()
            && self.removed.is_empty()
            && self.added_origins.is_empty()
            && self.removed_origins.is_empty()
    }

    /// Entry ranges present only in the new set.
    pub fn added(&self) -> &[IrrEntry] {
        &self.added
    }

    /// Entry ranges present only in the old set.
    pub fn removed(&self) -> &[IrrEntry] {
        &self.removed
    }

    /// Origin ASNs present only in the new set.
    pub fn added_origins(&self) -> &[Asn] {
        &self.added_origins
    }

    /// Origin ASNs present only in the old set.
    pub fn removed_origins(&self) -> &[Asn] {
        &self.removed_origins
    }

    /// True when the prefix check for `prefix` may differ between the sets.
    pub fn affects(&self, prefix: &Prefix) -> bool {
        match *prefix {
            Prefix::V4(a, l) => self
                .changed_v4
                .cover(&(u32::from(a), l))
                .any(|(_, lens)| lens.contains(l)),
            Prefix::V6(a, l) => self
                .changed_v6
                .cover(&(u128::from(a), l))
                .any(|(_, lens)| lens.contains(l)),
        }
    }

    /// True when the origin check for `asn` differs between the sets.
    pub fn affects_origin(&self, asn: Asn) -> bool {
        self.added_origins.contains(&asn) || self.removed_origins.contains(&asn)
    }

    /// True when the verdict on a route with this prefix and origin may
    /// differ: the test the RIB runs on each of the member's paths.
    pub fn affects_route(&self, prefix: &Prefix, origin: Asn) -> bool {
        self.affects_origin(origin) || self.affects(prefix)
    }
}

fn diff_map<K>(
    old: &PrefixMap<K, Lengths>,
    new: &PrefixMap<K, Lengths>,
    to_prefix: fn(K) -> Prefix,
    changed: &mut PrefixMap<K, Lengths>,
    added: &mut Vec<IrrEntry>,
    removed: &mut Vec<IrrEntry>,
) where
    K: prefix_trie::Prefix + Copy,
{
    let mut note = |k: K, plus: Lengths, minus: Lengths| {
        let p = to_prefix(k);
        for (ge, le) in plus.ranges() {
            added.push(IrrEntry { prefix: p, ge, le });
        }
        for (ge, le) in minus.ranges() {
            removed.push(IrrEntry { prefix: p, ge, le });
        }
        let both = plus.union(minus);
        if !both.is_empty() {
            changed.insert(k, both);
        }
    };
    for (k, ol) in old.iter() {
        let nl = new.get(&k).copied().unwrap_or_default();
        note(k, nl.minus(*ol), ol.minus(nl));
    }
    for (k, nl) in new.iter() {
        if old.get(&k).is_none() {
            note(k, *nl, Lengths::EMPTY);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::set::{IrrSetBuilder, IrrSource, MaxLen};
    use std::time::SystemTime;

    fn p(s: &str) -> Prefix {
        s.parse().unwrap()
    }

    fn set(prefixes: &[(&str, Option<(u8, u8)>)], origins: &[u32]) -> IrrSet {
        let mut b = IrrSetBuilder::new(MaxLen::default());
        for (s, r) in prefixes {
            b.add_prefix(p(s), *r);
        }
        for a in origins {
            b.add_origin(Asn(*a));
        }
        b.build(
            "AS-X",
            IrrSource::File { path: "f".into() },
            SystemTime::UNIX_EPOCH,
        )
    }

    #[test]
    fn identical_sets_change_nothing() {
        let a = set(&[("193.0.0.0/21", None), ("2001:db8::/32", None)], &[3333]);
        let b = set(&[("2001:db8::/32", None), ("193.0.0.0/21", None)], &[3333]);
        let c = IrrChange::between(Some(&a), &b);
        assert!(c.is_empty(), "{c:?}");
        assert!(!c.affects(&p("193.0.0.0/21")));
    }

    #[test]
    fn added_and_removed_prefixes_and_origins() {
        let old = set(
            &[("193.0.0.0/21", None), ("198.51.100.0/24", None)],
            &[3333, 2128],
        );
        let new = set(
            &[("193.0.0.0/21", None), ("2001:db8::/32", None)],
            &[3333, 6939],
        );
        let c = IrrChange::between(Some(&old), &new);
        assert_eq!(c.added().len(), 1);
        assert_eq!(c.added()[0].prefix, p("2001:db8::/32"));
        assert_eq!((c.added()[0].ge, c.added()[0].le), (32, 48));
        assert_eq!(c.removed().len(), 1);
        assert_eq!(c.removed()[0].prefix, p("198.51.100.0/24"));
        assert_eq!(c.added_origins(), &[Asn(6939)]);
        assert_eq!(c.removed_origins(), &[Asn(2128)]);

        assert!(c.affects(&p("198.51.100.0/24")));
        assert!(c.affects(&p("2001:db8:1::/48")));
        assert!(
            !c.affects(&p("2001:db8:1::/49")),
            "never matched either set"
        );
        assert!(!c.affects(&p("193.0.0.0/22")), "unchanged entry");
        assert!(!c.affects(&p("203.0.113.0/24")));
        assert!(c.affects_origin(Asn(2128)) && c.affects_origin(Asn(6939)));
        assert!(!c.affects_origin(Asn(3333)));
        assert!(c.affects_route(&p("193.0.0.0/22"), Asn(2128)));
        assert!(!c.affects_route(&p("193.0.0.0/22"), Asn(3333)));
    }

    #[test]
    fn a_narrowed_range_affects_only_the_lengths_it_dropped() {
        let old = set(&[("193.0.0.0/21", Some((21, 24)))], &[]);
        let new = set(&[("193.0.0.0/21", Some((21, 22)))], &[]);
        let c = IrrChange::between(Some(&old), &new);
        assert!(c.added().is_empty());
        assert_eq!(c.removed().len(), 1);
        assert_eq!((c.removed()[0].ge, c.removed()[0].le), (23, 24));
        assert!(!c.affects(&p("193.0.0.0/21")));
        assert!(!c.affects(&p("193.0.4.0/22")));
        assert!(c.affects(&p("193.0.4.0/23")));
        assert!(c.affects(&p("193.0.7.0/24")));
        // The verdict changed exactly for the reported prefixes.
        for s in [
            "193.0.0.0/21",
            "193.0.4.0/22",
            "193.0.4.0/23",
            "193.0.7.0/24",
        ] {
            let q = p(s);
            assert_eq!(
                old.check_prefix(&q) != new.check_prefix(&q),
                c.affects(&q),
                "{s}"
            );
        }
    }

    #[test]
    fn from_nothing_everything_is_added() {
        let new = set(&[("193.0.0.0/21", None)], &[3333]);
        let c = IrrChange::between(None, &new);
        assert_eq!(c.added().len(), 1);
        assert_eq!(c.added_origins(), &[Asn(3333)]);
        assert!(c.affects(&p("193.0.1.0/24")));
    }
}
