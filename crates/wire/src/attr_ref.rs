//! A borrowed view of a validated path attribute block (RFC 4271 §4.3, §5):
//! the accessors policy reads, shared by the owned [`PathAttributes`] and the
//! allocation-free [`UpdateRef`](crate::UpdateRef).
//!
//! Every accessor parses on demand from octets the decoder already checked
//! (RFC 7606 §7), through the index of where each known attribute starts, so
//! they are infallible, cheap and never allocate — except [`AttrsRef::as_path`],
//! which builds the path, and the RFC 6793 §4.2.3 AS4_PATH merge, which needs it.
//!
//! [`PathAttributes`]: crate::PathAttributes

use crate::attr::{
    merge_as4_path, read_attr_header, slot_of, types, AsPath, AttrIter, RawSegments, SegmentKind,
    SLOT_TYPES,
};
use crate::{Asn, Community, ExtCommunity, LargeCommunity, Origin};
use std::net::Ipv4Addr;

/// One entry of a block's index: where the value of the first attribute of
/// a type lies, packed as `start << 16 | length`, or [`ABSENT`], or
/// [`UNINDEXED`]. Indexed blocks are shorter than 65535 octets, so a packed
/// entry is below both markers.
pub(crate) type Slot = u32;

/// No attribute of this type in the block.
pub(crate) const ABSENT: Slot = u32::MAX;

/// The block is too long to be indexed (65535 octets or more: only MRT RIB
/// entries): lookups walk it.
pub(crate) const UNINDEXED: Slot = u32::MAX - 1;

/// The longest block that is indexed.
const MAX_INDEXED: usize = u16::MAX as usize - 1;

/// The index of a block: a [`Slot`] per indexed attribute type.
pub(crate) type AttrIndex = [Slot; SLOT_TYPES.len()];

/// The index of a block that holds no indexed attribute.
pub(crate) const EMPTY_INDEX: AttrIndex = [ABSENT; SLOT_TYPES.len()];

/// The index a walk of `block` starts from: empty, or all [`UNINDEXED`]
/// for a block too long to index.
#[inline]
pub(crate) fn start_index(block: &[u8]) -> AttrIndex {
    if block.len() <= MAX_INDEXED {
        EMPTY_INDEX
    } else {
        [UNINDEXED; SLOT_TYPES.len()]
    }
}

/// The slot of a value at `start..end` of an indexed block.
#[inline]
pub(crate) fn slot(start: usize, end: usize) -> Slot {
    ((start as u32) << 16) | (end - start) as u32
}

/// Builds the index of a block by walking it (first attribute of each type).
pub(crate) fn index_block(raw: &[u8]) -> AttrIndex {
    let mut slots = start_index(raw);
    if raw.len() <= MAX_INDEXED {
        let mut i = 0;
        while let Some((_, t, start, end)) = read_attr_header(raw, i) {
            if let Some(s) = slot_of(t) {
                if slots[s] == ABSENT {
                    slots[s] = slot(start, end);
                }
            }
            i = end;
        }
    }
    slots
}

/// A validated attribute block, borrowed, with its index.
///
/// Obtained from [`PathAttributes::view`](crate::PathAttributes::view) or
/// [`UpdateRef::attrs`](crate::UpdateRef::attrs); the owned type's accessors
/// are these.
#[derive(Clone, Copy)]
pub struct AttrsRef<'a> {
    raw: &'a [u8],
    four_octet: bool,
    slots: &'a AttrIndex,
}

impl std::fmt::Debug for AttrsRef<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AttrsRef")
            .field("raw", &self.raw)
            .field("four_octet", &self.four_octet)
            .finish()
    }
}

impl<'a> AttrsRef<'a> {
    /// Wraps a validated block and its index (built by the decoder's walk or
    /// by [`index_block`]).
    pub(crate) fn new(raw: &'a [u8], four_octet: bool, slots: &'a AttrIndex) -> AttrsRef<'a> {
        AttrsRef {
            raw,
            four_octet,
            slots,
        }
    }

    /// The raw block.
    #[inline]
    pub fn raw(self) -> &'a [u8] {
        self.raw
    }

    /// True when AS_PATH and AGGREGATOR in the block carry 4-octet ASNs.
    #[inline]
    pub fn is_four_octet(self) -> bool {
        self.four_octet
    }

    /// True when the block holds no attribute.
    #[inline]
    pub fn is_empty(self) -> bool {
        self.raw.is_empty()
    }

    /// Iterates over the attributes in block order.
    #[inline]
    pub fn iter(self) -> AttrIter<'a> {
        AttrIter::new(self.raw)
    }

    /// The value of the first attribute of type `t`.
    #[inline]
    pub fn get(self, t: u8) -> Option<&'a [u8]> {
        let Some(s) = slot_of(t) else {
            return self.find(t);
        };
        match self.slots[s] {
            ABSENT => None,
            UNINDEXED => self.find(t),
            x => {
                let start = (x >> 16) as usize;
                self.raw.get(start..start + (x & 0xffff) as usize)
            }
        }
    }

    /// The value of the first attribute of type `t`, by walking the block.
    fn find(self, t: u8) -> Option<&'a [u8]> {
        self.iter().find(|a| a.type_code == t).map(|a| a.value)
    }

    /// True when an attribute of type `t` is present.
    #[inline]
    pub fn has(self, t: u8) -> bool {
        match slot_of(t).map(|s| self.slots[s]) {
            Some(ABSENT) => false,
            Some(UNINDEXED) | None => self.find(t).is_some(),
            Some(_) => true,
        }
    }

    /// ORIGIN.
    #[inline]
    pub fn origin(self) -> Option<Origin> {
        match self.get(types::ORIGIN)? {
            [0] => Some(Origin::Igp),
            [1] => Some(Origin::Egp),
            [2] => Some(Origin::Incomplete),
            _ => None,
        }
    }

    /// The AS path: AS_PATH, merged with AS4_PATH for a 2-octet block as
    /// RFC 6793 §4.2.3 says.
    #[inline]
    pub fn as_path(self) -> Option<AsPath> {
        let path = AsPath::decode(self.get(types::AS_PATH)?, self.four_octet).ok()?;
        if !self.needs_as4_merge() {
            return Some(path);
        }
        match self
            .get(types::AS4_PATH)
            .and_then(|v| AsPath::decode(v, true).ok())
        {
            Some(as4) => Some(merge_as4_path(path, as4)),
            None => Some(path),
        }
    }

    /// True when the AS path must be rebuilt from AS_PATH and AS4_PATH
    /// (a 2-octet block carrying an applicable AS4_PATH).
    #[inline]
    fn needs_as4_merge(self) -> bool {
        if self.four_octet || !self.has(types::AS4_PATH) {
            return false;
        }
        !self.get(types::AGGREGATOR).is_some_and(|agg| {
            agg.len() >= 2 && u16::from_be_bytes([agg[0], agg[1]]) as u32 != Asn::TRANS.0
        })
    }

    #[inline]
    fn raw_segments(self) -> Option<RawSegments<'a>> {
        let v = self.get(types::AS_PATH)?;
        Some(RawSegments::new(v, if self.four_octet { 4 } else { 2 }))
    }

    /// AS path length for the decision process (an AS_SET counts as one,
    /// confederation segments not at all), without building the path.
    #[inline]
    pub fn as_path_len(self) -> Option<usize> {
        if self.needs_as4_merge() {
            return self.as_path().map(|p| p.path_len());
        }
        Some(
            self.raw_segments()?
                .map(|(k, asns, w)| match k {
                    SegmentKind::Sequence => asns.len() / w,
                    SegmentKind::Set => 1,
                    _ => 0,
                })
                .sum(),
        )
    }

    /// The neighbour AS (first ASN of a leading AS_SEQUENCE), without building the path.
    #[inline]
    pub fn neighbor_asn(self) -> Option<Asn> {
        if self.needs_as4_merge() {
            return self.as_path()?.first_asn();
        }
        let (k, asns, w) = self.raw_segments()?.find(|(k, _, _)| !k.is_confed())?;
        (k == SegmentKind::Sequence)
            .then(|| read_asn(asns, w))
            .flatten()
    }

    /// The origin AS (last ASN of a trailing AS_SEQUENCE), without building the path.
    #[inline]
    pub fn origin_asn(self) -> Option<Asn> {
        if self.needs_as4_merge() {
            return self.as_path()?.origin_asn();
        }
        let (k, asns, w) = self.raw_segments()?.last()?;
        (k == SegmentKind::Sequence)
            .then(|| read_asn(&asns[asns.len().checked_sub(w)?..], w))
            .flatten()
    }

    /// Calls `f` with every ASN of the path in order (segment kind given),
    /// without building the path.
    #[inline]
    pub fn for_each_asn(self, mut f: impl FnMut(SegmentKind, Asn)) {
        if self.needs_as4_merge() {
            if let Some(p) = self.as_path() {
                for s in &p.segments {
                    for a in &s.asns {
                        f(s.kind, *a);
                    }
                }
            }
            return;
        }
        let Some(segs) = self.raw_segments() else {
            return;
        };
        for (k, asns, w) in segs {
            if w == 4 {
                for c in asns.chunks_exact(4) {
                    f(k, Asn(u32::from_be_bytes([c[0], c[1], c[2], c[3]])));
                }
            } else {
                for c in asns.chunks_exact(2) {
                    f(k, Asn(u32::from(u16::from_be_bytes([c[0], c[1]]))));
                }
            }
        }
    }

    /// NEXT_HOP (the IPv4 next hop of the traditional NLRI field).
    #[inline]
    pub fn next_hop(self) -> Option<Ipv4Addr> {
        let v: [u8; 4] = self.get(types::NEXT_HOP)?.try_into().ok()?;
        Some(Ipv4Addr::from(v))
    }

    /// MULTI_EXIT_DISC.
    #[inline]
    pub fn med(self) -> Option<u32> {
        Some(u32::from_be_bytes(self.get(types::MED)?.try_into().ok()?))
    }

    /// LOCAL_PREF.
    #[inline]
    pub fn local_pref(self) -> Option<u32> {
        Some(u32::from_be_bytes(
            self.get(types::LOCAL_PREF)?.try_into().ok()?,
        ))
    }

    /// ATOMIC_AGGREGATE is present.
    #[inline]
    pub fn atomic_aggregate(self) -> bool {
        self.has(types::ATOMIC_AGGREGATE)
    }

    /// AGGREGATOR (ASN, router id), with AS4_AGGREGATOR applied for a
    /// 2-octet block whose AGGREGATOR holds AS_TRANS (RFC 6793 §4.2.3).
    #[inline]
    pub fn aggregator(self) -> Option<(Asn, Ipv4Addr)> {
        let v = self.get(types::AGGREGATOR)?;
        let (asn, id) = match (self.four_octet, v.len()) {
            (true, 8) => (
                u32::from_be_bytes([v[0], v[1], v[2], v[3]]),
                [v[4], v[5], v[6], v[7]],
            ),
            (false, 6) => (
                u16::from_be_bytes([v[0], v[1]]) as u32,
                [v[2], v[3], v[4], v[5]],
            ),
            _ => return None,
        };
        if !self.four_octet && asn == Asn::TRANS.0 {
            if let Some(a4) = self.get(types::AS4_AGGREGATOR).filter(|a| a.len() == 8) {
                return Some((
                    Asn(u32::from_be_bytes([a4[0], a4[1], a4[2], a4[3]])),
                    Ipv4Addr::new(a4[4], a4[5], a4[6], a4[7]),
                ));
            }
        }
        Some((Asn(asn), Ipv4Addr::from(id)))
    }

    /// COMMUNITIES, in order.
    #[inline]
    pub fn communities(self) -> impl Iterator<Item = Community> + 'a {
        self.get(types::COMMUNITIES)
            .unwrap_or(&[])
            .chunks_exact(4)
            .map(|c| Community(u32::from_be_bytes([c[0], c[1], c[2], c[3]])))
    }

    /// True when the standard community `c` is attached.
    #[inline]
    pub fn has_community(self, c: Community) -> bool {
        self.communities().any(|x| x == c)
    }

    /// EXTENDED COMMUNITIES, in order.
    #[inline]
    pub fn ext_communities(self) -> impl Iterator<Item = ExtCommunity> + 'a {
        self.get(types::EXTENDED_COMMUNITIES)
            .unwrap_or(&[])
            .chunks_exact(8)
            .map(|c| ExtCommunity([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]))
    }

    /// LARGE_COMMUNITY values, in order.
    #[inline]
    pub fn large_communities(self) -> impl Iterator<Item = LargeCommunity> + 'a {
        self.get(types::LARGE_COMMUNITIES)
            .unwrap_or(&[])
            .chunks_exact(12)
            .map(|c| LargeCommunity {
                global: u32::from_be_bytes([c[0], c[1], c[2], c[3]]),
                local1: u32::from_be_bytes([c[4], c[5], c[6], c[7]]),
                local2: u32::from_be_bytes([c[8], c[9], c[10], c[11]]),
            })
    }

    /// Only to Customer (RFC 9234).
    #[inline]
    pub fn otc(self) -> Option<Asn> {
        Some(Asn(u32::from_be_bytes(
            self.get(types::OTC)?.try_into().ok()?,
        )))
    }

    /// ORIGINATOR_ID (RFC 4456).
    #[inline]
    pub fn originator_id(self) -> Option<Ipv4Addr> {
        let v: [u8; 4] = self.get(types::ORIGINATOR_ID)?.try_into().ok()?;
        Some(Ipv4Addr::from(v))
    }

    /// CLUSTER_LIST (RFC 4456).
    #[inline]
    pub fn cluster_list(self) -> impl Iterator<Item = Ipv4Addr> + 'a {
        self.get(types::CLUSTER_LIST)
            .unwrap_or(&[])
            .chunks_exact(4)
            .map(|c| Ipv4Addr::new(c[0], c[1], c[2], c[3]))
    }
}

pub(crate) fn read_asn(b: &[u8], w: usize) -> Option<Asn> {
    Some(if w == 4 {
        Asn(u32::from_be_bytes(b.get(..4)?.try_into().ok()?))
    } else {
        Asn(u16::from_be_bytes(b.get(..2)?.try_into().ok()?) as u32)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::PathAttributes;

    #[test]
    fn index_skips_duplicates_and_stops_at_a_bad_header() {
        // ORIGIN, ORIGIN again (a duplicate the index ignores), then a MED
        // whose length overruns the block.
        let raw = [0x40, 1, 1, 0, 0x40, 1, 1, 2, 0x80, 4, 9, 0];
        let idx = index_block(&raw);
        let v = AttrsRef::new(&raw, true, &idx);
        assert_eq!(v.origin(), Some(Origin::Igp));
        assert!(!v.has(types::MED));
        assert_eq!(v.iter().count(), 2);
    }

    #[test]
    fn long_blocks_are_walked_not_indexed() {
        // An unknown optional attribute of 65535 octets, then ORIGIN: the
        // block is too long to index, lookups still find ORIGIN.
        let mut raw = vec![0xd0, 200, 0xff, 0xff];
        raw.resize(4 + 65535, 7);
        raw.extend_from_slice(&[0x40, 1, 1, 2]);
        let idx = index_block(&raw);
        assert!(idx.iter().all(|&s| s == UNINDEXED));
        let v = AttrsRef::new(&raw, true, &idx);
        assert_eq!(v.origin(), Some(Origin::Incomplete));
        assert!(v.has(types::ORIGIN));
        assert!(!v.has(types::MED));
        assert_eq!(v.get(200).map(<[u8]>::len), Some(65535));
        // The same walk in the decoder: an MRT RIB entry's block.
        let ctx = crate::Context::four_octet();
        let r = crate::attr::decode_rib_attributes(&raw, &ctx).unwrap();
        assert_eq!(r.attrs.origin(), Some(Origin::Incomplete));
        assert_eq!(r.attrs.raw(), &raw[..]);
    }

    #[test]
    fn view_of_owned_block_reads_the_same() {
        let a = PathAttributes::from_parts(
            &[
                (0x40, 1, &[2]),
                (0x40, 2, &[2, 2, 0, 1, 0, 2]),
                (0xc0, 7, &[0, 9, 10, 0, 0, 1]),
            ],
            false,
        )
        .unwrap();
        let v = a.view();
        assert_eq!(v.origin(), Some(Origin::Incomplete));
        assert_eq!(v.as_path_len(), Some(2));
        assert_eq!(v.neighbor_asn(), Some(Asn(1)));
        assert_eq!(v.origin_asn(), Some(Asn(2)));
        let mut asns = Vec::new();
        v.for_each_asn(|_, a| asns.push(a.0));
        assert_eq!(asns, vec![1, 2]);
        assert_eq!(v.aggregator(), Some((Asn(9), Ipv4Addr::new(10, 0, 0, 1))));
        assert!(!v.has(types::MED));
        assert_eq!(v.raw(), a.raw());
    }
}
