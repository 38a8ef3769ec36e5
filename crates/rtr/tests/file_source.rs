//! The JSON file source: initial load, reload when the file changes, the last
//! set kept when a new version is broken, and a file combined with another
//! source in one store.

use std::sync::Arc;
use std::time::Duration;

use condor_rtr::{spawn_file_source, Aspa, RovState, RpkiSnapshot, RpkiStore, Vrp};
use condor_wire::{Asn, Prefix};

fn p(s: &str) -> Prefix {
    s.parse().expect("prefix")
}

async fn wait_serial(store: &RpkiStore, serial: u64) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while store.serial() < serial {
        assert!(
            tokio::time::Instant::now() < deadline,
            "no publication {serial}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn reloads_when_the_file_changes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("vrps.json");
    std::fs::write(
        &file,
        r#"{"roas":[{"prefix":"45.183.47.0/24","maxLength":24,"asn":"AS64115"}]}"#,
    )
    .expect("write");
    let store = Arc::new(RpkiStore::new());
    let _src = spawn_file_source(&file, store.clone(), Duration::from_millis(50)).expect("load");
    assert_eq!(store.serial(), 1);
    let snap = store.snapshot();
    assert_eq!(
        snap.rov(&p("45.183.47.0/24"), Some(Asn(64115))),
        RovState::Valid
    );

    // A broken version: the last set stays.
    std::fs::write(
        &file,
        r#"{"roas":[{"prefix":"45.183.47.0/24","asn":"ASX"}]}"#,
    )
    .expect("write");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(store.serial(), 1);

    // A good one with ASPA (different size, so the change shows even within
    // one mtime tick).
    std::fs::write(
        &file,
        r#"{"roas":[{"prefix":"45.183.47.0/24","maxLength":25,"asn":64115}],
            "aspas":[{"customer":"AS64115","providers":[]}]}"#,
    )
    .expect("write");
    wait_serial(&store, 2).await;
    let snap = store.snapshot();
    assert_eq!(
        snap.rov(&p("45.183.47.0/25"), Some(Asn(64115))),
        RovState::Valid
    );
    assert_eq!(snap.providers(Asn(64115)), Some(&[][..]));
}

#[tokio::test]
async fn a_missing_file_is_an_error_at_start() {
    let store = Arc::new(RpkiStore::new());
    let e = spawn_file_source(
        "/nonexistent/condor-vrps.json",
        store,
        Duration::from_secs(1),
    )
    .expect_err("missing file");
    assert!(
        e.to_string().contains("/nonexistent/condor-vrps.json"),
        "{e}"
    );
}

#[test]
fn sources_combine() {
    let store = RpkiStore::new();
    let vrp = Vrp {
        prefix: p("10.0.0.0/8"),
        max_len: 8,
        asn: Asn(1),
    };
    let aspa = Aspa::new(Asn(64501), vec![Asn(64510)]);
    store.publish_source("rtr", RpkiSnapshot::new([vrp], []));
    let c = store
        .publish_source("aspa.json", RpkiSnapshot::new([], [aspa.clone()]))
        .expect("change");
    assert_eq!(c.aspa_changed, vec![Asn(64501)]);
    assert!(c.vrps_added.is_empty());
    let s = store.snapshot();
    assert_eq!(s.vrps(), &[vrp]);
    assert_eq!(s.providers(Asn(64501)), Some(&[Asn(64510)][..]));
    // The RTR side going empty leaves the file's part.
    let c = store
        .publish_source("rtr", RpkiSnapshot::empty())
        .expect("change");
    assert_eq!(c.vrps_removed, vec![vrp]);
    assert_eq!(store.snapshot().aspas().len(), 1);
}
