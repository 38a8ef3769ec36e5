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
//!
//! ```
//! use condor_irr::{fetch, IrrConfig, IrrManager, IrrSpec, RefreshOutcome};
//! use condor_wire::{Asn, Prefix};
//! use std::time::SystemTime;
//!
//! let dir = tempfile::tempdir()?;
//! let path = dir.path().join("as-example.txt");
//! std::fs::write(&path, "193.0.0.0/21\n2001:67c:2e8::/48\nAS3333\n")?;
//!
//! let mut irr = IrrManager::new(IrrConfig::default());
//! let spec = IrrSpec::File { name: "AS-EXAMPLE".into(), path };
//! assert!(irr.configure([spec]).is_empty()); // at start and on reload
//!
//! // The scheduler: fetch what is due (blocking), then apply.
//! let now = SystemTime::now();
//! for spec in irr.due(now) {
//!     let result = fetch(irr.config(), &spec);
//!     match irr.apply(spec.name(), result, now) {
//!         RefreshOutcome::Updated { change, .. } => {
//!             // Re-evaluate the member's paths for which this is true:
//!             assert!(change.affects_route(&"193.0.4.0/22".parse()?, Asn(3333)));
//!         }
//!         RefreshOutcome::Failed { error, .. } => panic!("{error}"),
//!         RefreshOutcome::NotConfigured => unreachable!(),
//!     }
//! }
//!
//! // The policy, per route of the member:
//! let set = irr.get("AS-EXAMPLE").expect("fetched");
//! let prefix: Prefix = "193.0.7.0/24".parse()?;
//! assert!(set.check(&prefix, Asn(3333)).accepted());
//! assert!(!set.check_prefix(&"193.0.7.0/25".parse()?)); // beyond /24
//! assert!(!set.check_origin(Asn(64500)));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

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
