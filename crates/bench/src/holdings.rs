//! What one simulated client has received from the route server, and the
//! transparency checks on it (RFC 7947 §2.2: the server neither prepends its
//! ASN nor changes the NEXT_HOP; §2.3: it sends each client the best path
//! of the *other* clients, never the client's own route back).
//!
//! Memory is fixed at session start and nothing is allocated per route: the
//! disjoint layout keeps one bit per prefix of the plan, the shared layout
//! one 16-bit "received from" slot per prefix.

use crate::plan::{Layout, Plan};
use condor_wire::{NextHop, Prefix, Update};
use serde::Serialize;
use std::net::Ipv4Addr;
use std::sync::Arc;

/// Transparency violations and other unexpected routes, counted per route.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Violations {
    /// The first AS of the AS_PATH is not the originating peer's ASN (the
    /// server prepended its own, or the route came from the wrong peer).
    pub first_as: u64,
    /// The next hop is not the one the originating peer announced.
    pub next_hop: u64,
    /// A client received its own route back.
    pub own_route: u64,
    /// A prefix outside the plan, or an UPDATE RFC 7606 says to treat as
    /// withdraw.
    pub unexpected: u64,
}

impl Violations {
    /// Total count.
    pub fn total(&self) -> u64 {
        self.first_as + self.next_hop + self.own_route + self.unexpected
    }

    /// Adds another count to this one.
    pub fn add(&mut self, o: &Violations) {
        self.first_as += o.first_as;
        self.next_hop += o.next_hop;
        self.own_route += o.own_route;
        self.unexpected += o.unexpected;
    }
}

/// Slot value for "nothing held" in the shared layout.
const NONE: u16 = u16::MAX;
/// Slot value for "held, but from no peer we can name".
const UNKNOWN: u16 = u16::MAX - 1;

#[derive(Debug)]
enum Table {
    /// One bit per prefix index of the plan.
    Bits(Vec<u64>),
    /// Per prefix: the peer index the held route came from.
    From(Vec<u16>),
}

/// The routes one client holds.
#[derive(Debug)]
pub struct Holdings {
    plan: Arc<Plan>,
    me: u32,
    table: Table,
    held: u64,
    /// Shared layout: slots holding the expected peer's path.
    correct: u64,
    violations: Violations,
}

impl Holdings {
    /// Empty holdings of client `me`.
    pub fn new(plan: Arc<Plan>, me: u32) -> Holdings {
        let n = plan.distinct_prefixes() as usize;
        let table = match plan.layout() {
            Layout::Disjoint => Table::Bits(vec![0; n.div_ceil(64)]),
            Layout::Shared => Table::From(vec![NONE; n]),
        };
        Holdings {
            plan,
            me,
            table,
            held: 0,
            correct: 0,
            violations: Violations::default(),
        }
    }

    /// Routes held.
    pub fn held(&self) -> u64 {
        self.held
    }

    /// Violations seen so far.
    pub fn violations(&self) -> Violations {
        self.violations
    }

    /// True when the client holds exactly what the plan says it must: every
    /// other peer's prefix (disjoint), or for every prefix the expected
    /// best path (shared).
    pub fn complete(&self) -> bool {
        match self.table {
            Table::Bits(_) => self.held == self.plan.routes_per_client(),
            Table::From(_) => self.correct == self.plan.routes_per_client(),
        }
    }

    /// Applies one decoded UPDATE (see [`Holdings::apply_parts`]).
    pub fn apply(&mut self, u: &Update) {
        let first = u.attrs.as_path().and_then(|p| p.first_asn()).map(|a| a.0);
        let nh = u
            .attrs
            .next_hop()
            .or_else(|| match u.mp_reach.as_ref().map(|m| &m.next_hop) {
                Some(NextHop::V4(a)) => Some(*a),
                _ => None,
            });
        self.apply_parts(
            u.withdrawals().map(|n| n.prefix),
            u.announced().map(|n| n.prefix),
            first,
            nh,
            u.treat_as_withdraw(),
        );
    }

    /// Applies one UPDATE given as its parts: withdrawals first, then
    /// announcements (RFC 4271 §4.3 order), checking each announced route
    /// against the first AS of the AS_PATH and the IPv4 next hop.
    pub fn apply_parts(
        &mut self,
        withdrawn: impl Iterator<Item = Prefix>,
        announced: impl Iterator<Item = Prefix>,
        first_asn: Option<u32>,
        next_hop: Option<Ipv4Addr>,
        treat_as_withdraw: bool,
    ) {
        for p in withdrawn {
            if Plan::is_extra(&p) {
                continue;
            }
            match self.plan.locate(&p) {
                Some((_, g)) => self.remove(g),
                None => self.violations.unexpected += 1,
            }
        }
        if treat_as_withdraw {
            for p in announced {
                self.violations.unexpected += 1;
                if let Some((_, g)) = self.plan.locate(&p) {
                    self.remove(g);
                }
            }
            return;
        }
        let first = first_asn.and_then(|a| self.plan.peer_of_asn(a));
        let nh_peer = next_hop.and_then(|a| self.plan.peer_of_next_hop(a));
        for p in announced {
            if Plan::is_extra(&p) {
                continue;
            }
            let Some((owner, g)) = self.plan.locate(&p) else {
                self.violations.unexpected += 1;
                continue;
            };
            // The peer the route must have come from: the prefix's owner
            // (disjoint), else whoever the AS_PATH names (shared).
            let origin = owner.or(first);
            if origin == Some(self.me) {
                // It replaces whatever the client held for the prefix.
                self.violations.own_route += 1;
                self.remove(g);
                continue;
            }
            if (owner.is_some() && first != owner) || first.is_none() {
                self.violations.first_as += 1;
            }
            if nh_peer.is_none() || nh_peer != origin {
                self.violations.next_hop += 1;
            }
            self.insert(g, origin);
        }
    }

    fn insert(&mut self, g: u32, from: Option<u32>) {
        match &mut self.table {
            Table::Bits(bits) => {
                let (w, b) = ((g / 64) as usize, g % 64);
                if let Some(word) = bits.get_mut(w) {
                    if *word & (1 << b) == 0 {
                        *word |= 1 << b;
                        self.held += 1;
                    }
                }
            }
            Table::From(slots) => {
                let Some(slot) = slots.get_mut(g as usize) else {
                    return;
                };
                let was = *slot;
                let new = from.map_or(UNKNOWN, |j| j as u16);
                let expected = self.plan.expected(self.me, g).map(|j| j as u16);
                if was == NONE {
                    self.held += 1;
                } else if Some(was) == expected {
                    self.correct -= 1;
                }
                if Some(new) == expected {
                    self.correct += 1;
                }
                *slot = new;
            }
        }
    }

    fn remove(&mut self, g: u32) {
        match &mut self.table {
            Table::Bits(bits) => {
                let (w, b) = ((g / 64) as usize, g % 64);
                if let Some(word) = bits.get_mut(w) {
                    if *word & (1 << b) != 0 {
                        *word &= !(1 << b);
                        self.held -= 1;
                    }
                }
            }
            Table::From(slots) => {
                let Some(slot) = slots.get_mut(g as usize) else {
                    return;
                };
                if *slot == NONE {
                    return;
                }
                if Some(*slot) == self.plan.expected(self.me, g).map(|j| j as u16) {
                    self.correct -= 1;
                }
                *slot = NONE;
                self.held -= 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use condor_wire::attr::{flags, types};
    use condor_wire::{Context, Family, Nlri, PathAttributes, UpdateBuilder};

    fn decode_all(bytes: &[u8]) -> Vec<Update> {
        let ctx = Context::four_octet();
        let mut out = Vec::new();
        let mut rest = bytes;
        while !rest.is_empty() {
            let len = condor_wire::frame_length(rest, &ctx)
                .expect("frame")
                .expect("whole");
            match condor_wire::decode_message(&rest[..len], &ctx).expect("decodes") {
                condor_wire::Message::Update(u) => out.push(u),
                m => panic!("unexpected {m:?}"),
            }
            rest = &rest[len..];
        }
        out
    }

    /// An UPDATE for `prefixes` with the given first AS and next hop.
    fn update(plan: &Plan, first_asn: u32, nh: Ipv4Addr, prefixes: &[(u32, u32)]) -> Update {
        let mut path = Vec::new();
        condor_wire::AsPath::from_sequence([first_asn]).encode(true, &mut path);
        let attrs = PathAttributes::from_parts(
            &[
                (flags::TRANSITIVE, types::ORIGIN, &[0]),
                (flags::TRANSITIVE, types::AS_PATH, &path),
                (flags::TRANSITIVE, types::NEXT_HOP, &nh.octets()),
            ],
            true,
        )
        .expect("attrs");
        let nlri: Vec<Nlri> = prefixes
            .iter()
            .map(|&(i, k)| Nlri::new(plan.prefix(i, k)))
            .collect();
        let mut out = Vec::new();
        UpdateBuilder::new(Context::four_octet())
            .announce(
                &attrs,
                &condor_wire::NextHop::V4(nh),
                Family::IPV4_UNICAST,
                &nlri,
                &mut out,
            )
            .expect("encode");
        decode_all(&out.concat()).remove(0)
    }

    #[test]
    fn disjoint_client_completes_on_everyone_elses_routes() {
        let plan = Arc::new(Plan::new(3, 50, Layout::Disjoint).expect("plan"));
        let mut h = Holdings::new(plan.clone(), 0);
        for i in 1..3 {
            for u in decode_all(&plan.announcement(i).expect("encode")) {
                h.apply(&u);
            }
        }
        assert_eq!(h.held(), 100);
        assert!(h.complete());
        assert_eq!(h.violations(), Violations::default());
        // A duplicate announcement changes nothing; a withdrawal does.
        h.apply(&update(&plan, Plan::asn(1), Plan::next_hop(1), &[(1, 0)]));
        assert_eq!(h.held(), 100);
        let mut w = Update::end_of_rib_ipv4();
        w.withdrawn.push(Nlri::new(plan.prefix(2, 7)));
        h.apply(&w);
        assert_eq!(h.held(), 99);
        assert!(!h.complete());
    }

    #[test]
    fn disjoint_violations_are_counted() {
        let plan = Arc::new(Plan::new(3, 10, Layout::Disjoint).expect("plan"));
        let mut h = Holdings::new(plan.clone(), 0);
        // Server prepended its ASN: first AS wrong.
        h.apply(&update(&plan, 64115, Plan::next_hop(1), &[(1, 0), (1, 1)]));
        // Next hop rewritten to the server's.
        h.apply(&update(
            &plan,
            Plan::asn(2),
            Ipv4Addr::new(127, 0, 0, 1),
            &[(2, 0)],
        ));
        // Own route returned.
        h.apply(&update(&plan, Plan::asn(0), Plan::next_hop(0), &[(0, 3)]));
        let v = h.violations();
        assert_eq!(
            (v.first_as, v.next_hop, v.own_route, v.unexpected),
            (2, 1, 1, 0)
        );
        assert_eq!(v.total(), 4);
        // Violating routes are still held (they arrived); the own one is not.
        assert_eq!(h.held(), 3);
    }

    #[test]
    fn shared_client_needs_the_expected_paths() {
        let plan = Arc::new(Plan::new(4, 12, Layout::Shared).expect("plan"));
        let me = 0;
        let mut h = Holdings::new(plan.clone(), me);
        // Everything from peer 3 first: all held, only some correct.
        h.apply(&update(
            &plan,
            Plan::asn(3),
            Plan::next_hop(3),
            &(0..12).map(|k| (3, k)).collect::<Vec<_>>(),
        ));
        assert_eq!(h.held(), 12);
        assert!(!h.complete());
        // Then each prefix from its expected peer (implicit replacement).
        for k in 0..12 {
            let j = plan.expected(me, k).expect("shared");
            assert_ne!(j, me);
            h.apply(&update(&plan, Plan::asn(j), Plan::next_hop(j), &[(j, k)]));
        }
        assert_eq!(h.held(), 12);
        assert!(h.complete());
        assert_eq!(h.violations(), Violations::default());
        // Our own path returned is a violation and is not held.
        h.apply(&update(
            &plan,
            Plan::asn(me),
            Plan::next_hop(me),
            &[(me, 0)],
        ));
        assert_eq!(h.violations().own_route, 1);
        assert_eq!(h.held(), 11);
        assert!(!h.complete());
    }
}
