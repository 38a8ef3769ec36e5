//! ROUTE-REFRESH (RFC 2918) from real daemons: BIRD (`reload in`) and FRR
//! (`clear bgp … soft in`) ask the route server for its routes again; the route
//! server answers on the running session with its whole Adj-RIB-Out for the
//! client (counted by its own counters), and the client keeps its routes.
//!
//! ```text
//!   BIRD AS64501 (announces 45.183.44.0/24) ──┐
//!                                             ├── condor serve AS64115
//!   FRR AS64503 (announces 45.183.45.0/24) ─┘
//! ```

mod common;

use common::{fail, Condor, Member};
use condor_interop::{
    loopback_v4, require, Announcement, DaemonKind, MemberConfig, DEFAULT_TIMEOUT,
};
use std::net::IpAddr;
use std::time::Duration;

fn queued(c: &Condor) -> u64 {
    let v: serde_json::Value =
        serde_json::from_str(&c.cli(&["show", "rib", "--json"])).expect("JSON");
    v["messages_queued"]
        .as_u64()
        .unwrap_or_else(|| panic!("no messages_queued in {v}"))
}

#[test]
fn bird_and_frr_route_refresh_is_answered_in_place() {
    for k in [DaemonKind::Bird, DaemonKind::Frr] {
        if !require(k) {
            return;
        }
    }
    let cip: IpAddr = loopback_v4().into();
    let members: Vec<Member> = [64501, 64503]
        .iter()
        .map(|&asn| Member::on_loopback(asn))
        .collect();
    let condor = Condor::start(cip, &members);
    let bird = DaemonKind::Bird
        .start(
            MemberConfig::new(64501, members[0].addr)
                .with_peer(condor.as_peer(None))
                .with_route(Announcement::parse("45.183.44.0/24", "198.18.0.1").expect("route")),
        )
        .expect("bird");
    let frr = DaemonKind::Frr
        .start(
            MemberConfig::new(64503, members[1].addr)
                .with_peer(condor.as_peer(None))
                .with_route(Announcement::parse("45.183.45.0/24", "198.18.0.3").expect("route")),
        )
        .expect("frr");
    let all = [&bird, &frr];
    for (d, p) in [(&bird, "45.183.45.0/24"), (&frr, "45.183.44.0/24")] {
        if let Err(e) = d.wait_route(cip, p.parse().expect("prefix"), DEFAULT_TIMEOUT) {
            fail(&format!("{:?} never got {p}: {e}", d.kind()), &all, &condor);
        }
    }
    for d in all {
        // Let the initial exchange settle, then count.
        std::thread::sleep(Duration::from_millis(500));
        let before = queued(&condor);
        let since = condor.cli(&["show", "neighbors", "--json"]);
        if let Err(e) = d.request_route_refresh(cip) {
            fail(
                &format!("{:?} cannot send ROUTE-REFRESH: {e}", d.kind()),
                &all,
                &condor,
            );
        }
        condor.wait_for(DEFAULT_TIMEOUT, "the refresh answered", |c| {
            queued(c) > before
        });
        let p = if d.kind() == DaemonKind::Bird {
            "45.183.45.0/24"
        } else {
            "45.183.44.0/24"
        };
        if let Err(e) = d.wait_route(cip, p.parse().expect("prefix"), DEFAULT_TIMEOUT) {
            fail(
                &format!("{:?} lost {p} after its refresh: {e}", d.kind()),
                &all,
                &condor,
            );
        }
        let uptimes = |s: &str| -> Vec<serde_json::Value> {
            let v: serde_json::Value = serde_json::from_str(s).expect("JSON");
            v.as_array()
                .expect("array")
                .iter()
                .map(|n| n["uptime_s"].clone())
                .collect()
        };
        let (a, b) = (
            uptimes(&since),
            uptimes(&condor.cli(&["show", "neighbors", "--json"])),
        );
        for (x, y) in a.iter().zip(&b) {
            assert!(
                y.as_u64() >= x.as_u64(),
                "a session was reset: {a:?} → {b:?}"
            );
        }
    }
}
