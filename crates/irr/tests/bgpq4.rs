//! The real `bgpq4` (Debian package `bgpq4`) expanding AS-SETs through our
//! runner.
//!
//! NOTE: the IRR server here is a STAND-IN (`support/irrd.rs`): a small
//! loopback TCP server answering the IRRd "!" query protocol from RPSL
//! objects written in this file. No real IRR server is reachable from the
//! test machines and a real IRRd needs PostgreSQL and Redis; bgpq4 and our
//! code around it are the real ones. Skips without bgpq4, fails under CI=true.

mod support;

use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use condor_irr::{
    bgpq4, Bgpq4Config, IrrConfig, IrrError, IrrManager, IrrSource, IrrSpec, MaxLen, RefreshOutcome,
};
use condor_wire::{Asn, Prefix};
use support::irrd::StandInIrrd;

const RPSL: &str = "\
as-set:  AS-CONDORTEST
members: AS3333, AS-CONDORSUB
source:  TEST

as-set:  AS-CONDORSUB
members: AS2128, AS64512,   # a private ASN: bgpq4 drops it
+        AS-CONDORTEST     # a loop, as real sets have
source:  TEST

route:   193.0.0.0/21
origin:  AS3333

route:   193.0.0.0/24
origin:  AS3333

route:   193.0.12.0/25
origin:  AS3333

route:   192.0.2.0/24
origin:  AS2128

route:   198.51.100.0/22
origin:  AS12654

route6:  2001:67c:2e8::/48
origin:  AS3333

route6:  2001:db8::/32
origin:  AS2128
";

/// The bgpq4 program, or `None` (skip) on a developer box without it.
fn bgpq4_program() -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join("bgpq4"))
            .find(|p| p.is_file())
    });
    if found.is_none() {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("bgpq4 is not installed (apt-get install bgpq4); required under CI=true");
        }
        eprintln!("SKIP: bgpq4 not installed (apt-get install bgpq4)");
    }
    found
}

fn cfg(program: PathBuf, host: String) -> Bgpq4Config {
    Bgpq4Config {
        program,
        host: Some(host),
        sources: Some("TEST".into()),
        timeout: Duration::from_secs(10),
        max_len: MaxLen::default(),
    }
}

fn p(s: &str) -> Prefix {
    s.parse().expect("prefix")
}

#[test]
fn expands_a_nested_as_set_in_both_families() {
    let Some(prog) = bgpq4_program() else { return };
    let srv = StandInIrrd::start(RPSL, false);
    let set = bgpq4::fetch(&cfg(prog, srv.host()), "AS-CONDORTEST").unwrap();

    assert_eq!(set.name(), "AS-CONDORTEST");
    assert_eq!(
        set.source(),
        &IrrSource::Bgpq4 {
            host: Some(srv.host()),
            sources: Some("TEST".into())
        }
    );
    assert!(set.age(SystemTime::now()) < Duration::from_secs(30));
    assert_eq!(set.origins(), &[Asn(2128), Asn(3333)]);
    // bgpq4 -R 24 folds 193.0.0.0/24 into the /21's range; the /25 stays exact.
    let c = set.counts();
    assert_eq!(
        (c.v4, c.v6, c.origins),
        (3, 2, 2),
        "{set:?} {:?}",
        set.entries()
    );

    for ok in [
        "193.0.0.0/21",
        "193.0.0.0/24",
        "193.0.6.0/23",
        "193.0.12.0/25",
        "192.0.2.0/24",
    ] {
        assert!(set.check_prefix(&p(ok)), "{ok} should be accepted");
    }
    for ok in ["2001:67c:2e8::/48", "2001:db8::/32", "2001:db8:ffff::/48"] {
        assert!(set.check_prefix(&p(ok)), "{ok} should be accepted");
    }
    for bad in [
        "193.0.0.0/20",      // less specific than the object
        "193.0.1.0/25",      // beyond /24
        "193.0.12.0/26",     // beyond an exact /25 object
        "198.51.100.0/22",   // AS12654 is not in the set
        "2001:db8::/49",     // beyond /48
        "2001:67c:2e9::/48", // outside
    ] {
        assert!(!set.check_prefix(&p(bad)), "{bad} should be rejected");
    }
    assert!(set.check(&p("192.0.2.0/24"), Asn(2128)).accepted());
    assert!(!set.check(&p("192.0.2.0/24"), Asn(12654)).origin_ok);
    assert!(!set.check_origin(Asn(64512)));
    // bgpq4's complaint about it is passed on, once.
    let w = set.warnings();
    assert_eq!(
        w.iter()
            .filter(|l| l.contains("Invalid AS number: 64512"))
            .count(),
        1,
        "{w:?}"
    );

    // What bgpq4 asked: the selected sources, a recursive set expansion,
    // and per-origin route / route6 lookups.
    let cmds = srv.commands();
    for expected in [
        "!sTEST",
        "!iAS-CONDORTEST,1",
        "!gas3333",
        "!gas2128",
        "!6as3333",
        "!6as2128",
    ] {
        assert!(
            cmds.iter().any(|c| c == expected),
            "{expected} not in {cmds:?}"
        );
    }
}

#[test]
fn a_single_asn_and_the_server_default_sources() {
    let Some(prog) = bgpq4_program() else { return };
    let srv = StandInIrrd::start(RPSL, false);
    let mut c = cfg(prog, srv.host());
    c.sources = None;
    c.max_len = MaxLen { v4: 22, v6: 48 };
    let set = bgpq4::fetch(&c, "AS2128").unwrap();
    assert_eq!(set.origins(), &[Asn(2128)]);
    assert!(set.check_prefix(&p("192.0.2.0/24")));
    assert!(!set.check_prefix(&p("193.0.0.0/21")));
    assert!(set.check_prefix(&p("2001:db8:1::/48")));
    assert!(
        srv.commands().iter().any(|c| c == "!s-lc"),
        "{:?}",
        srv.commands()
    );
}

#[test]
fn an_unknown_as_set_is_an_error_not_an_empty_filter() {
    let Some(prog) = bgpq4_program() else { return };
    let srv = StandInIrrd::start(RPSL, false);
    let e = bgpq4::fetch(&cfg(prog, srv.host()), "AS-NOSUCHSET").unwrap_err();
    assert!(matches!(e, IrrError::Empty { .. }), "{e}");
    assert!(e.to_string().contains("AS-NOSUCHSET"), "{e}");
}

#[test]
fn an_unreachable_server_names_the_set_and_bgpq4s_stderr() {
    let Some(prog) = bgpq4_program() else { return };
    // A port nobody listens on: bind, note it, close.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let e = bgpq4::fetch(&cfg(prog, format!("127.0.0.1:{port}")), "AS-CONDORTEST").unwrap_err();
    let msg = e.to_string();
    assert!(matches!(e, IrrError::Bgpq4Failed { .. }), "{msg}");
    assert!(msg.contains("AS-CONDORTEST"), "{msg}");
    // bgpq4's own words about the connection are passed on.
    let IrrError::Bgpq4Failed { stderr, .. } = &e else {
        unreachable!()
    };
    assert!(!stderr.is_empty(), "{msg}");
    assert!(stderr.to_lowercase().contains("connect"), "{msg}");
}

#[test]
fn a_server_that_never_answers_hits_the_timeout() {
    let Some(prog) = bgpq4_program() else { return };
    let srv = StandInIrrd::start(RPSL, true);
    let mut c = cfg(prog, srv.host());
    c.timeout = Duration::from_millis(800);
    let t = std::time::Instant::now();
    let e = bgpq4::fetch(&c, "AS-CONDORTEST").unwrap_err();
    assert!(matches!(e, IrrError::Bgpq4Timeout { .. }), "{e}");
    assert!(e.to_string().contains("AS-CONDORTEST"), "{e}");
    assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
}

#[test]
fn refresh_caches_survives_an_outage_and_reports_changes() {
    let Some(prog) = bgpq4_program() else { return };
    let srv = StandInIrrd::start(RPSL, false);
    let dir = tempfile::tempdir().unwrap();
    let config = IrrConfig {
        bgpq4: cfg(prog.clone(), srv.host()),
        cache_dir: Some(dir.path().to_path_buf()),
        ..Default::default()
    };
    let spec = IrrSpec::AsSet("AS-CONDORTEST".into());
    let mut m = IrrManager::new(config.clone());
    assert!(m.configure([spec.clone()]).is_empty());
    let RefreshOutcome::Updated {
        change,
        cache_error,
    } = m.refresh_now("AS-CONDORTEST")
    else {
        panic!("first refresh failed: {:?}", m.status(SystemTime::now()))
    };
    assert!(cache_error.is_none());
    assert_eq!(change.added_origins(), &[Asn(2128), Asn(3333)]);
    assert!(dir.path().join("AS-CONDORTEST.json").is_file());

    // The member adds a route object and AS12654 joins the set.
    {
        let mut d = srv.data.lock().unwrap();
        d.sets
            .get_mut("AS-CONDORSUB")
            .unwrap()
            .push("AS12654".into());
        d.routes
            .entry(3333)
            .or_default()
            .push("203.0.113.0/24".into());
    }
    let RefreshOutcome::Updated { change, .. } = m.refresh_now("AS-CONDORTEST") else {
        panic!("second refresh failed: {:?}", m.status(SystemTime::now()))
    };
    assert_eq!(change.added_origins(), &[Asn(12654)]);
    assert!(change.removed().is_empty() && change.removed_origins().is_empty());
    assert!(change.affects(&p("203.0.113.0/24")));
    assert!(
        change.affects(&p("198.51.100.0/23")),
        "AS12654's /22 came in"
    );
    assert!(!change.affects(&p("193.0.1.0/24")), "unchanged");
    assert!(!change.affects(&p("2001:db8::/32")), "unchanged");

    // IRR outage: a manager pointed at a dead server keeps the cached data.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut offline = config.clone();
    offline.bgpq4.host = Some(format!("127.0.0.1:{port}"));
    let mut m2 = IrrManager::new(offline);
    assert!(m2.configure([spec]).is_empty());
    let cached = m2.get("AS-CONDORTEST").expect("cached set loaded at start");
    assert!(cached.check(&p("203.0.113.0/24"), Asn(12654)).accepted());
    let out = m2.refresh_now("AS-CONDORTEST");
    let RefreshOutcome::Failed {
        error,
        kept_previous,
    } = out
    else {
        panic!("expected a failure, got {out:?}")
    };
    assert!(kept_previous);
    assert!(error.to_string().contains("AS-CONDORTEST"), "{error}");
    let st = &m2.status(SystemTime::now())[0];
    assert!(st.from_cache && st.last_error.is_some(), "{st:?}");
    assert_eq!(st.counts, cached.counts());
    assert!(m2
        .get("AS-CONDORTEST")
        .unwrap()
        .check_prefix(&p("203.0.113.0/24")));
}

#[test]
fn a_large_expansion_is_read_whole() {
    let Some(prog) = bgpq4_program() else { return };
    // 6,000 route objects: bgpq4 prints some 300 kB of JSON, far more than
    // a pipe holds, so the runner must drain it while bgpq4 runs.
    let mut rpsl = String::from("as-set: AS-CONDORBIG\nmembers: AS3333\n");
    for i in 0..6000u32 {
        let (a, b) = (20 + i / 256, i % 256);
        rpsl.push_str(&format!("\nroute: {a}.{b}.0.0/24\norigin: AS3333\n"));
    }
    let srv = StandInIrrd::start(&rpsl, false);
    let t = std::time::Instant::now();
    let set = bgpq4::fetch(&cfg(prog, srv.host()), "AS-CONDORBIG").unwrap();
    assert_eq!(set.counts().v4, 6000);
    assert!(set.check_prefix(&p("20.0.0.0/24")));
    assert!(set.check_prefix(&p("43.111.0.0/24")));
    assert!(!set.check_prefix(&p("43.112.0.0/24")));
    assert!(!set.check_prefix(&p("20.0.0.0/23")));
    eprintln!("6000 route objects through bgpq4: {:?}", t.elapsed());
}
