//! The scenarios, and one measured run of a scenario against a target.
//!
//! A run: start the server with a config for the plan; connect all peers
//! (paced, see [`crate::peer`]) and time until all are Established; read the
//! server's RSS as the baseline; have every peer send its UPDATEs at once and
//! time from then until every client holds what it must; for churn, close
//! 10% of the sessions, time until the others have seen those routes
//! withdrawn, reconnect them and time until everyone holds everything again;
//! finally read the server's peak RSS and CPU time. Every wait has a
//! deadline scaled by the scenario's size, and a stall detector ends a run
//! early when nothing has arrived for a while.

use crate::holdings::Violations;
use crate::peer::{self, Clock, PeerCmd, PeerConfig, PeerStats, NOT_COMPLETE};
use crate::plan::{Layout, Plan, PlanError};
use crate::proc_stats;
use crate::report::BenchResult;
use crate::target::{
    free_port, RunningTarget, TargetRunner, TargetSpec, SERVER_ADDRESS, SERVER_ASN,
};
use anyhow::Context as _;
use bytes::Bytes;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, Semaphore};
use tokio::task::JoinSet;

/// One benchmark scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scenario {
    /// Name as printed (`"20x1000"`, `"overlap"`, `"churn"`, …).
    pub name: String,
    /// Peers and routes.
    pub plan: Plan,
    /// Peers that flap after convergence (churn), 0 for none.
    pub flap: u32,
}

/// Error naming an unknown scenario.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// Not a known name nor `PEERSxPREFIXES`.
    #[error(
        "unknown scenario {0:?}: use PEERSxPREFIXES (e.g. 20x1000), overlap, churn, growth or all"
    )]
    Unknown(String),
    /// A `PEERSxPREFIXES` that cannot be planned.
    #[error("scenario {0:?}: {1}")]
    Plan(String, PlanError),
}

/// The scenarios `all` stands for: the list.
pub const ALL: [&str; 7] = [
    "20x1000", "100x1000", "300x300", "1000x100", "overlap", "churn", "700x572",
];
/// The scenarios `growth` stands for: bytes per path as prefixes grow.
pub const GROWTH: [&str; 4] = ["20x1000", "20x4000", "20x16000", "20x32000"];

impl Scenario {
    /// Resolves a name: `PEERSxPREFIXES` (disjoint prefixes), `overlap`
    /// (100 peers announcing the same 10,000 prefixes with different AS
    /// paths), `churn` (100×1000, then 10% of the peers flap); `all` and
    /// `growth` expand to lists.
    pub fn parse(name: &str) -> Result<Vec<Scenario>, ScenarioError> {
        let plan = |n: &str, p, q, l| {
            Plan::new(p, q, l).map_err(|e| ScenarioError::Plan(n.to_string(), e))
        };
        Ok(match name {
            "all" => {
                return ALL
                    .iter()
                    .map(|n| Scenario::parse(n))
                    .collect::<Result<Vec<_>, _>>()
                    .map(|v| v.concat())
            }
            "growth" => {
                return GROWTH
                    .iter()
                    .map(|n| Scenario::parse(n))
                    .collect::<Result<Vec<_>, _>>()
                    .map(|v| v.concat())
            }
            "overlap" => vec![Scenario {
                name: name.into(),
                plan: plan(name, 100, 10_000, Layout::Shared)?,
                flap: 0,
            }],
            "churn" => vec![Scenario {
                name: name.into(),
                plan: plan(name, 100, 1000, Layout::Disjoint)?,
                flap: 10,
            }],
            _ => {
                let (p, q) = name
                    .split_once('x')
                    .ok_or_else(|| ScenarioError::Unknown(name.into()))?;
                let p: u32 = p.parse().map_err(|_| ScenarioError::Unknown(name.into()))?;
                let q: u32 = q.parse().map_err(|_| ScenarioError::Unknown(name.into()))?;
                vec![Scenario {
                    name: name.into(),
                    plan: plan(name, p, q, Layout::Disjoint)?,
                    flap: 0,
                }]
            }
        })
    }

    /// Route deliveries to clients in one convergence.
    fn deliveries(&self) -> u64 {
        u64::from(self.plan.peers()) * self.plan.routes_per_client()
    }
}

/// Knobs of a run.
#[derive(Clone, Debug)]
pub struct RunSettings {
    /// Handshakes in flight at once.
    pub connect_concurrency: usize,
    /// Multiplies every deadline.
    pub timeout_scale: f64,
    /// End a run when nothing arrived for this long while waiting for routes.
    pub stall: Duration,
    /// Keep the server's directory (config, logs) after the run.
    pub keep_dir: bool,
}

impl Default for RunSettings {
    fn default() -> Self {
        RunSettings {
            connect_concurrency: 8,
            timeout_scale: 1.0,
            stall: Duration::from_secs(30),
            keep_dir: false,
        }
    }
}

/// The peers of a run and their handles. Dropping it ends every peer task.
struct Peers {
    tx: Vec<mpsc::UnboundedSender<PeerCmd>>,
    stats: Vec<Arc<PeerStats>>,
    tasks: JoinSet<()>,
}

impl Peers {
    fn send(&self, which: impl Iterator<Item = u32>, cmd: PeerCmd) {
        for i in which {
            if let Some(tx) = self.tx.get(i as usize) {
                // A peer task only ends when we drop its sender.
                let _ = tx.send(cmd);
            }
        }
    }

    fn get(&self, i: u32) -> &PeerStats {
        &self.stats[i as usize]
    }

    /// A few of the peers' last errors, for messages.
    fn errors(&self, which: &[u32]) -> String {
        let mut out: Vec<String> = which
            .iter()
            .filter_map(|&i| self.get(i).error())
            .take(3)
            .collect();
        if out.is_empty() {
            out.push("no error reported".into());
        }
        out.join("; ")
    }
}

/// Why a wait ended without success.
struct WaitError(String);

/// Waits until `done` returns true, checking the target and stalls every
/// 10 ms. `stall_from` is the clock time from which silence counts.
async fn wait_for(
    what: &str,
    clock: Clock,
    target: &mut RunningTarget,
    deadline: Duration,
    stall: Option<(Duration, u64, &Peers)>,
    mut done: impl FnMut() -> Result<bool, String>,
) -> Result<(), WaitError> {
    let start = tokio::time::Instant::now();
    loop {
        match done() {
            Ok(true) => return Ok(()),
            Ok(false) => {}
            Err(e) => return Err(WaitError(format!("{what}: {e}"))),
        }
        if let Some(status) = target.exited() {
            return Err(WaitError(format!(
                "{what}: the server exited ({status}); its output:\n{}",
                target.output_tail()
            )));
        }
        if start.elapsed() > deadline {
            return Err(WaitError(format!("{what}: timed out after {deadline:?}")));
        }
        if let Some((limit, from, peers)) = stall {
            let last = peers
                .stats
                .iter()
                .map(|s| s.last_rx_ns.load(Ordering::Relaxed))
                .max()
                .unwrap_or(0)
                .max(from);
            if clock.now_ns().saturating_sub(last) > limit.as_nanos() as u64 {
                return Err(WaitError(format!(
                    "{what}: stalled, nothing received for {limit:?}"
                )));
            }
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

fn secs(ns: u64) -> f64 {
    ns as f64 / 1e9
}

/// Runs `scenario` once against `runner`. Setup failures (no binary, no
/// port) are errors; failures during the measurement are reported in the
/// result's `error` with whatever was measured.
pub async fn run_once(
    scenario: &Scenario,
    runner: &TargetRunner,
    run: u32,
    settings: &RunSettings,
) -> anyhow::Result<BenchResult> {
    let plan = Arc::new(scenario.plan.clone());
    let dir = tempfile::Builder::new()
        .prefix(&format!("condor-bench-{}-", runner.kind))
        .tempdir()
        .context("creating a temporary directory")?;
    let spec = TargetSpec {
        port: free_port()?,
        asn: SERVER_ASN,
        router_id: SERVER_ADDRESS,
        hold_time: peer::HOLD_TIME,
        plan: plan.clone(),
        dir: dir.path().to_path_buf(),
    };
    let announcements: Vec<Bytes> = (0..plan.peers())
        .map(|i| plan.announcement(i).map(Bytes::from))
        .collect::<Result<_, _>>()
        .context("encoding the announcements")?;
    let mut target = {
        let (runner, spec) = (runner.clone(), spec.clone());
        tokio::task::spawn_blocking(move || runner.start(&spec))
            .await
            .context("starting the server")??
    };
    let mut result = BenchResult {
        target: runner.kind.name().into(),
        scenario: scenario.name.clone(),
        run,
        peers: plan.peers(),
        prefixes: plan.prefixes(),
        established_s: None,
        converged_s: None,
        peak_rss_bytes: 0,
        cpu_s: 0.0,
        violations: 0,
        violation_kinds: Violations::default(),
        routes_expected: plan.routes_per_client() * u64::from(plan.peers()),
        routes_held: 0,
        baseline_rss_bytes: 0,
        paths: plan.paths_at_server(),
        bytes_per_path: None,
        connect_attempts: 0,
        generator_cpu_s: 0.0,
        flapped_peers: (scenario.flap > 0).then_some(scenario.flap),
        withdrawn_s: None,
        reestablished_s: None,
        reconverged_s: None,
        error: None,
    };

    let own_cpu = || {
        proc_stats::sample(std::process::id())
            .map(|s| s.cpu_s)
            .unwrap_or(0.0)
    };
    let cpu_before = own_cpu();
    let clock = Clock::start();
    let gate = Arc::new(Semaphore::new(settings.connect_concurrency.max(1)));
    let mut peers = Peers {
        tx: Vec::new(),
        stats: Vec::new(),
        tasks: JoinSet::new(),
    };
    for (i, announcement) in (0..plan.peers()).zip(announcements) {
        let cfg = PeerConfig {
            index: i,
            server: spec.addr(),
            plan: plan.clone(),
            announcement,
            gate: gate.clone(),
            clock,
        };
        let stats = Arc::new(PeerStats::default());
        let (tx, rx) = mpsc::unbounded_channel();
        peers.tasks.spawn(peer::run(cfg, stats.clone(), rx));
        peers.tx.push(tx);
        peers.stats.push(stats);
    }

    let outcome = measure(
        scenario,
        &plan,
        &peers,
        &mut target,
        clock,
        settings,
        &mut result,
    )
    .await;
    // CPU time is counted in clock ticks: keep the difference at millisecond precision.
    result.generator_cpu_s = ((own_cpu() - cpu_before) * 1000.0).round() / 1000.0;
    if let Err(WaitError(e)) = outcome {
        result.error = Some(e);
    }
    match proc_stats::sample(target.pid) {
        Ok(s) => {
            result.peak_rss_bytes = s.peak_rss_bytes;
            result.cpu_s = s.cpu_s;
            if result.converged_s.is_some() && result.baseline_rss_bytes > 0 {
                result.bytes_per_path = Some(
                    (s.peak_rss_bytes.saturating_sub(result.baseline_rss_bytes)) as f64
                        / result.paths as f64,
                );
            }
        }
        Err(e) if result.error.is_none() => {
            result.error = Some(format!("reading the server's statistics: {e}"))
        }
        Err(_) => {}
    }
    for s in &peers.stats {
        result.violation_kinds.add(&s.violations());
        result.routes_held += s.held.load(Ordering::Relaxed);
        result.connect_attempts += s.connect_attempts.load(Ordering::Relaxed);
    }
    result.violations = result.violation_kinds.total();
    drop(peers);
    tokio::task::spawn_blocking(move || drop(target))
        .await
        .context("stopping the server")?;
    if settings.keep_dir {
        let kept = dir.keep();
        eprintln!("condor-bench: kept {}", kept.display());
    }
    Ok(result)
}

/// The measurement proper; fills `result` as it goes.
async fn measure(
    scenario: &Scenario,
    plan: &Plan,
    peers: &Peers,
    target: &mut RunningTarget,
    clock: Clock,
    settings: &RunSettings,
    result: &mut BenchResult,
) -> Result<(), WaitError> {
    let n = plan.peers();
    let scale = settings.timeout_scale.max(0.01);
    let establish_deadline = Duration::from_secs_f64((30.0 + 0.05 * f64::from(n)) * scale);
    let converge_deadline =
        Duration::from_secs_f64((60.0 + scenario.deliveries() as f64 / 200_000.0) * scale);
    let all: Vec<u32> = (0..n).collect();

    // Sessions.
    let t0 = clock.now_ns();
    peers.send(all.iter().copied(), PeerCmd::Connect);
    wait_for(
        "establishing sessions",
        clock,
        target,
        establish_deadline,
        None,
        || {
            Ok(all
                .iter()
                .all(|&i| peers.get(i).established_ns.load(Ordering::Relaxed) != 0))
        },
    )
    .await
    .map_err(|WaitError(e)| {
        let down: Vec<u32> = all
            .iter()
            .copied()
            .filter(|&i| peers.get(i).established_ns.load(Ordering::Relaxed) == 0)
            .collect();
        WaitError(format!(
            "{e}: {} of {n} sessions not Established ({})",
            down.len(),
            peers.errors(&down)
        ))
    })?;
    let est = all
        .iter()
        .map(|&i| peers.get(i).established_ns.load(Ordering::Relaxed))
        .max()
        .unwrap_or(t0);
    result.established_s = Some(secs(est.saturating_sub(t0)));
    result.baseline_rss_bytes = proc_stats::sample(target.pid)
        .map(|s| s.rss_bytes)
        .unwrap_or(0);

    // Initial convergence.
    let t1 = clock.now_ns();
    peers.send(all.iter().copied(), PeerCmd::Announce);
    let converged = converge(
        "initial convergence",
        clock,
        target,
        converge_deadline,
        settings.stall,
        peers,
        &all,
        &all,
        t1,
    )
    .await?;
    result.converged_s = Some(secs(converged.saturating_sub(t1)));

    if scenario.flap == 0 {
        return Ok(());
    }
    // Churn: every (n / flap)-th peer goes down and comes back.
    let step = (n / scenario.flap.max(1)).max(1);
    let flapped: Vec<u32> = (0..n)
        .step_by(step as usize)
        .take(scenario.flap as usize)
        .collect();
    let steady: Vec<u32> = all
        .iter()
        .copied()
        .filter(|i| !flapped.contains(i))
        .collect();
    let remaining =
        plan.routes_per_client() - u64::from(flapped.len() as u32) * u64::from(plan.prefixes());
    let t2 = clock.now_ns();
    peers.send(flapped.iter().copied(), PeerCmd::Disconnect);
    wait_for(
        "withdrawal after the flap",
        clock,
        target,
        converge_deadline,
        Some((settings.stall, t2, peers)),
        || {
            session_check(peers, &steady)?;
            Ok(steady
                .iter()
                .all(|&i| peers.get(i).held.load(Ordering::Relaxed) == remaining))
        },
    )
    .await?;
    let withdrawn = steady
        .iter()
        .map(|&i| peers.get(i).last_change_ns.load(Ordering::Relaxed))
        .max()
        .unwrap_or(t2);
    result.withdrawn_s = Some(secs(withdrawn.saturating_sub(t2)));
    // Wait for the flapped peers' tasks to have closed their sessions.
    wait_for(
        "closing the flapped sessions",
        clock,
        target,
        establish_deadline,
        None,
        || {
            Ok(flapped
                .iter()
                .all(|&i| peers.get(i).established_ns.load(Ordering::Relaxed) == 0))
        },
    )
    .await?;
    let t3 = clock.now_ns();
    peers.send(flapped.iter().copied(), PeerCmd::Connect);
    wait_for(
        "re-establishing the flapped sessions",
        clock,
        target,
        establish_deadline,
        None,
        || {
            session_check(peers, &steady)?;
            Ok(flapped
                .iter()
                .all(|&i| peers.get(i).established_ns.load(Ordering::Relaxed) != 0))
        },
    )
    .await?;
    let back = flapped
        .iter()
        .map(|&i| peers.get(i).established_ns.load(Ordering::Relaxed))
        .max()
        .unwrap_or(t3);
    result.reestablished_s = Some(secs(back.saturating_sub(t3)));
    peers.send(flapped.iter().copied(), PeerCmd::Announce);
    let t4 = clock.now_ns();
    let reconverged = converge(
        "reconvergence",
        clock,
        target,
        converge_deadline,
        settings.stall,
        peers,
        &all,
        &all,
        t4,
    )
    .await?;
    result.reconverged_s = Some(secs(reconverged.saturating_sub(t3)));
    Ok(())
}

/// Fails when a session that should be up is down.
fn session_check(peers: &Peers, up: &[u32]) -> Result<(), String> {
    match up
        .iter()
        .find(|&&i| peers.get(i).established_ns.load(Ordering::Relaxed) == 0)
    {
        Some(&i) => Err(format!(
            "the session of peer {i} ({}) went down: {}",
            Plan::address(i),
            peers.errors(&[i])
        )),
        None => Ok(()),
    }
}

/// Waits until every peer in `which` is complete; returns when the last one
/// became so.
#[allow(clippy::too_many_arguments)]
async fn converge(
    what: &str,
    clock: Clock,
    target: &mut RunningTarget,
    deadline: Duration,
    stall: Duration,
    peers: &Peers,
    up: &[u32],
    which: &[u32],
    from: u64,
) -> Result<u64, WaitError> {
    wait_for(
        what,
        clock,
        target,
        deadline,
        Some((stall, from, peers)),
        || {
            session_check(peers, up)?;
            Ok(which
                .iter()
                .all(|&i| peers.get(i).complete_since_ns.load(Ordering::Relaxed) != NOT_COMPLETE))
        },
    )
    .await
    .map_err(|WaitError(e)| {
        let held: u64 = which
            .iter()
            .map(|&i| peers.get(i).held.load(Ordering::Relaxed))
            .sum();
        let incomplete = which
            .iter()
            .filter(|&&i| peers.get(i).complete_since_ns.load(Ordering::Relaxed) == NOT_COMPLETE)
            .count();
        WaitError(format!(
            "{e}: {incomplete} clients incomplete, {held} routes held in all"
        ))
    })?;
    Ok(which
        .iter()
        .map(|&i| peers.get(i).complete_since_ns.load(Ordering::Relaxed))
        .max()
        .unwrap_or(from))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scenario_names() {
        let s = Scenario::parse("20x1000").expect("parses");
        assert_eq!(s.len(), 1);
        assert_eq!(
            (s[0].plan.peers(), s[0].plan.prefixes(), s[0].flap),
            (20, 1000, 0)
        );
        let o = Scenario::parse("overlap").expect("parses");
        assert_eq!(
            (o[0].plan.peers(), o[0].plan.prefixes(), o[0].plan.layout()),
            (100, 10_000, Layout::Shared)
        );
        assert_eq!(Scenario::parse("churn").expect("parses")[0].flap, 10);
        let all: Vec<String> = Scenario::parse("all")
            .expect("parses")
            .into_iter()
            .map(|s| s.name)
            .collect();
        assert_eq!(all, ALL);
        assert_eq!(
            Scenario::parse("growth").expect("parses").len(),
            GROWTH.len()
        );
        assert!(matches!(
            Scenario::parse("20by1000"),
            Err(ScenarioError::Unknown(_))
        ));
        assert!(matches!(
            Scenario::parse("1x10"),
            Err(ScenarioError::Plan(..))
        ));
    }
}
