//! The RIB as a task: the single owner of the RIB, fed by a bounded channel.
//! It takes inputs in batches (all that is waiting, up to a bound), computes
//! the export once per batch, and keeps flushing backlogs between batches.

use crate::peer::{PeerId, PeerSpec};
use crate::query::{
    LookupQuery, LookupResult, PeerCounts, PeerRef, Query, QueryError, RoutesPage, RoutesQuery,
};
use crate::rib::{Rib, RibNotice, RibStats, RouteUpdate, Scope};
use condor_policy::{MemberImport, RpkiCheck};
use condor_wire::Family;
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

/// Inputs of the RIB task.
#[derive(Debug)]
pub enum RibInput {
    /// A session reached Established.
    PeerUp(PeerSpec),
    /// A session left Established; with `Some`, the peer announced graceful
    /// restart and its paths are kept as stale (RFC 4724 §4.2).
    PeerDown(PeerId, Option<GracefulDown>),
    /// Routes of one UPDATE.
    Routes(PeerId, RouteUpdate),
    /// The peer sent ROUTE-REFRESH for a family.
    RouteRefresh(PeerId, Family),
    /// Counters, for the CLI, metrics and benchmarks.
    Stats(oneshot::Sender<RibStats>),
    /// A read query (looking glass, CLI), answered in bounded chunks.
    Query(Query),
    /// New RPKI data: the paths in the scope are re-evaluated.
    SetRpki(RpkiData, Scope),
    /// A peer's new import policy (filters, IRR data): its paths are
    /// re-evaluated. Also sent for peers whose session is not up; ignored then
    /// (the policy is part of the next [`PeerSpec`]).
    SetImport(PeerId, Arc<MemberImport>),
    /// Re-evaluate the paths in the scope (e.g. after a reload changed the
    /// filters of every peer, sent after their `SetImport`s).
    Reevaluate(Scope),
}

/// RPKI data for the RIB (`None`: no RPKI, nothing validated).
#[derive(Clone)]
pub struct RpkiData(pub Option<Arc<dyn RpkiCheck>>);

impl std::fmt::Debug for RpkiData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "RpkiData(Some)"
        } else {
            "RpkiData(None)"
        })
    }
}

/// How long, and for which families, a restarting peer's paths are kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GracefulDown {
    /// The peer's Restart Time.
    pub restart_time: std::time::Duration,
    /// Families whose paths are kept.
    pub families: Vec<Family>,
}

/// Where one step of a resumable scan answers: the scan state and its result.
type ScanReply<S, R> = oneshot::Sender<(Box<S>, R)>;

/// Inputs the RIB's queue holds before senders wait (backpressure).
const INPUT_QUEUE: usize = 1024;

/// Inputs processed before the export of a batch is computed.
const MAX_BATCH: usize = 4096;

/// Handle to a running RIB task.
#[derive(Clone, Debug)]
pub struct RibHandle {
    /// Where inputs go (bounded: sessions wait when the RIB is busy).
    pub tx: mpsc::Sender<RibInput>,
    /// XON signals from session writers. Unbounded so that a writer never
    /// blocks and a signal is never lost; at most one per client is pending.
    pub xon: mpsc::UnboundedSender<PeerId>,
}

impl RibHandle {
    /// Current counters.
    pub async fn stats(&self) -> Option<RibStats> {
        let (tx, rx) = oneshot::channel();
        self.tx.send(RibInput::Stats(tx)).await.ok()?;
        rx.await.ok()
    }

    /// A page of a neighbor's routes; `None` when the RIB task is gone.
    pub async fn routes(&self, q: RoutesQuery) -> Option<Result<RoutesPage, QueryError>> {
        crate::query::page(self, q).await
    }

    /// A prefix lookup; `None` when the RIB task is gone.
    pub async fn lookup(&self, q: LookupQuery) -> Option<LookupResult> {
        let (tx, rx) = oneshot::channel();
        self.tx
            .send(RibInput::Query(Query::Lookup(q, tx)))
            .await
            .ok()?;
        rx.await.ok()
    }

    /// The peering matrix (cells with at least one prefix); `None` when the RIB task is gone.
    pub async fn matrix(&self) -> Option<Vec<crate::matrix::MatrixCell>> {
        self.scan(|s: &crate::matrix::MatrixScan| s.done, Query::Matrix)
            .await
    }

    /// Route counts of every neighbor that is up; `None` when the RIB task is gone.
    pub async fn counts(&self) -> Option<Vec<(PeerRef, PeerCounts)>> {
        self.scan(|s: &crate::query::CountScan| s.done, Query::Counts)
            .await
    }

    /// Runs a resumable whole-table scan to its end, one bounded step per
    /// request, so that BGP work interleaves with it.
    async fn scan<S: Default, R>(
        &self,
        done: fn(&S) -> bool,
        query: fn(Box<S>, ScanReply<S, R>) -> Query,
    ) -> Option<R> {
        let mut scan = Box::default();
        loop {
            let (tx, rx) = oneshot::channel();
            self.tx.send(RibInput::Query(query(scan, tx))).await.ok()?;
            let (s, result) = rx.await.ok()?;
            if done(&s) {
                return Some(result);
            }
            scan = s;
        }
    }
}

/// Starts the RIB task. Notices (e.g. max-prefix shutdowns) go to `notices`.
pub fn spawn(notices: mpsc::UnboundedSender<RibNotice>) -> RibHandle {
    // Decoded UPDATEs waiting for the RIB cost memory (an UPDATE of 1,000
    // prefixes is 28 KB decoded); beyond this many, sessions stop reading
    // and the routes wait in the kernel's socket buffers, undecoded.
    let (tx, rx) = mpsc::channel(INPUT_QUEUE);
    let (xon, xon_rx) = mpsc::unbounded_channel();
    tokio::spawn(run(rx, xon_rx, notices));
    RibHandle { tx, xon }
}

async fn run(
    mut rx: mpsc::Receiver<RibInput>,
    mut xon: mpsc::UnboundedReceiver<PeerId>,
    notices: mpsc::UnboundedSender<RibNotice>,
) {
    let mut rib = Rib::new();
    let mut backlog = false;
    loop {
        let first = if backlog {
            match rx.try_recv() {
                Ok(i) => Some(i),
                Err(mpsc::error::TryRecvError::Empty) => None,
                Err(mpsc::error::TryRecvError::Disconnected) => return,
            }
        } else {
            tokio::select! {
                i = rx.recv() => match i {
                    Some(i) => Some(i),
                    None => return,
                },
                // A client has room again: flush its backlog below.
                Some(_) = xon.recv() => None,
                // A restarting peer's stale paths are due.
                _ = async {
                    match rib.next_stale_deadline() {
                        Some(d) => tokio::time::sleep_until(d.into()).await,
                        None => std::future::pending().await,
                    }
                } => None,
            }
        };
        rib.expire_stale(std::time::Instant::now());
        while xon.try_recv().is_ok() {}
        if let Some(input) = first {
            apply(&mut rib, input);
            let mut n = 1;
            while n < MAX_BATCH && rib.pending_prefixes() < crate::rib::BATCH_PREFIXES {
                match rx.try_recv() {
                    Ok(i) => apply(&mut rib, i),
                    Err(_) => break,
                }
                n += 1;
            }
        }
        rib.end_batch();
        for n in rib.take_notices() {
            let _ = notices.send(n);
        }
        backlog = rib.flush_backlogs() || rib.removal_pending();
        if backlog {
            // Let sessions write before the next chunk.
            tokio::task::yield_now().await;
        }
    }
}

fn apply(rib: &mut Rib, input: RibInput) {
    match input {
        RibInput::PeerUp(spec) => rib.peer_up(spec),
        RibInput::PeerDown(id, None) => rib.peer_down(id),
        RibInput::PeerDown(id, Some(g)) => {
            rib.peer_down_graceful(id, g.restart_time, g.families, std::time::Instant::now())
        }
        RibInput::Routes(id, u) => rib.routes(id, u),
        RibInput::RouteRefresh(id, f) => rib.route_refresh(id, f),
        RibInput::Stats(tx) => {
            let _ = tx.send(rib.stats());
        }
        RibInput::Query(q) => {
            rib.settle();
            rib.answer_query(q)
        }
        RibInput::SetRpki(RpkiData(r), scope) => {
            rib.set_rpki(r, scope);
        }
        RibInput::SetImport(id, import) => {
            rib.set_import(id, import);
        }
        RibInput::Reevaluate(scope) => {
            rib.reevaluate(scope);
        }
    }
}
