//! # condor-policy
//!
//! Route-server policy: the export-control communities members use to steer
//! their announcements ([`actions`]), the import verdict of a path with its
//! numbered reasons ([`verdict`]).

pub mod actions;
pub mod verdict;

pub use actions::{parse_actions, ExportControl, ParsedActions};
pub use verdict::{Aspa, Irr, Reason, Rov, Verdict};
