//! Import filters end to end, with the defaults an IXP runs, and a reload
//! that relaxes one filter: the routes it now accepts reach the other
//! member without any session reset or route refresh.
//!
//! ```text
//!   AS262589 127.0.0.2 (announces a mix) ──┐
//!                                          ├── condor AS64115 127.0.0.1:port
//!   AS263702 127.0.0.3 (receives)        ──┘
//! ```

use crate::support::*;
use std::net::Ipv4Addr;
use std::time::SystemTime;

const A: u32 = 262_589;
const B: u32 = 263_702;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn default_filters_keep_rejected_paths_and_reload_reevaluates_in_place() {
    init_logging();
    // The defaults, except that the member's own address is on loopback.
    let cfg = ConfigBuilder::new(lo(1))
        .filters("[filters]\n")
        .neighbor(NeighborCfg::member(lo(2), A))
        .neighbor(NeighborCfg::member(lo(3), B));
    let d = cfg.start().await;
    let rs = listen_addr(&d);
    let mut a = Speaker::establish(SpeakerCfg::new(lo(2), A), rs).await;
    let mut b = Speaker::establish(SpeakerCfg::new(lo(3), B), rs).await;
    b.expect("End-of-RIB", |s| s.eor).await;
    let own = lo(2);
    a.announce(&[pfx("200.48.0.0/16")], &[A, 6147], own, None)
        .await; // accepted
    a.announce(&[pfx("10.0.0.0/8")], &[A], own, None).await; // bogon
    a.announce(&[pfx("200.49.0.0/25")], &[A], own, None).await; // too long
    a.announce(&[pfx("200.50.0.0/16")], &[6147], own, None)
        .await; // first AS
    a.announce(&[pfx("200.52.0.0/16")], &[A, 3356, 15169], own, None)
        .await; // transit-free
    a.announce(&[pfx("200.53.0.0/16")], &[A, 64512], own, None)
        .await; // private ASN
    a.announce(
        &[pfx("200.51.0.0/16")],
        &[A],
        Ipv4Addr::new(198, 18, 0, 9),
        None,
    )
    .await; // next hop
    a.announce(&[pfx("200.54.0.0/16")], &[A], own, None).await; // accepted, sent last
    b.expect("the two clean routes", |s| {
        s.routes.len() == 2 && s.routes.contains_key(&pfx("200.54.0.0/16"))
    })
    .await;
    assert!(
        b.routes.contains_key(&pfx("200.48.0.0/16")),
        "{}",
        b.describe()
    );
    let stats = d.rib.stats().await.expect("rib stats");
    assert_eq!(
        (stats.paths, stats.paths_filtered),
        (8, 6),
        "every filtered path is kept"
    );
    let since = status(&d, lo(3)).await.session.established_since;

    // Relax the next-hop check only: 200.51.0.0/16 is accepted now and
    // reaches B on its running session.
    let relaxed = ConfigBuilder { listen: rs, ..cfg }.filters("[filters]\nnext_hop = \"any\"\n");
    let diff = d.reload(relaxed.build()).await.expect("reload");
    assert!(diff.filters && diff.changed.is_empty());
    b.expect("200.51.0.0/16 after the reload", |s| {
        s.routes.contains_key(&pfx("200.51.0.0/16"))
    })
    .await;
    assert_eq!(b.routes.len(), 3, "{}", b.describe());
    let stats = d.rib.stats().await.expect("rib stats");
    assert_eq!(stats.paths_filtered, 5);
    let after = status(&d, lo(3)).await.session.established_since;
    assert_eq!(since, after, "B's session was not reset");
    assert!(since.is_some_and(|t| t <= SystemTime::now()));
}
