//! One framed message decoded with its UPDATE borrowed (RFC 4271 §4.1, §6.1
//! framing checks, then the per-type decoders): [`decode_message_ref`] is
//! what [`decode_message`](crate::decode_message) does, without building an
//! owned [`Update`](crate::Update). A receive loop that digests each UPDATE
//! before reading the next one uses it to decode without allocating.

use crate::message::{header_error, MessageType};
use crate::notification::codes;
use crate::{
    frame_length, Context, Message, MessageError, Notification, Open, RouteRefresh, UpdateRef,
    HEADER_LEN,
};

/// A decoded BGP message whose UPDATE borrows the message octets.
#[derive(Clone, Debug)]
pub enum MessageRef<'a> {
    /// OPEN.
    Open(Open),
    /// UPDATE, borrowed.
    Update(UpdateRef<'a>),
    /// NOTIFICATION.
    Notification(Notification),
    /// KEEPALIVE.
    Keepalive,
    /// ROUTE-REFRESH (incl. enhanced route refresh BoRR/EoRR, RFC 7313).
    RouteRefresh(RouteRefresh),
}

impl MessageRef<'_> {
    /// The type of this message.
    pub fn message_type(&self) -> MessageType {
        match self {
            MessageRef::Open(_) => MessageType::Open,
            MessageRef::Update(_) => MessageType::Update,
            MessageRef::Notification(_) => MessageType::Notification,
            MessageRef::Keepalive => MessageType::Keepalive,
            MessageRef::RouteRefresh(_) => MessageType::RouteRefresh,
        }
    }

    /// The owned message (an UPDATE's attribute block is copied).
    pub fn into_message(self) -> Message {
        match self {
            MessageRef::Open(o) => Message::Open(o),
            MessageRef::Update(u) => Message::Update(u.into_update()),
            MessageRef::Notification(n) => Message::Notification(n),
            MessageRef::Keepalive => Message::Keepalive,
            MessageRef::RouteRefresh(r) => Message::RouteRefresh(r),
        }
    }
}

/// Decodes exactly one whole message (header included), as framed by
/// [`frame_length`], borrowing an UPDATE from `msg`. Errors carry the
/// NOTIFICATION to send; they are those of [`decode_message`](crate::decode_message).
// Inlined so that the caller's match takes the view apart where it was
// built, instead of copying it out of the result (measured: ~10% of a
// decode-and-read of the rrc01 capture).
#[inline]
pub fn decode_message_ref<'a>(
    msg: &'a [u8],
    ctx: &Context,
) -> Result<MessageRef<'a>, MessageError> {
    let len = match frame_length(msg, ctx)? {
        Some(l) if l == msg.len() => l,
        _ => {
            return Err(header_error(
                16,
                format!(
                    "buffer of {} octets does not hold exactly one message",
                    msg.len()
                ),
                codes::HDR_BAD_LENGTH,
                msg.get(16..18).map(|s| s.to_vec()).unwrap_or_default(),
            ))
        }
    };
    let body = &msg[HEADER_LEN..len];
    Ok(match msg[18] {
        1 => MessageRef::Open(Open::decode(body)?),
        2 => MessageRef::Update(UpdateRef::decode(body, ctx)?),
        3 => MessageRef::Notification(Notification::decode(body)?),
        4 => MessageRef::Keepalive,
        _ => MessageRef::RouteRefresh(RouteRefresh::decode(body)?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::KEEPALIVE;
    use crate::{decode_message, Family, UpdateBuilder};

    #[test]
    fn the_borrowed_view_stays_small() {
        // It is returned and matched by value on every message: moving a
        // few hundred octets through each decode was measured to cost more
        // than the attribute walk itself.
        assert!(std::mem::size_of::<UpdateRef<'_>>() <= 160);
        assert!(std::mem::size_of::<MessageRef<'_>>() <= 160);
    }

    #[test]
    fn borrowed_and_owned_decode_agree() {
        let ctx = Context::four_octet();
        let eor = UpdateBuilder::new(ctx).end_of_rib(Family::IPV6_UNICAST);
        let m = decode_message_ref(&eor, &ctx).unwrap();
        assert_eq!(m.message_type(), MessageType::Update);
        let MessageRef::Update(u) = &m else {
            panic!("not an UPDATE: {m:?}");
        };
        assert_eq!(u.end_of_rib(), Some(Family::IPV6_UNICAST));
        assert_eq!(m.into_message(), decode_message(&eor, &ctx).unwrap());
        assert!(matches!(
            decode_message_ref(&KEEPALIVE, &ctx),
            Ok(MessageRef::Keepalive)
        ));
        // Two messages in one buffer: the same header error as decode_message.
        let mut two = eor.clone();
        two.extend_from_slice(&KEEPALIVE);
        assert_eq!(
            decode_message_ref(&two, &ctx).unwrap_err(),
            decode_message(&two, &ctx).unwrap_err()
        );
    }
}
