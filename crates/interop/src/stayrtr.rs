//! A real RPKI-RTR cache for tests: StayRTR (Debian package `stayrtr`)
//! serving a VRP file of the test's on a loopback port. Each instance has its
//! own temporary directory, RTR port and metrics port, and is killed when
//! dropped; nothing else is signalled.

use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// True when `stayrtr` can run here. Without it: prints why and answers
/// false, except under `CI=true`, where it panics (CI must run these tests).
pub fn require_stayrtr() -> bool {
    let ok = Command::new("stayrtr")
        .arg("-version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok();
    if !ok {
        let msg = "SKIPPED: stayrtr is not installed (apt-get install stayrtr)";
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("{msg} — CI=true requires it");
        }
        println!("{msg}");
    }
    ok
}

/// One StayRTR process serving `vrps.json` from its own directory, on a port
/// below the ephemeral range ([`crate::free_port`]: a port that outgoing
/// connections of other tests never take, so a cache can come back on it),
/// with
/// one-second refresh intervals so that a rewritten file reaches clients fast.
pub struct StayRtr {
    child: Child,
    dir: tempfile::TempDir,
    port: u16,
}

impl StayRtr {
    /// Starts StayRTR on 127.0.0.1 (a free port) serving `json`, with `extra`
    /// arguments; waits (at most 10 s) until it listens.
    pub fn start(json: &str, extra: &[&str]) -> crate::Result<StayRtr> {
        StayRtr::start_on(
            crate::net::free_port(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST))?,
            json,
            extra,
        )
    }

    /// Like [`StayRtr::start`] on a given port (a cache that comes back).
    pub fn start_on(port: u16, json: &str, extra: &[&str]) -> crate::Result<StayRtr> {
        let io = crate::Error::io;
        let dir = tempfile::tempdir().map_err(|e| io("stayrtr temp dir", e))?;
        std::fs::write(dir.path().join("vrps.json"), json)
            .map_err(|e| io("stayrtr vrps.json", e))?;
        let log = std::fs::File::create(dir.path().join("stayrtr.log"))
            .map_err(|e| io("stayrtr log", e))?;
        let log2 = log.try_clone().map_err(|e| io("stayrtr log", e))?;
        let child = Command::new("stayrtr")
            .current_dir(dir.path())
            .args(["-bind", &format!("127.0.0.1:{port}")])
            // No metrics listener: a second port would be one more chance
            // for concurrent tests to collide.
            .args(["-metrics.addr", ""])
            .args(["-cache", &dir.path().join("vrps.json").to_string_lossy()])
            .args(["-checktime=false", "-refresh", "1", "-rtr.refresh", "1"])
            .args(["-rtr.retry", "1", "-log.verbose=false"])
            .args(extra)
            .stdout(log2)
            .stderr(log)
            .spawn()
            .map_err(|source| crate::Error::Spawn {
                program: "stayrtr".into(),
                source,
            })?;
        let mut s = StayRtr { child, dir, port };
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if Instant::now() > deadline {
                return Err(crate::Error::Timeout {
                    daemon: "stayrtr",
                    what: format!("listening on 127.0.0.1:{port}"),
                    waited: Duration::from_secs(10),
                    last: "connection refused".into(),
                    logs: s.log(),
                });
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        // Something answers on the port: make sure it is this StayRTR (it
        // exits at once when it cannot bind, and another test's process may
        // hold the port).
        std::thread::sleep(Duration::from_millis(100));
        if let Ok(Some(status)) = s.child.try_wait() {
            return Err(crate::Error::Exited {
                daemon: "stayrtr",
                status: status.to_string(),
                logs: s.log(),
            });
        }
        Ok(s)
    }

    /// `host:port` of the cache.
    pub fn address(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// The RTR port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The file it serves.
    pub fn file(&self) -> PathBuf {
        self.dir.path().join("vrps.json")
    }

    /// Replaces the served file atomically (StayRTR rereads it every second).
    pub fn rewrite(&self, json: &str) -> std::io::Result<()> {
        let tmp = self.dir.path().join("vrps.json.new");
        std::fs::write(&tmp, json)?;
        std::fs::rename(&tmp, self.file())
    }

    /// Its log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("stayrtr.log")).unwrap_or_default()
    }

    /// Stops it now.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for StayRtr {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A VRP file in the rpki-client dialect StayRTR reads: ROAs as
/// `(prefix, max length, asn)` and ASPA records as `(customer, providers)`
/// (StayRTR 0.5 reads ASPA from rpki-client's older per-family form).
pub fn vrp_json(vrps: &[(&str, u8, u32)], aspas: &[(u32, &[u32])]) -> String {
    let roas: Vec<String> = vrps
        .iter()
        .map(|(p, m, a)| format!(r#"{{"prefix":"{p}","maxLength":{m},"asn":{a},"ta":"test"}}"#))
        .collect();
    let aspas: Vec<String> = aspas
        .iter()
        .map(|(c, ps)| {
            let ps: Vec<String> = ps.iter().map(u32::to_string).collect();
            format!(
                r#"{{"customer_asid":{c},"expires":4102444799,"providers":[{}]}}"#,
                ps.join(",")
            )
        })
        .collect();
    let aspas = aspas.join(",");
    format!(
        r#"{{"metadata":{{"buildtime":"2026-01-01T00:00:00Z"}},"roas":[{}],"provider_authorizations":{{"ipv4":[{aspas}],"ipv6":[{aspas}]}}}}"#,
        roas.join(",")
    )
}
