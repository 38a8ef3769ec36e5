//! Change deltas: what a publication changed, which prefixes it affects, and
//! the change feed of the store.

use std::sync::Arc;

use condor_rtr::{Aspa, RpkiChange, RpkiSnapshot, RpkiStore, Vrp};
use condor_wire::{Asn, Prefix};

fn p(s: &str) -> Prefix {
    s.parse().expect("test input")
}

fn vrp(prefix: &str, max_len: u8, asn: u32) -> Vrp {
    Vrp {
        prefix: p(prefix),
        max_len,
        asn: Asn(asn),
    }
}

fn base() -> Vec<Vrp> {
    vec![
        vrp("10.0.0.0/16", 24, 65000),
        vrp("192.0.2.0/24", 24, 64496),
        vrp("2001:db8::/32", 48, 64498),
    ]
}

#[tokio::test]
async fn one_changed_vrp_affects_only_prefixes_it_covers() {
    let store = RpkiStore::new();
    let mut feed = store.subscribe();
    let first = store
        .publish(RpkiSnapshot::new(base(), []))
        .expect("test input");
    assert_eq!(first.serial, 1);
    assert_eq!(first.vrps_added.len(), 3);

    let mut next = base();
    next[0].max_len = 20;
    let change = store
        .publish(RpkiSnapshot::new(next, []))
        .expect("test input");
    assert_eq!(change.serial, 2);
    assert_eq!(change.vrps_added, vec![vrp("10.0.0.0/16", 20, 65000)]);
    assert_eq!(change.vrps_removed, vec![vrp("10.0.0.0/16", 24, 65000)]);
    assert!(change.aspa_changed.is_empty());
    for inside in ["10.0.0.0/16", "10.0.3.0/24", "10.0.255.128/25"] {
        assert!(change.affects(&p(inside)), "{inside}");
    }
    for outside in [
        "10.0.0.0/8",
        "10.1.0.0/16",
        "192.0.2.0/24",
        "2001:db8::/32",
        "0.0.0.0/0",
    ] {
        assert!(!change.affects(&p(outside)), "{outside}");
    }
    assert_eq!(change.covering_ranges(), vec![p("10.0.0.0/16")]);

    // The feed delivers both changes in order, and the store serves the new set.
    assert_eq!(feed.recv().await.expect("test input").serial, 1);
    let got = feed.recv().await.expect("test input");
    assert!(Arc::ptr_eq(&got, &change));
    assert_eq!(store.serial(), 2);
    assert_eq!(store.snapshot().vrps()[0], vrp("10.0.0.0/16", 20, 65000));
}

#[test]
fn publishing_the_same_set_changes_nothing() {
    let store = RpkiStore::new();
    store.publish(RpkiSnapshot::new(base(), []));
    assert!(store.publish(RpkiSnapshot::new(base(), [])).is_none());
    assert_eq!(store.serial(), 1);
}

#[test]
fn covering_ranges_drop_more_specifics() {
    let old = RpkiSnapshot::empty();
    let new = RpkiSnapshot::new(
        [
            vrp("10.0.0.0/8", 24, 1),
            vrp("10.1.0.0/16", 24, 2),
            vrp("2001:db8:1::/48", 48, 3),
        ],
        [],
    );
    let c = RpkiChange::between(&old, &new, 7);
    assert_eq!(c.serial, 7);
    assert_eq!(
        c.covering_ranges(),
        vec![p("10.0.0.0/8"), p("2001:db8:1::/48")]
    );
    assert!(c.affects(&p("2001:db8:1:2::/64")));
    assert!(!c.affects(&p("2001:db8:2::/48")));
}

#[test]
fn aspa_changes_name_the_customer() {
    let a = |c: u32, p: &[u32]| Aspa::new(Asn(c), p.iter().map(|&x| Asn(x)).collect());
    let old = RpkiSnapshot::new([], [a(64501, &[64510]), a(64502, &[64510])]);
    let new = RpkiSnapshot::new(
        [],
        [a(64501, &[64510, 64511]), a(64502, &[64510]), a(64503, &[])],
    );
    let c = RpkiChange::between(&old, &new, 1);
    assert_eq!(c.aspa_changed, vec![Asn(64501), Asn(64503)]);
    assert!(c.vrps_added.is_empty() && c.vrps_removed.is_empty());
    assert!(c.affects_path(&[Asn(64510), Asn(64501)]));
    assert!(!c.affects_path(&[Asn(64510), Asn(64502)]));
    assert!(!c.affects(&p("10.0.0.0/8")));
}
