//! Path attributes (RFC 4271 §4.3, §5): the raw attribute block with an index
//! of the attributes policy reads, lazy accessors, per-attribute validation
//! with the RFC 7606 §7 outcome, AS_PATH/AS4_PATH handling (RFC 6793 §4.2.3),
//! and the few rewrites a route server makes when relaying.
//!
//! The block is kept exactly as received (less any attribute RFC 7606 told us
//! to discard). Accessors parse on demand from already-validated bytes, so
//! they are infallible and cheap; nothing is materialised that is not read.

use crate::attr_ref::{index_block, AttrIndex, AttrsRef, EMPTY_INDEX};
use crate::{Asn, Community, Context, ExtCommunity, LargeCommunity, Origin, Rfc7606Action};
use bytes::Bytes;
use std::fmt;
use std::net::Ipv4Addr;

pub use crate::update::{decode_rib_attributes, RibAttributes};

/// Attribute type codes (IANA "BGP Path Attributes").
pub mod types {
    /// ORIGIN (RFC 4271).
    pub const ORIGIN: u8 = 1;
    /// AS_PATH (RFC 4271).
    pub const AS_PATH: u8 = 2;
    /// NEXT_HOP (RFC 4271).
    pub const NEXT_HOP: u8 = 3;
    /// MULTI_EXIT_DISC (RFC 4271).
    pub const MED: u8 = 4;
    /// LOCAL_PREF (RFC 4271).
    pub const LOCAL_PREF: u8 = 5;
    /// ATOMIC_AGGREGATE (RFC 4271).
    pub const ATOMIC_AGGREGATE: u8 = 6;
    /// AGGREGATOR (RFC 4271, RFC 6793).
    pub const AGGREGATOR: u8 = 7;
    /// COMMUNITIES (RFC 1997).
    pub const COMMUNITIES: u8 = 8;
    /// ORIGINATOR_ID (RFC 4456).
    pub const ORIGINATOR_ID: u8 = 9;
    /// CLUSTER_LIST (RFC 4456).
    pub const CLUSTER_LIST: u8 = 10;
    /// MP_REACH_NLRI (RFC 4760).
    pub const MP_REACH_NLRI: u8 = 14;
    /// MP_UNREACH_NLRI (RFC 4760).
    pub const MP_UNREACH_NLRI: u8 = 15;
    /// EXTENDED COMMUNITIES (RFC 4360).
    pub const EXTENDED_COMMUNITIES: u8 = 16;
    /// AS4_PATH (RFC 6793).
    pub const AS4_PATH: u8 = 17;
    /// AS4_AGGREGATOR (RFC 6793).
    pub const AS4_AGGREGATOR: u8 = 18;
    /// IPv6 Address Specific Extended Community (RFC 5701).
    pub const IPV6_EXTENDED_COMMUNITIES: u8 = 25;
    /// AIGP (RFC 7311).
    pub const AIGP: u8 = 26;
    /// LARGE_COMMUNITY (RFC 8092).
    pub const LARGE_COMMUNITIES: u8 = 32;
    /// BGPsec_PATH (RFC 8205).
    pub const BGPSEC_PATH: u8 = 33;
    /// Only to Customer (RFC 9234).
    pub const OTC: u8 = 35;
    /// ATTR_SET (RFC 6368).
    pub const ATTR_SET: u8 = 128;
}

/// Attribute flag bits (RFC 4271 §4.3).
pub mod flags {
    /// Optional (1) or well-known (0).
    pub const OPTIONAL: u8 = 0x80;
    /// Transitive.
    pub const TRANSITIVE: u8 = 0x40;
    /// Partial: an optional transitive attribute that some speaker did not recognise.
    pub const PARTIAL: u8 = 0x20;
    /// Extended length: the length field is two octets.
    pub const EXTENDED_LENGTH: u8 = 0x10;
}

/// The name of an attribute type, for messages.
pub fn type_name(t: u8) -> &'static str {
    match t {
        types::ORIGIN => "ORIGIN",
        types::AS_PATH => "AS_PATH",
        types::NEXT_HOP => "NEXT_HOP",
        types::MED => "MULTI_EXIT_DISC",
        types::LOCAL_PREF => "LOCAL_PREF",
        types::ATOMIC_AGGREGATE => "ATOMIC_AGGREGATE",
        types::AGGREGATOR => "AGGREGATOR",
        types::COMMUNITIES => "COMMUNITIES",
        types::ORIGINATOR_ID => "ORIGINATOR_ID",
        types::CLUSTER_LIST => "CLUSTER_LIST",
        types::MP_REACH_NLRI => "MP_REACH_NLRI",
        types::MP_UNREACH_NLRI => "MP_UNREACH_NLRI",
        types::EXTENDED_COMMUNITIES => "EXTENDED_COMMUNITIES",
        types::AS4_PATH => "AS4_PATH",
        types::AS4_AGGREGATOR => "AS4_AGGREGATOR",
        types::IPV6_EXTENDED_COMMUNITIES => "IPV6_EXTENDED_COMMUNITIES",
        types::AIGP => "AIGP",
        types::LARGE_COMMUNITIES => "LARGE_COMMUNITIES",
        types::BGPSEC_PATH => "BGPSEC_PATH",
        types::OTC => "OTC",
        types::ATTR_SET => "ATTR_SET",
        _ => "unknown",
    }
}

/// The attributes that have an index slot, in slot order.
pub(crate) const SLOT_TYPES: [u8; 17] = [
    types::ORIGIN,
    types::AS_PATH,
    types::NEXT_HOP,
    types::MED,
    types::LOCAL_PREF,
    types::ATOMIC_AGGREGATE,
    types::AGGREGATOR,
    types::COMMUNITIES,
    types::ORIGINATOR_ID,
    types::CLUSTER_LIST,
    types::MP_REACH_NLRI,
    types::MP_UNREACH_NLRI,
    types::EXTENDED_COMMUNITIES,
    types::AS4_PATH,
    types::AS4_AGGREGATOR,
    types::LARGE_COMMUNITIES,
    types::OTC,
];

pub(crate) fn slot_of(t: u8) -> Option<usize> {
    Some(match t {
        1..=10 => (t - 1) as usize,
        14..=18 => (t - 4) as usize,
        32 => 15,
        35 => 16,
        _ => return None,
    })
}

/// True for attribute types this codec validates and interprets.
pub fn is_known(t: u8) -> bool {
    slot_of(t).is_some()
}

/// One attribute as it sits in a block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RawAttr<'a> {
    /// Flag octet as received.
    pub flags: u8,
    /// Type code.
    pub type_code: u8,
    /// Value octets.
    pub value: &'a [u8],
}

impl RawAttr<'_> {
    /// Appends this attribute (flags, type, length, value) to `out`, choosing
    /// the length form: the received extended-length flag is kept when the
    /// value still fits, and forced when it does not.
    pub fn encode(&self, out: &mut Vec<u8>) {
        write_attr(out, self.flags, self.type_code, self.value);
    }
}

/// Appends an attribute with the given flags; sets the extended-length bit
/// when the value needs it (and keeps it if `flags` already has it).
pub fn write_attr(out: &mut Vec<u8>, flags: u8, type_code: u8, value: &[u8]) {
    let ext = value.len() > 255 || flags & flags::EXTENDED_LENGTH != 0;
    if ext {
        out.push(flags | flags::EXTENDED_LENGTH);
        out.push(type_code);
        out.extend_from_slice(&(value.len() as u16).to_be_bytes());
    } else {
        out.push(flags);
        out.push(type_code);
        out.push(value.len() as u8);
    }
    out.extend_from_slice(value);
}

/// Reads one attribute header at `i`: (flags, type, value start, value end).
/// `None` when the header or the value overruns `block`.
pub(crate) fn read_attr_header(block: &[u8], i: usize) -> Option<(u8, u8, usize, usize)> {
    let flags = *block.get(i)?;
    let t = *block.get(i + 1)?;
    let (len, hdr) = if flags & flags::EXTENDED_LENGTH != 0 {
        let b = block.get(i + 2..i + 4)?;
        (u16::from_be_bytes([b[0], b[1]]) as usize, 4)
    } else {
        (*block.get(i + 2)? as usize, 3)
    };
    let start = i + hdr;
    let end = start + len;
    if end > block.len() {
        return None;
    }
    Some((flags, t, start, end))
}

/// Iterator over the attributes of a validated block.
pub struct AttrIter<'a> {
    block: &'a [u8],
    pos: usize,
}

impl<'a> AttrIter<'a> {
    /// Iterates over `block` from its start.
    pub(crate) fn new(block: &'a [u8]) -> AttrIter<'a> {
        AttrIter { block, pos: 0 }
    }
}

impl<'a> Iterator for AttrIter<'a> {
    type Item = RawAttr<'a>;
    fn next(&mut self) -> Option<RawAttr<'a>> {
        let (flags, type_code, start, end) = read_attr_header(self.block, self.pos)?;
        self.pos = end;
        Some(RawAttr {
            flags,
            type_code,
            value: &self.block[start..end],
        })
    }
}

/// A path attribute block: raw bytes plus an index of the known attributes.
///
/// Equality and hashing are over the bytes (and the AS number width), which
/// is what interning needs.
#[derive(Clone)]
pub struct PathAttributes {
    raw: Bytes,
    four_octet: bool,
    slots: AttrIndex,
}

impl PartialEq for PathAttributes {
    fn eq(&self, other: &Self) -> bool {
        self.four_octet == other.four_octet && self.raw == other.raw
    }
}

impl Eq for PathAttributes {}

impl std::hash::Hash for PathAttributes {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.four_octet.hash(state);
        self.raw.hash(state);
    }
}

impl Default for PathAttributes {
    fn default() -> Self {
        PathAttributes::empty(true)
    }
}

impl PathAttributes {
    /// An empty block.
    pub fn empty(four_octet: bool) -> PathAttributes {
        PathAttributes {
            raw: Bytes::new(),
            four_octet,
            slots: EMPTY_INDEX,
        }
    }

    /// Wraps a block that was already validated (by the decoder or built by
    /// this crate). A block that does not parse is truncated at the first bad
    /// attribute by the index and iterator, never read out of bounds.
    pub(crate) fn from_validated(raw: Bytes, four_octet: bool) -> PathAttributes {
        let slots = index_block(&raw);
        PathAttributes {
            raw,
            four_octet,
            slots,
        }
    }

    /// Wraps a validated block whose index the decoder built while walking it.
    pub(crate) fn from_indexed(raw: Bytes, four_octet: bool, slots: AttrIndex) -> PathAttributes {
        PathAttributes {
            raw,
            four_octet,
            slots,
        }
    }

    /// Builds a block from attributes given as (flags, type, value), in the
    /// order given, after checking each value as the decoder would.
    pub fn from_parts(
        parts: &[(u8, u8, &[u8])],
        four_octet: bool,
    ) -> Result<PathAttributes, String> {
        let mut buf = Vec::new();
        let ctx = Context {
            four_octet_as: four_octet,
            collector: true,
            ..Context::default()
        };
        for &(f, t, v) in parts {
            if let Err((_, why)) = check_value(t, v, &ctx) {
                return Err(format!("{}: {why}", type_name(t)));
            }
            write_attr(&mut buf, f, t, v);
        }
        Ok(PathAttributes::from_validated(Bytes::from(buf), four_octet))
    }

    /// The raw block.
    pub fn raw(&self) -> &[u8] {
        &self.raw
    }

    /// The raw block as shared bytes.
    pub fn raw_bytes(&self) -> &Bytes {
        &self.raw
    }

    /// A borrowed view of the block and its index; every accessor below is
    /// the view's.
    #[inline]
    pub fn view(&self) -> AttrsRef<'_> {
        AttrsRef::new(&self.raw, self.four_octet, &self.slots)
    }

    /// True when AS_PATH and AGGREGATOR in the block carry 4-octet ASNs.
    pub fn is_four_octet(&self) -> bool {
        self.four_octet
    }

    /// True when the block holds no attribute.
    pub fn is_empty(&self) -> bool {
        self.raw.is_empty()
    }

    /// Iterates over the attributes in block order.
    pub fn iter(&self) -> AttrIter<'_> {
        AttrIter::new(&self.raw)
    }

    /// The value of the first attribute of type `t`.
    #[inline]
    pub fn get(&self, t: u8) -> Option<&[u8]> {
        self.view().get(t)
    }

    /// True when an attribute of type `t` is present.
    #[inline]
    pub fn has(&self, t: u8) -> bool {
        self.view().has(t)
    }

    /// ORIGIN.
    #[inline]
    pub fn origin(&self) -> Option<Origin> {
        self.view().origin()
    }

    /// The AS path: AS_PATH, merged with AS4_PATH for a 2-octet block as
    /// RFC 6793 §4.2.3 says.
    #[inline]
    pub fn as_path(&self) -> Option<AsPath> {
        self.view().as_path()
    }

    /// AS path length for the decision process (an AS_SET counts as one,
    /// confederation segments not at all), without building the path.
    #[inline]
    pub fn as_path_len(&self) -> Option<usize> {
        self.view().as_path_len()
    }

    /// The neighbour AS (first ASN of a leading AS_SEQUENCE), without building the path.
    #[inline]
    pub fn neighbor_asn(&self) -> Option<Asn> {
        self.view().neighbor_asn()
    }

    /// The origin AS (last ASN of a trailing AS_SEQUENCE), without building the path.
    #[inline]
    pub fn origin_asn(&self) -> Option<Asn> {
        self.view().origin_asn()
    }

    /// Calls `f` with every ASN of the path in order (segment kind given),
    /// without building the path.
    #[inline]
    pub fn for_each_asn(&self, f: impl FnMut(SegmentKind, Asn)) {
        self.view().for_each_asn(f)
    }

    /// NEXT_HOP (the IPv4 next hop of the traditional NLRI field).
    #[inline]
    pub fn next_hop(&self) -> Option<Ipv4Addr> {
        self.view().next_hop()
    }

    /// MULTI_EXIT_DISC.
    #[inline]
    pub fn med(&self) -> Option<u32> {
        self.view().med()
    }

    /// LOCAL_PREF.
    #[inline]
    pub fn local_pref(&self) -> Option<u32> {
        self.view().local_pref()
    }

    /// ATOMIC_AGGREGATE is present.
    #[inline]
    pub fn atomic_aggregate(&self) -> bool {
        self.view().atomic_aggregate()
    }

    /// AGGREGATOR (ASN, router id), with AS4_AGGREGATOR applied for a
    /// 2-octet block whose AGGREGATOR holds AS_TRANS (RFC 6793 §4.2.3).
    #[inline]
    pub fn aggregator(&self) -> Option<(Asn, Ipv4Addr)> {
        self.view().aggregator()
    }

    /// COMMUNITIES, in order.
    #[inline]
    pub fn communities(&self) -> impl Iterator<Item = Community> + '_ {
        self.view().communities()
    }

    /// True when the standard community `c` is attached.
    #[inline]
    pub fn has_community(&self, c: Community) -> bool {
        self.view().has_community(c)
    }

    /// EXTENDED COMMUNITIES, in order.
    #[inline]
    pub fn ext_communities(&self) -> impl Iterator<Item = ExtCommunity> + '_ {
        self.view().ext_communities()
    }

    /// LARGE_COMMUNITY values, in order.
    #[inline]
    pub fn large_communities(&self) -> impl Iterator<Item = LargeCommunity> + '_ {
        self.view().large_communities()
    }

    /// Only to Customer (RFC 9234).
    #[inline]
    pub fn otc(&self) -> Option<Asn> {
        self.view().otc()
    }

    /// ORIGINATOR_ID (RFC 4456).
    #[inline]
    pub fn originator_id(&self) -> Option<Ipv4Addr> {
        self.view().originator_id()
    }

    /// CLUSTER_LIST (RFC 4456).
    #[inline]
    pub fn cluster_list(&self) -> impl Iterator<Item = Ipv4Addr> + '_ {
        self.view().cluster_list()
    }

    /// Rebuilds the block with COMMUNITIES (RFC 1997) holding `list`, in
    /// its order; the attribute is removed when `list` is empty.
    pub fn with_communities(&self, list: impl IntoIterator<Item = Community>) -> PathAttributes {
        let v: Vec<u8> = list.into_iter().flat_map(|c| c.0.to_be_bytes()).collect();
        self.with_attr(
            flags::OPTIONAL | flags::TRANSITIVE,
            types::COMMUNITIES,
            (!v.is_empty()).then_some(&v[..]),
        )
    }

    /// Rebuilds the block with LARGE_COMMUNITIES (RFC 8092) holding `list`,
    /// in its order; the attribute is removed when `list` is empty.
    pub fn with_large_communities(
        &self,
        list: impl IntoIterator<Item = LargeCommunity>,
    ) -> PathAttributes {
        let v: Vec<u8> = list
            .into_iter()
            .flat_map(|c| {
                let mut b = [0u8; 12];
                b[..4].copy_from_slice(&c.global.to_be_bytes());
                b[4..8].copy_from_slice(&c.local1.to_be_bytes());
                b[8..].copy_from_slice(&c.local2.to_be_bytes());
                b
            })
            .collect();
        self.with_attr(
            flags::OPTIONAL | flags::TRANSITIVE,
            types::LARGE_COMMUNITIES,
            (!v.is_empty()).then_some(&v[..]),
        )
    }

    /// Rebuilds the block with attribute `t` replaced by `value` (with `flags`),
    /// removed (`None`), or inserted in type order when absent.
    pub fn with_attr(&self, flags: u8, t: u8, value: Option<&[u8]>) -> PathAttributes {
        let mut out = Vec::with_capacity(self.raw.len() + value.map_or(0, |v| v.len() + 4));
        let mut done = value.is_none();
        for a in self.iter() {
            if a.type_code == t {
                if let Some(v) = value.filter(|_| !done) {
                    write_attr(&mut out, flags & !flags::EXTENDED_LENGTH, t, v);
                    done = true;
                }
                continue;
            }
            if !done && a.type_code > t {
                if let Some(v) = value {
                    write_attr(&mut out, flags & !flags::EXTENDED_LENGTH, t, v);
                }
                done = true;
            }
            a.encode(&mut out);
        }
        if !done {
            if let Some(v) = value {
                write_attr(&mut out, flags & !flags::EXTENDED_LENGTH, t, v);
            }
        }
        PathAttributes::from_validated(Bytes::from(out), self.four_octet)
    }

    /// The block without the attributes for which `drop` answers true.
    pub fn without(&self, mut drop: impl FnMut(u8) -> bool) -> PathAttributes {
        if !self.iter().any(|a| drop(a.type_code)) {
            return self.clone();
        }
        let mut out = Vec::with_capacity(self.raw.len());
        for a in self.iter().filter(|a| !drop(a.type_code)) {
            a.encode(&mut out);
        }
        PathAttributes::from_validated(Bytes::from(out), self.four_octet)
    }

    /// The block a route server stores and relays: MP_REACH/MP_UNREACH removed
    /// (next hop and NLRI are kept apart), AS numbers widened to 4 octets
    /// (AS4_PATH / AS4_AGGREGATOR folded in and removed), and the Partial bit
    /// set on unrecognised optional transitive attributes (RFC 4271 §5).
    pub fn normalized(&self) -> PathAttributes {
        let mut out = Vec::with_capacity(self.raw.len() + 16);
        let widen = !self.four_octet;
        for a in self.iter() {
            match a.type_code {
                types::MP_REACH_NLRI | types::MP_UNREACH_NLRI => {}
                types::AS4_PATH | types::AS4_AGGREGATOR if widen => {}
                types::AS_PATH if widen => {
                    let mut v = Vec::with_capacity(a.value.len() * 2);
                    if let Some(p) = self.as_path() {
                        p.encode(true, &mut v);
                    }
                    write_attr(&mut out, a.flags & !flags::EXTENDED_LENGTH, a.type_code, &v);
                }
                types::AGGREGATOR if widen => {
                    if let Some((asn, id)) = self.aggregator() {
                        let mut v = asn.0.to_be_bytes().to_vec();
                        v.extend_from_slice(&id.octets());
                        write_attr(&mut out, a.flags & !flags::EXTENDED_LENGTH, a.type_code, &v);
                    }
                }
                t if !is_known(t)
                    && a.flags & (flags::OPTIONAL | flags::TRANSITIVE)
                        == flags::OPTIONAL | flags::TRANSITIVE =>
                {
                    write_attr(&mut out, a.flags | flags::PARTIAL, t, a.value);
                }
                _ => a.encode(&mut out),
            }
        }
        PathAttributes::from_validated(Bytes::from(out), true)
    }

    /// The block as a 2-octet (OLD, RFC 6793) speaker must receive it, from a
    /// 4-octet block: AS_PATH with AS_TRANS in place of wide ASNs plus
    /// AS4_PATH, AGGREGATOR with AS_TRANS plus AS4_AGGREGATOR, where needed.
    pub fn to_two_octet(&self) -> PathAttributes {
        if !self.four_octet {
            return self.clone();
        }
        let path = self.as_path();
        let needs_as4_path = path
            .as_ref()
            .is_some_and(|p| p.asns().any(|a| !a.is_two_octet()));
        let agg = self.aggregator();
        let mut out = Vec::with_capacity(self.raw.len() + 16);
        let mut as4_path_pending = needs_as4_path;
        let emit_as4_path = |out: &mut Vec<u8>| {
            if let Some(p) = &path {
                // AS4_PATH carries no confederation segments (RFC 6793 §3).
                let mut v = Vec::new();
                AsPath {
                    segments: p
                        .segments
                        .iter()
                        .filter(|s| !s.kind.is_confed())
                        .cloned()
                        .collect(),
                }
                .encode(true, &mut v);
                write_attr(
                    out,
                    flags::OPTIONAL | flags::TRANSITIVE,
                    types::AS4_PATH,
                    &v,
                );
            }
        };
        for a in self.iter() {
            if as4_path_pending && a.type_code > types::AS4_PATH {
                emit_as4_path(&mut out);
                as4_path_pending = false;
            }
            match a.type_code {
                types::AS4_PATH | types::AS4_AGGREGATOR => {}
                types::AS_PATH => {
                    let mut v = Vec::new();
                    if let Some(p) = &path {
                        p.encode(false, &mut v);
                    }
                    write_attr(&mut out, a.flags & !flags::EXTENDED_LENGTH, a.type_code, &v);
                }
                types::AGGREGATOR => {
                    if let Some((asn, id)) = agg {
                        let mut v = asn.to_two_octet().to_be_bytes().to_vec();
                        v.extend_from_slice(&id.octets());
                        write_attr(&mut out, a.flags & !flags::EXTENDED_LENGTH, a.type_code, &v);
                    }
                }
                _ => a.encode(&mut out),
            }
            if a.type_code == types::AGGREGATOR {
                if let Some((asn, id)) = agg.filter(|(asn, _)| !asn.is_two_octet()) {
                    // AS4_AGGREGATOR (18) sorts after AS4_PATH (17): emit the path first.
                    if as4_path_pending {
                        emit_as4_path(&mut out);
                        as4_path_pending = false;
                    }
                    let mut v = asn.0.to_be_bytes().to_vec();
                    v.extend_from_slice(&id.octets());
                    write_attr(
                        &mut out,
                        flags::OPTIONAL | flags::TRANSITIVE,
                        types::AS4_AGGREGATOR,
                        &v,
                    );
                }
            }
        }
        if as4_path_pending {
            emit_as4_path(&mut out);
        }
        PathAttributes::from_validated(Bytes::from(out), false)
    }
}

impl fmt::Debug for PathAttributes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("PathAttributes");
        if let Some(o) = self.origin() {
            d.field("origin", &o);
        }
        if let Some(p) = self.as_path() {
            d.field("as_path", &format_args!("{p}"));
        }
        if let Some(n) = self.next_hop() {
            d.field("next_hop", &n);
        }
        if let Some(m) = self.med() {
            d.field("med", &m);
        }
        if let Some(l) = self.local_pref() {
            d.field("local_pref", &l);
        }
        let c: Vec<String> = self.communities().map(|c| c.to_string()).collect();
        if !c.is_empty() {
            d.field("communities", &c);
        }
        let l: Vec<String> = self.large_communities().map(|c| c.to_string()).collect();
        if !l.is_empty() {
            d.field("large_communities", &l);
        }
        let others: Vec<u8> = self
            .iter()
            .map(|a| a.type_code)
            .filter(|t| !matches!(t, 1..=5 | 8 | 32))
            .collect();
        if !others.is_empty() {
            d.field("other_types", &others);
        }
        d.field("four_octet", &self.four_octet).finish()
    }
}

/// Segments of a validated AS_PATH value: (kind, ASN octets, ASN width).
pub(crate) struct RawSegments<'a> {
    v: &'a [u8],
    w: usize,
}

impl<'a> RawSegments<'a> {
    /// Segments of `v`, ASNs `w` octets wide.
    pub(crate) fn new(v: &'a [u8], w: usize) -> RawSegments<'a> {
        RawSegments { v, w }
    }
}

impl<'a> Iterator for RawSegments<'a> {
    type Item = (SegmentKind, &'a [u8], usize);
    fn next(&mut self) -> Option<Self::Item> {
        let kind = SegmentKind::from_code(*self.v.first()?)?;
        let n = *self.v.get(1)? as usize * self.w;
        let asns = self.v.get(2..2 + n)?;
        self.v = &self.v[2 + n..];
        Some((kind, asns, self.w))
    }
}

/// AS_PATH segment types (RFC 4271 §4.3, RFC 5065 §3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SegmentKind {
    /// AS_SET (1): unordered.
    Set,
    /// AS_SEQUENCE (2): ordered.
    Sequence,
    /// AS_CONFED_SEQUENCE (3).
    ConfedSequence,
    /// AS_CONFED_SET (4).
    ConfedSet,
}

impl SegmentKind {
    fn from_code(c: u8) -> Option<SegmentKind> {
        Some(match c {
            1 => SegmentKind::Set,
            2 => SegmentKind::Sequence,
            3 => SegmentKind::ConfedSequence,
            4 => SegmentKind::ConfedSet,
            _ => return None,
        })
    }

    /// The wire code.
    pub fn code(self) -> u8 {
        match self {
            SegmentKind::Set => 1,
            SegmentKind::Sequence => 2,
            SegmentKind::ConfedSequence => 3,
            SegmentKind::ConfedSet => 4,
        }
    }

    /// True for the confederation segment types.
    pub fn is_confed(self) -> bool {
        matches!(self, SegmentKind::ConfedSequence | SegmentKind::ConfedSet)
    }
}

/// One AS_PATH segment.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct AsSegment {
    /// Segment type.
    pub kind: SegmentKind,
    /// The ASNs, in order.
    pub asns: Vec<Asn>,
}

/// A decoded AS path.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct AsPath {
    /// Segments in order, nearest AS first.
    pub segments: Vec<AsSegment>,
}

/// Checks an AS_PATH value without allocating (RFC 7606 §7.2): known segment
/// types, non-zero segment lengths, no overrun and no trailing octets.
pub fn validate_as_path(value: &[u8], four_octet: bool) -> Result<(), &'static str> {
    let w = if four_octet { 4 } else { 2 };
    let mut i = 0;
    while i < value.len() {
        let Some(hdr) = value.get(i..i + 2) else {
            return Err("AS_PATH ends inside a segment header");
        };
        if SegmentKind::from_code(hdr[0]).is_none() {
            return Err("unknown AS_PATH segment type");
        }
        if hdr[1] == 0 {
            return Err("AS_PATH segment of length zero");
        }
        i += 2 + hdr[1] as usize * w;
        if i > value.len() {
            return Err("AS_PATH segment overruns the attribute");
        }
    }
    Ok(())
}

impl AsPath {
    /// A path of one AS_SEQUENCE.
    pub fn from_sequence(asns: impl IntoIterator<Item = u32>) -> AsPath {
        let asns: Vec<Asn> = asns.into_iter().map(Asn).collect();
        if asns.is_empty() {
            return AsPath::default();
        }
        AsPath {
            segments: vec![AsSegment {
                kind: SegmentKind::Sequence,
                asns,
            }],
        }
    }

    /// Decodes an AS_PATH/AS4_PATH value.
    pub fn decode(value: &[u8], four_octet: bool) -> Result<AsPath, &'static str> {
        validate_as_path(value, four_octet)?;
        let w = if four_octet { 4 } else { 2 };
        let mut segments = Vec::new();
        let mut i = 0;
        while i + 2 <= value.len() {
            let kind = SegmentKind::from_code(value[i]).ok_or("unknown AS_PATH segment type")?;
            let n = value[i + 1] as usize;
            let body = &value[i + 2..i + 2 + n * w];
            let asns = body
                .chunks_exact(w)
                .map(|c| {
                    if four_octet {
                        Asn(u32::from_be_bytes([c[0], c[1], c[2], c[3]]))
                    } else {
                        Asn(u16::from_be_bytes([c[0], c[1]]) as u32)
                    }
                })
                .collect();
            segments.push(AsSegment { kind, asns });
            i += 2 + n * w;
        }
        Ok(AsPath { segments })
    }

    /// Appends the wire form; segments longer than 255 ASNs are split, and
    /// with `four_octet == false` wide ASNs become AS_TRANS.
    pub fn encode(&self, four_octet: bool, out: &mut Vec<u8>) {
        for s in &self.segments {
            for chunk in s.asns.chunks(255) {
                out.push(s.kind.code());
                out.push(chunk.len() as u8);
                for a in chunk {
                    if four_octet {
                        out.extend_from_slice(&a.0.to_be_bytes());
                    } else {
                        out.extend_from_slice(&a.to_two_octet().to_be_bytes());
                    }
                }
            }
        }
    }

    /// Path length for the decision process (RFC 4271 §9.1.2.2 a): an AS_SET
    /// counts as one, confederation segments do not count.
    pub fn path_len(&self) -> usize {
        self.segments
            .iter()
            .map(|s| match s.kind {
                SegmentKind::Sequence => s.asns.len(),
                SegmentKind::Set => 1,
                _ => 0,
            })
            .sum()
    }

    /// The neighbour AS: the first ASN of a leading AS_SEQUENCE.
    pub fn first_asn(&self) -> Option<Asn> {
        let s = self.segments.iter().find(|s| !s.kind.is_confed())?;
        (s.kind == SegmentKind::Sequence)
            .then(|| s.asns.first().copied())
            .flatten()
    }

    /// The origin AS: the last ASN of a trailing AS_SEQUENCE (None when the
    /// path ends in an AS_SET, whose origin is ambiguous).
    pub fn origin_asn(&self) -> Option<Asn> {
        let s = self.segments.last()?;
        (s.kind == SegmentKind::Sequence)
            .then(|| s.asns.last().copied())
            .flatten()
    }

    /// Every ASN in the path, in order.
    pub fn asns(&self) -> impl Iterator<Item = Asn> + '_ {
        self.segments.iter().flat_map(|s| s.asns.iter().copied())
    }

    /// True when an AS_SET (or AS_CONFED_SET) appears.
    pub fn has_set(&self) -> bool {
        self.segments
            .iter()
            .any(|s| matches!(s.kind, SegmentKind::Set | SegmentKind::ConfedSet))
    }

    /// True when a confederation segment appears.
    pub fn has_confed(&self) -> bool {
        self.segments.iter().any(|s| s.kind.is_confed())
    }

    /// Prepends `asn` `times` times to the leading AS_SEQUENCE.
    pub fn prepend(&mut self, asn: Asn, times: usize) {
        if times == 0 {
            return;
        }
        match self.segments.first_mut() {
            Some(s) if s.kind == SegmentKind::Sequence => {
                s.asns.splice(0..0, std::iter::repeat_n(asn, times));
            }
            _ => self.segments.insert(
                0,
                AsSegment {
                    kind: SegmentKind::Sequence,
                    asns: vec![asn; times],
                },
            ),
        }
    }
}

impl fmt::Display for AsPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for s in &self.segments {
            let (open, close) = match s.kind {
                SegmentKind::Sequence => ("", ""),
                SegmentKind::Set => ("{", "}"),
                SegmentKind::ConfedSequence => ("(", ")"),
                SegmentKind::ConfedSet => ("[", "]"),
            };
            if !first {
                f.write_str(" ")?;
            }
            first = false;
            f.write_str(open)?;
            for (i, a) in s.asns.iter().enumerate() {
                if i > 0 {
                    f.write_str(
                        if s.kind == SegmentKind::Sequence || s.kind == SegmentKind::ConfedSequence
                        {
                            " "
                        } else {
                            ","
                        },
                    )?;
                }
                write!(f, "{a}")?;
            }
            f.write_str(close)?;
        }
        Ok(())
    }
}

/// RFC 6793 §4.2.3: rebuild the AS path of a 2-octet speaker from AS_PATH and
/// AS4_PATH. If AS_PATH is shorter than AS4_PATH, AS4_PATH is ignored;
/// otherwise the leading part of AS_PATH that AS4_PATH lacks is kept in
/// front of AS4_PATH (confederation segments in front are kept as they are).
pub fn merge_as4_path(as_path: AsPath, as4_path: AsPath) -> AsPath {
    let n = as_path.path_len();
    let n4 = as4_path.path_len();
    if n < n4 {
        return as_path;
    }
    let mut need = n - n4;
    let mut out = Vec::new();
    for s in as_path.segments {
        if need == 0 && !s.kind.is_confed() {
            break;
        }
        match s.kind {
            SegmentKind::Sequence => {
                let take = need.min(s.asns.len());
                need -= take;
                if take > 0 {
                    out.push(AsSegment {
                        kind: s.kind,
                        asns: s.asns[..take].to_vec(),
                    });
                }
            }
            SegmentKind::Set => {
                need -= 1;
                out.push(s);
            }
            _ => out.push(s),
        }
    }
    // Join a trailing kept AS_SEQUENCE with a leading AS4_PATH sequence.
    let mut rest = as4_path.segments.into_iter();
    if let (Some(last), Some(first)) = (out.last_mut(), rest.as_slice().first()) {
        if last.kind == SegmentKind::Sequence
            && first.kind == SegmentKind::Sequence
            && last.asns.len() + first.asns.len() <= 255
        {
            last.asns.extend_from_slice(&first.asns);
            rest.next();
        }
    }
    out.extend(rest);
    AsPath { segments: out }
}

/// How a malformed known attribute is handled (RFC 7606 §7, RFC 6793 §6,
/// RFC 8092 §6, RFC 9234 §5).
pub(crate) fn malformed_action(t: u8) -> Rfc7606Action {
    match t {
        types::ATOMIC_AGGREGATE | types::AGGREGATOR | types::AS4_PATH | types::AS4_AGGREGATOR => {
            Rfc7606Action::AttributeDiscard
        }
        types::MP_REACH_NLRI | types::MP_UNREACH_NLRI => Rfc7606Action::SessionReset,
        _ => Rfc7606Action::TreatAsWithdraw,
    }
}

/// The optional/transitive flag bits each known attribute must carry.
pub(crate) fn expected_flags(t: u8) -> Option<u8> {
    use flags::{OPTIONAL, TRANSITIVE};
    Some(match t {
        types::ORIGIN
        | types::AS_PATH
        | types::NEXT_HOP
        | types::LOCAL_PREF
        | types::ATOMIC_AGGREGATE => TRANSITIVE,
        types::MED
        | types::ORIGINATOR_ID
        | types::CLUSTER_LIST
        | types::MP_REACH_NLRI
        | types::MP_UNREACH_NLRI => OPTIONAL,
        types::AGGREGATOR
        | types::COMMUNITIES
        | types::EXTENDED_COMMUNITIES
        | types::AS4_PATH
        | types::AS4_AGGREGATOR
        | types::LARGE_COMMUNITIES
        | types::OTC => OPTIONAL | TRANSITIVE,
        _ => return None,
    })
}

/// The length a fixed-size known attribute must have.
fn fixed_len(t: u8, four_octet: bool) -> Option<usize> {
    Some(match t {
        types::NEXT_HOP | types::MED | types::LOCAL_PREF | types::ORIGINATOR_ID | types::OTC => 4,
        types::AS4_AGGREGATOR => 8,
        types::AGGREGATOR if four_octet => 8,
        types::AGGREGATOR => 6,
        types::ATOMIC_AGGREGATE => 0,
        _ => return None,
    })
}

/// The entry size of a list-valued known attribute (non-empty, a multiple of it).
fn unit_len(t: u8) -> Option<usize> {
    Some(match t {
        types::COMMUNITIES | types::CLUSTER_LIST => 4,
        types::EXTENDED_COMMUNITIES => 8,
        types::LARGE_COMMUNITIES => 12,
        _ => return None,
    })
}

/// Checks the value of a known attribute (not MP_REACH/MP_UNREACH, which the
/// UPDATE decoder parses). Returns the RFC 7606 action and the reason.
// Inlined into the decoder's attribute walk, its one hot caller.
#[inline(always)]
pub(crate) fn check_value(t: u8, v: &[u8], ctx: &Context) -> Result<(), (Rfc7606Action, String)> {
    let ok = match t {
        types::ORIGIN => matches!(v, [0..=2]),
        types::AS_PATH => validate_as_path(v, ctx.four_octet_as).is_ok(),
        types::AS4_PATH => validate_as_path(v, true).is_ok(),
        _ => match (fixed_len(t, ctx.four_octet_as), unit_len(t)) {
            (Some(want), _) => v.len() == want,
            (_, Some(unit)) => !v.is_empty() && v.len() % unit == 0,
            _ => true,
        },
    };
    if ok {
        Ok(())
    } else {
        Err((
            malformed_action(t),
            describe_bad_value(t, v, ctx.four_octet_as),
        ))
    }
}

/// Says what is wrong with a value [`check_value`] rejected.
#[cold]
fn describe_bad_value(t: u8, v: &[u8], four_octet: bool) -> String {
    let as_path_width = four_octet || t == types::AS4_PATH;
    match (t, v) {
        (types::ORIGIN, [x]) => format!("ORIGIN value {x} is undefined"),
        (types::ORIGIN, _) => format!("ORIGIN length {} is not 1", v.len()),
        (types::AS_PATH | types::AS4_PATH, _) => validate_as_path(v, as_path_width)
            .err()
            .unwrap_or("malformed AS path")
            .to_string(),
        _ => match (fixed_len(t, four_octet), unit_len(t)) {
            (Some(want), _) => format!("{} length {} is not {want}", type_name(t), v.len()),
            (_, Some(unit)) => format!(
                "{} length {} is not a non-zero multiple of {unit}",
                type_name(t),
                v.len()
            ),
            _ => format!("{} is malformed", type_name(t)),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seq(a: &[u32]) -> AsSegment {
        AsSegment {
            kind: SegmentKind::Sequence,
            asns: a.iter().map(|&x| Asn(x)).collect(),
        }
    }

    #[test]
    fn as_path_decode_encode_and_metrics() {
        // AS_SEQUENCE 64115 3356, AS_SET {1, 2}
        let v = [
            2, 2, 0, 0, 0xfa, 0x73, 0, 0, 0x0d, 0x1c, 1, 2, 0, 0, 0, 1, 0, 0, 0, 2,
        ];
        let p = AsPath::decode(&v, true).unwrap();
        assert_eq!(p.to_string(), "64115 3356 {1,2}");
        assert_eq!(p.path_len(), 3);
        assert_eq!(p.first_asn(), Some(Asn(64115)));
        assert_eq!(p.origin_asn(), None);
        assert!(p.has_set());
        let mut enc = Vec::new();
        p.encode(true, &mut enc);
        assert_eq!(enc, v);
        let mut two = Vec::new();
        AsPath::from_sequence([4_200_000_000, 64115]).encode(false, &mut two);
        assert_eq!(two, vec![2, 2, 0x5b, 0xa0, 0xfa, 0x73]);
    }

    #[test]
    fn as_path_validation_follows_rfc_7606() {
        assert!(validate_as_path(&[], true).is_ok());
        assert_eq!(
            validate_as_path(&[2], true),
            Err("AS_PATH ends inside a segment header")
        );
        assert_eq!(
            validate_as_path(&[5, 1, 0, 0, 0, 1], true),
            Err("unknown AS_PATH segment type")
        );
        assert_eq!(
            validate_as_path(&[2, 0], true),
            Err("AS_PATH segment of length zero")
        );
        assert_eq!(
            validate_as_path(&[2, 2, 0, 0, 0, 1], true),
            Err("AS_PATH segment overruns the attribute")
        );
        assert!(validate_as_path(&[2, 2, 0, 1, 0, 2], false).is_ok());
    }

    #[test]
    fn long_segments_are_split_on_encode() {
        let p = AsPath::from_sequence((1..=300).collect::<Vec<u32>>());
        let mut enc = Vec::new();
        p.encode(true, &mut enc);
        let back = AsPath::decode(&enc, true).unwrap();
        assert_eq!(back.segments.len(), 2);
        assert_eq!(back.path_len(), 300);
        assert_eq!(
            back.asns().collect::<Vec<_>>(),
            p.asns().collect::<Vec<_>>()
        );
    }

    #[test]
    fn as4_merge_rfc_6793() {
        // AS_PATH: 100 23456 23456 300 ; AS4_PATH: 4200000001 4200000002 300
        let as_path = AsPath {
            segments: vec![seq(&[100, 23456, 23456, 300])],
        };
        let as4 = AsPath {
            segments: vec![seq(&[4_200_000_001, 4_200_000_002, 300])],
        };
        assert_eq!(
            merge_as4_path(as_path.clone(), as4).to_string(),
            "100 4200000001 4200000002 300"
        );
        // AS4_PATH longer than AS_PATH: ignored.
        let long = AsPath {
            segments: vec![seq(&[1, 2, 3, 4, 5])],
        };
        assert_eq!(merge_as4_path(as_path.clone(), long), as_path);
        // Leading confederation segment is kept.
        let confed = AsPath {
            segments: vec![
                AsSegment {
                    kind: SegmentKind::ConfedSequence,
                    asns: vec![Asn(65001)],
                },
                seq(&[100, 23456]),
            ],
        };
        let as4 = AsPath {
            segments: vec![seq(&[4_200_000_001])],
        };
        assert_eq!(
            merge_as4_path(confed, as4).to_string(),
            "(65001) 100 4200000001"
        );
    }

    fn block(parts: &[(u8, u8, &[u8])], four: bool) -> PathAttributes {
        PathAttributes::from_parts(parts, four).unwrap()
    }

    #[test]
    fn accessors_read_the_block() {
        let a = block(
            &[
                (0x40, 1, &[0]),
                (0x40, 2, &[2, 1, 0, 0, 0xfa, 0x73]),
                (0x40, 3, &[45, 183, 47, 10]),
                (0x80, 4, &[0, 0, 0, 5]),
                (0xc0, 8, &[0xfa, 0x73, 0, 1, 0xff, 0xff, 0xff, 0x01]),
                (0xc0, 32, &[0, 0, 0xfa, 0x73, 0, 0, 0, 0, 0, 0, 0, 1]),
                (0xc0, 35, &[0, 0, 0xfa, 0x73]),
            ],
            true,
        );
        assert_eq!(a.origin(), Some(Origin::Igp));
        assert_eq!(a.as_path().unwrap().to_string(), "64115");
        assert_eq!(a.next_hop(), Some(Ipv4Addr::new(45, 183, 47, 10)));
        assert_eq!(a.med(), Some(5));
        assert_eq!(a.local_pref(), None);
        assert_eq!(
            a.communities().collect::<Vec<_>>(),
            vec![Community::new(64115, 1), Community::NO_EXPORT]
        );
        assert!(a.has_community(Community::NO_EXPORT));
        assert_eq!(
            a.large_communities().next(),
            Some(LargeCommunity::new(64115, 0, 1))
        );
        assert_eq!(a.otc(), Some(Asn(64115)));
        assert!(!a.atomic_aggregate());
        assert_eq!(a.iter().count(), 7);
    }

    #[test]
    fn community_lists_are_written_in_order_and_removed_when_empty() {
        let a = block(&[(0x40, 1, &[0]), (0xc0, 8, &[0, 1, 0, 2])], true);
        let b = a.with_communities([Community(0xfde8_0001), Community::NO_EXPORT]);
        assert_eq!(
            b.communities().collect::<Vec<_>>(),
            vec![Community(0xfde8_0001), Community::NO_EXPORT]
        );
        let l = LargeCommunity::new(64115, 1000, 1);
        let c = b.with_large_communities([l, LargeCommunity::new(1, 2, 3)]);
        assert_eq!(
            c.large_communities().collect::<Vec<_>>(),
            vec![l, LargeCommunity::new(1, 2, 3)]
        );
        let flags_of = |t| c.iter().find(|x| x.type_code == t).map(|x| x.flags);
        assert_eq!(flags_of(types::LARGE_COMMUNITIES), Some(0xc0));
        assert_eq!(flags_of(types::COMMUNITIES), Some(0xc0));
        let d = c.with_communities([]).with_large_communities([]);
        assert_eq!(d.iter().map(|x| x.type_code).collect::<Vec<_>>(), vec![1]);
    }

    #[test]
    fn with_attr_replaces_inserts_and_removes_in_type_order() {
        let a = block(
            &[(0x40, 1, &[0]), (0x40, 2, &[]), (0xc0, 8, &[0, 1, 0, 2])],
            true,
        );
        let b = a.with_attr(0x80, types::MED, Some(&[0, 0, 0, 9]));
        assert_eq!(
            b.iter().map(|x| x.type_code).collect::<Vec<_>>(),
            vec![1, 2, 4, 8]
        );
        assert_eq!(b.med(), Some(9));
        let c = b.with_attr(0xc0, types::COMMUNITIES, None);
        assert_eq!(
            c.iter().map(|x| x.type_code).collect::<Vec<_>>(),
            vec![1, 2, 4]
        );
        let d = c.with_attr(0xc0, types::LARGE_COMMUNITIES, Some(&[0; 12]));
        assert_eq!(d.iter().map(|x| x.type_code).last(), Some(32));
        let e = d.with_attr(0x40, types::ORIGIN, Some(&[2]));
        assert_eq!(e.origin(), Some(Origin::Incomplete));
        assert_eq!(e.iter().count(), 4);
    }

    #[test]
    fn two_octet_round_trip_through_normalized() {
        // A 4-octet block with a wide ASN and a wide aggregator.
        let mut path = Vec::new();
        AsPath::from_sequence([64115, 4_200_000_001, 3356]).encode(true, &mut path);
        let four = block(
            &[
                (0x40, 1, &[0]),
                (0x40, 2, &path),
                (0x40, 3, &[198, 18, 0, 1]),
                (0xc0, 7, &[0xfa, 0x56, 0xea, 0x01, 10, 0, 0, 1]),
                (0xe0, 99, &[1, 2, 3]),
            ],
            true,
        );
        let two = four.to_two_octet();
        assert!(!two.is_four_octet());
        let raw_path = AsPath::decode(two.get(types::AS_PATH).unwrap(), false).unwrap();
        assert_eq!(raw_path.to_string(), "64115 23456 3356");
        assert!(two.has(types::AS4_PATH));
        assert!(two.has(types::AS4_AGGREGATOR));
        assert_eq!(two.as_path().unwrap().to_string(), "64115 4200000001 3356");
        assert_eq!(two.aggregator().unwrap().0, Asn(4_200_000_001));
        // Type order is kept: ..., 7, 17, 18, 99.
        assert_eq!(
            two.iter().map(|a| a.type_code).collect::<Vec<_>>(),
            vec![1, 2, 3, 7, 17, 18, 99]
        );
        let back = two.normalized();
        assert!(back.is_four_octet());
        assert_eq!(back.as_path(), four.as_path());
        assert_eq!(back.aggregator(), four.aggregator());
        assert!(!back.has(types::AS4_PATH));
        // The unknown optional transitive attribute now carries the Partial bit.
        assert_eq!(
            back.iter().last().unwrap().flags & flags::PARTIAL,
            flags::PARTIAL
        );
    }

    #[test]
    fn stale_as4_path_ignored_when_aggregator_is_real() {
        let mut as4 = Vec::new();
        AsPath::from_sequence([4_200_000_001]).encode(true, &mut as4);
        let a = block(
            &[
                (0x40, 2, &[2, 1, 0x5b, 0xa0]),
                (0xc0, 7, &[0, 100, 10, 0, 0, 1]),
                (0xc0, 17, &as4),
            ],
            false,
        );
        assert_eq!(a.as_path().unwrap().to_string(), "23456");
        let b = block(&[(0x40, 2, &[2, 1, 0x5b, 0xa0]), (0xc0, 17, &as4)], false);
        assert_eq!(b.as_path().unwrap().to_string(), "4200000001");
    }

    #[test]
    fn check_value_classifies() {
        let ctx = Context::four_octet();
        assert_eq!(
            check_value(types::ORIGIN, &[3], &ctx).unwrap_err().0,
            Rfc7606Action::TreatAsWithdraw
        );
        assert_eq!(
            check_value(types::ATOMIC_AGGREGATE, &[1], &ctx)
                .unwrap_err()
                .0,
            Rfc7606Action::AttributeDiscard
        );
        assert_eq!(
            check_value(types::AGGREGATOR, &[0; 6], &ctx).unwrap_err().0,
            Rfc7606Action::AttributeDiscard
        );
        assert!(check_value(types::AGGREGATOR, &[0; 6], &Context::default()).is_ok());
        assert_eq!(
            check_value(types::COMMUNITIES, &[], &ctx).unwrap_err().0,
            Rfc7606Action::TreatAsWithdraw
        );
        assert_eq!(
            check_value(types::LARGE_COMMUNITIES, &[0; 8], &ctx)
                .unwrap_err()
                .0,
            Rfc7606Action::TreatAsWithdraw
        );
        assert_eq!(
            check_value(types::OTC, &[0; 3], &ctx).unwrap_err().0,
            Rfc7606Action::TreatAsWithdraw
        );
        assert_eq!(
            check_value(types::AS4_PATH, &[2, 1, 0, 0], &ctx)
                .unwrap_err()
                .0,
            Rfc7606Action::AttributeDiscard
        );
        assert!(check_value(200, &[1, 2, 3], &ctx).is_ok());
    }
}
