//! AS_PATH verification with ASPA records, draft-ietf-sidrops-aspa-verification
//! (the -2x revisions: hop check §5, upstream §6.1, downstream §6.2 with the
//! up-ramp/down-ramp formulation).
//!
//! Route-server use: the route server is transparent (its AS is not in the
//! path), so a route it receives from an RS client is verified with the
//! **upstream** algorithm and the client's AS as the neighbor AS. Routes from a
//! transit provider (not a route-server case) use the downstream algorithm.

use std::fmt;

use condor_wire::{AsPath, Asn, SegmentKind};

use crate::snapshot::RpkiSnapshot;

/// The result of ASPA path verification.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AspaState {
    /// Every hop is attested as customer-to-provider as the direction requires.
    Valid,
    /// Some hop is proven wrong (a route leak or a forged path), or the path
    /// is malformed for verification (empty, AS_SET, wrong neighbor).
    Invalid,
    /// Not enough ASPA records to decide.
    Unknown,
}

impl fmt::Display for AspaState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AspaState::Valid => "valid",
            AspaState::Invalid => "invalid",
            AspaState::Unknown => "unknown",
        })
    }
}

/// The answer of the hop check (draft §5) for the pair (customer, provider).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hop {
    /// The customer has an ASPA listing the provider.
    ProviderPlus,
    /// The customer has an ASPA, and the provider is not in it.
    NotProviderPlus,
    /// The customer has no ASPA.
    NoAttestation,
}

/// The AS_PATH reduced for verification: ASNs origin-last as on the wire
/// (nearest first), with prepends collapsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathForAspa {
    /// The collapsed sequence, nearest AS first, origin last.
    Sequence(Vec<Asn>),
    /// The path holds an AS_SET: verification yields Invalid (draft §6).
    HasSet,
}

impl PathForAspa {
    /// Reduces a decoded AS_PATH: confederation segments are dropped (they never
    /// leave a confederation, RFC 5065), prepends collapse, an AS_SET makes
    /// the whole path `HasSet`.
    pub fn from_as_path(path: &AsPath) -> PathForAspa {
        let mut out: Vec<Asn> = Vec::new();
        for seg in &path.segments {
            match seg.kind {
                SegmentKind::Set => return PathForAspa::HasSet,
                SegmentKind::Sequence => {
                    for &a in &seg.asns {
                        if out.last() != Some(&a) {
                            out.push(a);
                        }
                    }
                }
                SegmentKind::ConfedSequence | SegmentKind::ConfedSet => {}
            }
        }
        PathForAspa::Sequence(out)
    }

    /// Builds from a plain AS sequence, nearest AS first (collapsing prepends).
    pub fn from_sequence(asns: &[Asn]) -> PathForAspa {
        let mut out: Vec<Asn> = Vec::with_capacity(asns.len());
        for &a in asns {
            if out.last() != Some(&a) {
                out.push(a);
            }
        }
        PathForAspa::Sequence(out)
    }
}

impl RpkiSnapshot {
    /// The hop check (draft §5): is `provider` attested as a provider of `customer`?
    pub fn hop(&self, customer: Asn, provider: Asn) -> Hop {
        match self.providers(customer) {
            None => Hop::NoAttestation,
            Some(p) if p.binary_search(&provider).is_ok() => Hop::ProviderPlus,
            Some(_) => Hop::NotProviderPlus,
        }
    }

    /// Upstream verification (draft §6.1) of a route received from `neighbor`,
    /// a customer, a lateral peer or, for a route server, an RS client.
    pub fn aspa_upstream(&self, path: &PathForAspa, neighbor: Asn) -> AspaState {
        let Some(seq) = self.checked(path, neighbor) else {
            return AspaState::Invalid;
        };
        let n = seq.len();
        let (max_up, min_up) = self.up_ramps(&seq);
        if max_up < n {
            AspaState::Invalid
        } else if min_up == n {
            AspaState::Valid
        } else {
            AspaState::Unknown
        }
    }

    /// Downstream verification (draft §6.2) of a route received from `neighbor`,
    /// a transit provider: the path may go up, then down.
    pub fn aspa_downstream(&self, path: &PathForAspa, neighbor: Asn) -> AspaState {
        let Some(seq) = self.checked(path, neighbor) else {
            return AspaState::Invalid;
        };
        let n = seq.len();
        let (max_up, min_up) = self.up_ramps(&seq);
        let (max_down, min_down) = self.down_ramps(&seq);
        if max_up + max_down < n {
            AspaState::Invalid
        } else if min_up + min_down >= n {
            AspaState::Valid
        } else {
            AspaState::Unknown
        }
    }

    /// Shared first steps: non-empty, no AS_SET, neighbor is the nearest AS.
    /// Returns the path origin-first, as the draft indexes it (AS(1) = origin).
    fn checked(&self, path: &PathForAspa, neighbor: Asn) -> Option<Vec<Asn>> {
        let PathForAspa::Sequence(seq) = path else {
            return None;
        };
        if seq.first() != Some(&neighbor) {
            return None;
        }
        Some(seq.iter().rev().copied().collect())
    }

    /// (max_up_ramp, min_up_ramp) of an origin-first path of length N ≥ 1.
    fn up_ramps(&self, seq: &[Asn]) -> (usize, usize) {
        let n = seq.len();
        let mut max_up = n;
        let mut min_up = n;
        for i in 1..n {
            let h = self.hop(seq[i - 1], seq[i]);
            if h != Hop::ProviderPlus && min_up == n {
                min_up = i;
            }
            if h == Hop::NotProviderPlus {
                max_up = i;
                break;
            }
        }
        (max_up, min_up.min(max_up))
    }

    /// (max_down_ramp, min_down_ramp): the same from the neighbor end, with
    /// each hop read provider-to-customer.
    fn down_ramps(&self, seq: &[Asn]) -> (usize, usize) {
        let n = seq.len();
        let mut max_down = n;
        let mut min_down = n;
        for k in 1..n {
            // hop from AS(j+1) (the customer on the way down) to AS(j).
            let j = n - k;
            let h = self.hop(seq[j], seq[j - 1]);
            if h != Hop::ProviderPlus && min_down == n {
                min_down = k;
            }
            if h == Hop::NotProviderPlus {
                max_down = k;
                break;
            }
        }
        (max_down, min_down.min(max_down))
    }
}
