//! TABLE_DUMP (version 1) bodies (RFC 6396 §4.2): one route of one peer per
//! record, subtype AFI_IPv4 (1) or AFI_IPv6 (2), 2-octet AS numbers.

use crate::cursor::{Cursor, ReadResult};
use crate::record::{Header, RecordBody, TableDumpEntry};
use crate::MrtError;
use condor_wire::{Asn, Prefix};
use std::net::IpAddr;

/// Decodes a TABLE_DUMP body; `None` for an unknown subtype.
pub(crate) fn decode(h: &Header, c: &mut Cursor) -> ReadResult<Option<RecordBody>> {
    let v6 = match h.subtype {
        1 => false,
        2 => true,
        _ => return Ok(None),
    };
    let afi = if v6 { 2 } else { 1 };
    let view = c.u16("view number")?;
    let sequence = c.u16("sequence number")?;
    let addr = c.ip_of_afi(afi, "prefix")?;
    let len = c.u8("prefix length")?;
    let prefix = Prefix::new(addr, len).map_err(|e| format!("prefix: {e}"))?;
    let status = c.u8("status")?;
    let originated_time = c.u32("originated time")?;
    let peer_ip = c.ip_of_afi(afi, "peer address")?;
    let peer_as = Asn(c.u16("peer AS")?.into());
    let attr_len = c.u16("attribute length")?;
    let attributes = c.take(attr_len.into(), "attributes")?;
    Ok(Some(RecordBody::TableDump(TableDumpEntry {
        view,
        sequence,
        prefix,
        status,
        originated_time,
        peer_ip,
        peer_as,
        attributes,
    })))
}

/// Appends an entry's body; returns its subtype.
pub(crate) fn encode(e: &TableDumpEntry, out: &mut Vec<u8>) -> Result<u16, MrtError> {
    let err = |reason: String| MrtError::Encode {
        what: "TABLE_DUMP entry",
        reason,
    };
    out.extend_from_slice(&e.view.to_be_bytes());
    out.extend_from_slice(&e.sequence.to_be_bytes());
    match e.prefix.addr() {
        IpAddr::V4(a) => out.extend_from_slice(&a.octets()),
        IpAddr::V6(a) => out.extend_from_slice(&a.octets()),
    }
    out.push(e.prefix.len());
    out.push(e.status);
    out.extend_from_slice(&e.originated_time.to_be_bytes());
    match (e.prefix.is_ipv4(), e.peer_ip) {
        (true, IpAddr::V4(a)) => out.extend_from_slice(&a.octets()),
        (false, IpAddr::V6(a)) => out.extend_from_slice(&a.octets()),
        _ => {
            return Err(err(format!(
                "peer {} is not of the prefix's family",
                e.peer_ip
            )))
        }
    }
    let asn = u16::try_from(e.peer_as.0)
        .map_err(|_| err(format!("peer AS {} needs 4 octets", e.peer_as)))?;
    out.extend_from_slice(&asn.to_be_bytes());
    let len = u16::try_from(e.attributes.len())
        .map_err(|_| err("attributes exceed 65535 octets".into()))?;
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(&e.attributes);
    Ok(if e.prefix.is_ipv4() { 1 } else { 2 })
}
