//! UPDATE decode/encode tests: hand-built messages for every attribute and
//! every RFC 7606 outcome, the builder, and property-based round trips.

use super::*;
use crate::attr::types as t;
use crate::{
    decode_message, Asn, Community, LargeCommunity, Message, Origin, Prefix, UpdateBuilder,
};
use proptest::prelude::*;

/// Assembles an attribute.
fn at(flags: u8, typ: u8, value: &[u8]) -> Vec<u8> {
    let mut v = Vec::new();
    crate::attr::write_attr(&mut v, flags, typ, value);
    v
}

/// Assembles an UPDATE message from its three fields.
fn msg(withdrawn: &[u8], attrs: &[Vec<u8>], nlri: &[u8]) -> Vec<u8> {
    let block: Vec<u8> = attrs.concat();
    let mut body = Vec::new();
    body.extend_from_slice(&(withdrawn.len() as u16).to_be_bytes());
    body.extend_from_slice(withdrawn);
    body.extend_from_slice(&(block.len() as u16).to_be_bytes());
    body.extend_from_slice(&block);
    body.extend_from_slice(nlri);
    let mut m = vec![0xff; 16];
    m.extend_from_slice(&((19 + body.len()) as u16).to_be_bytes());
    m.push(2);
    m.extend_from_slice(&body);
    m
}

fn origin() -> Vec<u8> {
    at(0x40, t::ORIGIN, &[0])
}
fn as_path(asns: &[u32]) -> Vec<u8> {
    let mut v = Vec::new();
    crate::AsPath::from_sequence(asns.iter().copied()).encode(true, &mut v);
    at(0x40, t::AS_PATH, &v)
}
fn next_hop() -> Vec<u8> {
    at(0x40, t::NEXT_HOP, &[198, 18, 0, 1])
}
fn base() -> Vec<Vec<u8>> {
    vec![origin(), as_path(&[64500, 64501]), next_hop()]
}
const NLRI: &[u8] = &[24, 45, 183, 47];

fn ctx() -> Context {
    Context::four_octet()
}

fn decode(m: &[u8]) -> Result<Update, MessageError> {
    decode_with(m, &ctx())
}

fn decode_with(m: &[u8], c: &Context) -> Result<Update, MessageError> {
    let owned = match decode_message(m, c) {
        Ok(Message::Update(u)) => Ok(u),
        Ok(other) => panic!("not an update: {other:?}"),
        Err(e) => Err(e),
    };
    view_agrees(m, c, &owned);
    owned
}

/// Every decode in these tests also checks that the borrowed view and the
/// shared-buffer decode say what the owned decode says.
fn view_agrees(m: &[u8], c: &Context, owned: &Result<Update, MessageError>) {
    let view = crate::decode_message_ref(m, c);
    let shared = crate::decode_message_bytes(&bytes::Bytes::copy_from_slice(m), c);
    match (owned, &view) {
        (Ok(u), Ok(crate::MessageRef::Update(v))) => {
            assert!(v.announced().eq(u.announced().copied()), "announced");
            assert!(v.withdrawals().eq(u.withdrawals().copied()), "withdrawals");
            assert!(v.nlri().eq(u.nlri.iter().copied()), "NLRI field");
            assert!(
                v.withdrawn().eq(u.withdrawn.iter().copied()),
                "withdrawn field"
            );
            assert_eq!(v.attrs().raw(), u.attrs.raw(), "attribute block");
            assert_eq!(v.problems(), &u.problems[..]);
            assert_eq!(v.treat_as_withdraw(), u.treat_as_withdraw());
            assert_eq!(v.end_of_rib(), u.end_of_rib());
            assert_eq!(v.mp_reach().map(|r| r.to_mp_reach()), u.mp_reach);
            assert_eq!(v.mp_unreach().map(|r| r.to_mp_unreach()), u.mp_unreach);
            for typ in 0..=255 {
                assert_eq!(v.attrs().get(typ), u.attrs.get(typ), "attribute {typ}");
            }
            assert_eq!(v.attrs().as_path(), u.attrs.as_path());
            assert_eq!(v.attrs().aggregator(), u.attrs.aggregator());
            assert_eq!(&v.to_update(), u);
            assert_eq!(shared.as_ref().ok(), Some(&Message::Update(u.clone())));
        }
        (Err(e), Err(f)) => {
            assert_eq!(e, f, "the views fail differently");
            assert_eq!(shared.as_ref().err(), Some(e));
        }
        (o, v) => panic!("owned decode {o:?} but borrowed {v:?}"),
    }
}

fn round_trips(m: &[u8], c: &Context) {
    let u = decode_with(m, c).unwrap();
    let mut out = Vec::new();
    Message::Update(u).encode(c, &mut out).unwrap();
    assert_eq!(out, m, "encode(decode(m)) != m");
}

fn p(s: &str) -> Nlri {
    Nlri::new(s.parse().unwrap())
}

#[test]
fn ipv4_update_decodes_every_common_attribute() {
    let attrs = vec![
        origin(),
        as_path(&[64500, 4_200_000_000]),
        next_hop(),
        at(0x80, t::MED, &[0, 0, 0, 10]),
        at(0x40, t::ATOMIC_AGGREGATE, &[]),
        at(0xc0, t::AGGREGATOR, &[0, 0, 0xfb, 0xf4, 192, 0, 2, 1]),
        at(
            0xc0,
            t::COMMUNITIES,
            &[0xfb, 0xf4, 0, 100, 0xff, 0xff, 0x02, 0x9a],
        ),
        at(
            0xc0,
            t::EXTENDED_COMMUNITIES,
            &[0, 2, 0xfb, 0xf4, 0, 0, 0, 1],
        ),
        at(
            0xc0,
            t::LARGE_COMMUNITIES,
            &[0, 0, 0xfa, 0x73, 0, 0, 0, 0, 0, 0, 0xfb, 0xf4],
        ),
        at(0xc0, t::OTC, &[0, 0, 0xfb, 0xf4]),
        at(0xc0, 99, &[1, 2, 3]),
    ];
    let m = msg(&[8, 10], &attrs, &[24, 45, 183, 47, 32, 192, 0, 2, 1]);
    let u = decode(&m).unwrap();
    assert!(u.problems.is_empty(), "{:?}", u.problems);
    assert_eq!(u.withdrawn, vec![p("10.0.0.0/8")]);
    assert_eq!(u.nlri, vec![p("45.183.47.0/24"), p("192.0.2.1/32")]);
    let a = &u.attrs;
    assert_eq!(a.origin(), Some(Origin::Igp));
    assert_eq!(a.as_path().unwrap().to_string(), "64500 4200000000");
    assert_eq!(a.next_hop().unwrap().to_string(), "198.18.0.1");
    assert_eq!(a.med(), Some(10));
    assert!(a.atomic_aggregate());
    assert_eq!(
        a.aggregator(),
        Some((Asn(64500), "192.0.2.1".parse().unwrap()))
    );
    assert_eq!(
        a.communities().collect::<Vec<_>>(),
        vec![Community::new(64500, 100), Community::BLACKHOLE]
    );
    assert_eq!(a.ext_communities().count(), 1);
    assert_eq!(
        a.large_communities().collect::<Vec<_>>(),
        vec![LargeCommunity::new(64115, 0, 64500)]
    );
    assert_eq!(a.otc(), Some(Asn(64500)));
    assert_eq!(a.get(99), Some(&[1u8, 2, 3][..]));
    round_trips(&m, &ctx());
}

#[test]
fn ipv6_mp_reach_and_unreach() {
    let mut reach = vec![0, 2, 1, 32];
    reach.extend_from_slice(
        &"2001:db8::1"
            .parse::<std::net::Ipv6Addr>()
            .unwrap()
            .octets(),
    );
    reach.extend_from_slice(&"fe80::1".parse::<std::net::Ipv6Addr>().unwrap().octets());
    reach.push(0);
    reach.extend_from_slice(&[
        32, 0x28, 0x03, 0xcd, 0x60, 48, 0x28, 0x03, 0xcd, 0x60, 0x64, 0x11,
    ]);
    let unreach = [0, 2, 1, 64, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1];
    let m = msg(
        &[],
        &[
            at(0x90, t::MP_REACH_NLRI, &reach),
            origin(),
            as_path(&[64500]),
            at(0x80, t::MP_UNREACH_NLRI, &unreach),
        ],
        &[],
    );
    let u = decode(&m).unwrap();
    assert!(u.problems.is_empty());
    let r = u.mp_reach.as_ref().unwrap();
    assert_eq!(r.family, Family::IPV6_UNICAST);
    assert_eq!(
        r.next_hop,
        NextHop::V6 {
            global: "2001:db8::1".parse().unwrap(),
            link_local: Some("fe80::1".parse().unwrap())
        }
    );
    assert_eq!(
        u.announced().copied().collect::<Vec<_>>(),
        vec![p("2803:cd60::/32"), p("2803:cd60:6411::/48")]
    );
    assert_eq!(
        u.withdrawals().copied().collect::<Vec<_>>(),
        vec![p("2001:db8:0:1::/64")]
    );
    round_trips(&m, &ctx());
}

#[test]
fn ipv4_nlri_with_ipv6_next_hop_rfc_8950() {
    let mut reach = vec![0, 1, 1, 16];
    reach.extend_from_slice(
        &"2803:cd60:6411:5::10"
            .parse::<std::net::Ipv6Addr>()
            .unwrap()
            .octets(),
    );
    reach.push(0);
    reach.extend_from_slice(&[24, 45, 183, 47]);
    let m = msg(
        &[],
        &[
            origin(),
            as_path(&[64500]),
            at(0x80, t::MP_REACH_NLRI, &reach),
        ],
        &[],
    );
    let u = decode(&m).unwrap();
    assert!(u.problems.is_empty());
    let r = u.mp_reach.as_ref().unwrap();
    assert_eq!(r.family, Family::IPV4_UNICAST);
    assert!(matches!(
        r.next_hop,
        NextHop::V6 {
            link_local: None,
            ..
        }
    ));
    assert_eq!(r.nlri.prefixes(), &[p("45.183.47.0/24")]);
}

#[test]
fn add_path_identifiers() {
    let c = Context {
        add_path_rx: Context::add_path_bit(Family::IPV4_UNICAST),
        ..ctx()
    };
    let m = msg(
        &[0, 0, 0, 9, 8, 10],
        &base(),
        &[0, 0, 0, 1, 24, 45, 183, 47, 0, 0, 0, 2, 24, 45, 183, 47],
    );
    let u = decode_with(&m, &c).unwrap();
    assert_eq!(u.withdrawn[0].path_id, Some(9));
    assert_eq!(
        u.nlri.iter().map(|n| n.path_id).collect::<Vec<_>>(),
        vec![Some(1), Some(2)]
    );
    round_trips(&m, &c);
    // Without ADD-PATH negotiated, the same octets are not a valid NLRI field.
    assert!(decode(&m).is_err());
}

#[test]
fn end_of_rib_markers() {
    let b = UpdateBuilder::new(ctx());
    let v4 = decode(&b.end_of_rib(Family::IPV4_UNICAST)).unwrap();
    assert_eq!(v4.end_of_rib(), Some(Family::IPV4_UNICAST));
    let v6 = decode(&b.end_of_rib(Family::IPV6_UNICAST)).unwrap();
    assert_eq!(v6.end_of_rib(), Some(Family::IPV6_UNICAST));
    let normal = decode(&msg(&[], &base(), NLRI)).unwrap();
    assert_eq!(normal.end_of_rib(), None);
}

fn reset(m: &[u8]) -> (u8, u8) {
    let e = decode(m).unwrap_err();
    assert!(e.offset < m.len(), "offset {} out of the message", e.offset);
    (e.notification.code, e.notification.subcode)
}

fn problem(m: &[u8]) -> (Rfc7606Action, Option<u8>, Update) {
    let u = decode(m).unwrap();
    assert_eq!(u.problems.len(), 1, "{:?}", u.problems);
    (u.problems[0].action, u.problems[0].attr_type, u)
}

#[test]
fn rfc7606_session_reset_cases() {
    // Body shorter than the two length fields: the header check catches it
    // (Bad Message Length), and the body decoder on its own says 3/1.
    let mut short = vec![0xff; 16];
    short.extend_from_slice(&[0, 22, 2, 0, 0, 0]);
    assert_eq!(reset(&short), (1, 2));
    let e = Update::decode(&[0, 0, 0], &ctx()).unwrap_err();
    assert_eq!((e.notification.code, e.notification.subcode), (3, 1));
    // Withdrawn Routes Length overruns the message.
    let mut m = msg(&[], &base(), NLRI);
    m[19] = 0x10;
    assert_eq!(reset(&m), (3, 1));
    // Total Path Attribute Length overruns the message.
    let mut m = msg(&[], &base(), NLRI);
    m[21] = 0x40;
    assert_eq!(reset(&m), (3, 1));
    // NLRI prefix length 33.
    assert_eq!(reset(&msg(&[], &base(), &[33, 1, 2, 3, 4, 5])), (3, 10));
    // Withdrawn prefix overruns its field.
    assert_eq!(reset(&msg(&[24, 10, 0], &base(), NLRI)), (3, 10));
    // Unrecognised well-known attribute (optional bit clear, type 77): data is the attribute.
    let m = msg(
        &[],
        &[origin(), at(0x40, 77, &[1]), as_path(&[1]), next_hop()],
        NLRI,
    );
    let e = decode(&m).unwrap_err();
    assert_eq!((e.notification.code, e.notification.subcode), (3, 2));
    assert_eq!(e.notification.data, vec![0x40, 77, 1, 1]);
    // Two MP_REACH_NLRI.
    let reach = [
        0, 2, 1, 16, 0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 32, 0x28, 3, 0xcd,
        0x60,
    ];
    let m = msg(
        &[],
        &[
            origin(),
            as_path(&[1]),
            at(0x80, 14, &reach),
            at(0x80, 14, &reach),
        ],
        &[],
    );
    assert_eq!(reset(&m), (3, 1));
    // MP_REACH_NLRI too short for its fixed fields.
    assert_eq!(
        reset(&msg(
            &[],
            &[origin(), as_path(&[1]), at(0x80, 14, &[0, 2, 1])],
            &[]
        )),
        (3, 9)
    );
    // MP_REACH_NLRI next hop length overruns.
    assert_eq!(
        reset(&msg(
            &[],
            &[origin(), as_path(&[1]), at(0x80, 14, &[0, 2, 1, 200, 0])],
            &[]
        )),
        (3, 9)
    );
    // MP_REACH_NLRI NLRI unparseable.
    let mut bad = reach.to_vec();
    bad.extend_from_slice(&[129]);
    assert_eq!(
        reset(&msg(
            &[],
            &[origin(), as_path(&[1]), at(0x80, 14, &bad)],
            &[]
        )),
        (3, 9)
    );
    // MP_UNREACH_NLRI NLRI unparseable.
    assert_eq!(
        reset(&msg(&[], &[at(0x80, 15, &[0, 2, 1, 64, 0x20])], &[])),
        (3, 9)
    );
}

#[test]
fn rfc7606_treat_as_withdraw_cases() {
    let cases: Vec<(Vec<Vec<u8>>, u8)> = vec![
        (
            vec![at(0x40, t::ORIGIN, &[3]), as_path(&[1]), next_hop()],
            t::ORIGIN,
        ),
        (
            vec![at(0x40, t::ORIGIN, &[0, 0]), as_path(&[1]), next_hop()],
            t::ORIGIN,
        ),
        (
            vec![
                origin(),
                at(0x40, t::AS_PATH, &[2, 2, 0, 0, 0, 1]),
                next_hop(),
            ],
            t::AS_PATH,
        ),
        (
            vec![
                origin(),
                at(0x40, t::AS_PATH, &[7, 1, 0, 0, 0, 1]),
                next_hop(),
            ],
            t::AS_PATH,
        ),
        (
            vec![origin(), at(0x40, t::AS_PATH, &[2, 0]), next_hop()],
            t::AS_PATH,
        ),
        (
            vec![
                origin(),
                as_path(&[1]),
                at(0x40, t::NEXT_HOP, &[1, 2, 3, 4, 5]),
            ],
            t::NEXT_HOP,
        ),
        (
            vec![origin(), as_path(&[1]), next_hop(), at(0x80, t::MED, &[1])],
            t::MED,
        ),
        (
            vec![
                origin(),
                as_path(&[1]),
                next_hop(),
                at(0xc0, t::COMMUNITIES, &[1, 2, 3]),
            ],
            t::COMMUNITIES,
        ),
        (
            vec![
                origin(),
                as_path(&[1]),
                next_hop(),
                at(0xc0, t::EXTENDED_COMMUNITIES, &[1, 2, 3, 4]),
            ],
            t::EXTENDED_COMMUNITIES,
        ),
        (
            vec![
                origin(),
                as_path(&[1]),
                next_hop(),
                at(0xc0, t::LARGE_COMMUNITIES, &[0; 8]),
            ],
            t::LARGE_COMMUNITIES,
        ),
        (
            vec![
                origin(),
                as_path(&[1]),
                next_hop(),
                at(0xc0, t::OTC, &[0; 3]),
            ],
            t::OTC,
        ),
        // Flags conflict: ORIGIN marked optional.
        (
            vec![at(0xc0, t::ORIGIN, &[0]), as_path(&[1]), next_hop()],
            t::ORIGIN,
        ),
        // Flags conflict: COMMUNITIES marked non-transitive.
        (
            vec![
                origin(),
                as_path(&[1]),
                next_hop(),
                at(0x80, t::COMMUNITIES, &[0, 1, 0, 1]),
            ],
            t::COMMUNITIES,
        ),
    ];
    for (attrs, typ) in cases {
        let (action, at_type, u) = problem(&msg(&[], &attrs, NLRI));
        assert_eq!(action, Rfc7606Action::TreatAsWithdraw, "type {typ}");
        assert_eq!(at_type, Some(typ));
        assert!(u.treat_as_withdraw());
        // The NLRI is still known, so it can be withdrawn.
        assert_eq!(u.nlri, vec![p("45.183.47.0/24")]);
    }
}

#[test]
fn rfc7606_missing_mandatory_and_overrun() {
    let (action, typ, _) = problem(&msg(&[], &[origin(), next_hop()], NLRI));
    assert_eq!((action, typ), (Rfc7606Action::TreatAsWithdraw, None));
    let u = decode(&msg(&[], &[origin(), as_path(&[1])], NLRI)).unwrap();
    assert!(u.problems[0].reason.contains("NEXT_HOP"));
    // A withdrawal-only UPDATE needs no attributes.
    assert!(decode(&msg(&[24, 45, 183, 47], &[], &[]))
        .unwrap()
        .problems
        .is_empty());
    // An MP_REACH UPDATE needs no NEXT_HOP.
    let mut reach = vec![0, 2, 1, 16];
    reach.extend_from_slice(&[
        0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 32, 0x28, 3, 0xcd, 0x60,
    ]);
    assert!(decode(&msg(
        &[],
        &[origin(), as_path(&[1]), at(0x80, 14, &reach)],
        &[]
    ))
    .unwrap()
    .problems
    .is_empty());
    // An attribute whose length runs past the block.
    let mut attrs = base();
    attrs.push(vec![0xc0, t::COMMUNITIES, 200, 0, 0]);
    let (action, typ, u) = problem(&msg(&[], &attrs, NLRI));
    assert_eq!(
        (action, typ),
        (Rfc7606Action::TreatAsWithdraw, Some(t::COMMUNITIES))
    );
    assert_eq!(u.attrs.iter().count(), 3, "the truncated tail is not kept");
}

#[test]
fn rfc7606_attribute_discard_cases() {
    let four = ctx();
    for (extra, typ) in [
        (at(0x40, t::ATOMIC_AGGREGATE, &[1]), t::ATOMIC_AGGREGATE),
        (at(0xc0, t::AGGREGATOR, &[0; 6]), t::AGGREGATOR),
        (at(0x80, t::AGGREGATOR, &[0; 8]), t::AGGREGATOR),
        (at(0xc0, t::AS4_PATH, &[2, 1, 0, 0, 0, 1]), t::AS4_PATH),
        (at(0xc0, t::AS4_AGGREGATOR, &[0; 8]), t::AS4_AGGREGATOR),
    ] {
        let mut attrs = base();
        attrs.push(extra);
        let m = msg(&[], &attrs, NLRI);
        let u = decode_with(&m, &four).unwrap();
        assert_eq!(u.problems.len(), 1, "type {typ}: {:?}", u.problems);
        assert_eq!(u.problems[0].action, Rfc7606Action::AttributeDiscard);
        assert!(
            !u.attrs.has(typ),
            "type {typ} must be removed from the block"
        );
        assert!(!u.treat_as_withdraw());
        assert_eq!(u.attrs.iter().count(), 3);
    }
    // Duplicates: the first is kept.
    let mut attrs = base();
    attrs.push(at(0xc0, t::COMMUNITIES, &[0, 1, 0, 1]));
    attrs.push(at(0xc0, t::COMMUNITIES, &[0, 2, 0, 2]));
    let (action, _, u) = problem(&msg(&[], &attrs, NLRI));
    assert_eq!(action, Rfc7606Action::AttributeDiscard);
    assert_eq!(
        u.attrs.communities().collect::<Vec<_>>(),
        vec![Community::new(1, 1)]
    );
}

#[test]
fn local_pref_from_external_peer_is_ignored() {
    let mut attrs = base();
    attrs.push(at(0x40, t::LOCAL_PREF, &[0, 0, 0, 200]));
    let m = msg(&[], &attrs, NLRI);
    let u = decode(&m).unwrap();
    assert!(u.problems.is_empty());
    assert_eq!(u.attrs.local_pref(), None);
    let collector = Context {
        collector: true,
        ..ctx()
    };
    assert_eq!(
        decode_with(&m, &collector).unwrap().attrs.local_pref(),
        Some(200)
    );
}

#[test]
fn mp_reach_bad_next_hop_length_is_treat_as_withdraw() {
    let reach = [0, 2, 1, 5, 1, 2, 3, 4, 5, 0, 32, 0x28, 3, 0xcd, 0x60];
    let (action, typ, u) = problem(&msg(
        &[],
        &[origin(), as_path(&[1]), at(0x80, 14, &reach)],
        &[],
    ));
    assert_eq!((action, typ), (Rfc7606Action::TreatAsWithdraw, Some(14)));
    assert_eq!(u.announced().count(), 1);
    // Wrong flags on MP_REACH: still parsed, treat-as-withdraw.
    let reach = [
        0, 2, 1, 16, 0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 32, 0x28, 3, 0xcd,
        0x60,
    ];
    let (action, _, u) = problem(&msg(
        &[],
        &[origin(), as_path(&[1]), at(0xc0, 14, &reach)],
        &[],
    ));
    assert_eq!(action, Rfc7606Action::TreatAsWithdraw);
    assert_eq!(u.announced().count(), 1);
}

#[test]
fn two_octet_session_with_as4_path() {
    let two = Context::default();
    let mut as4 = Vec::new();
    crate::AsPath::from_sequence([64500, 4_200_000_001]).encode(true, &mut as4);
    let attrs = vec![
        origin(),
        at(0x40, t::AS_PATH, &[2, 2, 0xfb, 0xf4, 0x5b, 0xa0]),
        next_hop(),
        at(0xc0, t::AS4_PATH, &as4),
    ];
    let m = msg(&[], &attrs, NLRI);
    let u = decode_with(&m, &two).unwrap();
    assert!(u.problems.is_empty());
    assert_eq!(u.attrs.as_path().unwrap().to_string(), "64500 4200000001");
    round_trips(&m, &two);
    let norm = u.attrs.normalized();
    assert_eq!(norm.as_path().unwrap().to_string(), "64500 4200000001");
    assert!(!norm.has(t::AS4_PATH));
}

#[test]
fn unknown_optional_transitive_kept_byte_exact_and_extended_length() {
    let big = vec![7u8; 300];
    let mut attrs = base();
    attrs.push(at(0xd0, 200, &big));
    attrs.push(at(0x80, 201, &[9]));
    let m = msg(&[], &attrs, NLRI);
    let u = decode(&m).unwrap();
    assert!(u.problems.is_empty());
    assert_eq!(u.attrs.get(200).map(|v| v.len()), Some(300));
    round_trips(&m, &ctx());
}

#[test]
fn rib_entry_attributes_with_abbreviated_mp_reach() {
    let mut nh = vec![16];
    nh.extend_from_slice(
        &"2001:db8::1"
            .parse::<std::net::Ipv6Addr>()
            .unwrap()
            .octets(),
    );
    let block = [origin(), as_path(&[64500]), at(0x80, 14, &nh)].concat();
    let r = crate::attr::decode_rib_attributes(
        &block,
        &Context {
            collector: true,
            ..ctx()
        },
    )
    .unwrap();
    assert!(r.problems.is_empty());
    assert_eq!(
        r.mp_next_hop,
        Some(NextHop::V6 {
            global: "2001:db8::1".parse().unwrap(),
            link_local: None
        })
    );
}

fn decode_all(msgs: &[Vec<u8>], c: &Context) -> Vec<Update> {
    msgs.iter().map(|m| decode_with(m, c).unwrap()).collect()
}

fn many_v4(n: u32) -> Vec<Nlri> {
    (0..n)
        .map(|i| {
            Nlri::new(
                Prefix::new(std::net::Ipv4Addr::from(0x2d00_0000 + (i << 8)).into(), 24).unwrap(),
            )
        })
        .collect()
}

#[test]
fn builder_packs_ipv4_within_4096() {
    let c = ctx();
    let b = UpdateBuilder::new(c);
    let attrs = PathAttributes::from_validated(
        bytes::Bytes::from([origin(), as_path(&[64500, 64501])].concat()),
        true,
    );
    let nlri = many_v4(5000);
    let mut out = Vec::new();
    let n = b
        .announce(
            &attrs,
            &NextHop::V4("198.18.0.1".parse().unwrap()),
            Family::IPV4_UNICAST,
            &nlri,
            &mut out,
        )
        .unwrap();
    assert_eq!(n, out.len());
    assert!(
        out.len() >= 5000 * 4 / 4096 && out.len() <= 5000 * 4 / 4000 + 2,
        "{} messages",
        out.len()
    );
    assert!(out.iter().all(|m| m.len() <= 4096));
    let got: Vec<Nlri> = decode_all(&out, &c)
        .iter()
        .flat_map(|u| {
            assert!(u.problems.is_empty());
            assert_eq!(u.attrs.next_hop(), Some("198.18.0.1".parse().unwrap()));
            u.nlri.clone()
        })
        .collect();
    assert_eq!(got, nlri);
    // Withdrawals.
    out.clear();
    b.withdraw(Family::IPV4_UNICAST, &nlri, &mut out).unwrap();
    assert!(out.iter().all(|m| m.len() <= 4096));
    let got: Vec<Nlri> = decode_all(&out, &c)
        .iter()
        .flat_map(|u| u.withdrawn.clone())
        .collect();
    assert_eq!(got, nlri);
}

#[test]
fn builder_packs_ipv6_with_mp_reach_in_type_order_and_extended_messages() {
    let c = Context {
        extended_messages: true,
        add_path_rx: Context::add_path_bit(Family::IPV6_UNICAST),
        ..ctx()
    };
    let b = UpdateBuilder::new(c);
    let attrs = PathAttributes::from_validated(
        bytes::Bytes::from(
            [
                origin(),
                as_path(&[64500]),
                at(0xc0, t::LARGE_COMMUNITIES, &[0; 12]),
            ]
            .concat(),
        ),
        true,
    );
    let nlri: Vec<Nlri> = (0..20000u128)
        .map(|i| Nlri {
            path_id: Some(i as u32),
            prefix: Prefix::new(
                std::net::Ipv6Addr::from((0x2803_cd60u128 << 96) + (i << 80)).into(),
                48,
            )
            .unwrap(),
        })
        .collect();
    let nh = NextHop::V6 {
        global: "2001:db8::1".parse().unwrap(),
        link_local: Some("fe80::1".parse().unwrap()),
    };
    let mut out = Vec::new();
    b.announce(&attrs, &nh, Family::IPV6_UNICAST, &nlri, &mut out)
        .unwrap();
    assert!(out.iter().all(|m| m.len() <= 65535));
    assert!(
        out.iter().any(|m| m.len() > 4096),
        "extended messages are used"
    );
    let ups = decode_all(&out, &c);
    for u in &ups {
        assert!(u.problems.is_empty());
        assert_eq!(
            u.attrs.iter().map(|a| a.type_code).collect::<Vec<_>>(),
            vec![1, 2, 14, 32]
        );
        assert_eq!(u.mp_reach.as_ref().unwrap().next_hop, nh);
    }
    let got: Vec<Nlri> = ups.iter().flat_map(|u| u.announced().copied()).collect();
    assert_eq!(got, nlri);
    out.clear();
    b.withdraw(Family::IPV6_UNICAST, &nlri, &mut out).unwrap();
    let got: Vec<Nlri> = decode_all(&out, &c)
        .iter()
        .flat_map(|u| u.withdrawals().copied())
        .collect();
    assert_eq!(got, nlri);
}

#[test]
fn builder_replaces_next_hop_and_refuses_oversized_attributes() {
    let b = UpdateBuilder::new(ctx());
    let attrs = PathAttributes::from_validated(bytes::Bytes::from(base().concat()), true);
    let mut out = Vec::new();
    b.announce(
        &attrs,
        &NextHop::V4("198.18.0.99".parse().unwrap()),
        Family::IPV4_UNICAST,
        &many_v4(3),
        &mut out,
    )
    .unwrap();
    assert_eq!(
        decode(&out[0]).unwrap().attrs.next_hop(),
        Some("198.18.0.99".parse().unwrap())
    );
    let huge = PathAttributes::from_validated(
        bytes::Bytes::from([base().concat(), at(0xc0, 200, &[0; 4090])].concat()),
        true,
    );
    out.clear();
    assert!(b
        .announce(
            &huge,
            &NextHop::V4("198.18.0.1".parse().unwrap()),
            Family::IPV4_UNICAST,
            &many_v4(1),
            &mut out
        )
        .is_err());
}

fn arb_prefix() -> impl Strategy<Value = Prefix> {
    prop_oneof![
        (any::<u32>(), 0u8..=32).prop_map(|(a, l)| Prefix::new(
            std::net::Ipv4Addr::from(a).into(),
            l
        )
        .unwrap()),
        (any::<u128>(), 0u8..=128).prop_map(|(a, l)| Prefix::new(
            std::net::Ipv6Addr::from(a).into(),
            l
        )
        .unwrap()),
    ]
}

proptest! {
    #[test]
    fn built_updates_decode_to_what_was_built(
        prefixes in prop::collection::vec(arb_prefix(), 1..400),
        path in prop::collection::vec(any::<u32>(), 0..300),
        comms in prop::collection::vec(any::<u32>(), 0..50),
        add_path in any::<bool>(),
        ext in any::<bool>(),
    ) {
        let mut c = ctx();
        c.extended_messages = ext;
        if add_path { c.add_path_rx = 0xff; }
        let mut path_v = Vec::new();
        crate::AsPath::from_sequence(path.iter().copied()).encode(true, &mut path_v);
        let mut parts = vec![origin(), at(0x40, t::AS_PATH, &path_v)];
        if !comms.is_empty() {
            let v: Vec<u8> = comms.iter().flat_map(|c| c.to_be_bytes()).collect();
            parts.push(at(0xc0, t::COMMUNITIES, &v));
        }
        let attrs = PathAttributes::from_validated(bytes::Bytes::from(parts.concat()), true);
        let b = UpdateBuilder::new(c);
        for (fam, nh) in [
            (Family::IPV4_UNICAST, NextHop::V4("198.18.0.1".parse().unwrap())),
            (Family::IPV6_UNICAST, NextHop::V6 { global: "2001:db8::1".parse().unwrap(), link_local: None }),
        ] {
            let nlri: Vec<Nlri> = prefixes.iter().filter(|p| p.afi() == fam.afi).enumerate()
                .map(|(i, p)| Nlri { path_id: add_path.then_some(i as u32), prefix: *p }).collect();
            let mut out = Vec::new();
            b.announce(&attrs, &nh, fam, &nlri, &mut out).unwrap();
            let mut got = Vec::new();
            for m in &out {
                prop_assert!(m.len() <= c.max_message_len());
                let u = decode_with(m, &c).unwrap();
                prop_assert!(u.problems.is_empty());
                prop_assert_eq!(u.attrs.as_path().unwrap().asns().map(|a| a.0).collect::<Vec<_>>(), path.clone());
                prop_assert_eq!(u.attrs.communities().map(|x| x.0).collect::<Vec<_>>(), comms.clone());
                got.extend(u.announced().copied());
                // encode(decode(m)) == m
                let mut re = Vec::new();
                Message::Update(u).encode(&c, &mut re).unwrap();
                prop_assert_eq!(&re, m);
            }
            prop_assert_eq!(got, nlri);
        }
    }

    #[test]
    fn decoding_arbitrary_bodies_never_panics(body in prop::collection::vec(any::<u8>(), 0..600), four in any::<bool>(), ap in any::<u8>()) {
        let c = Context { four_octet_as: four, add_path_rx: ap, ..Context::default() };
        let view = decode_update_ref(&body, &c);
        match (&view, Update::decode(&body, &c)) {
            (Ok(v), Ok(u)) => {
                prop_assert_eq!(&v.to_update(), &u);
                prop_assert!(v.announced().eq(u.announced().copied()));
                prop_assert!(v.withdrawals().eq(u.withdrawals().copied()));
            }
            (Err(e), Err(f)) => prop_assert_eq!(e, &f),
            (v, u) => prop_assert!(false, "borrowed {:?} but owned {:?}", v, u),
        }
        if let Ok(u) = Update::decode(&body, &c) {
            // Whatever decodes re-encodes and decodes to the same routes.
            let mut re = Vec::new();
            if Message::Update(u.clone()).encode(&c, &mut re).is_ok() {
                let again = decode_with(&re, &c).unwrap();
                prop_assert_eq!(again.announced().collect::<Vec<_>>(), u.announced().collect::<Vec<_>>());
                prop_assert_eq!(again.withdrawals().collect::<Vec<_>>(), u.withdrawals().collect::<Vec<_>>());
            }
        }
    }
}
