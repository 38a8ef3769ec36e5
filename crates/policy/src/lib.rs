//! # condor-policy
//!
//! Route-server policy: the export-control communities members use to steer
//! their announcements ([`actions`]), the import verdict of a path with its
//! numbered reasons ([`verdict`]), the import filters ([`import`], with
//! [`bogons`]).

pub mod actions;
pub mod bogons;
pub mod import;
pub mod informational;
pub mod verdict;

pub use actions::{parse_actions, ExportControl, ParsedActions};
pub use import::{
    evaluate, Blackhole, Filters, IrrCheck, IrrPolicy, MemberImport, NextHopPolicy, PathCheck,
    RpkiCheck, RpkiPolicy,
};
pub use verdict::{Aspa, Irr, Reason, Rov, Verdict};
