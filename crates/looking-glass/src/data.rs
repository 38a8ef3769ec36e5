//! What the looking glass knows of the daemon, asked through the control
//! protocol: status, neighbors merged with their route counts (counts are
//! cached for a few seconds: a count walks the whole table), pages of
//! routes and lookups — with the public view applied: internal neighbors
//! and the routes they announced are left out.

use crate::Options;
use condor_control::{
    Backend, LookupRequest, LookupResult, MatrixCell, NeighborInfo, Reply, Request, RouteCounts,
    RoutePage, RouteView, RoutesRequest, ServerStatus,
};
use serde::Serialize;
use std::collections::HashSet;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Errors answering a request.
#[derive(Debug, thiserror::Error)]
pub enum LgError {
    /// The request is malformed.
    #[error("{0}")]
    BadRequest(String),
    /// No such (visible) neighbor.
    #[error("{0}")]
    NotFound(String),
    /// A wrong operator token.
    #[error("invalid operator token")]
    Unauthorized,
    /// The daemon failed or is unreachable.
    #[error("route server: {0}")]
    Backend(String),
}

/// A neighbor with its session and route counts, as the looking glass shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct NeighborView {
    /// Address on the peering LAN.
    pub address: String,
    /// ASN.
    pub asn: u32,
    /// Name.
    pub name: String,
    /// BGP session state.
    pub state: String,
    /// Seconds since the session came up.
    pub uptime_s: Option<u64>,
    /// Negotiated address families.
    pub families: Vec<String>,
    /// Paths received.
    pub received: u64,
    /// Accepted by import policy.
    pub accepted: u64,
    /// Rejected by import policy.
    pub filtered: u64,
    /// Prefixes it receives from the route server.
    pub exported: u64,
    /// Operator view only: hidden from the public view.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub internal: Option<bool>,
    /// Operator view only: the last NOTIFICATION, in words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    /// Operator view only: the last state change.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_transition: Option<String>,
    /// Operator view only: UPDATE messages received.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updates_received: Option<u64>,
}

type CountCache = Option<(Instant, Arc<Vec<RouteCounts>>)>;

pub(crate) struct Inner {
    pub backend: Arc<dyn Backend>,
    pub options: Options,
    counts: Mutex<CountCache>,
    matrix: tokio::sync::Mutex<Option<(Instant, Arc<Vec<MatrixCell>>)>>,
    /// Held by the one request recounting.
    recount: tokio::sync::Mutex<()>,
    status: Mutex<Option<(Instant, ServerStatus)>>,
}

impl Inner {
    pub fn new(backend: Arc<dyn Backend>, options: Options) -> Inner {
        Inner {
            backend,
            options,
            counts: Mutex::new(None),
            matrix: tokio::sync::Mutex::new(None),
            recount: tokio::sync::Mutex::new(()),
            status: Mutex::new(None),
        }
    }
}

async fn ask(lg: &crate::LookingGlass, req: Request) -> Result<Reply, LgError> {
    if !req.is_read_only() {
        return Err(LgError::BadRequest("read-only".into()));
    }
    match lg.inner.backend.call(req).await {
        Reply::Error { message } => Err(LgError::Backend(message)),
        r => Ok(r),
    }
}

fn unexpected(r: Reply) -> LgError {
    LgError::Backend(format!("unexpected reply {r:?}"))
}

impl crate::LookingGlass {
    /// The options.
    pub fn options(&self) -> &Options {
        &self.inner.options
    }

    /// True when `header` (the `Authorization` value) carries the operator token.
    pub fn is_operator(&self, header: Option<&str>) -> Result<bool, LgError> {
        let Some(h) = header else { return Ok(false) };
        let Some(token) = &self.inner.options.operator_token else {
            return Err(LgError::Unauthorized);
        };
        let given = h.strip_prefix("Bearer ").unwrap_or("").trim().as_bytes();
        let want = token.expose().as_bytes();
        // Compare in time independent of where the first difference is.
        let mut diff = given.len() ^ want.len();
        for (i, w) in want.iter().enumerate() {
            diff |= usize::from(given.get(i).copied().unwrap_or(0) ^ w);
        }
        if diff == 0 && !want.is_empty() {
            Ok(true)
        } else {
            Err(LgError::Unauthorized)
        }
    }

    /// The RPKI data in use; the public view does not show where they come
    /// from (cache addresses, file paths: the IXP's infrastructure).
    pub async fn rpki(&self, operator: bool) -> Result<condor_control::RpkiStatus, LgError> {
        match ask(self, Request::Rpki).await? {
            Reply::Rpki { mut status } => {
                if !operator {
                    status.file = status.file.map(|_| "file".into());
                    for (i, c) in status.caches.iter_mut().enumerate() {
                        c.address = format!("cache {}", i + 1);
                    }
                }
                Ok(status)
            }
            r => Err(unexpected(r)),
        }
    }

    /// Members' IRR sets; the public view shows AS-SET names but not the
    /// paths of operator-supplied files.
    pub async fn irr(&self, operator: bool) -> Result<Vec<condor_control::IrrSetInfo>, LgError> {
        match ask(self, Request::Irr).await? {
            Reply::Irr { mut sets } => {
                if !operator {
                    for s in &mut sets {
                        if s.name.starts_with("file:") {
                            s.name = "operator-supplied list".into();
                            s.source = Some("file".into());
                        }
                        s.last_error = s.last_error.as_ref().map(|_| "refresh failed".into());
                    }
                }
                Ok(sets)
            }
            r => Err(unexpected(r)),
        }
    }

    /// The route server (cached for a second).
    pub async fn status(&self) -> Result<ServerStatus, LgError> {
        if let Some((at, s)) = self
            .inner
            .status
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
        {
            if at.elapsed().as_secs() < 1 {
                return Ok(s);
            }
        }
        match ask(self, Request::Status).await? {
            Reply::Status { status } => {
                *self.inner.status.lock().unwrap_or_else(|e| e.into_inner()) =
                    Some((Instant::now(), status.clone()));
                Ok(status)
            }
            r => Err(unexpected(r)),
        }
    }

    async fn raw_neighbors(&self) -> Result<Vec<NeighborInfo>, LgError> {
        match ask(self, Request::Neighbors).await? {
            Reply::Neighbors { neighbors } => Ok(neighbors),
            r => Err(unexpected(r)),
        }
    }

    fn cached_counts(&self) -> CountCache {
        self.inner
            .counts
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Route counts, recounted when older than the TTL. One request
    /// recounts (a walk of the whole table); the others meanwhile get the
    /// previous counts rather than wait.
    async fn counts(&self) -> Result<Arc<Vec<RouteCounts>>, LgError> {
        let ttl = self.inner.options.counts_ttl;
        let cached = self.cached_counts();
        if let Some((at, c)) = &cached {
            if at.elapsed() < ttl {
                return Ok(c.clone());
            }
        }
        let _guard = match self.inner.recount.try_lock() {
            Ok(g) => g,
            Err(_) => match cached {
                Some((_, c)) => return Ok(c),
                None => self.inner.recount.lock().await,
            },
        };
        if let Some((at, c)) = self.cached_counts() {
            if at.elapsed() < ttl {
                return Ok(c);
            }
        }
        match ask(self, Request::Counts).await? {
            Reply::Counts { counts } => {
                let c = Arc::new(counts);
                *self.inner.counts.lock().unwrap_or_else(|e| e.into_inner()) =
                    Some((Instant::now(), c.clone()));
                Ok(c)
            }
            r => Err(unexpected(r)),
        }
    }

    /// Every neighbor the view may see, with its counts, in address order.
    pub async fn neighbors(&self, operator: bool) -> Result<Vec<NeighborView>, LgError> {
        let (ns, counts) = tokio::join!(self.raw_neighbors(), self.counts());
        let (ns, counts) = (ns?, counts?);
        let mut out: Vec<NeighborView> = ns
            .into_iter()
            .filter(|n| operator || !n.internal)
            .map(|n| {
                let c = counts.iter().find(|c| c.neighbor.address == n.address);
                NeighborView {
                    received: c.map_or(0, |c| c.received),
                    accepted: c.map_or(0, |c| c.accepted),
                    filtered: c.map_or(0, |c| c.filtered),
                    exported: c.map_or(0, |c| c.exported),
                    internal: operator.then_some(n.internal),
                    last_error: if operator { n.last_error.clone() } else { None },
                    last_transition: if operator {
                        n.last_transition.clone()
                    } else {
                        None
                    },
                    updates_received: operator.then_some(n.updates_received),
                    address: n.address,
                    asn: n.asn,
                    name: n.name,
                    state: n.state,
                    uptime_s: n.uptime_s,
                    families: n.families,
                }
            })
            .collect();
        out.sort_by_key(|n| n.address.parse::<IpAddr>().ok());
        Ok(out)
    }

    /// The peering matrix (cached like the counts), internal neighbors left
    /// out of the public view.
    pub async fn matrix(&self, operator: bool) -> Result<Vec<MatrixCell>, LgError> {
        let cells = {
            let mut cache = self.inner.matrix.lock().await;
            match cache.as_ref() {
                Some((at, c)) if at.elapsed() < self.inner.options.counts_ttl => c.clone(),
                _ => match ask(self, Request::Matrix).await? {
                    Reply::Matrix { cells } => {
                        let c = Arc::new(cells);
                        *cache = Some((Instant::now(), c.clone()));
                        c
                    }
                    r => return Err(unexpected(r)),
                },
            }
        };
        let hidden = self.hidden(operator).await?;
        Ok(cells
            .iter()
            .filter(|c| !hidden.contains(&c.client.address) && !hidden.contains(&c.source.address))
            .cloned()
            .collect())
    }

    /// Addresses of the internal neighbors (hidden from the public view).
    async fn hidden(&self, operator: bool) -> Result<HashSet<String>, LgError> {
        if operator {
            return Ok(HashSet::new());
        }
        Ok(self
            .raw_neighbors()
            .await?
            .into_iter()
            .filter(|n| n.internal)
            .map(|n| n.address)
            .collect())
    }

    /// One visible neighbor by address.
    pub async fn neighbor(&self, address: &str, operator: bool) -> Result<NeighborView, LgError> {
        let addr: IpAddr = address
            .parse()
            .map_err(|_| LgError::BadRequest(format!("{address:?} is not an address")))?;
        self.neighbors(operator)
            .await?
            .into_iter()
            .find(|n| n.address.parse::<IpAddr>().ok() == Some(addr))
            .ok_or_else(|| LgError::NotFound(format!("no neighbor {addr}")))
    }

    /// A page of a visible neighbor's routes.
    #[allow(clippy::too_many_arguments)]
    pub async fn routes(
        &self,
        address: &str,
        view: RouteView,
        family: Option<String>,
        within: Option<String>,
        after: Option<String>,
        limit: Option<u32>,
        operator: bool,
    ) -> Result<RoutePage, LgError> {
        let n = self.neighbor(address, operator).await?;
        for (what, v) in [("within", &within), ("after", &after)] {
            if let Some(v) = v {
                if v.parse::<condor_wire::Prefix>().is_err() {
                    return Err(LgError::BadRequest(format!(
                        "{what}: {v:?} is not a prefix"
                    )));
                }
            }
        }
        if let Some(f) = &family {
            if f != "ipv4" && f != "ipv6" {
                return Err(LgError::BadRequest(format!("family: {f:?} (ipv4 or ipv6)")));
            }
        }
        let max = self
            .inner
            .options
            .max_page
            .min(condor_control::query::MAX_PAGE);
        let req = Request::Routes(RoutesRequest {
            neighbor: n.address,
            view,
            family,
            within,
            after,
            limit: limit.unwrap_or(max).clamp(1, max),
        });
        let mut page = match ask(self, req).await? {
            Reply::Routes { page } => page,
            r => return Err(unexpected(r)),
        };
        let hidden = self.hidden(operator).await?;
        if !hidden.is_empty() {
            page.routes
                .retain(|r| r.from.as_ref().is_none_or(|f| !hidden.contains(&f.address)));
        }
        Ok(page)
    }

    /// A lookup; `client` asks which path that neighbor receives.
    pub async fn lookup(
        &self,
        target: &str,
        exact: bool,
        client: Option<String>,
        operator: bool,
    ) -> Result<LookupResult, LgError> {
        let t = target.trim();
        if t.parse::<condor_wire::Prefix>().is_err() && t.parse::<IpAddr>().is_err() {
            return Err(LgError::BadRequest(format!(
                "{target:?} is neither a prefix nor an address"
            )));
        }
        if let Some(c) = &client {
            self.neighbor(c, operator).await?;
        }
        let req = Request::Lookup(LookupRequest {
            target: t.to_string(),
            exact,
            client,
        });
        let mut result = match ask(self, req).await? {
            Reply::Lookup { result } => result,
            r => return Err(unexpected(r)),
        };
        let hidden = self.hidden(operator).await?;
        if !hidden.is_empty() {
            result
                .candidates
                .retain(|r| r.from.as_ref().is_none_or(|f| !hidden.contains(&f.address)));
        }
        Ok(result)
    }
}
