//! The command line: every command, option and help text (clap derive).
//! Parsing only; `main` dispatches. Exit codes are in `docs/cli.md`.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

const ABOUT: &str = "Condor: a BGP route-server platform for Internet Exchanges";

const LONG_ABOUT: &str = "\
Condor: a BGP route-server platform for Internet Exchanges.

Condor is built to run an IXP's route servers (RFC 7947: transparent, with
per-member best path and filtering) together with the tools around them:
member registry and onboarding, a looking glass, and operator commands.

Available today: the route-server daemon (`condor serve`) with TCP-MD5,
TCP-AO and GTSM, its configuration checker (`condor check`), operator
commands over the control socket (`condor show`, `condor reload`,
`condor stop`), and MRT (RFC 6396) tools (`condor mrt`).

Exit codes: 0 success, 1 runtime error, 2 usage error (docs/cli.md).";

/// `condor` and its global options.
#[derive(Debug, Parser)]
#[command(name = "condor", version, about = ABOUT, long_about = LONG_ABOUT)]
#[command(propagate_version = true, arg_required_else_help = true)]
pub struct Cli {
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// Top-level commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the route server with a configuration file.
    #[command(long_about = "\
Run the route server: listen for BGP on the configured addresses, open a
session per neighbor (TCP-MD5 / TCP-AO / GTSM as configured), relay routes
transparently (RFC 7947) with a per-client best path.

Signals: SIGHUP re-reads the configuration and applies the difference
(only the neighbors that changed are touched); SIGINT/SIGTERM close every
session with a Cease / Administrative Shutdown and exit.

Logs go to standard error, one line per event; RUST_LOG or --log-level
selects the detail (error, warn, info, debug, trace).")]
    Serve(ServeArgs),
    /// Check a configuration file without starting anything.
    #[command(long_about = "\
Check a configuration file: syntax, unknown fields, impossible values and
duplicate neighbors, each reported as FILE:LINE:COLUMN: field: problem.
Exit code 0 when valid, 1 when not. --print shows the configuration in its
canonical form, defaults explicit and secrets hidden.")]
    Check(CheckArgs),
    /// Show the running daemon's state (over its control socket).
    #[command(subcommand)]
    Show(ShowCommand),
    /// Make the running daemon re-read its configuration file.
    Reload(SocketArgs),
    /// Stop the running daemon, closing every session with a shutdown communication.
    Stop(StopArgs),
    /// Run a demo: a route server and simulated members on loopback.
    #[command(long_about = "\
Run a demo on loopback: the route server (AS64115, configured as at Perú IX)
and simulated members, each on its own 127.0.x.y address with its own ASN,
announcing prefixes of its own. Prints the sessions and routes as they come
up; the members check every route they receive for transparency (RFC 7947).
`condor show neighbors --socket PATH` works while it runs. Ctrl-C stops
everything with a Cease / Administrative Shutdown.")]
    Demo(condor_bench::demo::DemoOptions),
    /// Benchmark a route server (Condor, and BIRD 2 with --against bird) on loopback.
    #[command(long_about = "\
Benchmark a route server on loopback: N simulated members (each its own
127.0.x.y address and ASN) open BGP sessions, announce P prefixes each and
receive everything back. One JSON line per target and run: time to
Established, time to full convergence, peak RSS, CPU seconds, transparency
violations. --against bird runs BIRD 2 (rs client, accept all) in the same
run and prints the ratios. Scenarios: NxP (e.g. 100x1000), overlap, churn,
growth, all. See docs/benchmarks.md.")]
    Bench(Box<condor_bench::BenchOptions>),
    /// Read MRT files (RFC 6396): route-collector update streams and RIB dumps.
    #[command(subcommand)]
    Mrt(MrtCommand),
    /// Print the version.
    Version,
}

/// `condor serve`
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The configuration file (TOML, see docs/config.md).
    #[arg(long, short, value_name = "FILE")]
    pub config: PathBuf,
    /// Control socket path (overrides the configuration's control_socket).
    #[arg(long, value_name = "PATH")]
    pub socket: Option<PathBuf>,
    /// Log detail when RUST_LOG is not set.
    #[arg(long, default_value = "info")]
    pub log_level: String,
}

/// `condor check`
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The configuration file.
    #[arg(value_name = "FILE")]
    pub config: PathBuf,
    /// Print the canonical form (secrets hidden).
    #[arg(long)]
    pub print: bool,
}

/// The control socket to talk to.
#[derive(Debug, Args)]
pub struct SocketArgs {
    /// Control socket of the daemon.
    #[arg(long, value_name = "PATH", default_value = "/run/condor/condor.sock")]
    pub socket: PathBuf,
}

/// `condor stop`
#[derive(Debug, Args)]
pub struct StopArgs {
    /// The daemon.
    #[command(flatten)]
    pub socket: SocketArgs,
    /// Shutdown communication sent to every peer (RFC 8203).
    #[arg(long, default_value = "route server shutting down")]
    pub message: String,
}

/// `condor show …`
#[derive(Debug, Subcommand)]
pub enum ShowCommand {
    /// Neighbors and their sessions.
    Neighbors(ShowArgs),
    /// RIB counters.
    Rib(ShowArgs),
    /// A neighbor's routes: received, accepted, filtered (with the reasons) or exported.
    Routes(ShowRoutesArgs),
    /// Every candidate path of a prefix, or of the longest match of an address.
    Lookup(ShowLookupArgs),
}

/// `condor show routes`
#[derive(Debug, Args)]
pub struct ShowRoutesArgs {
    /// The neighbor's address.
    pub neighbor: String,
    /// Which routes: received, accepted, filtered, exported.
    #[arg(long, default_value = "received")]
    pub view: String,
    /// Only this family (ipv4, ipv6).
    #[arg(long)]
    pub family: Option<String>,
    /// Only prefixes inside this one.
    #[arg(long)]
    pub within: Option<String>,
    /// Start after this prefix (the `next` cursor of the previous page).
    #[arg(long)]
    pub after: Option<String>,
    /// Routes per page (at most 1000).
    #[arg(long, default_value_t = 100)]
    pub limit: u32,
    /// Common options.
    #[command(flatten)]
    pub show: ShowArgs,
}

/// `condor show lookup`
#[derive(Debug, Args)]
pub struct ShowLookupArgs {
    /// A prefix or an address.
    pub target: String,
    /// The prefix itself only, no longest match.
    #[arg(long)]
    pub exact: bool,
    /// Also say which path this client (address) receives.
    #[arg(long)]
    pub client: Option<String>,
    /// Common options.
    #[command(flatten)]
    pub show: ShowArgs,
}

/// Options of every `show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The daemon.
    #[command(flatten)]
    pub socket: SocketArgs,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// `condor mrt …`
#[derive(Debug, Subcommand)]
pub enum MrtCommand {
    /// Summarise an MRT file: records by type, time span, peers, BGP
    /// messages, prefixes announced and withdrawn per family.
    #[command(long_about = "\
Summarise an MRT file: records by type, time span, peers, BGP messages by
type, prefixes announced and withdrawn per family, RIB entries, errors.

Reads TABLE_DUMP, TABLE_DUMP_V2, BGP4MP and BGP4MP_ET records (with the
RFC 8050 ADD-PATH subtypes), plain or compressed with gzip or bzip2.
A malformed record is counted and reported; reading goes on.

With --demo, summarises a small MRT stream generated in memory (three
route-server members announcing and withdrawing IPv4 and IPv6 routes), so
the command can be tried without a file.")]
    Summary(SummaryArgs),
    /// Print one line per route (announcement or withdrawal) of an MRT file.
    #[command(long_about = "\
Print one line per route of an MRT file, in file order: every prefix that a
BGP4MP UPDATE announces or withdraws, and every TABLE_DUMP / TABLE_DUMP_V2
RIB entry.

Text lines are '|'-separated:
  TIME|A|PEER_IP|PEER_AS|PREFIX|AS_PATH|NEXT_HOP|ORIGIN|COMMUNITIES|LARGE_COMMUNITIES
  TIME|W|PEER_IP|PEER_AS|PREFIX
TIME is Unix seconds (with .microseconds for BGP4MP_ET); PREFIX is followed
by #ID when it carries an ADD-PATH path identifier. With --json, one JSON
object per line with the same fields. A message that cannot be decoded is
reported on standard error and skipped.")]
    Dump(DumpArgs),
}

/// Where the MRT stream comes from: a file, or the built-in demo.
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct MrtSource {
    /// The MRT file (plain, .gz or .bz2; compression is detected from content).
    #[arg(value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// Use a small MRT stream generated in memory instead of a file.
    #[arg(long)]
    pub demo: bool,
}

/// `condor mrt summary`
#[derive(Debug, Args)]
pub struct SummaryArgs {
    /// The input.
    #[command(flatten)]
    pub source: MrtSource,
    /// Print the summary as one JSON object.
    #[arg(long)]
    pub json: bool,
}

/// `condor mrt dump`
#[derive(Debug, Args)]
pub struct DumpArgs {
    /// The input.
    #[command(flatten)]
    pub source: MrtSource,
    /// Print one JSON object per route instead of '|'-separated text.
    #[arg(long)]
    pub json: bool,
    /// Stop after this many routes.
    #[arg(long, value_name = "N")]
    pub limit: Option<u64>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn file_and_demo_are_exclusive_and_one_is_required() {
        assert!(Cli::try_parse_from(["condor", "mrt", "summary"]).is_err());
        assert!(Cli::try_parse_from(["condor", "mrt", "summary", "f.mrt", "--demo"]).is_err());
        let cli =
            Cli::try_parse_from(["condor", "mrt", "dump", "--demo", "--limit", "3", "--json"]);
        match cli.map(|c| c.command) {
            Ok(Command::Mrt(MrtCommand::Dump(d))) => {
                assert!(d.source.demo && d.json);
                assert_eq!(d.limit, Some(3));
                assert_eq!(d.source.file, None);
            }
            other => panic!("unexpected parse: {other:?}"),
        }
    }

    #[test]
    fn limit_must_be_a_number() {
        assert!(Cli::try_parse_from(["condor", "mrt", "dump", "f", "--limit", "x"]).is_err());
    }
}
