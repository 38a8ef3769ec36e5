//! The output: one JSON object per target and run ([`BenchResult`]), and per
//! scenario a summary of medians with, when two targets ran, the ratios
//! condor/bird ([`Summary`]). Each is printed on a line of its own.

use crate::holdings::Violations;
use serde::Serialize;
use std::collections::BTreeMap;

/// The measurements of one run of one scenario against one target.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BenchResult {
    /// `"condor"` or `"bird"`.
    pub target: String,
    /// Scenario name.
    pub scenario: String,
    /// Run number, from 1.
    pub run: u32,
    /// Simulated peers.
    pub peers: u32,
    /// Prefixes each peer announces.
    pub prefixes: u32,
    /// Seconds from the first connection attempt until every session was
    /// Established (`null` if they never all were).
    pub established_s: Option<f64>,
    /// Seconds from the first UPDATE sent until every client held all the
    /// routes it must (`null` on timeout or failure).
    pub converged_s: Option<f64>,
    /// Peak resident set size of the server process (VmHWM), bytes.
    pub peak_rss_bytes: u64,
    /// CPU seconds (user + system) the server used during the run.
    pub cpu_s: f64,
    /// Transparency violations in all (see `violation_kinds`).
    pub violations: u64,
    /// Violations by kind.
    pub violation_kinds: Violations,
    /// Routes the clients must hold in all once converged.
    pub routes_expected: u64,
    /// Routes the clients held at the end.
    pub routes_held: u64,
    /// Resident set size with all sessions up and no routes, bytes.
    pub baseline_rss_bytes: u64,
    /// Paths the server holds once converged (peers × prefixes).
    pub paths: u64,
    /// (peak RSS − baseline RSS) / paths.
    pub bytes_per_path: Option<f64>,
    /// TCP connection attempts the peers made (peers + retries).
    pub connect_attempts: u64,
    /// CPU seconds the load generator itself used during the run (it shares
    /// the machine with the server).
    pub generator_cpu_s: f64,
    /// Churn: peers flapped after convergence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flapped_peers: Option<u32>,
    /// Churn: seconds from the flap until every other client had seen the
    /// flapped peers' routes withdrawn.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub withdrawn_s: Option<f64>,
    /// Churn: seconds from the flapped peers' reconnection until their
    /// sessions were all Established again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reestablished_s: Option<f64>,
    /// Churn: seconds from the flapped peers' reconnection until every
    /// client held everything again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reconverged_s: Option<f64>,
    /// What went wrong, if anything did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl BenchResult {
    /// The result as one line of JSON (no trailing newline).
    pub fn json_line(&self) -> String {
        serde_json::to_string(self)
            .unwrap_or_else(|e| format!("{{\"error\":\"serializing a result: {e}\"}}"))
    }
}

/// Medians of one target's runs of one scenario (over successful runs).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Medians {
    /// Runs that converged.
    pub ok_runs: usize,
    /// Median `established_s`.
    pub established_s: Option<f64>,
    /// Median `converged_s`.
    pub converged_s: Option<f64>,
    /// Median `peak_rss_bytes`.
    pub peak_rss_bytes: Option<f64>,
    /// Median `cpu_s`.
    pub cpu_s: Option<f64>,
    /// Median `bytes_per_path`.
    pub bytes_per_path: Option<f64>,
    /// Median `reconverged_s` (churn).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reconverged_s: Option<f64>,
    /// Largest `violations` of any run.
    pub violations_max: u64,
}

/// Ratios condor / bird of the medians.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Ratios {
    /// Convergence time ratio.
    pub converged_s: Option<f64>,
    /// Peak RSS ratio.
    pub peak_rss_bytes: Option<f64>,
    /// CPU time ratio.
    pub cpu_s: Option<f64>,
}

/// The summary line of one scenario.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Summary {
    /// Always `"median"`: tells summary lines from result lines.
    pub summary: &'static str,
    /// Scenario name.
    pub scenario: String,
    /// Simulated peers.
    pub peers: u32,
    /// Prefixes per peer.
    pub prefixes: u32,
    /// Medians per target name.
    pub targets: BTreeMap<String, Medians>,
    /// condor / bird, when both ran.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ratio: Option<Ratios>,
}

impl Summary {
    /// Summarizes the results of one scenario (any number of targets).
    pub fn of(results: &[BenchResult]) -> Option<Summary> {
        let first = results.first()?;
        let mut by_target: BTreeMap<String, Vec<&BenchResult>> = BTreeMap::new();
        for r in results {
            by_target.entry(r.target.clone()).or_default().push(r);
        }
        let targets: BTreeMap<String, Medians> = by_target
            .into_iter()
            .map(|(t, rs)| (t, medians(&rs)))
            .collect();
        let ratio = match (targets.get("condor"), targets.get("bird")) {
            (Some(c), Some(b)) => Some(Ratios {
                converged_s: ratio(c.converged_s, b.converged_s),
                peak_rss_bytes: ratio(c.peak_rss_bytes, b.peak_rss_bytes),
                cpu_s: ratio(c.cpu_s, b.cpu_s),
            }),
            _ => None,
        };
        Some(Summary {
            summary: "median",
            scenario: first.scenario.clone(),
            peers: first.peers,
            prefixes: first.prefixes,
            targets,
            ratio,
        })
    }

    /// The summary as one line of JSON.
    pub fn json_line(&self) -> String {
        serde_json::to_string(self)
            .unwrap_or_else(|e| format!("{{\"error\":\"serializing a summary: {e}\"}}"))
    }
}

fn medians(rs: &[&BenchResult]) -> Medians {
    let ok: Vec<&&BenchResult> = rs
        .iter()
        .filter(|r| r.converged_s.is_some() && r.error.is_none())
        .collect();
    let m =
        |f: &dyn Fn(&BenchResult) -> Option<f64>| median(ok.iter().filter_map(|r| f(r)).collect());
    Medians {
        ok_runs: ok.len(),
        established_s: m(&|r| r.established_s),
        converged_s: m(&|r| r.converged_s),
        peak_rss_bytes: m(&|r| Some(r.peak_rss_bytes as f64)),
        cpu_s: m(&|r| Some(r.cpu_s)),
        bytes_per_path: m(&|r| r.bytes_per_path),
        reconverged_s: m(&|r| r.reconverged_s),
        violations_max: rs.iter().map(|r| r.violations).max().unwrap_or(0),
    }
}

/// The median (mean of the two middle values for an even count).
pub fn median(mut v: Vec<f64>) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    })
}

fn ratio(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) if b > 0.0 => Some(a / b),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(target: &str, run: u32, converged: Option<f64>, rss: u64) -> BenchResult {
        BenchResult {
            target: target.into(),
            scenario: "20x1000".into(),
            run,
            peers: 20,
            prefixes: 1000,
            established_s: Some(0.5),
            converged_s: converged,
            peak_rss_bytes: rss,
            cpu_s: 2.0,
            violations: 0,
            violation_kinds: Violations::default(),
            routes_expected: 380_000,
            routes_held: 380_000,
            baseline_rss_bytes: 1000,
            paths: 20_000,
            bytes_per_path: Some(100.0),
            connect_attempts: 20,
            generator_cpu_s: 1.0,
            flapped_peers: None,
            withdrawn_s: None,
            reestablished_s: None,
            reconverged_s: None,
            error: None,
        }
    }

    #[test]
    fn result_line_has_the_required_keys() {
        let line = result("bird", 1, Some(1.25), 4096).json_line();
        assert!(!line.contains('\n'));
        let v: serde_json::Value = serde_json::from_str(&line).expect("valid JSON");
        for key in [
            "target",
            "scenario",
            "peers",
            "prefixes",
            "established_s",
            "converged_s",
            "peak_rss_bytes",
            "cpu_s",
            "violations",
        ] {
            assert!(v.get(key).is_some(), "missing {key} in {line}");
        }
        assert_eq!(v["target"], "bird");
        assert_eq!(v["converged_s"], 1.25);
        assert_eq!(v["peak_rss_bytes"], 4096);
        assert!(v.get("error").is_none() && v.get("reconverged_s").is_none());
        // A failed run keeps every key, with null where nothing was measured.
        let mut failed = result("condor", 2, None, 1);
        failed.error = Some("timed out".into());
        let v: serde_json::Value = serde_json::from_str(&failed.json_line()).expect("valid JSON");
        assert!(v["converged_s"].is_null());
        assert_eq!(v["error"], "timed out");
    }

    #[test]
    fn medians_and_ratios() {
        assert_eq!(median(vec![3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(vec![4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(median(vec![]), None);
        let rs = vec![
            result("condor", 1, Some(1.0), 100),
            result("condor", 2, Some(3.0), 300),
            result("condor", 3, None, 999),
            result("bird", 1, Some(4.0), 400),
            result("bird", 2, Some(4.0), 400),
        ];
        let s = Summary::of(&rs).expect("summary");
        assert_eq!(s.targets["condor"].ok_runs, 2);
        assert_eq!(s.targets["condor"].converged_s, Some(2.0));
        let r = s.ratio.as_ref().expect("both targets");
        assert_eq!(r.converged_s, Some(0.5));
        assert_eq!(r.peak_rss_bytes, Some(0.5));
        assert_eq!(r.cpu_s, Some(1.0));
        let v: serde_json::Value = serde_json::from_str(&s.json_line()).expect("valid JSON");
        assert_eq!(v["summary"], "median");
        assert_eq!(v["ratio"]["converged_s"], 0.5);
        assert!(Summary::of(&[]).is_none());
        assert!(Summary::of(&rs[..3]).expect("one target").ratio.is_none());
    }
}
