//! # condor-config
//!
//! The route server's configuration: a TOML file parsed with unknown fields
//! denied into a validated [`Config`]; every error names the file, line,
//! column and field ([`ConfigError`]). [`diff`] tells a reload what changed
//! and whether a session must be reset; [`to_canonical_toml`] prints the
//! configuration with defaults explicit and secrets hidden.

mod diff;
mod error;
mod filters;
mod irr;
mod model;
mod parse;
mod print;
mod registry;
mod rpki;
mod secret;

pub use diff::{diff, Change, ConfigDiff, Impact};
pub use error::{ConfigError, ConfigErrors};
pub use irr::IrrSettings;
pub use model::{
    Config, LookingGlass, MaxPrefix, MaxPrefixAction, Neighbor, RegistrySource, Server, TcpAo,
};
pub use parse::{load, parse, BGP_PORT, MAX_MD5_KEY_LEN};
pub use print::to_canonical_toml;
pub use rpki::{RpkiSettings, RtrCache};
pub use secret::Secret;

#[cfg(test)]
mod tests;
