use super::*;
use std::net::Ipv4Addr;

const MEMBER: u32 = 262_589;
const LAN: [u8; 4] = [45, 183, 47, 10];

fn p(s: &str) -> Prefix {
    let (a, l) = s.split_once('/').expect("prefix");
    Prefix::new(a.parse().expect("addr"), l.parse().expect("len")).expect("valid")
}

/// Attributes with an AS_SEQUENCE of `path` (and an AS_SET of `set` after it).
fn attrs(path: &[u32], set: &[u32], extra: &[(u8, u8, Vec<u8>)]) -> PathAttributes {
    let mut asp = Vec::new();
    if !path.is_empty() {
        asp.extend([2, path.len() as u8]);
        path.iter().for_each(|a| asp.extend(a.to_be_bytes()));
    }
    if !set.is_empty() {
        asp.extend([1, set.len() as u8]);
        set.iter().for_each(|a| asp.extend(a.to_be_bytes()));
    }
    let mut parts: Vec<(u8, u8, &[u8])> = vec![(0x40, 1, &[0]), (0x40, 2, &asp)];
    for (f, t, v) in extra {
        parts.push((*f, *t, v));
    }
    PathAttributes::from_parts(&parts, true).expect("attrs")
}

fn member(filters: Filters) -> MemberImport {
    MemberImport {
        asn: Asn(MEMBER),
        addresses: vec![IpAddr::from(LAN), IpAddr::from([45, 183, 47, 11])],
        transparent: false,
        irr: None,
        filters: Arc::new(filters),
    }
}

fn nh(a: [u8; 4]) -> NextHop {
    NextHop::V4(Ipv4Addr::from(a))
}

fn reasons(v: Verdict) -> Vec<Reason> {
    v.reasons().collect()
}

#[test]
fn a_clean_route_is_accepted() {
    let m = member(Filters::default());
    let v = evaluate(
        &p("200.48.0.0/16"),
        &attrs(&[MEMBER, 6147], &[], &[]),
        &nh(LAN),
        &m,
        None,
    );
    assert!(v.is_accepted(), "{v:?}");
    assert_eq!(v.rov(), Rov::NotChecked);
}

#[test]
fn every_reason_is_reported_at_once() {
    let m = member(Filters::default());
    // Bogon, too long, wrong next hop, wrong first AS, private ASN, AS_SET.
    let v = evaluate(
        &p("192.168.1.128/25"),
        &attrs(&[64999, 65000], &[3, 4], &[]),
        &nh([45, 183, 47, 99]),
        &m,
        None,
    );
    assert_eq!(
        reasons(v),
        vec![
            Reason::PrefixTooLong,
            Reason::BogonPrefix,
            Reason::BogonAsn,
            Reason::FirstAsNotPeer,
            Reason::NextHopNotPeer,
            Reason::AsSet,
        ]
    );
}

#[test]
fn prefix_length_bounds_per_family() {
    let m = member(Filters::default());
    let a = attrs(&[MEMBER], &[], &[]);
    assert_eq!(
        reasons(evaluate(&p("0.0.0.0/0"), &a, &nh(LAN), &m, None)),
        vec![Reason::PrefixTooShort, Reason::BogonPrefix]
    );
    assert_eq!(
        reasons(evaluate(&p("20.0.0.0/7"), &a, &nh(LAN), &m, None)),
        vec![Reason::PrefixTooShort]
    );
    assert!(evaluate(&p("20.0.0.0/8"), &a, &nh(LAN), &m, None).is_accepted());
    assert!(evaluate(&p("20.1.2.0/24"), &a, &nh(LAN), &m, None).is_accepted());
    let v6nh = NextHop::V6 {
        global: "2803:cd60:6411:5::10".parse().expect("v6"),
        link_local: None,
    };
    let mut m6 = member(Filters::default());
    m6.addresses = vec!["2803:cd60:6411:5::10".parse().expect("v6")];
    assert!(evaluate(&p("2803:cd60::/32"), &a, &v6nh, &m6, None).is_accepted());
    assert_eq!(
        reasons(evaluate(&p("2803:cd60:1:2::/64"), &a, &v6nh, &m6, None)),
        vec![Reason::PrefixTooLong]
    );
    assert_eq!(
        reasons(evaluate(&p("2800::/12"), &a, &v6nh, &m6, None)),
        vec![Reason::PrefixTooShort]
    );
}

#[test]
fn next_hop_policies() {
    let a = attrs(&[MEMBER], &[], &[]);
    let pre = p("200.48.0.0/16");
    let other_router = nh([45, 183, 47, 11]);
    assert_eq!(
        reasons(evaluate(
            &pre,
            &a,
            &other_router,
            &member(Filters::default()),
            None
        )),
        vec![Reason::NextHopNotPeer]
    );
    let same = Filters {
        next_hop: NextHopPolicy::SameMember,
        ..Filters::default()
    };
    assert!(evaluate(&pre, &a, &other_router, &member(same), None).is_accepted());
    let any = Filters {
        next_hop: NextHopPolicy::Any,
        ..Filters::default()
    };
    assert!(evaluate(&pre, &a, &nh([198, 18, 0, 1]), &member(any), None).is_accepted());
}

#[test]
fn transparent_route_server_member_skips_the_first_as_check() {
    let mut m = member(Filters::default());
    let a = attrs(&[6147], &[], &[]);
    assert_eq!(
        reasons(evaluate(&p("200.48.0.0/16"), &a, &nh(LAN), &m, None)),
        vec![Reason::FirstAsNotPeer]
    );
    m.transparent = true;
    assert!(evaluate(&p("200.48.0.0/16"), &a, &nh(LAN), &m, None).is_accepted());
}

#[test]
fn path_length_and_empty_path() {
    let m = member(Filters::default());
    let long: Vec<u32> = std::iter::repeat_n(MEMBER, 33).collect();
    assert_eq!(
        reasons(evaluate(
            &p("200.48.0.0/16"),
            &attrs(&long, &[], &[]),
            &nh(LAN),
            &m,
            None
        )),
        vec![Reason::AsPathTooLong]
    );
    let v = evaluate(
        &p("200.48.0.0/16"),
        &attrs(&[], &[], &[]),
        &nh(LAN),
        &m,
        None,
    );
    assert_eq!(
        reasons(v),
        vec![Reason::AsPathEmpty, Reason::FirstAsNotPeer]
    );
}

#[test]
fn transit_free_networks_rejected_behind_a_member() {
    let m = member(Filters::default());
    let leak = attrs(&[MEMBER, 3356, 15169], &[], &[]);
    assert_eq!(
        reasons(evaluate(&p("8.8.8.0/24"), &leak, &nh(LAN), &m, None)),
        vec![Reason::TransitFree]
    );
    // Prepends of the member's own ASN do not hide a listed network.
    let prepended = attrs(&[MEMBER, MEMBER, 174], &[], &[]);
    assert_eq!(
        reasons(evaluate(&p("38.0.0.0/8"), &prepended, &nh(LAN), &m, None)),
        vec![Reason::TransitFree]
    );
    // An unlisted path behind the member passes.
    let clean = attrs(&[MEMBER, 6147, 15169], &[], &[]);
    assert!(evaluate(&p("8.8.8.0/24"), &clean, &nh(LAN), &m, None).is_accepted());
}

#[test]
fn transit_free_member_own_routes_pass_its_peers_routes_do_not() {
    let mut lumen = member(Filters::default());
    lumen.asn = Asn(3356);
    // Its own ASN at the head, prepended, is exempt: own and customer routes.
    let own = attrs(&[3356, 3356, 15169], &[], &[]);
    assert!(evaluate(&p("8.8.8.0/24"), &own, &nh(LAN), &lumen, None).is_accepted());
    let originated = attrs(&[3356], &[], &[]);
    assert!(evaluate(&p("4.0.0.0/9"), &originated, &nh(LAN), &lumen, None).is_accepted());
    // Another transit-free network behind it: a peer's route re-exported.
    let peer_route = attrs(&[3356, 1299, 15169], &[], &[]);
    assert_eq!(
        reasons(evaluate(
            &p("8.8.8.0/24"),
            &peer_route,
            &nh(LAN),
            &lumen,
            None
        )),
        vec![Reason::TransitFree]
    );
    // arouteserver's global scenario: AS3 listed with 174, path 3 174 33.
    let mut as3 = member(Filters {
        transit_free: [Asn(174), Asn(3)].into_iter().collect(),
        ..Filters::default()
    });
    as3.asn = Asn(3);
    let a = attrs(&[3, 174, 33], &[], &[]);
    assert_eq!(
        reasons(evaluate(&p("3.0.14.0/24"), &a, &nh(LAN), &as3, None)),
        vec![Reason::TransitFree]
    );
    assert!(evaluate(
        &p("3.0.2.0/24"),
        &attrs(&[3], &[], &[]),
        &nh(LAN),
        &as3,
        None
    )
    .is_accepted());
}

#[test]
fn never_via_route_servers_and_otc() {
    let mut f = Filters::default();
    f.never_via_rs.insert(Asn(15169));
    let m = member(f);
    let a = attrs(&[MEMBER, 15169], &[], &[]);
    assert_eq!(
        reasons(evaluate(&p("8.8.8.0/24"), &a, &nh(LAN), &m, None)),
        vec![Reason::NeverViaRs]
    );
    let otc = attrs(
        &[MEMBER],
        &[],
        &[(0xc0, 35, 64500u32.to_be_bytes().to_vec())],
    );
    assert_eq!(
        reasons(evaluate(
            &p("200.48.0.0/16"),
            &otc,
            &nh(LAN),
            &member(Filters::default()),
            None
        )),
        vec![Reason::RouteLeak]
    );
}

struct Roas(Vec<(Prefix, u8, Asn)>, Aspa);

impl RpkiCheck for Roas {
    fn rov(&self, prefix: &Prefix, origin: Option<Asn>) -> Rov {
        let covering: Vec<_> = self
            .0
            .iter()
            .filter(|(p, _, _)| p.contains(prefix))
            .collect();
        if covering.is_empty() {
            return Rov::NotFound;
        }
        let ok = covering
            .iter()
            .any(|(_, max, asn)| prefix.len() <= *max && Some(*asn) == origin && asn.0 != 0);
        if ok {
            Rov::Valid
        } else {
            Rov::Invalid
        }
    }
    fn aspa(&self, _path: &[Asn], _neighbor: Asn) -> Aspa {
        self.1
    }
}

#[test]
fn rpki_policies() {
    let roas = Roas(vec![(p("200.48.0.0/16"), 20, Asn(6147))], Aspa::NotChecked);
    let a = attrs(&[MEMBER, 6147], &[], &[]);
    let m = member(Filters::default());
    let valid = evaluate(&p("200.48.16.0/20"), &a, &nh(LAN), &m, Some(&roas));
    assert!(valid.is_accepted());
    assert_eq!(valid.rov(), Rov::Valid);
    let too_specific = evaluate(&p("200.48.16.0/24"), &a, &nh(LAN), &m, Some(&roas));
    assert_eq!(reasons(too_specific), vec![Reason::RpkiInvalid]);
    assert_eq!(too_specific.rov(), Rov::Invalid);
    let unknown = evaluate(&p("190.0.0.0/16"), &a, &nh(LAN), &m, Some(&roas));
    assert!(unknown.is_accepted());
    assert_eq!(unknown.rov(), Rov::NotFound);
    // Tag only.
    let tag = member(Filters {
        rpki: RpkiPolicy::Tag,
        ..Filters::default()
    });
    let v = evaluate(&p("200.48.16.0/24"), &a, &nh(LAN), &tag, Some(&roas));
    assert!(v.is_accepted());
    assert_eq!(v.rov(), Rov::Invalid);
    // Strict.
    let strict = member(Filters {
        rpki: RpkiPolicy::RejectInvalidAndUnknown,
        ..Filters::default()
    });
    assert_eq!(
        reasons(evaluate(
            &p("190.0.0.0/16"),
            &a,
            &nh(LAN),
            &strict,
            Some(&roas)
        )),
        vec![Reason::RpkiUnknown]
    );
    // An AS_SET origin is invalid where a VRP covers the prefix.
    let set = attrs(&[MEMBER], &[6147], &[]);
    let off_set = member(Filters {
        reject_as_set: false,
        ..Filters::default()
    });
    assert_eq!(
        evaluate(&p("200.48.0.0/16"), &set, &nh(LAN), &off_set, Some(&roas)).rov(),
        Rov::Invalid
    );
    // ASPA.
    let aspa_bad = Roas(vec![], Aspa::Invalid);
    assert_eq!(
        reasons(evaluate(
            &p("190.0.0.0/16"),
            &a,
            &nh(LAN),
            &m,
            Some(&aspa_bad)
        )),
        vec![Reason::AspaInvalid]
    );
}

struct IrrData(Vec<(Prefix, u8)>, Vec<Asn>);

impl IrrCheck for IrrData {
    fn prefix_ok(&self, prefix: &Prefix) -> bool {
        self.0
            .iter()
            .any(|(p, le)| p.contains(prefix) && prefix.len() <= *le)
    }
    fn origin_ok(&self, origin: Asn) -> bool {
        self.1.contains(&origin)
    }
    fn covers(&self, prefix: &Prefix) -> bool {
        self.0.iter().any(|(p, _)| p.contains(prefix))
    }
}

#[test]
fn irr_and_rpki_as_irr() {
    let irr: Arc<dyn IrrCheck> = Arc::new(IrrData(
        vec![(p("200.48.0.0/16"), 24)],
        vec![Asn(MEMBER), Asn(6147)],
    ));
    let mut m = member(Filters::default());
    m.irr = Some(irr.clone());
    let a = attrs(&[MEMBER, 6147], &[], &[]);
    let ok = evaluate(&p("200.48.7.0/24"), &a, &nh(LAN), &m, None);
    assert!(ok.is_accepted());
    assert_eq!(ok.irr(), Irr::Valid);
    let v = evaluate(
        &p("190.0.0.0/16"),
        &attrs(&[MEMBER, 7], &[], &[]),
        &nh(LAN),
        &m,
        None,
    );
    assert_eq!(reasons(v), vec![Reason::IrrPrefix, Reason::IrrOrigin]);
    assert_eq!(v.irr(), Irr::Invalid);
    // RPKI as IRR: the RPKI-valid route outside the route objects passes
    // when its origin is in the AS-SET, not otherwise.
    let roas = Roas(
        vec![
            (p("190.0.0.0/16"), 16, Asn(7)),
            (p("190.1.0.0/16"), 16, Asn(6147)),
        ],
        Aspa::NotChecked,
    );
    let mut lenient = member(Filters {
        rpki_as_irr: true,
        ..Filters::default()
    });
    lenient.irr = Some(irr);
    let v = evaluate(
        &p("190.1.0.0/16"),
        &attrs(&[MEMBER, 6147], &[], &[]),
        &nh(LAN),
        &lenient,
        Some(&roas),
    );
    assert!(v.is_accepted(), "{v:?}");
    assert_eq!(v.irr(), Irr::AcceptedByRpki);
    let v = evaluate(
        &p("190.0.0.0/16"),
        &attrs(&[MEMBER, 7], &[], &[]),
        &nh(LAN),
        &lenient,
        Some(&roas),
    );
    assert_eq!(v.rov(), Rov::Valid);
    assert_eq!(
        v.irr(),
        Irr::Invalid,
        "RPKI-valid, origin AS7 not in the AS-SET"
    );
    assert!(!v.is_accepted());
}

#[test]
fn permissive_member_accepts_anything_well_formed() {
    let m = MemberImport::permissive(Asn(65000));
    let v = evaluate(
        &p("10.0.0.0/8"),
        &attrs(&[64512], &[1], &[]),
        &nh([198, 18, 0, 1]),
        &m,
        None,
    );
    assert!(v.is_accepted(), "{v:?}");
}

#[test]
fn blackhole_routes_for_the_members_own_space() {
    let bh = Some(Blackhole {
        next_hop_v4: Some("45.183.47.66".parse().expect("ip")),
        next_hop_v6: None,
    });
    let irr: Arc<dyn IrrCheck> =
        Arc::new(IrrData(vec![(p("200.48.0.0/16"), 24)], vec![Asn(MEMBER)]));
    let mut m = member(Filters {
        blackhole: bh.clone(),
        ..Filters::default()
    });
    m.irr = Some(irr.clone());
    let tagged = attrs(&[MEMBER], &[], &[(0xc0, 8, vec![0xff, 0xff, 0x02, 0x9a])]);
    // A host route in its own space, whatever the next hop: accepted as blackhole.
    let v = evaluate(&p("200.48.7.9/32"), &tagged, &nh([198, 18, 0, 1]), &m, None);
    assert!(v.is_accepted() && v.is_blackhole(), "{v:?}");
    // Outside its space: refused.
    let v = evaluate(&p("8.8.8.8/32"), &tagged, &nh(LAN), &m, None);
    assert_eq!(reasons(v), vec![Reason::BlackholeNotAllowed]);
    // Not offered for IPv6.
    let mut m6 = m.clone();
    m6.addresses = vec!["2803:cd60:6411:5::10".parse().expect("v6")];
    let v6nh = NextHop::V6 {
        global: "2803:cd60:6411:5::10".parse().expect("v6"),
        link_local: None,
    };
    let v = evaluate(&p("2803:cd60::1/128"), &tagged, &v6nh, &m6, None);
    assert!(v.has(Reason::BlackholeNotAllowed));
    // Blackholing off: an ordinary route, and a /32 is too long.
    let mut off = member(Filters::default());
    off.irr = Some(irr);
    let v = evaluate(&p("200.48.7.9/32"), &tagged, &nh(LAN), &off, None);
    assert!(!v.is_blackhole());
    assert_eq!(reasons(v), vec![Reason::PrefixTooLong, Reason::IrrPrefix]);
}
