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

/// IRR filtering from an operator file, and a reload that points the member
/// at a file with more prefixes: the newly covered route is relayed on the
/// running sessions.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn irr_file_filters_and_new_irr_data_reevaluate_in_place() {
    init_logging();
    let dir = tempfile::tempdir().expect("temp dir");
    let v1 = dir.path().join("as-a-v1.txt");
    let v2 = dir.path().join("as-a-v2.txt");
    std::fs::write(
        &v1,
        "# AS-A, first export\n200.48.0.0/16\nAS262589\nAS6147\n",
    )
    .expect("write");
    std::fs::write(
        &v2,
        "200.48.0.0/16\n200.60.0.0/16 le 24\nAS262589\nAS6147\n",
    )
    .expect("write");
    let mut a_cfg = NeighborCfg::member(lo(2), A);
    a_cfg.extra = format!("irr_file = \"{}\"\n", v1.display());
    let cfg = ConfigBuilder::new(lo(1))
        .filters("[filters]\n")
        .neighbor(a_cfg)
        .neighbor(NeighborCfg::member(lo(3), B));
    let d = cfg.start().await;
    let rs = listen_addr(&d);
    let mut a = Speaker::establish(SpeakerCfg::new(lo(2), A), rs).await;
    let mut b = Speaker::establish(SpeakerCfg::new(lo(3), B), rs).await;
    b.expect("End-of-RIB", |s| s.eor).await;
    // The IRR task loads the file shortly after start; until then A's routes
    // are held as filtered. Announce once the route in the file is relayed.
    let own = lo(2);
    a.announce(&[pfx("200.48.0.0/16")], &[A, 6147], own, None)
        .await;
    b.expect("200.48.0.0/16 (in AS-A's IRR data)", |s| {
        s.routes.contains_key(&pfx("200.48.0.0/16"))
    })
    .await;
    a.announce(&[pfx("200.60.1.0/24")], &[A], own, None).await; // not in v1
    a.announce(&[pfx("200.61.0.0/16")], &[A, 7], own, None)
        .await; // neither prefix nor origin
    a.announce(&[pfx("200.48.0.0/17")], &[A], own, None).await; // more-specific: accepted
    b.expect("200.48.0.0/17", |s| {
        s.routes.contains_key(&pfx("200.48.0.0/17"))
    })
    .await;
    assert_eq!(b.routes.len(), 2, "{}", b.describe());
    assert_eq!(d.rib.stats().await.expect("stats").paths_filtered, 2);
    let sets = d.irr_status().await;
    assert_eq!(sets.len(), 1, "{sets:?}");
    assert_eq!((sets[0].prefixes_v4, sets[0].origins), (1, 2), "{sets:?}");
    assert!(
        sets[0]
            .source
            .as_deref()
            .is_some_and(|s| s.starts_with("file ")),
        "{sets:?}"
    );
    assert!(sets[0].last_error.is_none());

    let mut next = cfg;
    next.listen = rs;
    next.neighbor_mut(lo(2)).extra = format!("irr_file = \"{}\"\n", v2.display());
    let diff = d.reload(next.build()).await.expect("reload");
    assert_eq!(diff.changed[0].fields, vec!["irr_file"]);
    b.expect("200.60.1.0/24 once the new IRR data cover it", |s| {
        s.routes.contains_key(&pfx("200.60.1.0/24"))
    })
    .await;
    assert!(
        !b.routes.contains_key(&pfx("200.61.0.0/16")),
        "{}",
        b.describe()
    );
    assert_eq!(d.rib.stats().await.expect("stats").paths_filtered, 1);
}
