//! RIB behaviour tests: transparency, per-client best path without path
//! hiding, withdrawals, session loss, late joiners with End-of-RIB, slow
//! clients with coalescing, 2-octet clients, max-prefix and route refresh.
//! Each client's received messages are decoded and applied to a model of
//! its Adj-RIB-In, which is then compared with what it must hold.

use crate::rib::Scope;
use crate::*;
use condor_policy::MemberImport;
use condor_wire::{
    decode_message, AsPath, Asn, Context, Family, Message, NextHop, Nlri, PathAttributes, Prefix,
};
use std::collections::BTreeMap;
use std::sync::Arc;

pub(crate) struct Client {
    pub(crate) out: Arc<OutQueue>,
    pub(crate) rx: OutReader,
    ctx: Context,
    /// prefix → (AS path, next hop) as the client holds it.
    pub(crate) view: BTreeMap<Prefix, (String, String)>,
    /// prefix → its large communities as the client holds them.
    large: BTreeMap<Prefix, Vec<(u32, u32, u32)>>,
    eor: Vec<Family>,
    pub(crate) messages: usize,
}

impl Client {
    pub(crate) fn drain(&mut self) {
        while let Some(m) = self.rx.try_next() {
            self.out.written(m.len());
            self.messages += 1;
            let Message::Update(u) = decode_message(&m, &self.ctx).expect("valid UPDATE") else {
                panic!("not an UPDATE")
            };
            assert!(u.problems.is_empty(), "{:?}", u.problems);
            if let Some(f) = u.end_of_rib() {
                self.eor.push(f);
                continue;
            }
            for w in u.withdrawals() {
                self.view.remove(&w.prefix);
                self.large.remove(&w.prefix);
            }
            let path = u.attrs.as_path().map(|p| p.to_string()).unwrap_or_default();
            let large: Vec<(u32, u32, u32)> = u
                .attrs
                .large_communities()
                .map(|c| (c.global, c.local1, c.local2))
                .collect();
            for n in u
                .nlri
                .iter()
                .chain(u.mp_reach.iter().flat_map(|r| r.nlri.prefixes()))
            {
                self.large.insert(n.prefix, large.clone());
            }
            for n in &u.nlri {
                self.view.insert(
                    n.prefix,
                    (path.clone(), u.attrs.next_hop().unwrap().to_string()),
                );
            }
            if let Some(r) = &u.mp_reach {
                for n in r.nlri.prefixes() {
                    self.view.insert(
                        n.prefix,
                        (path.clone(), r.next_hop.addr().unwrap().to_string()),
                    );
                }
            }
        }
    }
    pub(crate) fn has(&self, p: &str) -> Option<&str> {
        self.view.get(&p.parse().unwrap()).map(|(a, _)| a.as_str())
    }
}

/// Watermarks small enough for the tests to reach (64 KiB / 16 KiB).
const TEST_HIGH: usize = 64 * 1024;

pub(crate) fn client(rib: &mut Rib, id: PeerId, asn: u32, ctx: Context) -> Client {
    client_opts(rib, id, asn, ctx, false)
}

/// Brings up client `id` (AS `asn`, IPv4 and IPv6, permissive import)
/// whose session sees `ctx`, with a queue of `high` octets; returns the
/// queue and its reader.
pub(crate) fn client_up(
    rib: &mut Rib,
    id: PeerId,
    asn: u32,
    ctx: Context,
    high: usize,
    blackhole: bool,
) -> (Arc<OutQueue>, OutReader) {
    let families = vec![Family::IPV4_UNICAST, Family::IPV6_UNICAST];
    let (out, rx) = OutQueue::with_watermarks(id, families.clone(), high, high / 4);
    rib.peer_up(PeerSpec {
        id,
        name: format!("AS{asn}"),
        asn: Asn(asn),
        addr: format!("45.183.47.{id}").parse().unwrap(),
        router_id: format!("10.0.0.{id}").parse().unwrap(),
        tx: ctx,
        families,
        max_prefix: None,
        out: out.clone(),
        import: Arc::new(MemberImport::permissive(Asn(asn))),
        receive_blackhole: blackhole,
    });
    (out, rx)
}

/// A client that may opt in to blackhole routes.
fn client_opts(rib: &mut Rib, id: PeerId, asn: u32, ctx: Context, blackhole: bool) -> Client {
    let (out, rx) = client_up(rib, id, asn, ctx, TEST_HIGH, blackhole);
    Client {
        out,
        rx,
        ctx,
        view: BTreeMap::new(),
        large: BTreeMap::new(),
        eor: Vec::new(),
        messages: 0,
    }
}

pub(crate) fn attrs(path: &[u32]) -> PathAttributes {
    let mut v = Vec::new();
    AsPath::from_sequence(path.iter().copied()).encode(true, &mut v);
    PathAttributes::from_parts(
        &[(0x40, 1, &[0]), (0x40, 2, &v), (0x40, 3, &[198, 18, 0, 1])],
        true,
    )
    .unwrap()
}

pub(crate) fn announce(path: &[u32], nh: &str, prefixes: &[&str]) -> RouteUpdate {
    let nh = match nh.parse().unwrap() {
        std::net::IpAddr::V4(a) => NextHop::V4(a),
        std::net::IpAddr::V6(a) => NextHop::V6 {
            global: a,
            link_local: None,
        },
    };
    RouteUpdate {
        attrs: attrs(path),
        announce: vec![(
            nh,
            prefixes
                .iter()
                .map(|p| Nlri::new(p.parse().unwrap()))
                .collect(),
        )],
        withdraw: vec![],
        end_of_rib: None,
        export: None,
    }
}

pub(crate) fn withdraw(prefixes: &[&str]) -> RouteUpdate {
    RouteUpdate {
        withdraw: prefixes
            .iter()
            .map(|p| Nlri::new(p.parse().unwrap()))
            .collect(),
        ..Default::default()
    }
}

pub(crate) fn settle(rib: &mut Rib, clients: &mut [&mut Client]) {
    settle_with(rib, || clients.iter_mut().for_each(|c| c.drain()));
}

/// Ends batches and lets the clients read (`drain`) until the RIB has
/// nothing left to send: no backlog, no removal walk under way.
pub(crate) fn settle_with(rib: &mut Rib, mut drain: impl FnMut()) {
    for _ in 0..100 {
        rib.end_batch();
        drain();
        if !rib.flush_backlogs() && !rib.removal_pending() {
            drain();
            return;
        }
    }
    panic!("RIB did not settle");
}

#[test]
fn transparent_relay_and_no_own_routes_back() {
    let mut rib = Rib::new();
    let ctx = Context::four_octet();
    let (mut a, mut b, mut c) = (
        client(&mut rib, 1, 64501, ctx),
        client(&mut rib, 2, 64502, ctx),
        client(&mut rib, 3, 64503, ctx),
    );
    settle(&mut rib, &mut [&mut a, &mut b, &mut c]);
    assert_eq!(
        a.eor,
        vec![Family::IPV4_UNICAST, Family::IPV6_UNICAST],
        "End-of-RIB after the (empty) initial table"
    );
    rib.routes(
        1,
        announce(
            &[64501, 65010],
            "198.18.0.1",
            &["45.183.44.0/24", "45.183.45.0/24"],
        ),
    );
    rib.routes(1, announce(&[64501], "2001:db8::1", &["2803:cd60::/32"]));
    settle(&mut rib, &mut [&mut a, &mut b, &mut c]);
    for x in [&b, &c] {
        assert_eq!(
            x.has("45.183.44.0/24"),
            Some("64501 65010"),
            "AS path unchanged, our AS not added"
        );
        assert_eq!(
            x.view[&"45.183.45.0/24".parse().unwrap()].1,
            "198.18.0.1",
            "next hop unchanged"
        );
        assert_eq!(x.view[&"2803:cd60::/32".parse().unwrap()].1, "2001:db8::1");
    }
    assert!(a.view.is_empty(), "a member never gets its own routes back");
    // The two IPv4 prefixes share attributes: one UPDATE, encoded once for b and c.
    assert!(rib.stats().messages_shared >= 2);
    assert_eq!(rib.stats().attr_sets, 2);
}

#[test]
fn per_client_best_path_without_path_hiding() {
    let mut rib = Rib::new();
    let ctx = Context::four_octet();
    let (mut a, mut b, mut c) = (
        client(&mut rib, 1, 64501, ctx),
        client(&mut rib, 2, 64502, ctx),
        client(&mut rib, 3, 64503, ctx),
    );
    rib.routes(1, announce(&[64501], "198.18.0.1", &["45.183.44.0/24"]));
    rib.routes(
        2,
        announce(&[64502, 64501], "198.18.0.2", &["45.183.44.0/24"]),
    );
    settle(&mut rib, &mut [&mut a, &mut b, &mut c]);
    assert_eq!(c.has("45.183.44.0/24"), Some("64501"), "overall best");
    assert_eq!(b.has("45.183.44.0/24"), Some("64501"));
    assert_eq!(
        a.has("45.183.44.0/24"),
        Some("64502 64501"),
        "a's own path is best overall; a gets the best it may have"
    );
    // The best path is withdrawn: c moves to b's path, b loses the prefix, a keeps its answer.
    let a_msgs = a.messages;
    rib.routes(1, withdraw(&["45.183.44.0/24"]));
    settle(&mut rib, &mut [&mut a, &mut b, &mut c]);
    assert_eq!(c.has("45.183.44.0/24"), Some("64502 64501"));
    assert_eq!(b.has("45.183.44.0/24"), None);
    assert_eq!(a.has("45.183.44.0/24"), Some("64502 64501"));
    assert_eq!(a.messages, a_msgs, "nothing changed for a: nothing sent");
}

#[test]
fn session_loss_withdraws_everywhere_and_late_joiner_gets_table_then_eor() {
    let mut rib = Rib::new();
    let ctx = Context::four_octet();
    let (mut a, mut b) = (
        client(&mut rib, 1, 64501, ctx),
        client(&mut rib, 2, 64502, ctx),
    );
    let many: Vec<String> = (0..3000)
        .map(|i| format!("45.{}.{}.0/24", 100 + i / 256, i % 256))
        .collect();
    let refs: Vec<&str> = many.iter().map(|s| s.as_str()).collect();
    rib.routes(1, announce(&[64501], "198.18.0.1", &refs));
    settle(&mut rib, &mut [&mut a, &mut b]);
    assert_eq!(b.view.len(), 3000);
    let mut d = client(&mut rib, 4, 64504, ctx);
    settle(&mut rib, &mut [&mut a, &mut b, &mut d]);
    assert_eq!(d.view.len(), 3000, "late joiner receives the whole table");
    assert_eq!(d.eor.len(), 2, "then End-of-RIB for each family");
    rib.peer_down(1);
    settle(&mut rib, &mut [&mut b, &mut d]);
    assert!(b.view.is_empty() && d.view.is_empty());
    assert_eq!(rib.stats().paths, 0);
    assert_eq!(rib.stats().prefixes, 0);
}

#[test]
fn slow_client_is_bounded_and_catches_up_with_coalesced_state() {
    let mut rib = Rib::new();
    let ctx = Context::four_octet();
    let (mut a, mut fast, mut slow) = (
        client(&mut rib, 1, 64501, ctx),
        client(&mut rib, 2, 64502, ctx),
        client(&mut rib, 3, 64503, ctx),
    );
    settle(&mut rib, &mut [&mut a, &mut fast, &mut slow]);
    // Churn: 6000 rounds flipping the AS path of the same 8 prefixes, the
    // slow client never reads in between.
    let prefixes = [
        "45.183.44.0/24",
        "45.183.45.0/24",
        "45.183.46.0/24",
        "45.183.47.0/24",
        "2803:cd60::/32",
        "2803:cd60:1::/48",
        "2803:cd60:2::/48",
        "2803:cd60:3::/48",
    ];
    for round in 0..6000u32 {
        rib.routes(
            1,
            announce(&[64501, 65000 + round % 7], "198.18.0.1", &prefixes[..4]),
        );
        rib.routes(
            1,
            announce(&[64501, 65000 + round % 7], "2001:db8::1", &prefixes[4..]),
        );
        rib.end_batch();
        fast.drain();
        a.drain();
        assert!(
            slow.out.queued() <= peer::HIGH_WATERMARK + 4,
            "queue bounded: {}",
            slow.out.queued()
        );
    }
    rib.routes(1, announce(&[64501, 64999], "198.18.0.1", &prefixes[..4]));
    rib.routes(1, announce(&[64501, 64999], "2001:db8::1", &prefixes[4..]));
    settle(&mut rib, &mut [&mut a, &mut fast, &mut slow]);
    assert_eq!(
        slow.view, fast.view,
        "the slow client converges to the same state"
    );
    assert_eq!(slow.has("45.183.44.0/24"), Some("64501 64999"));
    assert!(
        slow.messages < fast.messages / 2,
        "coalesced: {} vs {}",
        slow.messages,
        fast.messages
    );
}

#[test]
fn two_octet_client_gets_as_trans_and_as4_path() {
    let mut rib = Rib::new();
    let mut a = client(&mut rib, 1, 64501, Context::four_octet());
    let mut old = client(&mut rib, 2, 64502, Context::default());
    rib.routes(
        1,
        announce(&[4_200_000_001, 64501], "198.18.0.1", &["45.183.44.0/24"]),
    );
    settle(&mut rib, &mut [&mut a, &mut old]);
    assert_eq!(
        old.has("45.183.44.0/24"),
        Some("4200000001 64501"),
        "merged back from AS4_PATH"
    );
}

#[test]
fn max_prefix_actions() {
    let mut rib = Rib::new();
    let ctx = Context::four_octet();
    let (out, _rx) = OutQueue::new(1, vec![Family::IPV4_UNICAST]);
    let mut b = client(&mut rib, 2, 64502, ctx);
    for (id, action) in [
        (1, MaxPrefixAction::Shutdown),
        (5, MaxPrefixAction::DropNew),
    ] {
        rib.peer_up(PeerSpec {
            id,
            name: "limited".into(),
            asn: Asn(64501),
            addr: "45.183.47.1".parse().unwrap(),
            router_id: "10.0.0.1".parse().unwrap(),
            tx: ctx,
            families: vec![Family::IPV4_UNICAST],
            max_prefix: Some(MaxPrefix {
                ipv4: Some(2),
                ipv6: None,
                action,
            }),
            out: out.clone(),
            import: Arc::new(MemberImport::permissive(Asn(64501))),
            receive_blackhole: false,
        });
    }
    let three = ["45.183.44.0/24", "45.183.45.0/24", "45.183.46.0/24"];
    rib.routes(1, announce(&[64501], "198.18.0.1", &three));
    rib.routes(5, announce(&[64501], "198.18.0.1", &three));
    assert_eq!(
        rib.take_notices(),
        vec![RibNotice::MaxPrefixShutdown {
            peer: 1,
            family: Family::IPV4_UNICAST,
            limit: 2
        }]
    );
    settle(&mut rib, &mut [&mut b]);
    assert_eq!(
        b.view.len(),
        2,
        "prefixes beyond the limit are not accepted"
    );
}

#[test]
fn route_refresh_resends_the_table() {
    let mut rib = Rib::new();
    let ctx = Context::four_octet();
    let (mut a, mut b) = (
        client(&mut rib, 1, 64501, ctx),
        client(&mut rib, 2, 64502, ctx),
    );
    rib.routes(1, announce(&[64501], "198.18.0.1", &["45.183.44.0/24"]));
    settle(&mut rib, &mut [&mut a, &mut b]);
    b.view.clear();
    rib.route_refresh(2, Family::IPV4_UNICAST);
    settle(&mut rib, &mut [&mut a, &mut b]);
    assert_eq!(b.has("45.183.44.0/24"), Some("64501"));
}

#[test]
fn route_refresh_withdraws_what_left_during_the_walk() {
    let mut rib = Rib::new();
    let ctx = Context::four_octet();
    let (mut a, mut b) = (
        client(&mut rib, 1, 64501, ctx),
        client(&mut rib, 2, 64502, ctx),
    );
    let (p, q) = ("45.183.44.0/24", "45.183.45.0/24");
    rib.routes(1, announce(&[64501], "198.18.0.1", &[p, q]));
    settle(&mut rib, &mut [&mut a, &mut b]);
    // Withdrawn after the refresh, before the walk reaches it.
    rib.route_refresh(2, Family::IPV4_UNICAST);
    rib.routes(1, withdraw(&[p]));
    settle(&mut rib, &mut [&mut a, &mut b]);
    assert_eq!(b.has(p), None, "not left at the client");
    assert_eq!(b.has(q), Some("64501"));
    // Withdrawn, then a refresh asked in the same batch.
    rib.routes(1, withdraw(&[q]));
    rib.route_refresh(2, Family::IPV4_UNICAST);
    settle(&mut rib, &mut [&mut a, &mut b]);
    assert!(b.view.is_empty(), "{:?}", b.view);
}

#[test]
fn graceful_restart_keeps_stale_paths_until_end_of_rib() {
    let mut rib = Rib::new();
    let ctx = Context::four_octet();
    let (mut a, mut b) = (
        client(&mut rib, 1, 64501, ctx),
        client(&mut rib, 2, 64502, ctx),
    );
    rib.routes(
        1,
        announce(
            &[64501],
            "198.18.0.1",
            &["45.183.44.0/24", "45.183.45.0/24"],
        ),
    );
    rib.routes(1, announce(&[64501], "2001:db8::1", &["2803:cd60::/32"]));
    settle(&mut rib, &mut [&mut a, &mut b]);
    assert_eq!(b.view.len(), 3);
    // A's session drops; it preserves IPv4 only: IPv6 goes at once, IPv4 stays.
    let t0 = std::time::Instant::now();
    rib.peer_down_graceful(
        1,
        std::time::Duration::from_secs(120),
        vec![Family::IPV4_UNICAST],
        t0,
    );
    settle(&mut rib, &mut [&mut b]);
    assert_eq!(
        b.has("45.183.44.0/24"),
        Some("64501"),
        "stale path kept during the restart"
    );
    assert_eq!(
        b.has("2803:cd60::/32"),
        None,
        "families without preserved state are withdrawn"
    );
    assert_eq!(
        rib.next_stale_deadline(),
        Some(t0 + std::time::Duration::from_secs(120))
    );
    // A comes back, announces one of the two again, then End-of-RIB.
    let mut a = client(&mut rib, 1, 64501, ctx);
    rib.routes(
        1,
        announce(&[64501, 65001], "198.18.0.1", &["45.183.44.0/24"]),
    );
    settle(&mut rib, &mut [&mut a, &mut b]);
    assert_eq!(
        b.has("45.183.45.0/24"),
        Some("64501"),
        "still stale before End-of-RIB"
    );
    assert!(
        a.view.is_empty(),
        "its own stale paths are not sent back to it"
    );
    rib.routes(
        1,
        RouteUpdate {
            end_of_rib: Some(Family::IPV4_UNICAST),
            ..Default::default()
        },
    );
    settle(&mut rib, &mut [&mut a, &mut b]);
    assert_eq!(
        b.has("45.183.44.0/24"),
        Some("64501 65001"),
        "refreshed path kept"
    );
    assert_eq!(
        b.has("45.183.45.0/24"),
        None,
        "not announced again: swept at End-of-RIB"
    );
    assert_eq!(rib.next_stale_deadline(), None);
    assert_eq!(rib.stats().paths, 1);
}

#[test]
fn graceful_restart_timer_expiry_removes_stale_paths() {
    let mut rib = Rib::new();
    let ctx = Context::four_octet();
    let (mut a, mut b) = (
        client(&mut rib, 1, 64501, ctx),
        client(&mut rib, 2, 64502, ctx),
    );
    rib.routes(1, announce(&[64501], "198.18.0.1", &["45.183.44.0/24"]));
    settle(&mut rib, &mut [&mut a, &mut b]);
    let t0 = std::time::Instant::now();
    rib.peer_down_graceful(
        1,
        std::time::Duration::from_secs(60),
        vec![Family::IPV4_UNICAST],
        t0,
    );
    rib.expire_stale(t0 + std::time::Duration::from_secs(59));
    settle(&mut rib, &mut [&mut b]);
    assert_eq!(b.has("45.183.44.0/24"), Some("64501"));
    rib.expire_stale(t0 + std::time::Duration::from_secs(60));
    settle(&mut rib, &mut [&mut b]);
    assert_eq!(
        b.has("45.183.44.0/24"),
        None,
        "restart time over: withdrawn"
    );
    assert_eq!(rib.stats().paths, 0);
}

/// A path with action communities, as a member sends it.
pub(crate) fn announce_with_communities(
    path: &[u32],
    prefixes: &[&str],
    communities: &[(u16, u16)],
) -> RouteUpdate {
    let mut v = Vec::new();
    AsPath::from_sequence(path.iter().copied()).encode(true, &mut v);
    let c: Vec<u8> = communities
        .iter()
        .flat_map(|(h, l)| condor_wire::Community::new(*h, *l).0.to_be_bytes())
        .collect();
    let attrs = PathAttributes::from_parts(
        &[
            (0x40, 1, &[0]),
            (0x40, 2, &v),
            (0x40, 3, &[198, 18, 0, 1]),
            (0xc0, 8, &c),
        ],
        true,
    )
    .unwrap();
    // Through the real digest: encode as an UPDATE and decode it.
    let mut out = Vec::new();
    condor_wire::UpdateBuilder::new(Context::four_octet())
        .announce(
            &attrs,
            &NextHop::V4("198.18.0.1".parse().unwrap()),
            Family::IPV4_UNICAST,
            &prefixes
                .iter()
                .map(|p| Nlri::new(p.parse().unwrap()))
                .collect::<Vec<_>>(),
            &mut out,
        )
        .unwrap();
    let Message::Update(u) = decode_message(&out[0], &Context::four_octet()).unwrap() else {
        panic!()
    };
    RouteUpdate::from_update(u, Asn(64115))
}

#[test]
fn action_community_excludes_one_client_without_path_hiding() {
    let mut rib = Rib::new();
    let ctx = Context::four_octet();
    let (mut a, mut b, mut c, mut d) = (
        client(&mut rib, 1, 64501, ctx),
        client(&mut rib, 2, 64502, ctx),
        client(&mut rib, 3, 64503, ctx),
        client(&mut rib, 4, 64504, ctx),
    );
    // A's best path says "not to AS64503" (0:64503) and carries an
    // informational community; B has a longer path without actions.
    rib.routes(
        1,
        announce_with_communities(&[64501], &["45.183.44.0/24"], &[(0, 64503), (64501, 7)]),
    );
    rib.routes(
        2,
        announce(&[64502, 65010], "198.18.0.2", &["45.183.44.0/24"]),
    );
    settle(&mut rib, &mut [&mut a, &mut b, &mut c, &mut d]);
    assert_eq!(
        d.has("45.183.44.0/24"),
        Some("64501"),
        "D gets the overall best"
    );
    assert_eq!(b.has("45.183.44.0/24"), Some("64501"));
    assert_eq!(
        c.has("45.183.44.0/24"),
        Some("64502 65010"),
        "C may not have A's path: it gets B's (no path hiding)"
    );
    assert_eq!(a.has("45.183.44.0/24"), Some("64502 65010"));
    // Action communities are removed before relaying; others are kept.
    let p = &rib.candidates(&"45.183.44.0/24".parse().unwrap())[0];
    assert_eq!(
        p.attrs().communities().collect::<Vec<_>>(),
        vec![condor_wire::Community::new(64501, 7)]
    );
    // Announce only to C: 0:64115 + 64115:64503.
    rib.routes(
        1,
        announce_with_communities(&[64501], &["45.183.46.0/24"], &[(0, 64115), (64115, 64503)]),
    );
    settle(&mut rib, &mut [&mut a, &mut b, &mut c, &mut d]);
    assert_eq!(c.has("45.183.46.0/24"), Some("64501"));
    assert_eq!(b.has("45.183.46.0/24"), None);
    assert_eq!(d.has("45.183.46.0/24"), None);
    // The restriction goes away with a re-announcement without it.
    rib.routes(1, announce(&[64501], "198.18.0.1", &["45.183.44.0/24"]));
    settle(&mut rib, &mut [&mut a, &mut b, &mut c, &mut d]);
    assert_eq!(c.has("45.183.44.0/24"), Some("64501"));
}

/// A client whose import policy is the default filters, with `addr` as its
/// peering-LAN address.
fn filtered_client(rib: &mut Rib, id: PeerId, asn: u32, addr: &str) -> Client {
    let c = client(rib, id, asn, Context::four_octet());
    let import = condor_policy::MemberImport {
        asn: Asn(asn),
        addresses: vec![addr.parse().unwrap()],
        transparent: false,
        irr: None,
        filters: Arc::new(condor_policy::Filters::default()),
    };
    rib.set_import(id, Arc::new(import));
    c
}

pub(crate) struct Vrps(pub(crate) Vec<(Prefix, u8, u32)>);

impl condor_policy::RpkiCheck for Vrps {
    fn rov(&self, prefix: &Prefix, origin: Option<Asn>) -> condor_policy::Rov {
        let cover: Vec<_> = self.0.iter().filter(|v| v.0.contains(prefix)).collect();
        if cover.is_empty() {
            condor_policy::Rov::NotFound
        } else if cover
            .iter()
            .any(|v| prefix.len() <= v.1 && origin == Some(Asn(v.2)))
        {
            condor_policy::Rov::Valid
        } else {
            condor_policy::Rov::Invalid
        }
    }
    fn aspa(&self, _: &[Asn], _: Asn) -> condor_policy::Aspa {
        condor_policy::Aspa::NotChecked
    }
}

#[test]
fn rejected_paths_are_kept_with_reasons_and_never_exported() {
    let mut rib = Rib::new();
    let mut a = filtered_client(&mut rib, 1, 262589, "198.18.0.1");
    let mut b = client(&mut rib, 2, 64502, Context::four_octet());
    settle(&mut rib, &mut [&mut a, &mut b]);
    rib.routes(
        1,
        announce(
            &[262589, 6147],
            "198.18.0.1",
            &["200.48.0.0/16", "10.0.0.0/8", "200.49.1.0/25"],
        ),
    );
    settle(&mut rib, &mut [&mut a, &mut b]);
    assert_eq!(b.has("200.48.0.0/16"), Some("262589 6147"));
    assert_eq!(b.view.len(), 1, "the bogon and the /25 are not relayed");
    let st = rib.stats();
    assert_eq!((st.paths, st.paths_filtered), (3, 2));
    let bogon = &rib.candidates(&"10.0.0.0/8".parse().unwrap())[0];
    assert_eq!(
        bogon.verdict.reasons().collect::<Vec<_>>(),
        vec![condor_policy::Reason::BogonPrefix]
    );
    // A filtered path replaced by an accepted one is relayed; the counter follows.
    rib.routes(1, announce(&[262589], "198.18.0.1", &["200.49.1.0/24"]));
    rib.routes(1, withdraw(&["200.49.1.0/25"]));
    settle(&mut rib, &mut [&mut a, &mut b]);
    assert_eq!(b.has("200.49.1.0/24"), Some("262589"));
    assert_eq!(rib.stats().paths_filtered, 1);
    rib.peer_down(1);
    settle(&mut rib, &mut [&mut b]);
    assert_eq!(rib.stats().paths_filtered, 0);
    assert!(b.view.is_empty());
}

#[test]
fn rpki_change_reevaluates_only_covered_prefixes_without_refresh() {
    let mut rib = Rib::new();
    let mut a = filtered_client(&mut rib, 1, 262589, "198.18.0.1");
    let mut b = client(&mut rib, 2, 64502, Context::four_octet());
    settle(&mut rib, &mut [&mut a, &mut b]);
    rib.routes(
        1,
        announce(&[262589], "198.18.0.1", &["200.48.0.0/16", "190.0.0.0/16"]),
    );
    settle(&mut rib, &mut [&mut a, &mut b]);
    assert_eq!(b.view.len(), 2);
    // A VRP for another origin makes 200.48.0.0/16 invalid: withdrawn.
    let vrps: Arc<dyn condor_policy::RpkiCheck> =
        Arc::new(Vrps(vec![("200.48.0.0/16".parse().unwrap(), 24, 6147)]));
    let changed = rib.set_rpki(
        Some(vrps),
        Scope::Covered(vec!["200.48.0.0/16".parse().unwrap()]),
    );
    assert_eq!(
        changed, 1,
        "only the covered path is re-evaluated into a new verdict"
    );
    settle(&mut rib, &mut [&mut a, &mut b]);
    assert_eq!(b.has("200.48.0.0/16"), None, "RPKI-invalid withdrawn");
    assert_eq!(b.has("190.0.0.0/16"), Some("262589"));
    let p = &rib.candidates(&"200.48.0.0/16".parse().unwrap())[0];
    assert_eq!(p.verdict.rov(), condor_policy::Rov::Invalid);
    // The ROA is fixed: announced again, no refresh asked of anyone.
    let fixed: Arc<dyn condor_policy::RpkiCheck> =
        Arc::new(Vrps(vec![("200.48.0.0/16".parse().unwrap(), 24, 262589)]));
    rib.set_rpki(
        Some(fixed),
        Scope::Covered(vec!["200.0.0.0/8".parse().unwrap()]),
    );
    settle(&mut rib, &mut [&mut a, &mut b]);
    assert_eq!(b.has("200.48.0.0/16"), Some("262589"));
    assert_eq!(rib.stats().paths_filtered, 0);
}

#[test]
fn graceful_shutdown_lowers_preference() {
    let mut rib = Rib::new();
    let ctx = Context::four_octet();
    let (mut a, mut b, mut c) = (
        client(&mut rib, 1, 64501, ctx),
        client(&mut rib, 2, 64502, ctx),
        client(&mut rib, 3, 64503, ctx),
    );
    settle(&mut rib, &mut [&mut a, &mut b, &mut c]);
    // a's path is shorter but tagged GRACEFUL_SHUTDOWN (65535:0).
    let mut u = announce(&[64501], "198.18.0.1", &["200.48.0.0/16"]);
    u.attrs = u.attrs.with_attr(0xc0, 8, Some(&[0xff, 0xff, 0, 0]));
    rib.routes(1, u);
    rib.routes(
        2,
        announce(&[64502, 64502, 64502], "198.18.0.2", &["200.48.0.0/16"]),
    );
    settle(&mut rib, &mut [&mut a, &mut b, &mut c]);
    assert_eq!(c.has("200.48.0.0/16"), Some("64502 64502 64502"));
    assert_eq!(
        b.has("200.48.0.0/16"),
        Some("64501"),
        "still the best b may have"
    );
}

#[test]
fn blackhole_routes_rewritten_and_only_to_members_that_opted_in() {
    let mut rib = Rib::new();
    let ctx = Context::four_octet();
    let mut a = client(&mut rib, 1, 64501, ctx);
    let mut b = client_opts(&mut rib, 2, 64502, ctx, true);
    let mut c = client(&mut rib, 3, 64503, ctx);
    // a's own space per its IRR data; blackholing offered for IPv4.
    struct Own;
    impl condor_policy::IrrCheck for Own {
        fn prefix_ok(&self, p: &Prefix) -> bool {
            "200.48.0.0/16".parse::<Prefix>().unwrap().contains(p) && p.len() <= 24
        }
        fn origin_ok(&self, _: Asn) -> bool {
            true
        }
        fn covers(&self, p: &Prefix) -> bool {
            "200.48.0.0/16".parse::<Prefix>().unwrap().contains(p)
        }
    }
    let filters = condor_policy::Filters {
        blackhole: Some(condor_policy::Blackhole {
            next_hop_v4: Some("45.183.47.66".parse().unwrap()),
            next_hop_v6: None,
        }),
        ..condor_policy::Filters::none()
    };
    rib.set_import(
        1,
        Arc::new(MemberImport {
            irr: Some(Arc::new(Own)),
            filters: Arc::new(filters),
            ..MemberImport::permissive(Asn(64501))
        }),
    );
    settle(&mut rib, &mut [&mut a, &mut b, &mut c]);
    let mut u = announce(&[64501], "198.18.0.1", &["200.48.7.9/32", "200.48.0.0/16"]);
    u.attrs = u.attrs.with_attr(0xc0, 8, Some(&[0xff, 0xff, 0x02, 0x9a]));
    rib.routes(1, u);
    settle(&mut rib, &mut [&mut a, &mut b, &mut c]);
    assert_eq!(
        b.view[&"200.48.7.9/32".parse().unwrap()].1,
        "45.183.47.66",
        "next hop rewritten"
    );
    assert!(b.view.contains_key(&"200.48.0.0/16".parse().unwrap()));
    assert!(c.view.is_empty(), "c did not opt in: {:?}", c.view);
    let p = &rib.candidates(&"200.48.7.9/32".parse().unwrap())[0];
    assert!(p.verdict.is_blackhole() && p.verdict.is_accepted());
    assert!(p.attrs().has_community(condor_wire::Community::NO_EXPORT));
}

#[test]
fn prepend_communities_per_member() {
    let mut rib = Rib::new();
    let ctx = Context::four_octet();
    let (mut a, mut b, mut c) = (
        client(&mut rib, 1, 64501, ctx),
        client(&mut rib, 2, 64502, ctx),
        client(&mut rib, 3, 64503, ctx),
    );
    settle(&mut rib, &mut [&mut a, &mut b, &mut c]);
    let mut u = announce(
        &[64501, 65010],
        "198.18.0.1",
        &["200.48.0.0/16", "200.49.0.0/16"],
    );
    u.export = Some(condor_policy::ExportControl {
        prepend: vec![(Asn(64502), 2)],
        ..Default::default()
    });
    rib.routes(1, u);
    settle(&mut rib, &mut [&mut a, &mut b, &mut c]);
    assert_eq!(b.has("200.48.0.0/16"), Some("64501 64501 64501 65010"));
    assert_eq!(b.has("200.49.0.0/16"), Some("64501 64501 64501 65010"));
    assert_eq!(c.has("200.48.0.0/16"), Some("64501 65010"));
    // A late joiner's initial table carries the prepends too.
    let mut d = client(&mut rib, 4, 64502, ctx);
    settle(&mut rib, &mut [&mut a, &mut b, &mut c, &mut d]);
    assert_eq!(d.has("200.49.0.0/16"), Some("64501 64501 64501 65010"));
}

#[test]
fn otc_added_on_the_way_out_and_a_leak_refused() {
    let mut rib = Rib::new();
    let ctx = Context::four_octet();
    let mut a = client(&mut rib, 1, 64501, ctx);
    let mut b = client(&mut rib, 2, 64502, ctx);
    let filters = condor_policy::Filters {
        reject_otc_leaks: true,
        otc_egress: Some(Asn(64115)),
        ..condor_policy::Filters::none()
    };
    rib.set_import(
        1,
        Arc::new(MemberImport {
            filters: Arc::new(filters),
            ..MemberImport::permissive(Asn(64501))
        }),
    );
    settle(&mut rib, &mut [&mut a, &mut b]);
    rib.routes(1, announce(&[64501], "198.18.0.1", &["200.48.0.0/16"]));
    let mut leak = announce(&[64501, 7], "198.18.0.1", &["200.49.0.0/16"]);
    leak.attrs = leak
        .attrs
        .with_attr(0xc0, 35, Some(&65010u32.to_be_bytes()));
    rib.routes(1, leak);
    settle(&mut rib, &mut [&mut a, &mut b]);
    assert_eq!(b.view.len(), 1, "the leak is not relayed: {:?}", b.view);
    let p = &rib.candidates(&"200.48.0.0/16".parse().unwrap())[0];
    assert_eq!(
        p.attrs().otc(),
        Some(Asn(64115)),
        "RFC 9234 §5: OTC = the route server's ASN"
    );
    assert!(
        p.verdict.is_accepted(),
        "our own OTC is no leak on re-evaluation"
    );
    assert_eq!(rib.reevaluate(Scope::All), 0);
    let l = &rib.candidates(&"200.49.0.0/16".parse().unwrap())[0];
    assert!(l.verdict.has(condor_policy::Reason::RouteLeak));
}

#[test]
fn informational_communities_tag_the_states_and_follow_their_changes() {
    let mut rib = Rib::new();
    let mut a = client(&mut rib, 1, 262589, Context::four_octet());
    let mut b = client(&mut rib, 2, 64502, Context::four_octet());
    rib.set_import(
        1,
        Arc::new(MemberImport {
            filters: Arc::new(condor_policy::Filters {
                rpki: condor_policy::RpkiPolicy::RejectInvalid,
                informational: Some(Asn(64115)),
                ..condor_policy::Filters::none()
            }),
            ..MemberImport::permissive(Asn(262589))
        }),
    );
    let vrps: Arc<dyn condor_policy::RpkiCheck> =
        Arc::new(Vrps(vec![("200.48.0.0/16".parse().unwrap(), 24, 262589)]));
    rib.set_rpki(Some(vrps), Scope::All);
    settle(&mut rib, &mut [&mut a, &mut b]);
    // The member claims a state itself, and sends a community of its own.
    let mut u = announce(&[262589], "198.18.0.1", &["200.48.0.0/16", "190.0.0.0/16"]);
    let mut v = Vec::new();
    for (x, y, z) in [(64115u32, 1000u32, 1u32), (262589, 7, 7)] {
        v.extend([x.to_be_bytes(), y.to_be_bytes(), z.to_be_bytes()].concat());
    }
    u.attrs = u.attrs.with_attr(0xc0, 32, Some(&v));
    rib.routes(1, u);
    settle(&mut rib, &mut [&mut a, &mut b]);
    let tags = |c: &Client, p: &str| c.large[&p.parse::<Prefix>().unwrap()].clone();
    assert_eq!(
        tags(&b, "200.48.0.0/16"),
        vec![(262589, 7, 7), (64115, 1000, 1)],
        "RPKI-valid, tagged by the route server"
    );
    assert_eq!(
        tags(&b, "190.0.0.0/16"),
        vec![(262589, 7, 7), (64115, 1000, 2)],
        "not found: the member's own 64115:1000:1 claim is removed"
    );
    // The ROA goes away: the route stays, re-sent with its new state, with
    // no refresh or reset.
    let none: Arc<dyn condor_policy::RpkiCheck> = Arc::new(Vrps(Vec::new()));
    rib.set_rpki(Some(none), Scope::All);
    settle(&mut rib, &mut [&mut a, &mut b]);
    assert_eq!(
        tags(&b, "200.48.0.0/16"),
        vec![(262589, 7, 7), (64115, 1000, 2)]
    );
    assert_eq!(b.view.len(), 2);
}

#[test]
fn a_lost_session_leaves_in_bounded_batches() {
    let mut rib = Rib::new();
    let ctx = Context::four_octet();
    let mut a = client(&mut rib, 1, 64501, ctx);
    let mut b = client(&mut rib, 2, 64502, ctx);
    let mut c = client(&mut rib, 3, 64503, ctx);
    settle(&mut rib, &mut [&mut a, &mut b, &mut c]);
    // 40,000 /24s from a, one shared with c.
    let prefixes: Vec<String> = (0..40_000u32)
        .map(|i| format!("{}.{}.{}.0/24", 1 + i / 65536, (i / 256) % 256, i % 256))
        .collect();
    for chunk in prefixes.chunks(1000) {
        let refs: Vec<&str> = chunk.iter().map(String::as_str).collect();
        rib.routes(1, announce(&[64501], "198.18.0.1", &refs));
        settle(&mut rib, &mut [&mut a, &mut b, &mut c]);
    }
    rib.routes(3, announce(&[64503], "198.18.0.3", &["1.0.5.0/24"]));
    settle(&mut rib, &mut [&mut a, &mut b, &mut c]);
    assert_eq!(b.view.len(), 40_000);
    rib.peer_down(1);
    let mut batches = 0;
    loop {
        rib.end_batch();
        batches += 1;
        b.drain();
        c.drain();
        if !rib.removal_pending() {
            break;
        }
        assert!(batches < 10, "the walk makes progress");
    }
    assert!(
        batches >= 3,
        "40,000 prefixes need three batches of 16,384, not one ({batches})"
    );
    assert_eq!(b.view.len(), 1, "only c's path is left");
    assert_eq!(
        b.has("1.0.5.0/24"),
        Some("64503"),
        "the alternative replaces a's path"
    );
    assert!(c.view.is_empty());
    assert_eq!(rib.stats().prefixes, 1);
}

#[test]
fn informational_communities_switched_on_by_reload_tag_the_table() {
    let mut rib = Rib::new();
    let mut a = client(&mut rib, 1, 262589, Context::four_octet());
    let mut b = client(&mut rib, 2, 64502, Context::four_octet());
    let import = |info: Option<Asn>| {
        Arc::new(MemberImport {
            filters: Arc::new(condor_policy::Filters {
                rpki: condor_policy::RpkiPolicy::RejectInvalid,
                informational: info,
                ..condor_policy::Filters::none()
            }),
            ..MemberImport::permissive(Asn(262589))
        })
    };
    rib.set_import(1, import(None));
    rib.set_rpki(Some(Arc::new(Vrps(Vec::new()))), Scope::All);
    let mut u = announce(&[262589], "198.18.0.1", &["190.0.0.0/16"]);
    let claim = [
        64115u32.to_be_bytes(),
        1000u32.to_be_bytes(),
        1u32.to_be_bytes(),
    ]
    .concat();
    u.attrs = u.attrs.with_attr(0xc0, 32, Some(&claim));
    rib.routes(1, u);
    settle(&mut rib, &mut [&mut a, &mut b]);
    let p: Prefix = "190.0.0.0/16".parse().unwrap();
    assert_eq!(b.large[&p], vec![(64115, 1000, 1)], "off: relayed as sent");
    // The operator turns them on and reloads: the route is re-sent, tagged,
    // without the member announcing it again.
    rib.set_import(1, import(Some(Asn(64115))));
    settle(&mut rib, &mut [&mut a, &mut b]);
    assert_eq!(
        b.large[&p],
        vec![(64115, 1000, 2)],
        "on: the claim replaced by the state"
    );
    rib.set_import(1, import(None));
    settle(&mut rib, &mut [&mut a, &mut b]);
    assert!(
        b.large[&p].is_empty(),
        "off again: no tag (the claim stays removed)"
    );
}
