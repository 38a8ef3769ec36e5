//! The demo MRT stream behind `condor mrt summary --demo` and
//! `condor mrt dump --demo`: what a collector on an IXP route server would
//! record from three members in the first seconds of 2026, so the MRT
//! commands can be tried on a fresh checkout without a data file.
//!
//! The route server is Perú IX's (AS64115, 45.183.47.1 and
//! 2803:cd60:6411:5::1). The members use documentation ASNs (RFC 5398) and
//! announce documentation prefixes (RFC 5737, RFC 3849):
//!
//! | member  | address              | announces                                  | then withdraws      |
//! |---------|----------------------|--------------------------------------------|---------------------|
//! | AS64500 | 45.183.47.10         | 198.51.100.0/24, 203.0.113.0/24            |                     |
//! | AS64501 | 45.183.47.11         | 192.0.2.0/24 (from its customer AS64510)   | 192.0.2.0/24        |
//! | AS64502 | 2803:cd60:6411:5::c  | 2001:db8:100::/40, 2001:db8:200::/48       | 2001:db8:200::/48   |
//!
//! Each session is recorded from its change to Established, with its
//! UPDATEs, End-of-RIB and a KEEPALIVE, as BGP4MP MESSAGE_AS4 and
//! STATE_CHANGE_AS4 records. Messages are encoded by `condor-wire`'s
//! `UpdateBuilder` and records written by `condor-mrt`'s `MrtWriter`.
//! When the `bench` crate (simulated members for `condor demo`) exists, this
//! generator moves there.

use anyhow::{anyhow, Context as _};
use bytes::Bytes;
use condor_mrt::{Bgp4mpMessage, Header, MrtWriter, Record, RecordBody, StateChange, Timestamp};
use condor_wire::attr::{flags, types};
use condor_wire::{
    AsPath, Asn, Context, Family, Message, NextHop, Nlri, PathAttributes, Prefix, UpdateBuilder,
};
use std::net::IpAddr;

/// 2026-01-01T00:00:00Z.
const START: u32 = 1_767_225_600;
/// Perú IX's route-server AS.
const RS_AS: Asn = Asn(64115);

/// One member session as the route server sees it.
struct Member {
    asn: u32,
    ip: &'static str,
    rs_ip: &'static str,
    path: &'static [u32],
    announce: &'static [&'static str],
    withdraw: &'static [&'static str],
}

const MEMBERS: [Member; 3] = [
    Member {
        asn: 64500,
        ip: "45.183.47.10",
        rs_ip: "45.183.47.1",
        path: &[64500],
        announce: &["198.51.100.0/24", "203.0.113.0/24"],
        withdraw: &[],
    },
    Member {
        asn: 64501,
        ip: "45.183.47.11",
        rs_ip: "45.183.47.1",
        path: &[64501, 64510],
        announce: &["192.0.2.0/24"],
        withdraw: &["192.0.2.0/24"],
    },
    Member {
        asn: 64502,
        ip: "2803:cd60:6411:5::c",
        rs_ip: "2803:cd60:6411:5::1",
        path: &[64502],
        announce: &["2001:db8:100::/40", "2001:db8:200::/48"],
        withdraw: &["2001:db8:200::/48"],
    },
];

/// The demo stream, as MRT octets.
pub fn mrt_stream() -> anyhow::Result<Vec<u8>> {
    let mut w = MrtWriter::new(Vec::new());
    let mut secs = START;
    for m in &MEMBERS {
        record_session(&mut w, m, &mut secs).with_context(|| format!("member AS{}", m.asn))?;
    }
    Ok(w.into_inner()?)
}

fn record_session(w: &mut MrtWriter<Vec<u8>>, m: &Member, secs: &mut u32) -> anyhow::Result<()> {
    let peer_ip: IpAddr = m.ip.parse()?;
    let local_ip: IpAddr = m.rs_ip.parse()?;
    let ctx = Context::four_octet();
    let family = if peer_ip.is_ipv4() {
        Family::IPV4_UNICAST
    } else {
        Family::IPV6_UNICAST
    };
    let next_hop = match peer_ip {
        IpAddr::V4(a) => NextHop::V4(a),
        IpAddr::V6(a) => NextHop::V6 {
            global: a,
            link_local: None,
        },
    };
    let ts = |secs: u32| Timestamp { secs, micros: None };

    // OpenConfirm (5) -> Established (6), RFC 6396 §4.4.1.
    let change = StateChange {
        timestamp: ts(*secs),
        peer_as: Asn(m.asn),
        local_as: RS_AS,
        ifindex: 0,
        peer_ip,
        local_ip,
        four_octet_as: true,
        old_state: 5,
        new_state: 6,
    };
    let header = Header {
        timestamp: ts(*secs),
        mrt_type: 0,
        subtype: 0,
        length: 0,
    };
    w.write_record(&Record {
        offset: 0,
        header,
        body: RecordBody::StateChange(change),
    })?;

    let builder = UpdateBuilder::new(ctx);
    let mut messages = Vec::new();
    builder.announce(
        &attributes(m)?,
        &next_hop,
        family,
        &nlri(m.announce)?,
        &mut messages,
    )?;
    messages.push(builder.end_of_rib(family));
    messages.push(Message::Keepalive.to_bytes(&ctx)?);
    builder.withdraw(family, &nlri(m.withdraw)?, &mut messages)?;

    for msg in messages {
        *secs += 1;
        let record = Bgp4mpMessage {
            timestamp: ts(*secs),
            peer_as: Asn(m.asn),
            local_as: RS_AS,
            ifindex: 0,
            peer_ip,
            local_ip,
            four_octet_as: true,
            add_path: false,
            local: false,
            message: Bytes::from(msg),
        };
        w.write_bgp4mp_message(&record)?;
    }
    *secs += 1;
    Ok(())
}

/// ORIGIN IGP, the member's AS path, a standard community tagging the
/// member and a large community in the route server's namespace.
fn attributes(m: &Member) -> anyhow::Result<PathAttributes> {
    let mut path = Vec::new();
    AsPath::from_sequence(m.path.iter().copied()).encode(true, &mut path);
    let low = u16::try_from(m.asn % 65536)?;
    let mut community = RS_AS.to_two_octet().to_be_bytes().to_vec();
    community.extend_from_slice(&low.to_be_bytes());
    let mut large = RS_AS.0.to_be_bytes().to_vec();
    large.extend_from_slice(&1u32.to_be_bytes());
    large.extend_from_slice(&m.asn.to_be_bytes());
    let parts: [(u8, u8, &[u8]); 4] = [
        (flags::TRANSITIVE, types::ORIGIN, &[0]),
        (flags::TRANSITIVE, types::AS_PATH, &path),
        (
            flags::OPTIONAL | flags::TRANSITIVE,
            types::COMMUNITIES,
            &community,
        ),
        (
            flags::OPTIONAL | flags::TRANSITIVE,
            types::LARGE_COMMUNITIES,
            &large,
        ),
    ];
    PathAttributes::from_parts(&parts, true).map_err(|e| anyhow!("demo attributes: {e}"))
}

fn nlri(prefixes: &[&str]) -> anyhow::Result<Vec<Nlri>> {
    prefixes
        .iter()
        .map(|p| {
            p.parse::<Prefix>()
                .map(Nlri::new)
                .map_err(|e| anyhow!("demo prefix {p}: {e:?}"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use condor_mrt::{MrtReader, Summary};
    use std::io::Cursor;

    fn summary() -> Summary {
        let bytes = mrt_stream().unwrap_or_else(|e| panic!("{e:#}"));
        Summary::from_records(MrtReader::new(Cursor::new(bytes)))
    }

    #[test]
    fn stream_holds_what_the_module_doc_says() {
        let s = summary();
        assert_eq!(s.errors, 0, "{:?}", s.error_messages);
        assert_eq!(s.peers.len(), 3);
        assert_eq!(s.announced.get("ipv4-unicast"), Some(&3));
        assert_eq!(s.announced.get("ipv6-unicast"), Some(&2));
        assert_eq!(s.withdrawn.get("ipv4-unicast"), Some(&1));
        assert_eq!(s.withdrawn.get("ipv6-unicast"), Some(&1));
        // Per member: UPDATE(s), End-of-RIB, KEEPALIVE, and a withdrawal
        // for the last two: 1+1+1 + 1+1+1+1 + 1+1+1+1 = 11 messages.
        assert_eq!(s.bgp_messages.get("UPDATE"), Some(&8));
        assert_eq!(s.bgp_messages.get("KEEPALIVE"), Some(&3));
        assert_eq!(s.records, 3 + 11);
        assert_eq!(s.first_time, Some(START));
    }

    #[test]
    fn stream_is_deterministic() {
        let a = mrt_stream().unwrap_or_else(|e| panic!("{e:#}"));
        let b = mrt_stream().unwrap_or_else(|e| panic!("{e:#}"));
        assert_eq!(a, b);
    }
}
