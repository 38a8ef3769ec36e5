//! RPKI for the Condor route server (issue 5).
//!
//! * [`RpkiSnapshot`]: an immutable VRP + ASPA set with route origin validation
//!   ([`RpkiSnapshot::rov`], RFC 6811) and ASPA path verification
//!   ([`RpkiSnapshot::aspa_upstream`], draft-ietf-sidrops-aspa-verification).
//! * [`RpkiStore`]: the shared handle; the RIB loads the current snapshot
//!   without locks and subscribes to [`RpkiChange`]s to re-evaluate only the
//!   routes a change affects.
//! * Sources that publish into a store: RTR caches with preference order,
//!   failover and expiry ([`rtr::spawn_rtr`], RFC 8210) and JSON files
//!   ([`file::spawn_file_source`], [`load_file`]).

pub mod aspa;
pub mod change;
pub mod error;
pub mod file;
pub mod json;
pub mod model;
pub mod rov;
pub mod rtr;
mod rtr_target;
pub mod snapshot;
pub mod store;

pub use aspa::{AspaState, Hop, PathForAspa};
pub use change::RpkiChange;
pub use error::LoadError;
pub use file::{spawn_file_source, FileSource};
pub use json::{load_file, parse_json};
pub use model::{Aspa, Vrp};
pub use rov::{origin_as, RovState};
pub use rtr::{spawn_rtr, CacheConfig, CacheState, RtrConfig, RtrHandle};
pub use snapshot::RpkiSnapshot;
pub use store::RpkiStore;
