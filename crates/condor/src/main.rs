//! `condor`: the one binary of the Condor route-server platform.
//!
//! This crate only wires: it parses the command line ([`cli`]), calls the
//! library crates, formats their answers and maps failures to the exit codes
//! documented in `docs/cli.md` (0 success, 1 runtime error, 2 usage error).
//! Errors are `anyhow` with context naming what failed (file, record).

mod cli;
mod daemon_cli;
mod demo;
mod malloc;
mod members_cli;
mod mrt_dump;
mod mrt_source;
mod mrt_summary;
mod output;
mod peering_cli;

use clap::Parser;
use cli::{Cli, Command, MrtCommand};
use std::process::ExitCode;

/// Exit code of a runtime error (clap exits with 2 on usage errors itself).
const EXIT_RUNTIME_ERROR: u8 = 1;

fn main() -> ExitCode {
    // Usage errors: clap prints the usage and exits with 2; --help and
    // --version exit with 0.
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if output::is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(EXIT_RUNTIME_ERROR)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let mut out = output::stdout();
    match cli.command {
        Command::Version => output::line(&mut out, &version())?,
        Command::Mrt(MrtCommand::Summary(args)) => mrt_summary::run(&args, &mut out)?,
        Command::Mrt(MrtCommand::Dump(args)) => mrt_dump::run(&args, &mut out)?,
        Command::Serve(args) => daemon_cli::serve(&args)?,
        Command::Check(args) => daemon_cli::check(&args, &mut out)?,
        Command::Show(cmd) => daemon_cli::show(&cmd, &mut out)?,
        Command::Reload(args) => daemon_cli::reload(&args, &mut out)?,
        Command::Stop(args) => daemon_cli::stop(&args, &mut out)?,
        Command::Bench(opts) => daemon_cli::bench(*opts)?,
        Command::Demo(opts) => daemon_cli::demo(opts, &mut out)?,
        Command::Members(args) => members_cli::run(&args, &mut out)?,
        Command::Peering(args) => peering_cli::run(&args, &mut out)?,
    }
    output::finish(out)
}

/// `condor X.Y.Z`, as `--version` prints it.
fn version() -> String {
    format!("condor {}", env!("CARGO_PKG_VERSION"))
}
