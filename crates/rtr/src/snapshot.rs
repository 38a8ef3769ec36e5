//! The immutable RPKI data set that the RIB reads: VRPs indexed by prefix in
//! one trie per address family (so the covering VRPs of a route, RFC 6811 §2,
//! are found by walking the route's prefix bits once) and the ASPA records by
//! customer AS. Built once, then shared read-only through an `Arc`.

use std::collections::BTreeMap;

use condor_wire::{Asn, Prefix};
use ipnet::{Ipv4Net, Ipv6Net};
use prefix_trie::PrefixMap;

use crate::model::{Aspa, Vrp};

/// One authorisation held at a trie node: (max length, origin AS).
type Auth = (u8, Asn);

/// An immutable set of VRPs and ASPA records with the lookups that route origin
/// validation and ASPA verification need.
#[derive(Clone, Default)]
pub struct RpkiSnapshot {
    vrps: Vec<Vrp>,
    v4: PrefixMap<Ipv4Net, Vec<Auth>>,
    v6: PrefixMap<Ipv6Net, Vec<Auth>>,
    aspas: BTreeMap<Asn, Vec<Asn>>,
}

impl std::fmt::Debug for RpkiSnapshot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RpkiSnapshot")
            .field("vrps", &self.vrps.len())
            .field("aspas", &self.aspas.len())
            .finish()
    }
}

impl PartialEq for RpkiSnapshot {
    fn eq(&self, other: &Self) -> bool {
        self.vrps == other.vrps && self.aspas == other.aspas
    }
}

impl Eq for RpkiSnapshot {}

impl RpkiSnapshot {
    /// The empty set: every route is NotFound, every path Unknown.
    pub fn empty() -> RpkiSnapshot {
        RpkiSnapshot::default()
    }

    /// Builds a snapshot. Duplicate VRPs collapse into one; a VRP whose max
    /// length is shorter than its prefix or longer than the address width is
    /// dropped (RFC 6482 §3.3 makes such a ROA invalid). For a customer with
    /// several ASPA records the provider sets are merged.
    pub fn new(vrps: impl IntoIterator<Item = Vrp>, aspas: impl IntoIterator<Item = Aspa>) -> Self {
        let mut vrps: Vec<Vrp> = vrps
            .into_iter()
            .filter(|v| {
                let width = if v.prefix.is_ipv4() { 32 } else { 128 };
                v.max_len >= v.prefix.len() && v.max_len <= width
            })
            .collect();
        vrps.sort_unstable();
        vrps.dedup();
        let mut v4: PrefixMap<Ipv4Net, Vec<Auth>> = PrefixMap::new();
        let mut v6: PrefixMap<Ipv6Net, Vec<Auth>> = PrefixMap::new();
        for v in &vrps {
            match v.prefix {
                Prefix::V4(a, l) => {
                    if let Ok(net) = Ipv4Net::new(a, l) {
                        v4.entry(net).or_default().push((v.max_len, v.asn));
                    }
                }
                Prefix::V6(a, l) => {
                    if let Ok(net) = Ipv6Net::new(a, l) {
                        v6.entry(net).or_default().push((v.max_len, v.asn));
                    }
                }
            }
        }
        let mut map: BTreeMap<Asn, Vec<Asn>> = BTreeMap::new();
        for a in aspas {
            map.entry(a.customer).or_default().extend(a.providers);
        }
        for p in map.values_mut() {
            p.sort_unstable();
            p.dedup();
        }
        RpkiSnapshot {
            vrps,
            v4,
            v6,
            aspas: map,
        }
    }

    /// All VRPs, sorted and without duplicates.
    pub fn vrps(&self) -> &[Vrp] {
        &self.vrps
    }

    /// The ASPA records by customer AS (provider lists sorted).
    pub fn aspas(&self) -> &BTreeMap<Asn, Vec<Asn>> {
        &self.aspas
    }

    /// The provider set that `customer` attests to, or `None` when it has no ASPA.
    pub fn providers(&self, customer: Asn) -> Option<&[Asn]> {
        self.aspas.get(&customer).map(Vec::as_slice)
    }

    /// True when the snapshot holds neither VRPs nor ASPA records.
    pub fn is_empty(&self) -> bool {
        self.vrps.is_empty() && self.aspas.is_empty()
    }

    /// Calls `f(max_len, asn)` for every VRP whose prefix covers `prefix`
    /// (including an equal prefix), shortest VRP prefix first.
    pub fn for_each_covering(&self, prefix: &Prefix, mut f: impl FnMut(&Prefix, u8, Asn)) {
        match *prefix {
            Prefix::V4(a, l) => {
                let Ok(net) = Ipv4Net::new(a, l) else { return };
                for (k, auths) in self.v4.cover(&net) {
                    let p = Prefix::V4(k.addr(), k.prefix_len());
                    for &(m, asn) in auths {
                        f(&p, m, asn);
                    }
                }
            }
            Prefix::V6(a, l) => {
                let Ok(net) = Ipv6Net::new(a, l) else { return };
                for (k, auths) in self.v6.cover(&net) {
                    let p = Prefix::V6(k.addr(), k.prefix_len());
                    for &(m, asn) in auths {
                        f(&p, m, asn);
                    }
                }
            }
        }
    }

    /// The VRPs whose prefix covers `prefix`.
    pub fn covering(&self, prefix: &Prefix) -> Vec<Vrp> {
        let mut out = Vec::new();
        self.for_each_covering(prefix, |p, max_len, asn| {
            out.push(Vrp {
                prefix: *p,
                max_len,
                asn,
            })
        });
        out
    }
}
