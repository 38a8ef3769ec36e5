//! The route server under test: what it must be configured with
//! ([`TargetSpec`]), how to start it ([`TargetRunner`]: Condor or BIRD 2),
//! and the running process ([`RunningTarget`]), which is stopped when
//! dropped (SIGTERM, then SIGKILL after a grace period) so that no server
//! outlives a benchmark, whatever way the run ends.

use crate::plan::Plan;
use crate::{bird, condor};
use anyhow::{bail, Context as _};
use std::fmt;
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The route server's ASN (Perú IX's route servers use AS64115).
pub const SERVER_ASN: u32 = 64115;
/// The route server's address and BGP identifier.
pub const SERVER_ADDRESS: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 1);
/// How long a server may take to start listening.
const START_TIMEOUT: Duration = Duration::from_secs(60);
/// How long a server may take to exit after SIGTERM.
const STOP_GRACE: Duration = Duration::from_secs(5);

/// Which implementation is measured.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, clap::ValueEnum)]
pub enum TargetKind {
    /// Condor (`condor serve`).
    Condor,
    /// BIRD 2 (`bird`).
    Bird,
}

impl TargetKind {
    /// The name used in the JSON output.
    pub fn name(self) -> &'static str {
        match self {
            TargetKind::Condor => "condor",
            TargetKind::Bird => "bird",
        }
    }
}

impl fmt::Display for TargetKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What a server under test must be configured with.
#[derive(Clone, Debug)]
pub struct TargetSpec {
    /// Port to listen on, at [`SERVER_ADDRESS`].
    pub port: u16,
    /// The server's ASN.
    pub asn: u32,
    /// The server's BGP identifier.
    pub router_id: Ipv4Addr,
    /// Hold time the server proposes.
    pub hold_time: u16,
    /// The peers (one neighbor per plan peer, passive).
    pub plan: Arc<Plan>,
    /// A private directory for config, logs, sockets and pid files.
    pub dir: PathBuf,
}

impl TargetSpec {
    /// The address peers connect to.
    pub fn addr(&self) -> SocketAddr {
        SocketAddr::from((SERVER_ADDRESS, self.port))
    }
}

/// Writes a server's configuration text for a spec.
pub type ConfigWriter = fn(&TargetSpec) -> String;

/// How to start one implementation.
#[derive(Clone, Debug)]
pub struct TargetRunner {
    /// Which implementation.
    pub kind: TargetKind,
    /// The executable.
    pub binary: PathBuf,
    /// Arguments; `{config}` and `{dir}` are replaced by the config file and
    /// the private directory.
    pub args: Vec<String>,
    /// Name of the config file inside the private directory.
    pub config_name: &'static str,
    /// Produces the config text.
    pub write_config: ConfigWriter,
}

impl TargetRunner {
    /// `condor serve` with the generated TOML config. `args` default to
    /// [`condor::DEFAULT_ARGS`].
    pub fn condor(binary: PathBuf, args: Option<Vec<String>>) -> TargetRunner {
        TargetRunner {
            kind: TargetKind::Condor,
            binary,
            args: args
                .unwrap_or_else(|| condor::DEFAULT_ARGS.iter().map(|s| s.to_string()).collect()),
            config_name: "condor.toml",
            write_config: condor::config,
        }
    }

    /// BIRD 2 in the foreground with its control socket and pid file in the
    /// private directory.
    pub fn bird(binary: PathBuf) -> TargetRunner {
        TargetRunner {
            kind: TargetKind::Bird,
            binary,
            args: bird::ARGS.iter().map(|s| s.to_string()).collect(),
            config_name: "bird.conf",
            write_config: bird::config,
        }
    }

    /// Writes the config, starts the server and waits until it accepts TCP
    /// connections on its port.
    pub fn start(&self, spec: &TargetSpec) -> anyhow::Result<RunningTarget> {
        let config = spec.dir.join(self.config_name);
        std::fs::write(&config, (self.write_config)(spec))
            .with_context(|| format!("writing {}", config.display()))?;
        let log = spec.dir.join(format!("{}.out", self.kind));
        let out =
            std::fs::File::create(&log).with_context(|| format!("creating {}", log.display()))?;
        let err = out.try_clone().context("duplicating the log file")?;
        let args: Vec<String> = self
            .args
            .iter()
            .map(|a| {
                a.replace("{config}", &config.display().to_string())
                    .replace("{dir}", &spec.dir.display().to_string())
            })
            .collect();
        // The server runs in its directory: a relative path with a slash
        // must be resolved from ours first (a bare name is looked up in PATH).
        let binary = if self.binary.is_relative() && self.binary.components().count() > 1 {
            std::env::current_dir()
                .context("current directory")?
                .join(&self.binary)
        } else {
            self.binary.clone()
        };
        let child = Command::new(&binary)
            .args(&args)
            .current_dir(&spec.dir)
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .with_context(|| format!("starting {} {}", self.binary.display(), args.join(" ")))?;
        let mut running = RunningTarget {
            child: Some(child),
            pid: 0,
            addr: spec.addr(),
            log,
        };
        running.pid = running.child.as_ref().map_or(0, |c| c.id());
        running.wait_listening()?;
        Ok(running)
    }
}

/// A started server. Dropping it stops the process.
#[derive(Debug)]
pub struct RunningTarget {
    child: Option<Child>,
    /// Process id.
    pub pid: u32,
    /// Where it listens.
    pub addr: SocketAddr,
    /// Its stdout/stderr.
    pub log: PathBuf,
}

impl RunningTarget {
    /// Polls until a TCP connection to the port succeeds.
    fn wait_listening(&mut self) -> anyhow::Result<()> {
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if let Some(status) = self.exited() {
                bail!(
                    "the server exited ({status}) before listening; its output:\n{}",
                    tail(&self.log)
                );
            }
            if std::net::TcpStream::connect_timeout(&self.addr, Duration::from_millis(200)).is_ok()
            {
                return Ok(());
            }
            if Instant::now() > deadline {
                bail!(
                    "the server did not listen on {} within {START_TIMEOUT:?}; its output:\n{}",
                    self.addr,
                    tail(&self.log)
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The exit status, if the process has ended.
    pub fn exited(&mut self) -> Option<std::process::ExitStatus> {
        self.child
            .as_mut()
            .and_then(|c| c.try_wait().ok().flatten())
    }

    /// The end of its output, for error messages.
    pub fn output_tail(&self) -> String {
        tail(&self.log)
    }

    /// Stops the process: SIGTERM, then SIGKILL after a grace period.
    pub fn stop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        if child.try_wait().ok().flatten().is_some() {
            return;
        }
        if let Some(pid) = rustix::process::Pid::from_raw(child.id() as i32) {
            let _ = rustix::process::kill_process(pid, rustix::process::Signal::TERM);
        }
        let deadline = Instant::now() + STOP_GRACE;
        while Instant::now() < deadline {
            if child.try_wait().ok().flatten().is_some() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = child.kill();
        let _ = child.wait();
    }
}

impl Drop for RunningTarget {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The last lines of a log file.
fn tail(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(20)..].join("\n")
}

/// A TCP port on 127.0.0.1 that was free a moment ago, below the kernel's
/// ephemeral range (32768–60999): a port from that range can be taken
/// again by the many client connections of a run, and a server that binds
/// without SO_REUSEADDR (BIRD) then fails to listen.
pub fn free_port() -> anyhow::Result<u16> {
    let seed = std::process::id() as u64
        ^ std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
    for i in 0..2000u64 {
        let port = 20_000
            + ((seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(i * 7919))
                % 12_000) as u16;
        if TcpListener::bind((SERVER_ADDRESS, port)).is_ok() {
            return Ok(port);
        }
    }
    let l = TcpListener::bind((SERVER_ADDRESS, 0))
        .context("binding 127.0.0.1:0 to find a free port")?;
    Ok(l.local_addr()?.port())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_server_that_exits_is_reported_with_its_output() {
        let dir = tempfile::tempdir().expect("tempdir");
        let spec = TargetSpec {
            port: free_port().expect("port"),
            asn: SERVER_ASN,
            router_id: SERVER_ADDRESS,
            hold_time: 90,
            plan: Arc::new(Plan::new(2, 1, crate::plan::Layout::Disjoint).expect("plan")),
            dir: dir.path().to_path_buf(),
        };
        let runner = TargetRunner {
            kind: TargetKind::Condor,
            binary: "/bin/sh".into(),
            args: vec!["-c".into(), "echo config is {config}; exit 3".into()],
            config_name: "x.toml",
            write_config: condor::config,
        };
        let e = runner.start(&spec).expect_err("exits").to_string();
        assert!(e.contains("exited") && e.contains("x.toml"), "{e}");
    }

    #[test]
    fn a_running_server_is_stopped_on_drop() {
        let dir = tempfile::tempdir().expect("tempdir");
        let port = free_port().expect("port");
        let spec = TargetSpec {
            port,
            asn: SERVER_ASN,
            router_id: SERVER_ADDRESS,
            hold_time: 90,
            plan: Arc::new(Plan::new(2, 1, crate::plan::Layout::Disjoint).expect("plan")),
            dir: dir.path().to_path_buf(),
        };
        // python3 is on the development machines; skip when it is not.
        if Command::new("python3")
            .arg("-c")
            .arg("pass")
            .status()
            .map(|s| !s.success())
            .unwrap_or(true)
        {
            eprintln!("skipping: python3 not available for a stand-in server");
            return;
        }
        let runner = TargetRunner {
            kind: TargetKind::Condor,
            binary: "python3".into(),
            args: vec![
                "-c".into(),
                format!("import socket,time; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('127.0.0.1',{port})); s.listen(); time.sleep(600)"),
            ],
            config_name: "x.toml",
            write_config: condor::config,
        };
        let running = runner.start(&spec).expect("starts and listens");
        let pid = running.pid;
        assert!(Path::new(&format!("/proc/{pid}")).exists());
        drop(running);
        // Reaped by stop(): the /proc entry is gone.
        assert!(
            !Path::new(&format!("/proc/{pid}")).exists(),
            "process {pid} survived"
        );
    }
}
