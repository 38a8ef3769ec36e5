//! # condor-irr
//!
//! IRR data for the route server's import policy (issue 5): per member, an
//! AS-SET or ASN whose route/route6 objects (RFC 2622 §4, RFC 4012 §3) and
//! expanded origin ASNs (RFC 2622 §5.1) decide whether a route is accepted.
//!
//! - [`IrrSet`]: one member's data in a prefix trie, with
//!   [`IrrSet::check_prefix`], [`IrrSet::check_origin`] and
//!   [`IrrSet::check`] → [`IrrResult`].
//! - Sources: [`bgpq4::fetch`] runs the real `bgpq4` (JSON output);
//!   [`load_file`] reads operator files (bgpq4/bgpq3 JSON or plain text).
//! - [`cache`]: one JSON file per AS-SET, written atomically, read at start.
//! - [`IrrManager`]: the configured sets, their refresh schedule, and the
//!   [`IrrChange`] each successful refresh yields so the RIB re-evaluates
//!   only the routes it affects.
//!
//! See `docs/irr.md` for the rules and the suggested configuration.

pub mod bgpq4;
pub mod cache;
mod change;
mod error;
mod file;
mod lengths;
mod manager;
mod parse;
mod set;

pub use bgpq4::Bgpq4Config;
pub use change::IrrChange;
pub use error::IrrError;
pub use file::load_file;
pub use lengths::Lengths;
pub use manager::{fetch, IrrConfig, IrrManager, IrrSpec, IrrStatus, RefreshOutcome};
pub use set::{IrrCounts, IrrEntry, IrrResult, IrrSet, IrrSetBuilder, IrrSource, MaxLen};
