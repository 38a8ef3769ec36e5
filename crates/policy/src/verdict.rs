//! The outcome of import policy for one path: the reasons it was rejected
//! (none: accepted) and the validation states the looking glass shows.
//!
//! Reasons have stable numbers, published to members in `docs/filters.md`
//! and carried as large communities `RS:1101:code` on rejected paths (the
//! "filtered reason" range of the Euro-IX large-community list). The
//! validation states are carried as `RS:1000:x` (RPKI origin validation)
//! and `RS:1001:x` (IRR) on accepted paths.
//!
//! A [`Verdict`] is four octets: it is stored in every path of the RIB.

use std::fmt;

/// Why a path was rejected. The discriminant is the published code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum Reason {
    /// Prefix longer than the family's maximum length.
    PrefixTooLong = 1,
    /// Prefix shorter than the family's minimum length (incl. the default route).
    PrefixTooShort = 2,
    /// Prefix in a special-purpose (bogon) range.
    BogonPrefix = 3,
    /// A reserved, private or documentation ASN (or AS_TRANS) in the AS path.
    BogonAsn = 4,
    /// AS path longer than the limit.
    AsPathTooLong = 5,
    /// Empty AS path.
    AsPathEmpty = 6,
    /// The first AS of the path is not the member's ASN.
    FirstAsNotPeer = 7,
    /// NEXT_HOP is not an address of the member.
    NextHopNotPeer = 8,
    /// Prefix not covered by the member's IRR route objects.
    IrrPrefix = 9,
    /// Origin AS not in the member's IRR AS-SET.
    IrrOrigin = 10,
    /// A network that must never be reached via route servers is in the path.
    NeverViaRs = 12,
    /// RPKI origin validation: unknown, and unknown is rejected by config.
    RpkiUnknown = 13,
    /// RPKI origin validation: invalid (RFC 6811).
    RpkiInvalid = 14,
    /// A transit-free network appears behind the member's own ASN.
    TransitFree = 15,
    /// An AS_SET in the AS path (RFC 9774 deprecates them).
    AsSet = 17,
    /// ASPA verification: invalid.
    AspaInvalid = 18,
    /// A route leak: Only-To-Customer set by another AS (RFC 9234 §5).
    RouteLeak = 19,
    /// A BLACKHOLE (RFC 7999) route the member may not announce.
    BlackholeNotAllowed = 20,
    /// Address family not negotiated or not served on this session.
    InvalidFamily = 21,
}

impl Reason {
    /// Every reason, in code order.
    pub const ALL: [Reason; 19] = [
        Reason::PrefixTooLong,
        Reason::PrefixTooShort,
        Reason::BogonPrefix,
        Reason::BogonAsn,
        Reason::AsPathTooLong,
        Reason::AsPathEmpty,
        Reason::FirstAsNotPeer,
        Reason::NextHopNotPeer,
        Reason::IrrPrefix,
        Reason::IrrOrigin,
        Reason::NeverViaRs,
        Reason::RpkiUnknown,
        Reason::RpkiInvalid,
        Reason::TransitFree,
        Reason::AsSet,
        Reason::AspaInvalid,
        Reason::RouteLeak,
        Reason::BlackholeNotAllowed,
        Reason::InvalidFamily,
    ];

    /// The published code.
    pub fn code(self) -> u8 {
        self as u8
    }

    /// The reason with this code.
    pub fn from_code(code: u8) -> Option<Reason> {
        Reason::ALL.iter().copied().find(|r| r.code() == code)
    }

    /// A short stable identifier (API, metrics labels).
    pub fn key(self) -> &'static str {
        match self {
            Reason::PrefixTooLong => "prefix-too-long",
            Reason::PrefixTooShort => "prefix-too-short",
            Reason::BogonPrefix => "bogon-prefix",
            Reason::BogonAsn => "bogon-asn",
            Reason::AsPathTooLong => "as-path-too-long",
            Reason::AsPathEmpty => "as-path-empty",
            Reason::FirstAsNotPeer => "first-as-not-peer",
            Reason::NextHopNotPeer => "next-hop-not-peer",
            Reason::IrrPrefix => "irr-prefix",
            Reason::IrrOrigin => "irr-origin",
            Reason::NeverViaRs => "never-via-route-servers",
            Reason::RpkiUnknown => "rpki-unknown",
            Reason::RpkiInvalid => "rpki-invalid",
            Reason::TransitFree => "transit-free-asn",
            Reason::AsSet => "as-set",
            Reason::AspaInvalid => "aspa-invalid",
            Reason::RouteLeak => "route-leak",
            Reason::BlackholeNotAllowed => "blackhole-not-allowed",
            Reason::InvalidFamily => "invalid-family",
        }
    }

    /// The reason in words, for members reading the looking glass.
    pub fn description(self) -> &'static str {
        match self {
            Reason::PrefixTooLong => "prefix is longer than the maximum length accepted",
            Reason::PrefixTooShort => "prefix is shorter than the minimum length accepted",
            Reason::BogonPrefix => "prefix is in a special-purpose (bogon) range",
            Reason::BogonAsn => "AS path contains a private, reserved or documentation ASN",
            Reason::AsPathTooLong => "AS path is longer than the limit",
            Reason::AsPathEmpty => "AS path is empty",
            Reason::FirstAsNotPeer => "first AS in the AS path is not the member's ASN",
            Reason::NextHopNotPeer => "NEXT_HOP is not the member's address on the peering LAN",
            Reason::IrrPrefix => "prefix is not covered by the member's IRR route objects",
            Reason::IrrOrigin => "origin AS is not in the member's IRR AS-SET",
            Reason::NeverViaRs => {
                "AS path contains a network that is never reached via route servers"
            }
            Reason::RpkiUnknown => "RPKI origin validation: not found (rejected by policy)",
            Reason::RpkiInvalid => "RPKI origin validation: invalid",
            Reason::TransitFree => "AS path contains a transit-free network behind the member",
            Reason::AsSet => "AS path contains an AS_SET",
            Reason::AspaInvalid => "ASPA verification: invalid (route leak or forged path)",
            Reason::RouteLeak => "route leak: Only-To-Customer set by another network",
            Reason::BlackholeNotAllowed => "BLACKHOLE route outside the member's own address space",
            Reason::InvalidFamily => "address family not served on this session",
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.description())
    }
}

/// RPKI route origin validation state (RFC 6811 §2).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Rov {
    /// Not checked (RPKI off, or no data yet).
    #[default]
    NotChecked,
    /// A VRP matches prefix and origin.
    Valid,
    /// No VRP covers the prefix.
    NotFound,
    /// VRPs cover the prefix, none matches.
    Invalid,
}

/// ASPA verification state (draft-ietf-sidrops-aspa-verification).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Aspa {
    /// Not checked.
    #[default]
    NotChecked,
    /// Valid.
    Valid,
    /// Unknown (not enough ASPA objects).
    Unknown,
    /// Invalid.
    Invalid,
}

/// IRR state of a path.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Irr {
    /// Not checked (no AS-SET configured, or IRR filtering off).
    #[default]
    NotChecked,
    /// Prefix and origin found in the member's IRR data.
    Valid,
    /// Not in the IRR data, accepted because it is RPKI-valid ("RPKI as IRR").
    AcceptedByRpki,
    /// Not in the IRR data.
    Invalid,
}

/// Import verdict of one path: rejection reasons and validation states.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Verdict(u32);

const STATE_SHIFT: u32 = 24;

impl Verdict {
    /// Accepted, nothing checked.
    pub const ACCEPTED: Verdict = Verdict(0);

    /// True when no reason rejects the path.
    pub fn is_accepted(self) -> bool {
        self.0 & ((1 << STATE_SHIFT) - 1) == 0
    }

    /// Adds a rejection reason.
    pub fn reject(&mut self, r: Reason) {
        self.0 |= 1 << r.code();
    }

    /// True when `r` is one of the reasons.
    pub fn has(self, r: Reason) -> bool {
        self.0 & (1 << r.code()) != 0
    }

    /// The rejection reasons, in code order.
    pub fn reasons(self) -> impl Iterator<Item = Reason> {
        Reason::ALL.into_iter().filter(move |r| self.has(*r))
    }

    /// RPKI origin validation state.
    pub fn rov(self) -> Rov {
        match (self.0 >> STATE_SHIFT) & 3 {
            1 => Rov::Valid,
            2 => Rov::NotFound,
            3 => Rov::Invalid,
            _ => Rov::NotChecked,
        }
    }

    /// Sets the RPKI origin validation state.
    pub fn set_rov(&mut self, s: Rov) {
        let v = match s {
            Rov::NotChecked => 0,
            Rov::Valid => 1,
            Rov::NotFound => 2,
            Rov::Invalid => 3,
        };
        self.set_bits(STATE_SHIFT, v);
    }

    /// ASPA verification state.
    pub fn aspa(self) -> Aspa {
        match (self.0 >> (STATE_SHIFT + 2)) & 3 {
            1 => Aspa::Valid,
            2 => Aspa::Unknown,
            3 => Aspa::Invalid,
            _ => Aspa::NotChecked,
        }
    }

    /// Sets the ASPA verification state.
    pub fn set_aspa(&mut self, s: Aspa) {
        let v = match s {
            Aspa::NotChecked => 0,
            Aspa::Valid => 1,
            Aspa::Unknown => 2,
            Aspa::Invalid => 3,
        };
        self.set_bits(STATE_SHIFT + 2, v);
    }

    /// IRR state.
    pub fn irr(self) -> Irr {
        match (self.0 >> (STATE_SHIFT + 4)) & 3 {
            1 => Irr::Valid,
            2 => Irr::AcceptedByRpki,
            3 => Irr::Invalid,
            _ => Irr::NotChecked,
        }
    }

    /// Sets the IRR state.
    pub fn set_irr(&mut self, s: Irr) {
        let v = match s {
            Irr::NotChecked => 0,
            Irr::Valid => 1,
            Irr::AcceptedByRpki => 2,
            Irr::Invalid => 3,
        };
        self.set_bits(STATE_SHIFT + 4, v);
    }

    /// The verdict as large communities of route server `rs`: one
    /// `RS:1101:code` per rejection reason, then `RS:1000:x` for the RPKI
    /// state (1 valid, 2 not found, 3 invalid) and `RS:1001:x` for the IRR
    /// state (1 valid, 2 accepted by RPKI, 3 invalid), when checked.
    pub fn large_communities(self, rs: condor_wire::Asn) -> Vec<condor_wire::LargeCommunity> {
        use condor_wire::LargeCommunity as L;
        let mut out: Vec<L> = self
            .reasons()
            .map(|r| L::new(rs.0, 1101, r.code().into()))
            .collect();
        let rov = match self.rov() {
            Rov::NotChecked => None,
            Rov::Valid => Some(1),
            Rov::NotFound => Some(2),
            Rov::Invalid => Some(3),
        };
        out.extend(rov.map(|x| L::new(rs.0, 1000, x)));
        let irr = match self.irr() {
            Irr::NotChecked => None,
            Irr::Valid => Some(1),
            Irr::AcceptedByRpki => Some(2),
            Irr::Invalid => Some(3),
        };
        out.extend(irr.map(|x| L::new(rs.0, 1001, x)));
        out
    }

    /// An accepted RFC 7999 BLACKHOLE route (next hop rewritten, only for
    /// members that opted in).
    pub fn is_blackhole(self) -> bool {
        self.0 & (1 << 30) != 0
    }

    /// Marks the route as a BLACKHOLE route.
    pub fn set_blackhole(&mut self) {
        self.0 |= 1 << 30;
    }

    fn set_bits(&mut self, shift: u32, v: u32) {
        self.0 = (self.0 & !(3 << shift)) | (v << shift);
    }
}

impl fmt::Debug for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verdict")
            .field("reasons", &self.reasons().collect::<Vec<_>>())
            .field("rov", &self.rov())
            .field("aspa", &self.aspa())
            .field("irr", &self.irr())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_round_trip() {
        let mut seen = std::collections::HashSet::new();
        for r in Reason::ALL {
            assert!(seen.insert(r.code()), "duplicate code {}", r.code());
            assert!(r.code() < STATE_SHIFT as u8, "code must fit the bitset");
            assert_eq!(Reason::from_code(r.code()), Some(r));
        }
        assert_eq!(Reason::from_code(0), None);
        assert_eq!(Reason::RpkiInvalid.code(), 14);
    }

    #[test]
    fn verdict_keeps_reasons_and_states_apart() {
        let mut v = Verdict::ACCEPTED;
        v.set_rov(Rov::Invalid);
        v.set_irr(Irr::Valid);
        v.set_aspa(Aspa::Unknown);
        assert!(v.is_accepted(), "states alone do not reject");
        v.reject(Reason::RpkiInvalid);
        v.reject(Reason::BogonPrefix);
        assert!(!v.is_accepted());
        assert_eq!(
            v.reasons().collect::<Vec<_>>(),
            vec![Reason::BogonPrefix, Reason::RpkiInvalid]
        );
        assert_eq!(
            (v.rov(), v.irr(), v.aspa()),
            (Rov::Invalid, Irr::Valid, Aspa::Unknown)
        );
        v.set_rov(Rov::Valid);
        assert_eq!(v.rov(), Rov::Valid);
        assert_eq!(v.irr(), Irr::Valid);
        assert!(v.has(Reason::BogonPrefix));
        let lc: Vec<String> = v
            .large_communities(condor_wire::Asn(64115))
            .iter()
            .map(|c| format!("{}:{}:{}", c.global, c.local1, c.local2))
            .collect();
        assert_eq!(
            lc,
            [
                "64115:1101:3",
                "64115:1101:14",
                "64115:1000:1",
                "64115:1001:1"
            ]
        );
    }
}
