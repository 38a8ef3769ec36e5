//! The BIRD 2 and FRR configuration snippets of the welcome e-mail, loaded
//! into real BIRD and FRR daemons, establish TCP-MD5 sessions with `condor
//! serve`, which takes both members from the registry. The only additions
//! to the snippets are what a test on loopback needs: the non-standard
//! ports (and BIRD's `strict bind`, so it does not take the port on every
//! address), `multihop 2` for BIRD (it refuses 127.0.0.0/8 neighbors as not
//! directly connected), and for FRR (bgpd without zebra) a router ID.
//!
//! ```text
//!   BIRD AS64501 (bird2 snippet) ─┐
//!                                 ├── condor serve AS64115 ([registry] route_server = "rs-test", MD5)
//!   FRR  AS64502 (frr snippet)  ──┘
//! ```

mod common;

use common::{loopback_registry, members, Condor, RS_ASN};
use condor_interop::{free_port, loopback_v4, require, DaemonKind};
use condor_onboarding::Templates;
use condor_registry::{secrets_path, SecretStore};
use condor_wire::Asn;
use std::net::IpAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};

struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn snippet(reg: &Path, asn: u32, platform: &str) -> String {
    let r = condor_registry::load(reg).expect("registry");
    let m = r.member(Asn(asn)).expect("member");
    let store = SecretStore::load(&secrets_path(reg)).expect("store");
    let pw = store.md5(Asn(asn)).expect("password");
    let p = condor_onboarding::platform(platform).expect("platform");
    Templates::load(None)
        .expect("templates")
        .snippet(&p, &r, m, pw)
        .expect("render")
}

#[test]
fn bird_and_frr_snippets_bring_up_md5_sessions() {
    if !require(DaemonKind::Bird) || !require(DaemonKind::Frr) {
        return;
    }
    let cip: IpAddr = loopback_v4().into();
    let a: IpAddr = loopback_v4().into();
    let b: IpAddr = loopback_v4().into();
    let dir = tempfile::tempdir().expect("tempdir");
    let reg = loopback_registry(dir.path(), cip);
    members(
        &reg,
        &[
            "add",
            "64501",
            "--name",
            "Bird One",
            "--ipv4",
            &a.to_string(),
        ],
    );
    members(
        &reg,
        &[
            "add",
            "64502",
            "--name",
            "Frr Two",
            "--ipv4",
            &b.to_string(),
        ],
    );
    let bird_snippet = snippet(&reg, 64501, "bird2");
    let frr_snippet = snippet(&reg, 64502, "frr");
    let condor = Condor::start_in(
        dir,
        cip,
        &[],
        "\n[registry]\npath = \"registry.toml\"\nroute_server = \"rs-test\"\n",
    );
    let port = condor.as_peer(None).port;

    let work = tempfile::tempdir().expect("tempdir");
    let bird_conf = work.path().join("bird.conf");
    let bird_port = free_port(a).expect("port");
    let bird_cfg = format!(
        "log stderr all;\nrouter id {a};\nprotocol device {{ }}\n{}",
        bird_snippet
            .replace(
                &format!("neighbor {cip} as"),
                &format!("neighbor {cip} port {port} as")
            )
            .replace(
                &format!("local {a} as"),
                &format!("strict bind yes;\n    multihop 2;\n    local {a} port {bird_port} as")
            )
    );
    assert!(
        bird_cfg.contains(&format!("neighbor {cip} port {port} as {RS_ASN};")),
        "{bird_cfg}"
    );
    std::fs::write(&bird_conf, &bird_cfg).expect("bird.conf");
    let _bird = Proc(
        Command::new("/usr/sbin/bird")
            .arg("-f")
            .arg("-c")
            .arg(&bird_conf)
            .arg("-s")
            .arg(work.path().join("bird.ctl"))
            .arg("-P")
            .arg(work.path().join("bird.pid"))
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(work.path().join("bird.log")).expect("log"))
            .spawn()
            .expect("bird"),
    );

    let frr_cfg = frr_snippet
        .replace(
            "router bgp 64502\n",
            &format!("router bgp 64502\n bgp router-id {b}\n"),
        )
        .replace(
            &format!(" neighbor {cip} remote-as {RS_ASN}\n"),
            &format!(" neighbor {cip} remote-as {RS_ASN}\n neighbor {cip} port {port}\n"),
        );
    assert!(
        frr_cfg.contains(&format!(" neighbor {cip} port {port}")),
        "{frr_cfg}"
    );
    let frr_conf = work.path().join("bgpd.conf");
    std::fs::write(&frr_conf, &frr_cfg).expect("bgpd.conf");
    let frr_port = free_port(b).expect("port").to_string();
    let _frr = Proc(
        Command::new("/usr/lib/frr/bgpd")
            .args(["-Z", "-S", "-f"])
            .arg(&frr_conf)
            .arg("-i")
            .arg(work.path().join("bgpd.pid"))
            .arg("--vty_socket")
            .arg(work.path())
            .args(["-P", "0", "-p", &frr_port, "-l", &b.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("bgpd"),
    );

    let logs = || std::fs::read_to_string(work.path().join("bird.log")).unwrap_or_default();
    condor.wait_for(condor_interop::DEFAULT_TIMEOUT, "BIRD's session", |c| {
        let up = c.state(a) == "Established";
        if !up && !logs().is_empty() && logs().contains("<ERR>") {
            panic!("BIRD: {}", logs());
        }
        up
    });
    condor.wait_established(b);
}
