//! Runs the route-server benchmark standalone (until `condor bench` exposes
//! it): `cargo run --release -p condor-bench --example bench -- --help`.

use clap::Parser;
use condor_bench::BenchOptions;

/// Route-server load generator: measures Condor and/or BIRD 2 on loopback.
#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    opts: BenchOptions,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    condor_bench::run(cli.opts).await?;
    Ok(())
}
