//! The route server with four real daemons as members at once: relay,
//! per-client best path without path hiding under an action community,
//! withdrawal and session loss.
//!
//! ```text
//!   BIRD AS64501 ─┐                              ┌─ GoBGP AS64503: 45.183.44.0/24 path [64503],
//!                 │                              │    community 0:64501 ("not to AS64501")
//!                 ├── condor serve AS64115 ──────┤
//!                 │   (MD5 on every session)     │
//!   FRR AS64502 ──┘                              └─ ExaBGP AS64504: 45.183.44.0/24 path [64504 65010]
//! ```
//!
//! GoBGP's path is the best (shorter), but AS64501 may not have it: BIRD
//! must get ExaBGP's path instead (RFC 7947 §2.3.2: no path hiding) while FRR
//! and ExaBGP get GoBGP's, with the action community removed and GoBGP's
//! informational community kept. When GoBGP withdraws, FRR moves to
//! ExaBGP's path; when ExaBGP's session is lost, the prefix disappears from
//! every member.

mod common;

use common::{fail, Condor, Member};
use condor_interop::{
    loopback_v4, require, Announcement, Community, DaemonKind, MemberConfig, RunningDaemon,
    DEFAULT_TIMEOUT,
};
use std::net::IpAddr;
use std::time::{Duration, Instant};

#[test]
fn four_daemons_per_client_best_path_with_an_action_community() {
    for k in [
        DaemonKind::Bird,
        DaemonKind::Frr,
        DaemonKind::Gobgp,
        DaemonKind::Exabgp,
    ] {
        if !require(k) {
            return;
        }
    }
    let cip: IpAddr = loopback_v4().into();
    let members: Vec<Member> = (0..4)
        .map(|i| Member::on_loopback_with_md5(64501 + i))
        .collect();
    let condor = Condor::start(cip, &members);
    let rs = |m: &Member| condor.as_peer(m.password);
    let p1: condor_interop::Prefix = "45.183.44.0/24".parse().expect("prefix");
    let bird = DaemonKind::Bird
        .start(MemberConfig::new(64501, members[0].addr).with_peer(rs(&members[0])))
        .expect("bird");
    let frr = DaemonKind::Frr
        .start(MemberConfig::new(64502, members[1].addr).with_peer(rs(&members[1])))
        .expect("frr");
    let mut gobgp = DaemonKind::Gobgp
        .start(
            MemberConfig::new(64503, members[2].addr)
                .with_peer(rs(&members[2]))
                .with_route(
                    Announcement::parse("45.183.44.0/24", "198.18.0.3")
                        .expect("route")
                        .with_community(Community(0, 64501))
                        .with_community(Community(64503, 100)),
                ),
        )
        .expect("gobgp");
    let mut exa_route = Announcement::parse("45.183.44.0/24", "198.18.0.4").expect("route");
    exa_route.as_path = vec![64504, 65010];
    let exabgp = DaemonKind::Exabgp
        .start(
            MemberConfig::new(64504, members[3].addr)
                .with_peer(rs(&members[3]))
                .with_route(exa_route),
        )
        .expect("exabgp");
    let all = [&bird, &frr, &gobgp, &exabgp];
    for d in all {
        if let Err(e) = d.wait_established(cip, DEFAULT_TIMEOUT) {
            fail(
                &format!("{:?} did not establish: {e}", d.kind()),
                &all,
                &condor,
            );
        }
    }

    // Wait until each receiver has the path it must have.
    let expect = |d: &RunningDaemon, path: Vec<u32>| {
        let end = Instant::now() + DEFAULT_TIMEOUT;
        loop {
            let got = d.received_routes(cip).unwrap_or_default();
            if let Some(r) = got.iter().find(|r| r.prefix == p1) {
                if r.as_path == path {
                    return r.clone();
                }
            }
            if Instant::now() > end {
                fail(
                    &format!("{:?} never held {p1} with path {path:?}: {got:?}", d.kind()),
                    &[d],
                    &condor,
                );
            }
            std::thread::sleep(Duration::from_millis(250));
        }
    };
    let r = expect(&frr, vec![64503]);
    assert_eq!(
        r.next_hop,
        Some("198.18.0.3".parse().expect("ip")),
        "next hop unchanged"
    );
    assert!(
        !r.communities.contains(&Community(0, 64501)),
        "action community removed: {:?}",
        r.communities
    );
    assert!(
        r.communities.contains(&Community(64503, 100)),
        "informational community kept: {:?}",
        r.communities
    );
    expect(&exabgp, vec![64503]);
    let r = expect(&bird, vec![64504, 65010]);
    assert_eq!(r.next_hop, Some("198.18.0.4".parse().expect("ip")));
    // GoBGP never gets its own route, but the alternative.
    expect(&gobgp, vec![64504, 65010]);

    // Withdrawal: FRR moves to ExaBGP's path.
    gobgp.withdraw(p1).expect("withdraw");
    expect(&frr, vec![64504, 65010]);
    // Session loss: ExaBGP goes away, the prefix is gone everywhere.
    drop(exabgp);
    for d in [&bird, &frr, &gobgp] {
        if let Err(e) = d.wait_route_gone(cip, p1, DEFAULT_TIMEOUT) {
            fail(
                &format!("{:?} kept {p1} after the session loss: {e}", d.kind()),
                &[&bird, &frr, &gobgp],
                &condor,
            );
        }
    }
}
