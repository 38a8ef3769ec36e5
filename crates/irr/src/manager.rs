//! Keeps every member's IRR set current: loads the cache at start (offline
//! operation), says which sets are due for a refresh (schedule, default
//! every 6 h; a failed attempt is retried sooner), fetches (bgpq4 or file),
//! and applies a result: success replaces the set, writes the cache and
//! returns the [`IrrChange`]; failure keeps the previous set and records
//! the error. The manager runs nothing on its own: the daemon calls
//! [`fetch`] where blocking is fine (e.g. `spawn_blocking`) and hands the
//! result to [`IrrManager::apply`]. Implements no RFC.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use crate::bgpq4::{self, Bgpq4Config};
use crate::cache;
use crate::change::IrrChange;
use crate::error::IrrError;
use crate::file::load_file;
use crate::set::{IrrCounts, IrrSet, IrrSource};

/// Where one member's IRR data comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IrrSpec {
    /// An AS-SET or ASN expanded with bgpq4 (`as_set = "AS-EXAMPLE"`).
    AsSet(String),
    /// An operator-supplied file (bgpq JSON or plain text) under a name.
    File {
        /// The name members refer to (often the AS-SET the file stands for).
        name: String,
        /// The file.
        path: PathBuf,
    },
}

impl IrrSpec {
    /// The name the set is kept and looked up under.
    pub fn name(&self) -> &str {
        match self {
            IrrSpec::AsSet(n) | IrrSpec::File { name: n, .. } => n,
        }
    }
}

/// Settings shared by every set (the `[irr]` config section).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IrrConfig {
    /// How bgpq4 runs (program, host, sources, timeout, max lengths).
    pub bgpq4: Bgpq4Config,
    /// Where cache files live; no cache when `None`.
    pub cache_dir: Option<PathBuf>,
    /// Refresh interval (default 6 h).
    pub refresh: Duration,
    /// Delay before retrying a failed refresh (default 15 min).
    pub retry: Duration,
}

impl Default for IrrConfig {
    fn default() -> Self {
        IrrConfig {
            bgpq4: Bgpq4Config::default(),
            cache_dir: None,
            refresh: Duration::from_secs(6 * 3600),
            retry: Duration::from_secs(15 * 60),
        }
    }
}

/// Fetches one set from its source (blocking: bgpq4 runs, or a file read).
pub fn fetch(cfg: &IrrConfig, spec: &IrrSpec) -> Result<IrrSet, IrrError> {
    match spec {
        IrrSpec::AsSet(name) => bgpq4::fetch(&cfg.bgpq4, name),
        IrrSpec::File { name, path } => load_file(path, name, cfg.bgpq4.max_len),
    }
}

/// What applying a fetch result did.
#[derive(Debug)]
pub enum RefreshOutcome {
    /// The new set is in place; `change` says what differs from the old one.
    Updated {
        /// Added and removed entries and origins.
        change: Box<IrrChange>,
        /// Writing the cache failed (the new set is in use all the same).
        cache_error: Option<IrrError>,
    },
    /// The fetch failed; the previous set (if any) stays in use.
    Failed {
        /// Why.
        error: IrrError,
        /// True when a previous set is kept.
        kept_previous: bool,
    },
    /// No set of that name is configured; the result was dropped.
    NotConfigured,
}

/// The state of one set, for `condor show irr` and logs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IrrStatus {
    /// The set's name.
    pub name: String,
    /// Where the data came from (none yet: `None`).
    pub source: Option<IrrSource>,
    /// When the data in use was fetched.
    pub fetched_at: Option<SystemTime>,
    /// Its age now.
    pub age: Option<Duration>,
    /// Entry counts of the data in use.
    pub counts: IrrCounts,
    /// True when the data in use was read from the cache at start.
    pub from_cache: bool,
    /// The last refresh error, cleared by a successful refresh.
    pub last_error: Option<String>,
    /// When the next refresh is due.
    pub next_refresh: SystemTime,
}

struct Slot {
    spec: IrrSpec,
    set: Option<Arc<IrrSet>>,
    from_cache: bool,
    stale_cache: bool,
    /// When the data in use was obtained (a cached set: its fetch time).
    refreshed_at: Option<SystemTime>,
    last_failure: Option<SystemTime>,
    last_error: Option<String>,
}

/// Every configured IRR set, with its refresh state.
pub struct IrrManager {
    cfg: IrrConfig,
    slots: BTreeMap<String, Slot>,
}

impl IrrManager {
    /// A manager with no set yet.
    pub fn new(cfg: IrrConfig) -> Self {
        IrrManager {
            cfg,
            slots: BTreeMap::new(),
        }
    }

    /// The settings.
    pub fn config(&self) -> &IrrConfig {
        &self.cfg
    }

    /// Makes `specs` the configured sets (at start and on reload): new names
    /// are added and their cache file loaded, removed names dropped, a name
    /// whose source changed starts over. Returns the cache files that could
    /// not be read (those sets start empty and are due at once).
    pub fn configure(&mut self, specs: impl IntoIterator<Item = IrrSpec>) -> Vec<IrrError> {
        let mut errors = Vec::new();
        let mut next = BTreeMap::new();
        for spec in specs {
            let name = spec.name().to_string();
            if let Some(old) = self.slots.remove(&name) {
                if old.spec == spec {
                    next.insert(name, old);
                    continue;
                }
            }
            let mut slot = Slot {
                spec,
                set: None,
                from_cache: false,
                stale_cache: false,
                refreshed_at: None,
                last_failure: None,
                last_error: None,
            };
            if let (Some(dir), IrrSpec::AsSet(n)) = (&self.cfg.cache_dir, &slot.spec) {
                match cache::load(dir, n) {
                    Ok(Some(set)) => {
                        // Built with other limits: use it, but refetch now.
                        slot.stale_cache = set.max_len() != self.cfg.bgpq4.max_len;
                        slot.refreshed_at = Some(set.fetched_at());
                        slot.set = Some(Arc::new(set));
                        slot.from_cache = true;
                    }
                    Ok(None) => {}
                    Err(e) => {
                        slot.last_error = Some(e.to_string());
                        errors.push(e);
                    }
                }
            }
            next.insert(name, slot);
        }
        self.slots = next;
        errors
    }

    /// The configured sets.
    pub fn specs(&self) -> Vec<IrrSpec> {
        self.slots.values().map(|s| s.spec.clone()).collect()
    }

    /// The set in use for `name`, if any data was ever obtained.
    pub fn get(&self, name: &str) -> Option<Arc<IrrSet>> {
        self.slots.get(name).and_then(|s| s.set.clone())
    }

    fn due_at(&self, s: &Slot) -> SystemTime {
        // A failure (scheduled or on demand) is retried after `retry`.
        if let Some(f) = s.last_failure {
            return f + self.cfg.retry;
        }
        match s.refreshed_at {
            Some(t) if !s.stale_cache => t + self.cfg.refresh,
            _ => SystemTime::UNIX_EPOCH,
        }
    }

    /// The sets due for a refresh at `now`.
    pub fn due(&self, now: SystemTime) -> Vec<IrrSpec> {
        self.slots
            .values()
            .filter(|s| self.due_at(s) <= now)
            .map(|s| s.spec.clone())
            .collect()
    }

    /// The earliest time a set becomes due (`None`: no set configured).
    pub fn next_due(&self) -> Option<SystemTime> {
        self.slots.values().map(|s| self.due_at(s)).min()
    }

    /// Applies a fetch result for `name` (see [`RefreshOutcome`]).
    pub fn apply(
        &mut self,
        name: &str,
        result: Result<IrrSet, IrrError>,
        now: SystemTime,
    ) -> RefreshOutcome {
        let cache_dir = self.cfg.cache_dir.clone();
        let Some(slot) = self.slots.get_mut(name) else {
            return RefreshOutcome::NotConfigured;
        };
        match result {
            Ok(set) => {
                let change = IrrChange::between(slot.set.as_deref(), &set);
                let cache_error = match (&cache_dir, &slot.spec) {
                    (Some(dir), IrrSpec::AsSet(_)) => cache::save(dir, &set).err(),
                    _ => None,
                };
                slot.set = Some(Arc::new(set));
                slot.refreshed_at = Some(now);
                slot.from_cache = false;
                slot.stale_cache = false;
                slot.last_failure = None;
                slot.last_error = None;
                RefreshOutcome::Updated {
                    change: Box::new(change),
                    cache_error,
                }
            }
            Err(error) => {
                slot.last_failure = Some(now);
                slot.last_error = Some(error.to_string());
                RefreshOutcome::Failed {
                    error,
                    kept_previous: slot.set.is_some(),
                }
            }
        }
    }

    /// Fetches `name` now and applies the result (blocking): `condor reload`.
    pub fn refresh_now(&mut self, name: &str) -> RefreshOutcome {
        let Some(spec) = self.slots.get(name).map(|s| s.spec.clone()) else {
            return RefreshOutcome::NotConfigured;
        };
        let result = fetch(&self.cfg, &spec);
        self.apply(name, result, SystemTime::now())
    }

    /// The state of every set at `now`, sorted by name.
    pub fn status(&self, now: SystemTime) -> Vec<IrrStatus> {
        self.slots
            .iter()
            .map(|(name, s)| IrrStatus {
                name: name.clone(),
                source: s.set.as_ref().map(|x| x.source().clone()),
                fetched_at: s.set.as_ref().map(|x| x.fetched_at()),
                age: s.set.as_ref().map(|x| x.age(now)),
                counts: s.set.as_ref().map(|x| x.counts()).unwrap_or_default(),
                from_cache: s.from_cache,
                last_error: s.last_error.clone(),
                next_refresh: self.due_at(s),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::set::MaxLen;
    use condor_wire::{Asn, Prefix};

    fn p(s: &str) -> Prefix {
        s.parse().unwrap()
    }

    #[test]
    fn file_sets_refresh_keep_on_failure_and_report_changes() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("as-example.txt");
        std::fs::write(&f, "193.0.0.0/21\nAS3333\n").unwrap();
        let day_ago = SystemTime::now() - Duration::from_secs(86_400);
        std::fs::File::options()
            .write(true)
            .open(&f)
            .unwrap()
            .set_modified(day_ago)
            .unwrap();
        let mut m = IrrManager::new(IrrConfig::default());
        let spec = IrrSpec::File {
            name: "AS-EXAMPLE".into(),
            path: f.clone(),
        };
        assert!(m.configure([spec.clone()]).is_empty());
        let t0 = SystemTime::now();
        assert_eq!(m.due(t0), vec![spec.clone()], "never fetched: due at once");
        assert!(m.get("AS-EXAMPLE").is_none());

        let RefreshOutcome::Updated {
            change,
            cache_error,
        } = m.refresh_now("AS-EXAMPLE")
        else {
            panic!("first fetch failed")
        };
        assert!(cache_error.is_none());
        assert_eq!(change.added().len(), 1);
        let set = m.get("AS-EXAMPLE").unwrap();
        assert_eq!(
            set.fetched_at(),
            day_ago,
            "a file's data dates from its mtime"
        );
        assert!(set.check(&p("193.0.1.0/24"), Asn(3333)).accepted());
        let after = SystemTime::now();
        assert!(m.due(after).is_empty());
        // Scheduled from when it was read, not from the file's (old) mtime.
        assert!(m.due(after + Duration::from_secs(5 * 3600)).is_empty());
        let later = after + Duration::from_secs(6 * 3600);
        assert_eq!(m.due(later), vec![spec.clone()], "due after 6 h");

        // A broken file: the previous set stays, the error is reported.
        std::fs::write(&f, "193.0.0.0/21\nnot-a-prefix\n").unwrap();
        let now = SystemTime::now();
        let out = m.apply("AS-EXAMPLE", fetch(m.config(), &spec), now);
        let RefreshOutcome::Failed {
            error,
            kept_previous,
        } = out
        else {
            panic!("expected a failure, got {out:?}")
        };
        assert!(kept_previous);
        assert!(error.to_string().contains("as-example.txt:2"), "{error}");
        assert!(m
            .get("AS-EXAMPLE")
            .unwrap()
            .check_prefix(&p("193.0.0.0/21")));
        let st = &m.status(now)[0];
        assert!(
            st.last_error.as_deref().unwrap().contains("not-a-prefix"),
            "{st:?}"
        );
        assert_eq!(st.counts.v4, 1);
        assert!(m.due(now).is_empty(), "retried after 15 min, not at once");
        assert_eq!(m.due(now + Duration::from_secs(15 * 60)).len(), 1);

        // Fixed: only the changed prefix is reported.
        std::fs::write(&f, "193.0.0.0/21\n198.51.100.0/24\nAS3333\n").unwrap();
        let RefreshOutcome::Updated { change, .. } = m.refresh_now("AS-EXAMPLE") else {
            panic!("refresh failed")
        };
        assert!(change.affects(&p("198.51.100.0/24")));
        assert!(!change.affects(&p("193.0.1.0/24")));
        assert!(m.status(SystemTime::now())[0].last_error.is_none());

        // Reconfigured without it: gone.
        m.configure([]);
        assert!(m.get("AS-EXAMPLE").is_none());
        assert!(matches!(
            m.refresh_now("AS-EXAMPLE"),
            RefreshOutcome::NotConfigured
        ));
    }

    #[test]
    fn cache_is_loaded_at_start_and_written_on_success() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = IrrConfig {
            cache_dir: Some(dir.path().to_path_buf()),
            ..Default::default()
        };
        let mut b = crate::set::IrrSetBuilder::new(MaxLen::default());
        b.add_prefix(p("193.0.0.0/21"), None);
        let fetched = SystemTime::now() - Duration::from_secs(3600);
        let src = IrrSource::Bgpq4 {
            host: None,
            sources: None,
        };
        cache::save(dir.path(), &b.build("AS-EXAMPLE", src.clone(), fetched)).unwrap();

        let mut m = IrrManager::new(cfg.clone());
        assert!(m
            .configure([IrrSpec::AsSet("AS-EXAMPLE".into())])
            .is_empty());
        let now = SystemTime::now();
        let st = &m.status(now)[0];
        assert!(st.from_cache);
        assert!(st.age.unwrap() >= Duration::from_secs(3600));
        assert!(m
            .get("AS-EXAMPLE")
            .unwrap()
            .check_prefix(&p("193.0.7.0/24")));
        assert!(m.due(now).is_empty(), "an hour old: not due yet");
        assert_eq!(m.next_due(), Some(st.fetched_at.unwrap() + cfg.refresh));

        // A result applied by the daemon lands in the cache.
        let mut b = crate::set::IrrSetBuilder::new(MaxLen::default());
        b.add_prefix(p("2001:67c:2e8::/48"), None);
        let out = m.apply("AS-EXAMPLE", Ok(b.build("AS-EXAMPLE", src, now)), now);
        assert!(
            matches!(
                out,
                RefreshOutcome::Updated {
                    cache_error: None,
                    ..
                }
            ),
            "{out:?}"
        );
        let cached = cache::load(dir.path(), "AS-EXAMPLE").unwrap().unwrap();
        assert_eq!(cached.counts().v6, 1);
        assert_eq!(cached.counts().v4, 0);

        // Other limits in the config: the cached set is used but due now.
        let cfg2 = IrrConfig {
            bgpq4: Bgpq4Config {
                max_len: MaxLen { v4: 22, v6: 48 },
                ..Default::default()
            },
            ..cfg.clone()
        };
        let mut m2 = IrrManager::new(cfg2);
        m2.configure([IrrSpec::AsSet("AS-EXAMPLE".into())]);
        assert!(m2.get("AS-EXAMPLE").is_some());
        assert_eq!(m2.due(SystemTime::now()).len(), 1);

        // A corrupt cache file is reported; the set starts empty and due.
        std::fs::write(cache::cache_path(dir.path(), "AS-EXAMPLE"), b"{oops").unwrap();
        let mut m3 = IrrManager::new(cfg);
        let errs = m3.configure([IrrSpec::AsSet("AS-EXAMPLE".into())]);
        assert_eq!(errs.len(), 1);
        assert!(
            errs[0].to_string().contains("AS-EXAMPLE.json"),
            "{}",
            errs[0]
        );
        assert!(m3.get("AS-EXAMPLE").is_none());
        assert_eq!(m3.due(SystemTime::now()).len(), 1);
    }
}
