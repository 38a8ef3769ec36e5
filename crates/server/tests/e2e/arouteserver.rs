//! arouteserver's live-test scenarios replayed against Condor.
//!
//! Each scenario of `../shared/data/03-arouteserver/scenarios/<name>/`
//! (arouteserver's own live tests, written for BIRD) is rebuilt here: the
//! route-server settings of its `general*.yml`/`clients.yml` become a
//! Condor configuration (RS AS999), each client's BIRD template (`AS*.j2`)
//! becomes a raw speaker announcing the same prefixes with the same AS
//! paths, next hops and communities, and what every client receives is
//! compared with the scenario's expected tables (`expected-routes/<variant>/
//! ASn.txt`, the routes learnt "via" the route server) and the route
//! server's own table (`rs.txt`). Differences that are intended are applied
//! to the expected tables by [`Deviation`]s, each naming its section in
//! `docs/policy.md`; anything else fails the test with a full diff.
//!
//! Addresses: arouteserver's clients sit on 192.0.2.0/24; here every
//! 192.0.2.N is 127.0.0.N (RS 192.0.2.2 → 127.0.0.2, AS1 192.0.2.11 →
//! 127.0.0.11, ...), both for the sessions and for the NEXT_HOP values,
//! and the comparison maps them back.
//!
//! ```text
//!   AS1 127.0.0.11 ──┐
//!   AS2 127.0.0.21 ──┼── condor AS999 127.0.0.2:port
//!   ...            ──┘
//! ```

use crate::support::*;
use condor_rib::LookupQuery;
use condor_wire::{Community, ExtCommunity, LargeCommunity};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;
use std::time::Duration;

/// The route server's ASN in every arouteserver scenario.
const RS: u32 = 999;
/// arouteserver's route-server address (192.0.2.2), as last octet.
const RS_OCTET: u8 = 2;
/// How long a client may take to receive its expected table.
const CONVERGE: Duration = Duration::from_secs(5);
/// How long we keep listening after a match, for unexpected extra routes.
const SETTLE: Duration = Duration::from_millis(400);

fn scenarios_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/03-arouteserver/scenarios"
    ));
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "SKIP: {} is absent (the shared data set with arouteserver's live-test scenarios)",
            dir.display()
        );
        None
    }
}

/// 192.0.2.N (arouteserver's LAN) → 127.0.0.N.
fn lan(n: u8) -> Ipv4Addr {
    lo(n)
}

/// 127.0.0.N → "192.0.2.N", for comparing with the expected tables.
pub(super) fn unmap(a: Ipv4Addr) -> String {
    let o = a.octets();
    if o[0] == 127 {
        format!("192.0.2.{}", o[3])
    } else {
        a.to_string()
    }
}

pub(super) fn std_c(high: u16, low: u16) -> Community {
    Community::new(high, low)
}

/// `rt:AS:value`, two-octet-AS-specific route target (RFC 4360 §4).
pub(super) fn rt(asn: u16, value: u32) -> ExtCommunity {
    let a = asn.to_be_bytes();
    let v = value.to_be_bytes();
    ExtCommunity([0x00, 0x02, a[0], a[1], v[0], v[1], v[2], v[3]])
}

fn lrg(g: u32, l1: u32, l2: u32) -> LargeCommunity {
    LargeCommunity::new(g, l1, l2)
}

/// arouteserver's notation of an extended community.
pub(super) fn ext_text(e: &ExtCommunity) -> String {
    let b = e.0;
    if b[0] == 0x00 && b[1] == 0x02 {
        format!(
            "rt:{}:{}",
            u16::from_be_bytes([b[2], b[3]]),
            u32::from_be_bytes([b[4], b[5], b[6], b[7]])
        )
    } else {
        e.to_string()
    }
}

/// One route as the expected tables show it (communities sorted).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Route {
    pub(super) as_path: Vec<u32>,
    pub(super) next_hop: String,
    pub(super) std: Vec<String>,
    pub(super) ext: Vec<String>,
    pub(super) lrg: Vec<String>,
}

impl Route {
    fn line(&self) -> String {
        format!(
            "AS_PATH {:?} NEXT_HOP {} std [{}] ext [{}] lrg [{}]",
            self.as_path,
            self.next_hop,
            self.std.join(", "),
            self.ext.join(", "),
            self.lrg.join(", ")
        )
    }
}

/// One entry of an expected-routes file.
#[derive(Clone, Debug)]
struct Entry {
    prefix: String,
    route: Route,
    via: String,
    best: bool,
    filtered: bool,
}

fn comms(line: &str, key: &str) -> Vec<String> {
    let rest = line.trim().strip_prefix(key).unwrap_or("").trim();
    let mut v: Vec<String> = rest
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    v.sort();
    v
}

/// Parses arouteserver's expected-routes format: a header line
/// `prefix, AS_PATH: a b, NEXT_HOP: x, via y`, then `std comms:`,
/// `ext comms:`, `lrg comms:`, `best: True, LOCAL_PREF: n`,
/// `filtered: False (reasons)`.
fn parse_expected(text: &str) -> Vec<Entry> {
    let mut out = Vec::new();
    for block in text.split("\n\n").filter(|b| !b.trim().is_empty()) {
        let lines: Vec<&str> = block.lines().collect();
        let head: Vec<&str> = lines[0].split(", ").collect();
        let field = |k: &str| {
            head.iter()
                .find_map(|h| h.strip_prefix(k))
                .unwrap_or_else(|| panic!("no {k} in {:?}", lines[0]))
                .trim()
                .to_string()
        };
        let line = |k: &str| {
            lines
                .iter()
                .find(|l| l.trim().starts_with(k))
                .copied()
                .unwrap_or_else(|| panic!("no {k} in {block:?}"))
        };
        out.push(Entry {
            prefix: head[0].to_string(),
            route: Route {
                as_path: field("AS_PATH:")
                    .split_whitespace()
                    .map(|a| a.parse().expect("ASN"))
                    .collect(),
                next_hop: field("NEXT_HOP:"),
                std: comms(line("std comms:"), "std comms:"),
                ext: comms(line("ext comms:"), "ext comms:"),
                lrg: comms(line("lrg comms:"), "lrg comms:"),
            },
            via: field("via "),
            best: line("best:").contains("True"),
            filtered: line("filtered:").contains("True"),
        });
    }
    out
}

/// One client of a scenario.
#[derive(Clone, Debug)]
struct Client {
    asn: u32,
    /// Last octet of its address (192.0.2.N → 127.0.0.N).
    octet: u8,
    /// Its BIRD template imports from the route server (`import none` makes
    /// its expected table show only its own routes: nothing to compare).
    imports: bool,
    /// Extra TOML lines of its `[[neighbor]]`.
    extra: String,
}

fn client(asn: u32, octet: u8) -> Client {
    Client {
        asn,
        octet,
        imports: true,
        extra: String::new(),
    }
}

/// One announcement of a client's template.
#[derive(Clone, Debug)]
struct Ann {
    from: u32,
    prefix: &'static str,
    as_path: Vec<u32>,
    /// Last octet of the NEXT_HOP value (192.0.2.N).
    next_hop: u8,
    comms: Communities,
}

/// A client's expected table: prefix → route.
type Table = BTreeMap<String, Route>;
/// The route server's expected table: prefix → sorted path lines.
type RsTable = BTreeMap<String, Vec<String>>;
/// Changes a client's expected table (with the client's ASN).
type ClientFix = dyn Fn(u32, &mut Table);
/// Changes the route server's expected table.
type RsFix = dyn Fn(&mut RsTable);

/// An intended difference, applied to the expected tables before the
/// comparison: to each client's table (`apply`, with the client's ASN) and
/// to the route server's (`apply_rs`: prefix → sorted path lines).
struct Deviation {
    /// The section of docs/policy.md that explains it.
    doc: &'static str,
    apply: Box<ClientFix>,
    apply_rs: Box<RsFix>,
}

impl Deviation {
    /// A deviation of the clients' tables only.
    fn clients(
        doc: &'static str,
        apply: impl Fn(u32, &mut BTreeMap<String, Route>) + 'static,
    ) -> Deviation {
        Deviation {
            doc,
            apply: Box::new(apply),
            apply_rs: Box::new(|_| {}),
        }
    }
}

/// One line of the route server's table.
fn rs_line(via: &str, as_path: &[u32], next_hop: &str, best: bool, filtered: bool) -> String {
    format!("from {via} path {as_path:?} nh {next_hop} best {best} filtered {filtered}")
}

struct Scenario {
    name: &'static str,
    variant: &'static str,
    clients: Vec<Client>,
    /// TOML after `[server]`: `[filters]` and any other table.
    tables: String,
    anns: Vec<Ann>,
    deviations: Vec<Deviation>,
}

/// What was compared, for the summary line.
#[derive(Default, Debug)]
struct Tally {
    clients: usize,
    routes: usize,
    rs_paths: usize,
}

async fn replay(sc: Scenario) -> Option<Tally> {
    let dir = scenarios_dir()?.join(sc.name);
    // Every intended difference is explained in docs/policy.md.
    let policy_doc = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/policy.md");
    let policy = std::fs::read_to_string(policy_doc).expect("docs/policy.md");
    for dev in &sc.deviations {
        assert!(
            policy.contains(&format!("\n### {}\n", dev.doc)),
            "docs/policy.md has no section \"### {}\"",
            dev.doc
        );
    }
    let expected_dir = dir.join("expected-routes").join(sc.variant);
    init_logging();
    let mut cfg = ConfigBuilder::new(lan(RS_OCTET))
        .asn(RS)
        .filters(&sc.tables);
    for c in &sc.clients {
        let mut n = NeighborCfg::member(lan(c.octet), c.asn);
        n.extra = c.extra.clone();
        cfg = cfg.neighbor(n);
    }
    let d = cfg.start().await;
    let rs = listen_addr(&d);
    let mut speakers = Vec::new();
    for c in &sc.clients {
        let mut s = Speaker::establish(
            SpeakerCfg::new(lan(c.octet), c.asn).record_communities(),
            rs,
        )
        .await;
        s.expect("End-of-RIB", |s| s.eor).await;
        speakers.push(s);
    }
    for a in &sc.anns {
        let i = sc
            .clients
            .iter()
            .position(|c| c.asn == a.from)
            .expect("announcing client");
        let p = pfx(a.prefix);
        speakers[i]
            .announce_with_communities(&[p], &a.as_path, lan(a.next_hop), &a.comms)
            .await;
    }

    let mut diffs = Vec::new();
    let mut tally = Tally::default();
    // Per client: the routes learnt via the route server.
    for (c, s) in sc.clients.iter().zip(speakers.iter_mut()) {
        if !c.imports {
            continue;
        }
        let file = expected_dir.join(format!("AS{}.txt", c.asn));
        let text =
            std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let rs_via = format!("192.0.2.{RS_OCTET}");
        let mut want: BTreeMap<String, Route> = parse_expected(&text)
            .into_iter()
            .filter(|e| e.via == rs_via)
            .map(|e| (e.prefix, e.route))
            .collect();
        for dev in &sc.deviations {
            (dev.apply)(c.asn, &mut want);
        }
        let got_now = |s: &Speaker| received(s);
        s.pump_until(CONVERGE, |s| got_now(s) == want).await;
        s.drain_for(SETTLE).await;
        let got = received(s);
        tally.clients += 1;
        tally.routes += want.len();
        diff_tables(&format!("AS{}", c.asn), &want, &got, &mut diffs);
    }
    // The route server's table: every path, who sent it, best, filtered.
    let rs_file = expected_dir.join("rs.txt");
    let text =
        std::fs::read_to_string(&rs_file).unwrap_or_else(|e| panic!("{}: {e}", rs_file.display()));
    let mut want: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for e in parse_expected(&text) {
        let line = rs_line(
            &e.via,
            &e.route.as_path,
            &e.route.next_hop,
            e.best,
            e.filtered,
        );
        want.entry(e.prefix).or_default().push(line);
    }
    for dev in &sc.deviations {
        (dev.apply_rs)(&mut want);
    }
    // Every announced prefix is looked up, expected or not.
    for a in &sc.anns {
        want.entry(pfx(a.prefix).to_string()).or_default();
    }
    tally.rs_paths = want.values().map(Vec::len).sum();
    for (prefix, lines) in want.iter_mut() {
        lines.sort();
        let r = d
            .rib
            .lookup(LookupQuery {
                prefix: pfx(prefix),
                longest: false,
                client: None,
            })
            .await
            .expect("rib running");
        let mut got: Vec<String> = r
            .candidates
            .iter()
            .map(|c| {
                let path: Vec<u32> = c
                    .path
                    .attrs()
                    .as_path()
                    .map(|p| p.asns().map(|a| a.0).collect())
                    .unwrap_or_default();
                let from = match c.from.as_ref().map(|f| f.addr) {
                    Some(IpAddr::V4(a)) => unmap(a),
                    other => format!("{other:?}"),
                };
                let nh = match c.path.attrs().next_hop() {
                    Some(a) => unmap(a),
                    None => "-".into(),
                };
                rs_line(&from, &path, &nh, c.best, !c.path.verdict.is_accepted())
            })
            .collect();
        got.sort();
        if *lines != got {
            diffs.push(format!("rs {prefix}: expected {lines:#?}\n  got {got:#?}"));
        }
    }
    let _ = d.shutdown("end of the scenario").await;
    assert!(
        diffs.is_empty(),
        "scenario {}/{}: {} difference(s) not documented in docs/policy.md:\n{}",
        sc.name,
        sc.variant,
        diffs.len(),
        diffs.join("\n")
    );
    let docs: Vec<&str> = sc.deviations.iter().map(|d| d.doc).collect();
    eprintln!(
        "scenario {}/{}: {} clients, {} routes received as expected, {} route-server paths; intended differences applied: {docs:?}",
        sc.name, sc.variant, tally.clients, tally.routes, tally.rs_paths
    );
    Some(tally)
}

/// What a client has: nothing once its session is down.
pub(super) fn received(s: &Speaker) -> BTreeMap<String, Route> {
    if s.closed {
        return BTreeMap::new();
    }
    s.routes
        .iter()
        .map(|(p, seen)| {
            let mut std: Vec<String> = seen.communities.iter().map(|c| c.to_string()).collect();
            let mut ext: Vec<String> = seen.ext_communities.iter().map(ext_text).collect();
            let mut lrg: Vec<String> = seen
                .large_communities
                .iter()
                .map(|c| c.to_string())
                .collect();
            std.sort();
            ext.sort();
            lrg.sort();
            (
                p.to_string(),
                Route {
                    as_path: seen.as_path.to_vec(),
                    next_hop: seen.next_hop.map(unmap).unwrap_or_default(),
                    std,
                    ext,
                    lrg,
                },
            )
        })
        .collect()
}

fn diff_tables(
    who: &str,
    want: &BTreeMap<String, Route>,
    got: &BTreeMap<String, Route>,
    out: &mut Vec<String>,
) {
    let mut s = String::new();
    for (p, w) in want {
        match got.get(p) {
            None => {
                let _ = writeln!(s, "  missing {p}: {}", w.line());
            }
            Some(g) if g != w => {
                let _ = writeln!(
                    s,
                    "  {p}: expected {}\n  {p}:      got {}",
                    w.line(),
                    g.line()
                );
            }
            Some(_) => {}
        }
    }
    for (p, g) in got {
        if !want.contains_key(p) {
            let _ = writeln!(s, "  unexpected {p}: {}", g.line());
        }
    }
    if !s.is_empty() {
        out.push(format!("{who}:\n{s}"));
    }
}

/// The filters of arouteserver's defaults that these scenarios exercise,
/// in Condor's terms: next hop = the client's own address, first AS = the
/// client's, bogons, lengths /8–/24 and /12–/48 (arouteserver's IPv6
/// minimum is /12; Condor's default /16 — no scenario prefix is shorter),
/// transit-free ASNs; IRR enforcement is off in every scenario here
/// (`enforce_*_in_as_set: False`), RPKI too (no data configured).
fn default_filters() -> String {
    "[filters]\nipv6_length = [12, 48]\n".to_string()
}

fn ann(from: u32, prefix: &'static str, as_path: &[u32], next_hop: u8) -> Ann {
    Ann {
        from,
        prefix,
        as_path: as_path.to_vec(),
        next_hop,
        comms: Communities::default(),
    }
}

/// The path_hiding scenario (README.rst): AS101 (not a client) gives
/// 101.0.1.0/24 to AS1 with path [101] and to AS2 with [101 101 101 101];
/// AS1 passes it to the route server tagged "do not announce to AS3" and
/// "to AS4" (0:3, 0:4).
fn path_hiding(variant: &'static str, deviations: Vec<Deviation>) -> Scenario {
    let mut as1 = client(1, 11);
    as1.imports = false; // "import none" in AS1.j2
    let mut as2 = client(2, 21);
    as2.imports = false; // "import none" in AS2.j2
    let mut tagged = ann(1, "101.0.1.0/24", &[1, 101], 11);
    tagged.comms.std = vec![std_c(0, 3), std_c(0, 4)];
    Scenario {
        name: "path_hiding",
        variant,
        clients: vec![as1, as2, client(3, 31), client(4, 41)],
        tables: default_filters(),
        anns: vec![tagged, ann(2, "101.0.1.0/24", &[2, 101, 101, 101, 101], 21)],
        deviations,
    }
}

/// Mitigation on (Condor's only mode: per-client best path, RFC 7947
/// §2.3.2): AS3 and AS4 get AS2's path.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn path_hiding_mitigation_on() {
    let sc = path_hiding("PathHidingScenario_MitigationOn_BIRD2IPv4", vec![]);
    if let Some(t) = replay(sc).await {
        assert_eq!((t.clients, t.routes, t.rs_paths), (2, 2, 2));
    }
}

/// Mitigation off: arouteserver expects AS3 to get nothing (the overall
/// best path is not for it); Condor has no such mode and sends AS3 the
/// best path it may receive, AS2's (docs/policy.md, "Path hiding").
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn path_hiding_mitigation_off() {
    let dev = Deviation::clients("Path hiding", |client, want| {
        if client == 3 {
            assert!(want.is_empty(), "arouteserver: AS3 gets nothing");
            want.insert(
                "101.0.1.0/24".into(),
                Route {
                    as_path: vec![2, 101, 101, 101, 101],
                    next_hop: "192.0.2.21".into(),
                    std: vec![],
                    ext: vec![],
                    lrg: vec![],
                },
            );
        }
    });
    let sc = path_hiding("PathHidingScenario_MitigationOff_BIRD2IPv4", vec![dev]);
    if let Some(t) = replay(sc).await {
        assert_eq!((t.clients, t.routes, t.rs_paths), (2, 2, 2));
    }
}

/// gshut (README.rst): the route server itself performs a graceful
/// shutdown and tags every route it sends with GRACEFUL_SHUTDOWN. Condor
/// has no such switch (docs/policy.md, "Route-server graceful shutdown"):
/// the same routes arrive, untagged.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gshut() {
    let sc = Scenario {
        name: "gshut",
        variant: "GShutScenario_BIRD2IPv4",
        clients: vec![client(1, 11), client(2, 21)],
        tables: default_filters(),
        anns: vec![
            ann(1, "1.0.1.0/24", &[1], 11),
            ann(1, "1.0.2.0/24", &[1], 11),
            ann(2, "2.0.1.0/24", &[2], 21),
            ann(2, "2.0.2.0/24", &[2], 21),
        ],
        deviations: vec![Deviation::clients(
            "Route-server graceful shutdown",
            |_, want| {
                for r in want.values_mut() {
                    r.std.retain(|c| c != "65535:0");
                }
            },
        )],
    };
    if let Some(t) = replay(sc).await {
        assert_eq!((t.clients, t.routes, t.rs_paths), (2, 4, 4));
    }
}

/// communities (README.rst): AS2 steers its prefixes with arouteserver's
/// action communities; AS1's routes get a "custom community" from the
/// route server. arouteserver's scheme here (RS 999) is `0:peer`,
/// `999:peer`, `0:999` (Condor's standard forms too), `999:0:peer`,
/// `999:999:peer`, `999:0:999` (large) and `rt:0:peer`, `rt:999:peer`,
/// `rt:0:999` (extended). Condor's large forms are `999:0:peer`,
/// `999:1:peer`, `999:0:0` and it has no extended forms: those
/// announcements are translated to Condor's large equivalents
/// (docs/policy.md, "Action communities").
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn communities() {
    let a2 = |prefix, std: Vec<Community>, large: Vec<LargeCommunity>| {
        let mut a = ann(2, prefix, &[2], 22);
        a.comms.std = std;
        a.comms.large = large;
        a
    };
    let sc = Scenario {
        name: "communities",
        variant: "BGPCommunitiesScenario_BIRD2IPv4",
        clients: vec![client(1, 11), client(2, 22), client(131_073, 33)],
        tables: default_filters(),
        anns: vec![
            ann(1, "1.0.1.0/24", &[1], 11),
            // AS2_only_to_AS1_s: 0:999, 999:1 (the same in Condor's scheme).
            a2("2.0.1.0/24", vec![std_c(0, 999), std_c(999, 1)], vec![]),
            // AS2_only_to_AS1_e: rt:0:999, rt:999:1 → 999:0:0, 999:1:1.
            a2("2.0.2.0/24", vec![], vec![lrg(RS, 0, 0), lrg(RS, 1, 1)]),
            // AS2_only_to_AS1_l: 999:0:999, 999:999:1 → 999:0:0, 999:1:1.
            a2("2.0.3.0/24", vec![], vec![lrg(RS, 0, 0), lrg(RS, 1, 1)]),
            // AS2_only_to_AS131073_e: 0:999, rt:999:131073 → 0:999, 999:1:131073.
            a2("2.0.4.0/24", vec![std_c(0, 999)], vec![lrg(RS, 1, 131_073)]),
            // AS2_only_to_AS131073_l: 999:0:999, 999:999:131073 → 999:0:0, 999:1:131073.
            a2(
                "2.0.5.0/24",
                vec![],
                vec![lrg(RS, 0, 0), lrg(RS, 1, 131_073)],
            ),
            // AS2_bad_cust_comm1: 65501:65501, as announced.
            a2("2.0.6.0/24", vec![std_c(65501, 65501)], vec![]),
        ],
        deviations: vec![Deviation::clients(
            "Custom (informational) communities",
            |_, want| {
                // The route server adds no cust_comm1 to AS1's routes...
                if let Some(r) = want.get_mut("1.0.1.0/24") {
                    r.std.retain(|c| c != "65501:65501");
                    r.ext.retain(|c| c != "rt:65501:65501");
                    r.lrg.retain(|c| c != "999:65501:65501");
                }
                // ... and does not scrub it from AS2's: it is an
                // ordinary community to Condor, relayed unchanged.
                if let Some(r) = want.get_mut("2.0.6.0/24") {
                    r.std.push("65501:65501".into());
                }
            },
        )],
    };
    if let Some(t) = replay(sc).await {
        assert_eq!((t.clients, t.routes, t.rs_paths), (3, 9, 7));
    }
}

/// max_prefix with BIRD's `block` action: a client's prefixes beyond its
/// limit are ignored. Condor's `drop-new` keeps the first `limit` prefixes
/// in arrival order; BIRD keeps the first ones *it* received, in its own
/// export order, so the kept set differs (docs/policy.md, "Max-prefix").
/// The number kept is still checked: the expected tables must hold exactly
/// `limit` of the client's prefixes, and are replaced by the first `limit`
/// we announce.
fn drop_new_keeps_first(
    asn: u32,
    octet: u8,
    announced: &[&'static str],
    limit: usize,
) -> Deviation {
    let kept: Vec<String> = announced[..limit]
        .iter()
        .map(|p| pfx(p).to_string())
        .collect();
    let all: Vec<String> = announced.iter().map(|p| pfx(p).to_string()).collect();
    let nh = format!("192.0.2.{octet}");
    let (kept2, all2, nh2) = (kept.clone(), all.clone(), nh.clone());
    Deviation {
        doc: "Max-prefix",
        apply: Box::new(move |client, want| {
            // Its own table has none of its routes; a client whose session
            // is down (AS5) has none at all.
            if client == asn || want.is_empty() {
                return;
            }
            let before = want.len();
            want.retain(|_, r| r.as_path != [asn]);
            assert_eq!(
                before - want.len(),
                limit,
                "AS{client}'s expected table holds {limit} of AS{asn}'s prefixes"
            );
            for p in &kept {
                want.insert(
                    p.clone(),
                    Route {
                        as_path: vec![asn],
                        next_hop: nh.clone(),
                        std: vec![],
                        ext: vec![],
                        lrg: vec![],
                    },
                );
            }
        }),
        apply_rs: Box::new(move |want| {
            let mut n = 0;
            for p in &all2 {
                if let Some(v) = want.get_mut(p) {
                    let before = v.len();
                    v.retain(|l| !l.starts_with(&format!("from {nh2} ")));
                    n += before - v.len();
                }
            }
            assert_eq!(n, limit, "rs.txt holds {limit} of AS{asn}'s prefixes");
            for p in &kept2 {
                let v = want.entry(p.clone()).or_default();
                v.push(rs_line(&nh2, &[asn], &nh2, true, false));
                v.sort();
            }
        }),
    }
}

/// max_prefix (README.rst, BIRD variant). arouteserver's limits in Condor's
/// terms: AS1 4 (general limit), AS2 3 (PeeringDB 3, no increment), AS3 2,
/// AS4 6 (PeeringDB 4 + 1, + 20 %) with BIRD's `block` = `drop-new`; AS5
/// and AS6 3 with `shutdown`, AS6 counting only accepted routes
/// (`count_rejected_routes: False`), which Condor does not offer. Condor has
/// no PeeringDB lookup in the route server: the resulting limits are
/// written out (docs/policy.md, "Max-prefix").
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn max_prefix() {
    const P1: [&str; 5] = [
        "1.0.1.0/24",
        "1.0.2.0/24",
        "1.0.3.0/24",
        "1.0.4.0/24",
        "1.0.5.0/24",
    ];
    const P2: [&str; 5] = [
        "2.0.1.0/24",
        "2.0.2.0/24",
        "2.0.3.0/24",
        "2.0.4.0/24",
        "2.0.5.0/24",
    ];
    const P3: [&str; 5] = [
        "3.0.1.0/24",
        "3.0.2.0/24",
        "3.0.3.0/24",
        "3.0.4.0/24",
        "3.0.5.0/24",
    ];
    const P4: [&str; 7] = [
        "4.0.1.0/24",
        "4.0.2.0/24",
        "4.0.3.0/24",
        "4.0.4.0/24",
        "4.0.5.0/24",
        "4.0.6.0/24",
        "4.0.7.0/24",
    ];
    // Two valid, two bogons (RFC 1918) each.
    const P5: [&str; 4] = ["5.0.1.0/24", "5.0.2.0/24", "10.5.3.0/24", "10.5.4.0/24"];
    const P6: [&str; 4] = ["6.0.1.0/24", "6.0.2.0/24", "10.6.3.0/24", "10.6.4.0/24"];
    let limited = |asn, octet, limit: u32, action: &str| {
        let mut c = client(asn, octet);
        c.extra = format!("[neighbor.max_prefix]\nipv4 = {limit}\naction = \"{action}\"\n");
        c
    };
    let mut anns = Vec::new();
    for (asn, octet, list) in [
        (1, 11, &P1[..]),
        (2, 21, &P2[..]),
        (3, 31, &P3[..]),
        (4, 41, &P4[..]),
        (5, 51, &P5[..]),
        (6, 61, &P6[..]),
    ] {
        for p in list {
            anns.push(ann(asn, p, &[asn], octet));
        }
    }
    let sc = Scenario {
        name: "max_prefix",
        variant: "MaxPrefixScenario_BIRD2IPv4",
        clients: vec![
            limited(1, 11, 4, "drop-new"),
            limited(2, 21, 3, "drop-new"),
            limited(3, 31, 2, "drop-new"),
            limited(4, 41, 6, "drop-new"),
            limited(5, 51, 3, "shutdown"),
            limited(6, 61, 3, "shutdown"),
        ],
        tables: default_filters(),
        anns,
        deviations: vec![
            drop_new_keeps_first(1, 11, &P1, 4),
            drop_new_keeps_first(2, 21, &P2, 3),
            drop_new_keeps_first(3, 31, &P3, 2),
            drop_new_keeps_first(4, 41, &P4, 6),
            // AS6's rejected bogons count: its session goes down as AS5's.
            Deviation {
                doc: "Max-prefix",
                apply: Box::new(|client, want| {
                    if client == 6 {
                        want.clear();
                    } else {
                        want.retain(|_, r| r.as_path != [6]);
                    }
                }),
                apply_rs: Box::new(|want| {
                    for v in want.values_mut() {
                        v.retain(|l| !l.starts_with("from 192.0.2.61 "));
                    }
                }),
            },
        ],
    };
    if let Some(t) = replay(sc).await {
        assert_eq!(t.clients, 6);
    }
}

/// The extended-community forms of the communities scenario as announced,
/// untranslated: Condor does not act on extended communities and relays
/// them unchanged (RFC 7947 transparency; docs/policy.md, "Action
/// communities"), so `rt:0:999, rt:999:1` restrict nothing and
/// `0:999, rt:999:131073` sends the route to nobody.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn communities_extended_forms_are_relayed_not_acted_on() {
    if scenarios_dir().is_none() {
        return;
    }
    init_logging();
    let d = ConfigBuilder::new(lan(RS_OCTET))
        .asn(RS)
        .filters(&default_filters())
        .neighbor(NeighborCfg::member(lan(11), 1))
        .neighbor(NeighborCfg::member(lan(22), 2))
        .neighbor(NeighborCfg::member(lan(33), 131_073))
        .start()
        .await;
    let rs = listen_addr(&d);
    let mut as1 = Speaker::establish(SpeakerCfg::new(lan(11), 1).record_communities(), rs).await;
    let mut as2 = Speaker::establish(SpeakerCfg::new(lan(22), 2).record_communities(), rs).await;
    let mut as3 =
        Speaker::establish(SpeakerCfg::new(lan(33), 131_073).record_communities(), rs).await;
    for s in [&mut as1, &mut as2, &mut as3] {
        s.expect("End-of-RIB", |s| s.eor).await;
    }
    let only_to_as1 = Communities {
        ext: vec![rt(0, 999), rt(999, 1)],
        ..Communities::default()
    };
    let only_to_as131073 = Communities {
        std: vec![std_c(0, 999)],
        ext: vec![rt(999, 131_073)],
        ..Communities::default()
    };
    as2.announce_with_communities(&[pfx("2.0.4.0/24")], &[2], lan(22), &only_to_as131073)
        .await;
    as2.announce_with_communities(&[pfx("2.0.2.0/24")], &[2], lan(22), &only_to_as1)
        .await;
    for s in [&mut as1, &mut as3] {
        s.expect("2.0.2.0/24", |s| s.routes.contains_key(&pfx("2.0.2.0/24")))
            .await;
        s.drain_for(SETTLE).await;
        let got = received(s);
        let r = &got["2.0.2.0/24"];
        assert_eq!(r.ext, vec!["rt:0:999", "rt:999:1"], "{}", s.describe());
        assert!(r.std.is_empty() && r.lrg.is_empty(), "{r:?}");
        assert!(!got.contains_key("2.0.4.0/24"), "{}", s.describe());
    }
    let _ = d.shutdown("end of the test").await;
}
