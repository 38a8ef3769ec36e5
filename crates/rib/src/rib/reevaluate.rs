//! Re-evaluation of import policy when its inputs change: a new RPKI set
//! (only the prefixes covered by the VRPs that changed), a member's new IRR
//! data or filters (only that member's paths), or new filters for everyone.
//!
//! Rejected paths are kept in the table precisely for this: a path that a
//! data change makes acceptable is exported at once, with no route refresh
//! and no session reset (and one that becomes invalid is withdrawn). Paths
//! whose verdict changes are touched like any received change, so export
//! goes through the usual batch.

use super::{FastSet, Rib};
use crate::path::Route;
use crate::peer::PeerId;
use condor_policy::{MemberImport, PathCheck, RpkiCheck, Verdict};
use condor_wire::Prefix;
use std::collections::HashMap;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::ops::Bound;
use std::sync::Arc;

/// Which paths to re-evaluate.
#[derive(Clone, Debug)]
pub enum Scope {
    /// Every path.
    All,
    /// The paths of one peer.
    Peer(PeerId),
    /// The paths of prefixes equal to or more specific than any of these.
    Covered(Vec<Prefix>),
}

/// The last prefix inside `p`, for a range walk of the ordered table.
fn last_inside(p: &Prefix) -> Prefix {
    match *p {
        Prefix::V4(a, l) => {
            let host = if l == 0 { u32::MAX } else { u32::MAX >> l };
            Prefix::V4(Ipv4Addr::from(u32::from(a) | host), 32)
        }
        Prefix::V6(a, l) => {
            let host = if l == 0 { u128::MAX } else { u128::MAX >> l };
            Prefix::V6(Ipv6Addr::from(u128::from(a) | host), 128)
        }
    }
}

impl Rib {
    /// Replaces the RPKI data and re-evaluates the paths in `scope`.
    pub fn set_rpki(&mut self, rpki: Option<Arc<dyn RpkiCheck>>, scope: Scope) -> usize {
        self.rpki = rpki;
        self.reevaluate(scope)
    }

    /// Replaces a peer's import policy (new filters, new IRR data). Its
    /// paths are re-evaluated when the batch ends ([`Rib::settle`]), in one
    /// walk of the table for all the peers changed in the batch (a reload
    /// or an IRR refresh changes many at once).
    pub fn set_import(&mut self, peer: PeerId, import: Arc<MemberImport>) {
        if let Some(s) = self.peers.get_mut(&peer) {
            s.spec.import = import;
            self.pending_import.insert(peer);
        }
    }

    /// Re-evaluates the paths of the peers whose import policy changed
    /// since the last call (one walk of the table for all of them).
    pub(super) fn reevaluate_pending_imports(&mut self) {
        if !self.pending_import.is_empty() {
            let peers = std::mem::take(&mut self.pending_import);
            self.reevaluate_where(&Scope::All, Some(&peers));
        }
    }

    /// Re-evaluates the paths in `scope` with the current policy data and
    /// queues the export of those whose verdict changed. Paths of peers
    /// whose session is down (stale, graceful restart) keep their verdict.
    pub fn reevaluate(&mut self, scope: Scope) -> usize {
        self.settle();
        match &scope {
            Scope::Peer(id) => {
                let one: FastSet<PeerId> = std::iter::once(*id).collect();
                self.reevaluate_where(&Scope::All, Some(&one))
            }
            _ => self.reevaluate_where(&scope, None),
        }
    }

    fn reevaluate_where(&mut self, scope: &Scope, only: Option<&FastSet<PeerId>>) -> usize {
        let imports: HashMap<PeerId, Arc<MemberImport>> = self
            .peers
            .iter()
            .map(|(id, s)| (*id, s.spec.import.clone()))
            .collect();
        let rpki = self.rpki.clone();
        // (prefix, peer, path id, new verdict, informational communities
        // switched on or off for the peer: its route is re-made).
        let mut changes: Vec<(Prefix, PeerId, u32, Verdict, bool)> = Vec::new();
        let mut check = |prefix: &Prefix, paths: &[crate::Path]| {
            for p in paths {
                if only.is_some_and(|o| !o.contains(&p.peer)) {
                    continue;
                }
                let Some(import) = imports.get(&p.peer) else {
                    continue;
                };
                let v = PathCheck::new(p.attrs(), import, rpki.as_deref()).route(
                    prefix,
                    p.next_hop(),
                    import,
                    rpki.as_deref(),
                );
                let retag = p.route.informational != import.filters.informational;
                if v != p.verdict || retag {
                    changes.push((*prefix, p.peer, p.path_id, v, retag));
                }
            }
        };
        match scope {
            // A peer's paths are found by a walk: the table is the
            // Adj-RIB-In (see `PeerState::count`).
            Scope::All | Scope::Peer(_) => {
                for (ref prefix, paths) in self.table.iter() {
                    check(prefix, paths);
                }
            }
            Scope::Covered(covering) => {
                let mut seen: Vec<Prefix> = Vec::new();
                for c in covering {
                    let last = last_inside(c);
                    let inside = self
                        .table
                        .range(Bound::Included(c), Bound::Included(&last))
                        .map(|(p, _)| p);
                    seen.extend(inside.filter(|p| c.contains(p)));
                }
                seen.sort_unstable();
                seen.dedup();
                for prefix in seen {
                    if let Some(paths) = self.table.get(&prefix) {
                        check(&prefix, paths);
                    }
                }
            }
        }
        let n = changes.len();
        let mut retagged: HashMap<*const Route, Arc<Route>> = HashMap::new();
        for (prefix, peer, path_id, v, retag) in changes {
            self.touch(prefix);
            let route = match (retag, imports.get(&peer)) {
                (true, Some(import)) => self
                    .table
                    .get(&prefix)
                    .and_then(|paths| {
                        paths
                            .position(peer, path_id)
                            .ok()
                            .map(|i| paths[i].route.clone())
                    })
                    .map(|old| {
                        let new = import.filters.informational;
                        retagged
                            .entry(Arc::as_ptr(&old))
                            .or_insert_with(|| self.interner_retag(&old, new))
                            .clone()
                    }),
                _ => None,
            };
            if let Some(paths) = self.table.get_mut(&prefix) {
                if let Ok(i) = paths.position(peer, path_id) {
                    if let Some(r) = route {
                        paths[i].route = r;
                    }
                    let was = paths[i].verdict.is_accepted();
                    paths[i].verdict = v;
                    match (was, v.is_accepted()) {
                        (true, false) => self.filtered += 1,
                        (false, true) => self.filtered -= 1,
                        _ => {}
                    }
                }
            }
        }
        if n > 0 {
            tracing::info!(?scope, changed = n, "import policy re-evaluated");
        }
        n
    }

    /// `old` with informational communities switched to `informational`:
    /// switched on, the member's own claims are removed from its attributes
    /// as at import (switched off, what was removed stays removed until the
    /// member announces the route again).
    fn interner_retag(
        &mut self,
        old: &Route,
        informational: Option<condor_wire::Asn>,
    ) -> Arc<Route> {
        let attrs = informational
            .and_then(|rs| condor_policy::informational::scrub(&old.attrs, rs))
            .map_or_else(|| old.attrs.clone(), |a| self.interner.attrs(a));
        self.interner.route(Route {
            attrs,
            next_hop: old.next_hop.clone(),
            export: old.export.clone(),
            rank: old.rank,
            informational,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_inside_bounds_the_range() {
        let p = Prefix::new("10.0.0.0".parse().expect("ip"), 8).expect("prefix");
        assert_eq!(
            last_inside(&p),
            Prefix::V4(Ipv4Addr::new(10, 255, 255, 255), 32)
        );
        let d = Prefix::new("0.0.0.0".parse().expect("ip"), 0).expect("prefix");
        assert_eq!(last_inside(&d), Prefix::V4(Ipv4Addr::BROADCAST, 32));
        let v6 = Prefix::new("2803:cd60::".parse().expect("ip"), 32).expect("prefix");
        assert_eq!(
            last_inside(&v6),
            Prefix::V6(
                "2803:cd60:ffff:ffff:ffff:ffff:ffff:ffff"
                    .parse()
                    .expect("ip"),
                128
            )
        );
    }
}
