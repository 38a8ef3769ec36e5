//! Proves the harness: real daemons peer with EACH OTHER on loopback, with
//! TCP MD5 (RFC 2385), exchange routes, and change them at run time.
//!
//! ```text
//!   IPv4 ring, one test per edge, each pair on its own 127.x.y.z addresses,
//!   non-privileged ports, MD5 on every session:
//!
//!          BIRD ──── GoBGP
//!          /             \
//!      ExaBGP            FRR
//!          \             /
//!          OpenBGPD ─────
//!
//!   IPv6: the same five pairs over [::1] (distinct ports).
//!
//!   Negative, never Established: BIRD ─╳─ GoBGP with different passwords;
//!   a password on one side only, for each daemon that checks MD5 on both
//!   its listening and its connecting sockets (BIRD, FRR, GoBGP, ExaBGP).
//!   OpenBGPD signs only the connections it opens (see the canary test).
//!
//!   Export: GoBGP(A) ── X ── BIRD(C), for X in all five: C never sees A's
//!   route (members announce only their own routes).
//!
//!   Route-server paths: ExaBGP (AS 65000, stand-in transparent route
//!   server) ── X, for X in BIRD, FRR, GoBGP, OpenBGPD: X accepts a path
//!   [65001] that does not start with 65000.
//! ```
//!
//! Each pair: both sides announce one route (with a community and a large
//! community) from the start; both see the session Established and the
//! other's route with AS path [other AS], the announced next hop and the
//! communities; then each announces a second route at run time and withdraws
//! the first, and the other side sees both changes. Every wait is bounded
//! (30 s) and failures print both daemons' logs.

use std::net::IpAddr;
use std::time::Duration;

use condor_interop::{
    diagnostics, free_port, loopback_v4, loopback_v6, require, Announcement, Community, DaemonKind,
    LargeCommunity, MemberConfig, PeerSpec, Route, RunningDaemon, DEFAULT_TIMEOUT,
};

use DaemonKind::{Bird, Exabgp, Frr, Gobgp, Openbgpd};

/// One side of a pair, planned before anything starts (both need the
/// other's address and port).
struct Plan {
    kind: DaemonKind,
    asn: u32,
    addr: IpAddr,
    port: u16,
    first: Announcement,
    second: Announcement,
}

/// Route `n` of the test data: /26s of 45.183.44.0/22 (Perú IX's space) or
/// /48s of 2001:db8::/32, next hops from 198.18.0.0/15 or 2001:db8::/32.
fn route(v6: bool, asn: u32, n: u8) -> Announcement {
    let (prefix, nh) = if v6 {
        (
            format!("2001:db8:{:x}:{n:x}00::/56", asn & 0xffff),
            format!("2001:db8::{:x}", n + 1),
        )
    } else {
        let third = 44 + n / 4;
        let fourth = (n % 4) * 64;
        (
            format!("45.183.{third}.{fourth}/26"),
            format!("198.18.0.{}", n + 1),
        )
    };
    let low = u16::try_from(asn % 65536).unwrap_or(0);
    Announcement::parse(&prefix, &nh)
        .expect("test data parses")
        .with_community(Community(low, 100 + u16::from(n)))
        .with_large_community(LargeCommunity(asn, 1, u32::from(n)))
}

fn plan(kind: DaemonKind, asn: u32, v6: bool, n: u8) -> Plan {
    let addr = if v6 {
        loopback_v6()
    } else {
        IpAddr::V4(loopback_v4())
    };
    let port = free_port(addr).expect("a free port");
    Plan {
        kind,
        asn,
        addr,
        port,
        first: route(v6, asn, n),
        second: route(v6, asn, n + 1),
    }
}

fn config(me: &Plan, other: &Plan, md5: Option<&str>) -> MemberConfig {
    let mut peer = PeerSpec::new(other.addr, other.port, other.asn);
    if let Some(pw) = md5 {
        peer = peer.with_md5(pw);
    }
    MemberConfig::new(me.asn, me.addr)
        .with_listen_port(me.port)
        .with_peer(peer)
        .with_route(me.first.clone())
}

fn start(p: &Plan, cfg: MemberConfig, others: &[&RunningDaemon]) -> RunningDaemon {
    p.kind
        .start(cfg)
        .unwrap_or_else(|e| panic!("starting {}: {e}\n{}", p.kind, diagnostics(others)))
}

/// Unwraps, or fails the test with the error and every daemon's logs.
fn check<T>(r: condor_interop::Result<T>, what: &str, ds: &[&RunningDaemon]) -> T {
    r.unwrap_or_else(|e| panic!("{what}: {e}\n\n{}", diagnostics(ds)))
}

/// `got` is `want` as announced by AS `asn` directly.
fn assert_route(got: &Route, want: &Announcement, asn: u32, ds: &[&RunningDaemon]) {
    let ok = got.as_path == vec![asn]
        && got.next_hop == Some(want.next_hop)
        && want.communities.iter().all(|c| got.communities.contains(c))
        && want
            .large_communities
            .iter()
            .all(|c| got.large_communities.contains(c));
    assert!(
        ok,
        "route {} differs: got {got}, want path [{asn}] via {} {:?} {:?}\n{}",
        want.prefix,
        want.next_hop,
        want.communities,
        want.large_communities,
        diagnostics(ds)
    );
}

/// The whole pair scenario described in the file header.
fn pair(a_kind: DaemonKind, b_kind: DaemonKind, v6: bool) {
    if !require(a_kind) || !require(b_kind) {
        return;
    }
    let t0 = std::time::Instant::now();
    let a = plan(a_kind, 65001, v6, 0);
    let b = plan(b_kind, 65002, v6, 4);
    let pw = format!("condor-{a_kind}-{b_kind}");
    let da = start(&a, config(&a, &b, Some(&pw)), &[]);
    let db = start(&b, config(&b, &a, Some(&pw)), &[&da]);
    let mut da = da;
    let mut db = db;
    {
        let ds = [&da, &db];
        check(
            da.wait_established(b.addr, DEFAULT_TIMEOUT),
            "A established",
            &ds,
        );
        check(
            db.wait_established(a.addr, DEFAULT_TIMEOUT),
            "B established",
            &ds,
        );
        let got = check(
            db.wait_route(a.addr, a.first.prefix, DEFAULT_TIMEOUT),
            "B gets A's",
            &ds,
        );
        assert_route(&got, &a.first, a.asn, &ds);
        let got = check(
            da.wait_route(b.addr, b.first.prefix, DEFAULT_TIMEOUT),
            "A gets B's",
            &ds,
        );
        assert_route(&got, &b.first, b.asn, &ds);
    }
    // Run time: a second route each, then withdraw the first.
    let announced = da
        .announce(a.second.clone())
        .and_then(|()| db.announce(b.second.clone()));
    check(announced, "announce at run time", &[&da, &db]);
    let ds = [&da, &db];
    let got = check(
        db.wait_route(a.addr, a.second.prefix, DEFAULT_TIMEOUT),
        "B gets A's 2nd",
        &ds,
    );
    assert_route(&got, &a.second, a.asn, &ds);
    let got = check(
        da.wait_route(b.addr, b.second.prefix, DEFAULT_TIMEOUT),
        "A gets B's 2nd",
        &ds,
    );
    assert_route(&got, &b.second, b.asn, &ds);
    let withdrawn = da
        .withdraw(a.first.prefix)
        .and_then(|()| db.withdraw(b.first.prefix));
    check(withdrawn, "withdraw at run time", &[&da, &db]);
    let ds = [&da, &db];
    check(
        db.wait_route_gone(a.addr, a.first.prefix, DEFAULT_TIMEOUT),
        "A's 1st gone at B",
        &ds,
    );
    check(
        da.wait_route_gone(b.addr, b.first.prefix, DEFAULT_TIMEOUT),
        "B's 1st gone at A",
        &ds,
    );
    let at_b = check(db.received_routes(a.addr), "B's routes", &ds);
    assert!(
        at_b.iter().any(|r| r.prefix == a.second.prefix),
        "A's 2nd lost at B"
    );
    // Both still up after all that.
    for (d, peer) in [(&da, b.addr), (&db, a.addr)] {
        let s = check(d.session_state(peer), "state", &ds);
        assert!(
            s.is_established(),
            "{} session {s}\n{}",
            d.kind(),
            diagnostics(&ds)
        );
    }
    println!(
        "{a_kind} <-> {b_kind} over {}: ok in {:.1}s",
        if v6 { "IPv6" } else { "IPv4" },
        t0.elapsed().as_secs_f64()
    );
}

#[test]
fn ring_bird_gobgp() {
    pair(Bird, Gobgp, false);
}

#[test]
fn ring_gobgp_frr() {
    pair(Gobgp, Frr, false);
}

#[test]
fn ring_frr_openbgpd() {
    pair(Frr, Openbgpd, false);
}

#[test]
fn ring_openbgpd_exabgp() {
    pair(Openbgpd, Exabgp, false);
}

#[test]
fn ring_exabgp_bird() {
    pair(Exabgp, Bird, false);
}

#[test]
fn ipv6_bird_gobgp() {
    pair(Bird, Gobgp, true);
}

#[test]
fn ipv6_gobgp_frr() {
    pair(Gobgp, Frr, true);
}

#[test]
fn ipv6_frr_openbgpd() {
    pair(Frr, Openbgpd, true);
}

#[test]
fn ipv6_openbgpd_exabgp() {
    pair(Openbgpd, Exabgp, true);
}

#[test]
fn ipv6_exabgp_bird() {
    pair(Exabgp, Bird, true);
}

/// How long a session must stay down to count as "never Established": well
/// past every daemon's connect-retry (2 s here) and several attempts.
const NEVER: Duration = Duration::from_secs(10);

fn never_established(
    a_kind: DaemonKind,
    b_kind: DaemonKind,
    pw_a: Option<&str>,
    pw_b: Option<&str>,
) {
    if !require(a_kind) || !require(b_kind) {
        return;
    }
    let a = plan(a_kind, 65001, false, 0);
    let b = plan(b_kind, 65002, false, 4);
    let before = md5_drops();
    let da = start(&a, config(&a, &b, pw_a), &[]);
    let db = start(&b, config(&b, &a, pw_b), &[&da]);
    // Both watched at once: each check runs on its own thread.
    std::thread::scope(|s| {
        let ha = s.spawn(|| da.expect_not_established(b.addr, NEVER));
        let hb = s.spawn(|| db.expect_not_established(a.addr, NEVER));
        let ra = ha.join().expect("watcher A");
        let rb = hb.join().expect("watcher B");
        check(ra, "A must stay down", &[&da, &db]);
        check(rb, "B must stay down", &[&da, &db]);
    });
    for d in [&da, &db] {
        assert!(d.is_running(), "{} died\n{}", d.kind(), d.logs_tail(50));
    }
    // The sessions stayed down because the kernel dropped segments for MD5
    // reasons, not because nothing was tried. (The counters are system-wide:
    // other tests can only add to them.)
    let after = md5_drops();
    assert!(
        after > before,
        "no MD5 drops counted ({before} -> {after}): did the daemons try to connect?\n{}",
        diagnostics(&[&da, &db])
    );
    let got = check(db.received_routes(a.addr), "B's routes", &[&da, &db]);
    assert!(got.is_empty(), "routes without a session: {got:?}");
}

/// Segments the kernel dropped for TCP MD5 reasons (signature missing,
/// unexpected or wrong), from `/proc/net/netstat`.
fn md5_drops() -> u64 {
    let text = std::fs::read_to_string("/proc/net/netstat").unwrap_or_default();
    let lines: Vec<&str> = text.lines().filter(|l| l.starts_with("TcpExt:")).collect();
    let [names, values] = lines[..] else {
        return 0;
    };
    names
        .split_whitespace()
        .zip(values.split_whitespace())
        .filter(|(n, _)| matches!(*n, "TCPMD5NotFound" | "TCPMD5Unexpected" | "TCPMD5Failure"))
        .filter_map(|(_, v)| v.parse::<u64>().ok())
        .sum()
}

#[test]
fn md5_mismatch_bird_gobgp_never_established() {
    never_established(Bird, Gobgp, Some("right-password"), Some("wrong-password"));
}

#[test]
fn md5_only_on_frr_never_established() {
    never_established(Frr, Openbgpd, Some("only-frr-has-it"), None);
}

#[test]
fn md5_only_on_bird_never_established() {
    never_established(Bird, Gobgp, Some("only-bird-has-it"), None);
}

#[test]
fn md5_only_on_gobgp_never_established() {
    never_established(Gobgp, Bird, Some("only-gobgp-has-it"), None);
}

#[test]
fn md5_only_on_exabgp_never_established() {
    never_established(Exabgp, Gobgp, Some("only-exabgp-has-it"), None);
}

/// Known limitation, kept as a canary: OpenBGPD 7.7 portable sets
/// TCP_MD5SIG only on the sockets it connects from, never on its listening
/// socket, so it accepts an unsigned incoming connection from a neighbor it
/// has a password for (seen with strace: one `setsockopt(TCP_MD5SIG)` before
/// each `connect`, none after `listen`). Its own connects are signed, so
/// MD5 sessions still come up. If this test fails, OpenBGPD started to
/// enforce MD5 on incoming connections: update the crate docs.
#[test]
fn openbgpd_accepts_unsigned_incoming_connections_known_limitation() {
    if !require(Openbgpd) || !require(Gobgp) {
        return;
    }
    let a = plan(Openbgpd, 65001, false, 0);
    let b = plan(Gobgp, 65002, false, 4);
    let da = start(&a, config(&a, &b, Some("openbgpd-only")), &[]);
    let db = start(&b, config(&b, &a, None), &[&da]);
    let ds = [&da, &db];
    check(
        da.wait_established(b.addr, DEFAULT_TIMEOUT),
        "OpenBGPD established",
        &ds,
    );
    check(
        db.wait_established(a.addr, DEFAULT_TIMEOUT),
        "GoBGP established",
        &ds,
    );
}

/// A ── X ── C: X learns A's route but must not pass it to C, while C does
/// get X's own route.
fn no_reexport(middle: DaemonKind) {
    if !require(middle) || !require(Gobgp) || !require(Bird) {
        return;
    }
    let a = plan(Gobgp, 65001, false, 0);
    let x = plan(middle, 65002, false, 4);
    let c = plan(Bird, 65003, false, 8);
    let xa = PeerSpec::new(a.addr, a.port, a.asn).with_md5("a-x");
    let xc = PeerSpec::new(c.addr, c.port, c.asn).with_md5("x-c");
    let cfg_x = MemberConfig::new(x.asn, x.addr)
        .with_listen_port(x.port)
        .with_peer(xa)
        .with_peer(xc)
        .with_route(x.first.clone());
    let da = start(&a, config(&a, &x, Some("a-x")), &[]);
    let dx = start(&x, cfg_x, &[&da]);
    let dc = start(&c, config(&c, &x, Some("x-c")), &[&da, &dx]);
    let ds = [&da, &dx, &dc];
    check(
        dx.wait_route(a.addr, a.first.prefix, DEFAULT_TIMEOUT),
        "X gets A's",
        &ds,
    );
    let got = check(
        dc.wait_route(x.addr, x.first.prefix, DEFAULT_TIMEOUT),
        "C gets X's",
        &ds,
    );
    assert_route(&got, &x.first, x.asn, &ds);
    // X had A's route before C had X's own: a re-export would be there by now,
    // but give it a few seconds more.
    std::thread::sleep(Duration::from_secs(3));
    let at_c = check(dc.received_routes(x.addr), "C's routes", &ds);
    assert!(
        !at_c.iter().any(|r| r.prefix == a.first.prefix),
        "{middle} re-exported A's route to C: {at_c:?}\n{}",
        diagnostics(&ds)
    );
}

#[test]
fn no_reexport_bird() {
    no_reexport(Bird);
}

#[test]
fn no_reexport_frr() {
    no_reexport(Frr);
}

#[test]
fn no_reexport_gobgp() {
    no_reexport(Gobgp);
}

#[test]
fn no_reexport_openbgpd() {
    no_reexport(Openbgpd);
}

#[test]
fn no_reexport_exabgp() {
    no_reexport(Exabgp);
}

/// ExaBGP plays a transparent route server (RFC 7947 §2.2: it does not add
/// its AS): it sends member X a route of another member, AS 65001, whose
/// path is just [65001]. X must accept a path that does not start with the
/// neighbor's AS (OpenBGPD enforces that by default, `enforce neighbor-as`;
/// the harness turns it off there and in FRR) and keep the other member's
/// next hop.
fn accepts_route_server_paths(member: DaemonKind) {
    if !require(member) || !require(Exabgp) {
        return;
    }
    let rs = plan(Exabgp, 65000, false, 0);
    let x = plan(member, 65002, false, 4);
    let other_members = route(false, 65001, 8).with_as_path(vec![65001]);
    let cfg_rs = config(&rs, &x, Some("rs-x")).with_route(other_members.clone());
    let d_rs = start(&rs, cfg_rs, &[]);
    let dx = start(&x, config(&x, &rs, Some("rs-x")), &[&d_rs]);
    let ds = [&d_rs, &dx];
    check(
        dx.wait_established(rs.addr, DEFAULT_TIMEOUT),
        "X established",
        &ds,
    );
    let what = "X gets the other member's route";
    let got = check(
        dx.wait_route(rs.addr, other_members.prefix, DEFAULT_TIMEOUT),
        what,
        &ds,
    );
    assert_route(&got, &other_members, 65001, &ds);
    let got = check(
        d_rs.wait_route(x.addr, x.first.prefix, DEFAULT_TIMEOUT),
        "RS gets X's",
        &ds,
    );
    assert_route(&got, &x.first, x.asn, &ds);
}

#[test]
fn route_server_paths_accepted_by_bird() {
    accepts_route_server_paths(Bird);
}

#[test]
fn route_server_paths_accepted_by_frr() {
    accepts_route_server_paths(Frr);
}

#[test]
fn route_server_paths_accepted_by_gobgp() {
    accepts_route_server_paths(Gobgp);
}

#[test]
fn route_server_paths_accepted_by_openbgpd() {
    accepts_route_server_paths(Openbgpd);
}

#[test]
fn versions_are_reported() {
    for kind in DaemonKind::ALL {
        if !require(kind) {
            continue;
        }
        let v = kind
            .version()
            .unwrap_or_else(|e| panic!("{kind} version: {e}"));
        assert!(!v.is_empty(), "{kind}: empty version");
        println!("{kind}: {v}");
    }
}
