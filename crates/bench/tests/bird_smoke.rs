//! End to end against a real BIRD 2 on loopback (skipped when `bird` is not
//! installed): a small scenario with churn must converge with every route
//! delivered and no transparency violation.
//!
//! ```text
//!   peer0 127.0.1.1 ─┐
//!   peer1 127.0.1.2 ─┼── TCP ──► bird (127.0.0.1:PORT, AS64115, rs client × 10)
//!   …                │
//!   peer9 127.0.1.10 ┘
//! ```

use condor_bench::plan::{Layout, Plan};
use condor_bench::scenario::{run_once, RunSettings, Scenario};
use condor_bench::target::TargetRunner;
use std::process::Command;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bird_converges_and_reconverges_transparently() {
    if Command::new("bird").arg("--version").output().is_err() {
        eprintln!("skipping: bird is not installed (apt-get install bird2)");
        return;
    }
    let scenario = Scenario {
        name: "smoke".into(),
        plan: Plan::new(10, 200, Layout::Disjoint).expect("plan"),
        flap: 2,
    };
    let runner = TargetRunner::bird("bird".into());
    let r = run_once(&scenario, &runner, 1, &RunSettings::default())
        .await
        .expect("bird starts");
    assert_eq!(r.error, None, "{r:?}");
    assert!(
        r.established_s.is_some() && r.converged_s.is_some() && r.reconverged_s.is_some(),
        "{r:?}"
    );
    assert_eq!(r.routes_expected, 10 * 9 * 200);
    assert_eq!(r.routes_held, r.routes_expected);
    assert_eq!(r.violations, 0, "{r:?}");
    assert_eq!(
        r.connect_attempts, 12,
        "10 sessions + 2 reconnections, none retried"
    );
    assert!(r.peak_rss_bytes > r.baseline_rss_bytes && r.baseline_rss_bytes > 0);
    assert_eq!(r.flapped_peers, Some(2));
}
