//! # condor-bench
//!
//! A load generator for BGP route servers, and the benchmark scenarios that
//! measure Condor and BIRD 2 in the same run (`condor bench`).
//!
//! N simulated clients connect to the server under test from distinct
//! loopback addresses (127.0.x.y), each with its own ASN, announce P /24s
//! each (non-bogon space), and read everything the server sends back. The
//! benchmark measures how long the sessions take to come up, how long until
//! every client holds every route it must, the server's peak memory and CPU
//! time, and whether the server stayed transparent (RFC 7947).
//!
//! ## Running it
//!
//! ```text
//! apt-get install -y --no-install-recommends bird2   # for --target/--against bird
//! # until `condor bench` is wired, the crate's example runs the library:
//! cargo build --release -p condor
//! cargo build --release -p condor-bench --example bench
//! target/release/examples/bench --scenario 20x1000,100x1000 --against bird
//! target/release/examples/bench --target bird --scenario all --runs 3
//! ```
//!
//! The example finds `target/release/condor` next to it; `--condor-bin`
//! names another. Results go to stdout, one JSON line each; progress and
//! `--keep-dir` notes go to stderr. Build with `--release`: the generator
//! decodes every route it receives and shares the machine with the server.
//!
//! Options ([`BenchOptions`]): `--scenario` (comma-separated: `PEERSxPREFIXES`
//! such as `20x1000`, `overlap`, `churn`, `growth`, `all`), `--target
//! condor|bird`, `--against bird` (run Condor *and* BIRD, print ratios),
//! `--runs` (default 3, medians reported), `--condor-bin` / `--condor-args`
//! (default `serve --config {config}`), `--bird-bin`, `--connect-concurrency`
//! (default 8), `--timeout-scale`, `--stall-s`, `--keep-dir`.
//!
//! BIRD is started as `bird -f -c CONF -s SOCK -P PIDFILE` with everything in
//! a private temporary directory, and stopped (SIGTERM, then SIGKILL) at the
//! end of each run; so is Condor. Only loopback is used.
//!
//! ## Scenarios
//!
//! | name | peers × prefixes | what it shows |
//! |---|---|---|
//! | `20x1000`, `100x1000`, `300x300`, `1000x100` | as named | scaling in peers vs routes |
//! | `700x572` | 700 × 572 | the shape published for another Rust route server |
//! | `overlap` | 100 × the same 10,000 | best-path work: every peer announces every prefix, with AS paths of 1–3 ASNs; each client must get the best path of the *others* (no path hiding) |
//! | `churn` | 100 × 1000 | after convergence 10 peers close their sessions (Cease) and come back |
//! | `growth` | 20 × 1000 … 32,000 | bytes per path as the table grows |
//!
//! ## Output
//!
//! One JSON object per target and run, on its own line:
//!
//! | key | meaning |
//! |---|---|
//! | `target` | `"condor"` or `"bird"` |
//! | `scenario`, `run`, `peers`, `prefixes` | what ran |
//! | `established_s` | from the first connection attempt until every session is Established |
//! | `converged_s` | from the moment all peers start sending UPDATEs until every client holds all its routes ((N−1)·P; for `overlap`, the expected best path for every prefix); `null` on failure |
//! | `peak_rss_bytes` | the server's peak resident set (`VmHWM`) |
//! | `cpu_s` | the server's user + system CPU seconds over the whole run |
//! | `violations` | transparency violations: first AS ≠ the originating peer, next hop changed, own route returned, or an unexpected prefix (`violation_kinds` splits them) |
//! | `routes_expected`, `routes_held` | over all clients, at the end |
//! | `baseline_rss_bytes` | RSS with all sessions up and no routes |
//! | `paths`, `bytes_per_path` | paths the server holds (N·P) and (peak − baseline) / paths |
//! | `connect_attempts` | TCP connection attempts (N when nothing was retried) |
//! | `generator_cpu_s` | CPU seconds of the load generator itself during the run (it decodes every UPDATE; on a small machine it competes with the server) |
//! | `flapped_peers`, `withdrawn_s`, `reestablished_s`, `reconverged_s` | churn only: how many flapped; time until the others saw the withdrawals; from reconnecting until the flapped sessions are Established (retries included: `connect_attempts` counts them), and until everyone is complete again |
//! | `error` | present when the run failed (timeout, stall, a session down, the server exited) |
//!
//! After each scenario a summary line `{"summary":"median", …}` gives the
//! medians per target over the runs that converged and, when both targets
//! ran, `ratio` = condor / bird for `converged_s`, `peak_rss_bytes` and
//! `cpu_s`.
//!
//! ## Fairness and limits
//!
//! - Connections are paced: at most `--connect-concurrency` handshakes (TCP
//!   connect until Established) are in flight, with a short exponential
//!   back-off on failure. BIRD listens with a backlog of 8; beyond it the
//!   kernel drops SYNs and retries only after a second, which would make
//!   `established_s` measure TCP back-off. Both targets get the same pacing.
//! - The load generator runs on the same machine as the server and shares
//!   its cores: it decodes every UPDATE it receives. Compare targets within a
//!   run, not across machines.
//! - 1000 peers need more than 2000 file descriptors: the soft
//!   `RLIMIT_NOFILE` is raised at start, with a clear error when the hard
//!   limit is too low.
//! - BIRD runs with one table and no `secondary` export (BIRD refuses a
//!   sorted table with multihop sessions, and 127/8 neighbors need
//!   multihop), so it shows path hiding in `overlap`; see [`bird`].

pub mod alloc;
pub mod bird;
pub mod condor;
pub mod demo;
pub mod demo_data;
pub mod demo_v6;
pub mod holdings;
pub mod limits;
pub mod options;
pub mod peer;
pub mod plan;
pub mod proc_stats;
pub mod report;
pub mod scenario;
pub mod target;

pub use options::BenchOptions;
pub use report::{BenchResult, Summary};
pub use scenario::Scenario;
pub use target::TargetKind;

use std::io::Write;

/// Runs the benchmark and prints its JSON lines on stdout; returns every
/// result.
pub async fn run(opts: BenchOptions) -> anyhow::Result<Vec<BenchResult>> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    run_to(&opts, &mut out).await
}

/// Runs the benchmark, writing its JSON lines to `out` as results come in.
pub async fn run_to(opts: &BenchOptions, out: &mut dyn Write) -> anyhow::Result<Vec<BenchResult>> {
    let scenarios = opts.scenarios()?;
    let runners = opts.runners()?;
    let settings = opts.settings();
    let most = scenarios.iter().map(|s| s.plan.peers()).max().unwrap_or(0);
    limits::ensure_files(most)?;
    let mut all = Vec::new();
    for scenario in &scenarios {
        let mut these = Vec::new();
        // Interleave the targets run by run, so that a slow patch of the
        // machine does not land on one target only.
        for run in 1..=opts.runs.max(1) {
            for runner in &runners {
                let r = scenario::run_once(scenario, runner, run, &settings).await?;
                writeln!(out, "{}", r.json_line())?;
                out.flush()?;
                these.push(r);
            }
        }
        if let Some(s) = Summary::of(&these) {
            writeln!(out, "{}", s.json_line())?;
            out.flush()?;
        }
        all.extend(these);
    }
    Ok(all)
}
