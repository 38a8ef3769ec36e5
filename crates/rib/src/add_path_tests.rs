//! ADD-PATH send tests (RFC 7911 to route-server clients, RFC 7947 §2.3.2):
//! what an ADD-PATH client receives is decoded with its session's context
//! and applied to a model of its Adj-RIB-In keyed by (prefix, path
//! identifier), which is compared with the paths it may have.

use crate::rib::Scope;
use crate::tests::{
    announce, announce_with_communities, client, client_up, settle_with, withdraw, Client, Vrps,
};
use crate::*;
use condor_policy::MemberImport;
use condor_wire::{decode_message, Asn, Context, Family, Message, Nlri, Prefix};
use std::collections::BTreeMap;
use std::sync::Arc;

/// A client with ADD-PATH receive negotiated for `families`.
struct ApClient {
    out: Arc<OutQueue>,
    rx: OutReader,
    ctx: Context,
    /// (prefix, path id) → AS path as the client holds it.
    view: BTreeMap<(Prefix, u32), String>,
    /// (prefix, path id) → its large communities.
    large: BTreeMap<(Prefix, u32), Vec<Large>>,
    eor: Vec<Family>,
    messages: usize,
    /// Every withdrawal received, in order.
    withdrawn: Vec<(Prefix, Option<u32>)>,
    /// Every announcement received, in order.
    announced: Vec<(Prefix, Option<u32>)>,
}

/// A large community (global, local 1, local 2).
type Large = (u32, u32, u32);

const V4: Family = Family::IPV4_UNICAST;
const V6: Family = Family::IPV6_UNICAST;

fn ap_ctx(families: &[Family]) -> Context {
    Context {
        add_path_rx: families.iter().map(|f| Context::add_path_bit(*f)).sum(),
        ..Context::four_octet()
    }
}

fn ap_client(rib: &mut Rib, id: PeerId, asn: u32, families: &[Family], high: usize) -> ApClient {
    let ctx = ap_ctx(families);
    let (out, rx) = client_up(rib, id, asn, ctx, high, false);
    ApClient {
        out,
        rx,
        ctx,
        view: BTreeMap::new(),
        large: BTreeMap::new(),
        eor: Vec::new(),
        messages: 0,
        withdrawn: Vec::new(),
        announced: Vec::new(),
    }
}

fn pfx(p: &str) -> Prefix {
    p.parse().unwrap()
}

impl ApClient {
    fn drain(&mut self) {
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
                self.withdrawn.push((w.prefix, w.path_id));
                self.view.remove(&(w.prefix, w.path_id.unwrap_or(0)));
                self.large.remove(&(w.prefix, w.path_id.unwrap_or(0)));
            }
            let path = u.attrs.as_path().map(|p| p.to_string()).unwrap_or_default();
            let large: Vec<Large> = u
                .attrs
                .large_communities()
                .map(|c| (c.global, c.local1, c.local2))
                .collect();
            let reach = u.mp_reach.iter().flat_map(|r| r.nlri.prefixes().iter());
            for n in u.nlri.iter().chain(reach) {
                self.announced.push((n.prefix, n.path_id));
                self.large
                    .insert((n.prefix, n.path_id.unwrap_or(0)), large.clone());
                self.view
                    .insert((n.prefix, n.path_id.unwrap_or(0)), path.clone());
            }
        }
    }

    /// The AS paths held for `p`, by path id.
    fn paths(&self, p: &str) -> BTreeMap<u32, String> {
        let p = pfx(p);
        self.view
            .range((p, 0)..=(p, u32::MAX))
            .map(|((_, id), a)| (*id, a.clone()))
            .collect()
    }

    /// The AS paths held for `p`, sorted (ids aside).
    fn as_paths(&self, p: &str) -> Vec<String> {
        let mut v: Vec<String> = self.paths(p).into_values().collect();
        v.sort();
        v
    }
}

fn settle(rib: &mut Rib, members: &mut [&mut Client], ap: &mut [&mut ApClient]) {
    settle_with(rib, || {
        members.iter_mut().for_each(|c| c.drain());
        ap.iter_mut().for_each(|c| c.drain());
    });
}

const P: &str = "45.183.44.0/24";
const P6: &str = "2803:cd60::/32";

/// Members 1–3 announce the same prefixes with paths of different lengths;
/// member 10 is itself an ADD-PATH client announcing them too.
fn three_members(rib: &mut Rib) -> [Client; 3] {
    let ctx = Context::four_octet();
    let m = [
        client(rib, 1, 64501, ctx),
        client(rib, 2, 64502, ctx),
        client(rib, 3, 64503, ctx),
    ];
    rib.routes(1, announce(&[64501], "198.18.0.1", &[P]));
    rib.routes(2, announce(&[64502, 65002], "198.18.0.2", &[P]));
    rib.routes(3, announce(&[64503, 65003, 65003], "198.18.0.3", &[P]));
    rib.routes(1, announce(&[64501], "2001:db8::1", &[P6]));
    rib.routes(3, announce(&[64503], "2001:db8::3", &[P6]));
    m
}

#[test]
fn every_allowed_path_with_distinct_ids_never_its_own() {
    let mut rib = Rib::new();
    let [mut a, mut b, mut c] = three_members(&mut rib);
    let mut lg = ap_client(&mut rib, 10, 64510, &[V4, V6], 1 << 20);
    rib.routes(10, announce(&[64510], "198.18.0.10", &[P]));
    settle(&mut rib, &mut [&mut a, &mut b, &mut c], &mut [&mut lg]);
    let held = lg.paths(P);
    assert_eq!(
        held,
        BTreeMap::from([
            (1, "64501".to_string()),
            (2, "64502 65002".to_string()),
            (3, "64503 65003 65003".to_string()),
        ]),
        "all three members' paths, each under its member's id, not its own"
    );
    assert_eq!(lg.as_paths(P6), vec!["64501", "64503"]);
    assert!(
        lg.announced.iter().all(|(_, id)| id.is_some()),
        "every NLRI carries a path identifier"
    );
    assert_eq!(lg.eor, vec![V4, V6], "End-of-RIB after the initial table");
    // The members without ADD-PATH still get one best path each.
    assert_eq!(b.has(P), Some("64501"));
    assert_eq!(a.has(P), Some("64510"));

    // A withdrawal withdraws exactly that id.
    let before = lg.withdrawn.len();
    rib.routes(2, withdraw(&[P]));
    settle(&mut rib, &mut [&mut a, &mut b, &mut c], &mut [&mut lg]);
    assert_eq!(lg.withdrawn[before..], [(pfx(P), Some(2))]);
    assert_eq!(lg.paths(P).keys().copied().collect::<Vec<_>>(), vec![1, 3]);

    // Changed attributes: announced again under the same id, nothing withdrawn.
    let (w, an) = (lg.withdrawn.len(), lg.announced.len());
    rib.routes(3, announce(&[64503], "198.18.0.3", &[P]));
    settle(&mut rib, &mut [&mut a, &mut b, &mut c], &mut [&mut lg]);
    assert_eq!(lg.withdrawn.len(), w);
    assert_eq!(lg.announced[an..], [(pfx(P), Some(3))]);
    assert_eq!(lg.paths(P)[&3], "64503");

    // A change that is not a best-path change still reaches it (member 3's
    // second-best path for the IPv6 prefix), and nothing else is sent.
    let an = lg.announced.len();
    rib.routes(3, announce(&[64503, 65003], "2001:db8::3", &[P6]));
    settle(&mut rib, &mut [&mut a, &mut b, &mut c], &mut [&mut lg]);
    assert_eq!(lg.announced[an..], [(pfx(P6), Some(3))]);
}

#[test]
fn action_community_hides_a_path_from_one_client_only() {
    let mut rib = Rib::new();
    let [mut a, mut b, mut c] = three_members(&mut rib);
    let mut x = ap_client(&mut rib, 10, 64510, &[V4, V6], 1 << 20);
    let mut y = ap_client(&mut rib, 11, 64511, &[V4, V6], 1 << 20);
    settle(
        &mut rib,
        &mut [&mut a, &mut b, &mut c],
        &mut [&mut x, &mut y],
    );
    // Member 2's path now says "not to AS64510" (0:64510).
    rib.routes(
        2,
        announce_with_communities(&[64502, 65002], &[P], &[(0, 64510)]),
    );
    settle(
        &mut rib,
        &mut [&mut a, &mut b, &mut c],
        &mut [&mut x, &mut y],
    );
    assert_eq!(x.paths(P).keys().copied().collect::<Vec<_>>(), vec![1, 3]);
    assert_eq!(x.withdrawn, vec![(pfx(P), Some(2))]);
    assert_eq!(
        y.paths(P).keys().copied().collect::<Vec<_>>(),
        vec![1, 2, 3]
    );
    assert!(y.withdrawn.is_empty());
    // Announce-to-none (0:64115) except AS64511 (64115:64511) for member 1.
    rib.routes(
        1,
        announce_with_communities(&[64501], &[P], &[(0, 64115), (64115, 64511)]),
    );
    settle(
        &mut rib,
        &mut [&mut a, &mut b, &mut c],
        &mut [&mut x, &mut y],
    );
    assert_eq!(x.paths(P).keys().copied().collect::<Vec<_>>(), vec![3]);
    assert_eq!(
        y.paths(P).keys().copied().collect::<Vec<_>>(),
        vec![1, 2, 3]
    );
    // Without the restriction, member 2's path comes back to x under its id.
    rib.routes(2, announce(&[64502, 65002], "198.18.0.2", &[P]));
    settle(
        &mut rib,
        &mut [&mut a, &mut b, &mut c],
        &mut [&mut x, &mut y],
    );
    assert_eq!(x.paths(P).keys().copied().collect::<Vec<_>>(), vec![2, 3]);
}

#[test]
fn session_down_withdraws_that_members_ids() {
    let mut rib = Rib::new();
    let [mut a, mut b, mut c] = three_members(&mut rib);
    let mut lg = ap_client(&mut rib, 10, 64510, &[V4, V6], 1 << 20);
    settle(&mut rib, &mut [&mut a, &mut b, &mut c], &mut [&mut lg]);
    assert_eq!(lg.view.len(), 5);
    rib.peer_down(3);
    settle(&mut rib, &mut [&mut a, &mut b], &mut [&mut lg]);
    let mut w = lg.withdrawn.clone();
    w.sort();
    assert_eq!(w, vec![(pfx(P), Some(3)), (pfx(P6), Some(3))]);
    assert_eq!(lg.as_paths(P), vec!["64501", "64502 65002"]);
    assert_eq!(lg.as_paths(P6), vec!["64501"]);
    rib.peer_down(1);
    settle(&mut rib, &mut [&mut b], &mut [&mut lg]);
    assert_eq!(lg.as_paths(P), vec!["64502 65002"]);
    assert!(lg.paths(P6).is_empty());
}

#[test]
fn slow_client_converges_to_the_same_set_with_fewer_messages() {
    let mut rib = Rib::new();
    let [mut a, mut b, mut c] = three_members(&mut rib);
    let mut fast = ap_client(&mut rib, 10, 64510, &[V4, V6], 1 << 20);
    let mut slow = ap_client(&mut rib, 11, 64511, &[V4, V6], 16 * 1024);
    settle(
        &mut rib,
        &mut [&mut a, &mut b, &mut c],
        &mut [&mut fast, &mut slow],
    );
    let prefixes: Vec<String> = (0..64).map(|i| format!("45.184.{i}.0/24")).collect();
    let refs: Vec<&str> = prefixes.iter().map(|s| s.as_str()).collect();
    // Churn from three members; the slow client never reads meanwhile.
    for round in 0..400u32 {
        let m = 1 + round % 3;
        if round % 5 == 4 {
            rib.routes(m, withdraw(&refs[..32]));
        } else {
            rib.routes(
                m,
                announce(&[64500 + m, 65000 + round % 11], "198.18.0.9", &refs),
            );
        }
        rib.end_batch();
        for x in [&mut a, &mut b, &mut c] {
            x.drain();
        }
        fast.drain();
        assert!(slow.out.queued() <= 16 * 1024 + 4096 * 4, "bounded");
    }
    rib.peer_down(2);
    settle(&mut rib, &mut [&mut a, &mut c], &mut [&mut fast, &mut slow]);
    assert_eq!(slow.view, fast.view, "the slow client converges");
    assert!(!fast.view.is_empty());
    assert!(fast.view.keys().all(|(_, id)| *id == 1 || *id == 3));
    assert!(
        slow.messages < fast.messages / 2,
        "coalesced: {} vs {}",
        slow.messages,
        fast.messages
    );
}

#[test]
fn route_refresh_resends_all_and_withdraws_what_left_meanwhile() {
    let mut rib = Rib::new();
    let [mut a, mut b, mut c] = three_members(&mut rib);
    let mut lg = ap_client(&mut rib, 10, 64510, &[V4, V6], 1 << 20);
    settle(&mut rib, &mut [&mut a, &mut b, &mut c], &mut [&mut lg]);
    let full = lg.view.clone();
    lg.view.clear();
    rib.route_refresh(10, V4);
    settle(&mut rib, &mut [&mut a, &mut b, &mut c], &mut [&mut lg]);
    assert_eq!(lg.view.len(), 3, "every IPv4 path sent again");
    assert_eq!(
        lg.paths(P),
        full.iter()
            .filter(|((p, _), _)| *p == pfx(P))
            .map(|((_, i), a)| (*i, a.clone()))
            .collect()
    );
    assert_eq!(
        lg.eor,
        vec![V4, V6],
        "End-of-RIB only after the initial table"
    );
    // A path withdrawn while the refresh walk has not reached its prefix
    // yet: the client holds it, so it must be withdrawn, not forgotten.
    lg.drain();
    let before = lg.withdrawn.len();
    rib.route_refresh(10, V4);
    rib.routes(2, withdraw(&[P]));
    settle(&mut rib, &mut [&mut a, &mut b, &mut c], &mut [&mut lg]);
    assert_eq!(lg.withdrawn[before..], [(pfx(P), Some(2))]);
    assert_eq!(lg.paths(P).keys().copied().collect::<Vec<_>>(), vec![1, 3]);
}

#[test]
fn late_joiner_gets_every_path_then_end_of_rib() {
    let mut rib = Rib::new();
    let [mut a, mut b, mut c] = three_members(&mut rib);
    let many: Vec<String> = (0..3000)
        .map(|i| format!("45.{}.{}.0/24", 100 + i / 256, i % 256))
        .collect();
    let refs: Vec<&str> = many.iter().map(|s| s.as_str()).collect();
    rib.routes(1, announce(&[64501], "198.18.0.1", &refs));
    rib.routes(2, announce(&[64502], "198.18.0.2", &refs));
    settle(&mut rib, &mut [&mut a, &mut b, &mut c], &mut []);
    let mut lg = ap_client(&mut rib, 10, 64510, &[V4, V6], 1 << 20);
    // Changes during the walk: ahead of it (need no record) and everywhere.
    rib.routes(1, withdraw(&refs[2000..]));
    settle(&mut rib, &mut [&mut a, &mut b, &mut c], &mut [&mut lg]);
    assert_eq!(lg.view.len(), 2000 * 2 + 1000 + 5);
    assert_eq!(lg.eor, vec![V4, V6]);
}

#[test]
fn add_path_for_one_family_only() {
    let mut rib = Rib::new();
    let [mut a, mut b, mut c] = three_members(&mut rib);
    let mut x = ap_client(&mut rib, 10, 64510, &[V4], 1 << 20);
    settle(&mut rib, &mut [&mut a, &mut b, &mut c], &mut [&mut x]);
    assert_eq!(x.paths(P).len(), 3);
    assert_eq!(
        x.paths(P6),
        BTreeMap::from([(0, "64501".to_string())]),
        "IPv6 without ADD-PATH: the best path alone, no identifier"
    );
    rib.routes(1, withdraw(&[P6]));
    settle(&mut rib, &mut [&mut a, &mut b, &mut c], &mut [&mut x]);
    assert_eq!(x.paths(P6), BTreeMap::from([(0, "64503".to_string())]));
    assert!(x.withdrawn.is_empty(), "replaced, not withdrawn");
    rib.routes(3, withdraw(&[P6]));
    settle(&mut rib, &mut [&mut a, &mut b, &mut c], &mut [&mut x]);
    assert_eq!(x.withdrawn, vec![(pfx(P6), None)]);
}

#[test]
fn paths_received_with_ids_get_stable_ids_of_their_own() {
    let mut rib = Rib::new();
    let [mut a, mut b, mut c] = three_members(&mut rib);
    let mut lg = ap_client(&mut rib, 10, 64510, &[V4, V6], 1 << 20);
    // Member 1 sends two more paths with identifiers 7 and 9 (as over ADD-PATH).
    let with_id = |path: &[u32], id| {
        let mut u = announce(path, "198.18.0.1", &[P]);
        u.announce[0].1 = vec![Nlri {
            path_id: Some(id),
            prefix: pfx(P),
        }];
        u
    };
    rib.routes(1, with_id(&[64501, 65007], 7));
    rib.routes(1, with_id(&[64501, 65009], 9));
    settle(&mut rib, &mut [&mut a, &mut b, &mut c], &mut [&mut lg]);
    let held = lg.paths(P);
    assert_eq!(held.len(), 5, "{held:?}");
    let id_of = |held: &BTreeMap<u32, String>, path: &str| {
        held.iter()
            .find(|(_, a)| a.as_str() == path)
            .map(|(i, _)| *i)
            .unwrap()
    };
    let (i7, i9) = (id_of(&held, "64501 65007"), id_of(&held, "64501 65009"));
    assert!(i7 >= 1 << 31 && i9 >= 1 << 31 && i7 != i9);
    assert_eq!(id_of(&held, "64501"), 1);
    // Re-announced with new attributes: same id.
    rib.routes(1, with_id(&[64501, 65007, 65007], 7));
    settle(&mut rib, &mut [&mut a, &mut b, &mut c], &mut [&mut lg]);
    assert_eq!(id_of(&lg.paths(P), "64501 65007 65007"), i7);
    // Withdrawn by received id 9: exactly its id goes.
    let before = lg.withdrawn.len();
    let mut w = withdraw(&[]);
    w.withdraw = vec![Nlri {
        path_id: Some(9),
        prefix: pfx(P),
    }];
    rib.routes(1, w);
    settle(&mut rib, &mut [&mut a, &mut b, &mut c], &mut [&mut lg]);
    assert_eq!(lg.withdrawn[before..], [(pfx(P), Some(i9))]);
    assert_eq!(lg.paths(P).len(), 4);
}

#[test]
fn graceful_restart_keeps_ids_and_end_of_rib_withdraws_the_unrefreshed() {
    let mut rib = Rib::new();
    let [mut a, mut b, mut c] = three_members(&mut rib);
    rib.routes(1, announce(&[64501], "198.18.0.1", &["45.183.45.0/24"]));
    let mut lg = ap_client(&mut rib, 10, 64510, &[V4, V6], 1 << 20);
    settle(&mut rib, &mut [&mut a, &mut b, &mut c], &mut [&mut lg]);
    let t0 = std::time::Instant::now();
    rib.peer_down_graceful(1, std::time::Duration::from_secs(120), vec![V4], t0);
    settle(&mut rib, &mut [&mut b, &mut c], &mut [&mut lg]);
    assert_eq!(lg.paths(P)[&1], "64501", "stale path kept under its id");
    assert_eq!(
        lg.withdrawn,
        vec![(pfx(P6), Some(1))],
        "the family without preserved state goes at once"
    );
    // Member 1 is back: one prefix announced again (new attributes, same
    // id), then End-of-RIB sweeps the other.
    let mut a = client(&mut rib, 1, 64501, Context::four_octet());
    rib.routes(1, announce(&[64501, 65001], "198.18.0.1", &[P]));
    settle(&mut rib, &mut [&mut a, &mut b, &mut c], &mut [&mut lg]);
    assert_eq!(lg.paths(P)[&1], "64501 65001");
    assert_eq!(lg.paths("45.183.45.0/24")[&1], "64501");
    rib.routes(
        1,
        RouteUpdate {
            end_of_rib: Some(V4),
            ..Default::default()
        },
    );
    settle(&mut rib, &mut [&mut a, &mut b, &mut c], &mut [&mut lg]);
    assert!(lg.paths("45.183.45.0/24").is_empty());
    assert_eq!(lg.paths(P).len(), 3);
    assert_eq!(lg.withdrawn.last(), Some(&(pfx("45.183.45.0/24"), Some(1))));
}

#[test]
fn informational_communities_follow_a_state_change_under_the_same_id() {
    let mut rib = Rib::new();
    let [mut a, mut b, mut c] = three_members(&mut rib);
    rib.set_import(
        2,
        Arc::new(MemberImport {
            filters: Arc::new(condor_policy::Filters {
                rpki: condor_policy::RpkiPolicy::RejectInvalid,
                informational: Some(Asn(64115)),
                ..condor_policy::Filters::none()
            }),
            ..MemberImport::permissive(Asn(64502))
        }),
    );
    let vrps: Arc<dyn condor_policy::RpkiCheck> = Arc::new(Vrps(vec![(pfx(P), 24, 65002)]));
    rib.set_rpki(Some(vrps), Scope::All);
    // Announced again under the new import policy (which tags).
    rib.routes(2, announce(&[64502, 65002], "198.18.0.2", &[P]));
    let mut lg = ap_client(&mut rib, 10, 64510, &[V4, V6], 1 << 20);
    settle(&mut rib, &mut [&mut a, &mut b, &mut c], &mut [&mut lg]);
    assert_eq!(lg.large[&(pfx(P), 2)], vec![(64115, 1000, 1)], "RPKI-valid");
    assert!(lg.large[&(pfx(P), 1)].is_empty(), "member 1 is not tagged");
    // The ROA goes away: member 2's path is re-sent under id 2 with its new
    // state, the others are not touched.
    let an = lg.announced.len();
    rib.set_rpki(Some(Arc::new(Vrps(Vec::new()))), Scope::All);
    settle(&mut rib, &mut [&mut a, &mut b, &mut c], &mut [&mut lg]);
    assert_eq!(lg.announced[an..], [(pfx(P), Some(2))]);
    assert_eq!(lg.large[&(pfx(P), 2)], vec![(64115, 1000, 2)], "not found");
    assert!(lg.withdrawn.is_empty());
}
