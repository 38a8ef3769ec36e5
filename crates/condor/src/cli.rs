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
`condor stop`), the member registry with onboarding e-mail and IX-F
import/export (`condor members`), bilateral peering (`condor peering`),
and MRT (RFC 6396) tools (`condor mrt`).

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
    /// The member registry: add, change, list and remove members, rotate passwords.
    #[command(long_about = "\
The member registry (docs/registry.md): the exchange, its route servers and
its members in a TOML file, with the members' TCP-MD5 passwords in a
separate secret store beside it (NAME.secrets.toml, mode 0600).

Every change is validated (ASN range, addresses inside the peering LAN and
not taken, e-mail syntax, AS-SET names) and written atomically, keeping the
previous file as NAME.toml.bak. A second writer at the same time is refused.
Passwords are never printed by list or show.")]
    Members(MembersArgs),
    /// Bilateral peering between members: the matrix, and requests by e-mail.
    Peering(PeeringArgs),
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
    /// RPKI data in use: VRPs, ASPA records, RTR caches and their state.
    Rpki(ShowArgs),
    /// Members' IRR data: each AS-SET's source, age, size and last error.
    Irr(ShowArgs),
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

/// `condor peering …`
#[derive(Debug, Args)]
pub struct PeeringArgs {
    /// The registry file.
    #[arg(long, global = true, value_name = "PATH", default_value = condor_registry::DEFAULT_PATH)]
    pub registry: PathBuf,
    /// What to do.
    #[command(subcommand)]
    pub command: PeeringCommand,
}

/// `condor peering …` subcommands.
#[derive(Debug, Subcommand)]
pub enum PeeringCommand {
    /// Who exchanges routes with whom: via the route servers, requested, or the policy of the one asked.
    Matrix(MatrixArgs),
    /// E-mail member TO's peering contact a bilateral peering request from member FROM.
    #[command(long_about = "\
E-mail the peering contact of member TO (copy to FROM's) a bilateral
peering request with both sides' details: names, ASNs, addresses, policies,
route-server participation. Recorded like every e-mail; the same request is
refused while one sent within --period-days (default 30) exists.
--dry-run prints it instead.")]
    Request(RequestArgs),
}

/// `condor peering matrix`
#[derive(Debug, Args)]
pub struct MatrixArgs {
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Also ask this running route server which sessions are Established.
    #[arg(long, value_name = "PATH")]
    pub socket: Option<PathBuf>,
}

/// `condor peering request`
#[derive(Debug, Args)]
pub struct RequestArgs {
    /// The member asking.
    #[arg(value_name = "FROM_ASN")]
    pub from: condor_wire::Asn,
    /// The member asked.
    #[arg(value_name = "TO_ASN")]
    pub to: condor_wire::Asn,
    /// Days within which the same request is not sent again.
    #[arg(long, value_name = "DAYS", default_value_t = 30)]
    pub period_days: u64,
    /// Print the e-mail instead of sending it.
    #[arg(long)]
    pub dry_run: bool,
    /// The mail settings.
    #[command(flatten)]
    pub mail: MailArgs,
}

/// `condor members …`
#[derive(Debug, Args)]
pub struct MembersArgs {
    /// The registry file.
    #[arg(long, global = true, value_name = "PATH", default_value = condor_registry::DEFAULT_PATH)]
    pub registry: PathBuf,
    /// What to do.
    #[command(subcommand)]
    pub command: MembersCommand,
}

/// `condor members …` subcommands.
#[derive(Debug, Subcommand)]
pub enum MembersCommand {
    /// Add a member (and generate its TCP-MD5 password).
    Add(MemberAddArgs),
    /// List the members.
    List(JsonArg),
    /// Show one member.
    Show(MemberShowArgs),
    /// Change a member's fields.
    Set(MemberSetArgs),
    /// Remove a member (and its password).
    Remove(AsnArg),
    /// Generate a new TCP-MD5 password for a member.
    #[command(long_about = "\
Generate a new TCP-MD5 password for a member and store it in the secret
store. It is not printed: the route servers use it after `condor reload`,
and the member receives it with `condor members onboard`.")]
    RotatePassword(AsnArg),
    /// Import an IX-F Member Export (Euro-IX JSON 0.6, 0.7, 1.0).
    #[command(long_about = "\
Import an IX-F Member Export (Euro-IX JSON, schema 0.6, 0.7 or 1.0) into
the registry (created when absent): members are created or updated, and
every entry not imported is listed with the reason (the exchange's own
route servers, which become registry route servers; other VLANs; missing,
malformed, outside or already taken addresses; reserved ASNs). Members
created get a TCP-MD5 password. --dry-run shows the report only.")]
    Import(ImportArgs),
    /// Export the registry as an IX-F Member Export (Euro-IX JSON 1.0).
    Export(ExportArgs),
    /// Send a member its welcome e-mail (addresses, route servers, password, router configuration).
    #[command(long_about = "\
Render the welcome e-mail of a member, from the templates (built-in English
and Spanish defaults; files of the same name in --templates DIR replace
them): its addresses, every route server with its addresses and ASN, its
TCP-MD5 password, the community scheme, and configuration for Cisco IOS-XR,
IOS/IOS-XE, Juniper Junos, Nokia SR OS, MikroTik RouterOS 7, BIRD 2 and
FRR (--platform to choose). It goes to the member's technical and NOC
contacts over SMTP as set in the mail settings (NAME.mail.toml beside the
registry, docs/registry.md). Every attempt is recorded (NAME.records.sqlite:
when, to whom, template, the server's answer, sent or failed; never the
password); `condor members history ASN` shows them. --retry sends again
only when the latest attempt failed. --dry-run prints the e-mail instead
(it holds the password) and records nothing.")]
    Onboard(OnboardArgs),
    /// The e-mails sent about a member (onboarding, peering requests).
    History(MemberShowArgs),
}

/// `condor members onboard`
#[derive(Debug, Args)]
pub struct OnboardArgs {
    /// The member.
    #[command(flatten)]
    pub asn: AsnArg,
    /// Print the e-mail (with the password) instead of sending it.
    #[arg(long)]
    pub dry_run: bool,
    /// Language of the e-mail.
    #[arg(long, value_parser = ["en", "es"], default_value = "en")]
    pub lang: String,
    /// Only this platform's configuration (repeat for several; default all).
    #[arg(long, value_parser = ["ios-xr", "ios", "junos", "sros", "routeros", "bird2", "frr"])]
    pub platform: Vec<String>,
    /// Send again, only if the latest attempt failed.
    #[arg(long, conflicts_with = "dry_run")]
    pub retry: bool,
    /// The mail settings.
    #[command(flatten)]
    pub mail: MailArgs,
}

/// Templates and SMTP settings.
#[derive(Debug, Args)]
pub struct MailArgs {
    /// Operator templates (files replacing the built-in ones); default: templates/ beside the registry.
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
    /// SMTP settings (TOML); default: NAME.mail.toml beside the registry.
    #[arg(long, value_name = "FILE")]
    pub mail_config: Option<PathBuf>,
}

/// `condor members import`
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The IX-F JSON file.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// The exchange to import (`ixp_id`), when the file lists several.
    #[arg(long, value_name = "ID")]
    pub ixp_id: Option<u64>,
    /// The VLAN to import, when the exchange has several.
    #[arg(long, value_name = "ID")]
    pub vlan_id: Option<u64>,
    /// Show what would be done; write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// `condor members export`
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Write to this file instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// A member's ASN.
#[derive(Debug, Args)]
pub struct AsnArg {
    /// The member's ASN (64496 or AS64496).
    #[arg(value_name = "ASN")]
    pub asn: condor_wire::Asn,
}

/// `--json`.
#[derive(Debug, Args)]
pub struct JsonArg {
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// `condor members show`
#[derive(Debug, Args)]
pub struct MemberShowArgs {
    /// The member.
    #[command(flatten)]
    pub asn: AsnArg,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// `condor members add`
#[derive(Debug, Args)]
pub struct MemberAddArgs {
    /// The member.
    #[command(flatten)]
    pub asn: AsnArg,
    /// Its name.
    #[arg(long)]
    pub name: String,
    /// The other fields.
    #[command(flatten)]
    pub fields: MemberFields,
}

/// `condor members set`
#[derive(Debug, Args)]
pub struct MemberSetArgs {
    /// The member.
    #[command(flatten)]
    pub asn: AsnArg,
    /// New name.
    #[arg(long)]
    pub name: Option<String>,
    /// The other fields.
    #[command(flatten)]
    pub fields: MemberFields,
}

/// A member's fields, each optional (for `set`: left unchanged when absent;
/// an empty value removes an optional field).
#[derive(Debug, Args)]
pub struct MemberFields {
    /// IPv4 address on the peering LAN (repeat for several; replaces the list).
    #[arg(long, value_name = "ADDR")]
    pub ipv4: Vec<std::net::IpAddr>,
    /// IPv6 address on the peering LAN (repeat for several; replaces the list).
    #[arg(long, value_name = "ADDR")]
    pub ipv6: Vec<std::net::IpAddr>,
    /// Maximum IPv4 prefixes (0 removes the limit).
    #[arg(long, value_name = "N")]
    pub max_prefix_v4: Option<u32>,
    /// Maximum IPv6 prefixes (0 removes the limit).
    #[arg(long, value_name = "N")]
    pub max_prefix_v6: Option<u32>,
    /// AS-SET (e.g. AS-EXAMPLE or RIPE::AS-EXAMPLE; empty removes it).
    #[arg(long, value_name = "NAME")]
    pub as_set: Option<String>,
    /// Take part in the route servers.
    #[arg(long, value_name = "BOOL")]
    pub route_server: Option<bool>,
    /// Bilateral peering policy.
    #[arg(long, value_enum)]
    pub policy: Option<PolicyArg>,
    /// Status.
    #[arg(long, value_enum)]
    pub status: Option<StatusArg>,
    /// NOC e-mail (empty removes it).
    #[arg(long, value_name = "EMAIL")]
    pub noc: Option<String>,
    /// Peering e-mail (empty removes it).
    #[arg(long, value_name = "EMAIL")]
    pub peering: Option<String>,
    /// Technical e-mail (empty removes it).
    #[arg(long, value_name = "EMAIL")]
    pub technical: Option<String>,
}

/// Bilateral peering policy.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum PolicyArg {
    /// Peers with anyone.
    Open,
    /// Peers case by case.
    Selective,
    /// Rarely peers.
    Restrictive,
}

/// Member status.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum StatusArg {
    /// In service.
    Active,
    /// Being connected.
    Pending,
    /// Sessions administratively down.
    Suspended,
    /// Left the exchange: no sessions.
    Disconnected,
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
