//! Test support shared by the daemon-level tests: a `condor serve` process
//! in its own temporary directory, configured with the given members.

#![allow(dead_code)]

use condor_interop::{free_port, PeerSpec, RunningDaemon, DEFAULT_TIMEOUT};
use std::net::IpAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The route server's ASN in these tests (Perú IX's).
pub const RS_ASN: u32 = 64115;

/// A `condor serve` process with its own temp dir; killed on drop.
pub struct Condor {
    child: Child,
    dir: tempfile::TempDir,
    addr: IpAddr,
    port: u16,
}

pub struct Member {
    pub addr: IpAddr,
    pub asn: u32,
    pub password: Option<&'static str>,
}

impl Member {
    /// AS `asn` on a loopback address of its own, without TCP-MD5.
    pub fn on_loopback(asn: u32) -> Member {
        Member {
            addr: condor_interop::loopback_v4().into(),
            asn,
            password: None,
        }
    }

    /// The same, with the TCP-MD5 password `pw-ASN`.
    pub fn on_loopback_with_md5(asn: u32) -> Member {
        Member {
            password: Some(Box::leak(format!("pw-{asn}").into_boxed_str())),
            ..Member::on_loopback(asn)
        }
    }
}

/// A registry file in `dir` for a loopback exchange whose route server
/// `rs-test` (AS64115) is at `rs`, with no members yet.
pub fn loopback_registry(dir: &std::path::Path, rs: IpAddr) -> PathBuf {
    let reg = dir.join("registry.toml");
    std::fs::write(
        &reg,
        format!(
            "[exchange]\nname = \"Loopback IX\"\npeering_lan_v4 = \"127.0.0.0/8\"\n\n[[exchange.route_server]]\nname = \"rs-test\"\nasn = {RS_ASN}\naddresses = [\"{rs}\"]\n"
        ),
    )
    .expect("registry");
    reg
}

/// Runs `condor members --registry REG ARGS…`; it must succeed. Its output.
pub fn members(reg: &std::path::Path, args: &[&str]) -> String {
    let o = Command::new(env!("CARGO_BIN_EXE_condor"))
        .args(["members", "--registry"])
        .arg(reg)
        .args(args)
        .output()
        .expect("run condor members");
    assert!(
        o.status.success(),
        "condor members {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

impl Condor {
    pub fn start(addr: IpAddr, members: &[Member]) -> Condor {
        Condor::start_in(tempfile::tempdir().expect("temp dir"), addr, members, "")
    }

    /// As [`Condor::start`], in a prepared directory (e.g. holding a member
    /// registry), with `extra` appended to the configuration.
    pub fn start_in(
        dir: tempfile::TempDir,
        addr: IpAddr,
        members: &[Member],
        extra: &str,
    ) -> Condor {
        let port = free_port(addr).expect("free port");
        let mut cfg = format!(
            "[server]\nasn = {RS_ASN}\nrouter_id = \"45.183.47.1\"\nlisten = [\"{}\"]\nhold_time = 30\ncontrol_socket = \"{}\"\n[filters]\nnext_hop = \"any\"\nfirst_as = false\nbogon_prefixes = false\nbogon_asns = false\nipv4_length = [0, 32]\nipv6_length = [0, 128]\nreject_as_set = false\ntransit_free = []\nrpki = \"off\"\nirr = \"off\"\notc = \"ignore\"\n",
            std::net::SocketAddr::new(addr, port),
            dir.path().join("condor.sock").display()
        );
        for m in members {
            cfg.push_str(&format!("\n[[neighbor]]\nname = \"member AS{}\"\naddress = \"{}\"\nasn = {}\npassive = true\n", m.asn, m.addr, m.asn));
            if m.addr.is_ipv6() {
                cfg.push_str("families = [\"ipv6-unicast\"]\n");
            }
            if let Some(p) = m.password {
                cfg.push_str(&format!("password = \"{p}\"\n"));
            }
        }
        cfg.push_str(extra);
        let conf = dir.path().join("condor.toml");
        std::fs::write(&conf, cfg).expect("write config");
        let log = std::fs::File::create(dir.path().join("condor.log")).expect("log file");
        let child = Command::new(env!("CARGO_BIN_EXE_condor"))
            .args(["serve", "--config"])
            .arg(&conf)
            .args(["--log-level", "debug"])
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("spawn condor serve");
        let c = Condor {
            child,
            dir,
            addr,
            port,
        };
        c.wait_for(Duration::from_secs(10), "the control socket", |c| {
            c.socket().exists()
        });
        c
    }

    pub fn socket(&self) -> PathBuf {
        self.dir.path().join("condor.sock")
    }

    pub fn logs(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("condor.log")).unwrap_or_default()
    }

    pub fn cli(&self, args: &[&str]) -> String {
        let out = Command::new(env!("CARGO_BIN_EXE_condor"))
            .args(args)
            .arg("--socket")
            .arg(self.socket())
            .output()
            .expect("run condor");
        assert!(
            out.status.success(),
            "condor {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// The state condor reports for a neighbor.
    pub fn state(&self, addr: IpAddr) -> String {
        let v: serde_json::Value =
            serde_json::from_str(&self.cli(&["show", "neighbors", "--json"])).expect("JSON");
        v.as_array()
            .and_then(|a| a.iter().find(|n| n["address"] == addr.to_string()))
            .and_then(|n| n["state"].as_str().map(str::to_string))
            .unwrap_or_else(|| "absent".into())
    }

    pub fn wait_for(&self, timeout: Duration, what: &str, mut ok: impl FnMut(&Condor) -> bool) {
        let end = Instant::now() + timeout;
        while Instant::now() < end {
            if ok(self) {
                return;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        panic!(
            "timed out waiting for {what}\n--- condor log ---\n{}",
            self.logs()
        );
    }

    pub fn wait_established(&self, addr: IpAddr) {
        self.wait_for(
            DEFAULT_TIMEOUT,
            &format!("condor's session with {addr} to be Established"),
            |c| c.state(addr) == "Established",
        );
    }

    pub fn as_peer(&self, password: Option<&str>) -> PeerSpec {
        let p = PeerSpec::new(self.addr, self.port, RS_ASN);
        match password {
            Some(pw) => p.with_md5(pw),
            None => p,
        }
    }
}

impl Drop for Condor {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn fail(msg: &str, daemons: &[&RunningDaemon], condor: &Condor) -> ! {
    panic!(
        "{msg}\n{}\n--- condor log ---\n{}",
        condor_interop::diagnostics(daemons),
        condor.logs()
    );
}
