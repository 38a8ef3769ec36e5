//! # condor-wire
//!
//! A sans-IO codec for the BGP-4 messages a route server meets: OPEN with its
//! capabilities, UPDATE with every attribute that matters at an Internet
//! Exchange, NOTIFICATION, KEEPALIVE and ROUTE-REFRESH.
//!
//! A route server relays attributes mostly unchanged, so an UPDATE keeps its
//! path attribute block as raw bytes ([`PathAttributes`]) with an index of
//! where each known attribute lies; policy reads fields lazily ([`AttrsRef`])
//! and export reuses the bytes. An UPDATE can be decoded without allocating
//! at all ([`decode_message_ref`], [`decode_update_ref`]: a view borrowing
//! the message, prefixes decoded as they are iterated) and turned into an
//! owned [`Update`] when it must outlive the receive buffer; both come from
//! the same validating walk. Decoding validates everything up front and classifies
//! every error as RFC 7606 says: session reset ([`MessageError`], with the
//! NOTIFICATION of RFC 4271 §6), treat-as-withdraw or attribute discard
//! ([`UpdateProblem`]). Nothing here panics on input or allocates more than a
//! small multiple of the input's size.
//!
//! RFCs: 4271 (BGP-4), 4760 (multiprotocol), 6793 (4-octet AS), 7606 (error
//! handling), 7911 (ADD-PATH), 1997/4360/8092 (communities), 8654 (extended
//! messages), 8950 (IPv4 NLRI with IPv6 next hop), 9234 (roles, OTC), 2918 and
//! 7313 (route refresh), 4724 (graceful restart), 8203/9003 (shutdown
//! communication).

pub mod attr;
mod attr_ref;
pub mod builder;
pub mod capability;
mod error;
pub mod message;
mod message_ref;
pub mod nlri;
pub mod notification;
pub mod open;
pub mod route_refresh;
mod types;
pub mod update;
mod update_ref;
mod update_walk;

pub use attr::{AsPath, AsSegment, PathAttributes, SegmentKind};
pub use attr_ref::AttrsRef;
pub use builder::UpdateBuilder;
pub use capability::{AddPathMode, Role};
pub use error::{MessageError, Rfc7606Action, UpdateProblem};
pub use message::{
    decode_message, decode_message_bytes, frame_length, Context, EncodeError, Message, MessageType,
    HEADER_LEN, MAX_EXTENDED_MESSAGE_LEN, MAX_MESSAGE_LEN,
};
pub use message_ref::{decode_message_ref, MessageRef};
pub use nlri::NlriIter;
pub use notification::Notification;
pub use open::{Capability, Open};
pub use route_refresh::{RouteRefresh, RouteRefreshSubtype};
pub use types::{
    Afi, Asn, Community, ExtCommunity, Family, LargeCommunity, Nlri, Origin, Prefix, PrefixError,
    PrefixOctets, Safi,
};
pub use update::{MpNlri, MpReach, MpUnreach, NextHop, RibAttributes, Update};
pub use update_ref::{decode_update_ref, MpReachRef, MpUnreachRef, UpdateRef};
