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
//!
//! ```
//! use condor_rtr::{Aspa, AspaState, PathForAspa, RovState, RpkiSnapshot, RpkiStore, Vrp};
//! use condor_wire::{Asn, Prefix};
//!
//! let vrp = Vrp { prefix: "45.183.47.0/24".parse().unwrap(), max_len: 24, asn: Asn(64115) };
//! let aspa = Aspa::new(Asn(64501), vec![Asn(64510)]);
//! let store = RpkiStore::new();
//! let mut changes = store.subscribe();
//! store.publish(RpkiSnapshot::new([vrp], [aspa]));
//!
//! // On the route path: one lock-free load per batch of decisions.
//! let rpki = store.snapshot();
//! let p: Prefix = "45.183.47.0/25".parse().unwrap();
//! assert_eq!(rpki.rov(&p, Some(Asn(64115))), RovState::Invalid); // longer than maxLength
//! let path = PathForAspa::from_sequence(&[Asn(64510), Asn(64501)]);
//! assert_eq!(rpki.aspa_upstream(&path, Asn(64510)), AspaState::Valid);
//!
//! // On a change: re-evaluate only what it affects.
//! let change = changes.try_recv().unwrap();
//! assert!(change.affects(&p));
//! ```

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
pub use json::{load_file, load_file_lenient, parse_json};
pub use model::{Aspa, Vrp};
pub use rov::{origin_as, RovState};
pub use rtr::{spawn_rtr, CacheConfig, CacheState, RtrConfig, RtrHandle};
pub use snapshot::RpkiSnapshot;
pub use store::RpkiStore;
