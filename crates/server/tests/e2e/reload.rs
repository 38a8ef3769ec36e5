//! Reload touches only the neighbors a change concerns.
//!
//! ```text
//!   AS64501 127.0.0.2 ──────────┐
//!   AS64502 127.0.0.3 (MD5) ────┼── condor 127.0.0.1:port ◄── reload
//!   AS64503 127.0.0.4 (added) ──┘
//! ```
//!
//! Adding a neighbor lets it establish; removing one closes only its
//! session, with Cease / Peer De-configured (6/3); changing a password
//! restarts only that neighbor (Cease / Other Configuration Change, 6/6),
//! which then comes back with the new key. The other sessions keep their
//! uptime throughout.

use crate::support::*;
use condor_server::Daemon;
use condor_wire::notification::codes;
use std::net::{IpAddr, Ipv4Addr};
use std::time::SystemTime;

async fn assert_uptime(d: &Daemon, addr: Ipv4Addr, since: SystemTime, when: &str) {
    let s = status(d, addr).await;
    assert_eq!(
        s.session.established_since,
        Some(since),
        "{when}: {addr}'s session was touched (state {}, last transition {:?})",
        s.session.state,
        s.session.last_transition
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reload_add_remove_and_password_change_touch_only_their_neighbor() {
    init_logging();
    let cfg = ConfigBuilder::new(lo(1))
        .neighbor(NeighborCfg::member(lo(2), 64501))
        .neighbor(NeighborCfg::member(lo(3), 64502).password("old-key"));
    let d = cfg.start().await;
    let rs = listen_addr(&d);
    let mut a = Speaker::establish(SpeakerCfg::new(lo(2), 64501), rs).await;
    let mut b = Speaker::establish(SpeakerCfg::new(lo(3), 64502).md5("old-key"), rs).await;
    a.announce(
        &[pfx("198.51.100.0/24")],
        &[64501],
        Ipv4Addr::new(198, 18, 0, 2),
        None,
    )
    .await;
    b.expect("A's route", |s| {
        s.routes.contains_key(&pfx("198.51.100.0/24"))
    })
    .await;
    let a_since = established_since(&d, lo(2)).await;
    let b_since = established_since(&d, lo(3)).await;

    // Add C: it can establish and gets the table; A and B untouched.
    let cfg = cfg.neighbor(NeighborCfg::member(lo(4), 64503));
    let diff = d.reload(cfg.build()).await.expect("reload");
    assert_eq!(diff.added, vec![IpAddr::V4(lo(4))], "diff: {diff:?}");
    assert!(
        diff.removed.is_empty() && diff.changed.is_empty(),
        "diff: {diff:?}"
    );
    let mut c = Speaker::establish(SpeakerCfg::new(lo(4), 64503), rs).await;
    c.expect("A's route in the initial table", |s| {
        s.eor && s.routes.contains_key(&pfx("198.51.100.0/24"))
    })
    .await;
    wait_established(&d, lo(4), TIMEOUT).await;
    let c_since = established_since(&d, lo(4)).await;
    assert_uptime(&d, lo(2), a_since, "after adding C").await;
    assert_uptime(&d, lo(3), b_since, "after adding C").await;

    // Remove A: A gets 6/3, its route is withdrawn; B and C untouched.
    let cfg = cfg.without(lo(2));
    let diff = d.reload(cfg.build()).await.expect("reload");
    assert_eq!(diff.removed, vec![IpAddr::V4(lo(2))], "diff: {diff:?}");
    let n = a.expect_closed(TIMEOUT).await;
    assert_eq!(
        n.as_ref().map(|n| (n.code, n.subcode)),
        Some((codes::CEASE, codes::CEASE_PEER_DECONFIGURED)),
        "removed neighbor: observed {}",
        a.describe()
    );
    for s in [&mut b, &mut c] {
        s.expect("A's route withdrawn after A was removed", |s| {
            !s.routes.contains_key(&pfx("198.51.100.0/24"))
        })
        .await;
    }
    let left: Vec<IpAddr> = d
        .neighbors()
        .await
        .expect("running")
        .iter()
        .map(|n| n.address)
        .collect();
    assert_eq!(left, vec![IpAddr::V4(lo(3)), IpAddr::V4(lo(4))]);
    assert_uptime(&d, lo(3), b_since, "after removing A").await;
    assert_uptime(&d, lo(4), c_since, "after removing A").await;

    // Change B's password: only B restarts, and comes back with the new key.
    let mut cfg = cfg;
    cfg.neighbor_mut(lo(3)).password = Some("new-key".into());
    let diff = d.reload(cfg.build()).await.expect("reload");
    assert_eq!(
        diff.changed.iter().map(|c| c.address).collect::<Vec<_>>(),
        vec![IpAddr::V4(lo(3))],
        "diff: {diff:?}"
    );
    let n = b.expect_closed(TIMEOUT).await;
    assert_eq!(
        n.as_ref().map(|n| (n.code, n.subcode)),
        Some((codes::CEASE, codes::CEASE_OTHER_CONFIG_CHANGE)),
        "password change: observed {}",
        b.describe()
    );
    assert_uptime(&d, lo(4), c_since, "after B's password change").await;
    let _b = Speaker::establish(SpeakerCfg::new(lo(3), 64502).md5("new-key"), rs).await;
    wait_established(&d, lo(3), TIMEOUT).await;
    assert_uptime(&d, lo(4), c_since, "after B came back").await;
    assert!(!c.closed, "C was closed: {}", c.describe());
}
