//! # condor-policy
//!
//! Route-server policy. For now: the export-control communities members use
//! to steer their announcements ([`actions`]), in the standard (RFC 1997)
//! and large (RFC 8092) forms that Euro-IX route servers share. The import
//! filters (bogons, IRR, RPKI, ...) come with issue 5.

pub mod actions;

pub use actions::{parse_actions, ExportControl, ParsedActions};
