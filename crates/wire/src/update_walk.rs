//! The validating walk of an UPDATE's path attribute block (RFC 4271 §5,
//! §6.3 as revised by RFC 7606 §3, §5, §7; RFC 4760 §3, §4 for
//! MP_REACH/MP_UNREACH; RFC 6793 §6; RFC 6396 §4.3.4 for MRT RIB entries).
//!
//! One pass over the block checks every attribute, classifies each problem
//! (session reset, treat-as-withdraw, attribute discard), locates and
//! validates the MP attributes, and builds the index of the known
//! attributes. It borrows the block and allocates nothing unless a problem
//! is found: both the borrowed [`UpdateRef`](crate::UpdateRef) and the owned
//! [`Update`](crate::Update) are built from its result, so they cannot
//! disagree.

use crate::attr::{self, flags, read_attr_header, types};
use crate::attr_ref::{self, slot, start_index, AttrIndex};
use crate::notification::codes;
use crate::update_ref::{MpField, MpReachRef, MpUnreachRef};
use crate::{nlri, Afi, Context, Family, MessageError, Notification, Rfc7606Action, UpdateProblem};

/// An UPDATE error that resets the session (RFC 4271 §6.3).
pub(crate) fn update_error(
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

fn attr_data(block: &[u8], at: usize, end: usize) -> Vec<u8> {
    block.get(at..end).map(|s| s.to_vec()).unwrap_or_default()
}

/// What the walk found in a block (besides the index, which it writes in
/// place).
pub(crate) struct Walked<'a> {
    /// Attribute spans to drop (discarded, duplicates); usually none.
    pub drop: Vec<(usize, usize)>,
    /// MP_REACH_NLRI, validated.
    pub reach: Option<MpReachRef<'a>>,
    /// MP_UNREACH_NLRI, validated.
    pub unreach: Option<MpUnreachRef<'a>>,
}

/// The block less the dropped spans.
pub(crate) fn kept_block(block: &[u8], drop: &[(usize, usize)]) -> Vec<u8> {
    let mut kept = Vec::with_capacity(block.len());
    let mut at = 0;
    for &(s, e) in drop {
        kept.extend_from_slice(block.get(at..s).unwrap_or_default());
        at = e;
    }
    kept.extend_from_slice(block.get(at.min(block.len())..).unwrap_or_default());
    kept
}

/// Walks an attribute block: validates each attribute (RFC 7606), checks
/// the MP attributes, notes which attributes to drop, and records in `slots`
/// where the value of the first attribute of each indexed type lies. `base` is the block's offset in the message (for
/// error offsets). `rib_entry` enables the abbreviated MP_REACH form of MRT
/// RIB entries (RFC 6396 §4.3.4).
// Inlined into its two callers so that its result is not copied through
// the stack.
#[inline(always)]
pub(crate) fn walk_block<'a>(
    block: &'a [u8],
    ctx: &Context,
    base: usize,
    problems: &mut Vec<UpdateProblem>,
    rib_entry: bool,
    slots: &mut AttrIndex,
) -> Result<Walked<'a>, MessageError> {
    let mut w = Walked {
        drop: Vec::new(),
        reach: None,
        unreach: None,
    };
    *slots = start_index(block);
    let indexed = slots[0] != attr_ref::UNINDEXED;
    let mut seen = [0u64; 4];
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
            w.drop.push((i, block.len()));
            break;
        };
        let value = &block[start..end];
        let off = base + i;
        let bit = 1u64 << (t % 64);
        if seen[t as usize / 64] & bit != 0 {
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
            w.drop.push((i, end));
            i = end;
            continue;
        }
        seen[t as usize / 64] |= bit;
        match attr::slot_of(t) {
            Some(s) => {
                if indexed {
                    slots[s] = slot(start, end);
                }
            }
            // Not a type this codec interprets: an unknown well-known
            // attribute resets the session (RFC 4271 §6.3); an optional one
            // is kept as received.
            None if fl & flags::OPTIONAL == 0 => {
                return Err(update_error(
                    off,
                    format!("unrecognized well-known attribute type {t}"),
                    codes::UPD_UNRECOGNIZED_WELL_KNOWN,
                    attr_data(block, i, end),
                ));
            }
            None => {
                i = end;
                continue;
            }
        }

        // Flags that contradict the attribute's definition (RFC 7606 §3 c).
        let flags_ok = attr::expected_flags(t)
            .is_none_or(|want| fl & (flags::OPTIONAL | flags::TRANSITIVE) == want);
        let problem: Option<(Rfc7606Action, String)> = match t {
            types::MP_REACH_NLRI => {
                // MP attributes are parsed even with wrong flags, so that
                // their routes can be withdrawn; RFC 7606 §3 (c) makes wrong
                // flags treat-as-withdraw, which takes precedence.
                let (reach, problem) = parse_mp_reach(block, start, end, ctx, off, rib_entry)?;
                w.reach = Some(reach);
                match flags_ok {
                    true => problem.map(|why| (Rfc7606Action::TreatAsWithdraw, why)),
                    false => Some((Rfc7606Action::TreatAsWithdraw, flags_problem(fl, t))),
                }
            }
            types::MP_UNREACH_NLRI => {
                w.unreach = Some(parse_mp_unreach(block, start, end, ctx, off)?);
                (!flags_ok).then(|| (Rfc7606Action::TreatAsWithdraw, flags_problem(fl, t)))
            }
            _ if !flags_ok => Some((attr::malformed_action(t), flags_problem(fl, t))),
            types::LOCAL_PREF if !ctx.collector => {
                // RFC 4271 §5.1.5: ignored from external peers.
                w.drop.push((i, end));
                i = end;
                continue;
            }
            types::AS4_PATH | types::AS4_AGGREGATOR if ctx.four_octet_as && !ctx.collector => {
                // RFC 6793 §6: a NEW speaker never sends these to a NEW speaker.
                Some((
                    Rfc7606Action::AttributeDiscard,
                    format!("{} received from a 4-octet AS speaker", attr::type_name(t)),
                ))
            }
            _ => attr::check_value(t, value, ctx).err(),
        };
        if let Some((action, reason)) = problem {
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
                    w.drop.push((i, end));
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
    Ok(w)
}

#[cold]
fn flags_problem(fl: u8, t: u8) -> String {
    format!(
        "attribute flags 0x{fl:02x} conflict with the definition of {}",
        attr::type_name(t)
    )
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

/// Checks an NLRI field of an MP attribute; returns how many prefixes it
/// holds (0 for families whose NLRI this codec does not interpret).
fn check_mp_nlri(
    name: &str,
    family: Family,
    field: &[u8],
    field_at: usize,
    add_path: bool,
    off: usize,
    v: &[u8],
) -> Result<usize, MessageError> {
    if !family.has_prefix_nlri() {
        return Ok(0);
    }
    nlri::validate_prefixes(field, family.afi, add_path).map_err(|e| {
        mp_error(
            off,
            format!(
                "{name} {family} NLRI at octet {}: {}",
                field_at + e.offset,
                e.reason
            ),
            v,
        )
    })
}

/// Parses the MP_REACH_NLRI at `block[start..end]`.
fn parse_mp_reach<'a>(
    block: &'a [u8],
    start: usize,
    end: usize,
    ctx: &Context,
    off: usize,
    rib_entry: bool,
) -> Result<(MpReachRef<'a>, Option<String>), MessageError> {
    let v = &block[start..end];
    // RFC 6396 §4.3.4: RIB entries may carry only the next-hop length and
    // next hop. Recognise it by the length octet matching the value.
    if rib_entry && !v.is_empty() && v[0] as usize + 1 == v.len() {
        let family = if v[0] == 4 {
            Family::IPV4_UNICAST
        } else {
            Family::IPV6_UNICAST
        };
        return Ok((
            MpReachRef {
                family,
                reserved: 0,
                next_hop: &v[1..],
                nlri: MpField::EMPTY,
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
    let field = &v[5 + nh_len..];
    let add_path = ctx.add_path_rx(family);
    let count = check_mp_nlri("MP_REACH_NLRI", family, field, 5 + nh_len, add_path, off, v)?;
    let problem = (family.has_prefix_nlri() && !next_hop_len_ok(family, nh_len))
        // RFC 7606 §7.11: the NLRI is parseable, so treat-as-withdraw (the
        // parse is kept so the routes can be withdrawn).
        .then(|| format!("MP_REACH_NLRI next hop length {nh_len} is invalid for {family}"));
    Ok((
        MpReachRef {
            family,
            reserved: v[4 + nh_len],
            next_hop: &v[4..4 + nh_len],
            nlri: MpField {
                data: &block[..end],
                at: start + 5 + nh_len,
                add_path,
                count,
            },
        },
        problem,
    ))
}

/// Parses the MP_UNREACH_NLRI at `block[start..end]`.
fn parse_mp_unreach<'a>(
    block: &'a [u8],
    start: usize,
    end: usize,
    ctx: &Context,
    off: usize,
) -> Result<MpUnreachRef<'a>, MessageError> {
    let v = &block[start..end];
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
    let add_path = ctx.add_path_rx(family);
    let count = check_mp_nlri("MP_UNREACH_NLRI", family, field, 3, add_path, off, v)?;
    Ok(MpUnreachRef {
        family,
        nlri: MpField {
            data: &block[..end],
            at: start + 3,
            add_path,
            count,
        },
    })
}
