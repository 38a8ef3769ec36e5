//! The harness's error type: what went wrong starting, asking or waiting on a
//! daemon. Timeouts carry the daemon's logs so a failing test explains itself.

use std::path::PathBuf;
use std::time::Duration;

/// Everything the harness can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A daemon's programs are not installed (see `DaemonKind::available`).
    #[error("{daemon} not installed: {detail} (run scripts/install-interop-deps.sh)")]
    NotInstalled {
        /// The daemon's name.
        daemon: &'static str,
        /// Which program is missing.
        detail: String,
    },
    /// Reading or writing a file of the harness failed.
    #[error("{context}: {source}")]
    Io {
        /// What the harness was doing.
        context: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A program could not be started.
    #[error("cannot start {program}: {source}")]
    Spawn {
        /// The program.
        program: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A daemon's CLI exited unsuccessfully or did not answer in time.
    #[error("`{command}` failed: {detail}")]
    Cli {
        /// The command line that was run.
        command: String,
        /// Exit status and the CLI's own output.
        detail: String,
    },
    /// A CLI answered something the harness could not understand.
    #[error("cannot parse {what}: {detail}")]
    Parse {
        /// What was being parsed.
        what: String,
        /// Why it failed (with an excerpt of the input).
        detail: String,
    },
    /// The configuration asks for something the daemon (or the harness) cannot do.
    #[error("{daemon}: unsupported: {detail}")]
    Unsupported {
        /// The daemon's name.
        daemon: &'static str,
        /// What is unsupported and why.
        detail: String,
    },
    /// A peer address that is not in the daemon's `MemberConfig`.
    #[error("{daemon}: no configured peer {peer}")]
    UnknownPeer {
        /// The daemon's name.
        daemon: &'static str,
        /// The address asked for.
        peer: std::net::IpAddr,
    },
    /// The daemon exited on its own.
    #[error("{daemon} exited unexpectedly ({status})\n{logs}")]
    Exited {
        /// The daemon's name.
        daemon: &'static str,
        /// Its exit status.
        status: String,
        /// Its logs.
        logs: String,
    },
    /// A bounded wait ran out.
    #[error("{daemon}: timed out after {waited:?} waiting for {what}; last seen: {last}\n{logs}")]
    Timeout {
        /// The daemon's name.
        daemon: &'static str,
        /// What was awaited.
        what: String,
        /// How long the harness waited.
        waited: Duration,
        /// The last observation (state, routes or error).
        last: String,
        /// The daemon's logs.
        logs: String,
    },
}

impl Error {
    /// An [`Error::Io`] with context.
    pub(crate) fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Self::Io {
            context: context.into(),
            source,
        }
    }

    /// An [`Error::Parse`].
    pub(crate) fn parse(what: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::Parse {
            what: what.into(),
            detail: detail.into(),
        }
    }
}

/// The harness's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
