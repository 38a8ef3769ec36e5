//! Every action community a member can use, end to end: ExaBGP announces one
//! prefix per action, BIRD and GoBGP receive exactly what the communities
//! say — who gets the route, with how many prepends — and never see the
//! action communities themselves (informational ones pass unchanged).
//!
//! ```text
//!   ExaBGP AS64504 (9 prefixes, one action each) ──┐
//!                                                  ├── condor serve AS64115
//!   BIRD AS64501 ◄─────────────────────────────────┤
//!   GoBGP AS64503 ◄────────────────────────────────┘
//! ```

mod common;

use common::{fail, Condor, Member, RS_ASN};
use condor_interop::{
    loopback_v4, require, Announcement, Community, DaemonKind, LargeCommunity, MemberConfig,
    Prefix, Route, RunningDaemon, DEFAULT_TIMEOUT,
};
use std::collections::BTreeMap;
use std::net::IpAddr;
use std::time::{Duration, Instant};

const BIRD: u32 = 64501;
const GOBGP: u32 = 64503;
const EXA: u32 = 64504;

/// One announcement and what each receiver must hold: `None` = not
/// received, `Some(n)` = received with `n` prepends of AS64504.
struct Case {
    prefix: &'static str,
    communities: Vec<Community>,
    large: Vec<LargeCommunity>,
    bird: Option<usize>,
    gobgp: Option<usize>,
}

fn cases() -> Vec<Case> {
    let rs = RS_ASN;
    let c = |h: u32, l: u32| Community(h as u16, l as u16);
    let l = |a: u32, b: u32, c: u32| LargeCommunity(a, b, c);
    vec![
        // 0:peer — not to BIRD.
        Case {
            prefix: "45.183.44.0/24",
            communities: vec![c(0, BIRD)],
            large: vec![],
            bird: None,
            gobgp: Some(0),
        },
        // 0:RS — to nobody.
        Case {
            prefix: "45.183.45.0/24",
            communities: vec![c(0, rs)],
            large: vec![],
            bird: None,
            gobgp: None,
        },
        // 0:RS + RS:peer — only to GoBGP.
        Case {
            prefix: "45.183.46.0/24",
            communities: vec![c(0, rs), c(rs, GOBGP)],
            large: vec![],
            bird: None,
            gobgp: Some(0),
        },
        // RS:0:peer — not to GoBGP.
        Case {
            prefix: "200.48.0.0/16",
            communities: vec![],
            large: vec![l(rs, 0, GOBGP)],
            bird: Some(0),
            gobgp: None,
        },
        // RS:0:0 + RS:1:peer — only to BIRD.
        Case {
            prefix: "200.49.0.0/16",
            communities: vec![],
            large: vec![l(rs, 0, 0), l(rs, 1, BIRD)],
            bird: Some(0),
            gobgp: None,
        },
        // 65512:peer — prepend twice to BIRD.
        Case {
            prefix: "200.50.0.0/16",
            communities: vec![c(65512, BIRD)],
            large: vec![],
            bird: Some(2),
            gobgp: Some(0),
        },
        // 65501:RS — prepend once to every member.
        Case {
            prefix: "200.51.0.0/16",
            communities: vec![c(65501, rs)],
            large: vec![],
            bird: Some(1),
            gobgp: Some(1),
        },
        // RS:103:peer — prepend three times to GoBGP.
        Case {
            prefix: "200.52.0.0/16",
            communities: vec![],
            large: vec![l(rs, 103, GOBGP)],
            bird: Some(0),
            gobgp: Some(3),
        },
        // RS:peer alone restricts nobody; the informational 64504:1 passes.
        Case {
            prefix: "200.53.0.0/16",
            communities: vec![c(rs, GOBGP), c(EXA, 1)],
            large: vec![l(EXA, 7, 7)],
            bird: Some(0),
            gobgp: Some(0),
        },
    ]
}

fn is_action(c: &Community) -> bool {
    c.0 == 0 || u32::from(c.0) == RS_ASN || (65501..=65513).contains(&c.0)
}

#[test]
fn every_action_community_gives_each_client_what_it_says() {
    for k in [DaemonKind::Bird, DaemonKind::Gobgp, DaemonKind::Exabgp] {
        if !require(k) {
            return;
        }
    }
    let cip: IpAddr = loopback_v4().into();
    let members: Vec<Member> = [BIRD, GOBGP, EXA]
        .iter()
        .map(|&asn| Member::on_loopback(asn))
        .collect();
    let condor = Condor::start(cip, &members);
    let bird = DaemonKind::Bird
        .start(MemberConfig::new(BIRD, members[0].addr).with_peer(condor.as_peer(None)))
        .expect("bird");
    let gobgp = DaemonKind::Gobgp
        .start(MemberConfig::new(GOBGP, members[1].addr).with_peer(condor.as_peer(None)))
        .expect("gobgp");
    let mut exa = MemberConfig::new(EXA, members[2].addr).with_peer(condor.as_peer(None));
    for c in cases() {
        let mut a = Announcement::parse(c.prefix, "198.18.0.4").expect("route");
        a.as_path = vec![EXA];
        for x in c.communities {
            a = a.with_community(x);
        }
        for x in c.large {
            a = a.with_large_community(x);
        }
        exa = exa.with_route(a);
    }
    let exabgp = DaemonKind::Exabgp.start(exa).expect("exabgp");
    let all = [&bird, &gobgp, &exabgp];
    for d in all {
        if let Err(e) = d.wait_established(cip, DEFAULT_TIMEOUT) {
            fail(
                &format!("{:?} did not establish: {e}", d.kind()),
                &all,
                &condor,
            );
        }
    }

    let check = |d: &RunningDaemon, want: &BTreeMap<Prefix, usize>| {
        let end = Instant::now() + DEFAULT_TIMEOUT;
        loop {
            let got: BTreeMap<Prefix, Route> = d
                .received_routes(cip)
                .unwrap_or_default()
                .into_iter()
                .map(|r| (r.prefix, r))
                .collect();
            let complete = want
                .iter()
                .all(|(p, n)| got.get(p).is_some_and(|r| r.as_path == vec![EXA; n + 1]));
            if complete {
                // Everything expected is there: give anything unexpected a
                // moment to show up too, then compare exactly.
                std::thread::sleep(Duration::from_millis(500));
                let got: BTreeMap<Prefix, Route> = d
                    .received_routes(cip)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|r| (r.prefix, r))
                    .collect();
                let keys: Vec<&Prefix> = got.keys().collect();
                let wanted: Vec<&Prefix> = want.keys().collect();
                if keys != wanted {
                    fail(
                        &format!("{:?} holds {keys:?}, must hold {wanted:?}", d.kind()),
                        &all,
                        &condor,
                    );
                }
                return got;
            }
            if Instant::now() > end {
                fail(
                    &format!("{:?} never held {want:?}: {got:?}", d.kind()),
                    &all,
                    &condor,
                );
            }
            std::thread::sleep(Duration::from_millis(250));
        }
    };
    let want = |pick: fn(&Case) -> Option<usize>| -> BTreeMap<Prefix, usize> {
        cases()
            .iter()
            .filter_map(|c| pick(c).map(|n| (c.prefix.parse().expect("prefix"), n)))
            .collect()
    };
    let at_bird = check(&bird, &want(|c| c.bird));
    let at_gobgp = check(&gobgp, &want(|c| c.gobgp));
    for (who, routes) in [("BIRD", &at_bird), ("GoBGP", &at_gobgp)] {
        for r in routes.values() {
            assert!(
                !r.communities.iter().any(is_action),
                "{who}: action community relayed on {}: {:?}",
                r.prefix,
                r.communities
            );
            assert!(
                !r.large_communities.iter().any(|l| l.0 == RS_ASN),
                "{who}: action large community relayed on {}: {:?}",
                r.prefix,
                r.large_communities
            );
            assert_eq!(
                r.next_hop,
                Some("198.18.0.4".parse().expect("ip")),
                "{who}: next hop unchanged"
            );
        }
        let info = &routes[&"200.53.0.0/16".parse::<Prefix>().expect("prefix")];
        assert!(
            info.communities.contains(&Community(EXA as u16, 1)),
            "{who}: {:?}",
            info.communities
        );
        assert!(
            info.large_communities.contains(&LargeCommunity(EXA, 7, 7)),
            "{who}: {:?}",
            info.large_communities
        );
    }
}
