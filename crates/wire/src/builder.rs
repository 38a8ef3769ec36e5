//! Building UPDATEs for export: many NLRI per message, up to the session's
//! maximum message size (4096 octets, or 65535 with RFC 8654), for IPv4
//! unicast (NLRI field) and every other family (MP_REACH/MP_UNREACH, RFC 4760),
//! with path identifiers when ADD-PATH send was negotiated (RFC 7911), and
//! the End-of-RIB marker (RFC 4724 §2).

use crate::attr::{flags, types, write_attr, PathAttributes};
use crate::message::{write_header, EncodeError, MessageType};
use crate::nlri::{encode_prefix, encoded_len};
use crate::{Context, Family, NextHop, Nlri, HEADER_LEN};

/// Packs routes into UPDATE messages for one receiver.
#[derive(Clone, Debug)]
pub struct UpdateBuilder {
    ctx: Context,
}

/// Room the attribute header of MP_REACH/MP_UNREACH takes (extended length form).
const MP_ATTR_HEADER: usize = 4;

impl UpdateBuilder {
    /// A builder for a receiver whose view of the session is `ctx` (its
    /// `add_path_rx` says which families carry path identifiers).
    pub fn new(ctx: Context) -> UpdateBuilder {
        UpdateBuilder { ctx }
    }

    /// The receiver's context.
    pub fn context(&self) -> &Context {
        &self.ctx
    }

    /// Appends the UPDATE messages announcing `nlri` of `family` with the
    /// attributes `attrs` (a block without MP attributes) and `next_hop`.
    /// IPv4 unicast with an IPv4 next hop uses the NLRI field and NEXT_HOP;
    /// everything else uses MP_REACH_NLRI (placed in type order). Returns the
    /// number of messages written.
    pub fn announce(
        &self,
        attrs: &PathAttributes,
        next_hop: &NextHop,
        family: Family,
        nlri: &[Nlri],
        out: &mut Vec<Vec<u8>>,
    ) -> Result<usize, EncodeError> {
        let max = self.ctx.max_message_len();
        let add_path = self.ctx.add_path_rx(family);
        if nlri.is_empty() {
            return Ok(0);
        }
        if let (true, NextHop::V4(nh)) = (family == Family::IPV4_UNICAST, next_hop) {
            let owned;
            let attrs = if attrs.next_hop() == Some(*nh) {
                attrs
            } else {
                owned = attrs.with_attr(flags::TRANSITIVE, types::NEXT_HOP, Some(&nh.octets()));
                &owned
            };
            let fixed = HEADER_LEN + 2 + 2 + attrs.raw().len();
            return self.pack(
                nlri,
                add_path,
                fixed,
                max,
                out,
                |msg, body_len, _| {
                    write_header(msg, MessageType::Update, body_len);
                    msg.extend_from_slice(&[0, 0]);
                    msg.extend_from_slice(&(attrs.raw().len() as u16).to_be_bytes());
                    msg.extend_from_slice(attrs.raw());
                },
                |_, _| {},
            );
        }
        // MP_REACH_NLRI goes between the attributes below type 14 and the rest.
        let attrs = attrs.without(|t| {
            matches!(
                t,
                types::NEXT_HOP | types::MP_REACH_NLRI | types::MP_UNREACH_NLRI
            )
        });
        let raw = attrs.raw();
        let split = attrs
            .iter()
            .take_while(|a| a.type_code < types::MP_REACH_NLRI)
            .map(|a| {
                a.value.len()
                    + if a.value.len() > 255 || a.flags & flags::EXTENDED_LENGTH != 0 {
                        4
                    } else {
                        3
                    }
            })
            .sum::<usize>();
        let (before, after) = raw.split_at(split.min(raw.len()));
        let mp_fixed = 5 + next_hop.encoded_len();
        let fixed = HEADER_LEN + 2 + 2 + before.len() + MP_ATTR_HEADER + mp_fixed;
        self.pack(
            nlri,
            add_path,
            fixed,
            max,
            out,
            |msg, body_len, nlri_len| {
                write_header(msg, MessageType::Update, body_len);
                msg.extend_from_slice(&[0, 0]);
                msg.extend_from_slice(
                    &((raw.len() + MP_ATTR_HEADER + mp_fixed + nlri_len) as u16).to_be_bytes(),
                );
                msg.extend_from_slice(before);
                msg.push(flags::OPTIONAL | flags::EXTENDED_LENGTH);
                msg.push(types::MP_REACH_NLRI);
                msg.extend_from_slice(&((mp_fixed + nlri_len) as u16).to_be_bytes());
                msg.extend_from_slice(&family.afi.0.to_be_bytes());
                msg.push(family.safi.0);
                msg.push(next_hop.encoded_len() as u8);
                next_hop.encode(msg);
                msg.push(0);
            },
            |msg, _| msg.extend_from_slice(after),
        )
    }

    /// Appends the UPDATE messages withdrawing `nlri` of `family`.
    pub fn withdraw(
        &self,
        family: Family,
        nlri: &[Nlri],
        out: &mut Vec<Vec<u8>>,
    ) -> Result<usize, EncodeError> {
        let max = self.ctx.max_message_len();
        let add_path = self.ctx.add_path_rx(family);
        if nlri.is_empty() {
            return Ok(0);
        }
        if family == Family::IPV4_UNICAST {
            // The withdrawn routes come first: write header and length, then
            // patch the attribute length (0) after the prefixes.
            let fixed = HEADER_LEN + 2;
            return self.pack(
                nlri,
                add_path,
                fixed,
                max,
                out,
                |msg, body_len, nlri_len| {
                    write_header(msg, MessageType::Update, body_len);
                    msg.extend_from_slice(&(nlri_len as u16).to_be_bytes());
                },
                |msg, _| msg.extend_from_slice(&[0, 0]),
            );
        }
        let fixed = HEADER_LEN + 2 + 2 + MP_ATTR_HEADER + 3;
        self.pack(
            nlri,
            add_path,
            fixed,
            max,
            out,
            |msg, body_len, nlri_len| {
                write_header(msg, MessageType::Update, body_len);
                msg.extend_from_slice(&[0, 0]);
                msg.extend_from_slice(&((MP_ATTR_HEADER + 3 + nlri_len) as u16).to_be_bytes());
                msg.push(flags::OPTIONAL | flags::EXTENDED_LENGTH);
                msg.push(types::MP_UNREACH_NLRI);
                msg.extend_from_slice(&((3 + nlri_len) as u16).to_be_bytes());
                msg.extend_from_slice(&family.afi.0.to_be_bytes());
                msg.push(family.safi.0);
            },
            |_, _| {},
        )
    }

    /// The End-of-RIB marker for `family` (RFC 4724 §2).
    pub fn end_of_rib(&self, family: Family) -> Vec<u8> {
        let mut msg = Vec::with_capacity(32);
        if family == Family::IPV4_UNICAST {
            write_header(&mut msg, MessageType::Update, 4);
            msg.extend_from_slice(&[0, 0, 0, 0]);
        } else {
            write_header(&mut msg, MessageType::Update, 4 + 3 + 3);
            msg.extend_from_slice(&[0, 0, 0, 6]);
            let mut v = family.afi.0.to_be_bytes().to_vec();
            v.push(family.safi.0);
            write_attr(&mut msg, flags::OPTIONAL, types::MP_UNREACH_NLRI, &v);
        }
        msg
    }

    /// Splits `nlri` into messages: `head` writes everything before the
    /// NLRI octets given the body length and the NLRI length, `tail` what
    /// follows them.
    #[allow(clippy::too_many_arguments)]
    fn pack(
        &self,
        nlri: &[Nlri],
        add_path: bool,
        fixed: usize,
        max: usize,
        out: &mut Vec<Vec<u8>>,
        head: impl Fn(&mut Vec<u8>, usize, usize),
        tail: impl Fn(&mut Vec<u8>, usize),
    ) -> Result<usize, EncodeError> {
        let room = max
            .checked_sub(fixed)
            .filter(|&r| r >= encoded_len(&nlri[0], add_path))
            .ok_or(EncodeError::TooLong {
                len: fixed + 1,
                max,
            })?;
        let tail_len = {
            let mut t = Vec::new();
            tail(&mut t, 0);
            t.len()
        };
        let room = room.saturating_sub(tail_len);
        let mut written = 0;
        let mut i = 0;
        while i < nlri.len() {
            let mut used = 0;
            let mut j = i;
            while j < nlri.len() {
                let l = encoded_len(&nlri[j], add_path);
                if used + l > room {
                    break;
                }
                used += l;
                j += 1;
            }
            if j == i {
                return Err(EncodeError::TooLong {
                    len: fixed + tail_len + encoded_len(&nlri[i], add_path),
                    max,
                });
            }
            let total = fixed + used + tail_len;
            let mut msg = Vec::with_capacity(total);
            head(&mut msg, total - HEADER_LEN, used);
            for n in &nlri[i..j] {
                encode_prefix(n, add_path, &mut msg);
            }
            tail(&mut msg, used);
            debug_assert_eq!(msg.len(), total);
            out.push(msg);
            written += 1;
            i = j;
        }
        Ok(written)
    }
}
