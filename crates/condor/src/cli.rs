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

Available today: the BGP-4 wire codec and MRT (RFC 6396) tools, through
`condor mrt`. The route-server daemon and its commands arrive in later
releases.

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
    /// Read MRT files (RFC 6396): route-collector update streams and RIB dumps.
    #[command(subcommand)]
    Mrt(MrtCommand),
    /// Print the version.
    Version,
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
