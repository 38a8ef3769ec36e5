//! # condor-onboarding
//!
//! What happens after a member is in the registry: the welcome e-mail with
//! its addresses, the route servers, its TCP-MD5 password, the community
//! scheme and router configuration for seven platforms ([`Templates`]);
//! delivery over SMTP with STARTTLS, implicit TLS or (loopback tests) plain
//! ([`mail`]); a SQLite record of every e-mail sent or failed and of
//! bilateral peering requests, never holding a password ([`Records`]).
//! Kept apart from `condor-registry` so that the route-server daemon, which
//! reads the registry, does not link SMTP, TLS and SQLite.

mod error;
pub mod mail;
mod matrix;
mod onboard;
mod peering;
mod records;
mod render;

pub use error::{OnboardError, Result};
pub use matrix::{matrix, Cell, Matrix};
pub use onboard::{onboard, recipients, render, OnboardOptions, OnboardOutcome};
pub use peering::{parse_rfc3339_utc, request, RequestOutcome, DEFAULT_PERIOD};
pub use records::{records_path, EmailRecord, Records, Status};
pub use render::{
    ascii_ident, default_template_dir, platform, sessions, Platform, Rendered, SessionView,
    Templates, LANGUAGES, PLATFORMS,
};
