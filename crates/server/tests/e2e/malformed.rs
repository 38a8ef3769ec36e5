//! Malformed input from one member never disturbs another (RFC 7606,
//! RFC 4271 §6).
//!
//! ```text
//!   AS64501 127.0.0.2 (sends bad input) ──┐
//!   AS64502 127.0.0.3 (holds routes)    ──┼── condor 127.0.0.1:port
//!   AS64503 127.0.0.4 (observes)        ──┘
//! ```
//!
//! (a) a bad ORIGIN value: treat-as-withdraw (RFC 7606 §7.1), A's session
//!     stays up, the route is withdrawn and a new prefix never relayed;
//! (b) an NLRI with prefix length 33: UPDATE Message Error / Invalid
//!     Network Field (3/10), A is closed and its routes withdrawn;
//! (c) a header whose marker is not all ones: Message Header Error /
//!     Connection Not Synchronized (1/1).
//!
//! Through all of it B's session keeps its uptime and its routes.

use crate::support::*;
use condor_server::Daemon;
use condor_session::State;
use condor_wire::attr::{flags, types};
use condor_wire::notification::codes;
use std::net::Ipv4Addr;
use std::time::{Duration, SystemTime};

const NH_A: [u8; 4] = [198, 18, 0, 2];

/// A well-formed attribute block with ORIGIN `origin`.
fn attrs_with_origin(origin: u8) -> Vec<u8> {
    let mut a = raw_attr(flags::TRANSITIVE, types::ORIGIN, &[origin]);
    a.extend(raw_attr(
        flags::TRANSITIVE,
        types::AS_PATH,
        &as_sequence(&[64501]),
    ));
    a.extend(raw_attr(flags::TRANSITIVE, types::NEXT_HOP, &NH_A));
    a
}

async fn assert_b_untouched(d: &Daemon, b_since: SystemTime, c: &mut Speaker, when: &str) {
    let s = status(d, lo(3)).await;
    assert_eq!(
        s.session.state,
        State::Established,
        "{when}: B's session left Established: {:?}",
        s.session.last_transition
    );
    assert_eq!(
        s.session.established_since,
        Some(b_since),
        "{when}: B's session restarted"
    );
    c.drain_for(Duration::from_millis(200)).await;
    for p in ["203.0.113.0/24", "192.0.2.0/24"] {
        assert!(
            c.routes.contains_key(&pfx(p)),
            "{when}: B's route {p} is gone from C: {}",
            c.describe()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_updates_and_headers_are_isolated() {
    init_logging();
    let d = ConfigBuilder::new(lo(1))
        .neighbor(NeighborCfg::member(lo(2), 64501))
        .neighbor(NeighborCfg::member(lo(3), 64502).password("key-b"))
        .neighbor(NeighborCfg::member(lo(4), 64503))
        .start()
        .await;
    let rs = listen_addr(&d);
    let mut a = Speaker::establish(SpeakerCfg::new(lo(2), 64501), rs).await;
    let mut b = Speaker::establish(SpeakerCfg::new(lo(3), 64502).md5("key-b"), rs).await;
    let mut c = Speaker::establish(SpeakerCfg::new(lo(4), 64503), rs).await;
    b.announce(
        &[pfx("203.0.113.0/24"), pfx("192.0.2.0/24")],
        &[64502],
        Ipv4Addr::new(198, 18, 0, 3),
        None,
    )
    .await;
    a.announce(
        &[pfx("198.51.100.0/24")],
        &[64501],
        Ipv4Addr::from(NH_A),
        None,
    )
    .await;
    c.expect("the routes of A and B", |s| s.routes.len() == 3)
        .await;
    let b_since = established_since(&d, lo(3)).await;
    let a_since = established_since(&d, lo(2)).await;

    // (a) Bad ORIGIN (7): treat-as-withdraw for the existing route and the new one.
    let nlri = [24, 198, 51, 100, 24, 100, 64, 0];
    a.send_raw(&raw_update(&[], &attrs_with_origin(7), &nlri))
        .await
        .expect("send");
    c.expect("198.51.100.0/24 withdrawn (treat-as-withdraw)", |s| {
        !s.routes.contains_key(&pfx("198.51.100.0/24"))
    })
    .await;
    a.drain_for(Duration::from_millis(300)).await;
    assert!(
        !a.closed && a.notification.is_none(),
        "(a) A's session must stay up after a bad ORIGIN: {}",
        a.describe()
    );
    let sa = status(&d, lo(2)).await;
    assert_eq!(
        (sa.session.state, sa.session.established_since),
        (State::Established, Some(a_since)),
        "(a) A's session restarted after a bad ORIGIN"
    );
    assert!(
        !c.ever.contains(&pfx("100.64.0.0/24")),
        "(a) a prefix announced with a bad ORIGIN was relayed: {}",
        c.describe()
    );
    assert_b_untouched(&d, b_since, &mut c, "after (a)").await;

    // (b) Prefix length 33: NOTIFICATION 3/10, A closed, its routes withdrawn.
    a.announce(
        &[pfx("198.51.100.0/24")],
        &[64501],
        Ipv4Addr::from(NH_A),
        None,
    )
    .await;
    c.expect("A's route again", |s| {
        s.routes.contains_key(&pfx("198.51.100.0/24"))
    })
    .await;
    a.send_raw(&raw_update(
        &[],
        &attrs_with_origin(0),
        &[33, 198, 51, 100, 0, 0],
    ))
    .await
    .expect("send");
    let n = a.expect_closed(TIMEOUT).await;
    assert_eq!(
        n.as_ref().map(|n| (n.code, n.subcode)),
        Some((codes::UPDATE_MESSAGE, codes::UPD_INVALID_NETWORK)),
        "(b) prefix length 33 must get 3/10; observed {}",
        a.describe()
    );
    c.expect("A's route withdrawn after its session reset", |s| {
        !s.routes.contains_key(&pfx("198.51.100.0/24"))
    })
    .await;
    assert_b_untouched(&d, b_since, &mut c, "after (b)").await;

    // (c) A comes back (after the IdleHold back-off) and sends a bad marker.
    let mut a = Speaker::establish(SpeakerCfg::new(lo(2), 64501), rs).await;
    let mut garbage = vec![0u8; 16];
    garbage.extend_from_slice(&[0, 19, 4]);
    a.send_raw(&garbage).await.expect("send");
    let n = a.expect_closed(TIMEOUT).await;
    assert_eq!(
        n.as_ref().map(|n| (n.code, n.subcode)),
        Some((codes::MESSAGE_HEADER, codes::HDR_NOT_SYNCHRONIZED)),
        "(c) a bad marker must get 1/1; observed {}",
        a.describe()
    );
    assert_b_untouched(&d, b_since, &mut c, "after (c)").await;
    assert!(!b.closed, "B was closed: {}", b.describe());
    b.drain_for(Duration::from_millis(100)).await;
    assert!(
        b.notification.is_none() && !b.closed,
        "B got a NOTIFICATION or a close: {}",
        b.describe()
    );
}
