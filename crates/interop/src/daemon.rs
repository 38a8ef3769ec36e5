//! A running member daemon: its private directory, its process, and the
//! per-daemon backend that renders configuration and reads the daemon's CLI.
//! Every wait here is bounded and reports the daemon's logs when it runs out.

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::config::{MemberConfig, PeerSpec};
use crate::daemons;
use crate::error::{Error, Result};
use crate::kind::DaemonKind;
use crate::process::{Supervised, STOP_GRACE};
use crate::route::{Announcement, Prefix, Route, SessionState};

/// The longest any single harness wait should take; tests pass it (or less)
/// to the `wait_*` methods.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// How long a daemon gets to bring up its control interface.
const READY_TIMEOUT: Duration = Duration::from_secs(20);

/// Pause between two polls.
const POLL_INTERVAL: Duration = Duration::from_millis(250);

/// Set to keep each daemon's temporary directory after the test (its path
/// is printed on stderr).
pub const KEEP_ENV: &str = "CONDOR_INTEROP_KEEP";

/// What one daemon kind implements: reading state and routes from its CLI
/// and changing its announcements at run time.
pub(crate) trait Backend: Send + Sync {
    /// Whether the control interface answers yet.
    fn ready(&self) -> Result<bool>;
    /// Work after the control interface is up (e.g. initial routes by CLI).
    fn after_ready(&mut self) -> Result<()> {
        Ok(())
    }
    /// The state of the session with peer number `peer` of the config.
    fn session_state(&self, peer: usize) -> Result<SessionState>;
    /// The routes received from peer number `peer`.
    fn received_routes(&self, peer: usize) -> Result<Vec<Route>>;
    /// Starts announcing `route` to all peers of its family.
    fn announce(&mut self, route: &Announcement) -> Result<()>;
    /// Stops announcing `prefix`.
    fn withdraw(&mut self, prefix: Prefix) -> Result<()>;
    /// Log files besides the process's own stdout/stderr log.
    fn extra_logs(&self) -> Vec<PathBuf> {
        Vec::new()
    }
    /// Asks peer number `peer` to send its routes again (ROUTE-REFRESH,
    /// RFC 2918, where the daemon's CLI can trigger one).
    fn request_route_refresh(&self, peer: usize) -> Result<()> {
        let _ = peer;
        Err(Error::Unsupported {
            daemon: "this daemon",
            detail: "no CLI command sends ROUTE-REFRESH in the harness".into(),
        })
    }
}

/// What a backend's `start` needs.
pub(crate) struct StartCtx<'a> {
    /// The configuration, with `listen_port` resolved.
    pub(crate) config: &'a MemberConfig,
    /// The daemon's private directory.
    pub(crate) dir: &'a Path,
    /// Where the process's stdout and stderr go.
    pub(crate) log: &'a Path,
}

/// A started daemon process and its backend.
pub(crate) struct Started {
    pub(crate) process: Supervised,
    pub(crate) backend: Box<dyn Backend>,
}

/// A member daemon started by the harness; stopped (SIGTERM, then SIGKILL)
/// and its directory removed on drop.
pub struct RunningDaemon {
    kind: DaemonKind,
    config: MemberConfig,
    process: Supervised,
    backend: Box<dyn Backend>,
    log: PathBuf,
    dir: tempfile::TempDir,
}

impl std::fmt::Debug for RunningDaemon {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningDaemon")
            .field("kind", &self.kind)
            .field("local", &self.config.local_addr)
            .field("port", &self.config.listen_port)
            .field("pid", &self.process.pid())
            .field("dir", &self.dir.path())
            .finish()
    }
}

impl RunningDaemon {
    /// Starts `kind` with `config`; returns once its control interface answers.
    pub(crate) fn start(kind: DaemonKind, mut config: MemberConfig) -> Result<Self> {
        kind.available().map_err(|detail| Error::NotInstalled {
            daemon: kind.name(),
            detail,
        })?;
        config.validate(kind.name())?;
        if config.listen_port.is_none() {
            config.listen_port = Some(crate::net::free_port(config.local_addr)?);
        }
        let dir = tempfile::Builder::new()
            .prefix(&format!("condor-interop-{}-", kind.name()))
            .tempdir()
            .map_err(|e| Error::io("create temporary directory", e))?;
        let log = dir.path().join("daemon.log");
        let ctx = StartCtx {
            config: &config,
            dir: dir.path(),
            log: &log,
        };
        let Started { process, backend } = daemons::start(kind, &ctx)?;
        let mut me = Self {
            kind,
            config,
            process,
            backend,
            log,
            dir,
        };
        me.poll("control interface", READY_TIMEOUT, |d| {
            match d.backend.ready() {
                Ok(true) => Ok(Some(())),
                Ok(false) => Err("not ready".into()),
                Err(e) => Err(e.to_string()),
            }
        })?;
        me.backend.after_ready()?;
        Ok(me)
    }

    /// The daemon kind.
    pub fn kind(&self) -> DaemonKind {
        self.kind
    }

    /// The configuration it runs with (`listen_port` resolved).
    pub fn config(&self) -> &MemberConfig {
        &self.config
    }

    /// The address it listens on and connects from.
    pub fn local_addr(&self) -> IpAddr {
        self.config.local_addr
    }

    /// The TCP port it listens on.
    pub fn listen_port(&self) -> u16 {
        self.config.listen_port.unwrap_or(179)
    }

    /// A `PeerSpec` for configuring another daemon to peer with this one.
    pub fn as_peer(&self) -> PeerSpec {
        PeerSpec::new(self.local_addr(), self.listen_port(), self.config.asn)
    }

    /// Its private directory (config, sockets, pid and log files).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The leader process's pid.
    pub fn pid(&self) -> u32 {
        self.process.pid()
    }

    /// Whether the process is still running.
    pub fn is_running(&self) -> bool {
        self.process.exited().is_none()
    }

    fn peer_index(&self, peer: IpAddr) -> Result<usize> {
        self.config
            .peer(peer)
            .map(|(i, _)| i)
            .ok_or(Error::UnknownPeer {
                daemon: self.kind.name(),
                peer,
            })
    }

    fn check_alive(&self) -> Result<()> {
        match self.process.exited() {
            None => Ok(()),
            Some(status) => Err(Error::Exited {
                daemon: self.kind.name(),
                status,
                logs: self.logs_tail(200),
            }),
        }
    }

    /// The session state with `peer`, from the daemon's CLI.
    pub fn session_state(&self, peer: IpAddr) -> Result<SessionState> {
        let i = self.peer_index(peer)?;
        self.check_alive()?;
        self.backend.session_state(i)
    }

    /// The routes received from `peer` (its Adj-RIB-In or, for daemons that
    /// only show their RIB, the routes learned from it), from the daemon's CLI.
    pub fn received_routes(&self, peer: IpAddr) -> Result<Vec<Route>> {
        let i = self.peer_index(peer)?;
        self.check_alive()?;
        self.backend.received_routes(i)
    }

    /// Sends ROUTE-REFRESH to `peer` (BIRD `reload in`, FRR `clear bgp … soft
    /// in`; GoBGP keeps an Adj-RIB-In and never asks, so it cannot).
    pub fn request_route_refresh(&self, peer: IpAddr) -> Result<()> {
        let i = self.peer_index(peer)?;
        self.check_alive()?;
        self.backend.request_route_refresh(i)
    }

    /// Announces `route` at run time to all peers of its family.
    pub fn announce(&mut self, route: Announcement) -> Result<()> {
        self.check_alive()?;
        self.backend.announce(&route)?;
        self.config.routes.retain(|r| r.prefix != route.prefix);
        self.config.routes.push(route);
        Ok(())
    }

    /// Withdraws a route announced earlier (from the config or at run time).
    pub fn withdraw(&mut self, prefix: Prefix) -> Result<()> {
        self.check_alive()?;
        self.backend.withdraw(prefix)?;
        self.config.routes.retain(|r| r.prefix != prefix);
        Ok(())
    }

    /// All of its log files, each under a header line.
    pub fn logs(&self) -> String {
        self.collect_logs(None)
    }

    /// The last `lines` lines of each log file, each under a header line.
    pub fn logs_tail(&self, lines: usize) -> String {
        self.collect_logs(Some(lines))
    }

    fn collect_logs(&self, tail: Option<usize>) -> String {
        let mut files = vec![self.log.clone()];
        files.extend(self.backend.extra_logs());
        let mut out = String::new();
        for f in files {
            let text = std::fs::read(&f)
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .unwrap_or_else(|e| format!("(unreadable: {e})\n"));
            let lines: Vec<&str> = text.lines().collect();
            let from = tail.map_or(0, |n| lines.len().saturating_sub(n));
            out.push_str(&format!(
                "==== {} {} ({} lines{}) ====\n",
                self.kind,
                f.display(),
                lines.len(),
                if from > 0 { ", tail" } else { "" }
            ));
            for l in &lines[from..] {
                out.push_str(l);
                out.push('\n');
            }
        }
        out
    }

    /// Whether any of its logs contains `text`.
    pub fn log_contains(&self, text: &str) -> bool {
        self.logs().contains(text)
    }

    /// Polls `f` every 250 ms until it gives `Some`, the daemon exits, or
    /// `timeout` passes; `Err(s)` from `f` is remembered as the last
    /// observation for the timeout message.
    fn poll<T>(
        &self,
        what: &str,
        timeout: Duration,
        mut f: impl FnMut(&Self) -> std::result::Result<Option<T>, String>,
    ) -> Result<T> {
        let t0 = Instant::now();
        let mut last = String::from("nothing yet");
        loop {
            self.check_alive()?;
            match f(self) {
                Ok(Some(v)) => return Ok(v),
                Ok(None) => {}
                Err(s) => last = s,
            }
            if t0.elapsed() >= timeout {
                return Err(Error::Timeout {
                    daemon: self.kind.name(),
                    what: what.to_string(),
                    waited: t0.elapsed(),
                    last,
                    logs: self.logs_tail(200),
                });
            }
            std::thread::sleep(POLL_INTERVAL);
        }
    }

    /// Waits until the session with `peer` is Established.
    pub fn wait_established(&self, peer: IpAddr, timeout: Duration) -> Result<()> {
        self.poll(
            &format!("session with {peer} Established"),
            timeout,
            |d| match d.session_state(peer) {
                Ok(s) if s.is_established() => Ok(Some(())),
                Ok(s) => Err(format!("state {s}")),
                Err(e) => Err(e.to_string()),
            },
        )
    }

    /// Checks that the session with `peer` does NOT reach Established during
    /// `window` (e.g. with a wrong MD5 password); the error says when it did.
    pub fn expect_not_established(&self, peer: IpAddr, window: Duration) -> Result<()> {
        let t0 = Instant::now();
        while t0.elapsed() < window {
            self.check_alive()?;
            if let Ok(s) = self.session_state(peer) {
                if s.is_established() {
                    return Err(Error::Unsupported {
                        daemon: self.kind.name(),
                        detail: format!(
                            "session with {peer} became Established after {:?}, \
                             which this check forbids\n{}",
                            t0.elapsed(),
                            self.logs_tail(100)
                        ),
                    });
                }
            }
            std::thread::sleep(POLL_INTERVAL);
        }
        Ok(())
    }

    /// Waits until a route for `prefix` from `peer` is present; returns it.
    pub fn wait_route(&self, peer: IpAddr, prefix: Prefix, timeout: Duration) -> Result<Route> {
        self.wait_routes(
            peer,
            &format!("route {prefix} from {peer}"),
            timeout,
            |rs| rs.iter().find(|r| r.prefix == prefix).cloned(),
        )
    }

    /// Waits until `pick` finds what it wants in the routes received from
    /// `peer`.
    pub fn wait_routes<T>(
        &self,
        peer: IpAddr,
        what: &str,
        timeout: Duration,
        mut pick: impl FnMut(&[Route]) -> Option<T>,
    ) -> Result<T> {
        self.poll(what, timeout, |d| match d.received_routes(peer) {
            Ok(rs) => pick(&rs).map(Some).ok_or_else(|| describe(&rs)),
            Err(e) => Err(e.to_string()),
        })
    }

    /// Waits until no route for `prefix` from `peer` is present.
    pub fn wait_route_gone(&self, peer: IpAddr, prefix: Prefix, timeout: Duration) -> Result<()> {
        self.wait_routes(
            peer,
            &format!("{prefix} from {peer} withdrawn"),
            timeout,
            |rs| (!rs.iter().any(|r| r.prefix == prefix)).then_some(()),
        )
    }

    /// Stops the daemon now (also done on drop).
    pub fn stop(mut self) {
        self.process.stop(STOP_GRACE);
    }
}

impl Drop for RunningDaemon {
    fn drop(&mut self) {
        self.process.stop(STOP_GRACE);
        if std::env::var_os(KEEP_ENV).is_some() {
            self.dir.disable_cleanup(true);
            eprintln!(
                "condor-interop: kept {} directory {}",
                self.kind,
                self.dir.path().display()
            );
        }
    }
}

/// A short description of a route list for timeout messages.
fn describe(routes: &[Route]) -> String {
    if routes.is_empty() {
        return "no routes".into();
    }
    let list: Vec<String> = routes.iter().take(20).map(Route::to_string).collect();
    format!("{} routes: {}", routes.len(), list.join("; "))
}

/// Logs of several daemons, for a test's failure message.
pub fn diagnostics(daemons: &[&RunningDaemon]) -> String {
    daemons
        .iter()
        .map(|d| d.logs_tail(150))
        .collect::<Vec<_>>()
        .join("\n")
}
