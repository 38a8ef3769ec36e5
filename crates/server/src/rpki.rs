//! RPKI for import policy: the sources of `[rpki]` (RTR caches with
//! failover and expiry, a JSON file) publish into one
//! [`RpkiStore`]; every change reaches the RIB as a new snapshot with the
//! scope to re-evaluate — only the prefixes covered by the VRPs that changed
//! (all paths when ASPA records changed, or when the feed lagged) — so RPKI
//! changes take effect with no session reset and no route refresh.

use condor_config::RpkiSettings;
use condor_policy::{Aspa, Rov, RpkiCheck};
use condor_rib::{RibHandle, RibInput, RpkiData, Scope};
use condor_rtr::{
    spawn_file_source, spawn_rtr, AspaState, CacheConfig, FileSource, PathForAspa, RovState,
    RpkiSnapshot, RpkiStore, RtrConfig, RtrHandle,
};
use condor_wire::{Asn, Prefix};
use std::sync::Arc;
use tokio::sync::broadcast::error::RecvError;

/// The policy's view of one RPKI snapshot.
struct View(Arc<RpkiSnapshot>);

impl RpkiCheck for View {
    fn rov(&self, prefix: &Prefix, origin: Option<Asn>) -> Rov {
        match self.0.rov(prefix, origin) {
            RovState::Valid => Rov::Valid,
            RovState::Invalid => Rov::Invalid,
            RovState::NotFound => Rov::NotFound,
        }
    }

    fn aspa(&self, path: &[Asn], neighbor: Asn) -> Aspa {
        if self.0.aspas().is_empty() {
            return Aspa::NotChecked;
        }
        match self
            .0
            .aspa_upstream(&PathForAspa::from_sequence(path), neighbor)
        {
            AspaState::Valid => Aspa::Valid,
            AspaState::Invalid => Aspa::Invalid,
            AspaState::Unknown => Aspa::Unknown,
        }
    }
}

fn data(store: &RpkiStore) -> RpkiData {
    RpkiData(Some(Arc::new(View(store.snapshot()))))
}

/// The running RPKI sources; dropping it stops them.
pub(crate) struct RpkiService {
    store: Arc<RpkiStore>,
    rtr: Option<RtrHandle>,
    _file: Option<FileSource>,
    file_path: Option<std::path::PathBuf>,
    forward: tokio::task::JoinHandle<()>,
}

impl RpkiService {
    /// What is in use, for `condor show rpki` and the looking glass.
    pub(crate) fn status(&self) -> condor_control::RpkiStatus {
        let snap = self.store.snapshot();
        let active = self.rtr.as_ref().and_then(|r| r.active_cache());
        condor_control::RpkiStatus {
            enabled: true,
            vrps: snap.vrps().len() as u64,
            aspas: snap.aspas().len() as u64,
            serial: self.store.serial(),
            file: self.file_path.as_ref().map(|p| p.display().to_string()),
            caches: self
                .rtr
                .as_ref()
                .map(|r| r.caches())
                .unwrap_or_default()
                .into_iter()
                .map(|c| condor_control::RtrCacheInfo {
                    active: active.as_deref() == Some(c.address.as_str()),
                    address: c.address,
                    preference: c.preference,
                    synced: c.synced,
                    resets: c.resets,
                    serial_updates: c.serial_updates,
                    vrps: c.vrps as u64,
                })
                .collect(),
        }
    }
}

impl Drop for RpkiService {
    fn drop(&mut self) {
        self.forward.abort();
    }
}

/// Starts the sources and the feed into the RIB. A JSON file that does not
/// load is an error (reported at start and on reload).
pub(crate) async fn start(settings: &RpkiSettings, rib: RibHandle) -> anyhow::Result<RpkiService> {
    let store = Arc::new(RpkiStore::new());
    let mut changes = store.subscribe();
    let file = match &settings.file {
        Some(f) => Some(
            spawn_file_source(f.clone(), store.clone(), settings.file_poll)
                .map_err(|e| anyhow::anyhow!("rpki.file: {e}"))?,
        ),
        None => None,
    };
    let rtr = (!settings.caches.is_empty()).then(|| {
        let cfg = RtrConfig {
            caches: settings
                .caches
                .iter()
                .map(|c| CacheConfig {
                    address: c.address.clone(),
                    preference: c.preference,
                })
                .collect(),
            expiry: settings.expiry,
            initial_version: settings.rtr_version,
            reconnect_max: settings.reconnect_max,
            ..RtrConfig::default()
        };
        spawn_rtr(cfg, store.clone())
    });
    let _ = rib
        .tx
        .send(RibInput::SetRpki(data(&store), Scope::All))
        .await;
    let feed = store.clone();
    let forward = tokio::spawn(async move {
        let store = feed;
        loop {
            let scope = match changes.recv().await {
                Ok(c) if c.aspa_changed.is_empty() => {
                    tracing::info!(
                        serial = c.serial,
                        added = c.vrps_added.len(),
                        removed = c.vrps_removed.len(),
                        "new RPKI data"
                    );
                    Scope::Covered(c.covering_ranges())
                }
                Ok(c) => {
                    tracing::info!(
                        serial = c.serial,
                        aspa = c.aspa_changed.len(),
                        "new RPKI data (ASPA changed)"
                    );
                    Scope::All
                }
                Err(RecvError::Lagged(n)) => {
                    tracing::warn!(
                        missed = n,
                        "RPKI changes came faster than the RIB took them: re-evaluating everything"
                    );
                    Scope::All
                }
                Err(RecvError::Closed) => return,
            };
            if rib
                .tx
                .send(RibInput::SetRpki(data(&store), scope))
                .await
                .is_err()
            {
                return;
            }
        }
    });
    Ok(RpkiService {
        store,
        rtr,
        _file: file,
        file_path: settings.file.clone(),
        forward,
    })
}
