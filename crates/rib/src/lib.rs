//! # condor-rib
//!
//! The route server's RIB (RFC 7947): every client's Adj-RIB-In with
//! interned attributes, the decision process ([`path`]), the per-client best
//! path without path hiding, and export that encodes once for many clients
//! and never lets a slow client hold the others back ([`rib`], [`peer`]).
//! [`task`] runs it as the single owner of its state.

pub mod intern;
pub mod matrix;
pub mod path;
pub mod peer;
pub mod query;
pub mod rib;
pub mod table;
pub mod task;

pub use matrix::MatrixCell;
pub use path::{Path, Rank};
pub use peer::{
    MaxPrefix, MaxPrefixAction, OutItem, OutQueue, OutReader, PeerId, PeerSpec, SharedBatch,
    SharedMsg,
};
pub use query::{
    Candidate, LookupQuery, LookupResult, PeerCounts, PeerRef, QueryError, RouteEntry, RouteView,
    RoutesPage, RoutesQuery,
};
pub use rib::{Rib, RibNotice, RibStats, RouteUpdate, Scope};
pub use task::{spawn, GracefulDown, RibHandle, RibInput, RpkiData};

#[cfg(test)]
mod add_path_tests;
#[cfg(test)]
mod tests;
