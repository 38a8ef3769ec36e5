//! The route server takes its neighbors from the member registry; members
//! are added and removed with `condor members`, and `condor reload` brings
//! the new member's session up and tears the removed member's down, leaving
//! the other session alone. Both members are real BIRD 2 daemons using the
//! TCP-MD5 passwords `condor members add` generated into the secret store.
//!
//! ```text
//!   BIRD AS64501 (registry member from the start) ─┐
//!                                                  ├── condor serve AS64115, [registry] route_server = "rs-test"
//!   BIRD AS64502 (added to the registry, reload) ──┘   (MD5 on every session)
//! ```

mod common;

use common::{loopback_registry, members, Condor};
use condor_interop::{loopback_v4, require, DaemonKind, MemberConfig};
use condor_registry::{secrets_path, SecretStore};
use condor_wire::Asn;
use std::net::IpAddr;
use std::path::Path;
use std::process::Command;

fn password(reg: &Path, asn: u32) -> String {
    SecretStore::load(&secrets_path(reg))
        .expect("secret store")
        .md5(Asn(asn))
        .expect("password generated")
        .expose()
        .to_string()
}

fn transition(c: &Condor, addr: IpAddr) -> String {
    let v: serde_json::Value =
        serde_json::from_str(&c.cli(&["show", "neighbors", "--json"])).expect("JSON");
    v.as_array()
        .and_then(|a| a.iter().find(|n| n["address"] == addr.to_string()))
        .map(|n| n["last_transition"].to_string())
        .unwrap_or_default()
}

fn matrix(reg: &Path, c: &Condor) -> serde_json::Value {
    let o = Command::new(env!("CARGO_BIN_EXE_condor"))
        .args(["peering", "matrix", "--json", "--registry"])
        .arg(reg)
        .arg("--socket")
        .arg(c.socket())
        .output()
        .expect("run condor peering matrix");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).expect("matrix JSON")
}

#[test]
fn members_added_and_removed_by_reload() {
    if !require(DaemonKind::Bird) {
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
    let condor = Condor::start_in(
        dir,
        cip,
        &[],
        "\n[registry]\npath = \"registry.toml\"\nroute_server = \"rs-test\"\n",
    );
    let pw_a = password(&reg, 64501);
    let bird_a = DaemonKind::Bird
        .start(MemberConfig::new(64501, a).with_peer(condor.as_peer(Some(&pw_a))))
        .expect("bird a");
    condor.wait_established(a);
    assert_eq!(condor.state(b), "absent");

    // Add the second member, reload: its session comes up, A's stays.
    members(
        &reg,
        &[
            "add",
            "64502",
            "--name",
            "Bird Two",
            "--ipv4",
            &b.to_string(),
        ],
    );
    let pw_b = password(&reg, 64502);
    assert_ne!(pw_a, pw_b);
    let bird_b = DaemonKind::Bird
        .start(MemberConfig::new(64502, b).with_peer(condor.as_peer(Some(&pw_b))))
        .expect("bird b");
    // Registered, not yet a session: the running route server says so.
    let m = matrix(&reg, &condor);
    assert_eq!(m["asns"], serde_json::json!([64501, 64502]));
    assert_eq!(m["cells"][0][1]["state"], "route-servers-down");
    let a_since = transition(&condor, a);
    let out = condor.cli(&["reload"]);
    assert!(out.contains(&b.to_string()), "reload output: {out}");
    condor.wait_established(b);
    assert_eq!(
        transition(&condor, a),
        a_since,
        "A's session was touched by the reload"
    );

    // Remove the first member, reload: only its session goes.
    members(&reg, &["remove", "64501"]);
    let b_since = transition(&condor, b);
    condor.cli(&["reload"]);
    condor.wait_for(
        std::time::Duration::from_secs(10),
        "A's neighbor to go",
        |c| c.state(a) == "absent",
    );
    assert_eq!(condor.state(b), "Established");
    assert_eq!(
        transition(&condor, b),
        b_since,
        "B's session was touched by the reload"
    );
    // No password in the daemon's log.
    let logs = condor.logs();
    assert!(!logs.contains(&pw_a) && !logs.contains(&pw_b));
    drop(bird_a);
    drop(bird_b);
}
