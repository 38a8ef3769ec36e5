//! Interop: `condor serve` with real BGP daemons from Debian as IXP members,
//! over TCP-MD5 sessions on loopback.
//!
//! ```text
//!   member X (BIRD | FRR | GoBGP | OpenBGPD | ExaBGP)        member R (GoBGP)
//!   127.0.x.a, AS64501, announces 45.183.44.0/24          127.0.x.b, AS64502, announces 45.183.45.0/24
//!                 \  MD5 "pw-x"                               /  MD5 "pw-r"
//!                  \                                         /
//!                   +──────── condor serve (AS64115) ───────+
//!                             127.0.x.c:<free port>, members passive-side (they connect)
//! ```
//!
//! Each test checks both sides agree the sessions are Established (the
//! daemon's own CLI, and `condor show neighbors --json`), that each member
//! receives the other's route with the originating AS first (route server
//! transparency: AS64115 absent) and the original next hop, that a
//! withdrawal propagates, and that `condor stop` closes the session with a
//! Cease the member logs. Negative tests: a wrong or missing MD5 password
//! never establishes. IPv6 transport: a member on ::1.
//!
//! Skips with a message when a daemon is missing (scripts/install-interop-deps.sh
//! installs them); fails instead when CI=true.

use condor_interop::{
    loopback_v4, require, Announcement, DaemonKind, MemberConfig, SessionState, DEFAULT_TIMEOUT,
};
use std::net::IpAddr;
use std::time::{Duration, Instant};

mod common;

use common::{fail, Condor, Member};

/// X and a GoBGP reference member exchange routes through condor.
fn relay_through_condor(kind: DaemonKind) {
    if !require(kind) || !require(DaemonKind::Gobgp) {
        return;
    }
    let (cip, xa, ra): (IpAddr, IpAddr, IpAddr) = (
        loopback_v4().into(),
        loopback_v4().into(),
        loopback_v4().into(),
    );
    let condor = Condor::start(
        cip,
        &[
            Member {
                addr: xa,
                asn: 64501,
                password: Some("pw-x-0123456789"),
            },
            Member {
                addr: ra,
                asn: 64502,
                password: Some("pw-r-9876543210"),
            },
        ],
    );
    let x_route = Announcement::parse("45.183.44.0/24", "198.18.0.1").expect("route");
    let r_route = Announcement::parse("45.183.45.0/24", "198.18.0.2").expect("route");
    let mut x = kind
        .start(
            MemberConfig::new(64501, xa)
                .with_peer(condor.as_peer(Some("pw-x-0123456789")))
                .with_route(x_route),
        )
        .unwrap_or_else(|e| panic!("starting {kind:?}: {e}"));
    let r = DaemonKind::Gobgp
        .start(
            MemberConfig::new(64502, ra)
                .with_peer(condor.as_peer(Some("pw-r-9876543210")))
                .with_route(r_route),
        )
        .expect("starting GoBGP");

    if let Err(e) = x.wait_established(cip, DEFAULT_TIMEOUT) {
        fail(
            &format!("{kind:?} did not establish: {e}"),
            &[&x, &r],
            &condor,
        );
    }
    if let Err(e) = r.wait_established(cip, DEFAULT_TIMEOUT) {
        fail(&format!("GoBGP did not establish: {e}"), &[&x, &r], &condor);
    }
    condor.wait_established(xa);
    condor.wait_established(ra);

    let got = r
        .wait_route(
            cip,
            "45.183.44.0/24".parse().expect("prefix"),
            DEFAULT_TIMEOUT,
        )
        .unwrap_or_else(|e| {
            fail(
                &format!("GoBGP did not get X's route: {e}"),
                &[&x, &r],
                &condor,
            )
        });
    assert_eq!(
        got.as_path,
        vec![64501],
        "origin AS first, route server AS absent (RFC 7947)"
    );
    assert_eq!(
        got.next_hop,
        Some("198.18.0.1".parse().expect("ip")),
        "next hop unchanged"
    );
    let got = x
        .wait_route(
            cip,
            "45.183.45.0/24".parse().expect("prefix"),
            DEFAULT_TIMEOUT,
        )
        .unwrap_or_else(|e| {
            fail(
                &format!("{kind:?} did not get R's route: {e}"),
                &[&x, &r],
                &condor,
            )
        });
    assert_eq!(got.as_path, vec![64502]);
    assert_eq!(got.next_hop, Some("198.18.0.2".parse().expect("ip")));
    // A member never receives its own route back.
    let own = x.received_routes(cip).expect("routes");
    assert!(
        own.iter()
            .all(|rt| rt.prefix.to_string() != "45.183.44.0/24"),
        "{kind:?} got its own route back: {own:?}"
    );

    x.withdraw("45.183.44.0/24".parse().expect("prefix"))
        .expect("withdraw");
    if let Err(e) = r.wait_route_gone(
        cip,
        "45.183.44.0/24".parse().expect("prefix"),
        DEFAULT_TIMEOUT,
    ) {
        fail(
            &format!("withdrawal from {kind:?} did not reach GoBGP: {e}"),
            &[&x, &r],
            &condor,
        );
    }

    // Graceful teardown: a Cease with a shutdown communication.
    condor.cli(&["stop", "--message", "maintenance window 42"]);
    let end = Instant::now() + DEFAULT_TIMEOUT;
    while x
        .session_state(cip)
        .map(|s| s == SessionState::Established)
        .unwrap_or(false)
        && Instant::now() < end
    {
        std::thread::sleep(Duration::from_millis(200));
    }
    assert_ne!(
        x.session_state(cip).ok(),
        Some(SessionState::Established),
        "{kind:?} still Established after condor stop"
    );
    // What each member logs: BIRD, FRR, GoBGP and OpenBGPD show the Cease and
    // its text. ExaBGP 4.2.21 cannot decode any RFC 8203 shutdown
    // communication (its notification.py formats bytes with a str and fails),
    // so it reports that it could not decode the NOTIFICATION (message type 3)
    // it received: that still proves the Cease arrived.
    let end = Instant::now() + Duration::from_secs(10);
    let logged = loop {
        let l = x.logs().to_lowercase();
        let ok = match kind {
            DaemonKind::Exabgp => l.contains(r#"of type \"3\""#),
            _ => {
                l.contains("maintenance window 42")
                    || (l.contains("cease") || l.contains("shutdown")) && l.contains("notification")
            }
        };
        if ok {
            break true;
        }
        if Instant::now() > end {
            break false;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    if !logged {
        fail(
            &format!("{kind:?} did not log the Cease NOTIFICATION"),
            &[&x, &r],
            &condor,
        );
    }
}

#[test]
fn bird_member_through_condor() {
    relay_through_condor(DaemonKind::Bird);
}

#[test]
fn frr_member_through_condor() {
    relay_through_condor(DaemonKind::Frr);
}

#[test]
fn gobgp_member_through_condor() {
    relay_through_condor(DaemonKind::Gobgp);
}

#[test]
fn openbgpd_member_through_condor() {
    relay_through_condor(DaemonKind::Openbgpd);
}

#[test]
fn exabgp_member_through_condor() {
    relay_through_condor(DaemonKind::Exabgp);
}

/// A wrong password, or none, never establishes; the right one does.
#[test]
fn md5_mismatch_never_establishes() {
    if !require(DaemonKind::Bird) {
        return;
    }
    let cip: IpAddr = loopback_v4().into();
    let (wrong, none, right): (IpAddr, IpAddr, IpAddr) = (
        loopback_v4().into(),
        loopback_v4().into(),
        loopback_v4().into(),
    );
    let condor = Condor::start(
        cip,
        &[
            Member {
                addr: wrong,
                asn: 64511,
                password: Some("the-right-one"),
            },
            Member {
                addr: none,
                asn: 64512,
                password: Some("the-right-one"),
            },
            Member {
                addr: right,
                asn: 64513,
                password: Some("the-right-one"),
            },
        ],
    );
    let w = DaemonKind::Bird
        .start(MemberConfig::new(64511, wrong).with_peer(condor.as_peer(Some("a-wrong-one"))))
        .expect("bird");
    let n = DaemonKind::Bird
        .start(MemberConfig::new(64512, none).with_peer(condor.as_peer(None)))
        .expect("bird");
    let r = DaemonKind::Bird
        .start(MemberConfig::new(64513, right).with_peer(condor.as_peer(Some("the-right-one"))))
        .expect("bird");
    if let Err(e) = r.wait_established(cip, DEFAULT_TIMEOUT) {
        fail(
            &format!("the right password did not establish: {e}"),
            &[&r],
            &condor,
        );
    }
    if let Err(e) = w.expect_not_established(cip, Duration::from_secs(8)) {
        fail(&format!("wrong password: {e}"), &[&w], &condor);
    }
    n.expect_not_established(cip, Duration::from_secs(2))
        .unwrap_or_else(|e| fail(&format!("no password: {e}"), &[&n], &condor));
    assert_ne!(condor.state(wrong), "Established");
    assert_ne!(condor.state(none), "Established");
    assert_eq!(condor.state(right), "Established");
}

/// IPv6 transport on ::1 with MD5, IPv6 unicast routes.
#[test]
fn ipv6_transport() {
    if !require(DaemonKind::Gobgp) {
        return;
    }
    let v6: IpAddr = "::1".parse().expect("ip");
    let condor = Condor::start(
        v6,
        &[Member {
            addr: v6,
            asn: 64521,
            password: Some("pw-v6-member"),
        }],
    );
    let g = DaemonKind::Gobgp
        .start(
            MemberConfig::new(64521, v6)
                .with_peer(condor.as_peer(Some("pw-v6-member")))
                .with_route(
                    Announcement::parse("2803:cd60:6411::/48", "2001:db8::21").expect("route"),
                ),
        )
        .expect("gobgp");
    if let Err(e) = g.wait_established(v6, DEFAULT_TIMEOUT) {
        fail(
            &format!("IPv6 session did not establish: {e}"),
            &[&g],
            &condor,
        );
    }
    condor.wait_established(v6);
    condor.wait_for(DEFAULT_TIMEOUT, "the IPv6 route in condor's RIB", |c| {
        serde_json::from_str::<serde_json::Value>(&c.cli(&["show", "rib", "--json"]))
            .map(|v| v["paths"] == 1)
            .unwrap_or(false)
    });
}
