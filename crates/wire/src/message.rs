//! Message framing (RFC 4271 §4.1): the 19-octet header, length and type
//! checks (§6.1), and the [`Message`] sum type with its decode/encode.

use crate::message_ref::{decode_message_ref, MessageRef};
use crate::notification::codes;
use crate::{Family, MessageError, Notification, Open, RouteRefresh, Update};

/// Length of the message header: marker (16), length (2), type (1).
pub const HEADER_LEN: usize = 19;
/// Largest message without the extended message capability.
pub const MAX_MESSAGE_LEN: usize = 4096;
/// Largest message with extended messages (RFC 8654).
pub const MAX_EXTENDED_MESSAGE_LEN: usize = 65535;

/// The negotiated state a session's codec needs: what OPEN × OPEN decided.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Context {
    /// Both sides announced the 4-octet AS capability (RFC 6793): AS_PATH and
    /// AGGREGATOR carry 4-octet ASNs.
    pub four_octet_as: bool,
    /// Both sides announced extended messages (RFC 8654).
    pub extended_messages: bool,
    /// Families for which we receive path identifiers (RFC 7911), a bit per
    /// family (see [`Context::add_path_bit`]).
    pub add_path_rx: u8,
    /// Families for which we send path identifiers.
    pub add_path_tx: u8,
    /// Decoding a capture (MRT, pcap) rather than a live eBGP session: keep
    /// every attribute as received (LOCAL_PREF, AS4_PATH from 4-octet speakers).
    pub collector: bool,
}

impl Context {
    /// A context for a session where both sides speak 4-octet AS and nothing else was negotiated.
    pub fn four_octet() -> Context {
        Context {
            four_octet_as: true,
            ..Context::default()
        }
    }

    /// The bit used in `add_path_rx`/`add_path_tx` for a family, if it has one.
    pub fn add_path_bit(family: Family) -> u8 {
        match (family.afi.0, family.safi.0) {
            (1, 1) => 1,
            (2, 1) => 2,
            (1, 2) => 4,
            (2, 2) => 8,
            _ => 0,
        }
    }

    /// True when received NLRI of `family` carry path identifiers.
    pub fn add_path_rx(&self, family: Family) -> bool {
        self.add_path_rx & Context::add_path_bit(family) != 0
    }

    /// True when sent NLRI of `family` carry path identifiers.
    pub fn add_path_tx(&self, family: Family) -> bool {
        self.add_path_tx & Context::add_path_bit(family) != 0
    }

    /// The largest message this session may carry.
    pub fn max_message_len(&self) -> usize {
        if self.extended_messages {
            MAX_EXTENDED_MESSAGE_LEN
        } else {
            MAX_MESSAGE_LEN
        }
    }

    /// The same context seen from the other side (receive and send swapped),
    /// for encoding what this side will decode.
    pub fn reversed(&self) -> Context {
        Context {
            add_path_rx: self.add_path_tx,
            add_path_tx: self.add_path_rx,
            ..*self
        }
    }
}

/// Message type codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum MessageType {
    /// OPEN.
    Open = 1,
    /// UPDATE.
    Update = 2,
    /// NOTIFICATION.
    Notification = 3,
    /// KEEPALIVE.
    Keepalive = 4,
    /// ROUTE-REFRESH (RFC 2918).
    RouteRefresh = 5,
}

impl MessageType {
    /// The type for a code, if known.
    pub fn from_code(code: u8) -> Option<MessageType> {
        Some(match code {
            1 => MessageType::Open,
            2 => MessageType::Update,
            3 => MessageType::Notification,
            4 => MessageType::Keepalive,
            5 => MessageType::RouteRefresh,
            _ => return None,
        })
    }
}

/// A decoded BGP message.
// Messages are short-lived values; boxing the large UPDATE variant would
// cost an allocation per message on the hot path.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum Message {
    /// OPEN.
    Open(Open),
    /// UPDATE.
    Update(Update),
    /// NOTIFICATION.
    Notification(Notification),
    /// KEEPALIVE.
    Keepalive,
    /// ROUTE-REFRESH (incl. enhanced route refresh BoRR/EoRR, RFC 7313).
    RouteRefresh(RouteRefresh),
}

pub(crate) fn header_error(
    offset: usize,
    reason: impl Into<String>,
    subcode: u8,
    data: Vec<u8>,
) -> MessageError {
    MessageError::new(
        offset,
        reason,
        Notification::new(codes::MESSAGE_HEADER, subcode, data),
    )
}

/// True when the buffer starts with the 16-octet all-ones marker (one
/// comparison, not sixteen).
fn marker_ok(buf: &[u8]) -> bool {
    buf.first_chunk::<16>()
        .is_some_and(|m| u128::from_ne_bytes(*m) == u128::MAX)
}

/// Looks at the start of a receive buffer. Returns the total length of the
/// first message if all of it is there, `None` if more octets are needed, or
/// the header error (RFC 4271 §6.1) that ends the session.
pub fn frame_length(buf: &[u8], ctx: &Context) -> Result<Option<usize>, MessageError> {
    if buf.len() < HEADER_LEN {
        // Check what we have of the marker early, so garbage fails fast.
        if buf.iter().take(16).any(|&b| b != 0xff) {
            return Err(header_error(
                0,
                "marker is not all ones",
                codes::HDR_NOT_SYNCHRONIZED,
                Vec::new(),
            ));
        }
        return Ok(None);
    }
    if !marker_ok(buf) {
        return Err(header_error(
            0,
            "marker is not all ones",
            codes::HDR_NOT_SYNCHRONIZED,
            Vec::new(),
        ));
    }
    let len = u16::from_be_bytes([buf[16], buf[17]]) as usize;
    let typ = buf[18];
    let bad_len = |why: &str| {
        header_error(
            16,
            format!("bad message length {len}: {why}"),
            codes::HDR_BAD_LENGTH,
            buf[16..18].to_vec(),
        )
    };
    if len < HEADER_LEN {
        return Err(bad_len("shorter than the header"));
    }
    let max = ctx.max_message_len();
    let Some(t) = MessageType::from_code(typ) else {
        return Err(header_error(
            18,
            format!("unknown message type {typ}"),
            codes::HDR_BAD_TYPE,
            vec![typ],
        ));
    };
    // RFC 8654 §3: OPEN and KEEPALIVE never exceed 4096 octets.
    let type_max = match t {
        MessageType::Open | MessageType::Keepalive => MAX_MESSAGE_LEN,
        _ => max,
    };
    if len > type_max {
        return Err(bad_len(&format!(
            "longer than the {type_max} octets allowed"
        )));
    }
    let ok = match t {
        MessageType::Open => len >= 29,
        MessageType::Update => len >= 23,
        MessageType::Notification => len >= 21,
        MessageType::Keepalive => len == 19,
        MessageType::RouteRefresh => len >= 23,
    };
    if !ok {
        return Err(bad_len(&format!("wrong size for a {t:?} message")));
    }
    if buf.len() < len {
        return Ok(None);
    }
    Ok(Some(len))
}

/// Decodes exactly one whole message (header included), as framed by
/// [`frame_length`]. Errors carry the NOTIFICATION to send.
pub fn decode_message(msg: &[u8], ctx: &Context) -> Result<Message, MessageError> {
    decode_message_ref(msg, ctx).map(MessageRef::into_message)
}

/// Decodes exactly one whole message held in `Bytes`: like
/// [`decode_message`], but an UPDATE's attribute block shares the buffer
/// instead of being copied (the session driver and MRT readers use this).
pub fn decode_message_bytes(msg: &bytes::Bytes, ctx: &Context) -> Result<Message, MessageError> {
    if msg.get(18) == Some(&(MessageType::Update as u8)) {
        match frame_length(msg, ctx)? {
            Some(l) if l == msg.len() => {
                return Ok(Message::Update(Update::decode_shared(msg, ctx)?))
            }
            _ => {}
        }
    }
    decode_message(msg, ctx)
}

/// Writes a header for a message of `body_len` octets of type `t`.
pub fn write_header(out: &mut Vec<u8>, t: MessageType, body_len: usize) {
    out.extend_from_slice(&[0xff; 16]);
    out.extend_from_slice(&((HEADER_LEN + body_len) as u16).to_be_bytes());
    out.push(t as u8);
}

/// Error encoding a message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EncodeError {
    /// The message would exceed the session's maximum size.
    #[error("message of {len} octets exceeds the maximum of {max}")]
    TooLong {
        /// Encoded length.
        len: usize,
        /// Allowed maximum.
        max: usize,
    },
}

impl Message {
    /// The type of this message.
    pub fn message_type(&self) -> MessageType {
        match self {
            Message::Open(_) => MessageType::Open,
            Message::Update(_) => MessageType::Update,
            Message::Notification(_) => MessageType::Notification,
            Message::Keepalive => MessageType::Keepalive,
            Message::RouteRefresh(_) => MessageType::RouteRefresh,
        }
    }

    /// Appends the whole message (header included) to `out`. `ctx` is the
    /// receiver's view of the session; for UPDATEs it decides AS number width
    /// and path identifiers (see [`Context::reversed`] when encoding for a peer).
    pub fn encode(&self, ctx: &Context, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let start = out.len();
        out.extend_from_slice(&[0xff; 16]);
        out.extend_from_slice(&[0, 0]);
        out.push(self.message_type() as u8);
        match self {
            Message::Open(o) => o.encode_body(out),
            Message::Update(u) => u.encode_body(ctx, out),
            Message::Notification(n) => n.encode_body(out),
            Message::Keepalive => {}
            Message::RouteRefresh(r) => r.encode_body(out),
        }
        let len = out.len() - start;
        let max = match self {
            Message::Open(_) | Message::Keepalive => MAX_MESSAGE_LEN,
            _ => ctx.max_message_len(),
        };
        if len > max {
            out.truncate(start);
            return Err(EncodeError::TooLong { len, max });
        }
        out[start + 16..start + 18].copy_from_slice(&(len as u16).to_be_bytes());
        Ok(())
    }

    /// The whole message as a new buffer.
    pub fn to_bytes(&self, ctx: &Context) -> Result<Vec<u8>, EncodeError> {
        let mut out = Vec::new();
        self.encode(ctx, &mut out)?;
        Ok(out)
    }
}

/// A KEEPALIVE message, ready to send.
pub const KEEPALIVE: [u8; 19] = [
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0, 19, 4,
];

#[cfg(test)]
mod tests {
    use super::*;

    fn hdr(len: u16, typ: u8) -> Vec<u8> {
        let mut v = vec![0xff; 16];
        v.extend_from_slice(&len.to_be_bytes());
        v.push(typ);
        v
    }

    #[test]
    fn keepalive_round_trip() {
        let ctx = Context::default();
        assert_eq!(
            decode_message(&KEEPALIVE, &ctx).unwrap(),
            Message::Keepalive
        );
        assert_eq!(
            Message::Keepalive.to_bytes(&ctx).unwrap(),
            KEEPALIVE.to_vec()
        );
    }

    #[test]
    fn header_errors_carry_the_rfc_4271_notification() {
        let ctx = Context::default();
        let mut bad_marker = KEEPALIVE.to_vec();
        bad_marker[3] = 0;
        let e = decode_message(&bad_marker, &ctx).unwrap_err();
        assert_eq!((e.notification.code, e.notification.subcode), (1, 1));

        let e = frame_length(&hdr(18, 4), &ctx).unwrap_err();
        assert_eq!((e.notification.code, e.notification.subcode), (1, 2));
        assert_eq!(e.notification.data, vec![0, 18]);

        let e = frame_length(&hdr(19, 9), &ctx).unwrap_err();
        assert_eq!(
            (
                e.notification.code,
                e.notification.subcode,
                e.notification.data.clone()
            ),
            (1, 3, vec![9])
        );

        // KEEPALIVE must be exactly 19 octets.
        let e = frame_length(&hdr(20, 4), &ctx).unwrap_err();
        assert_eq!(e.notification.subcode, 2);
        // UPDATE over 4096 without extended messages, accepted with them.
        assert!(frame_length(&hdr(5000, 2), &ctx).is_err());
        let ext = Context {
            extended_messages: true,
            ..ctx
        };
        assert_eq!(frame_length(&hdr(5000, 2), &ext).unwrap(), None);
        // OPEN stays limited to 4096 even with extended messages.
        assert!(frame_length(&hdr(5000, 1), &ext).is_err());
    }

    #[test]
    fn partial_frames_ask_for_more() {
        let ctx = Context::default();
        assert_eq!(frame_length(&KEEPALIVE[..10], &ctx).unwrap(), None);
        assert_eq!(frame_length(&KEEPALIVE, &ctx).unwrap(), Some(19));
        let mut two = KEEPALIVE.to_vec();
        two.extend_from_slice(&KEEPALIVE[..5]);
        assert_eq!(frame_length(&two, &ctx).unwrap(), Some(19));
    }
}
