//! TABLE_DUMP_V2 bodies (RFC 6396 §4.3): the PEER_INDEX_TABLE (§4.3.1) and
//! the AFI/SAFI-specific RIB records (§4.3.2, §4.3.4), with the ADD-PATH
//! subtypes of RFC 8050 §4. RIB_GENERIC(_ADDPATH) and GEO_PEER_TABLE are kept raw.

use crate::cursor::{Cursor, ReadResult};
use crate::record::{
    table_dump_v2_subtypes as st, Header, Peer, PeerIndexTable, RecordBody, RibEntry, RibRecord,
};
use crate::MrtError;
use condor_wire::{Asn, Family};
use std::net::IpAddr;

/// Octets of a RIB entry before its attributes (peer index, time, length).
const ENTRY_MIN: usize = 8;

/// Decodes a TABLE_DUMP_V2 body; `None` for the subtypes kept raw.
pub(crate) fn decode(h: &Header, c: &mut Cursor) -> ReadResult<Option<RecordBody>> {
    let (family, add_path) = match h.subtype {
        st::PEER_INDEX_TABLE => return peer_index(c).map(|p| Some(RecordBody::PeerIndexTable(p))),
        st::RIB_IPV4_UNICAST => (Family::new(1, 1), false),
        st::RIB_IPV4_MULTICAST => (Family::new(1, 2), false),
        st::RIB_IPV6_UNICAST => (Family::new(2, 1), false),
        st::RIB_IPV6_MULTICAST => (Family::new(2, 2), false),
        st::RIB_IPV4_UNICAST_ADDPATH => (Family::new(1, 1), true),
        st::RIB_IPV4_MULTICAST_ADDPATH => (Family::new(1, 2), true),
        st::RIB_IPV6_UNICAST_ADDPATH => (Family::new(2, 1), true),
        st::RIB_IPV6_MULTICAST_ADDPATH => (Family::new(2, 2), true),
        _ => return Ok(None),
    };
    let sequence = c.u32("sequence number")?;
    let prefix = c.nlri_prefix(family.afi.0 == 2, "prefix")?;
    let count = c.u16("entry count")? as usize;
    // Never reserve more than the body can hold.
    let mut entries = Vec::with_capacity(count.min(c.remaining() / ENTRY_MIN));
    for i in 0..count {
        let what = |f: &str| format!("entry {i} of {count}: {f}");
        let peer_index = c.u16(&what("peer index"))?;
        let originated_time = c.u32(&what("originated time"))?;
        let path_id = if add_path {
            Some(c.u32(&what("path identifier"))?)
        } else {
            None
        };
        let attr_len = c.u16(&what("attribute length"))?;
        let attributes = c.take(attr_len.into(), &what("attributes"))?;
        entries.push(RibEntry {
            peer_index,
            originated_time,
            path_id,
            attributes,
        });
    }
    Ok(Some(RecordBody::Rib(RibRecord {
        family,
        add_path,
        sequence,
        prefix,
        entries,
    })))
}

fn peer_index(c: &mut Cursor) -> ReadResult<PeerIndexTable> {
    let collector_id = c.ipv4("collector BGP ID")?;
    let name_len = c.u16("view name length")?;
    let name = c.take(name_len.into(), "view name")?;
    let view_name = String::from_utf8_lossy(&name).into_owned();
    let count = c.u16("peer count")? as usize;
    // The smallest peer entry is 1 + 4 + 4 + 2 octets.
    let mut peers = Vec::with_capacity(count.min(c.remaining() / 11));
    for i in 0..count {
        let what = |f: &str| format!("peer {i} of {count}: {f}");
        let kind = c.u8(&what("peer type"))?;
        let bgp_id = c.ipv4(&what("BGP ID"))?;
        let ip = c.ip_of_afi(if kind & 1 != 0 { 2 } else { 1 }, &what("address"))?;
        let as4 = kind & 2 != 0;
        let asn = if as4 {
            Asn(c.u32(&what("AS"))?)
        } else {
            Asn(c.u16(&what("AS"))?.into())
        };
        peers.push(Peer {
            bgp_id,
            ip,
            asn,
            as4,
        });
    }
    Ok(PeerIndexTable {
        collector_id,
        view_name,
        peers,
    })
}

fn too_big(what: &'static str, n: usize) -> MrtError {
    MrtError::Encode {
        what,
        reason: format!("{n} is more than 65535"),
    }
}

/// Appends a PEER_INDEX_TABLE body; returns its subtype.
pub(crate) fn encode_peer_index(p: &PeerIndexTable, out: &mut Vec<u8>) -> Result<u16, MrtError> {
    out.extend_from_slice(&p.collector_id.octets());
    let name = p.view_name.as_bytes();
    let n = u16::try_from(name.len()).map_err(|_| too_big("view name length", name.len()))?;
    out.extend_from_slice(&n.to_be_bytes());
    out.extend_from_slice(name);
    let n = u16::try_from(p.peers.len()).map_err(|_| too_big("peer count", p.peers.len()))?;
    out.extend_from_slice(&n.to_be_bytes());
    for peer in &p.peers {
        let v6 = peer.ip.is_ipv6();
        out.push(u8::from(v6) | if peer.as4 { 2 } else { 0 });
        out.extend_from_slice(&peer.bgp_id.octets());
        match peer.ip {
            IpAddr::V4(a) => out.extend_from_slice(&a.octets()),
            IpAddr::V6(a) => out.extend_from_slice(&a.octets()),
        }
        if peer.as4 {
            out.extend_from_slice(&peer.asn.0.to_be_bytes());
        } else {
            let a = u16::try_from(peer.asn.0).map_err(|_| MrtError::Encode {
                what: "PEER_INDEX_TABLE",
                reason: format!("AS {} of peer {} needs the AS4 flag", peer.asn, peer.ip),
            })?;
            out.extend_from_slice(&a.to_be_bytes());
        }
    }
    Ok(st::PEER_INDEX_TABLE)
}

/// Appends a RIB record body; returns its subtype.
pub(crate) fn encode_rib(r: &RibRecord, out: &mut Vec<u8>) -> Result<u16, MrtError> {
    let subtype = match (r.family.afi.0, r.family.safi.0, r.add_path) {
        (1, 1, false) => st::RIB_IPV4_UNICAST,
        (1, 2, false) => st::RIB_IPV4_MULTICAST,
        (2, 1, false) => st::RIB_IPV6_UNICAST,
        (2, 2, false) => st::RIB_IPV6_MULTICAST,
        (1, 1, true) => st::RIB_IPV4_UNICAST_ADDPATH,
        (1, 2, true) => st::RIB_IPV4_MULTICAST_ADDPATH,
        (2, 1, true) => st::RIB_IPV6_UNICAST_ADDPATH,
        (2, 2, true) => st::RIB_IPV6_MULTICAST_ADDPATH,
        _ => {
            return Err(MrtError::Encode {
                what: "RIB record",
                reason: format!("family {} has no RIB subtype", r.family),
            })
        }
    };
    if r.prefix.afi() != r.family.afi {
        return Err(MrtError::Encode {
            what: "RIB record",
            reason: format!("prefix {} is not of family {}", r.prefix, r.family),
        });
    }
    out.extend_from_slice(&r.sequence.to_be_bytes());
    out.push(r.prefix.len());
    out.extend_from_slice(&r.prefix.significant_octets());
    let n =
        u16::try_from(r.entries.len()).map_err(|_| too_big("RIB entry count", r.entries.len()))?;
    out.extend_from_slice(&n.to_be_bytes());
    for e in &r.entries {
        out.extend_from_slice(&e.peer_index.to_be_bytes());
        out.extend_from_slice(&e.originated_time.to_be_bytes());
        match (r.add_path, e.path_id) {
            (true, Some(id)) => out.extend_from_slice(&id.to_be_bytes()),
            (false, None) => {}
            _ => {
                return Err(MrtError::Encode {
                    what: "RIB entry",
                    reason: "a path identifier must be present exactly in ADDPATH records".into(),
                })
            }
        }
        let n = u16::try_from(e.attributes.len())
            .map_err(|_| too_big("attribute length", e.attributes.len()))?;
        out.extend_from_slice(&n.to_be_bytes());
        out.extend_from_slice(&e.attributes);
    }
    Ok(subtype)
}
