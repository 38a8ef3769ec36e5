//! # condor-registry
//!
//! The exchange's member registry: the exchange (peering LANs, route
//! servers) and its members, kept in a human-editable TOML file
//! (`docs/registry.md`). Reads are plain; writes go through
//! [`RegistryFile`], which takes a writers' lock, refuses a lost update and
//! replaces the file atomically, keeping a backup. Members' TCP-MD5
//! passwords (RFC 2385) live in a separate 0600 [`SecretStore`]; the route
//! server derives its sessions from both ([`route_server_sessions`]).

mod atomic;
mod error;
mod ixf;
mod ixf_schema;
mod lock;
mod model;
mod neighbors;
mod ops;
mod password;
mod secrets;
mod store;
mod validate;

pub use atomic::{backup_path, write_atomic};
pub use error::{RegistryError, Result};
pub use ixf::{
    export as ixf_export, import as ixf_import, rfc3339_utc, rfc3339_utc_now, ImportOptions,
    ImportReport, IxfError, Skipped, IXF_VERSIONS,
};
pub use lock::lock_path;
pub use model::{Contacts, Exchange, Member, MemberStatus, PeeringPolicy, Registry, RouteServer};
pub use neighbors::{route_server_sessions, RsSession};
pub use ops::{add_member, import_ixf, remove_member, rotate_password, set_member, MemberChange};
pub use password::{Password, ALPHABET as PASSWORD_ALPHABET, LENGTH as PASSWORD_LENGTH};
pub use secrets::{secrets_path, SecretFile, SecretStore};
pub use store::{load, parse, RegistryFile, DEFAULT_PATH};
pub use validate::{as_set_problem, asn_problem, email_problem, validate, Problem};
