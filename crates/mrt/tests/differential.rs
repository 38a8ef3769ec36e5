//! Differential test: every record of every MRT file in the shared data is
//! read by condor-mrt and by bgpkit-parser; every BGP UPDATE and every
//! TABLE_DUMP / TABLE_DUMP_V2 RIB entry is decoded by condor-wire and by
//! bgpkit, and the results are compared field by field (prefixes with path
//! identifiers, ORIGIN, AS path after RFC 6793 merging, next hops, MED,
//! LOCAL_PREF, ATOMIC_AGGREGATE, AGGREGATOR, the three community kinds,
//! OTC). Every difference must match an entry of [`ALLOWED`], which says why
//! it is a deliberate divergence; anything else fails the test with the
//! record's offset and bytes. It also checks that re-encoding every decoded
//! UPDATE gives back the original octets, except for the listed reasons.
//!
//! Run with `cargo test -p condor-mrt --test differential -- --nocapture` to
//! see the counts.

mod common;

use bgpkit_parser::models::{
    AsPathSegment, AsnLength, AttrFlags, Attribute, AttributeValue, Attributes, Bgp4MpEnum,
    BgpMessage, Community, MrtMessage, NetworkPrefix, NextHopAddress, TableDumpV2Message,
};
use bytes::Bytes;
use common::*;
use condor_mrt::{RawRecord, RecordBody};
use condor_wire::{decode_message, Message, Nlri, Prefix};
use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::Path;
use std::time::Instant;

/// Deliberate divergences between condor and bgpkit: key, how many times the
/// shared data shows it, and why. A difference is allowed only when a rule
/// (in `explain` or `explain_rejection`) maps it to one of these keys, and
/// the counts must match exactly, so a change on either side is noticed.
const ALLOWED: &[(&str, u64, &str)] = &[
    (
        AGGREGATOR_WIDTH,
        375,
        "TABLE_DUMP (v1) entries written by OpenBGPD carry an 8-octet AGGREGATOR (4-octet ASN) although \
         the format's attributes use 2-octet ASNs (RFC 6396 §4.2; its AS_PATH is 2-octet with AS4_PATH). \
         condor applies RFC 7606 §7.7 (wrong length: attribute discard); bgpkit guesses the ASN width \
         from the length.",
    ),
    (
        AS4_PATH_IGNORED,
        3,
        "2-octet session whose AGGREGATOR holds a real ASN (not AS_TRANS) next to AS4_PATH: RFC 6793 \
         §4.2.3 says to ignore AS4_PATH and AS4_AGGREGATOR, which condor does; bgpkit always merges.",
    ),
    (
        ADD_PATH_GUESS,
        12,
        "BIRD writes messages of ADD-PATH sessions under the plain BGP4MP_MESSAGE_AS4 subtype (not the \
         RFC 8050 _ADDPATH ones). bgpkit guesses ADD-PATH from a leading zero octet; condor decodes what \
         the subtype says, so the NLRI is malformed (RFC 7606 §5.3: session reset). Decoded as ADD-PATH, \
         condor gets exactly bgpkit's prefixes and path identifiers (checked).",
    ),
    (
        MALFORMED_NLRI,
        1,
        "The NLRI field ends inside a prefix. RFC 7606 §5.3 makes that a session reset, which is what \
         condor's MessageError says; bgpkit keeps the UPDATE with a MalformedNlri warning.",
    ),
];

const AGGREGATOR_WIDTH: &str = "aggregator-4-octet-in-table-dump-v1";
const AS4_PATH_IGNORED: &str = "as4-path-ignored-aggregator-not-as-trans";
const ADD_PATH_GUESS: &str = "add-path-nlri-under-plain-subtype";
const MALFORMED_NLRI: &str = "malformed-nlri-field";

/// Reasons why re-encoding a decoded UPDATE may not give back its octets,
/// with how many times the shared data shows them.
const REENCODE_EXCEPTIONS: &[(&str, u64, &str)] = &[
    (
        HOST_BITS,
        0,
        "NLRI with host bits set beyond the prefix length are normalised (RFC 4271 §4.3 makes them \
         irrelevant); none in the shared data decodes (the one such file is also truncated).",
    ),
    (ATTR_DISCARDED, 0, "an attribute discarded under RFC 7606 is not re-encoded."),
];

const HOST_BITS: &str = "host-bits-cleared";
const ATTR_DISCARDED: &str = "attribute-discarded";

#[derive(Default)]
struct Tally {
    records: u64,
    updates: u64,
    rib_entries: u64,
    prefixes: u64,
    allowed: BTreeMap<&'static str, u64>,
    reencoded: u64,
    reencode_exceptions: BTreeMap<&'static str, u64>,
    unexplained: Vec<String>,
}

impl Tally {
    fn add(&mut self, o: &Tally) {
        self.records += o.records;
        self.updates += o.updates;
        self.rib_entries += o.rib_entries;
        self.prefixes += o.prefixes;
        self.reencoded += o.reencoded;
        for (k, v) in &o.allowed {
            *self.allowed.entry(k).or_default() += v;
        }
        for (k, v) in &o.reencode_exceptions {
            *self.reencode_exceptions.entry(k).or_default() += v;
        }
        self.unexplained.extend(o.unexplained.iter().cloned());
    }

    fn allow(&mut self, key: &'static str) {
        assert!(
            ALLOWED.iter().any(|(k, _, _)| *k == key),
            "allow-list key {key} is not in ALLOWED"
        );
        *self.allowed.entry(key).or_default() += 1;
    }

    fn fail(&mut self, file: &str, raw: &RawRecord, what: String) {
        self.unexplained.push(format!(
            "{file} @ offset {} ({}): {what}\n    record body: {}",
            raw.offset,
            condor_mrt::type_name(raw.header.mrt_type, raw.header.subtype),
            hex(&raw.body, 256)
        ));
    }
}

/// bgpkit's view of the same attributes, normalised like condor's.
fn bgpkit_attrs(a: &Attributes) -> RouteAttrs {
    let mut r = RouteAttrs {
        as_path: a.effective_as_path().map(|p| bgpkit_path(&p)),
        next_hop: a.next_hop(),
        mp_next_hop: a
            .get_reachable_nlri()
            .and_then(|n| n.next_hop.as_ref())
            .and_then(bgpkit_next_hop),
        med: a.multi_exit_discriminator(),
        local_pref: a.local_preference(),
        atomic_aggregate: a.atomic_aggregate(),
        aggregator: a.aggregator().map(|(asn, id)| (u32::from(asn), id)),
        otc: a.only_to_customer().map(u32::from),
        ..RouteAttrs::default()
    };
    for v in a {
        match v {
            AttributeValue::Origin(o) => {
                r.origin.get_or_insert(*o as u8);
            }
            AttributeValue::Communities(cs) if r.communities.is_empty() => {
                r.communities = cs.iter().map(community_value).collect();
            }
            AttributeValue::ExtendedCommunities(cs) if r.ext_communities.is_empty() => {
                r.ext_communities = ext_community_octets(cs);
            }
            AttributeValue::LargeCommunities(cs) if r.large_communities.is_empty() => {
                r.large_communities = cs
                    .iter()
                    .map(|c| (c.global_admin, c.local_data[0], c.local_data[1]))
                    .collect();
            }
            _ => {}
        }
    }
    r
}

fn bgpkit_path(p: &bgpkit_parser::models::AsPath) -> FlatPath {
    canonical_path(p.segments.iter().map(|s| {
        let (k, v) = match s {
            AsPathSegment::AsSet(v) => (1, v),
            AsPathSegment::AsSequence(v) => (2, v),
            AsPathSegment::ConfedSequence(v) => (3, v),
            AsPathSegment::ConfedSet(v) => (4, v),
        };
        (k, v.iter().map(|a| u32::from(*a)).collect())
    }))
}

fn bgpkit_next_hop(n: &NextHopAddress) -> Option<(IpAddr, Option<std::net::Ipv6Addr>)> {
    match n {
        NextHopAddress::Ipv4(a) => Some((IpAddr::V4(*a), None)),
        NextHopAddress::Ipv6(a) => Some((IpAddr::V6(*a), None)),
        NextHopAddress::Ipv6LinkLocal(g, l) => Some((IpAddr::V6(*g), Some(*l))),
        _ => None,
    }
}

fn community_value(c: &Community) -> u32 {
    match c {
        Community::NoExport => 0xFFFF_FF01,
        Community::NoAdvertise => 0xFFFF_FF02,
        Community::NoExportSubConfed => 0xFFFF_FF03,
        Community::Custom(asn, v) => (u32::from(*asn) << 16) | u32::from(*v),
    }
}

/// bgpkit types extended communities; its encoder gives the octets back.
fn ext_community_octets(cs: &[bgpkit_parser::models::ExtendedCommunity]) -> Vec<[u8; 8]> {
    let attr = Attribute {
        value: AttributeValue::ExtendedCommunities(cs.to_vec()),
        flag: AttrFlags::OPTIONAL | AttrFlags::TRANSITIVE | AttrFlags::EXTENDED,
    };
    let Ok(b) = attr.encode(AsnLength::Bits32) else {
        return Vec::new();
    };
    b[4..]
        .chunks_exact(8)
        .map(|c| {
            let mut a = [0u8; 8];
            a.copy_from_slice(c);
            a
        })
        .collect()
}

/// A bgpkit prefix as condor's (host bits cleared), and whether host bits were set.
fn bgpkit_nlri(p: &NetworkPrefix) -> (Nlri, bool) {
    let net = p.prefix;
    let prefix = Prefix::new(net.addr(), net.prefix_len()).expect("bgpkit prefix length is valid");
    (
        Nlri {
            path_id: p.path_id,
            prefix,
        },
        net.addr() != net.network(),
    )
}

fn prefixes_differ(condor: &[Nlri], bgpkit: &[NetworkPrefix]) -> bool {
    condor.len() != bgpkit.len()
        || condor
            .iter()
            .zip(bgpkit)
            .any(|(c, b)| *c != bgpkit_nlri(b).0)
}

fn has_host_bits(bgpkit: &[NetworkPrefix]) -> bool {
    bgpkit.iter().any(|p| bgpkit_nlri(p).1)
}

struct Ctx<'a> {
    file: &'a str,
    raw: &'a RawRecord,
}

fn compare_update(
    t: &mut Tally,
    c: &Ctx<'_>,
    msg: &Bytes,
    ctx: &condor_wire::Context,
    four_octet: bool,
    bk: Option<&BgpMessage>,
) {
    let condor = decode_message(msg, ctx);
    let (u, b) = match (&condor, bk) {
        (Ok(Message::Update(u)), Some(BgpMessage::Update(b))) => (u, b),
        (Ok(m), Some(b)) => {
            if m.message_type() as u8 != b.msg_type() as u8 {
                t.fail(
                    c.file,
                    c.raw,
                    format!(
                        "message types differ: condor {:?}, bgpkit {:?}",
                        m.message_type(),
                        b.msg_type()
                    ),
                );
            }
            return;
        }
        (Err(e), Some(BgpMessage::Update(b))) => {
            return match explain_rejection(msg, ctx, e, b) {
                Some(key) => t.allow(key),
                None => t.fail(
                    c.file,
                    c.raw,
                    format!("condor rejects what bgpkit decodes: {e}"),
                ),
            }
        }
        (Err(e), Some(_)) => {
            return t.fail(
                c.file,
                c.raw,
                format!("condor rejects what bgpkit decodes: {e}"),
            )
        }
        (Ok(_), None) => return t.fail(c.file, c.raw, "bgpkit rejects what condor decodes".into()),
        (Err(_), None) => return,
    };
    t.updates += 1;
    reencode(t, c, msg, u, ctx, b);

    let mp_reach = b.attributes.get_reachable_nlri();
    let mp_unreach = b.attributes.get_unreachable_nlri();
    let mut prefix_diffs = Vec::new();
    if prefixes_differ(&u.nlri, &b.announced_prefixes) {
        prefix_diffs.push("nlri");
    }
    if prefixes_differ(&u.withdrawn, &b.withdrawn_prefixes) {
        prefix_diffs.push("withdrawn");
    }
    let condor_reach = u
        .mp_reach
        .as_ref()
        .map(|m| m.nlri.prefixes())
        .unwrap_or(&[]);
    if prefixes_differ(
        condor_reach,
        mp_reach.map(|n| &n.prefixes[..]).unwrap_or(&[]),
    ) {
        prefix_diffs.push("mp_reach");
    }
    let condor_unreach = u
        .mp_unreach
        .as_ref()
        .map(|m| m.nlri.prefixes())
        .unwrap_or(&[]);
    if prefixes_differ(
        condor_unreach,
        mp_unreach.map(|n| &n.prefixes[..]).unwrap_or(&[]),
    ) {
        prefix_diffs.push("mp_unreach");
    }
    t.prefixes +=
        (u.nlri.len() + u.withdrawn.len() + condor_reach.len() + condor_unreach.len()) as u64;
    for d in prefix_diffs {
        t.fail(
            c.file,
            c.raw,
            format!(
                "{d} prefixes differ: condor {:?}, bgpkit {:?}",
                (&u.nlri, &u.withdrawn, condor_reach, condor_unreach),
                (
                    &b.announced_prefixes,
                    &b.withdrawn_prefixes,
                    mp_reach.map(|n| &n.prefixes),
                    mp_unreach.map(|n| &n.prefixes)
                )
            ),
        );
    }

    let ca = condor_attrs(&u.attrs, u.mp_reach.as_ref().map(|m| &m.next_hop));
    let ba = bgpkit_attrs(&b.attributes);
    compare_attrs(t, c, &ca, &ba, &b.attributes, four_octet, &u.problems);
}

fn compare_attrs(
    t: &mut Tally,
    c: &Ctx<'_>,
    ca: &RouteAttrs,
    ba: &RouteAttrs,
    bk: &Attributes,
    four_octet: bool,
    problems: &[condor_wire::UpdateProblem],
) {
    for field in ca.diff(ba) {
        match explain(field, ca, ba, bk, four_octet, problems) {
            Some(key) => t.allow(key),
            None => t.fail(
                c.file,
                c.raw,
                format!("{field} differs:\n    condor {ca:?}\n    bgpkit {ba:?}\n    condor problems {problems:?}"),
            ),
        }
    }
}

/// Maps a field difference to an [`ALLOWED`] key, if a known divergence explains it.
fn explain(
    field: &str,
    ca: &RouteAttrs,
    ba: &RouteAttrs,
    bk: &Attributes,
    four_octet: bool,
    problems: &[condor_wire::UpdateProblem],
) -> Option<&'static str> {
    let discarded = |t: u8| {
        problems.iter().any(|p| {
            p.attr_type == Some(t) && p.action == condor_wire::Rfc7606Action::AttributeDiscard
        })
    };
    match field {
        // Condor discarded an 8-octet AGGREGATOR of a 2-octet block; bgpkit read it as 4-octet.
        "aggregator"
            if !four_octet
                && ca.aggregator.is_none()
                && ba.aggregator.is_some()
                && discarded(7) =>
        {
            Some(AGGREGATOR_WIDTH)
        }
        // Condor kept AS_PATH alone because AGGREGATOR names a real ASN; bgpkit merged AS4_PATH.
        "as_path"
            if !four_octet
                && bk.as4_path().is_some()
                && ca
                    .aggregator
                    .is_some_and(|(asn, _)| asn != condor_wire::Asn::TRANS.0)
                && ca.as_path == bk.as_path().map(bgpkit_path) =>
        {
            Some(AS4_PATH_IGNORED)
        }
        _ => None,
    }
}

/// Explains an UPDATE condor rejects and bgpkit decodes.
fn explain_rejection(
    msg: &[u8],
    ctx: &condor_wire::Context,
    e: &condor_wire::MessageError,
    b: &bgpkit_parser::models::BgpUpdateMessage,
) -> Option<&'static str> {
    // Decoded with ADD-PATH, does condor get exactly bgpkit's prefixes?
    if ctx.add_path_rx == 0 {
        let all = condor_wire::Context {
            add_path_rx: 0xff,
            add_path_tx: 0xff,
            ..*ctx
        };
        if let Ok(Message::Update(u)) = decode_message(msg, &all) {
            let reach = b
                .attributes
                .get_reachable_nlri()
                .map(|n| &n.prefixes[..])
                .unwrap_or(&[]);
            let unreach = b
                .attributes
                .get_unreachable_nlri()
                .map(|n| &n.prefixes[..])
                .unwrap_or(&[]);
            let same = !prefixes_differ(&u.nlri, &b.announced_prefixes)
                && !prefixes_differ(&u.withdrawn, &b.withdrawn_prefixes)
                && !prefixes_differ(
                    u.mp_reach
                        .as_ref()
                        .map(|m| m.nlri.prefixes())
                        .unwrap_or(&[]),
                    reach,
                )
                && !prefixes_differ(
                    u.mp_unreach
                        .as_ref()
                        .map(|m| m.nlri.prefixes())
                        .unwrap_or(&[]),
                    unreach,
                )
                && u.announced()
                    .chain(u.withdrawals())
                    .all(|n| n.path_id.is_some());
            if same {
                return Some(ADD_PATH_GUESS);
            }
        }
    }
    let nlri_error = e.notification.code == 3 && e.notification.subcode == 10;
    let bgpkit_warned = b.attributes.validation_warnings().iter().any(|w| {
        matches!(
            w,
            bgpkit_parser::error::BgpValidationWarning::MalformedNlri { .. }
        )
    });
    (nlri_error && bgpkit_warned).then_some(MALFORMED_NLRI)
}

fn reencode(
    t: &mut Tally,
    c: &Ctx<'_>,
    msg: &Bytes,
    u: &condor_wire::Update,
    ctx: &condor_wire::Context,
    b: &bgpkit_parser::models::BgpUpdateMessage,
) {
    let mut out = Vec::with_capacity(msg.len());
    let m = Message::Update(u.clone());
    if let Err(e) = m.encode(ctx, &mut out) {
        return t.fail(c.file, c.raw, format!("re-encoding failed: {e}"));
    }
    if out[..] == msg[..] {
        t.reencoded += 1;
        return;
    }
    let host_bits = [&b.announced_prefixes, &b.withdrawn_prefixes]
        .into_iter()
        .chain(b.attributes.get_reachable_nlri().map(|n| &n.prefixes))
        .chain(b.attributes.get_unreachable_nlri().map(|n| &n.prefixes))
        .any(|p| has_host_bits(p));
    let discarded = u
        .problems
        .iter()
        .any(|p| p.action == condor_wire::Rfc7606Action::AttributeDiscard);
    let key = if host_bits {
        HOST_BITS
    } else if discarded {
        ATTR_DISCARDED
    } else {
        return t.fail(
            c.file,
            c.raw,
            format!(
                "re-encoding differs:\n    original   {}\n    re-encoded {}",
                hex(msg, 200),
                hex(&out, 200)
            ),
        );
    };
    *t.reencode_exceptions.entry(key).or_default() += 1;
}

fn compare_file(path: &Path) -> Tally {
    let file = short_name(path);
    let mut t = Tally::default();
    let mut ours = condor_mrt::open_path(path).expect("open");
    let f = std::fs::File::open(path).expect("open");
    let mut theirs = condor_mrt::decompress(f).expect("decompress");
    while let Some(raw) = ours.next_raw() {
        let raw = raw.unwrap_or_else(|e| panic!("{file}: condor cannot frame a record: {e}"));
        t.records += 1;
        let bk_raw = bgpkit_parser::parser::chunk_mrt_record(&mut theirs).unwrap_or_else(|e| {
            panic!(
                "{file} @ {}: bgpkit cannot frame the record condor framed: {e}",
                raw.offset
            )
        });
        let h = &bk_raw.common_header;
        if (
            h.timestamp,
            h.microsecond_timestamp,
            u16::from(h.entry_type),
            h.entry_subtype,
        ) != (
            raw.header.timestamp.secs,
            raw.header.timestamp.micros,
            raw.header.mrt_type,
            raw.header.subtype,
        ) {
            t.fail(
                &file,
                &raw,
                format!("headers differ: bgpkit {h:?}, condor {:?}", raw.header),
            );
            continue;
        }
        let bk = bk_raw.parse();
        let rec = raw.clone().decode();
        let c = Ctx {
            file: &file,
            raw: &raw,
        };
        match (&rec, &bk) {
            (Ok(r), Ok(b)) => compare_record(&mut t, &c, &r.body, &b.message),
            (Err(e), Ok(_)) => t.fail(
                &file,
                &raw,
                format!("condor rejects a record bgpkit reads: {e}"),
            ),
            (Ok(r), Err(e)) => {
                if !matches!(r.body, RecordBody::Raw(_)) {
                    t.fail(
                        &file,
                        &raw,
                        format!("bgpkit rejects a record condor reads: {e}"),
                    );
                }
            }
            (Err(_), Err(_)) => {}
        }
    }
    t
}

fn compare_record(t: &mut Tally, c: &Ctx<'_>, ours: &RecordBody, theirs: &MrtMessage) {
    match (ours, theirs) {
        (RecordBody::Bgp4mpMessage(m), MrtMessage::Bgp4Mp(Bgp4MpEnum::Message(b))) => {
            let env = (m.peer_as.0, m.local_as.0, m.ifindex, m.peer_ip, m.local_ip);
            let benv = (
                u32::from(b.peer_asn),
                u32::from(b.local_asn),
                b.interface_index,
                b.peer_ip,
                b.local_ip,
            );
            if env != benv {
                return t.fail(
                    c.file,
                    c.raw,
                    format!("envelopes differ: condor {env:?}, bgpkit {benv:?}"),
                );
            }
            compare_update(
                t,
                c,
                &m.message,
                &m.context(),
                m.four_octet_as,
                Some(&b.bgp_message),
            );
        }
        (RecordBody::StateChange(s), MrtMessage::Bgp4Mp(Bgp4MpEnum::StateChange(b))) => {
            let ours = (s.peer_as.0, s.peer_ip, s.old_state, s.new_state);
            let theirs = (
                u32::from(b.peer_asn),
                b.peer_ip,
                b.old_state as u16,
                b.new_state as u16,
            );
            if ours != theirs {
                t.fail(
                    c.file,
                    c.raw,
                    format!("state changes differ: condor {ours:?}, bgpkit {theirs:?}"),
                );
            }
        }
        (RecordBody::TableDump(e), MrtMessage::TableDumpMessage(b)) => {
            t.rib_entries += 1;
            t.prefixes += 1;
            let ours = (
                e.prefix,
                e.peer_ip,
                e.peer_as.0,
                u64::from(e.originated_time),
                e.status,
            );
            let theirs = (
                bgpkit_nlri(&b.prefix).0.prefix,
                b.peer_ip,
                u32::from(b.peer_asn),
                b.originated_time,
                b.status,
            );
            if ours != theirs {
                return t.fail(
                    c.file,
                    c.raw,
                    format!("TABLE_DUMP entries differ: condor {ours:?}, bgpkit {theirs:?}"),
                );
            }
            compare_rib_attrs(t, c, &e.attributes, false, &b.attributes);
        }
        (
            RecordBody::PeerIndexTable(p),
            MrtMessage::TableDumpV2Message(TableDumpV2Message::PeerIndexTable(b)),
        ) => {
            for (i, peer) in p.peers.iter().enumerate() {
                let theirs = b
                    .id_peer_map
                    .get(&(i as u16))
                    .map(|bp| (bp.peer_ip, u32::from(bp.peer_asn), bp.peer_bgp_id));
                if theirs != Some((peer.ip, peer.asn.0, peer.bgp_id)) {
                    t.fail(
                        c.file,
                        c.raw,
                        format!("peer {i} differs: condor {peer:?}, bgpkit {theirs:?}"),
                    );
                }
            }
            if p.peers.len() != b.id_peer_map.len() {
                t.fail(c.file, c.raw, "peer counts differ".into());
            }
        }
        (RecordBody::Rib(r), MrtMessage::TableDumpV2Message(TableDumpV2Message::RibAfi(b))) => {
            if r.prefix != bgpkit_nlri(&b.prefix).0.prefix
                || r.sequence != b.sequence_number
                || r.entries.len() != b.rib_entries.len()
            {
                return t.fail(
                    c.file,
                    c.raw,
                    format!(
                        "RIB records differ: condor {} {} ×{}, bgpkit {:?} {} ×{}",
                        r.prefix,
                        r.sequence,
                        r.entries.len(),
                        b.prefix,
                        b.sequence_number,
                        b.rib_entries.len()
                    ),
                );
            }
            for (e, be) in r.entries.iter().zip(&b.rib_entries) {
                t.rib_entries += 1;
                t.prefixes += 1;
                if (e.peer_index, e.originated_time, e.path_id)
                    != (be.peer_index, be.originated_time, be.path_id)
                {
                    t.fail(
                        c.file,
                        c.raw,
                        format!("RIB entry differs: condor {e:?}, bgpkit {be:?}"),
                    );
                    continue;
                }
                compare_rib_attrs(t, c, &e.attributes, true, &be.attributes);
            }
        }
        (RecordBody::Raw(_), _) => {}
        (o, b) => t.fail(
            c.file,
            c.raw,
            format!("records decode to different kinds: condor {o:?}, bgpkit {b:?}"),
        ),
    }
}

fn compare_rib_attrs(t: &mut Tally, c: &Ctx<'_>, block: &Bytes, four_octet: bool, bk: &Attributes) {
    match condor_rib_attrs(block, four_octet) {
        Ok((ca, r)) => compare_attrs(t, c, &ca, &bgpkit_attrs(bk), bk, four_octet, &r.problems),
        Err(e) => t.fail(
            c.file,
            c.raw,
            format!(
                "condor rejects a RIB attribute block: {e}: {}",
                hex(block, 200)
            ),
        ),
    }
}

#[test]
fn condor_agrees_with_bgpkit_on_every_mrt_file() {
    let Some(files) = mrt_files() else { return };
    assert!(!files.is_empty(), "no MRT file found in the shared data");
    let start = Instant::now();
    let mut total = Tally::default();
    for path in &files {
        let t0 = Instant::now();
        let t = compare_file(path);
        println!(
            "{:<62} records {:>7}  updates {:>7}  rib entries {:>7}  prefixes {:>7}  re-encoded {:>7}  allowed {:>4}  unexplained {:>4}  {:>6.2}s",
            short_name(path),
            t.records,
            t.updates,
            t.rib_entries,
            t.prefixes,
            t.reencoded,
            t.allowed.values().sum::<u64>(),
            t.unexplained.len(),
            t0.elapsed().as_secs_f64()
        );
        for u in t.unexplained.iter().take(3) {
            println!("UNEXPLAINED {u}");
        }
        total.add(&t);
    }
    println!(
        "TOTAL: {} files, {} records, {} UPDATEs, {} RIB entries, {} prefixes compared; {} UPDATEs re-encoded identically in {:.1}s",
        files.len(),
        total.records,
        total.updates,
        total.rib_entries,
        total.prefixes,
        total.reencoded,
        start.elapsed().as_secs_f64()
    );
    let mut miscounted = Vec::new();
    for (k, want, reason) in ALLOWED {
        let got = total.allowed.get(k).copied().unwrap_or(0);
        println!("allowed divergence {k}: {got} (expected {want}): {reason}");
        if got != *want {
            miscounted.push(format!("{k}: {got} instead of {want}"));
        }
    }
    for (k, want, reason) in REENCODE_EXCEPTIONS {
        let got = total.reencode_exceptions.get(k).copied().unwrap_or(0);
        println!("re-encoding exception {k}: {got} (expected {want}): {reason}");
        if got != *want {
            miscounted.push(format!("re-encoding {k}: {got} instead of {want}"));
        }
    }
    assert!(
        total.unexplained.is_empty(),
        "{} unexplained differences (the first 3 of each file are printed above)",
        total.unexplained.len()
    );
    assert!(
        miscounted.is_empty(),
        "allow-list counts changed: {miscounted:?}"
    );
    assert!(
        total.updates > 300_000 && total.rib_entries > 100_000,
        "too little was compared"
    );
}
