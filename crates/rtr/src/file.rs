//! A JSON file as the RPKI source: loaded at start, then reloaded whenever its
//! modification time or size changes (polled). A file that fails to load
//! keeps the previous set and is retried at the next change. The file is
//! one source of the store: it combines with the RTR caches (for instance
//! ASPA records from a file, VRPs from RTR v1).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use tokio::task::JoinHandle;

use crate::error::LoadError;
use crate::json::load_file;
use crate::store::RpkiStore;

/// The default polling interval of [`spawn_file_source`].
pub const DEFAULT_POLL: Duration = Duration::from_secs(5);

/// The running file source; dropping it stops the polling.
#[derive(Debug)]
pub struct FileSource {
    task: JoinHandle<()>,
}

impl Drop for FileSource {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Loads `path` into `store` now (an error here is returned, so a broken
/// configuration is reported at start-up), then watches it every `poll`.
pub fn spawn_file_source(
    path: impl Into<PathBuf>,
    store: Arc<RpkiStore>,
    poll: Duration,
) -> Result<FileSource, LoadError> {
    let path = path.into();
    let mut seen = stamp(&path);
    let source = path.display().to_string();
    store.publish_source(&source, load_file(&path)?);
    let task = tokio::spawn(async move {
        let mut tick = tokio::time::interval(poll);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let now = stamp(&path);
            if now == seen {
                continue;
            }
            seen = now;
            match load_file(&path) {
                Ok(snap) => {
                    if let Some(c) = store.publish_source(&source, snap) {
                        tracing::info!(
                            file = %path.display(),
                            added = c.vrps_added.len(),
                            removed = c.vrps_removed.len(),
                            aspa = c.aspa_changed.len(),
                            "RPKI file reloaded"
                        );
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, "RPKI file not reloaded, keeping the last set")
                }
            }
        }
    });
    Ok(FileSource { task })
}

/// What tells that the file changed: its modification time and size.
fn stamp(path: &PathBuf) -> Option<(SystemTime, u64)> {
    let m = std::fs::metadata(path).ok()?;
    Some((m.modified().ok()?, m.len()))
}
