//! The route server with four real daemons as members at once: relay,
//! per-client best path without path hiding under an action community,
//! withdrawal and session loss.
//!
//! ```text
//!   BIRD AS64501 ─┐                              ┌─ GoBGP AS64503: 45.183.44.0/24 path [64503],
//!                 │                              │    community 0:64501 ("not to AS64501")
//!                 ├── condor serve AS64115 ──────┤
//!                 │   (MD5 on every session)     │
//!   FRR AS64502 ──┘                              └─ ExaBGP AS64504: 45.183.44.0/24 path [64504 65010]
//! ```
//!
//! GoBGP's path is the best (shorter), but AS64501 may not have it: BIRD
//! must get ExaBGP's path instead (RFC 7947 §2.3.2: no path hiding) while FRR
//! and ExaBGP get GoBGP's, with the action community removed and GoBGP's
//! informational community kept. When GoBGP withdraws, FRR moves to
//! ExaBGP's path; when ExaBGP's session is lost, the prefix disappears from
//! every member.

use condor_interop::{
    free_port, loopback_v4, require, Announcement, Community, DaemonKind, MemberConfig, PeerSpec,
    RunningDaemon, DEFAULT_TIMEOUT,
};
use std::net::IpAddr;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Condor {
    child: Child,
    dir: tempfile::TempDir,
}

impl Drop for Condor {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Condor {
    fn logs(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("condor.log")).unwrap_or_default()
    }
}

fn fail(msg: &str, daemons: &[&RunningDaemon], condor: &Condor) -> ! {
    panic!(
        "{msg}\n{}\n--- condor log ---\n{}",
        condor_interop::diagnostics(daemons),
        condor.logs()
    );
}

#[test]
fn four_daemons_per_client_best_path_with_an_action_community() {
    for k in [
        DaemonKind::Bird,
        DaemonKind::Frr,
        DaemonKind::Gobgp,
        DaemonKind::Exabgp,
    ] {
        if !require(k) {
            return;
        }
    }
    let cip: IpAddr = loopback_v4().into();
    let port = free_port(cip).expect("port");
    let members: Vec<(IpAddr, u32)> = (0..4)
        .map(|i| (IpAddr::from(loopback_v4()), 64501 + i))
        .collect();
    let dir = tempfile::tempdir().expect("tempdir");
    let mut cfg = format!(
        "[server]\nasn = 64115\nrouter_id = \"45.183.47.1\"\nlisten = [\"{cip}:{port}\"]\nhold_time = 30\ncontrol_socket = \"{}\"\n",
        dir.path().join("condor.sock").display()
    );
    for (addr, asn) in &members {
        cfg.push_str(&format!(
            "\n[[neighbor]]\naddress = \"{addr}\"\nasn = {asn}\npassive = true\npassword = \"pw-{asn}\"\n"
        ));
    }
    std::fs::write(dir.path().join("condor.toml"), cfg).expect("config");
    let child = Command::new(env!("CARGO_BIN_EXE_condor"))
        .args(["serve", "--config"])
        .arg(dir.path().join("condor.toml"))
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(dir.path().join("condor.log")).expect("log"))
        .spawn()
        .expect("condor serve");
    let condor = Condor { child, dir };

    let rs = |asn: u32| PeerSpec::new(cip, port, 64115).with_md5(format!("pw-{asn}"));
    let p1: condor_interop::Prefix = "45.183.44.0/24".parse().expect("prefix");
    let bird = DaemonKind::Bird
        .start(MemberConfig::new(64501, members[0].0).with_peer(rs(64501)))
        .expect("bird");
    let frr = DaemonKind::Frr
        .start(MemberConfig::new(64502, members[1].0).with_peer(rs(64502)))
        .expect("frr");
    let mut gobgp = DaemonKind::Gobgp
        .start(
            MemberConfig::new(64503, members[2].0)
                .with_peer(rs(64503))
                .with_route(
                    Announcement::parse("45.183.44.0/24", "198.18.0.3")
                        .expect("route")
                        .with_community(Community(0, 64501))
                        .with_community(Community(64503, 100)),
                ),
        )
        .expect("gobgp");
    let mut exa_route = Announcement::parse("45.183.44.0/24", "198.18.0.4").expect("route");
    exa_route.as_path = vec![64504, 65010];
    let exabgp = DaemonKind::Exabgp
        .start(
            MemberConfig::new(64504, members[3].0)
                .with_peer(rs(64504))
                .with_route(exa_route),
        )
        .expect("exabgp");
    let all = [&bird, &frr, &gobgp, &exabgp];
    for d in all {
        if let Err(e) = d.wait_established(cip, DEFAULT_TIMEOUT) {
            fail(
                &format!("{:?} did not establish: {e}", d.kind()),
                &all,
                &condor,
            );
        }
    }

    // Wait until each receiver has the path it must have.
    let expect = |d: &RunningDaemon, path: Vec<u32>| {
        let end = Instant::now() + DEFAULT_TIMEOUT;
        loop {
            let got = d.received_routes(cip).unwrap_or_default();
            if let Some(r) = got.iter().find(|r| r.prefix == p1) {
                if r.as_path == path {
                    return r.clone();
                }
            }
            if Instant::now() > end {
                fail(
                    &format!("{:?} never held {p1} with path {path:?}: {got:?}", d.kind()),
                    &[d],
                    &condor,
                );
            }
            std::thread::sleep(Duration::from_millis(250));
        }
    };
    let r = expect(&frr, vec![64503]);
    assert_eq!(
        r.next_hop,
        Some("198.18.0.3".parse().expect("ip")),
        "next hop unchanged"
    );
    assert!(
        !r.communities.contains(&Community(0, 64501)),
        "action community removed: {:?}",
        r.communities
    );
    assert!(
        r.communities.contains(&Community(64503, 100)),
        "informational community kept: {:?}",
        r.communities
    );
    expect(&exabgp, vec![64503]);
    let r = expect(&bird, vec![64504, 65010]);
    assert_eq!(r.next_hop, Some("198.18.0.4".parse().expect("ip")));
    // GoBGP never gets its own route, but the alternative.
    expect(&gobgp, vec![64504, 65010]);

    // Withdrawal: FRR moves to ExaBGP's path.
    gobgp.withdraw(p1).expect("withdraw");
    expect(&frr, vec![64504, 65010]);
    // Session loss: ExaBGP goes away, the prefix is gone everywhere.
    drop(exabgp);
    for d in [&bird, &frr, &gobgp] {
        if let Err(e) = d.wait_route_gone(cip, p1, DEFAULT_TIMEOUT) {
            fail(
                &format!("{:?} kept {p1} after the session loss: {e}", d.kind()),
                &[&bird, &frr, &gobgp],
                &condor,
            );
        }
    }
}
