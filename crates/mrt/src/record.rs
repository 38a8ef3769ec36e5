//! The MRT common header (RFC 6396 §2, §3) and the record types this crate
//! decodes: BGP4MP / BGP4MP_ET (§4.4, RFC 8050 §3), TABLE_DUMP (§4.2) and
//! TABLE_DUMP_V2 (§4.3, RFC 8050 §4). Everything else is kept raw.

use crate::cursor::Cursor;
use crate::{bgp4mp, table_dump, table_dump_v2, MrtError};
use bytes::Bytes;
use condor_wire::{Asn, Family, Prefix};
use std::net::{IpAddr, Ipv4Addr};

/// MRT type codes (IANA "MRT Types").
pub mod types {
    /// Obsolete BGP (RFC 6396 §B.2.5); kept raw.
    pub const BGP: u16 = 5;
    /// OSPFv2 (§4.1); kept raw.
    pub const OSPF_V2: u16 = 11;
    /// TABLE_DUMP (§4.2).
    pub const TABLE_DUMP: u16 = 12;
    /// TABLE_DUMP_V2 (§4.3).
    pub const TABLE_DUMP_V2: u16 = 13;
    /// BGP4MP (§4.4).
    pub const BGP4MP: u16 = 16;
    /// BGP4MP with a microsecond timestamp (§3).
    pub const BGP4MP_ET: u16 = 17;
    /// IS-IS (§4.5); kept raw.
    pub const ISIS: u16 = 32;
    /// IS-IS with a microsecond timestamp; kept raw.
    pub const ISIS_ET: u16 = 33;
    /// OSPFv3 (§4.6); kept raw.
    pub const OSPF_V3: u16 = 48;
    /// OSPFv3 with a microsecond timestamp; kept raw.
    pub const OSPF_V3_ET: u16 = 49;

    /// True for the `_ET` types, whose body starts with a microsecond field.
    pub fn is_extended_timestamp(t: u16) -> bool {
        matches!(t, BGP4MP_ET | ISIS_ET | OSPF_V3_ET)
    }
}

/// BGP4MP / BGP4MP_ET subtype codes (RFC 6396 §4.4, RFC 8050 §3).
pub mod bgp4mp_subtypes {
    /// BGP4MP_STATE_CHANGE.
    pub const STATE_CHANGE: u16 = 0;
    /// BGP4MP_MESSAGE.
    pub const MESSAGE: u16 = 1;
    /// BGP4MP_ENTRY (deprecated; kept raw).
    pub const ENTRY: u16 = 2;
    /// BGP4MP_SNAPSHOT (deprecated; kept raw).
    pub const SNAPSHOT: u16 = 3;
    /// BGP4MP_MESSAGE_AS4.
    pub const MESSAGE_AS4: u16 = 4;
    /// BGP4MP_STATE_CHANGE_AS4.
    pub const STATE_CHANGE_AS4: u16 = 5;
    /// BGP4MP_MESSAGE_LOCAL.
    pub const MESSAGE_LOCAL: u16 = 6;
    /// BGP4MP_MESSAGE_AS4_LOCAL.
    pub const MESSAGE_AS4_LOCAL: u16 = 7;
    /// BGP4MP_MESSAGE_ADDPATH (RFC 8050).
    pub const MESSAGE_ADDPATH: u16 = 8;
    /// BGP4MP_MESSAGE_AS4_ADDPATH (RFC 8050).
    pub const MESSAGE_AS4_ADDPATH: u16 = 9;
    /// BGP4MP_MESSAGE_LOCAL_ADDPATH (RFC 8050).
    pub const MESSAGE_LOCAL_ADDPATH: u16 = 10;
    /// BGP4MP_MESSAGE_AS4_LOCAL_ADDPATH (RFC 8050).
    pub const MESSAGE_AS4_LOCAL_ADDPATH: u16 = 11;
}

/// TABLE_DUMP_V2 subtype codes (RFC 6396 §4.3, RFC 6397, RFC 8050 §4).
pub mod table_dump_v2_subtypes {
    /// PEER_INDEX_TABLE.
    pub const PEER_INDEX_TABLE: u16 = 1;
    /// RIB_IPV4_UNICAST.
    pub const RIB_IPV4_UNICAST: u16 = 2;
    /// RIB_IPV4_MULTICAST.
    pub const RIB_IPV4_MULTICAST: u16 = 3;
    /// RIB_IPV6_UNICAST.
    pub const RIB_IPV6_UNICAST: u16 = 4;
    /// RIB_IPV6_MULTICAST.
    pub const RIB_IPV6_MULTICAST: u16 = 5;
    /// RIB_GENERIC (kept raw).
    pub const RIB_GENERIC: u16 = 6;
    /// GEO_PEER_TABLE (RFC 6397; kept raw).
    pub const GEO_PEER_TABLE: u16 = 7;
    /// RIB_IPV4_UNICAST_ADDPATH.
    pub const RIB_IPV4_UNICAST_ADDPATH: u16 = 8;
    /// RIB_IPV4_MULTICAST_ADDPATH.
    pub const RIB_IPV4_MULTICAST_ADDPATH: u16 = 9;
    /// RIB_IPV6_UNICAST_ADDPATH.
    pub const RIB_IPV6_UNICAST_ADDPATH: u16 = 10;
    /// RIB_IPV6_MULTICAST_ADDPATH.
    pub const RIB_IPV6_MULTICAST_ADDPATH: u16 = 11;
    /// RIB_GENERIC_ADDPATH (kept raw).
    pub const RIB_GENERIC_ADDPATH: u16 = 12;
}

/// A record's time: seconds since the epoch, and microseconds for the `_ET`
/// types (RFC 6396 §3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timestamp {
    /// Seconds since 1970-01-01T00:00:00Z.
    pub secs: u32,
    /// Microseconds, present only in `_ET` records.
    pub micros: Option<u32>,
}

/// The MRT common header of a record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    /// When the record was written.
    pub timestamp: Timestamp,
    /// MRT type (see [`types`]).
    pub mrt_type: u16,
    /// MRT subtype.
    pub subtype: u16,
    /// Length of the body in octets, *excluding* the microsecond field of
    /// `_ET` records (the on-wire length field includes it).
    pub length: u32,
}

/// Length of the MRT common header.
pub const HEADER_LEN: usize = 12;

/// A BGP message captured by a collector (BGP4MP(_ET) MESSAGE subtypes).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bgp4mpMessage {
    /// Record time.
    pub timestamp: Timestamp,
    /// The peer's AS.
    pub peer_as: Asn,
    /// The collector's AS.
    pub local_as: Asn,
    /// Interface index (0 when unknown).
    pub ifindex: u16,
    /// The peer's address.
    pub peer_ip: IpAddr,
    /// The collector's address (same family as `peer_ip`).
    pub local_ip: IpAddr,
    /// The session used 4-octet AS numbers (the `_AS4` subtypes): decode the
    /// message's AS_PATH and AGGREGATOR with 4-octet ASNs.
    pub four_octet_as: bool,
    /// The NLRI carry ADD-PATH path identifiers (RFC 8050 `_ADDPATH` subtypes).
    pub add_path: bool,
    /// The message was sent by the collector, not received (`_LOCAL` subtypes).
    pub local: bool,
    /// The whole BGP message, 16-octet marker included.
    pub message: Bytes,
}

impl Bgp4mpMessage {
    /// The codec context to decode `message` with: AS width and ADD-PATH from
    /// the subtype, and `collector` so every attribute is kept as received.
    pub fn context(&self) -> condor_wire::Context {
        let add_path = if self.add_path {
            all_add_path_bits()
        } else {
            0
        };
        condor_wire::Context {
            four_octet_as: self.four_octet_as,
            // A capture may hold messages of any size the session allowed.
            extended_messages: true,
            add_path_rx: add_path,
            add_path_tx: add_path,
            collector: true,
        }
    }

    /// The BGP4MP subtype this message is written with.
    pub fn subtype(&self) -> u16 {
        use bgp4mp_subtypes::*;
        match (self.four_octet_as, self.local, self.add_path) {
            (false, false, false) => MESSAGE,
            (true, false, false) => MESSAGE_AS4,
            (false, true, false) => MESSAGE_LOCAL,
            (true, true, false) => MESSAGE_AS4_LOCAL,
            (false, false, true) => MESSAGE_ADDPATH,
            (true, false, true) => MESSAGE_AS4_ADDPATH,
            (false, true, true) => MESSAGE_LOCAL_ADDPATH,
            (true, true, true) => MESSAGE_AS4_LOCAL_ADDPATH,
        }
    }

    /// The BGP message type code (octet 18 of the message), if present.
    pub fn message_type(&self) -> Option<u8> {
        self.message.get(18).copied()
    }
}

/// The ADD-PATH bits of every family whose NLRI are plain prefixes.
fn all_add_path_bits() -> u8 {
    [
        Family::new(1, 1),
        Family::new(2, 1),
        Family::new(1, 2),
        Family::new(2, 2),
    ]
    .into_iter()
    .fold(0, |acc, f| acc | condor_wire::Context::add_path_bit(f))
}

/// A BGP FSM state change seen by a collector (BGP4MP(_ET) STATE_CHANGE subtypes).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StateChange {
    /// Record time.
    pub timestamp: Timestamp,
    /// The peer's AS.
    pub peer_as: Asn,
    /// The collector's AS.
    pub local_as: Asn,
    /// Interface index.
    pub ifindex: u16,
    /// The peer's address.
    pub peer_ip: IpAddr,
    /// The collector's address.
    pub local_ip: IpAddr,
    /// Written as STATE_CHANGE_AS4.
    pub four_octet_as: bool,
    /// Previous state (RFC 6396 §4.4.1: 1 Idle … 6 Established).
    pub old_state: u16,
    /// New state.
    pub new_state: u16,
}

/// One TABLE_DUMP (version 1) entry: a route of one peer (RFC 6396 §4.2).
/// Its attributes use 2-octet AS numbers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableDumpEntry {
    /// View number.
    pub view: u16,
    /// Sequence number (wraps at 65535).
    pub sequence: u16,
    /// The prefix (host bits cleared).
    pub prefix: Prefix,
    /// Status octet (unused, normally 1).
    pub status: u8,
    /// When the route was received.
    pub originated_time: u32,
    /// The peer's address.
    pub peer_ip: IpAddr,
    /// The peer's AS (2 octets in this format).
    pub peer_as: Asn,
    /// The raw path attribute block.
    pub attributes: Bytes,
}

/// One peer of a PEER_INDEX_TABLE (RFC 6396 §4.3.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Peer {
    /// The peer's BGP identifier.
    pub bgp_id: Ipv4Addr,
    /// The peer's address.
    pub ip: IpAddr,
    /// The peer's AS.
    pub asn: Asn,
    /// The AS was written with 4 octets (peer type bit 1).
    pub as4: bool,
}

/// The PEER_INDEX_TABLE that RIB entries refer to by index (RFC 6396 §4.3.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PeerIndexTable {
    /// The collector's BGP identifier.
    pub collector_id: Ipv4Addr,
    /// The view name (often empty); non-UTF-8 octets are replaced.
    pub view_name: String,
    /// The peers, in index order.
    pub peers: Vec<Peer>,
}

/// One path of a RIB record (RFC 6396 §4.3.4, RFC 8050 §4).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RibEntry {
    /// Index into the PEER_INDEX_TABLE.
    pub peer_index: u16,
    /// When the route was received.
    pub originated_time: u32,
    /// ADD-PATH path identifier (the `_ADDPATH` subtypes only).
    pub path_id: Option<u32>,
    /// The raw path attribute block: 4-octet AS numbers, and an MP_REACH_NLRI
    /// abbreviated to its next hop (RFC 6396 §4.3.4).
    pub attributes: Bytes,
}

/// A TABLE_DUMP_V2 RIB_IPV4/IPV6_UNICAST/MULTICAST(_ADDPATH) record: every
/// path to one prefix (RFC 6396 §4.3.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RibRecord {
    /// The family, from the subtype.
    pub family: Family,
    /// The `_ADDPATH` subtype: entries carry path identifiers.
    pub add_path: bool,
    /// Sequence number.
    pub sequence: u32,
    /// The prefix (host bits cleared).
    pub prefix: Prefix,
    /// The paths.
    pub entries: Vec<RibEntry>,
}

/// A decoded record body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RecordBody {
    /// A BGP message (BGP4MP(_ET) MESSAGE*).
    Bgp4mpMessage(Bgp4mpMessage),
    /// A state change (BGP4MP(_ET) STATE_CHANGE*).
    StateChange(StateChange),
    /// A TABLE_DUMP (v1) entry.
    TableDump(TableDumpEntry),
    /// A TABLE_DUMP_V2 PEER_INDEX_TABLE.
    PeerIndexTable(PeerIndexTable),
    /// A TABLE_DUMP_V2 RIB record of a prefix family.
    Rib(RibRecord),
    /// Any other type or subtype (RIB_GENERIC, legacy and IGP types…): the
    /// body as read (after the microsecond field for `_ET` types).
    Raw(Bytes),
}

/// A record: where it starts in the stream, its header and its body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    /// Offset of the record's first octet in the (decompressed) stream.
    pub offset: u64,
    /// The common header.
    pub header: Header,
    /// The decoded body.
    pub body: RecordBody,
}

/// A framed but undecoded record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawRecord {
    /// Offset of the record's first octet in the stream.
    pub offset: u64,
    /// The common header.
    pub header: Header,
    /// The body (after the microsecond field for `_ET` types).
    pub body: Bytes,
}

impl RawRecord {
    /// Decodes the body. A malformed body is an error that names the record.
    pub fn decode(self) -> Result<Record, MrtError> {
        let body =
            decode_body(&self.header, self.body.clone()).map_err(|reason| MrtError::Malformed {
                offset: self.offset,
                kind: type_name(self.header.mrt_type, self.header.subtype),
                reason,
            })?;
        Ok(Record {
            offset: self.offset,
            header: self.header,
            body,
        })
    }
}

fn decode_body(h: &Header, body: Bytes) -> Result<RecordBody, String> {
    if types::is_extended_timestamp(h.mrt_type) && h.timestamp.micros.is_none() {
        return Err(format!(
            "body of {} octets has no room for the microsecond field",
            body.len()
        ));
    }
    let mut c = Cursor::new(body.clone());
    let decoded = match h.mrt_type {
        types::BGP4MP | types::BGP4MP_ET => bgp4mp::decode(h, &mut c)?,
        types::TABLE_DUMP => table_dump::decode(h, &mut c)?,
        types::TABLE_DUMP_V2 => table_dump_v2::decode(h, &mut c)?,
        _ => None,
    };
    match decoded {
        Some(b) => {
            if c.remaining() != 0 {
                return Err(format!("{} octets left over after the body", c.remaining()));
            }
            Ok(b)
        }
        None => Ok(RecordBody::Raw(body)),
    }
}

impl RecordBody {
    /// Appends the body (without the header) and returns its MRT (type,
    /// subtype); `timestamp` selects BGP4MP vs BGP4MP_ET. `Raw` bodies need
    /// `raw_type`, the (type, subtype) they were read with.
    pub(crate) fn encode(
        &self,
        timestamp: &Timestamp,
        raw_type: (u16, u16),
        out: &mut Vec<u8>,
    ) -> Result<(u16, u16), MrtError> {
        let et = timestamp.micros.is_some();
        let bgp4mp_type = if et { types::BGP4MP_ET } else { types::BGP4MP };
        Ok(match self {
            RecordBody::Bgp4mpMessage(m) => (bgp4mp_type, bgp4mp::encode_message(m, out)?),
            RecordBody::StateChange(s) => (bgp4mp_type, bgp4mp::encode_state_change(s, out)?),
            RecordBody::TableDump(e) => (types::TABLE_DUMP, table_dump::encode(e, out)?),
            RecordBody::PeerIndexTable(p) => (
                types::TABLE_DUMP_V2,
                table_dump_v2::encode_peer_index(p, out)?,
            ),
            RecordBody::Rib(r) => (types::TABLE_DUMP_V2, table_dump_v2::encode_rib(r, out)?),
            RecordBody::Raw(b) => {
                out.extend_from_slice(b);
                raw_type
            }
        })
    }
}

/// `TYPE/SUBTYPE` in words, e.g. `BGP4MP_ET/MESSAGE_AS4`, for messages and summaries.
pub fn type_name(mrt_type: u16, subtype: u16) -> String {
    let t = match mrt_type {
        0 => "NULL",
        1 => "START",
        2 => "DIE",
        3 => "I_AM_DEAD",
        4 => "PEER_DOWN",
        types::BGP => "BGP",
        6 => "RIP",
        7 => "IDRP",
        8 => "RIPNG",
        9 => "BGP4PLUS",
        10 => "BGP4PLUS_01",
        types::OSPF_V2 => "OSPFv2",
        types::TABLE_DUMP => "TABLE_DUMP",
        types::TABLE_DUMP_V2 => "TABLE_DUMP_V2",
        types::BGP4MP => "BGP4MP",
        types::BGP4MP_ET => "BGP4MP_ET",
        types::ISIS => "ISIS",
        types::ISIS_ET => "ISIS_ET",
        types::OSPF_V3 => "OSPFv3",
        types::OSPF_V3_ET => "OSPFv3_ET",
        _ => return format!("TYPE{mrt_type}/{subtype}"),
    };
    let s = match mrt_type {
        types::BGP4MP | types::BGP4MP_ET => match subtype {
            0 => "STATE_CHANGE",
            1 => "MESSAGE",
            2 => "ENTRY",
            3 => "SNAPSHOT",
            4 => "MESSAGE_AS4",
            5 => "STATE_CHANGE_AS4",
            6 => "MESSAGE_LOCAL",
            7 => "MESSAGE_AS4_LOCAL",
            8 => "MESSAGE_ADDPATH",
            9 => "MESSAGE_AS4_ADDPATH",
            10 => "MESSAGE_LOCAL_ADDPATH",
            11 => "MESSAGE_AS4_LOCAL_ADDPATH",
            _ => "",
        },
        types::TABLE_DUMP => match subtype {
            1 => "AFI_IPv4",
            2 => "AFI_IPv6",
            _ => "",
        },
        types::TABLE_DUMP_V2 => match subtype {
            1 => "PEER_INDEX_TABLE",
            2 => "RIB_IPV4_UNICAST",
            3 => "RIB_IPV4_MULTICAST",
            4 => "RIB_IPV6_UNICAST",
            5 => "RIB_IPV6_MULTICAST",
            6 => "RIB_GENERIC",
            7 => "GEO_PEER_TABLE",
            8 => "RIB_IPV4_UNICAST_ADDPATH",
            9 => "RIB_IPV4_MULTICAST_ADDPATH",
            10 => "RIB_IPV6_UNICAST_ADDPATH",
            11 => "RIB_IPV6_MULTICAST_ADDPATH",
            12 => "RIB_GENERIC_ADDPATH",
            _ => "",
        },
        _ => "",
    };
    if s.is_empty() {
        format!("{t}/{subtype}")
    } else {
        format!("{t}/{s}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(type_name(17, 4), "BGP4MP_ET/MESSAGE_AS4");
        assert_eq!(type_name(13, 8), "TABLE_DUMP_V2/RIB_IPV4_UNICAST_ADDPATH");
        assert_eq!(type_name(13, 99), "TABLE_DUMP_V2/99");
        assert_eq!(type_name(200, 3), "TYPE200/3");
        assert_eq!(type_name(5, 1), "BGP/1");
    }

    #[test]
    fn subtype_and_context_follow_the_flags() {
        let mut m = Bgp4mpMessage {
            timestamp: Timestamp::default(),
            peer_as: Asn(1),
            local_as: Asn(2),
            ifindex: 0,
            peer_ip: "192.0.2.1".parse().unwrap(),
            local_ip: "192.0.2.2".parse().unwrap(),
            four_octet_as: true,
            add_path: false,
            local: false,
            message: Bytes::new(),
        };
        assert_eq!(m.subtype(), bgp4mp_subtypes::MESSAGE_AS4);
        assert!(!m.context().add_path_rx(Family::IPV4_UNICAST));
        m.add_path = true;
        m.local = true;
        assert_eq!(m.subtype(), bgp4mp_subtypes::MESSAGE_AS4_LOCAL_ADDPATH);
        let ctx = m.context();
        assert!(ctx.four_octet_as && ctx.collector);
        assert!(ctx.add_path_rx(Family::IPV4_UNICAST) && ctx.add_path_rx(Family::IPV6_UNICAST));
        m.four_octet_as = false;
        m.add_path = false;
        m.local = false;
        assert_eq!(m.subtype(), bgp4mp_subtypes::MESSAGE);
    }
}
