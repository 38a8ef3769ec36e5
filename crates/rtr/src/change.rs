//! What changed between two published snapshots, so the RIB re-evaluates only
//! the routes a VRP or ASPA change can affect (issue 5: "the affected paths,
//! and only those").

use std::collections::BTreeSet;

use condor_wire::{Asn, Prefix};
use ipnet::{Ipv4Net, Ipv6Net};
use prefix_trie::PrefixSet;

use crate::model::Vrp;
use crate::snapshot::RpkiSnapshot;

/// The difference between the previous and the newly published snapshot.
#[derive(Clone, Debug, Default)]
pub struct RpkiChange {
    /// VRPs present now and not before.
    pub vrps_added: Vec<Vrp>,
    /// VRPs present before and not now.
    pub vrps_removed: Vec<Vrp>,
    /// Customers whose ASPA record appeared, disappeared or changed.
    pub aspa_changed: Vec<Asn>,
    /// The publication number of the new snapshot (1, 2, … per store).
    pub serial: u64,
    v4: PrefixSet<Ipv4Net>,
    v6: PrefixSet<Ipv6Net>,
}

impl RpkiChange {
    /// Computes the change from `old` to `new` (both sorted, so one merge pass).
    pub fn between(old: &RpkiSnapshot, new: &RpkiSnapshot, serial: u64) -> RpkiChange {
        let (mut added, mut removed) = (Vec::new(), Vec::new());
        let (a, b) = (old.vrps(), new.vrps());
        let (mut i, mut j) = (0, 0);
        while i < a.len() || j < b.len() {
            match (a.get(i), b.get(j)) {
                (Some(x), Some(y)) if x == y => {
                    i += 1;
                    j += 1;
                }
                (Some(x), Some(y)) if x < y => {
                    removed.push(*x);
                    i += 1;
                }
                (Some(x), None) => {
                    removed.push(*x);
                    i += 1;
                }
                (_, Some(y)) => {
                    added.push(*y);
                    j += 1;
                }
                (None, None) => break,
            }
        }
        let customers: BTreeSet<Asn> = old
            .aspas()
            .keys()
            .chain(new.aspas().keys())
            .copied()
            .collect();
        let aspa_changed = customers
            .into_iter()
            .filter(|c| old.providers(*c) != new.providers(*c))
            .collect();
        let mut change = RpkiChange {
            vrps_added: added,
            vrps_removed: removed,
            aspa_changed,
            serial,
            ..RpkiChange::default()
        };
        for v in change.vrps_added.iter().chain(&change.vrps_removed) {
            match v.prefix {
                Prefix::V4(a, l) => {
                    if let Ok(n) = Ipv4Net::new(a, l) {
                        change.v4.insert(n);
                    }
                }
                Prefix::V6(a, l) => {
                    if let Ok(n) = Ipv6Net::new(a, l) {
                        change.v6.insert(n);
                    }
                }
            }
        }
        change
    }

    /// True when nothing changed.
    pub fn is_empty(&self) -> bool {
        self.vrps_added.is_empty() && self.vrps_removed.is_empty() && self.aspa_changed.is_empty()
    }

    /// True when the ROV state of a route for `prefix` may have changed: some
    /// added or removed VRP covers it.
    pub fn affects(&self, prefix: &Prefix) -> bool {
        match *prefix {
            Prefix::V4(a, l) => Ipv4Net::new(a, l)
                .map(|n| self.v4.get_spm(&n).is_some())
                .unwrap_or(false),
            Prefix::V6(a, l) => Ipv6Net::new(a, l)
                .map(|n| self.v6.get_spm(&n).is_some())
                .unwrap_or(false),
        }
    }

    /// The address ranges to re-evaluate: the prefixes of the added and removed
    /// VRPs with the more-specifics of others left out (every route inside one
    /// of them, and only those, is affected). Walk the RIB below each.
    pub fn covering_ranges(&self) -> Vec<Prefix> {
        let mut out = Vec::new();
        for n in self.v4.iter() {
            if self.v4.get_spm(&parent4(n)).is_none() || n.prefix_len() == 0 {
                out.push(Prefix::V4(n.addr(), n.prefix_len()));
            }
        }
        for n in self.v6.iter() {
            if self.v6.get_spm(&parent6(n)).is_none() || n.prefix_len() == 0 {
                out.push(Prefix::V6(n.addr(), n.prefix_len()));
            }
        }
        out
    }

    /// True when the ASPA result of a path may have changed: one of its ASes
    /// is a customer whose record changed.
    pub fn affects_path(&self, asns: &[Asn]) -> bool {
        asns.iter()
            .any(|a| self.aspa_changed.binary_search(a).is_ok())
    }
}

/// The prefix one bit shorter (itself for /0).
fn parent4(n: Ipv4Net) -> Ipv4Net {
    Ipv4Net::new(n.addr(), n.prefix_len().saturating_sub(1))
        .map(|p| p.trunc())
        .unwrap_or(n)
}

/// The prefix one bit shorter (itself for /0).
fn parent6(n: Ipv6Net) -> Ipv6Net {
    Ipv6Net::new(n.addr(), n.prefix_len().saturating_sub(1))
        .map(|p| p.trunc())
        .unwrap_or(n)
}
