//! The RPKI payload Condor uses: Validated ROA Payloads (RFC 6811 §2, RFC 6482)
//! and ASPA records (draft-ietf-sidrops-aspa-profile), in Condor's own types.

use std::fmt;

use condor_wire::{Asn, Prefix};

/// A Validated ROA Payload: `asn` may originate `prefix` and its more-specifics
/// up to `max_len` bits (RFC 6811 §2). `asn` 0 means "nobody" (RFC 6483 §4, RFC 7607).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Vrp {
    /// The ROA prefix.
    pub prefix: Prefix,
    /// The longest prefix length that the VRP allows (≥ `prefix.len()`).
    pub max_len: u8,
    /// The authorised origin AS.
    pub asn: Asn,
}

impl Vrp {
    /// True when this VRP covers `prefix`: `prefix` lies within the VRP prefix
    /// (RFC 6811 §2 "Covered"). The max length does not matter for coverage.
    pub fn covers(&self, prefix: &Prefix) -> bool {
        self.prefix.contains(prefix)
    }

    /// True when this VRP matches a route for `prefix` originated by `origin`
    /// (RFC 6811 §2 "Matched"): covered, length ≤ max length, same non-zero AS.
    pub fn matches(&self, prefix: &Prefix, origin: Asn) -> bool {
        self.asn.0 != 0 && self.asn == origin && prefix.len() <= self.max_len && self.covers(prefix)
    }
}

impl fmt::Debug for Vrp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{} AS{}", self.prefix, self.max_len, self.asn.0)
    }
}

impl fmt::Display for Vrp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

/// A validated ASPA record: the provider set that `customer` attests to.
/// An empty set (or one holding only AS0) says the customer has no provider.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Aspa {
    /// The customer AS that signed the record.
    pub customer: Asn,
    /// Its providers, sorted and without duplicates.
    pub providers: Vec<Asn>,
}

impl Aspa {
    /// Builds a record, sorting and de-duplicating the providers.
    pub fn new(customer: Asn, mut providers: Vec<Asn>) -> Aspa {
        providers.sort_unstable();
        providers.dedup();
        Aspa {
            customer,
            providers,
        }
    }
}
