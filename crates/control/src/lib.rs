//! # condor-control
//!
//! The control protocol between the daemon and its readers (the `condor`
//! CLI, the looking glass): one JSON object per line over a Unix socket,
//! a [`Request`] answered by exactly one [`Reply`]. The types carry no
//! secret: passwords never leave the daemon through this channel.

pub mod query;

pub use query::{
    LookupRequest, LookupResult, MatrixCell, PeerName, ReasonInfo, RouteCounts, RouteInfo,
    RoutePage, RouteView, RoutesRequest, ServerStatus,
};
use serde::{Deserialize, Serialize};
use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::UnixStream;

/// A request to the daemon.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "request", rename_all = "kebab-case")]
pub enum Request {
    /// Every neighbor and its session.
    Neighbors,
    /// RIB counters.
    RibStats,
    /// Re-read the configuration file and apply the difference.
    Reload,
    /// Stop every session with a shutdown communication (RFC 8203) and exit.
    Shutdown {
        /// The text sent to the peers.
        message: String,
    },
    /// The route server's identity and table size.
    Status,
    /// A page of a neighbor's routes.
    Routes(RoutesRequest),
    /// A prefix lookup.
    Lookup(LookupRequest),
    /// Route counts of every neighbor that is up.
    Counts,
    /// The peering matrix: who receives how many prefixes from whom.
    Matrix,
    /// RPKI data: sources, caches, counts.
    Rpki,
    /// Members' IRR data: each set's source, age and size.
    Irr,
}

/// One RTR cache, as the daemon sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RtrCacheInfo {
    /// `host:port`.
    pub address: String,
    /// Lower is preferred.
    pub preference: u8,
    /// Connected and in sync.
    pub synced: bool,
    /// Full loads (Reset Query) so far.
    pub resets: u64,
    /// Incremental updates (Serial Query) so far.
    pub serial_updates: u64,
    /// VRPs in its set.
    pub vrps: u64,
    /// The cache whose data are in use.
    pub active: bool,
}

/// RPKI data in use.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RpkiStatus {
    /// RPKI is configured (`[rpki]`).
    pub enabled: bool,
    /// VRPs in use.
    pub vrps: u64,
    /// ASPA records in use.
    pub aspas: u64,
    /// Changes published since start.
    pub serial: u64,
    /// The JSON file source, if any.
    pub file: Option<String>,
    /// The RTR caches.
    pub caches: Vec<RtrCacheInfo>,
}

/// One member's IRR set.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IrrSetInfo {
    /// The AS-SET (or `file:PATH`).
    pub name: String,
    /// Where the data in use came from (`bgpq4 …`, a file), if any.
    pub source: Option<String>,
    /// Age of the data in use, in seconds.
    pub age_s: Option<u64>,
    /// IPv4 prefixes.
    pub prefixes_v4: u64,
    /// IPv6 prefixes.
    pub prefixes_v6: u64,
    /// Origin ASNs.
    pub origins: u64,
    /// Read from the cache at start.
    pub from_cache: bool,
    /// The last refresh error.
    pub last_error: Option<String>,
    /// Seconds until the next refresh.
    pub next_refresh_s: u64,
}

impl Request {
    /// True when the request only reads (the looking glass sends no other).
    pub fn is_read_only(&self) -> bool {
        !matches!(self, Request::Reload | Request::Shutdown { .. })
    }
}

/// One neighbor, as shown to operators.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NeighborInfo {
    /// Configured name.
    pub name: String,
    /// Address.
    pub address: String,
    /// ASN.
    pub asn: u32,
    /// FSM state (Idle, Connect, Active, OpenSent, OpenConfirm, Established).
    pub state: String,
    /// Seconds since the session was established.
    pub uptime_s: Option<u64>,
    /// The last state change, in words.
    pub last_transition: Option<String>,
    /// The last NOTIFICATION sent or received, in words.
    pub last_error: Option<String>,
    /// Negotiated address families.
    pub families: Vec<String>,
    /// UPDATE messages received.
    pub updates_received: u64,
    /// Hidden from the public looking glass.
    pub internal: bool,
}

/// RIB counters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RibCounters {
    /// Prefixes with at least one path.
    pub prefixes: u64,
    /// Paths held.
    pub paths: u64,
    /// Distinct attribute sets.
    pub attr_sets: u64,
    /// UPDATE messages queued to clients since start.
    pub messages_queued: u64,
    /// Of which encoded once and shared.
    pub messages_shared: u64,
}

/// What changed in a reload.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReloadSummary {
    /// Neighbors added.
    pub added: Vec<String>,
    /// Neighbors removed.
    pub removed: Vec<String>,
    /// Neighbors changed, with how the change was applied.
    pub changed: Vec<String>,
}

/// The daemon's answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reply", rename_all = "kebab-case")]
pub enum Reply {
    /// Answer to [`Request::Neighbors`].
    Neighbors {
        /// The neighbors.
        neighbors: Vec<NeighborInfo>,
    },
    /// Answer to [`Request::RibStats`].
    RibStats {
        /// The counters.
        counters: RibCounters,
    },
    /// Answer to [`Request::Reload`].
    Reloaded {
        /// What changed.
        summary: ReloadSummary,
    },
    /// Answer to [`Request::Status`].
    Status {
        /// The route server.
        status: ServerStatus,
    },
    /// Answer to [`Request::Routes`].
    Routes {
        /// The page.
        page: RoutePage,
    },
    /// Answer to [`Request::Lookup`].
    Lookup {
        /// The result.
        result: LookupResult,
    },
    /// Answer to [`Request::Counts`].
    Counts {
        /// Per neighbor, in address order.
        counts: Vec<RouteCounts>,
    },
    /// Answer to [`Request::Matrix`].
    Matrix {
        /// Cells with at least one prefix, in (client, source) address order.
        cells: Vec<MatrixCell>,
    },
    /// Answer to [`Request::Rpki`].
    Rpki {
        /// The RPKI data in use.
        status: RpkiStatus,
    },
    /// Answer to [`Request::Irr`].
    Irr {
        /// Every configured set, by name.
        sets: Vec<IrrSetInfo>,
    },
    /// The request was done.
    Ok,
    /// The request failed.
    Error {
        /// Why, in words.
        message: String,
    },
}

/// Errors talking to the daemon.
#[derive(Debug, thiserror::Error)]
pub enum ControlError {
    /// The socket could not be reached.
    #[error("cannot reach the daemon at {path}: {source} (is `condor serve` running?)")]
    Connect {
        /// Socket path.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Reading or writing failed.
    #[error("control socket I/O: {0}")]
    Io(#[from] std::io::Error),
    /// The answer was not understood.
    #[error("bad reply from the daemon: {0}")]
    Decode(#[from] serde_json::Error),
    /// The daemon closed the connection without answering.
    #[error("the daemon closed the connection without a reply")]
    NoReply,
}

/// Sends one request and waits for its reply.
pub async fn call(socket: &Path, request: &Request) -> Result<Reply, ControlError> {
    let stream = UnixStream::connect(socket)
        .await
        .map_err(|source| ControlError::Connect {
            path: socket.display().to_string(),
            source,
        })?;
    let (r, mut w) = stream.into_split();
    let mut line = serde_json::to_string(request)?;
    line.push('\n');
    w.write_all(line.as_bytes()).await?;
    let mut reader = BufReader::new(r);
    let mut answer = String::new();
    if reader.read_line(&mut answer).await? == 0 {
        return Err(ControlError::NoReply);
    }
    Ok(serde_json::from_str(&answer)?)
}

/// Something that answers control requests: the daemon's handler in the
/// same process, or [`SocketBackend`] over the control socket.
pub trait Backend: Send + Sync + 'static {
    /// Answers one request.
    fn call(&self, request: Request) -> Pin<Box<dyn Future<Output = Reply> + Send + '_>>;
}

/// A daemon reached over its control socket.
#[derive(Clone, Debug)]
pub struct SocketBackend {
    /// The socket path.
    pub socket: PathBuf,
}

impl Backend for SocketBackend {
    fn call(&self, request: Request) -> Pin<Box<dyn Future<Output = Reply> + Send + '_>> {
        Box::pin(async move {
            call(&self.socket, &request)
                .await
                .unwrap_or_else(|e| Reply::Error {
                    message: e.to_string(),
                })
        })
    }
}

/// Longest request line the daemon reads (anything longer is refused).
pub const MAX_REQUEST_LEN: usize = 64 * 1024;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_format_is_tagged_json() {
        let r = Request::Shutdown {
            message: "maintenance".into(),
        };
        let s = serde_json::to_string(&r).unwrap();
        assert_eq!(s, r#"{"request":"shutdown","message":"maintenance"}"#);
        assert_eq!(serde_json::from_str::<Request>(&s).unwrap(), r);
        assert_eq!(
            serde_json::to_string(&Request::Neighbors).unwrap(),
            r#"{"request":"neighbors"}"#
        );
        let e: Result<Request, _> = serde_json::from_str(r#"{"request":"format-disk"}"#);
        assert!(e.is_err());
    }
}
