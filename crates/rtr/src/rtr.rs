//! The RTR client side (RFC 8210; v0 RFC 6810 and v2 draft-ietf-sidrops-8210bis
//! by version negotiation, §7): one task per configured cache keeps that
//! cache's data set current (reset query, then serial queries on Serial Notify
//! or at the refresh interval, reconnecting after the retry interval), and one
//! coordinator publishes the set of the most preferred cache that is in sync
//! (RFC 8210 §10: lower preference value first).
//!
//! When every cache is lost, the last published set is kept until the earlier
//! of `expiry` after the loss and the cache's own expire interval after its
//! last successful update (RFC 8210 §6), then the empty set is published:
//! routes become NotFound/Unknown, never all Invalid.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use rpki::rtr::client::Client;
use rpki::rtr::{State, Timing};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::{sleep, sleep_until, timeout, Instant};

use crate::rtr_target::{CacheData, Event};
use crate::snapshot::RpkiSnapshot;
use crate::store::RpkiStore;

/// The source name the RTR client publishes under (see [`RpkiStore::publish_source`]).
pub const RTR_SOURCE: &str = "rtr";

/// The default of [`RtrConfig::expiry`]: two hours.
pub const DEFAULT_EXPIRY: Duration = Duration::from_secs(2 * 3600);

/// One RTR cache to connect to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CacheConfig {
    /// `host:port` of the cache (plain TCP, RFC 8210 §9.1).
    pub address: String,
    /// Lower values are preferred (RFC 8210 §10).
    pub preference: u8,
}

/// The RTR client configuration.
#[derive(Clone, Debug)]
pub struct RtrConfig {
    /// The caches; the same preference keeps their configured order.
    pub caches: Vec<CacheConfig>,
    /// How long the last set is kept after every cache is lost (also bounded
    /// by the cache's expire interval).
    pub expiry: Duration,
    /// The RTR version offered first; the client falls back to what the
    /// cache supports (→ 1 → 0). Default 1 (RFC 8210). Version 2 carries
    /// ASPA, but its PDU changed between drafts: the `rpki` crate speaks a
    /// later draft than StayRTR 0.5 (draft-ietf-sidrops-8210bis-10), whose
    /// ASPA PDUs it would misread, so 2 is only for caches known to match.
    pub initial_version: u8,
    /// Bound on one TCP connection attempt.
    pub connect_timeout: Duration,
    /// Upper bound on the wait before reconnecting to a cache (the cache's
    /// retry interval applies when shorter).
    pub reconnect_max: Duration,
}

impl Default for RtrConfig {
    fn default() -> Self {
        RtrConfig {
            caches: Vec::new(),
            expiry: DEFAULT_EXPIRY,
            initial_version: 1,
            connect_timeout: Duration::from_secs(5),
            reconnect_max: Duration::from_secs(60),
        }
    }
}

/// What the client knows about one cache, for status displays and tests.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CacheState {
    /// `host:port` of the cache.
    pub address: String,
    /// Its preference (lower first).
    pub preference: u8,
    /// Connected and in sync (its set may be published).
    pub synced: bool,
    /// Full loads (Reset Query answers) so far.
    pub resets: u64,
    /// Incremental updates (Serial Query answers) so far.
    pub serial_updates: u64,
    /// VRPs in its current set.
    pub vrps: usize,
}

/// The client's shared status: the cache in use and each cache's state.
#[derive(Debug, Default)]
struct Status {
    active: Option<usize>,
    caches: Vec<CacheState>,
}

/// The running RTR client; dropping it stops every task.
#[derive(Debug)]
pub struct RtrHandle {
    tasks: Vec<JoinHandle<()>>,
    status: Arc<Mutex<Status>>,
}

impl RtrHandle {
    /// The address of the cache whose set is published now, if any.
    pub fn active_cache(&self) -> Option<String> {
        let st = self.status.lock().unwrap_or_else(|p| p.into_inner());
        st.active.map(|i| st.caches[i].address.clone())
    }

    /// The state of every cache, most preferred first.
    pub fn caches(&self) -> Vec<CacheState> {
        self.status
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .caches
            .clone()
    }
}

impl Drop for RtrHandle {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

/// Starts the RTR client: publishes into `store` from now on. Needs a Tokio runtime.
pub fn spawn_rtr(config: RtrConfig, store: Arc<RpkiStore>) -> RtrHandle {
    let mut caches = config.caches.clone();
    caches.sort_by_key(|c| c.preference); // stable: ties keep their order
    let (tx, rx) = mpsc::unbounded_channel();
    let mut tasks = Vec::new();
    for (idx, cache) in caches.iter().enumerate() {
        tasks.push(tokio::spawn(cache_task(
            idx,
            cache.address.clone(),
            config.clone(),
            tx.clone(),
        )));
    }
    let status = Arc::new(Mutex::new(Status {
        active: None,
        caches: caches
            .iter()
            .map(|c| CacheState {
                address: c.address.clone(),
                preference: c.preference,
                synced: false,
                resets: 0,
                serial_updates: 0,
                vrps: 0,
            })
            .collect(),
    }));
    tasks.push(tokio::spawn(coordinator(
        caches,
        config.expiry,
        store,
        rx,
        status.clone(),
    )));
    RtrHandle { tasks, status }
}

/// Keeps one cache's data set current, forever.
async fn cache_task(
    idx: usize,
    address: String,
    config: RtrConfig,
    tx: mpsc::UnboundedSender<Event>,
) {
    let mut data = Some(CacheData::new(idx, tx));
    let mut state: Option<State> = None;
    let mut timing = Timing::default();
    loop {
        match timeout(config.connect_timeout, TcpStream::connect(&address)).await {
            Ok(Ok(sock)) => {
                // Always put back after the previous session.
                let Some(target) = data.take() else { return };
                let applied_before = target.applied();
                let mut client =
                    Client::with_initial_version(config.initial_version, sock, target, state);
                let err = loop {
                    if let Err(e) = client.step().await {
                        break e;
                    }
                };
                tracing::warn!(cache = %address, error = %err, "RTR session ended");
                state = client.state();
                let target = client.into_target();
                if target.applied() == applied_before {
                    // Nothing came through on this connection: the cache may
                    // not know our session (it restarted, or it is another
                    // instance on the same address) and keep refusing our
                    // Serial Query. Start over with a Reset Query.
                    state = None;
                }
                timing = target.timing();
                data = Some(target);
            }
            Ok(Err(e)) => tracing::debug!(cache = %address, error = %e, "RTR connect failed"),
            Err(_) => tracing::debug!(cache = %address, "RTR connect timed out"),
        }
        if let Some(d) = &data {
            d.report_down();
        }
        let wait = Duration::from_secs(u64::from(timing.retry.max(1))).min(config.reconnect_max);
        sleep(wait).await;
    }
}

/// Per-cache view of the coordinator.
struct CacheStatus {
    address: String,
    synced: Option<Arc<RpkiSnapshot>>,
    last_ok: Instant,
    timing: Timing,
}

/// Publishes the set of the most preferred synced cache; handles the loss of all.
async fn coordinator(
    caches: Vec<CacheConfig>,
    expiry: Duration,
    store: Arc<RpkiStore>,
    mut rx: mpsc::UnboundedReceiver<Event>,
    shared: Arc<Mutex<Status>>,
) {
    let mut status: Vec<CacheStatus> = caches
        .iter()
        .map(|c| CacheStatus {
            address: c.address.clone(),
            synced: None,
            last_ok: Instant::now(),
            timing: Timing::default(),
        })
        .collect();
    // The cache whose set is published, and when the set must be dropped
    // once no cache is left.
    let mut current: Option<usize> = None;
    let mut hold_until: Option<Instant> = None;
    loop {
        let event = tokio::select! {
            ev = rx.recv() => match ev {
                Some(e) => e,
                None => return,
            },
            _ = sleep_until(hold_until.unwrap_or_else(Instant::now)), if hold_until.is_some() => {
                tracing::warn!("every RTR cache lost past the expiry: RPKI data dropped");
                store.publish_source(RTR_SOURCE, RpkiSnapshot::empty());
                hold_until = None;
                current = None;
                continue;
            }
        };
        match event {
            Event::Synced(s) => {
                {
                    let mut sh = shared.lock().unwrap_or_else(|p| p.into_inner());
                    let c = &mut sh.caches[s.idx];
                    c.synced = true;
                    c.vrps = s.snapshot.vrps().len();
                    if s.reset {
                        c.resets += 1
                    } else {
                        c.serial_updates += 1
                    }
                }
                let st = &mut status[s.idx];
                st.synced = Some(s.snapshot);
                st.last_ok = Instant::now();
                st.timing = s.timing;
            }
            Event::Down(idx) => {
                status[idx].synced = None;
                shared.lock().unwrap_or_else(|p| p.into_inner()).caches[idx].synced = false;
            }
        }
        match status.iter().position(|s| s.synced.is_some()) {
            Some(best) => {
                hold_until = None;
                if current != Some(best) {
                    tracing::info!(cache = %status[best].address, "RTR cache in use");
                }
                current = Some(best);
                if let Some(snap) = &status[best].synced {
                    store.publish_source(RTR_SOURCE, snap.clone());
                }
                shared.lock().unwrap_or_else(|p| p.into_inner()).active = Some(best);
            }
            None => {
                if let (Some(c), None) = (current, hold_until) {
                    let st = &status[c];
                    let by_cache = st.last_ok + Duration::from_secs(u64::from(st.timing.expire));
                    let until = (Instant::now() + expiry).min(by_cache);
                    tracing::warn!(
                        ?expiry,
                        "every RTR cache lost: keeping the last set until expiry"
                    );
                    hold_until = Some(until);
                }
                shared.lock().unwrap_or_else(|p| p.into_inner()).active = None;
            }
        }
    }
}
