//! Import policy of a route server: the checks the Euro-IX / MANRS practice
//! asks of an IXP route server, as one pure function
//! `(route, member, policy data) -> Verdict`.
//!
//! Every check runs (the verdict lists *all* the reasons, so a member fixes
//! everything at once), each switchable in [`Filters`]. RPKI and IRR data
//! come through the [`RpkiCheck`] and [`IrrCheck`] traits, so this crate
//! does not depend on how they are fetched.
//!
//! RFCs: RFC 6811 (origin validation), RFC 7999 (BLACKHOLE), RFC 9234 §5
//! (OTC on ingress from an RS client: any OTC marks a leak), RFC 9774
//! (AS_SETs), RFC 7947 §2.2 (a transparent route server of another IXP
//! may sit in front of the origin).

use crate::bogons::{is_bogon_asn, is_bogon_prefix};
use crate::verdict::{Aspa, Irr, Reason, Rov, Verdict};
use condor_wire::attr::SegmentKind;
use condor_wire::{Asn, NextHop, PathAttributes, Prefix};
use std::collections::HashSet;
use std::net::IpAddr;
use std::sync::Arc;

/// What to do with RPKI origin validation results.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RpkiPolicy {
    /// Do not validate.
    Off,
    /// Validate and tag; reject nothing.
    Tag,
    /// Reject invalid (the default).
    RejectInvalid,
    /// Reject invalid and not-found.
    RejectInvalidAndUnknown,
}

/// What to do with IRR results.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IrrPolicy {
    /// Do not check.
    Off,
    /// Check and tag; reject nothing.
    Tag,
    /// Reject what the member's IRR data does not cover (the default).
    Reject,
}

/// How strictly the NEXT_HOP is checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NextHopPolicy {
    /// The member's own address on the peering LAN (the default).
    Peer,
    /// Any address of the same member (its other routers on the LAN).
    SameMember,
    /// Not checked.
    Any,
}

/// The import filters of a route server, shared by its members.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Filters {
    /// NEXT_HOP check.
    pub next_hop: NextHopPolicy,
    /// The first AS must be the member's (except for transparent route servers).
    pub first_as: bool,
    /// Reject special-purpose prefixes.
    pub bogon_prefixes: bool,
    /// Reject paths with private/reserved ASNs.
    pub bogon_asns: bool,
    /// Accepted IPv4 prefix lengths (inclusive).
    pub ipv4_length: (u8, u8),
    /// Accepted IPv6 prefix lengths (inclusive).
    pub ipv6_length: (u8, u8),
    /// Longest AS path accepted (prepends count).
    pub max_as_path_len: usize,
    /// Reject paths with an AS_SET.
    pub reject_as_set: bool,
    /// Transit-free networks: not accepted anywhere behind the member's
    /// own ASN at the head of the path (even when the member is one).
    pub transit_free: HashSet<Asn>,
    /// Networks never to be reached via route servers.
    pub never_via_rs: HashSet<Asn>,
    /// RPKI origin validation.
    pub rpki: RpkiPolicy,
    /// Reject ASPA-invalid paths (verification runs when ASPA data exist).
    pub aspa_reject_invalid: bool,
    /// IRR filtering.
    pub irr: IrrPolicy,
    /// Accept RPKI-valid routes the IRR data do not cover ("RPKI as IRR").
    pub rpki_as_irr: bool,
    /// Reject routes carrying OTC (RFC 9234 §5: a leak when learnt from an RS client).
    pub reject_otc_leaks: bool,
    /// RFC 7999 blackholing; `None`: off (BLACKHOLE routes are ordinary routes).
    pub blackhole: Option<Blackhole>,
    /// RFC 9234 §5 egress: the route server's ASN, added as OTC to every
    /// route passed on that has none (its clients are RS clients). `None`:
    /// OTC is not added. An OTC equal to it is ours, not a leak.
    pub otc_egress: Option<Asn>,
    /// Informational communities: the route server's ASN, with which the
    /// member's routes are tagged as they are passed on (`RS:1000:x` RPKI
    /// state, `RS:1001:x` IRR state, see [`crate::informational`]), and
    /// such communities the member sent itself removed. `None`: off.
    pub informational: Option<Asn>,
}

/// RFC 7999 blackholing at the route server: the IXP's blackhole next hops.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Blackhole {
    /// Next hop of IPv4 blackhole routes (on the peering LAN, null-routed).
    pub next_hop_v4: Option<std::net::Ipv4Addr>,
    /// Next hop of IPv6 blackhole routes.
    pub next_hop_v6: Option<std::net::Ipv6Addr>,
}

impl Blackhole {
    /// The next hop that replaces the member's for a blackhole route of
    /// `prefix`'s family, if blackholing is offered for it.
    pub fn next_hop_for(&self, prefix: &Prefix) -> Option<NextHop> {
        match prefix {
            Prefix::V4(..) => self.next_hop_v4.map(NextHop::V4),
            Prefix::V6(..) => self.next_hop_v6.map(|global| NextHop::V6 {
                global,
                link_local: None,
            }),
        }
    }
}

/// Large transit networks (the usual "no transit leaks" list of route
/// servers and filter guides): none of them should appear behind the
/// member that sends the route, whether or not the member is one of them.
pub const DEFAULT_TRANSIT_FREE: [u32; 22] = [
    174, 209, 701, 702, 1239, 1299, 2828, 2914, 3257, 3320, 3356, 3491, 3549, 3561, 4134, 5511,
    6453, 6461, 6762, 6830, 7018, 12956,
];

impl Default for Filters {
    fn default() -> Self {
        Filters {
            next_hop: NextHopPolicy::Peer,
            first_as: true,
            bogon_prefixes: true,
            bogon_asns: true,
            ipv4_length: (8, 24),
            ipv6_length: (16, 48),
            max_as_path_len: 32,
            reject_as_set: true,
            transit_free: DEFAULT_TRANSIT_FREE.iter().map(|&a| Asn(a)).collect(),
            never_via_rs: HashSet::new(),
            rpki: RpkiPolicy::RejectInvalid,
            aspa_reject_invalid: true,
            irr: IrrPolicy::Reject,
            rpki_as_irr: false,
            reject_otc_leaks: true,
            blackhole: None,
            otc_egress: None,
            informational: None,
        }
    }
}

impl Filters {
    /// Every filter off: the route server relays whatever is well-formed.
    pub fn none() -> Filters {
        Filters {
            next_hop: NextHopPolicy::Any,
            first_as: false,
            bogon_prefixes: false,
            bogon_asns: false,
            ipv4_length: (0, 32),
            ipv6_length: (0, 128),
            max_as_path_len: usize::MAX,
            reject_as_set: false,
            transit_free: HashSet::new(),
            never_via_rs: HashSet::new(),
            rpki: RpkiPolicy::Off,
            aspa_reject_invalid: false,
            irr: IrrPolicy::Off,
            rpki_as_irr: false,
            reject_otc_leaks: false,
            blackhole: None,
            otc_egress: None,
            informational: None,
        }
    }
}

/// RPKI data, as the policy reads it.
pub trait RpkiCheck: Send + Sync {
    /// Route origin validation of `prefix` originated by `origin` (`None`:
    /// the origin is not a single AS, e.g. the path ends in an AS_SET).
    fn rov(&self, prefix: &Prefix, origin: Option<Asn>) -> Rov;
    /// ASPA upstream verification of `path` (left-most first, prepends
    /// collapsed or not) received from a member with ASN `neighbor`.
    /// `Aspa::NotChecked` when no ASPA data exist.
    fn aspa(&self, path: &[Asn], neighbor: Asn) -> Aspa;
}

/// A member's IRR data, as the policy reads it.
pub trait IrrCheck: Send + Sync {
    /// The prefix is covered by the member's route objects (within the
    /// accepted more-specific range).
    fn prefix_ok(&self, prefix: &Prefix) -> bool;
    /// The origin AS is in the member's AS-SET.
    fn origin_ok(&self, origin: Asn) -> bool;
    /// The prefix lies in the member's space: covered by a route object at
    /// any length (for RFC 7999 blackhole routes, /32 and /128 included).
    fn covers(&self, prefix: &Prefix) -> bool {
        self.prefix_ok(prefix)
    }
}

/// The import policy of one member.
#[derive(Clone)]
pub struct MemberImport {
    /// The member's ASN.
    pub asn: Asn,
    /// The member's addresses on the peering LAN (the session address first).
    pub addresses: Vec<IpAddr>,
    /// The member is a transparent route server (of another IXP): the first
    /// AS need not be its own.
    pub transparent: bool,
    /// The member's IRR data (`None`: no AS-SET, or not loaded yet).
    pub irr: Option<Arc<dyn IrrCheck>>,
    /// The route server's filters.
    pub filters: Arc<Filters>,
}

impl std::fmt::Debug for MemberImport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemberImport")
            .field("asn", &self.asn)
            .field("addresses", &self.addresses)
            .field("transparent", &self.transparent)
            .field("irr", &self.irr.is_some())
            .finish()
    }
}

impl MemberImport {
    /// A member with every filter off (collectors, tests).
    pub fn permissive(asn: Asn) -> MemberImport {
        MemberImport {
            asn,
            addresses: Vec::new(),
            transparent: false,
            irr: None,
            filters: Arc::new(Filters::none()),
        }
    }
}

fn next_hop_addr(nh: &NextHop) -> Option<IpAddr> {
    match nh {
        NextHop::V4(a) => Some(IpAddr::V4(*a)),
        NextHop::V6 { global, .. } => Some(IpAddr::V6(*global)),
        NextHop::Other(_) => None,
    }
}

/// Evaluates one route received from `member`.
pub fn evaluate(
    prefix: &Prefix,
    attrs: &PathAttributes,
    next_hop: &NextHop,
    member: &MemberImport,
    rpki: Option<&dyn RpkiCheck>,
) -> Verdict {
    PathCheck::new(attrs, member, rpki).route(prefix, next_hop, member, rpki)
}

/// The checks that depend on the attributes only, done once for all the
/// prefixes of an UPDATE; [`PathCheck::route`] adds the per-prefix ones.
#[derive(Clone, Copy, Debug)]
pub struct PathCheck {
    verdict: Verdict,
    /// The origin AS (`None` when the path ends in an AS_SET or is empty).
    origin: Option<Asn>,
    irr_origin_ok: bool,
    /// Tagged BLACKHOLE (RFC 7999) with blackholing on.
    blackhole: bool,
}

impl PathCheck {
    /// Checks the AS path (and the attributes) of a route from `member`.
    pub fn new(
        attrs: &PathAttributes,
        member: &MemberImport,
        rpki: Option<&dyn RpkiCheck>,
    ) -> PathCheck {
        let f = &*member.filters;
        let mut v = Verdict::ACCEPTED;
        let mut asns: Vec<Asn> = Vec::with_capacity(8);
        let mut has_set = false;
        attrs.for_each_asn(|kind, a| match kind {
            SegmentKind::Sequence => asns.push(a),
            SegmentKind::Set => has_set = true,
            // Confederation segments never reach a route server from an
            // eBGP member; they are not counted (RFC 5065 §5.3).
            _ => {}
        });
        let path_len = attrs.as_path_len().unwrap_or(0);
        if asns.is_empty() && !has_set {
            v.reject(Reason::AsPathEmpty);
        }
        if path_len > f.max_as_path_len {
            v.reject(Reason::AsPathTooLong);
        }
        if f.reject_as_set && has_set {
            v.reject(Reason::AsSet);
        }
        if f.first_as && !member.transparent && asns.first() != Some(&member.asn) {
            v.reject(Reason::FirstAsNotPeer);
        }
        if f.bogon_asns && asns.iter().any(|&a| is_bogon_asn(a)) {
            v.reject(Reason::BogonAsn);
        }
        // The member's own ASN at the head (with its prepends) is exempt,
        // listed or not; a listed network anywhere behind it is a leak,
        // even behind a transit-free member (a peer's route re-exported).
        let mut behind = asns.iter().skip_while(|&&a| a == member.asn);
        if behind.any(|a| f.transit_free.contains(a)) {
            v.reject(Reason::TransitFree);
        }
        if !f.never_via_rs.is_empty() && asns.iter().any(|a| f.never_via_rs.contains(a)) {
            v.reject(Reason::NeverViaRs);
        }
        if f.reject_otc_leaks && attrs.otc().is_some_and(|o| Some(o) != f.otc_egress) {
            v.reject(Reason::RouteLeak);
        }
        if let (Some(r), true) = (rpki, f.rpki != RpkiPolicy::Off) {
            let aspa = r.aspa(&asns, member.asn);
            v.set_aspa(aspa);
            if aspa == Aspa::Invalid && f.aspa_reject_invalid {
                v.reject(Reason::AspaInvalid);
            }
        }
        let origin = if has_set { None } else { asns.last().copied() };
        let irr_origin_ok = match (&member.irr, origin) {
            (Some(irr), Some(o)) => irr.origin_ok(o),
            _ => false,
        };
        PathCheck {
            verdict: v,
            origin,
            irr_origin_ok,
            blackhole: f.blackhole.is_some()
                && attrs.has_community(condor_wire::Community::BLACKHOLE),
        }
    }

    /// The route is tagged BLACKHOLE and blackholing is on: its next hop is
    /// replaced by the IXP's blackhole address, NO_EXPORT is added, and it
    /// goes only to members that opted in.
    pub fn is_blackhole(&self) -> bool {
        self.blackhole
    }

    /// The verdict for one prefix of the path, reached via `next_hop`.
    pub fn route(
        &self,
        prefix: &Prefix,
        next_hop: &NextHop,
        member: &MemberImport,
        rpki: Option<&dyn RpkiCheck>,
    ) -> Verdict {
        let f = &*member.filters;
        let mut v = self.verdict;
        let (min, max) = if prefix.is_ipv4() {
            f.ipv4_length
        } else {
            f.ipv6_length
        };
        if self.blackhole {
            return self.blackhole_route(prefix, member, rpki);
        }
        if prefix.len() > max {
            v.reject(Reason::PrefixTooLong);
        }
        if prefix.len() < min {
            v.reject(Reason::PrefixTooShort);
        }
        if f.bogon_prefixes && is_bogon_prefix(prefix) {
            v.reject(Reason::BogonPrefix);
        }
        match f.next_hop {
            NextHopPolicy::Any => {}
            NextHopPolicy::Peer | NextHopPolicy::SameMember => {
                let allowed: &[IpAddr] = if f.next_hop == NextHopPolicy::Peer {
                    &member.addresses[..member.addresses.len().min(1)]
                } else {
                    &member.addresses
                };
                // With RFC 8950 an IPv4 route may carry the member's IPv6
                // address: the comparison is by address, whatever the family.
                if !next_hop_addr(next_hop).is_some_and(|a| allowed.contains(&a)) {
                    v.reject(Reason::NextHopNotPeer);
                }
            }
        }
        if let (Some(r), true) = (rpki, f.rpki != RpkiPolicy::Off) {
            let rov = r.rov(prefix, self.origin);
            v.set_rov(rov);
            match (rov, f.rpki) {
                (Rov::Invalid, RpkiPolicy::RejectInvalid | RpkiPolicy::RejectInvalidAndUnknown) => {
                    v.reject(Reason::RpkiInvalid)
                }
                (Rov::NotFound, RpkiPolicy::RejectInvalidAndUnknown) => {
                    v.reject(Reason::RpkiUnknown)
                }
                _ => {}
            }
        }
        if let (Some(irr), true) = (&member.irr, f.irr != IrrPolicy::Off) {
            let prefix_ok = irr.prefix_ok(prefix);
            let state = if prefix_ok && self.irr_origin_ok {
                Irr::Valid
            } else if f.rpki_as_irr && self.irr_origin_ok && v.rov() == Rov::Valid {
                // A ROA stands for a missing route object, not for the
                // origin check: the origin must still be in the AS-SET.
                Irr::AcceptedByRpki
            } else {
                Irr::Invalid
            };
            v.set_irr(state);
            if state == Irr::Invalid && f.irr == IrrPolicy::Reject {
                if !prefix_ok {
                    v.reject(Reason::IrrPrefix);
                }
                if !self.irr_origin_ok {
                    v.reject(Reason::IrrOrigin);
                }
            }
        }
        v
    }
}

impl PathCheck {
    /// RFC 7999 §3.2: a blackhole route is accepted for the member's own
    /// space (covered by its IRR route objects, at any length up to /32 or
    /// /128), whatever its NEXT_HOP (replaced) and its RPKI state (a host
    /// route is "invalid" for most ROAs' maxLength; the state is kept for
    /// display). The path-level checks still apply.
    fn blackhole_route(
        &self,
        prefix: &Prefix,
        member: &MemberImport,
        rpki: Option<&dyn RpkiCheck>,
    ) -> Verdict {
        let f = &*member.filters;
        let mut v = self.verdict;
        v.set_blackhole();
        let min = if prefix.is_ipv4() {
            f.ipv4_length.0
        } else {
            f.ipv6_length.0
        };
        if prefix.len() < min {
            v.reject(Reason::PrefixTooShort);
        }
        if f.bogon_prefixes && is_bogon_prefix(prefix) {
            v.reject(Reason::BogonPrefix);
        }
        let offered = f
            .blackhole
            .as_ref()
            .and_then(|b| b.next_hop_for(prefix))
            .is_some();
        let own = member.irr.as_ref().is_some_and(|i| i.covers(prefix));
        if !offered || !own {
            v.reject(Reason::BlackholeNotAllowed);
        }
        if let (Some(r), true) = (rpki, f.rpki != RpkiPolicy::Off) {
            v.set_rov(r.rov(prefix, self.origin));
        }
        if member.irr.is_some() && f.irr != IrrPolicy::Off {
            v.set_irr(if own && self.irr_origin_ok {
                Irr::Valid
            } else {
                Irr::Invalid
            });
            if !self.irr_origin_ok && f.irr == IrrPolicy::Reject {
                v.reject(Reason::IrrOrigin);
            }
        }
        v
    }
}

#[cfg(test)]
#[path = "import_tests.rs"]
mod tests;
