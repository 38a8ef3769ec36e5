//! Administrative shutdown of the daemon with a shutdown communication
//! (RFC 8203 / RFC 9003): every member gets Cease / Administrative Shutdown
//! (6/2) carrying the text.
//!
//! ```text
//!   AS64501 127.0.0.2 ──┐
//!   AS64502 127.0.0.3 ──┼── condor 127.0.0.1:port  ◄── shutdown("maintenance")
//!   AS64503 127.0.0.4 ──┘
//! ```

use crate::support::*;
use condor_wire::notification::codes;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_shutdown_sends_cease_2_with_the_communication() {
    init_logging();
    let d = ConfigBuilder::new(lo(1))
        .neighbor(NeighborCfg::member(lo(2), 64501))
        .neighbor(NeighborCfg::member(lo(3), 64502).password("key-b"))
        .neighbor(NeighborCfg::member(lo(4), 64503))
        .start()
        .await;
    let rs = listen_addr(&d);
    let mut speakers = vec![
        Speaker::establish(SpeakerCfg::new(lo(2), 64501), rs).await,
        Speaker::establish(SpeakerCfg::new(lo(3), 64502).md5("key-b"), rs).await,
        Speaker::establish(SpeakerCfg::new(lo(4), 64503), rs).await,
    ];
    for (i, s) in speakers.iter_mut().enumerate() {
        s.expect("End-of-RIB", |s| s.eor).await;
        wait_established(&d, lo(2 + i as u8), TIMEOUT).await;
    }
    tokio::time::timeout(TIMEOUT, d.shutdown("maintenance"))
        .await
        .expect("shutdown returns in time")
        .expect("daemon running");
    for s in &mut speakers {
        let n = s.expect_closed(TIMEOUT).await;
        let Some(n) = n else {
            panic!(
                "{}: closed without a NOTIFICATION; observed {}",
                s.name(),
                s.describe()
            );
        };
        assert_eq!(
            (n.code, n.subcode),
            (codes::CEASE, codes::CEASE_ADMIN_SHUTDOWN),
            "{}: got {n}",
            s.name()
        );
        assert_eq!(
            n.shutdown_communication(),
            Some("maintenance"),
            "{}: shutdown communication of {n}",
            s.name()
        );
    }
    tokio::time::timeout(TIMEOUT, d.stopped())
        .await
        .expect("daemon stopped after shutdown");
}
