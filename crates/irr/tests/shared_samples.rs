//! The file parser on real bgpq3 JSON output (HEAnet's IRR prefix lists,
//! from IXP Manager's CI data, in `../shared/data/08-peeringdb-extras/`).
//! Skips with a message when the shared data is absent.

use std::path::PathBuf;

use condor_irr::{load_file, MaxLen};
use condor_wire::Prefix;

fn sample(name: &str) -> Option<PathBuf> {
    let p = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/08-peeringdb-extras/"
    ))
    .join(name);
    if p.is_file() {
        Some(p)
    } else {
        eprintln!("SKIP: {} not found (shared data absent)", p.display());
        None
    }
}

fn p(s: &str) -> Prefix {
    s.parse().expect("prefix")
}

/// The distinct prefixes the file lists, read independently of the crate.
fn listed(path: &PathBuf) -> Vec<Prefix> {
    let text = std::fs::read_to_string(path).expect("read sample");
    let mut v: Vec<Prefix> = text
        .split("\"prefix\": \"")
        .skip(1)
        .map(|s| p(&s[..s.find('"').expect("closing quote")].replace("\\/", "/")))
        .collect();
    v.sort();
    v.dedup();
    v
}

#[test]
fn heanet_ipv4_prefix_list() {
    let Some(path) = sample("ixpmanager-ci__bgpq3-heanet-prefixes-v4.json") else {
        return;
    };
    let set = load_file(&path, "AS-HEANET", MaxLen::default()).unwrap();
    let all = listed(&path);
    assert_eq!(all.len(), 62);
    assert_eq!(set.counts().v4, all.len());
    assert_eq!(set.counts().v6, 0);
    assert_eq!(set.counts().origins, 0);
    for q in &all {
        assert!(set.check_prefix(q), "{q} listed but not accepted");
    }
    // `exact: true` entries get the configured more-specifics (to /24).
    assert!(set.check_prefix(&p("134.226.42.0/24")));
    assert!(!set.check_prefix(&p("134.226.42.0/25")));
    assert!(!set.check_prefix(&p("134.224.0.0/14")), "less specific");
    assert!(!set.check_prefix(&p("2001:770::/32")), "other family");
    // A /24 object allows only itself.
    assert!(set.check_prefix(&p("91.237.67.0/24")));
    assert!(!set.check_prefix(&p("91.237.66.0/24")));
}

#[test]
fn heanet_ipv6_prefix_list() {
    let Some(path) = sample("ixpmanager-ci__bgpq3-heanet-prefixes-v6.json") else {
        return;
    };
    let set = load_file(&path, "AS-HEANET", MaxLen::default()).unwrap();
    let all = listed(&path);
    assert_eq!(all.len(), 36);
    assert_eq!(set.counts().v6, all.len());
    for q in &all {
        assert!(set.check_prefix(q), "{q} listed but not accepted");
    }
    assert!(
        set.check_prefix(&p("2001:770:1234::/48")),
        "within 2001:770::/32 up to /48"
    );
    assert!(!set.check_prefix(&p("2001:770:1234::/49")));
    assert!(!set.check_prefix(&p("2001:771::/32")));
}
