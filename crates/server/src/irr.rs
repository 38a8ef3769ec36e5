//! Members' IRR data for import policy: one task owns the
//! [`IrrManager`] (cache, refresh schedule, bgpq4 runs on the blocking
//! pool) and sends each new set to the daemon, which gives the members
//! that use it a new import policy — the RIB then re-evaluates their paths,
//! with no session reset and no route refresh.
//!
//! A member whose AS-SET has no data yet (first start without a cache,
//! bgpq4 failing) has its routes held as filtered (reasons `irr-prefix`,
//! `irr-origin`) rather than relayed unchecked; they are accepted as soon
//! as the data arrive.

use condor_config::{Config, IrrSettings, Neighbor};
use condor_irr::{
    fetch, Bgpq4Config, IrrConfig, IrrManager, IrrSet, IrrSpec, MaxLen, RefreshOutcome,
};
use condor_policy::IrrCheck;
use condor_wire::{Asn, Prefix};
use std::sync::Arc;
use std::time::{Duration, SystemTime};
use tokio::sync::mpsc;

/// A new set for the members that use `name`.
#[derive(Debug)]
pub(crate) struct IrrUpdate {
    pub(crate) name: String,
    pub(crate) set: Arc<IrrSet>,
}

/// The policy's view of a member's IRR set.
pub(crate) struct IrrData(pub(crate) Arc<IrrSet>);

impl IrrCheck for IrrData {
    fn prefix_ok(&self, prefix: &Prefix) -> bool {
        self.0.check_prefix(prefix)
    }
    fn origin_ok(&self, origin: Asn) -> bool {
        self.0.check_origin(origin)
    }
    fn covers(&self, prefix: &Prefix) -> bool {
        // Route objects are accepted down to the set's max length: the
        // prefix is in the member's space when its covering prefix of that
        // length is.
        let m = self.0.max_len();
        let len = prefix.len().min(if prefix.is_ipv4() { m.v4 } else { m.v6 });
        Prefix::new(prefix.addr(), len).is_ok_and(|p| self.0.check_prefix(&p))
    }
}

/// IRR data not loaded yet: nothing is covered.
pub(crate) struct NotLoaded;

impl IrrCheck for NotLoaded {
    fn prefix_ok(&self, _: &Prefix) -> bool {
        false
    }
    fn origin_ok(&self, _: Asn) -> bool {
        false
    }
}

/// The name a neighbor's IRR set is kept under.
pub(crate) fn key(n: &Neighbor) -> Option<String> {
    match (&n.as_set, &n.irr_file) {
        (Some(a), _) => Some(a.clone()),
        (None, Some(p)) => Some(format!("file:{}", p.display())),
        (None, None) => None,
    }
}

fn spec(n: &Neighbor) -> Option<IrrSpec> {
    match (&n.as_set, &n.irr_file) {
        (Some(a), _) => Some(IrrSpec::AsSet(a.clone())),
        (None, Some(p)) => Some(IrrSpec::File {
            name: key(n)?,
            path: p.clone(),
        }),
        (None, None) => None,
    }
}

/// The sets a configuration needs, each once.
pub(crate) fn specs(c: &Config) -> Vec<IrrSpec> {
    let mut v: Vec<IrrSpec> = Vec::new();
    for s in c.neighbors.iter().filter_map(spec) {
        if !v.iter().any(|x| x.name() == s.name()) {
            v.push(s);
        }
    }
    v
}

/// The IRR crate's settings from the `[irr]` table.
pub(crate) fn irr_config(s: &IrrSettings) -> IrrConfig {
    IrrConfig {
        bgpq4: Bgpq4Config {
            program: s.bgpq4.clone(),
            host: s.host.clone(),
            sources: s.sources.clone(),
            timeout: s.timeout,
            max_len: MaxLen {
                v4: s.max_len_v4,
                v6: s.max_len_v6,
            },
        },
        cache_dir: s.cache_dir.clone(),
        refresh: s.refresh,
        retry: s.retry,
    }
}

/// Requests to the IRR task.
#[derive(Debug)]
enum Cmd {
    /// New settings or sets.
    Configure(IrrConfig, Vec<IrrSpec>),
    /// The state of every set.
    Status(tokio::sync::oneshot::Sender<Vec<condor_control::IrrSetInfo>>),
}

/// Handle to the IRR task.
#[derive(Clone, Debug)]
pub(crate) struct IrrService {
    cmd: mpsc::UnboundedSender<Cmd>,
}

impl IrrService {
    /// New settings or sets (start, reload).
    pub(crate) fn configure(&self, c: &Config) {
        let _ = self.cmd.send(Cmd::Configure(irr_config(&c.irr), specs(c)));
    }

    /// The state of every configured set.
    pub(crate) async fn status(&self) -> Vec<condor_control::IrrSetInfo> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        if self.cmd.send(Cmd::Status(tx)).is_err() {
            return Vec::new();
        }
        rx.await.unwrap_or_default()
    }
}

fn status(m: &IrrManager) -> Vec<condor_control::IrrSetInfo> {
    let now = SystemTime::now();
    m.status(now)
        .into_iter()
        .map(|s| condor_control::IrrSetInfo {
            name: s.name,
            source: s.source.map(|x| match x {
                condor_irr::IrrSource::Bgpq4 { host, sources } => format!(
                    "bgpq4 (server {}, sources {})",
                    host.as_deref().unwrap_or("default"),
                    sources.as_deref().unwrap_or("default")
                ),
                condor_irr::IrrSource::File { path } => format!("file {}", path.display()),
            }),
            age_s: s.age.map(|a| a.as_secs()),
            prefixes_v4: s.counts.v4 as u64,
            prefixes_v6: s.counts.v6 as u64,
            origins: s.counts.origins as u64,
            from_cache: s.from_cache,
            last_error: s.last_error,
            next_refresh_s: s
                .next_refresh
                .duration_since(now)
                .map_or(0, |d| d.as_secs()),
        })
        .collect()
}

/// Starts the IRR task; new sets go to `updates`.
pub(crate) fn spawn(c: &Config, updates: mpsc::UnboundedSender<IrrUpdate>) -> IrrService {
    let (tx, rx) = mpsc::unbounded_channel();
    let svc = IrrService { cmd: tx };
    svc.configure(c);
    tokio::spawn(run(rx, updates));
    svc
}

fn publish(m: &IrrManager, updates: &mpsc::UnboundedSender<IrrUpdate>) {
    for s in m.specs() {
        if let Some(set) = m.get(s.name()) {
            let _ = updates.send(IrrUpdate {
                name: s.name().to_string(),
                set,
            });
        }
    }
}

async fn run(mut cmd: mpsc::UnboundedReceiver<Cmd>, updates: mpsc::UnboundedSender<IrrUpdate>) {
    let mut m = IrrManager::new(IrrConfig::default());
    loop {
        let wait = m.next_due().map(|due| {
            due.duration_since(SystemTime::now())
                .unwrap_or(Duration::ZERO)
        });
        tokio::select! {
            c = cmd.recv() => {
                let (cfg, specs) = match c {
                    None => return,
                    Some(Cmd::Status(tx)) => {
                        let _ = tx.send(status(&m));
                        continue;
                    }
                    Some(Cmd::Configure(cfg, specs)) => (cfg, specs),
                };
                if cfg != *m.config() {
                    m = IrrManager::new(cfg);
                }
                for e in m.configure(specs) {
                    tracing::warn!(error = %e, "IRR cache");
                }
                publish(&m, &updates);
            }
            _ = async {
                match wait {
                    Some(d) => tokio::time::sleep(d).await,
                    None => std::future::pending().await,
                }
            } => {
                for spec in m.due(SystemTime::now()) {
                    let cfg = m.config().clone();
                    let s = spec.clone();
                    let Ok(result) = tokio::task::spawn_blocking(move || fetch(&cfg, &s)).await else {
                        continue;
                    };
                    match m.apply(spec.name(), result, SystemTime::now()) {
                        RefreshOutcome::Updated { change, cache_error } => {
                            if let Some(e) = cache_error {
                                tracing::warn!(set = spec.name(), error = %e, "IRR cache not written");
                            }
                            tracing::info!(set = spec.name(), changed = !change.is_empty(), "IRR data refreshed");
                            if let Some(set) = m.get(spec.name()) {
                                let _ = updates.send(IrrUpdate { name: spec.name().to_string(), set });
                            }
                        }
                        RefreshOutcome::Failed { error, kept_previous } => {
                            tracing::warn!(set = spec.name(), error = %error, kept_previous, "IRR refresh failed");
                        }
                        RefreshOutcome::NotConfigured => {}
                    }
                }
            }
        }
    }
}
