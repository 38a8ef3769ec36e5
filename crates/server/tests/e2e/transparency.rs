//! Transparency (RFC 7947 §2.2) and per-client best path (§2.3) with three
//! members on TCP-MD5 sessions.
//!
//! ```text
//!   AS64501 127.0.0.2 ──┐
//!   AS64502 127.0.0.3 ──┼── MD5 ── condor AS64115 127.0.0.1:port
//!   AS64503 127.0.0.4 ──┘
//! ```
//!
//! Routes of one member reach the others with AS_PATH and NEXT_HOP as sent
//! (no 64115 prepended), never go back to the sender, each member gets the
//! best path among the *others'* paths, End-of-RIB follows the initial
//! table, and withdrawals (explicit, or by the TCP session closing) reach
//! everyone.

use crate::support::*;
use condor_session::State;
use std::net::Ipv4Addr;
use std::time::Duration;

fn path_of(s: &Speaker, p: &str) -> Option<Vec<u32>> {
    s.routes.get(&pfx(p)).map(|r| r.as_path.to_vec())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transparency_per_client_best_eor_and_withdrawals() {
    init_logging();
    let d = ConfigBuilder::new(lo(1))
        .neighbor(NeighborCfg::member(lo(2), 64501).password("key-a"))
        .neighbor(NeighborCfg::member(lo(3), 64502).password("key-b"))
        .neighbor(NeighborCfg::member(lo(4), 64503).password("key-c"))
        .start()
        .await;
    let rs = listen_addr(&d);
    let nh_a = Ipv4Addr::new(198, 18, 0, 2);
    let nh_b = Ipv4Addr::new(198, 18, 0, 3);
    let nh_c = Ipv4Addr::new(198, 18, 0, 4);

    // A comes up alone: its initial table is empty, End-of-RIB all the same.
    let mut a = Speaker::establish(SpeakerCfg::new(lo(2), 64501).md5("key-a"), rs).await;
    a.expect("End-of-RIB after an empty initial table", |s| s.eor)
        .await;
    assert!(a.routes.is_empty(), "A got routes: {}", a.describe());
    a.announce(
        &[pfx("198.51.100.0/24"), pfx("203.0.113.0/24")],
        &[64501, 64510],
        nh_a,
        None,
    )
    .await;
    a.end_of_rib().await;

    // B's initial table holds A's routes, exactly as A sent them, then EoR.
    let mut b = Speaker::establish(SpeakerCfg::new(lo(3), 64502).md5("key-b"), rs).await;
    b.expect("End-of-RIB after the initial table", |s| s.eor)
        .await;
    assert_eq!(b.routes.len(), 2, "B's initial table: {}", b.describe());
    for p in ["198.51.100.0/24", "203.0.113.0/24"] {
        let r = &b.routes[&pfx(p)];
        assert_eq!(
            &*r.as_path,
            &[64501, 64510],
            "{p}: AS_PATH must be unchanged (no {RS_ASN} prepended); B saw {:?}",
            r.as_path
        );
        assert_eq!(r.next_hop, Some(nh_a), "{p}: NEXT_HOP must be A's own");
    }
    let mut c = Speaker::establish(SpeakerCfg::new(lo(4), 64503).md5("key-c"), rs).await;
    c.expect("End-of-RIB with A's two routes", |s| s.eor).await;
    assert_eq!(c.routes.len(), 2, "C's initial table: {}", c.describe());
    for addr in [lo(2), lo(3), lo(4)] {
        assert_eq!(status(&d, addr).await.session.state, State::Established);
    }

    // B announces a shorter path for 198.51.100.0/24: it is the best for A
    // and C; B keeps A's path (its own is never sent back to it).
    b.announce(&[pfx("198.51.100.0/24")], &[64502], nh_b, None)
        .await;
    c.expect("B's shorter path for 198.51.100.0/24", |s| {
        path_of(s, "198.51.100.0/24") == Some(vec![64502])
    })
    .await;
    assert_eq!(c.routes[&pfx("198.51.100.0/24")].next_hop, Some(nh_b));
    a.expect("B's path for the prefix A itself announces", |s| {
        path_of(s, "198.51.100.0/24") == Some(vec![64502])
    })
    .await;
    assert!(
        !a.routes.contains_key(&pfx("203.0.113.0/24")),
        "A got its own route back: {}",
        a.describe()
    );
    b.drain_for(Duration::from_millis(300)).await;
    assert_eq!(
        path_of(&b, "198.51.100.0/24"),
        Some(vec![64501, 64510]),
        "B must keep A's path (its own path is not sent back): {}",
        b.describe()
    );

    // B withdraws: C falls back to A's path, A loses the prefix.
    b.withdraw(&[pfx("198.51.100.0/24")]).await;
    c.expect("A's path again after B's withdrawal", |s| {
        path_of(s, "198.51.100.0/24") == Some(vec![64501, 64510])
    })
    .await;
    a.expect("the withdrawal of B's path", |s| {
        !s.routes.contains_key(&pfx("198.51.100.0/24"))
    })
    .await;

    // A withdraws one of its prefixes: gone from B and C.
    a.withdraw(&[pfx("203.0.113.0/24")]).await;
    for s in [&mut b, &mut c] {
        s.expect("the withdrawal of 203.0.113.0/24", |s| {
            !s.routes.contains_key(&pfx("203.0.113.0/24"))
        })
        .await;
    }

    // C announces, then closes its TCP connection: its route is withdrawn.
    c.announce(&[pfx("192.0.2.0/24")], &[64503], nh_c, None)
        .await;
    for s in [&mut a, &mut b] {
        s.expect("C's route", |s| {
            s.routes.get(&pfx("192.0.2.0/24")).map(|r| r.next_hop) == Some(Some(nh_c))
        })
        .await;
    }
    c.close().await;
    for s in [&mut a, &mut b] {
        s.expect("C's route withdrawn after its TCP close", |s| {
            !s.routes.contains_key(&pfx("192.0.2.0/24"))
        })
        .await;
    }
    wait_not_established(&d, lo(4), TIMEOUT).await;
    assert_eq!(status(&d, lo(2)).await.session.state, State::Established);
    assert_eq!(status(&d, lo(3)).await.session.state, State::Established);
    assert!(!a.closed && !b.closed, "A or B was closed");
}
