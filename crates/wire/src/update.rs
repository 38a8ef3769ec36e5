//! UPDATE message (RFC 4271 §4.3) with multiprotocol reach/unreach (RFC 4760
//! §3, §4), ADD-PATH (RFC 7911), IPv4 NLRI with an IPv6 next hop (RFC 8950),
//! and the error handling of RFC 7606.
//!
//! Decoding walks the message once: withdrawn routes and NLRI are decoded,
//! every attribute is checked, MP_REACH/MP_UNREACH are parsed, and each
//! problem is classified. Fatal problems (the NLRI cannot be located or
//! parsed) return a [`MessageError`]; the others are listed in
//! [`Update::problems`]: discarded attributes are removed from the block,
//! and treat-as-withdraw is visible through [`Update::treat_as_withdraw`].

use crate::attr::{self, flags, read_attr_header, types, PathAttributes};
use crate::notification::codes;
use crate::{
    nlri, Afi, Context, Family, MessageError, Nlri, Notification, Rfc7606Action, UpdateProblem,
    HEADER_LEN,
};
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
    fn decode(v: &[u8]) -> NextHop {
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

fn update_error(
    offset: usize,
    reason: impl Into<String>,
    subcode: u8,
    data: Vec<u8>,
) -> MessageError {
    MessageError::new(
        offset,
        reason,
        Notification::new(codes::UPDATE_MESSAGE, subcode, data),
    )
}

/// The parsed MP attributes of a block.
struct MpParsed {
    reach: Option<MpReach>,
    unreach: Option<MpUnreach>,
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
    /// attribute block is copied; see [`Update::decode_shared`] to avoid it.
    pub fn decode(body: &[u8], ctx: &Context) -> Result<Update, MessageError> {
        Update::decode_inner(body, None, ctx)
    }

    /// Decodes a whole UPDATE message (header included) held in `Bytes`; the
    /// attribute block shares the message's memory instead of being copied.
    pub fn decode_shared(msg: &Bytes, ctx: &Context) -> Result<Update, MessageError> {
        let body = msg.get(HEADER_LEN..).unwrap_or_default();
        Update::decode_inner(body, Some(msg), ctx)
    }

    fn decode_inner(
        body: &[u8],
        shared: Option<&Bytes>,
        ctx: &Context,
    ) -> Result<Update, MessageError> {
        let base = HEADER_LEN;
        if body.len() < 4 {
            return Err(update_error(
                base,
                "UPDATE shorter than its two length fields",
                codes::UPD_MALFORMED_ATTR_LIST,
                Vec::new(),
            ));
        }
        let wlen = u16::from_be_bytes([body[0], body[1]]) as usize;
        if 2 + wlen + 2 > body.len() {
            return Err(update_error(
                base,
                format!("withdrawn routes length {wlen} overruns the message"),
                codes::UPD_MALFORMED_ATTR_LIST,
                Vec::new(),
            ));
        }
        let wfield = &body[2..2 + wlen];
        let alen_at = 2 + wlen;
        let alen = u16::from_be_bytes([body[alen_at], body[alen_at + 1]]) as usize;
        let attrs_at = alen_at + 2;
        if attrs_at + alen > body.len() {
            return Err(update_error(
                base + alen_at,
                format!("total path attribute length {alen} overruns the message"),
                codes::UPD_MALFORMED_ATTR_LIST,
                Vec::new(),
            ));
        }
        let block = &body[attrs_at..attrs_at + alen];
        let nlri_field = &body[attrs_at + alen..];

        let v4_add_path = ctx.add_path_rx(Family::IPV4_UNICAST);
        let mut withdrawn = Vec::new();
        nlri::decode_prefixes(wfield, Afi::IPV4, v4_add_path, &mut withdrawn).map_err(|e| {
            update_error(
                base + 2 + e.offset,
                format!("withdrawn routes: {}", e.reason),
                codes::UPD_INVALID_NETWORK,
                Vec::new(),
            )
        })?;
        let mut announced = Vec::new();
        nlri::decode_prefixes(nlri_field, Afi::IPV4, v4_add_path, &mut announced).map_err(|e| {
            update_error(
                base + attrs_at + alen + e.offset,
                format!("NLRI: {}", e.reason),
                codes::UPD_INVALID_NETWORK,
                Vec::new(),
            )
        })?;

        let mut problems = Vec::new();
        let shared = shared.map(|m| (m, base + attrs_at));
        let (attrs, mp) = decode_block(block, shared, ctx, base + attrs_at, &mut problems, false)?;

        let mut update = Update {
            withdrawn,
            attrs,
            nlri: announced,
            mp_reach: mp.reach,
            mp_unreach: mp.unreach,
            problems,
        };
        update.check_mandatory(base + attrs_at);
        Ok(update)
    }

    /// RFC 7606 §3 (d): missing well-known mandatory attributes when routes
    /// are announced → treat-as-withdraw.
    fn check_mandatory(&mut self, offset: usize) {
        let has_mp_nlri = self.mp_reach.as_ref().is_some_and(|m| match &m.nlri {
            MpNlri::Prefixes(p) => !p.is_empty(),
            MpNlri::Other(b) => !b.is_empty(),
        });
        if self.nlri.is_empty() && !has_mp_nlri {
            return;
        }
        let mut missing = Vec::new();
        if !self.attrs.has(types::ORIGIN) {
            missing.push("ORIGIN");
        }
        if !self.attrs.has(types::AS_PATH) {
            missing.push("AS_PATH");
        }
        if !self.nlri.is_empty() && !self.attrs.has(types::NEXT_HOP) {
            missing.push("NEXT_HOP");
        }
        if !missing.is_empty() {
            self.problems.push(UpdateProblem {
                action: Rfc7606Action::TreatAsWithdraw,
                attr_type: None,
                offset,
                reason: format!(
                    "missing well-known mandatory attribute {}",
                    missing.join(", ")
                ),
            });
        }
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

fn attr_data(block: &[u8], at: usize, end: usize) -> Vec<u8> {
    block.get(at..end).map(|s| s.to_vec()).unwrap_or_default()
}

/// Walks an attribute block: validates each attribute (RFC 7606), parses MP
/// attributes, removes discarded ones. `rib_entry` enables the abbreviated
/// MP_REACH form of MRT RIB entries (RFC 6396 §4.3.4).
fn decode_block(
    block: &[u8],
    shared: Option<(&Bytes, usize)>,
    ctx: &Context,
    base: usize,
    problems: &mut Vec<UpdateProblem>,
    rib_entry: bool,
) -> Result<(PathAttributes, MpParsed), MessageError> {
    let mut mp = MpParsed {
        reach: None,
        unreach: None,
    };
    let mut seen = [0u64; 4];
    let mut slots = [attr::ABSENT; attr::SLOT_TYPES.len()];
    // Attribute spans to drop (discard, duplicates); usually none.
    let mut drop: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while i < block.len() {
        let Some((fl, t, start, end)) = read_attr_header(block, i) else {
            // RFC 7606 §4: an attribute overrunning the block makes the whole
            // attribute list malformed; the NLRI can still be located.
            problems.push(UpdateProblem {
                action: Rfc7606Action::TreatAsWithdraw,
                attr_type: block.get(i + 1).copied(),
                offset: base + i,
                reason: "attribute header or length overruns the attribute block".into(),
            });
            drop.push((i, block.len()));
            break;
        };
        let value = &block[start..end];
        let off = base + i;
        if seen[t as usize / 64] & (1 << (t % 64)) != 0 {
            if matches!(t, types::MP_REACH_NLRI | types::MP_UNREACH_NLRI) {
                return Err(update_error(
                    off,
                    format!("{} appears twice", attr::type_name(t)),
                    codes::UPD_MALFORMED_ATTR_LIST,
                    Vec::new(),
                ));
            }
            // RFC 7606 §3 (g): keep the first, discard the others.
            problems.push(UpdateProblem {
                action: Rfc7606Action::AttributeDiscard,
                attr_type: Some(t),
                offset: off,
                reason: "duplicate attribute discarded".into(),
            });
            drop.push((i, end));
            i = end;
            continue;
        }
        seen[t as usize / 64] |= 1 << (t % 64);
        if let Some(s) = attr::slot_of(t) {
            if block.len() < attr::ABSENT as usize {
                slots[s] = i as attr::Slot;
            }
        }

        if !attr::is_known(t) && fl & flags::OPTIONAL == 0 {
            return Err(update_error(
                off,
                format!("unrecognized well-known attribute type {t}"),
                codes::UPD_UNRECOGNIZED_WELL_KNOWN,
                attr_data(block, i, end),
            ));
        }

        // Flags that contradict the attribute's definition (RFC 7606 §3 c).
        let flag_problem = attr::expected_flags(t)
            .filter(|&want| fl & (flags::OPTIONAL | flags::TRANSITIVE) != want)
            .map(|_| {
                format!(
                    "attribute flags 0x{fl:02x} conflict with the definition of {}",
                    attr::type_name(t)
                )
            });

        let is_mp = matches!(t, types::MP_REACH_NLRI | types::MP_UNREACH_NLRI);
        let mut outcome: Result<(), (Rfc7606Action, String)> = match flag_problem {
            // MP attributes are still parsed, so that their routes can be
            // withdrawn; RFC 7606 §3 (c) makes wrong flags treat-as-withdraw.
            Some(why) if is_mp => Err((Rfc7606Action::TreatAsWithdraw, why)),
            Some(why) => Err((attr::malformed_action(t), why)),
            None => Ok(()),
        };
        if outcome.is_ok() || is_mp {
            let flags_outcome = outcome;
            outcome = match t {
                types::MP_REACH_NLRI => {
                    let (reach, problem) = decode_mp_reach(value, ctx, off, rib_entry)?;
                    mp.reach = Some(reach);
                    problem.map_or(Ok(()), |why| Err((Rfc7606Action::TreatAsWithdraw, why)))
                }
                types::MP_UNREACH_NLRI => {
                    mp.unreach = Some(decode_mp_unreach(value, ctx, off)?);
                    Ok(())
                }
                types::LOCAL_PREF if !ctx.collector => {
                    // RFC 4271 §5.1.5: ignored from external peers.
                    drop.push((i, end));
                    i = end;
                    continue;
                }
                types::AS4_PATH | types::AS4_AGGREGATOR if ctx.four_octet_as && !ctx.collector => {
                    // RFC 6793 §6: a NEW speaker never sends these to a NEW speaker.
                    Err((
                        Rfc7606Action::AttributeDiscard,
                        format!("{} received from a 4-octet AS speaker", attr::type_name(t)),
                    ))
                }
                _ => attr::check_value(t, value, ctx),
            };
            if flags_outcome.is_err() {
                outcome = flags_outcome;
            }
        }
        if let Err((action, reason)) = outcome {
            match action {
                Rfc7606Action::SessionReset => {
                    return Err(update_error(
                        off,
                        reason,
                        codes::UPD_OPTIONAL_ATTR,
                        attr_data(block, i, end),
                    ));
                }
                Rfc7606Action::AttributeDiscard => {
                    drop.push((i, end));
                }
                Rfc7606Action::TreatAsWithdraw => {}
            }
            problems.push(UpdateProblem {
                action,
                attr_type: Some(t),
                offset: off,
                reason,
            });
        }
        i = end;
    }
    if drop.is_empty() {
        let raw = match shared {
            Some((msg, at)) => msg.slice(at..at + block.len()),
            None => Bytes::copy_from_slice(block),
        };
        return Ok((
            PathAttributes::from_indexed(raw, ctx.four_octet_as, slots),
            mp,
        ));
    }
    let raw = {
        let mut kept = Vec::with_capacity(block.len());
        let mut at = 0;
        for (s, e) in drop {
            kept.extend_from_slice(&block[at..s]);
            at = e;
        }
        kept.extend_from_slice(&block[at.min(block.len())..]);
        Bytes::from(kept)
    };
    Ok((PathAttributes::from_validated(raw, ctx.four_octet_as), mp))
}

fn mp_error(off: usize, reason: String, value: &[u8]) -> MessageError {
    update_error(off, reason, codes::UPD_OPTIONAL_ATTR, value.to_vec())
}

/// Next hop lengths RFC 4760 / RFC 2545 / RFC 8950 allow for a prefix family.
fn next_hop_len_ok(family: Family, len: usize) -> bool {
    match family.afi {
        Afi::IPV4 => matches!(len, 4 | 16 | 32),
        Afi::IPV6 => matches!(len, 16 | 32),
        _ => true,
    }
}

fn decode_mp_reach(
    v: &[u8],
    ctx: &Context,
    off: usize,
    rib_entry: bool,
) -> Result<(MpReach, Option<String>), MessageError> {
    // RFC 6396 §4.3.4: RIB entries may carry only the next-hop length and
    // next hop. Recognise it by the length octet matching the value.
    if rib_entry && !v.is_empty() && v[0] as usize + 1 == v.len() {
        let nh = NextHop::decode(&v[1..]);
        let family = if v[0] == 4 {
            Family::IPV4_UNICAST
        } else {
            Family::IPV6_UNICAST
        };
        return Ok((
            MpReach {
                family,
                next_hop: nh,
                reserved: 0,
                nlri: MpNlri::Prefixes(Vec::new()),
            },
            None,
        ));
    }
    if v.len() < 5 {
        return Err(mp_error(
            off,
            format!(
                "MP_REACH_NLRI of {} octets is shorter than its fixed fields",
                v.len()
            ),
            v,
        ));
    }
    let family = Family::new(u16::from_be_bytes([v[0], v[1]]), v[2]);
    let nh_len = v[3] as usize;
    if 4 + nh_len + 1 > v.len() {
        return Err(mp_error(
            off,
            format!("MP_REACH_NLRI next hop length {nh_len} overruns the attribute"),
            v,
        ));
    }
    let next_hop = NextHop::decode(&v[4..4 + nh_len]);
    let reserved = v[4 + nh_len];
    let field = &v[5 + nh_len..];
    let nlri = if family.has_prefix_nlri() {
        let mut out = Vec::new();
        nlri::decode_prefixes(field, family.afi, ctx.add_path_rx(family), &mut out).map_err(
            |e| {
                mp_error(
                    off,
                    format!(
                        "MP_REACH_NLRI {family} NLRI at octet {}: {}",
                        5 + nh_len + e.offset,
                        e.reason
                    ),
                    v,
                )
            },
        )?;
        MpNlri::Prefixes(out)
    } else {
        MpNlri::Other(Bytes::copy_from_slice(field))
    };
    let problem = (family.has_prefix_nlri() && !next_hop_len_ok(family, nh_len))
        // RFC 7606 §7.11: the NLRI is parseable, so treat-as-withdraw (the
        // parse is kept so the routes can be withdrawn).
        .then(|| format!("MP_REACH_NLRI next hop length {nh_len} is invalid for {family}"));
    Ok((
        MpReach {
            family,
            next_hop,
            reserved,
            nlri,
        },
        problem,
    ))
}

fn decode_mp_unreach(v: &[u8], ctx: &Context, off: usize) -> Result<MpUnreach, MessageError> {
    if v.len() < 3 {
        return Err(mp_error(
            off,
            format!(
                "MP_UNREACH_NLRI of {} octets is shorter than its fixed fields",
                v.len()
            ),
            v,
        ));
    }
    let family = Family::new(u16::from_be_bytes([v[0], v[1]]), v[2]);
    let field = &v[3..];
    let nlri = if family.has_prefix_nlri() {
        let mut out = Vec::new();
        nlri::decode_prefixes(field, family.afi, ctx.add_path_rx(family), &mut out).map_err(
            |e| {
                mp_error(
                    off,
                    format!(
                        "MP_UNREACH_NLRI {family} NLRI at octet {}: {}",
                        3 + e.offset,
                        e.reason
                    ),
                    v,
                )
            },
        )?;
        MpNlri::Prefixes(out)
    } else {
        MpNlri::Other(Bytes::copy_from_slice(field))
    };
    Ok(MpUnreach { family, nlri })
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
    let (attrs, mp) = decode_block(block, None, ctx, 0, &mut problems, true)?;
    Ok(RibAttributes {
        attrs,
        mp_next_hop: mp.reach.map(|r| r.next_hop),
        problems,
    })
}

#[cfg(test)]
#[path = "update_tests.rs"]
mod tests;
