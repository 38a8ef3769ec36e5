//! The shape of one benchmark: who the simulated peers are and what each
//! announces, and from that what each of them must receive back.
//!
//! Peer `i` (0-based) has
//! - the address `127.0.(1 + i / 250).(1 + i % 250)` (the TCP source),
//! - the ASN `4200000001 + i` (private 4-octet space, RFC 6996), so every
//!   AS_PATH also exercises RFC 6793,
//! - the next hop `198.18.(i / 250).(1 + i % 250)` (RFC 2544 benchmarking
//!   space: an attribute value only, never routed),
//! - the BGP identifier equal to its address.
//!
//! Each mapping inverts in constant time, so a received route tells which
//! peer it must come from. Two layouts:
//!
//! - [`Layout::Disjoint`]: peer `i` announces the /24s with allocator indexes
//!   `i·P .. (i+1)·P` (see [`crate::alloc`]); every client must receive the
//!   (N−1)·P routes of the others, each with the originating peer's ASN first
//!   in the AS_PATH and its next hop. The prefixes are spread over four
//!   AS_PATHs per peer (`k % 4` extra transit ASNs behind the peer's own), so
//!   the server interns several attribute sets per peer.
//! - [`Layout::Shared`]: every peer announces the same P prefixes; peer `j`
//!   sends prefix `k` with `(j + k) % 3` extra ASNs. RFC 7947 §2.3 wants each
//!   client to receive the best path among the *other* peers' paths: the
//!   shortest AS_PATH, ties broken by the lowest BGP identifier (RFC 4271
//!   §9.1.2.2 (f)), which is the lowest peer index here. [`Plan::expected`]
//!   computes it.

use crate::alloc;
use condor_wire::attr::{flags, types};
use condor_wire::{AsPath, Context, Family, NextHop, Nlri, PathAttributes, Prefix, UpdateBuilder};
use std::net::Ipv4Addr;

/// First peer ASN (peer 0).
pub const PEER_ASN_BASE: u32 = 4_200_000_001;
/// ASNs used as transit hops behind a peer's own ASN.
pub const TRANSIT_ASN_BASE: u32 = 4_210_000_000;
/// Most peers a plan can describe (peer indexes fit 16 bits with room for markers).
pub const MAX_PEERS: u32 = 60_000;
/// Peers per /24 of source addresses and next hops.
const PER_OCTET: u32 = 250;

/// How the peers' announcements relate to one another.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// Each peer announces prefixes of its own.
    Disjoint,
    /// Every peer announces the same prefixes with different AS paths.
    Shared,
}

/// Error describing an impossible plan.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    /// Too many or too few peers.
    #[error("{0} peers: a plan needs 2 to {MAX_PEERS} peers")]
    Peers(u32),
    /// Zero prefixes, or more than the allocator holds.
    #[error("{0} prefixes in all: a plan needs at least one and at most {cap}", cap = alloc::CAPACITY)]
    Prefixes(u64),
}

/// The peers and routes of one benchmark.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    peers: u32,
    prefixes: u32,
    layout: Layout,
}

impl Plan {
    /// A plan for `peers` peers announcing `prefixes` prefixes each.
    pub fn new(peers: u32, prefixes: u32, layout: Layout) -> Result<Plan, PlanError> {
        if !(2..=MAX_PEERS).contains(&peers) {
            return Err(PlanError::Peers(peers));
        }
        let distinct = match layout {
            Layout::Disjoint => u64::from(peers) * u64::from(prefixes),
            Layout::Shared => u64::from(prefixes),
        };
        // Plans stay below 200.0.0.0/8, which the demo keeps for its own
        // routes (see [`Plan::is_extra`]).
        let cap = alloc::index_of(std::net::Ipv4Addr::new(200, 0, 0, 0)).unwrap_or(alloc::CAPACITY);
        if prefixes == 0 || distinct > u64::from(cap) {
            return Err(PlanError::Prefixes(distinct));
        }
        Ok(Plan {
            peers,
            prefixes,
            layout,
        })
    }

    /// True for prefixes in 200.0.0.0/8: no plan allocates there; the demo
    /// announces its own routes (filtered examples, action communities)
    /// there, and clients do not count them against the plan.
    pub fn is_extra(p: &Prefix) -> bool {
        matches!(*p, Prefix::V4(a, _) if a.octets()[0] == 200)
    }

    /// Number of peers.
    pub fn peers(&self) -> u32 {
        self.peers
    }

    /// Prefixes each peer announces.
    pub fn prefixes(&self) -> u32 {
        self.prefixes
    }

    /// The layout.
    pub fn layout(&self) -> Layout {
        self.layout
    }

    /// Number of distinct prefixes in the plan.
    pub fn distinct_prefixes(&self) -> u32 {
        match self.layout {
            Layout::Disjoint => self.peers * self.prefixes,
            Layout::Shared => self.prefixes,
        }
    }

    /// Routes every client must hold once converged.
    pub fn routes_per_client(&self) -> u64 {
        match self.layout {
            Layout::Disjoint => u64::from(self.peers - 1) * u64::from(self.prefixes),
            Layout::Shared => u64::from(self.prefixes),
        }
    }

    /// Paths the server holds once converged (its Adj-RIBs-In).
    pub fn paths_at_server(&self) -> u64 {
        u64::from(self.peers) * u64::from(self.prefixes)
    }

    /// The ASN of peer `i`.
    pub fn asn(i: u32) -> u32 {
        PEER_ASN_BASE + i
    }

    /// The peer whose ASN is `asn`, if it is one of this plan's.
    pub fn peer_of_asn(&self, asn: u32) -> Option<u32> {
        asn.checked_sub(PEER_ASN_BASE).filter(|&i| i < self.peers)
    }

    /// The source address of peer `i` (also its BGP identifier).
    pub fn address(i: u32) -> Ipv4Addr {
        Ipv4Addr::new(127, 0, (1 + i / PER_OCTET) as u8, (1 + i % PER_OCTET) as u8)
    }

    /// The next hop peer `i` announces.
    pub fn next_hop(i: u32) -> Ipv4Addr {
        let hi = i / PER_OCTET;
        Ipv4Addr::new(
            198,
            18 + (hi / 256) as u8,
            (hi % 256) as u8,
            (1 + i % PER_OCTET) as u8,
        )
    }

    /// The peer whose next hop is `nh`, if it is one of this plan's.
    pub fn peer_of_next_hop(&self, nh: Ipv4Addr) -> Option<u32> {
        let [a, b, c, d] = nh.octets();
        if a != 198 || !(18..=19).contains(&b) || !(1..=PER_OCTET as u8).contains(&d) {
            return None;
        }
        let hi = u32::from(b - 18) * 256 + u32::from(c);
        let i = hi * PER_OCTET + u32::from(d) - 1;
        (i < self.peers).then_some(i)
    }

    /// Allocator index of the `k`-th prefix of peer `i`.
    pub fn prefix_index(&self, i: u32, k: u32) -> u32 {
        match self.layout {
            Layout::Disjoint => i * self.prefixes + k,
            Layout::Shared => k,
        }
    }

    /// The `k`-th prefix peer `i` announces.
    pub fn prefix(&self, i: u32, k: u32) -> Prefix {
        let a = alloc::prefix_at(self.prefix_index(i, k)).unwrap_or(Ipv4Addr::UNSPECIFIED);
        Prefix::V4(a, 24)
    }

    /// The plan's index of a received prefix: `(owner, k)` for the disjoint
    /// layout, `(None, k)` for the shared one; `None` for a prefix that is
    /// not in the plan.
    pub fn locate(&self, p: &Prefix) -> Option<(Option<u32>, u32)> {
        let Prefix::V4(a, 24) = *p else { return None };
        let g = alloc::index_of(a)?;
        match self.layout {
            Layout::Disjoint if g < self.peers * self.prefixes => {
                Some((Some(g / self.prefixes), g))
            }
            Layout::Shared if g < self.prefixes => Some((None, g)),
            _ => None,
        }
    }

    /// The number of extra transit ASNs in peer `i`'s path for prefix `k`.
    pub fn path_class(&self, i: u32, k: u32) -> u32 {
        match self.layout {
            Layout::Disjoint => k % 4,
            Layout::Shared => (i + k) % 3,
        }
    }

    /// The number of path classes.
    fn classes(&self) -> u32 {
        match self.layout {
            Layout::Disjoint => 4,
            Layout::Shared => 3,
        }
    }

    /// The AS_PATH of peer `i` for a path class.
    pub fn as_path(i: u32, class: u32) -> AsPath {
        AsPath::from_sequence(
            std::iter::once(Plan::asn(i)).chain((1..=class).map(|m| TRANSIT_ASN_BASE + m)),
        )
    }

    /// Shared layout: the peer whose path client `c` must hold for prefix
    /// `k` (RFC 7947 §2.3: best among the other peers' paths). `None` for
    /// the disjoint layout.
    pub fn expected(&self, c: u32, k: u32) -> Option<u32> {
        if self.layout != Layout::Shared {
            return None;
        }
        // Shortest path first: class 0, then 1, then 2; within a class the
        // lowest index (lowest BGP identifier). Peers of class `m` for `k`
        // are j ≡ m − k (mod 3).
        (0..3).find_map(|m| {
            let first = (m + 3 - k % 3) % 3;
            (first..self.peers).step_by(3).find(|&j| j != c)
        })
    }

    /// The UPDATE messages peer `i` sends (encoded for a 4-octet AS session
    /// without extended messages), followed by the IPv4 End-of-RIB marker.
    pub fn announcement(&self, i: u32) -> Result<Vec<u8>, AnnounceError> {
        let ctx = Context::four_octet();
        let builder = UpdateBuilder::new(ctx);
        let nh = Plan::next_hop(i);
        let mut msgs = Vec::new();
        let mut nlri = Vec::with_capacity(self.prefixes as usize);
        for class in 0..self.classes() {
            nlri.clear();
            nlri.extend(
                (0..self.prefixes)
                    .filter(|&k| self.path_class(i, k) == class)
                    .map(|k| Nlri::new(self.prefix(i, k))),
            );
            if nlri.is_empty() {
                continue;
            }
            let mut path = Vec::new();
            Plan::as_path(i, class).encode(true, &mut path);
            let attrs = PathAttributes::from_parts(
                &[
                    (flags::TRANSITIVE, types::ORIGIN, &[0]),
                    (flags::TRANSITIVE, types::AS_PATH, &path),
                    (flags::TRANSITIVE, types::NEXT_HOP, &nh.octets()),
                ],
                true,
            )
            .map_err(AnnounceError::Attributes)?;
            builder.announce(
                &attrs,
                &NextHop::V4(nh),
                Family::IPV4_UNICAST,
                &nlri,
                &mut msgs,
            )?;
        }
        msgs.push(builder.end_of_rib(Family::IPV4_UNICAST));
        Ok(msgs.concat())
    }
}

/// Error building a peer's announcement.
#[derive(Debug, thiserror::Error)]
pub enum AnnounceError {
    /// The attributes did not validate (a bug in the plan).
    #[error("building attributes: {0}")]
    Attributes(String),
    /// Encoding failed.
    #[error(transparent)]
    Encode(#[from] condor_wire::EncodeError),
}

#[cfg(test)]
mod tests {
    use super::*;
    use condor_wire::{decode_message, frame_length, Message};
    use std::collections::HashSet;

    #[test]
    fn identities_invert() {
        let plan = Plan::new(1000, 10, Layout::Disjoint).expect("plan");
        let mut addrs = HashSet::new();
        for i in 0..1000 {
            assert_eq!(plan.peer_of_asn(Plan::asn(i)), Some(i));
            assert_eq!(plan.peer_of_next_hop(Plan::next_hop(i)), Some(i));
            let a = Plan::address(i);
            assert_eq!(a.octets()[0], 127);
            assert_ne!(a, Ipv4Addr::new(127, 0, 0, 1));
            assert!(addrs.insert(a), "{a} twice");
        }
        assert_eq!(plan.peer_of_asn(Plan::asn(1000)), None);
        assert_eq!(plan.peer_of_next_hop(Plan::next_hop(1000)), None);
        assert_eq!(plan.peer_of_next_hop(Ipv4Addr::new(198, 18, 0, 0)), None);
    }

    #[test]
    fn disjoint_prefixes_map_back_to_their_peer() {
        let plan = Plan::new(300, 300, Layout::Disjoint).expect("plan");
        let mut seen = HashSet::new();
        for i in 0..300 {
            for k in 0..300 {
                let p = plan.prefix(i, k);
                assert!(seen.insert(p), "{p} announced twice");
                assert_eq!(plan.locate(&p), Some((Some(i), plan.prefix_index(i, k))));
            }
        }
        // Outside the plan: the next /24 and a non-/24.
        assert_eq!(
            plan.locate(&Prefix::V4(alloc::prefix_at(300 * 300).expect("cap"), 24)),
            None
        );
        assert_eq!(
            plan.locate(&Prefix::V4(Ipv4Addr::new(1, 0, 0, 0), 23)),
            None
        );
    }

    #[test]
    fn expected_best_is_shortest_then_lowest_other_peer() {
        let plan = Plan::new(10, 30, Layout::Shared).expect("plan");
        for c in 0..10 {
            for k in 0..30 {
                let brute = (0..10)
                    .filter(|&j| j != c)
                    .min_by_key(|&j| (plan.path_class(j, k), j));
                assert_eq!(plan.expected(c, k), brute, "client {c} prefix {k}");
            }
        }
        assert_eq!(
            Plan::new(4, 4, Layout::Disjoint)
                .expect("plan")
                .expected(0, 0),
            None
        );
    }

    #[test]
    fn announcement_decodes_to_the_plan() {
        let plan = Plan::new(3, 2500, Layout::Shared).expect("plan");
        let bytes = plan.announcement(1).expect("encodes");
        let ctx = Context::four_octet();
        let mut rest = &bytes[..];
        let mut got = HashSet::new();
        let mut eor = false;
        while !rest.is_empty() {
            let len = frame_length(rest, &ctx).expect("frame").expect("whole");
            assert!(len <= 4096);
            let Message::Update(u) = decode_message(&rest[..len], &ctx).expect("decodes") else {
                panic!("not an UPDATE")
            };
            rest = &rest[len..];
            if u.end_of_rib().is_some() {
                eor = true;
                continue;
            }
            assert!(u.problems.is_empty(), "{:?}", u.problems);
            assert_eq!(u.attrs.next_hop(), Some(Plan::next_hop(1)));
            let path = u.attrs.as_path().expect("AS_PATH");
            assert_eq!(path.first_asn().map(|a| a.0), Some(Plan::asn(1)));
            for n in &u.nlri {
                let (_, k) = plan.locate(&n.prefix).expect("in plan");
                assert_eq!(path.path_len(), 1 + plan.path_class(1, k) as usize);
                assert!(got.insert(k));
            }
        }
        assert!(eor, "End-of-RIB missing");
        assert_eq!(got.len(), 2500);
    }

    #[test]
    fn rejects_impossible_plans() {
        assert_eq!(Plan::new(1, 10, Layout::Disjoint), Err(PlanError::Peers(1)));
        assert!(Plan::new(10, 0, Layout::Disjoint).is_err());
        assert!(Plan::new(60_000, 1000, Layout::Disjoint).is_err());
        assert!(Plan::new(60_000, 1000, Layout::Shared).is_ok());
    }
}
