//! Tests of OPEN negotiation: one per NOTIFICATION, the RFC 9234 role
//! matrix, hold times, ADD-PATH per family and 4-octet AS with AS_TRANS.

use super::*;
use condor_wire::capability::AddPathMode;

const V4: Family = Family::IPV4_UNICAST;
const V6: Family = Family::IPV6_UNICAST;
const FLOWSPEC: Family = Family::new(1, 133);

fn rs_policy() -> PeerPolicy {
    PeerPolicy::route_server(Asn(64500), Ipv4Addr::new(192, 0, 2, 1), Asn(64511))
}

/// A member's OPEN: 4-octet AS, both unicast families, route refresh, role rs-client.
fn member(asn: u32) -> Open {
    Open::new(Asn(asn), 180, Ipv4Addr::new(198, 51, 100, 7))
        .with(Capability::Multiprotocol(V4))
        .with(Capability::Multiprotocol(V6))
        .with(Capability::RouteRefresh)
        .with(Capability::Role(Role::RouteServerClient))
}

fn run(remote: &Open, policy: &PeerPolicy) -> Result<Negotiated, Notification> {
    negotiate(&policy.open(), remote, policy)
}

fn code(r: Result<Negotiated, Notification>) -> (u8, u8) {
    let n = r.expect_err("negotiation should fail");
    (n.code, n.subcode)
}

#[test]
fn route_server_and_member_agree() {
    let p = rs_policy();
    let n = run(&member(64511), &p).unwrap();
    assert_eq!(n.remote_asn, Asn(64511));
    assert_eq!(n.remote_id, Ipv4Addr::new(198, 51, 100, 7));
    assert!(!n.internal);
    assert_eq!((n.hold_time, n.keepalive), (90, 30));
    assert_eq!(n.hold_duration(), Duration::from_secs(90));
    assert_eq!(n.keepalive_duration(), Duration::from_secs(30));
    assert_eq!(n.families, vec![V4, V6]);
    assert!(n.four_octet_as && n.route_refresh);
    assert!(!n.enhanced_route_refresh, "the member did not announce it");
    assert!(!n.extended_messages, "the member did not announce it");
    assert_eq!(n.remote_role, Some(Role::RouteServerClient));
    assert_eq!(n.graceful_restart, None);
    assert_eq!(
        n.codec,
        Context {
            four_octet_as: true,
            ..Context::default()
        }
    );
}

#[test]
fn unsupported_version_is_2_1_with_our_version() {
    let mut o = member(64511);
    o.version = 3;
    let n = run(&o, &rs_policy()).unwrap_err();
    assert_eq!((n.code, n.subcode, n.data), (2, 1, vec![0, 4]));
}

#[test]
fn wrong_peer_as_is_2_2() {
    assert_eq!(code(run(&member(64512), &rs_policy())), (2, 2));
}

#[test]
fn four_octet_peer_as_comes_from_the_capability() {
    let mut p = rs_policy();
    p.remote_asn = Asn(4_200_000_001);
    let o = member(4_200_000_001);
    assert_eq!(o.my_as_field(), 23456, "AS_TRANS in My Autonomous System");
    let n = run(&o, &p).unwrap();
    assert_eq!(n.remote_asn, Asn(4_200_000_001));
    assert!(n.four_octet_as);

    // A 2-octet speaker can only show AS_TRANS: not the configured ASN.
    let mut old = member(23456);
    old.capabilities
        .retain(|c| !matches!(c, Capability::FourOctetAs(_)));
    assert_eq!(old.asn, Asn::TRANS);
    assert_eq!(code(run(&old, &p)), (2, 2));
}

#[test]
fn two_octet_speaker_without_the_capability_negotiates_two_octet_as() {
    let mut o = member(64511);
    o.capabilities
        .retain(|c| !matches!(c, Capability::FourOctetAs(_)));
    let n = run(&o, &rs_policy()).unwrap();
    assert!(!n.four_octet_as);
    assert!(!n.codec.four_octet_as);
}

#[test]
fn my_as_field_inconsistent_with_the_capability_is_2_2() {
    // Capability says 64511, My Autonomous System says 64999.
    let mut o = member(64511);
    o.my_as_override = Some(64999);
    assert!(!o.asn_field_consistent());
    assert_eq!(code(run(&o, &rs_policy())), (2, 2));
    // AS_TRANS in the field although the ASN fits two octets.
    o.my_as_override = Some(23456);
    assert_eq!(code(run(&o, &rs_policy())), (2, 2));
}

#[test]
fn hold_time_negotiation() {
    let p = rs_policy();
    let hold = |t: u16, p: &PeerPolicy| {
        let mut o = member(64511);
        o.hold_time = t;
        run(&o, p)
            .map(|n| (n.hold_time, n.keepalive))
            .map_err(|n| (n.code, n.subcode))
    };
    assert_eq!(hold(0, &p), Ok((0, 0)), "0: no hold timer, no keepalives");
    assert_eq!(hold(1, &p), Err((2, 6)));
    assert_eq!(hold(2, &p), Err((2, 6)));
    assert_eq!(hold(3, &p), Ok((3, 1)));
    assert_eq!(hold(4, &p), Ok((4, 1)));
    assert_eq!(hold(30, &p), Ok((30, 10)));
    assert_eq!(hold(90, &p), Ok((90, 30)));
    assert_eq!(hold(65535, &p), Ok((90, 30)), "ours is smaller");

    let mut strict = rs_policy();
    strict.min_hold_time = 10;
    strict.accept_zero_hold_time = false;
    assert_eq!(hold(0, &strict), Err((2, 6)));
    assert_eq!(hold(9, &strict), Err((2, 6)));
    assert_eq!(hold(10, &strict), Ok((10, 3)));

    let mut zero = rs_policy();
    zero.hold_time = 0;
    assert_eq!(hold(180, &zero), Ok((0, 0)), "our 0 wins too");
}

#[test]
fn bgp_identifier_rules_of_rfc_6286() {
    let p = rs_policy();
    let mut o = member(64511);
    o.bgp_id = Ipv4Addr::UNSPECIFIED;
    assert_eq!(code(run(&o, &p)), (2, 3));

    // External peer with our identifier: allowed (RFC 6286 §2.2).
    o.bgp_id = p.local_id;
    assert!(run(&o, &p).is_ok());

    // Internal peer with our identifier: Bad BGP Identifier.
    let mut ibgp = rs_policy();
    ibgp.remote_asn = ibgp.local_asn;
    ibgp.local_role = None;
    let mut o = member(64500);
    o.bgp_id = ibgp.local_id;
    assert_eq!(code(run(&o, &ibgp)), (2, 3));
    o.bgp_id = Ipv4Addr::new(192, 0, 2, 2);
    let n = run(&o, &ibgp).unwrap();
    assert!(n.internal);
}

#[test]
fn role_matrix_of_rfc_9234() {
    let roles = [
        Role::Provider,
        Role::RouteServer,
        Role::RouteServerClient,
        Role::Customer,
        Role::Peer,
        Role::Unknown(7),
    ];
    let allowed = [
        (Role::Provider, Role::Customer),
        (Role::Customer, Role::Provider),
        (Role::RouteServer, Role::RouteServerClient),
        (Role::RouteServerClient, Role::RouteServer),
        (Role::Peer, Role::Peer),
    ];
    let mut checked = 0;
    for ours in roles.iter().copied().map(Some).chain([None]) {
        for theirs in roles.iter().copied().map(Some).chain([None]) {
            for strict in [false, true] {
                let mut p = rs_policy();
                p.local_role = ours;
                p.strict_role = strict;
                let mut o = member(64511);
                o.capabilities.retain(|c| !matches!(c, Capability::Role(_)));
                if let Some(r) = theirs {
                    o = o.with(Capability::Role(r));
                }
                let expect_ok = match (ours, theirs) {
                    (None, _) => true,
                    (Some(_), None) => !strict,
                    (Some(a), Some(b)) => allowed.contains(&(a, b)),
                };
                let got = run(&o, &p);
                match got {
                    Ok(n) => {
                        assert!(
                            expect_ok,
                            "{ours:?} × {theirs:?} strict={strict} should fail"
                        );
                        assert_eq!(n.remote_role, theirs);
                    }
                    Err(n) => {
                        assert!(
                            !expect_ok,
                            "{ours:?} × {theirs:?} strict={strict} should pass, got {n}"
                        );
                        assert_eq!((n.code, n.subcode), (2, 11));
                    }
                }
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 7 * 7 * 2);
}

#[test]
fn repeated_role_capabilities_must_agree() {
    let p = rs_policy();
    let same = member(64511).with(Capability::Role(Role::RouteServerClient));
    assert!(run(&same, &p).is_ok());
    let differ = member(64511).with(Capability::Role(Role::Peer));
    assert_eq!(code(run(&differ, &p)), (2, 11));
}

#[test]
fn no_common_family_is_2_7_with_our_multiprotocol_capabilities() {
    let mut o = member(64511);
    o.capabilities
        .retain(|c| !matches!(c, Capability::Multiprotocol(_)));
    o = o.with(Capability::Multiprotocol(FLOWSPEC));
    let n = run(&o, &rs_policy()).unwrap_err();
    assert_eq!((n.code, n.subcode), (2, 7));
    assert_eq!(n.data, vec![1, 4, 0, 1, 0, 1, 1, 4, 0, 2, 0, 1]);
}

#[test]
fn families_are_the_intersection_with_ipv4_implied() {
    let p = rs_policy();
    let mut none = member(64511);
    none.capabilities
        .retain(|c| !matches!(c, Capability::Multiprotocol(_)));
    assert_eq!(run(&none, &p).unwrap().families, vec![V4]);

    let mut v6 = member(64511);
    v6.capabilities
        .retain(|c| *c != Capability::Multiprotocol(V4));
    assert_eq!(run(&v6, &p).unwrap().families, vec![V6]);

    let mut v6_only_policy = rs_policy();
    v6_only_policy.families = vec![V6];
    assert_eq!(code(run(&none, &v6_only_policy)), (2, 7));
}

#[test]
fn add_path_receive_and_send_intersect_per_family() {
    use AddPathMode::{Both, Receive, Send};
    let modes = [None, Some(Receive), Some(Send), Some(Both)];
    for ours in modes {
        for theirs in modes {
            let mut p = rs_policy();
            p.add_path_send = if ours.is_some_and(|m| m.can_send()) {
                vec![V6]
            } else {
                vec![]
            };
            p.add_path_receive = if ours.is_some_and(|m| m.can_receive()) {
                vec![V6]
            } else {
                vec![]
            };
            let mut o = member(64511);
            if let Some(m) = theirs {
                o = o.with(Capability::AddPath(vec![(V6, m)]));
            }
            let n = run(&o, &p).unwrap();
            let rx = ours.is_some_and(|m| m.can_receive()) && theirs.is_some_and(|m| m.can_send());
            let tx = ours.is_some_and(|m| m.can_send()) && theirs.is_some_and(|m| m.can_receive());
            assert_eq!(
                n.add_path_rx,
                if rx { vec![V6] } else { vec![] },
                "{ours:?}/{theirs:?}"
            );
            assert_eq!(
                n.add_path_tx,
                if tx { vec![V6] } else { vec![] },
                "{ours:?}/{theirs:?}"
            );
            assert_eq!(n.codec.add_path_rx(V6), rx);
            assert_eq!(n.codec.add_path_tx(V6), tx);
            assert!(!n.codec.add_path_rx(V4) && !n.codec.add_path_tx(V4));
        }
    }
}

#[test]
fn add_path_differs_by_family_and_skips_unnegotiated_ones() {
    let mut p = rs_policy();
    p.families = vec![V4, V6, FLOWSPEC];
    p.add_path_receive = vec![V4, V6, FLOWSPEC];
    p.add_path_send = vec![V4];
    let o = member(64511)
        .with(Capability::Multiprotocol(FLOWSPEC))
        .with(Capability::AddPath(vec![
            (V4, AddPathMode::Both),
            (V6, AddPathMode::Receive),
            (FLOWSPEC, AddPathMode::Send),
        ]));
    let n = run(&o, &p).unwrap();
    assert_eq!(n.families, vec![V4, V6, FLOWSPEC]);
    // V4: both ways. V6: the peer only receives and we do not send. FLOWSPEC:
    // the codec has no ADD-PATH bit for it, so it is left out.
    assert_eq!(n.add_path_rx, vec![V4]);
    assert_eq!(n.add_path_tx, vec![V4]);
    assert_eq!(n.codec.add_path_rx, Context::add_path_bit(V4));
    assert_eq!(n.codec.add_path_tx, Context::add_path_bit(V4));

    // A family the peer does not negotiate gets no ADD-PATH.
    let mut o = member(64511).with(Capability::AddPath(vec![(V4, AddPathMode::Both)]));
    o.capabilities
        .retain(|c| *c != Capability::Multiprotocol(V4));
    let n = run(&o, &p).unwrap();
    assert!(n.add_path_rx.is_empty() && n.add_path_tx.is_empty());
}

#[test]
fn extended_messages_need_both_sides() {
    let p = rs_policy();
    let n = run(&member(64511).with(Capability::ExtendedMessage), &p).unwrap();
    assert!(n.extended_messages && n.codec.extended_messages);
    let mut off = rs_policy();
    off.extended_messages = false;
    let n = run(&member(64511).with(Capability::ExtendedMessage), &off).unwrap();
    assert!(!n.extended_messages && !n.codec.extended_messages);
}

#[test]
fn enhanced_route_refresh_and_extended_next_hop_need_both_sides() {
    let p = rs_policy();
    let o = member(64511)
        .with(Capability::EnhancedRouteRefresh)
        .with(Capability::ExtendedNextHop(vec![(V4, Afi::IPV6)]));
    let n = run(&o, &p).unwrap();
    assert!(n.enhanced_route_refresh);
    // We did not announce extended next hop.
    assert!(n.extended_next_hop.is_empty());
    let local = p
        .open()
        .with(Capability::ExtendedNextHop(vec![(V4, Afi::IPV6)]));
    let n = negotiate(&local, &o, &p).unwrap();
    assert_eq!(n.extended_next_hop, vec![(V4, Afi::IPV6)]);
}

#[test]
fn graceful_restart_helper_keeps_negotiated_families_with_f_bit() {
    let gr = Capability::GracefulRestart {
        restart_state: true,
        notification: true,
        restart_time: 120,
        families: vec![(V4, true), (FLOWSPEC, true), (V6, false)],
    };
    let o = member(64511).with(gr);
    let n = run(&o, &rs_policy()).unwrap();
    let g = n.graceful_restart.expect("helper applies");
    assert_eq!(g.restart_time, 120);
    assert!(g.restarted);
    assert!(!g.notification, "we did not set the N bit");
    assert_eq!(g.families, vec![(V4, true), (V6, false)]);

    let mut no_helper = rs_policy();
    no_helper.graceful_restart_helper = false;
    assert_eq!(run(&o, &no_helper).unwrap().graceful_restart, None);
    assert_eq!(
        run(&member(64511), &rs_policy()).unwrap().graceful_restart,
        None
    );
}
