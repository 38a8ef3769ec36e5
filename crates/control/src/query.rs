//! The read queries of the control protocol: a neighbor's routes, a prefix
//! lookup, route counts and the daemon's status, with the shapes the CLI
//! and the looking glass show. Nothing here carries a secret or a contact
//! address: only what BGP itself tells every peer, plus the import verdict.

use serde::{Deserialize, Serialize};

/// Which routes of a neighbor (see `condor_rib::RouteView`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub enum RouteView {
    /// Every path the neighbor announced.
    Received,
    /// The ones import policy accepted.
    Accepted,
    /// The ones import policy rejected, with the reasons.
    Filtered,
    /// What the neighbor receives from the route server.
    Exported,
}

/// A page of a neighbor's routes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoutesRequest {
    /// The neighbor's address.
    pub neighbor: String,
    /// Which routes.
    pub view: RouteView,
    /// `ipv4` or `ipv6`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family: Option<String>,
    /// Only prefixes inside this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub within: Option<String>,
    /// Resume after this prefix (the previous page's `next`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
    /// At most this many routes (≤ [`MAX_PAGE`]).
    pub limit: u32,
}

/// Largest page the daemon returns.
pub const MAX_PAGE: u32 = 1000;

/// A peer named in a route.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PeerName {
    /// Address.
    pub address: String,
    /// ASN.
    pub asn: u32,
    /// Configured name.
    pub name: String,
}

/// A rejection reason.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReasonInfo {
    /// Published code (large community `RS:1101:code`).
    pub code: u8,
    /// Stable identifier.
    pub key: String,
    /// In words.
    pub description: String,
}

/// One route (a path to a prefix).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RouteInfo {
    /// The prefix.
    pub prefix: String,
    /// The neighbor that announced it (`None`: its session went down).
    pub from: Option<PeerName>,
    /// ADD-PATH identifier as received (0 without ADD-PATH).
    pub path_id: u32,
    /// AS path as text.
    pub as_path: String,
    /// AS path as numbers (sets flattened).
    pub asns: Vec<u32>,
    /// ORIGIN (`IGP`, `EGP`, `INCOMPLETE`).
    pub origin: String,
    /// Next hop.
    pub next_hop: String,
    /// MULTI_EXIT_DISC.
    pub med: Option<u32>,
    /// Standard communities `a:b`.
    pub communities: Vec<String>,
    /// Large communities `a:b:c`.
    pub large_communities: Vec<String>,
    /// Import policy accepted it.
    pub accepted: bool,
    /// Why it was rejected (empty when accepted).
    pub reasons: Vec<ReasonInfo>,
    /// RPKI origin validation: `valid`, `not-found`, `invalid`, `not-checked`.
    pub rpki: String,
    /// IRR: `valid`, `accepted-by-rpki`, `invalid`, `not-checked`.
    pub irr: String,
    /// ASPA: `valid`, `unknown`, `invalid`, `not-checked`.
    pub aspa: String,
    /// The overall best path of the prefix.
    pub best: bool,
    /// In a lookup with a client: the path that client receives.
    #[serde(default)]
    pub for_client: bool,
}

/// A page of routes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoutePage {
    /// The routes, in prefix order. A page may hold fewer routes than asked
    /// and still have a `next`: the daemon examines a bounded part of the
    /// table per request, so a sparse view (few filtered routes in a large
    /// table) is walked over several requests.
    pub routes: Vec<RouteInfo>,
    /// Cursor of the next page (`after=`), absent on the last page.
    pub next: Option<String>,
}

/// A prefix lookup.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LookupRequest {
    /// A prefix or an address.
    pub target: String,
    /// Only the prefix itself; otherwise the longest match (always for an address).
    #[serde(default)]
    pub exact: bool,
    /// Also say which path this client (address) receives.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<String>,
}

/// The answer to a lookup.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LookupResult {
    /// The prefix matched, absent when none.
    pub prefix: Option<String>,
    /// Every candidate path of it.
    pub candidates: Vec<RouteInfo>,
    /// The client asked about, when its session is up.
    pub client: Option<PeerName>,
}

/// Route counts of a neighbor.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RouteCounts {
    /// The neighbor.
    pub neighbor: PeerName,
    /// Paths received.
    pub received: u64,
    /// Accepted by import policy.
    pub accepted: u64,
    /// Rejected by import policy.
    pub filtered: u64,
    /// Prefixes it receives.
    pub exported: u64,
}

/// The route server itself.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServerStatus {
    /// Configured name.
    pub name: String,
    /// ASN.
    pub asn: u32,
    /// BGP identifier.
    pub router_id: String,
    /// Software version.
    pub version: String,
    /// Start time, seconds since the Unix epoch.
    pub started_unix: u64,
    /// Prefixes in the table.
    pub prefixes: u64,
    /// Paths in the table.
    pub paths: u64,
}

/// One cell of the peering matrix.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MatrixCell {
    /// The member receiving.
    pub client: PeerName,
    /// The member its paths come from.
    pub source: PeerName,
    /// Prefixes `client` receives from `source` through the route server.
    pub prefixes: u64,
}
