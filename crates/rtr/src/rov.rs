//! Route origin validation, RFC 6811 §2: a route is Valid when a covering VRP
//! matches its origin AS and length, Invalid when it is covered but nothing
//! matches, NotFound when no VRP covers it. VRPs for AS0 (RFC 6483 §4,
//! RFC 7607) cover but never match. A route whose origin cannot be determined
//! (AS_PATH empty or ending in an AS_SET, RFC 6811 §2) matches nothing.

use std::fmt;

use condor_wire::{AsPath, Asn, Prefix, SegmentKind};

use crate::snapshot::RpkiSnapshot;

/// The validation state of a route (RFC 6811 §2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RovState {
    /// At least one VRP matches the route.
    Valid,
    /// At least one VRP covers the route, none matches.
    Invalid,
    /// No VRP covers the route.
    NotFound,
}

impl fmt::Display for RovState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RovState::Valid => "valid",
            RovState::Invalid => "invalid",
            RovState::NotFound => "not-found",
        })
    }
}

impl RpkiSnapshot {
    /// Validates a route for `prefix` whose origin AS is `origin`; pass `None`
    /// when the AS_PATH is empty or its last segment is an AS_SET (see
    /// [`origin_as`]). Such a route is Invalid when covered, else NotFound.
    pub fn rov(&self, prefix: &Prefix, origin: Option<Asn>) -> RovState {
        let mut covered = false;
        let mut valid = false;
        self.for_each_covering(prefix, |_, max_len, asn| {
            covered = true;
            if let Some(o) = origin {
                if asn.0 != 0 && asn == o && prefix.len() <= max_len {
                    valid = true;
                }
            }
        });
        if valid {
            RovState::Valid
        } else if covered {
            RovState::Invalid
        } else {
            RovState::NotFound
        }
    }
}

impl RpkiSnapshot {
    /// Validates a route by its decoded AS_PATH: `rov(prefix, origin_as(path))`.
    pub fn rov_path(&self, prefix: &Prefix, path: &AsPath) -> RovState {
        self.rov(prefix, origin_as(path))
    }
}

/// The origin AS of a route for RFC 6811: the last AS of the AS_PATH when its
/// last segment is an AS_SEQUENCE; `None` when the path is empty or ends in an
/// AS_SET. Confederation segments are skipped (RFC 6811 §2 uses the rightmost
/// AS outside them).
pub fn origin_as(path: &AsPath) -> Option<Asn> {
    let last = path.segments.iter().rev().find(|s| {
        matches!(s.kind, SegmentKind::Sequence | SegmentKind::Set) && !s.asns.is_empty()
    })?;
    match last.kind {
        SegmentKind::Sequence => last.asns.last().copied(),
        _ => None,
    }
}
