//! Command-line options of the benchmark (`condor bench`, and the crate's
//! `bench` example), as a `clap::Args` so the binary can flatten them.

use crate::scenario::{RunSettings, Scenario};
use crate::target::{TargetKind, TargetRunner};
use anyhow::bail;
use std::path::PathBuf;
use std::time::Duration;

/// Options of a benchmark run.
#[derive(Clone, Debug, clap::Args)]
pub struct BenchOptions {
    /// Scenarios, comma-separated: PEERSxPREFIXES (e.g. 20x1000), overlap,
    /// churn, growth, or all.
    #[arg(long, value_delimiter = ',', default_value = "20x1000")]
    pub scenario: Vec<String>,
    /// The server to measure.
    #[arg(long, value_enum, default_value_t = TargetKind::Condor)]
    pub target: TargetKind,
    /// Also measure this server in the same run, and print ratios
    /// (condor / bird).
    #[arg(long, value_enum)]
    pub against: Option<TargetKind>,
    /// Runs per scenario and target; medians are reported.
    #[arg(long, default_value_t = 3)]
    pub runs: u32,
    /// The condor binary (default: this program if it is `condor`, else a
    /// `condor` next to it or one directory up).
    #[arg(long)]
    pub condor_bin: Option<PathBuf>,
    /// Arguments for condor, whitespace-separated; {config} is replaced by
    /// the generated config file.
    #[arg(long, default_value = "serve --config {config}")]
    pub condor_args: String,
    /// The BIRD 2 binary.
    #[arg(long, default_value = "bird")]
    pub bird_bin: PathBuf,
    /// Session handshakes in flight at once (both targets).
    #[arg(long, default_value_t = 8)]
    pub connect_concurrency: usize,
    /// Multiplies every deadline (establishment, convergence).
    #[arg(long, default_value_t = 1.0)]
    pub timeout_scale: f64,
    /// Give up when no route arrived for this many seconds.
    #[arg(long, default_value_t = 30)]
    pub stall_s: u64,
    /// Keep each server's temporary directory (config, logs).
    #[arg(long)]
    pub keep_dir: bool,
    /// Run Condor with every import filter off (default: the route-server
    /// filters on, as in production, except the two the simulated members
    /// cannot pass: next hop and private ASNs).
    #[arg(long)]
    pub no_policy: bool,
}

impl Default for BenchOptions {
    fn default() -> Self {
        BenchOptions {
            scenario: vec!["20x1000".into()],
            target: TargetKind::Condor,
            against: None,
            runs: 3,
            condor_bin: None,
            condor_args: "serve --config {config}".into(),
            bird_bin: "bird".into(),
            connect_concurrency: 8,
            timeout_scale: 1.0,
            stall_s: 30,
            keep_dir: false,
            no_policy: false,
        }
    }
}

impl BenchOptions {
    /// The scenarios named, expanded.
    pub fn scenarios(&self) -> anyhow::Result<Vec<Scenario>> {
        let mut out = Vec::new();
        for name in &self.scenario {
            out.extend(Scenario::parse(name.trim())?);
        }
        if out.is_empty() {
            bail!("no scenario given");
        }
        Ok(out)
    }

    /// The targets to run, in order (the main one first).
    pub fn targets(&self) -> Vec<TargetKind> {
        let mut t = vec![self.target];
        if let Some(a) = self.against.filter(|&a| a != self.target) {
            t.push(a);
        }
        t
    }

    /// How to start each target.
    pub fn runners(&self) -> anyhow::Result<Vec<TargetRunner>> {
        self.targets()
            .into_iter()
            .map(|k| {
                Ok(match k {
                    TargetKind::Condor => {
                        let args = self
                            .condor_args
                            .split_whitespace()
                            .map(str::to_string)
                            .collect();
                        let mut r = TargetRunner::condor(self.condor_binary()?, Some(args));
                        if self.no_policy {
                            r.write_config = crate::condor::config_without_policy;
                        }
                        r
                    }
                    TargetKind::Bird => TargetRunner::bird(self.bird_bin.clone()),
                })
            })
            .collect()
    }

    /// Settings of each run.
    pub fn settings(&self) -> RunSettings {
        RunSettings {
            connect_concurrency: self.connect_concurrency,
            timeout_scale: self.timeout_scale,
            stall: Duration::from_secs(self.stall_s.max(1)),
            keep_dir: self.keep_dir,
        }
    }

    fn condor_binary(&self) -> anyhow::Result<PathBuf> {
        if let Some(b) = &self.condor_bin {
            return Ok(b.clone());
        }
        let exe = std::env::current_exe()?;
        if exe.file_name().is_some_and(|n| n == "condor") {
            return Ok(exe);
        }
        // An example lives in target/<profile>/examples/, the binary in target/<profile>/.
        for dir in exe.ancestors().skip(1).take(2) {
            let c = dir.join("condor");
            if c.is_file() {
                return Ok(c);
            }
        }
        bail!(
            "no condor binary found next to {}; pass --condor-bin",
            exe.display()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        opts: BenchOptions,
    }

    #[test]
    fn parses_and_defaults_agree() {
        let cli = Cli::try_parse_from(["bench"]).expect("defaults");
        let d = BenchOptions::default();
        assert_eq!(cli.opts.scenario, d.scenario);
        assert_eq!(
            (
                cli.opts.runs,
                cli.opts.connect_concurrency,
                cli.opts.stall_s
            ),
            (d.runs, d.connect_concurrency, d.stall_s)
        );
        assert_eq!(cli.opts.condor_args, d.condor_args);
        let cli = Cli::try_parse_from([
            "bench",
            "--scenario",
            "20x1000,overlap",
            "--against",
            "bird",
            "--runs",
            "1",
        ])
        .expect("parses");
        assert_eq!(cli.opts.scenarios().expect("known").len(), 2);
        assert_eq!(
            cli.opts.targets(),
            vec![TargetKind::Condor, TargetKind::Bird]
        );
        let cli = Cli::try_parse_from(["bench", "--target", "bird", "--against", "bird"])
            .expect("parses");
        assert_eq!(cli.opts.targets(), vec![TargetKind::Bird]);
        assert!(Cli::try_parse_from(["bench", "--target", "frr"]).is_err());
    }
}
