//! UPDATE message (RFC 4271 §4.3) with multiprotocol reach/unreach (RFC 4760
//! §3, §4), ADD-PATH (RFC 7911), IPv4 NLRI with an IPv6 next hop (RFC 8950),
//! and the error handling of RFC 7606.
//!
//! An [`Update`] is the owned form of the borrowed view the decoder builds
//! ([`crate::UpdateRef`], whose module says how a message is validated and
//! classified): withdrawn routes and NLRI collected into vectors, MP
//! attributes parsed, the attribute block shared or copied. Fatal problems
//! (the NLRI cannot be located or parsed) return a [`MessageError`]; the
//! others are listed in [`Update::problems`]: discarded attributes are
//! removed from the block, and treat-as-withdraw is visible through
//! [`Update::treat_as_withdraw`].

use crate::attr::{self, flags, types, PathAttributes};
use crate::attr_ref::{index_block, EMPTY_INDEX};
use crate::update_ref::decode_update_ref;
use crate::update_walk::{kept_block, walk_block};
use crate::{nlri, Context, Family, MessageError, Nlri, Rfc7606Action, UpdateProblem, HEADER_LEN};
use bytes::Bytes;
use std::net::{Ipv4Addr, Ipv6Addr};

/// A next hop as carried in MP_REACH_NLRI.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum NextHop {
    /// IPv4 next hop (4 octets).
    V4(Ipv4Addr),
    /// IPv6 global next hop with optional link-local (16 or 32 octets);
    /// also used for IPv4 NLRI under RFC 8950.
    V6 {
        /// Global address.
        global: Ipv6Addr,
        /// Link-local address, when 32 octets were sent.
        link_local: Option<Ipv6Addr>,
    },
    /// Any other encoding (other families), kept as received.
    Other(Bytes),
}

impl NextHop {
    /// The next hop of the given octets (4, 16 or 32 of them; any other
    /// length is kept as [`NextHop::Other`]).
    pub fn decode(v: &[u8]) -> NextHop {
        match v.len() {
            4 => NextHop::V4(Ipv4Addr::new(v[0], v[1], v[2], v[3])),
            16 => NextHop::V6 {
                global: ipv6(&v[..16]),
                link_local: None,
            },
            32 => NextHop::V6 {
                global: ipv6(&v[..16]),
                link_local: Some(ipv6(&v[16..])),
            },
            _ => NextHop::Other(Bytes::copy_from_slice(v)),
        }
    }

    /// Appends the octets (without the length).
    pub fn encode(&self, out: &mut Vec<u8>) {
        match self {
            NextHop::V4(a) => out.extend_from_slice(&a.octets()),
            NextHop::V6 { global, link_local } => {
                out.extend_from_slice(&global.octets());
                if let Some(l) = link_local {
                    out.extend_from_slice(&l.octets());
                }
            }
            NextHop::Other(b) => out.extend_from_slice(b),
        }
    }

    /// Encoded length in octets.
    pub fn encoded_len(&self) -> usize {
        match self {
            NextHop::V4(_) => 4,
            NextHop::V6 {
                link_local: None, ..
            } => 16,
            NextHop::V6 {
                link_local: Some(_),
                ..
            } => 32,
            NextHop::Other(b) => b.len(),
        }
    }

    /// The address routers forward to (the global address for IPv6).
    pub fn addr(&self) -> Option<std::net::IpAddr> {
        match self {
            NextHop::V4(a) => Some((*a).into()),
            NextHop::V6 { global, .. } => Some((*global).into()),
            NextHop::Other(_) => None,
        }
    }
}

fn ipv6(b: &[u8]) -> Ipv6Addr {
    let mut a = [0u8; 16];
    a.copy_from_slice(b);
    Ipv6Addr::from(a)
}

/// NLRI of an MP attribute: decoded prefixes for the IPv4/IPv6
/// unicast/multicast families, raw octets for the others.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MpNlri {
    /// Decoded prefixes.
    Prefixes(Vec<Nlri>),
    /// Undecoded NLRI of a family this codec does not interpret.
    Other(Bytes),
}

impl MpNlri {
    /// The prefixes, empty for undecoded families.
    pub fn prefixes(&self) -> &[Nlri] {
        match self {
            MpNlri::Prefixes(p) => p,
            MpNlri::Other(_) => &[],
        }
    }

    fn encode(&self, add_path: bool, out: &mut Vec<u8>) {
        match self {
            MpNlri::Prefixes(p) => nlri::encode_prefixes(p, add_path, out),
            MpNlri::Other(b) => out.extend_from_slice(b),
        }
    }
}

/// MP_REACH_NLRI (RFC 4760 §3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MpReach {
    /// Address family of the NLRI.
    pub family: Family,
    /// Next hop.
    pub next_hop: NextHop,
    /// The reserved octet (formerly the SNPA count), kept for exact re-encoding.
    pub reserved: u8,
    /// Announced NLRI.
    pub nlri: MpNlri,
}

/// MP_UNREACH_NLRI (RFC 4760 §4).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MpUnreach {
    /// Address family of the NLRI.
    pub family: Family,
    /// Withdrawn NLRI.
    pub nlri: MpNlri,
}

/// A decoded UPDATE.
#[derive(Clone, Debug, PartialEq)]
pub struct Update {
    /// IPv4 unicast withdrawn routes (the Withdrawn Routes field).
    pub withdrawn: Vec<Nlri>,
    /// The path attribute block, MP attributes included, discarded ones removed.
    pub attrs: PathAttributes,
    /// IPv4 unicast announced routes (the NLRI field).
    pub nlri: Vec<Nlri>,
    /// Parsed MP_REACH_NLRI.
    pub mp_reach: Option<MpReach>,
    /// Parsed MP_UNREACH_NLRI.
    pub mp_unreach: Option<MpUnreach>,
    /// Non-fatal problems found (RFC 7606 attribute-discard and treat-as-withdraw).
    pub problems: Vec<UpdateProblem>,
}

impl Update {
    /// An UPDATE with nothing in it: the End-of-RIB marker for IPv4 unicast (RFC 4724 §2).
    pub fn end_of_rib_ipv4() -> Update {
        Update {
            withdrawn: Vec::new(),
            attrs: PathAttributes::empty(true),
            nlri: Vec::new(),
            mp_reach: None,
            mp_unreach: None,
            problems: Vec::new(),
        }
    }

    /// True when RFC 7606 says the announced routes must be handled as withdrawn.
    pub fn treat_as_withdraw(&self) -> bool {
        self.problems
            .iter()
            .any(|p| p.action == Rfc7606Action::TreatAsWithdraw)
    }

    /// The family this UPDATE is an End-of-RIB marker for, if it is one (RFC 4724 §2).
    pub fn end_of_rib(&self) -> Option<Family> {
        if !self.withdrawn.is_empty() || !self.nlri.is_empty() || self.mp_reach.is_some() {
            return None;
        }
        if self.attrs.is_empty() {
            return Some(Family::IPV4_UNICAST);
        }
        match &self.mp_unreach {
            Some(u)
                if self.attrs.iter().count() == 1
                    && matches!(&u.nlri, MpNlri::Prefixes(p) if p.is_empty()) =>
            {
                Some(u.family)
            }
            Some(u)
                if self.attrs.iter().count() == 1
                    && matches!(&u.nlri, MpNlri::Other(b) if b.is_empty()) =>
            {
                Some(u.family)
            }
            _ => None,
        }
    }

    /// Every announced prefix (NLRI field and MP_REACH), in message order.
    pub fn announced(&self) -> impl Iterator<Item = &Nlri> {
        self.nlri
            .iter()
            .chain(self.mp_reach.iter().flat_map(|m| m.nlri.prefixes()))
    }

    /// Every withdrawn prefix (Withdrawn Routes field and MP_UNREACH).
    pub fn withdrawals(&self) -> impl Iterator<Item = &Nlri> {
        self.withdrawn
            .iter()
            .chain(self.mp_unreach.iter().flat_map(|m| m.nlri.prefixes()))
    }

    /// Decodes an UPDATE body (the octets after the 19-octet header). The
    /// attribute block is copied; see [`Update::decode_shared`] to avoid it,
    /// and [`decode_update_ref`] to avoid every allocation.
    pub fn decode(body: &[u8], ctx: &Context) -> Result<Update, MessageError> {
        Ok(decode_update_ref(body, ctx)?.into_update())
    }

    /// Decodes a whole UPDATE message (header included) held in `Bytes`; the
    /// attribute block shares the message's memory instead of being copied.
    pub fn decode_shared(msg: &Bytes, ctx: &Context) -> Result<Update, MessageError> {
        let body = msg.get(HEADER_LEN..).unwrap_or_default();
        Ok(decode_update_ref(body, ctx)?.build_update(Some(msg)))
    }

    /// Appends the UPDATE body. The attribute block is copied as stored,
    /// except MP_REACH/MP_UNREACH which are re-encoded from their parsed form.
    /// `ctx` is the receiver's view (see [`Context::reversed`]).
    pub fn encode_body(&self, ctx: &Context, out: &mut Vec<u8>) {
        let v4_add_path = ctx.add_path_rx(Family::IPV4_UNICAST);
        let wlen_at = out.len();
        out.extend_from_slice(&[0, 0]);
        nlri::encode_prefixes(&self.withdrawn, v4_add_path, out);
        let wlen = out.len() - wlen_at - 2;
        out[wlen_at..wlen_at + 2].copy_from_slice(&(wlen as u16).to_be_bytes());
        let alen_at = out.len();
        out.extend_from_slice(&[0, 0]);
        let mut mp_value = Vec::new();
        for a in self.attrs.iter() {
            match a.type_code {
                types::MP_REACH_NLRI => {
                    if let Some(m) = &self.mp_reach {
                        mp_value.clear();
                        encode_mp_reach(m, ctx, &mut mp_value);
                        attr::write_attr(out, a.flags, a.type_code, &mp_value);
                    }
                }
                types::MP_UNREACH_NLRI => {
                    if let Some(m) = &self.mp_unreach {
                        mp_value.clear();
                        encode_mp_unreach(m, ctx, &mut mp_value);
                        attr::write_attr(out, a.flags, a.type_code, &mp_value);
                    }
                }
                _ => a.encode(out),
            }
        }
        // MP attributes built by hand (not present in the block) go last.
        if let Some(m) = self
            .mp_reach
            .as_ref()
            .filter(|_| !self.attrs.has(types::MP_REACH_NLRI))
        {
            mp_value.clear();
            encode_mp_reach(m, ctx, &mut mp_value);
            attr::write_attr(out, flags::OPTIONAL, types::MP_REACH_NLRI, &mp_value);
        }
        if let Some(m) = self
            .mp_unreach
            .as_ref()
            .filter(|_| !self.attrs.has(types::MP_UNREACH_NLRI))
        {
            mp_value.clear();
            encode_mp_unreach(m, ctx, &mut mp_value);
            attr::write_attr(out, flags::OPTIONAL, types::MP_UNREACH_NLRI, &mp_value);
        }
        let alen = out.len() - alen_at - 2;
        out[alen_at..alen_at + 2].copy_from_slice(&(alen as u16).to_be_bytes());
        nlri::encode_prefixes(&self.nlri, v4_add_path, out);
    }
}

/// Appends an MP_REACH_NLRI value.
pub fn encode_mp_reach(m: &MpReach, ctx: &Context, out: &mut Vec<u8>) {
    out.extend_from_slice(&m.family.afi.0.to_be_bytes());
    out.push(m.family.safi.0);
    out.push(m.next_hop.encoded_len() as u8);
    m.next_hop.encode(out);
    out.push(m.reserved);
    m.nlri.encode(ctx.add_path_rx(m.family), out);
}

/// Appends an MP_UNREACH_NLRI value.
pub fn encode_mp_unreach(m: &MpUnreach, ctx: &Context, out: &mut Vec<u8>) {
    out.extend_from_slice(&m.family.afi.0.to_be_bytes());
    out.push(m.family.safi.0);
    m.nlri.encode(ctx.add_path_rx(m.family), out);
}

/// The attributes of an MRT RIB entry (TABLE_DUMP, TABLE_DUMP_V2).
#[derive(Clone, Debug, PartialEq)]
pub struct RibAttributes {
    /// The attribute block (MP_REACH_NLRI included as stored).
    pub attrs: PathAttributes,
    /// The next hop from MP_REACH_NLRI, full or abbreviated (RFC 6396 §4.3.4).
    pub mp_next_hop: Option<NextHop>,
    /// Non-fatal problems, as for an UPDATE.
    pub problems: Vec<UpdateProblem>,
}

/// Decodes the attribute block of an MRT RIB entry. Offsets in errors are
/// from the start of the block.
pub fn decode_rib_attributes(block: &[u8], ctx: &Context) -> Result<RibAttributes, MessageError> {
    let mut problems = Vec::new();
    let mut slots = EMPTY_INDEX;
    let walked = walk_block(block, ctx, 0, &mut problems, true, &mut slots)?;
    let attrs = if walked.drop.is_empty() {
        PathAttributes::from_indexed(Bytes::copy_from_slice(block), ctx.four_octet_as, slots)
    } else {
        let kept = kept_block(block, &walked.drop);
        let slots = index_block(&kept);
        PathAttributes::from_indexed(Bytes::from(kept), ctx.four_octet_as, slots)
    };
    Ok(RibAttributes {
        attrs,
        mp_next_hop: walked.reach.map(|r| r.next_hop()),
        problems,
    })
}

#[cfg(test)]
#[path = "update_tests.rs"]
mod tests;
