//! BGP4MP and BGP4MP_ET bodies (RFC 6396 §4.4, with the ADD-PATH subtypes of
//! RFC 8050 §3): the envelope (peer and local AS, interface index, addresses)
//! around a raw BGP message, or a state change.

use crate::cursor::{Cursor, ReadResult};
use crate::record::{bgp4mp_subtypes as st, Bgp4mpMessage, Header, RecordBody, StateChange};
use crate::MrtError;
use condor_wire::Asn;
use std::net::IpAddr;

/// The envelope shared by messages and state changes.
struct Envelope {
    peer_as: Asn,
    local_as: Asn,
    ifindex: u16,
    peer_ip: IpAddr,
    local_ip: IpAddr,
}

fn envelope(c: &mut Cursor, as4: bool) -> ReadResult<Envelope> {
    let (peer_as, local_as) = if as4 {
        (Asn(c.u32("peer AS")?), Asn(c.u32("local AS")?))
    } else {
        (
            Asn(c.u16("peer AS")?.into()),
            Asn(c.u16("local AS")?.into()),
        )
    };
    let ifindex = c.u16("interface index")?;
    let afi = c.u16("address family")?;
    let peer_ip = c.ip_of_afi(afi, "peer address")?;
    let local_ip = c.ip_of_afi(afi, "local address")?;
    Ok(Envelope {
        peer_as,
        local_as,
        ifindex,
        peer_ip,
        local_ip,
    })
}

/// Decodes a BGP4MP(_ET) body; `None` for the subtypes kept raw.
pub(crate) fn decode(h: &Header, c: &mut Cursor) -> ReadResult<Option<RecordBody>> {
    let (as4, add_path, local) = match h.subtype {
        st::STATE_CHANGE | st::STATE_CHANGE_AS4 => {
            let as4 = h.subtype == st::STATE_CHANGE_AS4;
            let e = envelope(c, as4)?;
            let old_state = c.u16("old state")?;
            let new_state = c.u16("new state")?;
            return Ok(Some(RecordBody::StateChange(StateChange {
                timestamp: h.timestamp,
                peer_as: e.peer_as,
                local_as: e.local_as,
                ifindex: e.ifindex,
                peer_ip: e.peer_ip,
                local_ip: e.local_ip,
                four_octet_as: as4,
                old_state,
                new_state,
            })));
        }
        st::MESSAGE => (false, false, false),
        st::MESSAGE_AS4 => (true, false, false),
        st::MESSAGE_LOCAL => (false, false, true),
        st::MESSAGE_AS4_LOCAL => (true, false, true),
        st::MESSAGE_ADDPATH => (false, true, false),
        st::MESSAGE_AS4_ADDPATH => (true, true, false),
        st::MESSAGE_LOCAL_ADDPATH => (false, true, true),
        st::MESSAGE_AS4_LOCAL_ADDPATH => (true, true, true),
        _ => return Ok(None),
    };
    let e = envelope(c, as4)?;
    let message = c.rest();
    Ok(Some(RecordBody::Bgp4mpMessage(Bgp4mpMessage {
        timestamp: h.timestamp,
        peer_as: e.peer_as,
        local_as: e.local_as,
        ifindex: e.ifindex,
        peer_ip: e.peer_ip,
        local_ip: e.local_ip,
        four_octet_as: as4,
        add_path,
        local,
        message,
    })))
}

fn encode_envelope(
    as4: bool,
    peer_as: Asn,
    local_as: Asn,
    ifindex: u16,
    peer_ip: IpAddr,
    local_ip: IpAddr,
    out: &mut Vec<u8>,
) -> Result<(), MrtError> {
    if as4 {
        out.extend_from_slice(&peer_as.0.to_be_bytes());
        out.extend_from_slice(&local_as.0.to_be_bytes());
    } else {
        for a in [peer_as, local_as] {
            let v = u16::try_from(a.0).map_err(|_| MrtError::Encode {
                what: "BGP4MP envelope",
                reason: format!("AS {a} needs 4 octets; use an AS4 subtype"),
            })?;
            out.extend_from_slice(&v.to_be_bytes());
        }
    }
    out.extend_from_slice(&ifindex.to_be_bytes());
    match (peer_ip, local_ip) {
        (IpAddr::V4(p), IpAddr::V4(l)) => {
            out.extend_from_slice(&1u16.to_be_bytes());
            out.extend_from_slice(&p.octets());
            out.extend_from_slice(&l.octets());
        }
        (IpAddr::V6(p), IpAddr::V6(l)) => {
            out.extend_from_slice(&2u16.to_be_bytes());
            out.extend_from_slice(&p.octets());
            out.extend_from_slice(&l.octets());
        }
        _ => {
            return Err(MrtError::Encode {
                what: "BGP4MP envelope",
                reason: format!("peer {peer_ip} and local {local_ip} are of different families"),
            })
        }
    }
    Ok(())
}

/// Appends a message body; returns its subtype.
pub(crate) fn encode_message(m: &Bgp4mpMessage, out: &mut Vec<u8>) -> Result<u16, MrtError> {
    encode_envelope(
        m.four_octet_as,
        m.peer_as,
        m.local_as,
        m.ifindex,
        m.peer_ip,
        m.local_ip,
        out,
    )?;
    out.extend_from_slice(&m.message);
    Ok(m.subtype())
}

/// Appends a state change body; returns its subtype.
pub(crate) fn encode_state_change(s: &StateChange, out: &mut Vec<u8>) -> Result<u16, MrtError> {
    encode_envelope(
        s.four_octet_as,
        s.peer_as,
        s.local_as,
        s.ifindex,
        s.peer_ip,
        s.local_ip,
        out,
    )?;
    out.extend_from_slice(&s.old_state.to_be_bytes());
    out.extend_from_slice(&s.new_state.to_be_bytes());
    Ok(if s.four_octet_as {
        st::STATE_CHANGE_AS4
    } else {
        st::STATE_CHANGE
    })
}
