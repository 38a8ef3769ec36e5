//! Errors of the IRR crate: every message names the AS-SET or the file
//! (and line) it is about, and for bgpq4 what bgpq4 itself printed.
//! Implements no RFC.

use std::path::PathBuf;
use std::time::Duration;

/// Why an IRR set could not be fetched, parsed, cached or loaded.
#[derive(Debug, thiserror::Error)]
pub enum IrrError {
    /// bgpq4 could not be started.
    #[error("IRR {as_set}: cannot run {program}: {source}")]
    Spawn {
        /// The AS-SET or ASN being expanded.
        as_set: String,
        /// The bgpq4 path.
        program: PathBuf,
        /// The operating-system error.
        source: std::io::Error,
    },
    /// bgpq4 exited with an error.
    #[error("IRR {as_set}: bgpq4 {query} failed ({status}): {stderr}")]
    Bgpq4Failed {
        /// The AS-SET or ASN being expanded.
        as_set: String,
        /// Which query: "IPv4 prefixes", "IPv6 prefixes" or "origin ASNs".
        query: &'static str,
        /// The exit status as text.
        status: String,
        /// bgpq4's standard error, trimmed.
        stderr: String,
    },
    /// bgpq4 did not finish in time and was killed.
    #[error(
        "IRR {as_set}: bgpq4 {query} did not finish within {timeout:?} (killed); stderr: {stderr}"
    )]
    Bgpq4Timeout {
        /// The AS-SET or ASN being expanded.
        as_set: String,
        /// Which query.
        query: &'static str,
        /// The configured bound.
        timeout: Duration,
        /// What bgpq4 had printed on standard error so far.
        stderr: String,
    },
    /// bgpq4 printed something that is not the JSON expected.
    #[error("IRR {as_set}: bgpq4 {query} output: {message}")]
    Bgpq4Output {
        /// The AS-SET or ASN being expanded.
        as_set: String,
        /// Which query.
        query: &'static str,
        /// What is wrong with it.
        message: String,
    },
    /// The expansion returned no prefix and no origin: a typo in the
    /// AS-SET name or an IRR outage, never a member's real data.
    #[error(
        "IRR {as_set}: the expansion is empty (no prefix, no origin ASN); keeping the previous set"
    )]
    Empty {
        /// The AS-SET or ASN.
        as_set: String,
    },
    /// The name is not an AS-SET or ASN as RPSL spells them.
    #[error("IRR {0:?}: not an AS-SET or ASN name")]
    BadName(String),
    /// An operator file could not be read.
    #[error("IRR file {path}: {source}")]
    FileRead {
        /// The file.
        path: PathBuf,
        /// The operating-system error.
        source: std::io::Error,
    },
    /// An operator file has an invalid line (line 0: the whole file).
    #[error("IRR file {path}:{line}: {message}")]
    FileParse {
        /// The file.
        path: PathBuf,
        /// The 1-based line number, 0 when the file as a whole is wrong.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// A cache file could not be written or read back.
    #[error("IRR cache {path}: {message}")]
    Cache {
        /// The cache file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
}
