//! RPKI origin validation with a real RTR cache (StayRTR), and a ROA change
//! that takes effect on the running sessions: the route that becomes valid
//! is relayed without a session reset or a route refresh, tagged with its
//! RPKI state (informational communities on).
//!
//! ```text
//!   StayRTR 127.0.0.1:port ◄── RTR v1 ── condor AS64115 127.0.0.1:port
//!   AS262589 127.0.0.2 (announces) ──┐         │
//!   AS263702 127.0.0.3 (receives)  ──┴─────────┘
//! ```

use crate::support::*;
use condor_interop::{require_stayrtr, vrp_json, StayRtr};
use std::time::{Duration, Instant};

const A: u32 = 262_589;
const B: u32 = 263_702;

async fn filtered(d: &condor_server::Daemon) -> usize {
    d.rib.stats().await.expect("rib stats").paths_filtered
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rpki_invalid_is_filtered_and_a_roa_change_applies_in_place() {
    if !require_stayrtr() {
        return;
    }
    init_logging();
    // 200.48.0.0/16 is authorised for another origin: invalid as announced.
    let cache =
        StayRtr::start(&vrp_json(&[("200.48.0.0/16", 24, 64999)], &[]), &[]).expect("stayrtr");
    let mut cfg = ConfigBuilder::new(lo(1))
        .neighbor(NeighborCfg::member(lo(2), A))
        .neighbor(NeighborCfg::member(lo(3), B));
    cfg.filters = format!(
        "[filters]\ninformational_communities = true\n\n[rpki]\nexpiry = 60\n[[rpki.cache]]\naddress = \"{}\"\n",
        cache.address()
    );
    let d = cfg.start().await;
    let rs = listen_addr(&d);
    let mut a = Speaker::establish(SpeakerCfg::new(lo(2), A), rs).await;
    let mut b = Speaker::establish(SpeakerCfg::new(lo(3), B).record_communities(), rs).await;
    b.expect("End-of-RIB", |s| s.eor).await;
    a.announce(&[pfx("200.48.0.0/16")], &[A, 6147], lo(2), None)
        .await;
    a.announce(&[pfx("190.0.0.0/16")], &[A], lo(2), None).await;
    // Whether the RTR sync or the routes come first, the invalid route ends
    // up filtered (and withdrawn if it went out before the sync).
    let deadline = Instant::now() + Duration::from_secs(20);
    while filtered(&d).await != 1 {
        assert!(
            Instant::now() < deadline,
            "the RPKI-invalid route was never filtered; StayRTR log:\n{}",
            cache.log()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    b.expect("only the RPKI not-found route", |s| {
        s.routes.contains_key(&pfx("190.0.0.0/16")) && !s.routes.contains_key(&pfx("200.48.0.0/16"))
    })
    .await;
    let since = status(&d, lo(3)).await.session.established_since;
    let st = d.rpki_status().await.expect("rpki status");
    assert!(st.enabled && st.vrps == 1 && st.file.is_none(), "{st:?}");
    assert_eq!(st.caches.len(), 1);
    assert!(
        st.caches[0].synced && st.caches[0].active && st.caches[0].vrps == 1,
        "{st:?}"
    );

    // The ROA is fixed at the source: StayRTR serves it, our client gets it by
    // a serial query, the RIB re-evaluates the covered prefix.
    cache
        .rewrite(&vrp_json(&[("200.48.0.0/16", 24, 6147)], &[]))
        .expect("rewrite");
    b.expect("200.48.0.0/16 once RPKI-valid", |s| {
        s.routes.contains_key(&pfx("200.48.0.0/16"))
    })
    .await;
    let tag = |s: &Speaker, p: &str| -> Vec<(u32, u32, u32)> {
        s.routes.get(&pfx(p)).map_or(Vec::new(), |r| {
            r.large_communities
                .iter()
                .map(|c| (c.global, c.local1, c.local2))
                .collect()
        })
    };
    b.expect("informational communities: valid and not found", |s| {
        tag(s, "200.48.0.0/16") == [(RS_ASN, 1000, 1)]
            && tag(s, "190.0.0.0/16") == [(RS_ASN, 1000, 2)]
    })
    .await;
    assert_eq!(filtered(&d).await, 0);
    assert_eq!(
        status(&d, lo(3)).await.session.established_since,
        since,
        "no session reset"
    );
}
