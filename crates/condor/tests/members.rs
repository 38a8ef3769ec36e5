//! `condor members …` end to end: each command, its exit code (docs/cli.md),
//! validation errors, the writers' lock, and that no output ever holds a
//! member's password.

use condor_registry::{secrets_path, RegistryFile, SecretStore};
use condor_wire::Asn;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const EXAMPLE: &str = include_str!("../../../examples/peru-ix-registry.toml");

struct Run {
    outputs: Vec<String>,
}

impl Run {
    fn condor(&mut self, reg: &Path, args: &[&str]) -> Output {
        let o = Command::new(env!("CARGO_BIN_EXE_condor"))
            .arg("members")
            .arg("--registry")
            .arg(reg)
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("cannot run condor: {e}"));
        self.outputs
            .push(String::from_utf8_lossy(&o.stdout).into_owned());
        self.outputs
            .push(String::from_utf8_lossy(&o.stderr).into_owned());
        o
    }
}

fn setup() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let reg = dir.path().join("registry.toml");
    std::fs::write(&reg, EXAMPLE).expect("write");
    (dir, reg)
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn add_show_set_rotate_remove_without_printing_passwords() {
    let (_dir, reg) = setup();
    let mut run = Run {
        outputs: Vec::new(),
    };
    let o = run.condor(
        &reg,
        &[
            "add",
            "AS64500",
            "--name",
            "Cusco Net",
            "--ipv4",
            "45.183.47.40",
            "--ipv6",
            "2803:cd60:6411:5::40",
            "--noc",
            "noc@cusco.example",
            "--max-prefix-v4",
            "100",
            "--policy",
            "selective",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let store = SecretStore::load(&secrets_path(&reg)).expect("store");
    let first = store
        .md5(Asn(64500))
        .expect("password generated")
        .expose()
        .to_string();

    let o = run.condor(&reg, &["show", "64500", "--json"]);
    assert_eq!(o.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["name"], "Cusco Net");
    assert_eq!(v["ipv6"][0], "2803:cd60:6411:5::40");
    assert_eq!(v["policy"], "selective");
    assert_eq!(v["max_prefix_v4"], 100);
    assert_eq!(v["password_set"], true);

    let o = run.condor(&reg, &["show", "64500"]);
    assert!(
        text(&o.stdout).contains("md5 password:  set"),
        "{}",
        text(&o.stdout)
    );

    let o = run.condor(
        &reg,
        &["set", "64500", "--status", "suspended", "--noc", ""],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let o = run.condor(&reg, &["list", "--json"]);
    let v: Value = serde_json::from_slice(&o.stdout).expect("json");
    let m = v
        .as_array()
        .expect("array")
        .iter()
        .find(|m| m["asn"] == 64500)
        .expect("listed");
    assert_eq!(m["status"], "suspended");
    assert!(m["contacts"].get("noc").is_none());

    let o = run.condor(&reg, &["rotate-password", "64500"]);
    assert_eq!(o.status.code(), Some(0));
    let store = SecretStore::load(&secrets_path(&reg)).expect("store");
    let second = store
        .md5(Asn(64500))
        .expect("password")
        .expose()
        .to_string();
    assert_ne!(first, second);

    let o = run.condor(&reg, &["list"]);
    assert!(text(&o.stdout)
        .lines()
        .any(|l| l.starts_with("64500 ") && l.contains("Cusco Net")));

    let o = run.condor(&reg, &["remove", "64500"]);
    assert_eq!(o.status.code(), Some(0));
    let store = SecretStore::load(&secrets_path(&reg)).expect("store");
    assert!(store.md5(Asn(64500)).is_none());
    let o = run.condor(&reg, &["show", "64500"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).contains("no member with AS64500"));

    for out in &run.outputs {
        assert!(
            !out.contains(&first) && !out.contains(&second),
            "password printed: {out}"
        );
    }
}

#[test]
fn validation_errors_exit_1_and_leave_the_file() {
    let (_dir, reg) = setup();
    let mut run = Run {
        outputs: Vec::new(),
    };
    let o = run.condor(&reg, &["add", "64496", "--name", "Again"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr).contains("AS64496 is already a member"),
        "{}",
        text(&o.stderr)
    );
    let o = run.condor(
        &reg,
        &[
            "add",
            "64501",
            "--name",
            "Bad",
            "--ipv4",
            "45.183.47.10",
            "--peering",
            "nope",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    let err = text(&o.stderr);
    assert!(err.starts_with("error: "), "{err}");
    assert!(
        err.contains("ipv4: 45.183.47.10 is already taken by member AS64496 (Andes Fibra)"),
        "{err}"
    );
    assert!(
        err.contains("contacts.peering: \"nope\" is not an e-mail address"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&reg).expect("read"), EXAMPLE);
    // Usage errors exit 2.
    assert_eq!(run.condor(&reg, &["add", "64501"]).status.code(), Some(2));
    assert_eq!(
        run.condor(&reg, &["show", "notanasn"]).status.code(),
        Some(2)
    );
    assert_eq!(
        run.condor(&reg, &["set", "64496", "--policy", "maybe"])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn concurrent_writer_is_refused() {
    let (_dir, reg) = setup();
    let held = RegistryFile::open(&reg).expect("lock");
    let mut run = Run {
        outputs: Vec::new(),
    };
    let o = run.condor(&reg, &["set", "64496", "--name", "Changed"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr).contains("another writer is changing the registry"),
        "{}",
        text(&o.stderr)
    );
    drop(held);
    let o = run.condor(&reg, &["set", "64496", "--name", "Changed"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
}

#[test]
fn missing_registry_exits_1_naming_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let reg = dir.path().join("none.toml");
    let mut run = Run {
        outputs: Vec::new(),
    };
    let o = run.condor(&reg, &["list"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).contains("none.toml"));
}

#[test]
fn ixf_import_then_export() {
    let file = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/02-ixf-export/arouteserver-euroix__skip_routeserver_10.json"
    ));
    if !file.exists() {
        eprintln!("SKIPPED: {} is absent", file.display());
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let reg = dir.path().join("qcix.toml");
    let mut run = Run {
        outputs: Vec::new(),
    };
    let f = file.to_str().expect("utf-8 path");
    let o = run.condor(&reg, &["import", f, "--dry-run"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(text(&o.stdout).starts_with("dry run, nothing written: IX-F 1.0, VLAN 1: 18 created"));
    assert!(!reg.exists());
    let o = run.condor(&reg, &["import", f]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert!(
        out.contains("route server added: Quad Cities Internet Exchange"),
        "{out}"
    );
    assert!(
        out.contains(
            "skipped: AS397806 206.83.43.1: the exchange's route server (service ixrouteserver)"
        ),
        "{out}"
    );
    assert_eq!(
        SecretStore::load(&secrets_path(&reg)).expect("store").len(),
        18
    );
    let o = run.condor(&reg, &["export"]);
    let v: Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["version"], "1.0");
    // 18 members and the route server.
    assert_eq!(v["member_list"].as_array().map(Vec::len), Some(19));
    let o = run.condor(&reg, &["import", f]);
    assert!(
        text(&o.stdout).contains("0 created, 0 updated, 18 unchanged"),
        "{}",
        text(&o.stdout)
    );
    let o = run.condor(&reg, &["import", "/nonexistent.json"]);
    assert_eq!(o.status.code(), Some(1));
}
