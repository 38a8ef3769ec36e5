//! A path in the RIB and the BGP decision process (RFC 4271 §9.1.2.2) as a
//! route server applies it. The RFC's steps, and what we do:
//!
//! 1. Highest degree of preference (LOCAL_PREF): a route server does not
//!    receive LOCAL_PREF from its eBGP clients (RFC 4271 §5.1.5), so the
//!    preference is our own: 100, lowered by import policy (e.g. RFC 8326
//!    GRACEFUL_SHUTDOWN).
//! 2. a) Shortest AS path (an AS_SET counts as one, confederation segments
//!    not at all).
//! 3. b) Lowest ORIGIN.
//! 4. c) Lowest MULTI_EXIT_DISC, compared only between paths from the same
//!    neighbour AS (missing MED counts as 0, RFC 4271 §9.1.2.2 c).
//! 5. d) eBGP over iBGP: all clients are eBGP; not a step here.
//! 6. e) Lowest interior cost to the next hop: the next hops are on the
//!    peering LAN, all equal; not a step here.
//! 7. f) Lowest BGP identifier of the advertising peer.
//! 8. g) Lowest peer address.
//!
//! Step c is not transitive, so "best" is computed by a linear pass over
//! the candidates in a fixed order (peer id), which makes the outcome
//! deterministic — the same thing `bgp deterministic-med` gives routers.

use crate::PeerId;
use condor_wire::{Asn, NextHop, PathAttributes};
use std::cmp::Ordering;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;

/// What the paths of one UPDATE share: attributes, next hop, the sender's
/// action communities and the decision keys. Interned by the RIB, so that
/// a path costs one pointer to it (ADR 0040).
#[derive(Debug)]
pub struct Route {
    /// Interned attributes (4-octet form, no MP attributes).
    pub attrs: Arc<PathAttributes>,
    /// The next hop as received (or the blackhole next hop, RFC 7999).
    pub next_hop: NextHop,
    /// Which clients may receive it (members' action communities); `None`: all.
    pub export: Option<condor_policy::ExportControl>,
    /// Decision keys, computed once.
    pub rank: Rank,
    /// Tag the route with the route server's informational communities
    /// (this ASN) when passing it on; `None`: off.
    pub informational: Option<Asn>,
}

impl PartialEq for Route {
    fn eq(&self, other: &Route) -> bool {
        Arc::ptr_eq(&self.attrs, &other.attrs)
            && self.next_hop == other.next_hop
            && self.export == other.export
            && self.rank == other.rank
            && self.informational == other.informational
    }
}

impl Eq for Route {}

impl std::hash::Hash for Route {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        Arc::as_ptr(&self.attrs).hash(h);
        self.next_hop.hash(h);
        self.rank.router_id.hash(h);
        self.rank.peer_addr.hash(h);
    }
}

/// One path to a prefix, as received from a peer (after import): 24
/// octets, the rest is in its shared [`Route`].
#[derive(Clone, Debug)]
pub struct Path {
    /// The peer it came from.
    pub peer: PeerId,
    /// ADD-PATH path identifier as received (0 without ADD-PATH).
    pub path_id: u32,
    /// Attributes, next hop, export control and decision keys.
    pub route: Arc<Route>,
    /// Import verdict: a rejected path stays in the table (the looking glass
    /// explains it, a policy-data change re-evaluates it) but is never a
    /// candidate for export.
    pub verdict: condor_policy::Verdict,
    /// Kept from a session that went down with graceful restart (RFC 4724
    /// §4.2) and not announced again yet.
    pub stale: bool,
}

/// The decision keys of a path.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Rank {
    /// Our degree of preference (higher wins).
    pub preference: u32,
    /// AS path length.
    pub path_len: u32,
    /// ORIGIN code.
    pub origin: u8,
    /// MED (0 when absent).
    pub med: u32,
    /// Neighbour AS (first AS in the path), for the MED comparison.
    pub neighbor_as: Asn,
    /// BGP identifier of the advertising peer.
    pub router_id: Ipv4Addr,
    /// Address of the advertising peer.
    pub peer_addr: IpAddr,
}

impl Rank {
    /// Computes the keys of a path from its attributes.
    pub fn of(
        attrs: &PathAttributes,
        preference: u32,
        router_id: Ipv4Addr,
        peer_addr: IpAddr,
    ) -> Rank {
        let path = attrs.as_path();
        Rank {
            preference,
            path_len: path.as_ref().map_or(0, |p| p.path_len() as u32),
            origin: attrs.origin().map_or(2, |o| o as u8),
            med: attrs.med().unwrap_or(0),
            neighbor_as: path
                .as_ref()
                .and_then(|p| p.first_asn())
                .unwrap_or_default(),
            router_id,
            peer_addr,
        }
    }

    /// `Less` when `self` is preferred over `other`.
    pub fn compare(&self, other: &Rank) -> Ordering {
        other
            .preference
            .cmp(&self.preference)
            .then(self.path_len.cmp(&other.path_len))
            .then(self.origin.cmp(&other.origin))
            .then(if self.neighbor_as == other.neighbor_as {
                self.med.cmp(&other.med)
            } else {
                Ordering::Equal
            })
            .then(self.router_id.cmp(&other.router_id))
            .then(self.peer_addr.cmp(&other.peer_addr))
    }
}

impl Path {
    /// The attributes.
    pub fn attrs(&self) -> &Arc<PathAttributes> {
        &self.route.attrs
    }

    /// The next hop.
    pub fn next_hop(&self) -> &NextHop {
        &self.route.next_hop
    }

    /// The sender's action communities, if any.
    pub fn export(&self) -> Option<&condor_policy::ExportControl> {
        self.route.export.as_ref()
    }

    /// The decision keys.
    pub fn rank(&self) -> &Rank {
        &self.route.rank
    }

    /// True when client `asn` may receive it as far as the sender's action
    /// communities go.
    pub fn allows(&self, asn: Asn) -> bool {
        self.route.export.as_ref().is_none_or(|e| e.allows(asn))
    }

    /// True when some clients' answer differs from the common one: members'
    /// action communities restrict or change it, or it is a blackhole route.
    pub fn restricted(&self) -> bool {
        self.route.export.is_some() || self.verdict.is_blackhole()
    }

    /// True when both are the same route as far as a receiver can tell
    /// (with informational communities on, that includes the states they
    /// tag).
    pub fn same_route(&self, other: &Path) -> bool {
        self.peer == other.peer
            && Arc::ptr_eq(&self.route, &other.route)
            && (self.route.informational.is_none() || self.tags() == other.tags())
    }

    /// The validation states the informational communities tag (all
    /// "not checked" when they are off).
    pub fn tags(&self) -> condor_policy::Verdict {
        match self.route.informational {
            Some(_) => condor_policy::informational::states(self.verdict),
            None => condor_policy::Verdict::ACCEPTED,
        }
    }
}

/// The candidates of one prefix, ordered by (peer, path id). Most prefixes
/// at an exchange have one path: it is held inline, and the whole is the
/// size of one path (24 octets; several paths cost one more allocation).
#[derive(Clone, Debug, Default)]
pub enum Paths {
    /// No path (only while a prefix is being changed).
    #[default]
    Empty,
    /// One path.
    One(Path),
    /// Two or more (boxed: see `Paths::collapse`).
    #[allow(clippy::box_collection)]
    Many(Box<Vec<Path>>),
}

impl std::ops::Deref for Paths {
    type Target = [Path];

    fn deref(&self) -> &[Path] {
        match self {
            Paths::Empty => &[],
            Paths::One(p) => std::slice::from_ref(p),
            Paths::Many(v) => v,
        }
    }
}

impl std::ops::DerefMut for Paths {
    fn deref_mut(&mut self) -> &mut [Path] {
        match self {
            Paths::Empty => &mut [],
            Paths::One(p) => std::slice::from_mut(p),
            Paths::Many(v) => v,
        }
    }
}

impl<'a> IntoIterator for &'a Paths {
    type Item = &'a Path;
    type IntoIter = std::slice::Iter<'a, Path>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl Paths {
    /// One path.
    pub fn one(p: Path) -> Paths {
        Paths::One(p)
    }

    /// The paths as a slice.
    pub fn as_slice(&self) -> &[Path] {
        self
    }

    /// Where the path of `peer` with `path_id` is (`Ok`), or would go to
    /// keep the order (`Err`).
    pub fn position(&self, peer: PeerId, path_id: u32) -> Result<usize, usize> {
        self.binary_search_by(|p| (p.peer, p.path_id).cmp(&(peer, path_id)))
    }

    /// Inserts `p` at `i`.
    pub fn insert(&mut self, i: usize, p: Path) {
        *self = match std::mem::take(self) {
            Paths::Empty => Paths::One(p),
            Paths::One(x) => {
                let mut v = Vec::with_capacity(2);
                v.push(x);
                v.insert(i, p);
                Paths::Many(Box::new(v))
            }
            Paths::Many(mut v) => {
                // Grow one at a time up to four paths, by half beyond.
                if v.len() == v.capacity() {
                    v.reserve_exact(if v.len() < 4 { 1 } else { v.len() / 2 });
                }
                v.insert(i, p);
                Paths::Many(v)
            }
        };
    }

    /// Removes and returns the path at `i`.
    pub fn remove(&mut self, i: usize) -> Path {
        let (out, rest) = match std::mem::take(self) {
            Paths::Empty => panic!("remove from no paths"),
            Paths::One(p) => {
                assert_eq!(i, 0, "one path");
                (p, Paths::Empty)
            }
            Paths::Many(mut v) => {
                let p = v.remove(i);
                (p, Paths::collapse(v))
            }
        };
        *self = rest;
        out
    }

    /// Keeps the paths for which `keep` answers true (it may change them).
    pub fn retain(&mut self, mut keep: impl FnMut(&mut Path) -> bool) {
        *self = match std::mem::take(self) {
            Paths::Empty => Paths::Empty,
            Paths::One(mut p) => {
                if keep(&mut p) {
                    Paths::One(p)
                } else {
                    Paths::Empty
                }
            }
            Paths::Many(mut v) => {
                v.retain_mut(|p| keep(p));
                Paths::collapse(v)
            }
        };
    }

    // The box keeps `Paths` one pointer wide in its `Many` form (24 octets
    // in all, not 32): the extra allocation is the price for the rare case.
    #[allow(clippy::box_collection)]
    fn collapse(mut v: Box<Vec<Path>>) -> Paths {
        match v.len() {
            0 => Paths::Empty,
            1 => v.pop().map_or(Paths::Empty, Paths::One),
            _ => Paths::Many(v),
        }
    }
}

/// The best of the accepted `paths` for which `allowed` answers true (first
/// wins ties: callers keep candidates in a fixed order).
pub fn best(paths: &[Path], mut allowed: impl FnMut(&Path) -> bool) -> Option<&Path> {
    let mut best: Option<&Path> = None;
    for p in paths {
        if !p.verdict.is_accepted() || !allowed(p) {
            continue;
        }
        best = match best {
            Some(b) if b.route.rank.compare(&p.route.rank) != Ordering::Greater => Some(b),
            _ => Some(p),
        };
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rank(pref: u32, len: u32, origin: u8, med: u32, nas: u32, rid: u8) -> Rank {
        Rank {
            preference: pref,
            path_len: len,
            origin,
            med,
            neighbor_as: Asn(nas),
            router_id: Ipv4Addr::new(10, 0, 0, rid),
            peer_addr: IpAddr::V4(Ipv4Addr::new(45, 183, 47, rid)),
        }
    }

    #[test]
    fn paths_are_one_path_wide_and_keep_their_order() {
        assert_eq!(std::mem::size_of::<Path>(), 24);
        assert_eq!(std::mem::size_of::<Paths>(), 24);
        let route = Arc::new(Route {
            attrs: Arc::new(PathAttributes::default()),
            next_hop: NextHop::V4(Ipv4Addr::LOCALHOST),
            export: None,
            rank: rank(100, 1, 0, 0, 1, 1),
            informational: None,
        });
        let path = |peer| Path {
            peer,
            path_id: 0,
            route: route.clone(),
            verdict: condor_policy::Verdict::ACCEPTED,
            stale: false,
        };
        let mut ps = Paths::default();
        for (i, peer) in [(0, 5), (0, 1), (1, 3), (3, 9)] {
            ps.insert(i, path(peer));
        }
        let peers = |ps: &Paths| ps.iter().map(|p| p.peer).collect::<Vec<_>>();
        assert_eq!(peers(&ps), vec![1, 3, 5, 9]);
        assert_eq!(ps.remove(1).peer, 3);
        ps.retain(|p| p.peer != 9);
        assert_eq!(peers(&ps), vec![1, 5]);
        ps.retain(|p| p.peer == 5);
        assert!(matches!(ps, Paths::One(_)), "one path goes back inline");
        assert_eq!(ps.remove(0).peer, 5);
        assert!(ps.is_empty());
    }

    #[test]
    fn decision_steps_in_order() {
        use Ordering::*;
        // Preference beats everything.
        assert_eq!(
            rank(100, 5, 2, 9, 1, 9).compare(&rank(0, 1, 0, 0, 1, 1)),
            Less
        );
        // Then path length.
        assert_eq!(
            rank(100, 2, 2, 9, 1, 9).compare(&rank(100, 3, 0, 0, 1, 1)),
            Less
        );
        // Then origin.
        assert_eq!(
            rank(100, 2, 0, 9, 1, 9).compare(&rank(100, 2, 1, 0, 1, 1)),
            Less
        );
        // MED only within the same neighbour AS.
        assert_eq!(
            rank(100, 2, 0, 5, 1, 9).compare(&rank(100, 2, 0, 7, 1, 1)),
            Less
        );
        assert_eq!(
            rank(100, 2, 0, 9, 1, 1).compare(&rank(100, 2, 0, 5, 2, 2)),
            Less,
            "different AS: MED ignored, router id decides"
        );
        // Router id, then address.
        assert_eq!(
            rank(100, 2, 0, 0, 1, 3).compare(&rank(100, 2, 0, 0, 1, 4)),
            Less
        );
        assert_eq!(
            rank(100, 2, 0, 0, 1, 3).compare(&rank(100, 2, 0, 0, 1, 3)),
            Equal
        );
    }
}
