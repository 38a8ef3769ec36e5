//! The handle the RIB holds: the current snapshot behind an `ArcSwap` (a
//! lock-free load on every route decision) and a broadcast channel of the
//! change each publication made.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use arc_swap::ArcSwap;
use tokio::sync::broadcast;

use crate::change::RpkiChange;
use crate::snapshot::RpkiSnapshot;

/// How many changes a slow subscriber may fall behind before it sees
/// `RecvError::Lagged` (and must then re-evaluate everything).
pub const CHANGE_BACKLOG: usize = 64;

/// The current RPKI data and its change feed. Cheap to share as `Arc<RpkiStore>`.
#[derive(Debug)]
pub struct RpkiStore {
    current: ArcSwap<RpkiSnapshot>,
    changes: broadcast::Sender<Arc<RpkiChange>>,
    serial: AtomicU64,
    // The latest set of each source (RTR, a file, …), merged on publication;
    // the lock also serialises publishers so that each change is computed
    // against the snapshot it replaces.
    parts: Mutex<BTreeMap<String, Arc<RpkiSnapshot>>>,
}

impl Default for RpkiStore {
    fn default() -> Self {
        RpkiStore::new()
    }
}

impl RpkiStore {
    /// A store holding the empty snapshot (everything NotFound/Unknown).
    pub fn new() -> RpkiStore {
        let (changes, _) = broadcast::channel(CHANGE_BACKLOG);
        RpkiStore {
            current: ArcSwap::from_pointee(RpkiSnapshot::empty()),
            changes,
            serial: AtomicU64::new(0),
            parts: Mutex::new(BTreeMap::new()),
        }
    }

    /// The current snapshot; keep the `Arc` for one decision pass, it stays
    /// valid (and unchanged) while newer ones are published.
    pub fn snapshot(&self) -> Arc<RpkiSnapshot> {
        self.current.load_full()
    }

    /// The serial of the current snapshot (0 before the first publication).
    pub fn serial(&self) -> u64 {
        self.serial.load(Ordering::Acquire)
    }

    /// Subscribes to the changes of every later publication, in order. A
    /// receiver more than [`CHANGE_BACKLOG`] changes behind gets
    /// `RecvError::Lagged`: it must then re-evaluate every route against
    /// [`RpkiStore::snapshot`] (serials tell how many it missed).
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<RpkiChange>> {
        self.changes.subscribe()
    }

    /// Replaces the whole data set (all sources) and announces what changed.
    /// A publication that changes nothing is dropped (returns `None`, serial
    /// unchanged).
    pub fn publish(&self, new: impl Into<Arc<RpkiSnapshot>>) -> Option<Arc<RpkiChange>> {
        let mut parts = self.parts.lock().unwrap_or_else(|p| p.into_inner());
        parts.clear();
        let new = new.into();
        parts.insert(String::new(), new.clone());
        self.swap(new)
    }

    /// Replaces the set of one source (say `"rtr"` for the caches and the
    /// file name for a JSON file): the published snapshot is the union of
    /// every source's latest set (VRPs united, ASPA provider sets merged per
    /// customer). Returns the change, `None` when nothing changed.
    pub fn publish_source(
        &self,
        source: &str,
        part: impl Into<Arc<RpkiSnapshot>>,
    ) -> Option<Arc<RpkiChange>> {
        let mut parts = self.parts.lock().unwrap_or_else(|p| p.into_inner());
        parts.insert(source.to_string(), part.into());
        let merged = if parts.len() == 1 {
            parts.values().next().cloned().unwrap_or_default()
        } else {
            Arc::new(RpkiSnapshot::new(
                parts.values().flat_map(|p| p.vrps().iter().copied()),
                parts.values().flat_map(|p| {
                    p.aspas()
                        .iter()
                        .map(|(c, prov)| crate::model::Aspa::new(*c, prov.clone()))
                }),
            ))
        };
        self.swap(merged)
    }

    /// Swaps in `new` (the parts lock held) and announces the change.
    fn swap(&self, new: Arc<RpkiSnapshot>) -> Option<Arc<RpkiChange>> {
        let old = self.current.load_full();
        let serial = self.serial.load(Ordering::Acquire) + 1;
        let change = RpkiChange::between(&old, &new, serial);
        if change.is_empty() {
            return None;
        }
        let change = Arc::new(change);
        self.current.store(new);
        self.serial.store(serial, Ordering::Release);
        // No subscriber is not an error.
        let _ = self.changes.send(change.clone());
        Some(change)
    }
}
