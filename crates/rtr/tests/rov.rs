//! Route origin validation (RFC 6811 §2) on hand-made VRP sets and on the
//! MANRS IXP test file.

use condor_rtr::{origin_as, RovState, RpkiSnapshot, Vrp};
use condor_wire::{AsPath, AsSegment, Asn, Prefix, SegmentKind};

fn p(s: &str) -> Prefix {
    s.parse().expect("test input")
}

fn vrp(prefix: &str, max_len: u8, asn: u32) -> Vrp {
    Vrp {
        prefix: p(prefix),
        max_len,
        asn: Asn(asn),
    }
}

fn snap(vrps: &[Vrp]) -> RpkiSnapshot {
    RpkiSnapshot::new(vrps.iter().copied(), [])
}

#[test]
fn rfc6811_states_with_max_length() {
    let s = snap(&[vrp("10.0.0.0/16", 24, 65000)]);
    let o = Some(Asn(65000));
    assert_eq!(s.rov(&p("10.0.0.0/16"), o), RovState::Valid);
    assert_eq!(s.rov(&p("10.0.255.0/24"), o), RovState::Valid);
    // Longer than maxLength: covered, not matched.
    assert_eq!(s.rov(&p("10.0.1.0/25"), o), RovState::Invalid);
    // Wrong origin.
    assert_eq!(
        s.rov(&p("10.0.0.0/16"), Some(Asn(65001))),
        RovState::Invalid
    );
    // Less specific than the VRP, and outside it: not covered.
    assert_eq!(s.rov(&p("10.0.0.0/8"), o), RovState::NotFound);
    assert_eq!(s.rov(&p("10.1.0.0/16"), o), RovState::NotFound);
}

#[test]
fn max_length_equal_to_prefix_length() {
    let s = snap(&[vrp("192.0.2.0/24", 24, 64496)]);
    assert_eq!(s.rov(&p("192.0.2.0/24"), Some(Asn(64496))), RovState::Valid);
    assert_eq!(
        s.rov(&p("192.0.2.128/25"), Some(Asn(64496))),
        RovState::Invalid
    );
}

#[test]
fn any_matching_vrp_makes_valid() {
    let s = snap(&[
        vrp("10.0.0.0/16", 16, 65001),
        vrp("10.0.0.0/8", 24, 65000),
        vrp("10.0.0.0/16", 16, 65002),
    ]);
    assert_eq!(s.rov(&p("10.0.0.0/16"), Some(Asn(65000))), RovState::Valid);
    assert_eq!(s.rov(&p("10.0.0.0/16"), Some(Asn(65002))), RovState::Valid);
    assert_eq!(
        s.rov(&p("10.0.0.0/16"), Some(Asn(65003))),
        RovState::Invalid
    );
    assert_eq!(s.covering(&p("10.0.0.0/16")).len(), 3);
}

#[test]
fn origin_none_is_invalid_when_covered_else_not_found() {
    let s = snap(&[vrp("10.0.0.0/16", 24, 65000)]);
    assert_eq!(s.rov(&p("10.0.0.0/16"), None), RovState::Invalid);
    assert_eq!(s.rov(&p("11.0.0.0/16"), None), RovState::NotFound);
}

#[test]
fn as0_vrps_cover_but_never_match() {
    // RFC 6483 §4 / RFC 7607: AS0 means "must not be routed".
    let s = snap(&[vrp("192.0.2.0/24", 32, 0)]);
    assert_eq!(s.rov(&p("192.0.2.0/24"), Some(Asn(0))), RovState::Invalid);
    assert_eq!(
        s.rov(&p("192.0.2.0/25"), Some(Asn(64496))),
        RovState::Invalid
    );
    // Another VRP for a real AS still validates that AS.
    let s = snap(&[vrp("192.0.2.0/24", 32, 0), vrp("192.0.2.0/24", 24, 64496)]);
    assert_eq!(s.rov(&p("192.0.2.0/24"), Some(Asn(64496))), RovState::Valid);
    assert_eq!(
        s.rov(&p("192.0.2.0/24"), Some(Asn(64497))),
        RovState::Invalid
    );
    // A /0 AS0 VRP covers every IPv4 route, and no IPv6 route.
    let s = snap(&[vrp("0.0.0.0/0", 32, 0)]);
    assert_eq!(s.rov(&p("203.0.113.0/24"), Some(Asn(1))), RovState::Invalid);
    assert_eq!(s.rov(&p("2001:db8::/32"), Some(Asn(1))), RovState::NotFound);
}

#[test]
fn ipv6_and_families_do_not_mix() {
    let s = snap(&[
        vrp("2001:db8::/32", 48, 64498),
        vrp("::ffff:0:0/96", 128, 64499),
    ]);
    assert_eq!(
        s.rov(&p("2001:db8:1::/48"), Some(Asn(64498))),
        RovState::Valid
    );
    assert_eq!(
        s.rov(&p("2001:db8:1::/49"), Some(Asn(64498))),
        RovState::Invalid
    );
    assert_eq!(
        s.rov(&p("2001:db9::/32"), Some(Asn(64498))),
        RovState::NotFound
    );
    // An IPv4 route is never covered by an IPv6 VRP, even a v4-mapped one.
    assert_eq!(
        s.rov(&p("10.0.0.0/8"), Some(Asn(64499))),
        RovState::NotFound
    );
    // Perú IX peering LAN space is not covered.
    assert_eq!(
        s.rov(&p("2803:cd60:6411:5::/64"), Some(Asn(64115))),
        RovState::NotFound
    );
}

#[test]
fn malformed_vrps_are_dropped_and_duplicates_collapse() {
    let s = snap(&[
        vrp("10.0.0.0/16", 8, 1),  // maxLength shorter than the prefix
        vrp("10.0.0.0/16", 33, 2), // longer than an IPv4 address
        vrp("10.1.0.0/16", 16, 3),
        vrp("10.1.0.0/16", 16, 3),
    ]);
    assert_eq!(s.vrps(), &[vrp("10.1.0.0/16", 16, 3)]);
    assert_eq!(s.rov(&p("10.0.0.0/16"), Some(Asn(1))), RovState::NotFound);
}

#[test]
fn origin_from_as_path() {
    let seq = |asns: &[u32]| AsSegment {
        kind: SegmentKind::Sequence,
        asns: asns.iter().map(|&a| Asn(a)).collect(),
    };
    let set = |asns: &[u32]| AsSegment {
        kind: SegmentKind::Set,
        asns: asns.iter().map(|&a| Asn(a)).collect(),
    };
    let path = |segs: Vec<AsSegment>| AsPath { segments: segs };
    assert_eq!(
        origin_as(&path(vec![seq(&[64501, 64502])])),
        Some(Asn(64502))
    );
    assert_eq!(origin_as(&path(vec![seq(&[64501]), set(&[1, 2])])), None);
    assert_eq!(
        origin_as(&path(vec![set(&[1, 2]), seq(&[64501])])),
        Some(Asn(64501))
    );
    assert_eq!(origin_as(&path(vec![])), None);
}

#[test]
fn rtrtr_vrp_file() {
    let file = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/04-rpki-vrps/rtrtr__vrps-metadata.json"
    );
    if !std::path::Path::new(file).exists() {
        eprintln!("skipped: {file} is absent (shared data not checked out)");
        return;
    }
    let s = condor_rtr::load_file(file).expect("test input");
    assert_eq!(s.rov(&p("192.0.2.0/24"), Some(Asn(64512))), RovState::Valid);
    assert_eq!(
        s.rov(&p("192.0.2.0/25"), Some(Asn(64512))),
        RovState::Invalid
    );
    assert_eq!(
        s.rov(&p("2001:db8::/32"), Some(Asn(4200000000))),
        RovState::Valid
    );
    assert_eq!(
        s.rov(&p("2001:db8::/32"), Some(Asn(64512))),
        RovState::Invalid
    );
    assert_eq!(
        s.rov(&p("198.51.100.0/24"), Some(Asn(64512))),
        RovState::NotFound
    );
}
