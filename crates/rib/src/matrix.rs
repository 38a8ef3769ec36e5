//! The peering matrix: for every client, how many prefixes it receives from
//! each other peer through the route server (the source of its per-client
//! best path, RFC 7947 §2.3.2). Walked in the same bounded chunks as the
//! other queries ([`crate::query`]).
//!
//! Where the overall best path of a prefix is open to every member, each
//! client but its announcer receives that path: the prefix is counted once
//! for the announcer and the family (not once per client), and only the
//! announcer's own answer is looked up. Prefixes whose best path carries
//! export restrictions are counted client by client.

use crate::path::{best, Path};
use crate::peer::PeerId;
use crate::query::PeerRef;
use crate::rib::Rib;
use condor_wire::{Asn, Family, Prefix};
use std::collections::HashMap;
use std::ops::Bound;

/// One cell: `client` receives `prefixes` prefixes whose path comes from `source`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MatrixCell {
    /// The receiving client.
    pub client: PeerRef,
    /// The peer the paths come from.
    pub source: PeerRef,
    /// Prefixes.
    pub prefixes: u64,
}

/// A resumable walk computing the matrix.
#[derive(Clone, Debug, Default)]
pub struct MatrixScan {
    /// Where the next chunk starts (after this prefix).
    pub after: Option<Prefix>,
    /// The table has been walked to its end.
    pub done: bool,
    /// (source, family slot) → prefixes every client of the family but the
    /// source receives from the source.
    open: HashMap<(PeerId, usize), u64>,
    /// (client, source) → prefixes counted one by one.
    one: HashMap<(PeerId, PeerId), u64>,
}

fn slot(p: &Prefix) -> usize {
    usize::from(!p.is_ipv4())
}

fn answer(paths: &[Path], id: PeerId, asn: Asn) -> Option<&Path> {
    best(paths, |p| p.peer != id && p.allows(asn))
}

impl MatrixScan {
    /// The cells with at least one prefix, clients and sources that are up,
    /// in (client, source) address order.
    pub fn result(&self, rib: &Rib) -> Vec<MatrixCell> {
        let peers: Vec<(PeerRef, [bool; 2])> = rib
            .peer_specs()
            .map(|s| {
                (
                    PeerRef {
                        id: s.id,
                        name: s.name.clone(),
                        asn: s.asn,
                        addr: s.addr,
                    },
                    [
                        s.families.contains(&Family::IPV4_UNICAST),
                        s.families.contains(&Family::IPV6_UNICAST),
                    ],
                )
            })
            .collect();
        let mut out = Vec::new();
        for (c, wants) in &peers {
            for (s, _) in &peers {
                if c.id == s.id {
                    continue;
                }
                let open: u64 = (0..2)
                    .filter(|f| wants[*f])
                    .map(|f| self.open.get(&(s.id, f)).copied().unwrap_or(0))
                    .sum();
                let n = open + self.one.get(&(c.id, s.id)).copied().unwrap_or(0);
                if n > 0 {
                    out.push(MatrixCell {
                        client: c.clone(),
                        source: s.clone(),
                        prefixes: n,
                    });
                }
            }
        }
        out.sort_by_key(|m| (m.client.addr, m.source.addr));
        out
    }
}

impl Rib {
    /// Walks at most `budget` prefixes more into `scan`.
    pub fn matrix_chunk(&self, scan: &mut MatrixScan, budget: usize) {
        let start = match scan.after {
            Some(a) => Bound::Excluded(a),
            None => Bound::Unbounded,
        };
        let clients = self.client_families();
        for (seen, (ref prefix, paths)) in self
            .table()
            .range(start.as_ref(), Bound::Unbounded)
            .enumerate()
        {
            if seen == budget {
                return;
            }
            scan.after = Some(*prefix);
            let f = slot(prefix);
            let Some(top) = best(paths, |_| true) else {
                continue;
            };
            if top.export().is_none_or(|e| e.is_unrestricted()) {
                *scan.open.entry((top.peer, f)).or_default() += 1;
                if let Some((id, asn, wants)) = clients.iter().find(|c| c.0 == top.peer) {
                    if wants[f] {
                        if let Some(a) = answer(paths, *id, *asn) {
                            *scan.one.entry((*id, a.peer)).or_default() += 1;
                        }
                    }
                }
            } else {
                for (id, asn, wants) in &clients {
                    if wants[f] {
                        if let Some(a) = answer(paths, *id, *asn) {
                            *scan.one.entry((*id, a.peer)).or_default() += 1;
                        }
                    }
                }
            }
        }
        scan.done = true;
    }
}
