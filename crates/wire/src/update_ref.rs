//! A borrowed, allocation-free view of a validated UPDATE (RFC 4271 §4.3,
//! RFC 4760 §3–§4, RFC 7911, RFC 7606).
//!
//! [`decode_update_ref`] checks the whole message exactly as
//! [`Update::decode`] does — same outcomes, same NOTIFICATIONs, same RFC
//! 7606 problems, since [`Update`] is built from this view — but keeps
//! slices of the message instead of building vectors: prefixes are decoded
//! as they are iterated ([`NlriIter`]), attributes through the index of the
//! block ([`AttrsRef`]). Nothing is allocated unless RFC 7606 found a
//! problem (the problem list, and the block less any discarded attribute).
//! Use [`UpdateRef::to_update`] when an owned value is needed.

use crate::attr::types;
use crate::attr_ref::{index_block, AttrIndex, AttrsRef, EMPTY_INDEX};
use crate::nlri::{self, NlriIter};
use crate::notification::codes;
use crate::update_walk::{kept_block, update_error, walk_block};
use crate::{
    Afi, Context, Family, MessageError, MpNlri, MpReach, MpUnreach, NextHop, Rfc7606Action, Update,
    UpdateProblem, HEADER_LEN,
};
use bytes::Bytes;

/// The NLRI field of an MP attribute, validated: `data` ends with it and
/// holds the octets before it in the message (see [`NlriIter`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct MpField<'a> {
    pub(crate) data: &'a [u8],
    /// Where the field starts in `data`.
    pub(crate) at: usize,
    pub(crate) add_path: bool,
    /// Prefixes in the field (0 for families this codec does not interpret).
    pub(crate) count: usize,
}

impl<'a> MpField<'a> {
    /// A field with no NLRI.
    pub(crate) const EMPTY: MpField<'static> = MpField {
        data: &[],
        at: 0,
        add_path: false,
        count: 0,
    };

    fn octets(self) -> &'a [u8] {
        self.data.get(self.at..).unwrap_or_default()
    }

    fn prefixes(self, family: Family) -> NlriIter<'a> {
        if family.has_prefix_nlri() {
            NlriIter::within(self.data, self.at, family.afi, self.add_path, self.count)
        } else {
            NlriIter::default()
        }
    }

    fn to_mp_nlri(self, family: Family) -> MpNlri {
        if family.has_prefix_nlri() {
            MpNlri::Prefixes(self.prefixes(family).collect())
        } else {
            MpNlri::Other(Bytes::copy_from_slice(self.octets()))
        }
    }
}

/// MP_REACH_NLRI as received (RFC 4760 §3), validated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MpReachRef<'a> {
    /// Address family of the NLRI.
    pub family: Family,
    /// The reserved octet (formerly the SNPA count).
    pub reserved: u8,
    pub(crate) next_hop: &'a [u8],
    pub(crate) nlri: MpField<'a>,
}

impl<'a> MpReachRef<'a> {
    /// The next hop octets as received.
    pub fn next_hop_octets(self) -> &'a [u8] {
        self.next_hop
    }

    /// The next hop.
    pub fn next_hop(self) -> NextHop {
        NextHop::decode(self.next_hop)
    }

    /// The announced prefixes; none for families whose NLRI this codec does
    /// not interpret (see [`MpReachRef::nlri_octets`]).
    pub fn prefixes(self) -> NlriIter<'a> {
        self.nlri.prefixes(self.family)
    }

    /// The NLRI field as received.
    pub fn nlri_octets(self) -> &'a [u8] {
        self.nlri.octets()
    }

    /// The owned form.
    pub fn to_mp_reach(self) -> MpReach {
        MpReach {
            family: self.family,
            next_hop: self.next_hop(),
            reserved: self.reserved,
            nlri: self.nlri.to_mp_nlri(self.family),
        }
    }
}

/// MP_UNREACH_NLRI as received (RFC 4760 §4), validated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MpUnreachRef<'a> {
    /// Address family of the NLRI.
    pub family: Family,
    pub(crate) nlri: MpField<'a>,
}

impl<'a> MpUnreachRef<'a> {
    /// The withdrawn prefixes; none for families whose NLRI this codec does
    /// not interpret (see [`MpUnreachRef::nlri_octets`]).
    pub fn prefixes(self) -> NlriIter<'a> {
        self.nlri.prefixes(self.family)
    }

    /// The NLRI field as received.
    pub fn nlri_octets(self) -> &'a [u8] {
        self.nlri.octets()
    }

    /// The owned form.
    pub fn to_mp_unreach(self) -> MpUnreach {
        MpUnreach {
            family: self.family,
            nlri: self.nlri.to_mp_nlri(self.family),
        }
    }
}

/// Where an MP attribute's parts sit in the attribute block (offsets in
/// the block, which is at most 65535 octets long): the compact form an
/// [`UpdateRef`] stores, so that it stays small and cheap to move.
#[derive(Clone, Copy, Debug)]
struct MpSpan {
    family: Family,
    reserved: u8,
    add_path: bool,
    /// Next hop length (MP_REACH_NLRI): the next hop ends one octet (the
    /// reserved one) before the NLRI field.
    nh_len: u8,
    nlri_at: u16,
    nlri_end: u16,
    count: u16,
}

impl MpSpan {
    /// The compact form of an MP attribute of a block (at most 65535
    /// octets, so every offset and count fits in 16 bits): the walk gives
    /// fields whose data starts at the block's start.
    fn new(family: Family, reserved: u8, nh_len: usize, f: MpField<'_>) -> MpSpan {
        MpSpan {
            family,
            reserved,
            add_path: f.add_path,
            nh_len: nh_len as u8,
            nlri_at: f.at as u16,
            nlri_end: f.data.len() as u16,
            count: f.count as u16,
        }
    }

    fn field<'a>(&self, block: &'a [u8]) -> MpField<'a> {
        MpField {
            data: block.get(..self.nlri_end as usize).unwrap_or_default(),
            at: self.nlri_at.into(),
            add_path: self.add_path,
            count: self.count.into(),
        }
    }
}

/// What only an UPDATE with RFC 7606 problems carries (boxed: usually absent).
#[derive(Clone, Debug, Default)]
struct Problems {
    /// The problems, in message order.
    list: Vec<UpdateProblem>,
    /// The block less discarded attributes, when RFC 7606 discarded any.
    kept: Option<Vec<u8>>,
}

/// A validated UPDATE borrowed from the message octets.
///
/// Small (under 160 octets) and cheap to move: it keeps where each part
/// lies in the body, not slices of it.
#[derive(Clone, Debug)]
pub struct UpdateRef<'a> {
    /// The UPDATE body.
    body: &'a [u8],
    /// Prefixes in the NLRI field.
    nlri_count: usize,
    /// Index of the attribute block (of `kept` when attributes were discarded).
    slots: AttrIndex,
    /// Withdrawn Routes Length and Total Path Attribute Length.
    wlen: u16,
    alen: u16,
    /// Prefixes in the Withdrawn Routes field.
    withdrawn_count: u16,
    four_octet: bool,
    v4_add_path: bool,
    mp_reach: Option<MpSpan>,
    mp_unreach: Option<MpSpan>,
    problems: Option<Box<Problems>>,
}

/// Decodes an UPDATE body (the octets after the 19-octet header) into a
/// borrowed view; see [`UpdateRef`].
// Inlined so the view is built where the caller keeps it, not copied there.
#[inline(always)]
pub fn decode_update_ref<'a>(body: &'a [u8], ctx: &Context) -> Result<UpdateRef<'a>, MessageError> {
    let base = HEADER_LEN;
    if body.len() < 4 {
        return Err(update_error(
            base,
            "UPDATE shorter than its two length fields",
            codes::UPD_MALFORMED_ATTR_LIST,
            Vec::new(),
        ));
    }
    let wlen = u16::from_be_bytes([body[0], body[1]]);
    let alen_at = 2 + wlen as usize;
    let Some(&[a0, a1]) = body.get(alen_at..alen_at + 2) else {
        return Err(update_error(
            base,
            format!("withdrawn routes length {wlen} overruns the message"),
            codes::UPD_MALFORMED_ATTR_LIST,
            Vec::new(),
        ));
    };
    let wfield = &body[2..alen_at];
    let alen = u16::from_be_bytes([a0, a1]);
    let attrs_at = alen_at + 2;
    let Some(block) = body.get(attrs_at..attrs_at + alen as usize) else {
        return Err(update_error(
            base + alen_at,
            format!("total path attribute length {alen} overruns the message"),
            codes::UPD_MALFORMED_ATTR_LIST,
            Vec::new(),
        ));
    };
    let nlri_field = &body[attrs_at + block.len()..];

    let v4_add_path = ctx.add_path_rx(Family::IPV4_UNICAST);
    let wcount = nlri::validate_prefixes(wfield, Afi::IPV4, v4_add_path).map_err(|e| {
        update_error(
            base + 2 + e.offset,
            format!("withdrawn routes: {}", e.reason),
            codes::UPD_INVALID_NETWORK,
            Vec::new(),
        )
    })?;
    let ncount = nlri::validate_prefixes(nlri_field, Afi::IPV4, v4_add_path).map_err(|e| {
        update_error(
            base + attrs_at + block.len() + e.offset,
            format!("NLRI: {}", e.reason),
            codes::UPD_INVALID_NETWORK,
            Vec::new(),
        )
    })?;

    // Built here and filled in place: the index the walk writes is not
    // copied afterwards.
    let mut update = UpdateRef {
        body,
        nlri_count: ncount,
        slots: EMPTY_INDEX,
        wlen,
        alen,
        // Every entry takes at least one octet of a field of at most 65535.
        withdrawn_count: wcount as u16,
        four_octet: ctx.four_octet_as,
        v4_add_path,
        mp_reach: None,
        mp_unreach: None,
        problems: None,
    };
    let mut list = Vec::new();
    let walked = walk_block(
        block,
        ctx,
        base + attrs_at,
        &mut list,
        false,
        &mut update.slots,
    )?;
    update.mp_reach = walked
        .reach
        .map(|r| MpSpan::new(r.family, r.reserved, r.next_hop.len(), r.nlri));
    update.mp_unreach = walked.unreach.map(|u| MpSpan::new(u.family, 0, 0, u.nlri));
    let kept = (!walked.drop.is_empty()).then(|| {
        let kept = kept_block(block, &walked.drop);
        update.slots = index_block(&kept);
        kept
    });
    // RFC 7606 §3 (d): missing well-known mandatory attributes when routes
    // are announced → treat-as-withdraw.
    if ncount > 0 || update.mp_reach.is_some_and(|m| m.nlri_end > m.nlri_at) {
        let a = AttrsRef::new(
            kept.as_deref().unwrap_or(block),
            ctx.four_octet_as,
            &update.slots,
        );
        let lacks = [
            (!a.has(types::ORIGIN), "ORIGIN"),
            (!a.has(types::AS_PATH), "AS_PATH"),
            (ncount > 0 && !a.has(types::NEXT_HOP), "NEXT_HOP"),
        ];
        if lacks.iter().any(|&(lacking, _)| lacking) {
            let missing: Vec<&str> = lacks
                .iter()
                .filter_map(|&(lacking, name)| lacking.then_some(name))
                .collect();
            list.push(UpdateProblem {
                action: Rfc7606Action::TreatAsWithdraw,
                attr_type: None,
                offset: base + attrs_at,
                reason: format!(
                    "missing well-known mandatory attribute {}",
                    missing.join(", ")
                ),
            });
        }
    }
    if !list.is_empty() || kept.is_some() {
        update.problems = Some(Box::new(Problems { list, kept }));
    }
    Ok(update)
}

impl<'a> UpdateRef<'a> {
    /// Decodes an UPDATE body; the same as [`decode_update_ref`].
    #[inline]
    pub fn decode(body: &'a [u8], ctx: &Context) -> Result<UpdateRef<'a>, MessageError> {
        decode_update_ref(body, ctx)
    }

    /// Offset of the attribute block in the body.
    fn block_at(&self) -> usize {
        4 + self.wlen as usize
    }

    /// The attribute block as received (discarded attributes included).
    fn block(&self) -> &'a [u8] {
        let at = self.block_at();
        self.body
            .get(at..at + self.alen as usize)
            .unwrap_or_default()
    }

    /// IPv4 unicast withdrawn routes (the Withdrawn Routes field).
    pub fn withdrawn(&self) -> NlriIter<'a> {
        let data = self.body.get(..2 + self.wlen as usize).unwrap_or_default();
        NlriIter::within(
            data,
            2,
            Afi::IPV4,
            self.v4_add_path,
            self.withdrawn_count.into(),
        )
    }

    /// IPv4 unicast announced routes (the NLRI field).
    pub fn nlri(&self) -> NlriIter<'a> {
        let at = self.block_at() + self.alen as usize;
        NlriIter::within(self.body, at, Afi::IPV4, self.v4_add_path, self.nlri_count)
    }

    /// MP_REACH_NLRI, if present.
    pub fn mp_reach(&self) -> Option<MpReachRef<'a>> {
        let m = self.mp_reach?;
        let block = self.block();
        let nh_end = (m.nlri_at as usize).saturating_sub(1);
        let nh = nh_end.saturating_sub(m.nh_len.into());
        Some(MpReachRef {
            family: m.family,
            reserved: m.reserved,
            next_hop: block.get(nh..nh_end).unwrap_or_default(),
            nlri: m.field(block),
        })
    }

    /// MP_UNREACH_NLRI, if present.
    pub fn mp_unreach(&self) -> Option<MpUnreachRef<'a>> {
        let m = self.mp_unreach?;
        Some(MpUnreachRef {
            family: m.family,
            nlri: m.field(self.block()),
        })
    }

    /// The path attribute block, MP attributes included, discarded ones removed.
    #[inline]
    pub fn attrs(&self) -> AttrsRef<'_> {
        let raw = match self.problems.as_deref() {
            Some(Problems {
                kept: Some(kept), ..
            }) => kept.as_slice(),
            _ => self.block(),
        };
        AttrsRef::new(raw, self.four_octet, &self.slots)
    }

    /// Non-fatal problems found (RFC 7606 attribute-discard and treat-as-withdraw).
    pub fn problems(&self) -> &[UpdateProblem] {
        self.problems.as_deref().map_or(&[], |p| &p.list)
    }

    /// True when RFC 7606 says the announced routes must be handled as withdrawn.
    pub fn treat_as_withdraw(&self) -> bool {
        self.problems()
            .iter()
            .any(|p| p.action == Rfc7606Action::TreatAsWithdraw)
    }

    /// Every announced prefix (NLRI field and MP_REACH), in message order.
    pub fn announced(&self) -> std::iter::Chain<NlriIter<'a>, NlriIter<'a>> {
        self.nlri().chain(
            self.mp_reach()
                .map(MpReachRef::prefixes)
                .unwrap_or_default(),
        )
    }

    /// Every withdrawn prefix (Withdrawn Routes field and MP_UNREACH).
    pub fn withdrawals(&self) -> std::iter::Chain<NlriIter<'a>, NlriIter<'a>> {
        self.withdrawn().chain(
            self.mp_unreach()
                .map(MpUnreachRef::prefixes)
                .unwrap_or_default(),
        )
    }

    /// The family this UPDATE is an End-of-RIB marker for, if it is one (RFC 4724 §2).
    pub fn end_of_rib(&self) -> Option<Family> {
        if self.withdrawn_count > 0 || self.nlri_count > 0 || self.mp_reach.is_some() {
            return None;
        }
        let a = self.attrs();
        if a.is_empty() {
            return Some(Family::IPV4_UNICAST);
        }
        match self.mp_unreach {
            Some(u) if u.nlri_end == u.nlri_at && a.iter().count() == 1 => Some(u.family),
            _ => None,
        }
    }

    /// The owned [`Update`], its attribute block copied.
    pub fn to_update(&self) -> Update {
        self.clone().into_update()
    }

    /// The owned [`Update`], its attribute block copied.
    pub fn into_update(self) -> Update {
        self.build_update(None)
    }

    /// The owned [`Update`]; `shared`, when given, is the whole message
    /// (header included) this view was decoded from, and the attribute block
    /// shares its memory instead of being copied.
    pub(crate) fn build_update(mut self, shared: Option<&Bytes>) -> Update {
        let block = self.block();
        let block_at = self.block_at();
        let problems = self.problems.take().map(|p| *p).unwrap_or_default();
        let raw = match (problems.kept, shared) {
            (Some(kept), _) => Bytes::from(kept),
            (None, Some(msg)) => {
                let at = HEADER_LEN + block_at;
                match msg.get(at..at + block.len()) {
                    Some(s) if std::ptr::eq(s.as_ptr(), block.as_ptr()) => {
                        msg.slice(at..at + block.len())
                    }
                    _ => Bytes::copy_from_slice(block),
                }
            }
            (None, None) => Bytes::copy_from_slice(block),
        };
        Update {
            withdrawn: self.withdrawn().collect(),
            attrs: crate::PathAttributes::from_indexed(raw, self.four_octet, self.slots),
            nlri: self.nlri().collect(),
            mp_reach: self.mp_reach().map(MpReachRef::to_mp_reach),
            mp_unreach: self.mp_unreach().map(MpUnreachRef::to_mp_unreach),
            problems: problems.list,
        }
    }
}
