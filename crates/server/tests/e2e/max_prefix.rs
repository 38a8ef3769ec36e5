//! Max-prefix with `action = "shutdown"`: Cease / Maximum Number of
//! Prefixes Reached with the RFC 4486 data, withdrawal of the member's
//! routes, and a restart only after `restart_after`.
//!
//! ```text
//!   AS64501 127.0.0.2 (limit 10, sends 11) ──┐
//!   AS64502 127.0.0.3 (observes)           ──┴── condor 127.0.0.1:port
//! ```

use crate::support::*;
use condor_wire::notification::codes;
use std::net::Ipv4Addr;
use std::time::Duration;
use tokio::time::Instant;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn max_prefix_shutdown_sends_cease_1_withdraws_and_restarts_later() {
    init_logging();
    let d =
        ConfigBuilder::new(lo(1))
            .neighbor(NeighborCfg::member(lo(2), 64501).extra(
                "[neighbor.max_prefix]\nipv4 = 10\naction = \"shutdown\"\nrestart_after = 2\n",
            ))
            .neighbor(NeighborCfg::member(lo(3), 64502))
            .start()
            .await;
    let rs = listen_addr(&d);
    let mut m = Speaker::establish(SpeakerCfg::new(lo(2), 64501), rs).await;
    let mut o = Speaker::establish(SpeakerCfg::new(lo(3), 64502), rs).await;
    o.expect("End-of-RIB", |s| s.eor).await;
    let prefixes = many_prefixes(100, 11);
    m.announce(&prefixes, &[64501], Ipv4Addr::new(198, 18, 0, 2), None)
        .await;
    let n = m.expect_closed(TIMEOUT).await;
    let closed_at = Instant::now();
    let n = n.unwrap_or_else(|| panic!("closed without NOTIFICATION: {}", m.describe()));
    assert_eq!(
        (n.code, n.subcode),
        (codes::CEASE, codes::CEASE_MAX_PREFIXES),
        "got {n}"
    );
    assert_eq!(
        n.data,
        vec![0, 1, 1, 0, 0, 0, 10],
        "RFC 4486 data: AFI 1, SAFI 1, limit 10; got {n}"
    );
    o.drain_for(Duration::from_millis(300)).await;
    o.expect("no route of the closed member left", |s| {
        s.routes.is_empty()
    })
    .await;
    assert!(
        o.ever.len() <= 10,
        "more prefixes than the limit were relayed: {}",
        o.describe()
    );

    // Refused until restart_after has passed, then it comes back.
    let early = Speaker::establish_within(
        SpeakerCfg::new(lo(2), 64501),
        rs,
        Duration::from_millis(800),
    )
    .await;
    assert!(
        early.is_err(),
        "the member re-established {:?} after a max-prefix shutdown with restart_after = 2 s",
        closed_at.elapsed()
    );
    let _m = Speaker::establish(SpeakerCfg::new(lo(2), 64501), rs).await;
    let after = closed_at.elapsed();
    assert!(
        after >= Duration::from_millis(1800),
        "re-established after {after:?}, before restart_after (2 s)"
    );
    wait_established(&d, lo(2), TIMEOUT).await;
    assert!(!o.closed, "the observer was closed: {}", o.describe());
}
