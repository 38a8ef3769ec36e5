//! ADD-PATH send (RFC 7911) from the route server to a real BIRD 2 that
//! asked for several paths per prefix (`add paths rx`), with three other
//! members announcing the same prefix.
//!
//! ```text
//!   BIRD   AS64501: 45.183.44.0/24 [64501]               ┐
//!   GoBGP  AS64502: 45.183.44.0/24 [64502],               │
//!                   45.183.45.0/24 with 0:64510           ├── condor serve AS64115 ── BIRD AS64510
//!   ExaBGP AS64503: 45.183.44.0/24 [64503 65003],         │   (MD5 on every          add paths rx,
//!                   45.183.45.0/24 [64503]                ┘    session)              add_path_send = true;
//!                                                                                    announces 45.183.44.0/24 [64510]
//! ```
//!
//! The ADD-PATH client must hold all three members' paths for
//! 45.183.44.0/24 (not its own), and for 45.183.45.0/24 only ExaBGP's
//! (GoBGP's says "not to AS64510"), while the member without ADD-PATH holds
//! one path. GoBGP's withdrawal removes exactly its path; ExaBGP's session
//! loss removes its paths.

mod common;

use common::{fail, Condor, Member};
use condor_interop::{
    loopback_v4, require, Announcement, Community, DaemonKind, MemberConfig, Prefix, Route,
    RunningDaemon, DEFAULT_TIMEOUT,
};
use std::net::IpAddr;

/// The AS paths of the routes for `p` among `routes`, sorted.
fn paths_for(routes: &[Route], p: Prefix) -> Vec<Vec<u32>> {
    let mut v: Vec<Vec<u32>> = routes
        .iter()
        .filter(|r| r.prefix == p)
        .map(|r| r.as_path.clone())
        .collect();
    v.sort();
    v
}

#[test]
fn bird_with_add_path_receives_every_members_path() {
    for k in [DaemonKind::Bird, DaemonKind::Gobgp, DaemonKind::Exabgp] {
        if !require(k) {
            return;
        }
    }
    let cip: IpAddr = loopback_v4().into();
    let members: Vec<Member> = (0..3)
        .map(|i| Member::on_loopback_with_md5(64501 + i))
        .collect();
    let client_addr: IpAddr = loopback_v4().into();
    // The ADD-PATH client is a neighbor of its own, with `add_path_send`.
    let extra = format!(
        "\n[[neighbor]]\nname = \"looking glass AS64510\"\naddress = \"{client_addr}\"\nasn = 64510\npassive = true\npassword = \"pw-64510\"\nadd_path_send = true\n"
    );
    let condor = Condor::start_in(
        tempfile::tempdir().expect("temp dir"),
        cip,
        &members,
        &extra,
    );
    let rs = |pw: &str| condor.as_peer(Some(pw));
    let p1: Prefix = "45.183.44.0/24".parse().expect("prefix");
    let p2: Prefix = "45.183.45.0/24".parse().expect("prefix");
    let route = |p: &str, nh: &str| Announcement::parse(p, nh).expect("route");

    let bird = DaemonKind::Bird
        .start(
            MemberConfig::new(64501, members[0].addr)
                .with_peer(rs("pw-64501"))
                .with_route(route("45.183.44.0/24", "198.18.0.1")),
        )
        .expect("bird");
    let mut gobgp = DaemonKind::Gobgp
        .start(
            MemberConfig::new(64502, members[1].addr)
                .with_peer(rs("pw-64502"))
                .with_route(route("45.183.44.0/24", "198.18.0.2"))
                .with_route(
                    route("45.183.45.0/24", "198.18.0.2").with_community(Community(0, 64510)),
                ),
        )
        .expect("gobgp");
    let exabgp = DaemonKind::Exabgp
        .start(
            MemberConfig::new(64503, members[2].addr)
                .with_peer(rs("pw-64503"))
                // ExaBGP alone announces an explicit AS path.
                .with_route(route("45.183.44.0/24", "198.18.0.3").with_as_path(vec![64503, 65003]))
                .with_route(route("45.183.45.0/24", "198.18.0.3")),
        )
        .expect("exabgp");
    let lg = DaemonKind::Bird
        .start(
            MemberConfig::new(64510, client_addr)
                .with_peer(rs("pw-64510").with_add_path_rx())
                .with_route(route("45.183.44.0/24", "198.18.0.10")),
        )
        .expect("bird with add paths rx");
    let all = [&bird, &gobgp, &exabgp, &lg];
    for d in all {
        if let Err(e) = d.wait_established(cip, DEFAULT_TIMEOUT) {
            fail(
                &format!("{:?} did not establish: {e}", d.kind()),
                &all,
                &condor,
            );
        }
    }

    let expect = |d: &RunningDaemon, p: Prefix, want: Vec<Vec<u32>>, what: &str| {
        let r = d.wait_routes(cip, what, DEFAULT_TIMEOUT, |rs| {
            (paths_for(rs, p) == want).then_some(())
        });
        if let Err(e) = r {
            fail(
                &format!("{what}: {:?} never held {want:?} for {p}: {e}", d.kind()),
                &[d],
                &condor,
            );
        }
    };
    expect(
        &lg,
        p1,
        vec![vec![64501], vec![64502], vec![64503, 65003]],
        "every other member's path, not its own",
    );
    expect(
        &lg,
        p2,
        vec![vec![64503]],
        "the path that says 0:64510 is not sent to it",
    );
    // A member without ADD-PATH holds one path: its best, one of the two
    // one-AS paths that are not its own (the router ids decide which).
    let one = bird.wait_routes(cip, "one path", DEFAULT_TIMEOUT, |rs| {
        Some(paths_for(rs, p1)).filter(|v| v.len() == 1)
    });
    match one {
        Ok(v) => assert!(
            v == [vec![64502]] || v == [vec![64510]],
            "BIRD without ADD-PATH holds {v:?}"
        ),
        Err(e) => fail(&format!("BIRD without ADD-PATH: {e}"), &[&bird], &condor),
    }

    // GoBGP withdraws: exactly its path goes.
    gobgp.withdraw(p1).expect("withdraw");
    expect(
        &lg,
        p1,
        vec![vec![64501], vec![64503, 65003]],
        "GoBGP's path withdrawn by its id",
    );
    // ExaBGP's session is lost: its paths go.
    drop(exabgp);
    expect(
        &lg,
        p1,
        vec![vec![64501]],
        "ExaBGP's path gone with its session",
    );
    if let Err(e) = lg.wait_route_gone(cip, p2, DEFAULT_TIMEOUT) {
        fail(
            &format!("{p2} kept after the session loss: {e}"),
            &[&lg],
            &condor,
        );
    }
}
