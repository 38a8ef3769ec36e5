//! Writes: atomic replacement with a backup, the writers' lock, the
//! lost-update check, and a writer killed (SIGKILL) at random instants while
//! it rewrites the registry in a loop.

use condor_registry::{backup_path, load, Member, RegistryError, RegistryFile};
use condor_wire::Asn;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const EXAMPLE: &str = include_str!("../../../examples/peru-ix-registry.toml");
const CHILD_ENV: &str = "CONDOR_REGISTRY_TEST_WRITER";

fn fresh(dir: &Path) -> PathBuf {
    let path = dir.join("registry.toml");
    std::fs::write(&path, EXAMPLE).expect("write");
    path
}

#[test]
fn save_replaces_and_keeps_backup() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = fresh(dir.path());
    let mut f = RegistryFile::open(&path).expect("open");
    f.registry.members.push(Member::new(Asn(64500), "Nuevo"));
    f.save().expect("save");
    drop(f);
    assert_eq!(
        std::fs::read_to_string(backup_path(&path)).expect("bak"),
        EXAMPLE
    );
    let reg = load(&path).expect("load");
    assert_eq!(
        reg.member(Asn(64500)).map(|m| m.name.as_str()),
        Some("Nuevo")
    );
    // No temporary file left behind.
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.contains(".tmp.")), "{names:?}");
}

#[test]
fn second_writer_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = fresh(dir.path());
    let first = RegistryFile::open(&path).expect("open");
    let err = RegistryFile::open(&path).expect_err("locked");
    assert!(matches!(err, RegistryError::Locked { .. }), "{err}");
    assert!(err.to_string().contains("another writer"), "{err}");
    drop(first);
    RegistryFile::open(&path).expect("free again");
}

#[test]
fn change_on_disk_meanwhile_is_not_overwritten() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = fresh(dir.path());
    let mut f = RegistryFile::open(&path).expect("open");
    let edited = EXAMPLE.replace("Lima Cable", "Lima Cable S.A.");
    std::fs::write(&path, &edited).expect("hand edit");
    f.registry.members.push(Member::new(Asn(64500), "Nuevo"));
    let err = f.save().expect_err("changed");
    assert!(matches!(err, RegistryError::Changed { .. }), "{err}");
    assert_eq!(std::fs::read_to_string(&path).expect("read"), edited);
}

#[test]
fn invalid_registry_is_not_written() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = fresh(dir.path());
    let mut f = RegistryFile::open(&path).expect("open");
    f.registry
        .members
        .push(Member::new(Asn(64496), "Duplicate"));
    assert!(matches!(f.save(), Err(RegistryError::Invalid { .. })));
    assert_eq!(std::fs::read_to_string(&path).expect("read"), EXAMPLE);
}

/// The child: rewrites the registry as fast as it can until killed, making
/// the file grow and shrink (between 4 and 400 members).
#[test]
fn writer_child() {
    let Ok(path) = std::env::var(CHILD_ENV) else {
        return; // only runs as the child of `killed_writer_never_corrupts`
    };
    let path = PathBuf::from(path);
    loop {
        let mut f = match RegistryFile::open(&path) {
            Ok(f) => f,
            Err(RegistryError::Locked { .. }) => continue,
            Err(e) => panic!("{e}"),
        };
        // Next ASN after the highest so far (kept across killed children).
        let n = f
            .registry
            .members
            .iter()
            .map(|m| m.asn.0.saturating_sub(4_200_000_000))
            .max()
            .unwrap_or(0)
            + 1;
        if f.registry.members.len() > 400 {
            f.registry.members.truncate(4);
        }
        let mut m = Member::new(Asn(4_200_000_000 + n), format!("Member number {n}"));
        m.as_set = Some(format!("AS-MEMBER{n}"));
        f.registry.members.push(m);
        f.save().expect("save");
    }
}

#[test]
fn killed_writer_never_corrupts() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = fresh(dir.path());
    let exe = std::env::current_exe().expect("test binary");
    let mut sizes = Vec::new();
    for round in 0..12u64 {
        let mut child = Command::new(&exe)
            .args(["--exact", "writer_child", "--nocapture", "--test-threads=1"])
            .env(CHILD_ENV, &path)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn writer");
        // Let it write for a while (varying, so kills land at different
        // points), reading all along: a reader never sees a partial file.
        let start = Instant::now();
        let wait = Duration::from_millis(60 + round * 23);
        while start.elapsed() < wait {
            if let Err(e) = load(&path) {
                let _ = child.kill();
                let _ = child.wait();
                panic!("round {round}: a reader saw a broken registry: {e}");
            }
        }
        child.kill().expect("SIGKILL");
        child.wait().expect("reap");
        let reg = load(&path)
            .unwrap_or_else(|e| panic!("round {round}: registry unreadable after kill: {e}"));
        assert!(
            reg.members.len() >= 4,
            "round {round}: registry lost members"
        );
        sizes.push(reg.members.len());
        // The lock died with the writer.
        drop(RegistryFile::open(&path).expect("lock released by the kernel"));
    }
    // The writer did write (the test would prove nothing otherwise).
    assert!(sizes.iter().any(|&n| n > 4), "{sizes:?}");
}
