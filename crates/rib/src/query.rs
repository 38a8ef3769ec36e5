//! Read queries on the RIB for the looking glass and the CLI: a neighbor's
//! routes (received, accepted, filtered with the import verdict, exported —
//! what the client receives, its RFC 7947 §2.3.2 per-client best path),
//! a prefix lookup (exact or longest match) with every candidate, and the
//! counts per neighbor.
//!
//! The RIB task answers queries between batches of BGP work, and each
//! answer examines a bounded number of prefixes (a *chunk*): a long scan is
//! a sequence of chunks, each resuming after the last prefix examined, so a
//! reader never holds the RIB for long. [`crate::RibHandle`] chains the
//! chunks. A scan sees the table as it is when each chunk runs: a page or a
//! count is not a snapshot of one instant, which a looking glass can live
//! with.

use crate::path::{best, Path};
use crate::peer::{PeerId, PeerSpec};
use crate::rib::Rib;
use condor_wire::{Asn, Family, Prefix};
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::ops::Bound;
use tokio::sync::oneshot;

/// Prefixes examined per chunk.
pub const CHUNK_PREFIXES: usize = 20_000;

/// Chunks one page may take: a sparse view (a few filtered routes in a
/// large table) ends its page early, with a cursor, rather than walking
/// the whole table in one request.
pub const MAX_CHUNKS_PER_PAGE: usize = 10;

/// Largest page of routes a query returns.
pub const MAX_PAGE: usize = 1000;

/// Which routes of a neighbor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RouteView {
    /// Every path the neighbor sent (its Adj-RIB-In).
    Received,
    /// Of those, the ones import policy accepted.
    Accepted,
    /// Of those, the ones import policy rejected (kept with the reasons).
    Filtered,
    /// What the neighbor receives from the route server: its per-client
    /// best path of each prefix.
    Exported,
}

/// A page of a neighbor's routes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoutesQuery {
    /// The neighbor's address.
    pub neighbor: IpAddr,
    /// Which routes.
    pub view: RouteView,
    /// Only this family.
    pub family: Option<Family>,
    /// Only prefixes contained in this one (itself included).
    pub within: Option<Prefix>,
    /// Resume after this prefix (the previous page's `next`).
    pub after: Option<Prefix>,
    /// At most this many routes (capped at [`MAX_PAGE`]); a prefix's paths
    /// are never split across pages, so a page may hold a few more.
    pub limit: usize,
}

/// A peer, as queries name it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PeerRef {
    /// Process-wide id.
    pub id: PeerId,
    /// Configured name.
    pub name: String,
    /// ASN.
    pub asn: Asn,
    /// Address.
    pub addr: IpAddr,
}

impl PeerRef {
    fn of(s: &PeerSpec) -> PeerRef {
        PeerRef {
            id: s.id,
            name: s.name.clone(),
            asn: s.asn,
            addr: s.addr,
        }
    }
}

/// One route of a page.
#[derive(Clone, Debug)]
pub struct RouteEntry {
    /// The prefix.
    pub prefix: Prefix,
    /// The path.
    pub path: Path,
    /// The peer it came from (`None`: its session is gone since).
    pub from: Option<PeerRef>,
    /// The path is the overall best of the prefix.
    pub best: bool,
}

/// Why a chunk stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChunkEnd {
    /// The page is full.
    Limit,
    /// The chunk's budget of prefixes is spent; the page may go on.
    Budget,
    /// Nothing is left in the range.
    End,
}

/// The answer to one chunk of a [`RoutesQuery`].
#[derive(Clone, Debug)]
pub struct RoutesChunk {
    /// Routes found, in prefix order.
    pub routes: Vec<RouteEntry>,
    /// The last prefix examined: where the next chunk or page resumes.
    pub last: Option<Prefix>,
    /// Why the chunk stopped.
    pub end: ChunkEnd,
}

/// A page of routes, chunks chained (at most [`MAX_CHUNKS_PER_PAGE`]).
#[derive(Clone, Debug)]
pub struct RoutesPage {
    /// Routes, in prefix order. Fewer than asked when the page ended on
    /// its budget: `next` then says where to go on.
    pub routes: Vec<RouteEntry>,
    /// The cursor of the next page, `None` when this page is the last.
    pub next: Option<Prefix>,
}

/// A prefix lookup.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LookupQuery {
    /// The prefix (an address is a /32 or /128).
    pub prefix: Prefix,
    /// Longest match: the most specific prefix in the table covering
    /// `prefix`; otherwise `prefix` itself only.
    pub longest: bool,
    /// Also say which path this client receives.
    pub client: Option<IpAddr>,
}

/// One candidate of a lookup.
#[derive(Clone, Debug)]
pub struct Candidate {
    /// The path.
    pub path: Path,
    /// The peer it came from (`None`: its session is gone since).
    pub from: Option<PeerRef>,
    /// The overall best.
    pub best: bool,
    /// What the queried client receives.
    pub for_client: bool,
}

/// The answer to a lookup.
#[derive(Clone, Debug)]
pub struct LookupResult {
    /// The matched prefix (`None`: nothing matched).
    pub prefix: Option<Prefix>,
    /// Every candidate, in the table's order.
    pub candidates: Vec<Candidate>,
    /// The queried client, when it is up.
    pub client: Option<PeerRef>,
}

/// Route counts of one neighbor.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PeerCounts {
    /// Paths received.
    pub received: u64,
    /// Of which accepted.
    pub accepted: u64,
    /// Of which filtered.
    pub filtered: u64,
    /// Prefixes it receives from the route server.
    pub exported: u64,
}

/// A resumable count of every neighbor's routes, carried from chunk to chunk.
#[derive(Clone, Debug, Default)]
pub struct CountScan {
    /// Where the next chunk starts (after this prefix).
    pub after: Option<Prefix>,
    /// The table has been walked to its end.
    pub done: bool,
    counts: HashMap<PeerId, PeerCounts>,
    /// Prefixes of each family (IPv4, IPv6) every client of the family receives…
    all: [u64; 2],
    /// …except these, per client.
    minus: HashMap<PeerId, u64>,
}

impl CountScan {
    /// The counts of every peer that is up, once `done`.
    pub fn result(&self, rib: &Rib) -> Vec<(PeerRef, PeerCounts)> {
        let mut out: Vec<_> = rib
            .peer_specs()
            .map(|s| {
                let mut c = self.counts.get(&s.id).cloned().unwrap_or_default();
                let all: u64 = s
                    .families
                    .iter()
                    .filter_map(|f| fam_slot(*f))
                    .map(|i| self.all[i])
                    .sum();
                c.exported += all.saturating_sub(self.minus.get(&s.id).copied().unwrap_or(0));
                (PeerRef::of(s), c)
            })
            .collect();
        out.sort_by_key(|(p, _)| p.addr);
        out
    }
}

/// Counts per neighbor, in address order.
pub type NeighborCounts = Vec<(PeerRef, PeerCounts)>;

/// Errors of a query.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    /// No session with this neighbor is up.
    #[error("no session with {0} is established")]
    NotUp(IpAddr),
}

/// A query, with where its answer goes.
#[derive(Debug)]
pub enum Query {
    /// One chunk of a page of routes.
    Routes(
        RoutesQuery,
        oneshot::Sender<Result<RoutesChunk, QueryError>>,
    ),
    /// A prefix lookup.
    Lookup(LookupQuery, oneshot::Sender<LookupResult>),
    /// One chunk of the peering matrix.
    Matrix(
        Box<crate::matrix::MatrixScan>,
        oneshot::Sender<(
            Box<crate::matrix::MatrixScan>,
            Vec<crate::matrix::MatrixCell>,
        )>,
    ),
    /// One chunk of the counts.
    Counts(
        Box<CountScan>,
        oneshot::Sender<(Box<CountScan>, NeighborCounts)>,
    ),
}

fn fam_slot(f: Family) -> Option<usize> {
    if f == Family::IPV4_UNICAST {
        Some(0)
    } else if f == Family::IPV6_UNICAST {
        Some(1)
    } else {
        None
    }
}

fn fam_index(p: &Prefix) -> usize {
    usize::from(!p.is_ipv4())
}

fn family_of(p: &Prefix) -> Family {
    if p.is_ipv4() {
        Family::IPV4_UNICAST
    } else {
        Family::IPV6_UNICAST
    }
}

/// The last address of a prefix.
fn last_addr(p: &Prefix) -> IpAddr {
    match *p {
        Prefix::V4(a, l) => {
            let host = if l == 0 { u32::MAX } else { u32::MAX >> l };
            IpAddr::V4(Ipv4Addr::from(u32::from(a) | host))
        }
        Prefix::V6(a, l) => {
            let host = if l == 0 { u128::MAX } else { u128::MAX >> l };
            IpAddr::V6(Ipv6Addr::from(u128::from(a) | host))
        }
    }
}

impl Rib {
    /// Answers a query (called by the RIB task between batches).
    pub fn answer_query(&self, q: Query) {
        match q {
            Query::Routes(q, tx) => {
                let _ = tx.send(self.routes_chunk(&q, CHUNK_PREFIXES));
            }
            Query::Lookup(q, tx) => {
                let _ = tx.send(self.lookup(&q));
            }
            Query::Matrix(mut scan, tx) => {
                self.matrix_chunk(&mut scan, CHUNK_PREFIXES);
                let result = if scan.done {
                    scan.result(self)
                } else {
                    Vec::new()
                };
                let _ = tx.send((scan, result));
            }
            Query::Counts(mut scan, tx) => {
                self.count_chunk(&mut scan, CHUNK_PREFIXES);
                let result = if scan.done {
                    scan.result(self)
                } else {
                    Vec::new()
                };
                let _ = tx.send((scan, result));
            }
        }
    }

    fn peer_ref(&self, id: PeerId) -> Option<PeerRef> {
        self.peer_specs().find(|s| s.id == id).map(PeerRef::of)
    }

    /// One chunk of a page of routes, examining at most `budget` prefixes.
    pub fn routes_chunk(&self, q: &RoutesQuery, budget: usize) -> Result<RoutesChunk, QueryError> {
        let spec = self
            .peer_specs()
            .find(|s| s.addr == q.neighbor)
            .ok_or(QueryError::NotUp(q.neighbor))?;
        let limit = q.limit.clamp(1, MAX_PAGE);
        let mut start = match q.after {
            Some(a) => Bound::Excluded(a),
            None => Bound::Unbounded,
        };
        let mut floor = q.within;
        if floor.is_none() && q.family == Some(Family::IPV6_UNICAST) {
            floor = Some(Prefix::V6(Ipv6Addr::UNSPECIFIED, 0));
        }
        if let Some(f) = floor {
            if q.after.is_none_or(|a| a < f) {
                start = Bound::Included(f);
            }
        }
        let end_addr = q.within.as_ref().map(last_addr);
        let mut chunk = RoutesChunk {
            routes: Vec::new(),
            last: None,
            end: ChunkEnd::End,
        };
        let mut seen = 0;
        let names: HashMap<PeerId, PeerRef> = if q.view == RouteView::Exported {
            self.peer_specs().map(|s| (s.id, PeerRef::of(s))).collect()
        } else {
            HashMap::new()
        };
        for (ref prefix, paths) in self.table().range(start.as_ref(), Bound::Unbounded) {
            if seen == budget {
                chunk.end = ChunkEnd::Budget;
                return Ok(chunk);
            }
            if let Some(w) = &q.within {
                if !w.contains(prefix) {
                    if end_addr
                        .is_some_and(|e| prefix.is_ipv4() != e.is_ipv4() || prefix.addr() > e)
                    {
                        break;
                    }
                    continue;
                }
            }
            if let Some(f) = q.family {
                if family_of(prefix) != f {
                    if f == Family::IPV4_UNICAST {
                        break;
                    }
                    continue;
                }
            }
            seen += 1;
            chunk.last = Some(*prefix);
            let overall = best(paths, |_| true);
            let is_best = |p: &Path| overall.is_some_and(|b| std::ptr::eq(b, p));
            match q.view {
                RouteView::Exported => {
                    if !spec.families.contains(&family_of(prefix)) {
                        continue;
                    }
                    let answer = best(paths, |p| p.peer != spec.id && p.allows(spec.asn));
                    if let Some(p) = answer {
                        chunk.routes.push(RouteEntry {
                            prefix: *prefix,
                            path: p.clone(),
                            from: names.get(&p.peer).cloned(),
                            best: is_best(p),
                        });
                    }
                }
                view => {
                    for p in paths.iter().filter(|p| p.peer == spec.id) {
                        let keep = match view {
                            RouteView::Accepted => p.verdict.is_accepted(),
                            RouteView::Filtered => !p.verdict.is_accepted(),
                            _ => true,
                        };
                        if keep {
                            chunk.routes.push(RouteEntry {
                                prefix: *prefix,
                                path: p.clone(),
                                from: Some(PeerRef::of(spec)),
                                best: is_best(p),
                            });
                        }
                    }
                }
            }
            if chunk.routes.len() >= limit {
                chunk.end = ChunkEnd::Limit;
                return Ok(chunk);
            }
        }
        chunk.end = ChunkEnd::End;
        Ok(chunk)
    }

    /// Looks a prefix up, exactly or by longest match.
    pub fn lookup(&self, q: &LookupQuery) -> LookupResult {
        let client = q
            .client
            .and_then(|a| self.peer_specs().find(|s| s.addr == a))
            .map(|s| (s.id, s.asn, PeerRef::of(s)));
        let found = if q.longest {
            (0..=q.prefix.len()).rev().find_map(|len| {
                let p = Prefix::new(q.prefix.addr(), len).ok()?;
                self.table().get(&p).map(|v| (p, v))
            })
        } else {
            self.table().get(&q.prefix).map(|v| (q.prefix, v))
        };
        let Some((prefix, paths)) = found else {
            return LookupResult {
                prefix: None,
                candidates: Vec::new(),
                client: client.map(|c| c.2),
            };
        };
        let overall = best(paths, |_| true);
        let answer = client
            .as_ref()
            .and_then(|(id, asn, _)| best(paths, |p| p.peer != *id && p.allows(*asn)));
        let candidates = paths
            .iter()
            .map(|p| Candidate {
                path: p.clone(),
                from: self.peer_ref(p.peer),
                best: overall.is_some_and(|b| std::ptr::eq(b, p)),
                for_client: answer.is_some_and(|b| std::ptr::eq(b, p)),
            })
            .collect();
        LookupResult {
            prefix: Some(prefix),
            candidates,
            client: client.map(|c| c.2),
        }
    }

    /// Counts at most `budget` prefixes more into `scan`.
    pub fn count_chunk(&self, scan: &mut CountScan, budget: usize) {
        let start = match scan.after {
            Some(a) => Bound::Excluded(a),
            None => Bound::Unbounded,
        };
        let clients = self.client_families();
        for (seen, (ref prefix, paths)) in self
            .table()
            .range(start.as_ref(), Bound::Unbounded)
            .enumerate()
        {
            if seen == budget {
                return;
            }
            scan.after = Some(*prefix);
            let fi = fam_index(prefix);
            // Peers whose accepted path any client may receive.
            let mut open: Option<PeerId> = None;
            let mut open_many = false;
            for p in paths {
                let c = scan.counts.entry(p.peer).or_default();
                c.received += 1;
                if p.verdict.is_accepted() {
                    c.accepted += 1;
                    if p.export().is_none_or(|e| e.is_unrestricted()) {
                        match open {
                            Some(o) if o != p.peer => open_many = true,
                            None => open = Some(p.peer),
                            _ => {}
                        }
                    }
                } else {
                    c.filtered += 1;
                }
            }
            let receives = |id: PeerId, asn: Asn| {
                paths
                    .iter()
                    .any(|p| p.verdict.is_accepted() && p.peer != id && p.allows(asn))
            };
            match open {
                // Two open paths from different peers: every client gets one.
                Some(_) if open_many => scan.all[fi] += 1,
                // One open peer: every client but that peer gets it.
                Some(o) => {
                    scan.all[fi] += 1;
                    if let Some((id, asn, wants)) = clients.iter().find(|c| c.0 == o) {
                        if wants[fi] && !receives(*id, *asn) {
                            *scan.minus.entry(*id).or_default() += 1;
                        }
                    }
                }
                // Only restricted paths (or none accepted): client by client.
                None => {
                    if paths.iter().any(|p| p.verdict.is_accepted()) {
                        for (id, asn, wants) in &clients {
                            if wants[fi] && receives(*id, *asn) {
                                scan.counts.entry(*id).or_default().exported += 1;
                            }
                        }
                    }
                }
            }
        }
        scan.done = true;
    }
}

/// Chains the chunks of a page of routes.
pub(crate) async fn page(
    rib: &crate::RibHandle,
    mut q: RoutesQuery,
) -> Option<Result<RoutesPage, QueryError>> {
    let limit = q.limit.clamp(1, MAX_PAGE);
    let mut routes = Vec::new();
    for _ in 0..MAX_CHUNKS_PER_PAGE {
        let (tx, rx) = oneshot::channel();
        rib.tx
            .send(crate::RibInput::Query(Query::Routes(q.clone(), tx)))
            .await
            .ok()?;
        let chunk = match rx.await.ok()? {
            Ok(c) => c,
            Err(e) => return Some(Err(e)),
        };
        routes.extend(chunk.routes);
        match chunk.end {
            ChunkEnd::End => return Some(Ok(RoutesPage { routes, next: None })),
            ChunkEnd::Limit => {
                return Some(Ok(RoutesPage {
                    routes,
                    next: chunk.last,
                }))
            }
            ChunkEnd::Budget => {
                q.after = chunk.last.or(q.after);
                q.limit = limit - routes.len();
            }
        }
    }
    Some(Ok(RoutesPage {
        routes,
        next: q.after,
    }))
}

#[cfg(test)]
#[path = "query_tests.rs"]
mod tests;
