//! Differential check: Condor against BIRD 2 configured by arouteserver.
//!
//! arouteserver (PyPI) generates the BIRD 2 route-server configuration of a
//! live-test scenario (`../shared/data/03-arouteserver/scenarios/<name>/`:
//! its `general.yml` and `clients.yml`) with local data only (no IRR,
//! PeeringDB or RPKI lookups: see [`GEN_PY`]). The configuration is moved
//! to loopback (192.0.2.N → 127.0.0.N, `multihop`, `strict bind`, an
//! unprivileged port) and BIRD runs beside an in-process Condor with the
//! equivalent configuration. The same raw speakers (the scenario's clients,
//! one per route server) announce the same routes to both; then every
//! client's received table (prefix, AS path, next hop, standard, extended
//! and large communities) and each route server's accepted/filtered paths
//! are compared. Differences must be the intended ones of docs/policy.md
//! (asserted one by one in [`intended`]); any other fails the test.
//!
//! ```text
//!   AS1 127.0.0.11 ──┬── BIRD   AS999 127.0.0.2:port_b (arouteserver's config)
//!   AS2 127.0.0.22 ──┤
//!   AS131073 .33   ──┴── Condor AS999 127.0.0.2:port_c
//! ```
//!
//! Needs `bird`/`birdc` (Debian `bird2`) and a Python where
//! `pierky.arouteserver` is importable: `$CONDOR_AROUTESERVER_PYTHON`,
//! `target/arouteserver-venv/bin/python` (made by scripts/test.sh) or
//! `python3`. Skips with a message when one is missing, fails when
//! `CI=true`.

use super::arouteserver::{received, rt, std_c, Route};
use crate::support::*;
use condor_rib::LookupQuery;
use condor_wire::{Community, ExtCommunity, LargeCommunity};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The route server's ASN in the scenarios.
const RS: u32 = 999;
/// The route server's address, 192.0.2.2 → 127.0.0.2.
const RS_OCTET: u8 = 2;
/// Longest wait for arouteserver, BIRD's control socket, a table to settle.
const WAIT: Duration = Duration::from_secs(15);
/// The speakers are settled when none received an UPDATE for this long.
const QUIET: Duration = Duration::from_millis(600);

/// Writes arouteserver's inputs into `out` and runs `arouteserver bird`:
/// the scenario's general.yml with `never_via_route_servers.peering_db`
/// off (the only default that queries the network once IRR and RPKI are
/// off, as they are in the scenarios), the package's own bogons.yml, a
/// private cache dir and no release check; IPv4, BIRD 2.0.11 syntax (the
/// newest 2.0.x target arouteserver offers; Debian ships 2.0.12); further
/// arguments are passed on.
const GEN_PY: &str = r#"
import os, subprocess, sys, yaml
import pierky.arouteserver as ars

import json
scenario, general_name, clients_name, out = sys.argv[1:5]
pkg = os.path.dirname(ars.__file__)
with open(os.path.join(scenario, general_name)) as f:
    general = yaml.safe_load(f)
flt = general["cfg"].setdefault("filtering", {})
flt.setdefault("never_via_route_servers", {})["peering_db"] = False
# "!include file" lines of a clients file, expanded in place.
lines = []
with open(os.path.join(scenario, clients_name)) as f:
    for line in f:
        if line.startswith("!include "):
            with open(os.path.join(scenario, line.split()[1])) as g:
                lines.append(g.read())
        else:
            lines.append(line)
clients = yaml.safe_load("".join(lines))
# Max-prefix limits that the scenario takes from PeeringDB, given here.
limits = json.loads(os.environ.get("ARS_LIMITS", "{}"))
if limits:
    flt.get("max_prefix", {}).setdefault("peering_db", {})["enabled"] = False
for c in clients["clients"]:
    if str(c["asn"]) in limits:
        mp = c.setdefault("cfg", {}).setdefault("filtering", {}).setdefault("max_prefix", {})
        mp["limit_ipv4"] = limits[str(c["asn"])]
        mp["peering_db"] = False
os.makedirs(os.path.join(out, "cache"), exist_ok=True)
with open(os.path.join(out, "clients.yml"), "w") as f:
    yaml.safe_dump(clients, f)
with open(os.path.join(out, "general.yml"), "w") as f:
    yaml.safe_dump(general, f)
with open(os.path.join(out, "arouteserver.yml"), "w") as f:
    yaml.safe_dump({
        "cfg_dir": out,
        "templates_dir": os.path.join(pkg, "templates"),
        "logging_config_file": os.path.join(pkg, "config.d", "log.ini"),
        "cache_dir": os.path.join(out, "cache"),
        "check_new_release": False,
    }, f)
sys.exit(subprocess.call([
    sys.executable, "-c", "from pierky.arouteserver.cli import main; main()", "bird",
    "--cfg", os.path.join(out, "arouteserver.yml"),
    "--ip-ver", "4", "--target-version", "2.0.11",
    "--general", os.path.join(out, "general.yml"),
    "--clients", os.path.join(out, "clients.yml"),
    "--bogons", os.path.join(pkg, "config.d", "bogons.yml"),
    "--logging-level", "ERROR",
    "-o", os.path.join(out, "bird.conf"),
] + sys.argv[5:]))
"#;

/// Skips (developer box) or fails (`CI=true`) with `why`.
fn missing(why: &str) -> Option<()> {
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("CI=true and {why}");
    }
    eprintln!("SKIP: {why}");
    None
}

fn scenario_dir(name: &str) -> Option<PathBuf> {
    let dir = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/03-arouteserver/scenarios"
    ))
    .join(name);
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("SKIP: {} is absent (shared data set)", dir.display());
        None
    }
}

/// A Python that imports arouteserver.
fn arouteserver_python() -> Option<PathBuf> {
    let mut candidates: Vec<PathBuf> = Vec::new();
    if let Ok(p) = std::env::var("CONDOR_AROUTESERVER_PYTHON") {
        candidates.push(p.into());
    }
    candidates.push(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/arouteserver-venv/bin/python"),
    );
    candidates.push("python3".into());
    candidates.into_iter().find(|p| {
        Command::new(p)
            .args(["-c", "import pierky.arouteserver"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false)
    })
}

fn program(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .chain(["/usr/sbin".into(), "/sbin".into()])
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// Runs `cmd` to completion within [`WAIT`]; its stdout, or a panic with
/// its stderr.
fn run_bounded(mut cmd: Command, what: &str) -> String {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    let deadline = Instant::now() + WAIT;
    loop {
        if child.try_wait().expect("wait").is_some() {
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what}: no exit within {WAIT:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().expect("output");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "{what}: {}\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// 192.0.2.N → 127.0.0.N for every host address (not the 192.0.2.0/24
/// bogon entry), `log` to stderr, BIRD listening on 127.0.0.2:`port`
/// (`strict bind`), and `multihop` (BIRD 2 takes a 127/8 neighbor for one
/// that is not directly connected).
fn adapt(conf: &str, port: u16) -> String {
    let mut mapped = String::with_capacity(conf.len());
    let mut rest = conf;
    while let Some(i) = rest.find("192.0.2.") {
        mapped.push_str(&rest[..i]);
        let after = &rest[i + 8..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0 && !after[digits..].starts_with('/') {
            mapped.push_str("127.0.0.");
        } else {
            mapped.push_str("192.0.2.");
        }
        rest = after;
    }
    mapped.push_str(rest);
    let mut out = String::new();
    let (mut locals, mut neighbors, mut secondaries) = (0, 0, 0);
    for line in mapped.lines() {
        let t = line.trim();
        if t.starts_with("log ") {
            if t.starts_with("log \"") {
                out.push_str("log stderr all;\n");
            }
            continue;
        }
        if t == "ipv4 table master4 sorted;" {
            // Multihop means recursive next hops, which BIRD refuses on a
            // sorted table (and `secondary` needs one: dropped below).
            // The next hops stay unresolved (BIRD shows the routes as
            // `unreachable`); a route server relays them all the same.
            out.push_str("ipv4 table master4;\n");
            continue;
        }
        if t == "secondary;" {
            secondaries += 1;
            continue;
        }
        if t == format!("local as {RS};") {
            locals += 1;
            let _ = writeln!(out, "\tlocal 127.0.0.{RS_OCTET} port {port} as {RS};");
            continue;
        }
        out.push_str(line);
        out.push('\n');
        if t.starts_with("neighbor 127.0.0.") {
            neighbors += 1;
            out.push_str("\tmultihop;\n\tstrict bind yes;\n");
        }
    }
    assert!(
        locals > 0 && locals == neighbors && secondaries == neighbors,
        "arouteserver's config has {locals} `local as {RS}`, {secondaries} `secondary` and {neighbors} neighbors"
    );
    out
}

/// A free TCP port on 127.0.0.2 (bound and released).
fn free_port() -> u16 {
    let l = std::net::TcpListener::bind((Ipv4Addr::new(127, 0, 0, RS_OCTET), 0)).expect("bind");
    l.local_addr().expect("addr").port()
}

/// BIRD running in its own temp dir; killed on drop.
struct Bird {
    child: Child,
    ctl: PathBuf,
    birdc: PathBuf,
    dir: tempfile::TempDir,
}

impl Bird {
    fn start(conf: &str, bird: &Path, birdc: &Path) -> Bird {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("bird.conf");
        std::fs::write(&path, conf).expect("write bird.conf");
        let mut check = Command::new(bird);
        check.arg("-p").arg("-c").arg(&path);
        run_bounded(check, "bird -p (parse arouteserver's config)");
        let ctl = dir.path().join("bird.ctl");
        let log = std::fs::File::create(dir.path().join("bird.log")).expect("log");
        let child = Command::new(bird)
            .arg("-f")
            .arg("-c")
            .arg(&path)
            .arg("-s")
            .arg(&ctl)
            .arg("-P")
            .arg(dir.path().join("bird.pid"))
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("spawn bird");
        let b = Bird {
            child,
            ctl,
            birdc: birdc.to_path_buf(),
            dir,
        };
        let deadline = Instant::now() + WAIT;
        while !b.ctl.exists() || b.try_birdc(&["show", "status"]).is_none() {
            assert!(
                Instant::now() < deadline,
                "BIRD's control socket: {}",
                b.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        b
    }

    fn try_birdc(&self, args: &[&str]) -> Option<String> {
        let out = Command::new(&self.birdc)
            .arg("-s")
            .arg(&self.ctl)
            .args(args)
            .output()
            .ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).to_string())
    }

    fn birdc(&self, args: &[&str]) -> String {
        let mut c = Command::new(&self.birdc);
        c.arg("-s").arg(&self.ctl).args(args);
        run_bounded(c, &format!("birdc {}", args.join(" ")))
    }

    /// A BGP protocol is starting, stopping or flushing its routes.
    fn sessions_in_transition(&self) -> bool {
        self.birdc(&["show", "protocols"]).lines().any(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            f.len() > 3 && f[1] == "BGP" && matches!(f[3], "start" | "stop" | "flush")
        })
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("bird.log")).unwrap_or_default()
    }

    /// Paths in BIRD's master table (`show route`) or among the filtered
    /// (`show route filtered`): "prefix from ASn".
    fn paths(&self, filtered: bool) -> BTreeSet<String> {
        let mut args = vec!["show", "route"];
        if filtered {
            args.push("filtered");
        }
        let text = self.birdc(&args);
        let mut out = BTreeSet::new();
        let mut prefix = String::new();
        for line in text.lines() {
            // `prefix  unreachable [AS1_1 time from addr] * (100) [AS1i]`
            // (the prefix only on its first path).
            let Some(open) = line.find(" [AS") else {
                continue;
            };
            if !line.starts_with(char::is_whitespace) {
                prefix = line.split_whitespace().next().unwrap_or("").to_string();
            }
            // The protocol is arouteserver's `AS<asn>_1`.
            let proto = &line[open + 2..];
            let asn: String = proto
                .trim_start_matches("AS")
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            out.insert(format!("{prefix} from AS{asn}"));
        }
        out
    }
}

impl Drop for Bird {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One client of a scenario.
struct Client {
    asn: u32,
    /// Last octet of its address.
    octet: u8,
    /// Extra TOML of its `[[neighbor]]` in Condor's configuration.
    extra: String,
}

fn client(asn: u32, octet: u8) -> Client {
    Client {
        asn,
        octet,
        extra: String::new(),
    }
}

/// arouteserver's inputs for one run.
struct Inputs<'a> {
    /// Scenario directory name.
    name: &'a str,
    /// Its general configuration file.
    general: &'a str,
    /// Its clients file.
    clients: &'a str,
    /// Extra `arouteserver bird` arguments.
    args: &'a [&'a str],
    /// Max-prefix limits replacing PeeringDB's, JSON `{"asn": limit}`.
    limits: &'a str,
    /// Clients whose session Condor closes and BIRD keeps up (an intended
    /// difference).
    closed_by_condor_only: &'a [u32],
}

/// One announcement: the client's, with its communities as sent to BIRD
/// (arouteserver's scheme) and to Condor (Condor's scheme; the same when
/// the scheme is shared).
struct Ann {
    from: u32,
    prefix: &'static str,
    /// AS path as sent.
    as_path: Vec<u32>,
    /// Last octet of the NEXT_HOP (127.0.0.N).
    next_hop: u8,
    to_bird: Communities,
    to_condor: Communities,
}

type Table = BTreeMap<String, Route>;

/// The session is down: closed, or a NOTIFICATION received.
fn down(s: &Speaker) -> bool {
    s.closed || s.notification.is_some()
}

/// What a client has: nothing once its session is down.
fn table(s: &Speaker) -> Table {
    if down(s) {
        return Table::new();
    }
    received(s)
}

/// Reads every speaker in turn until none received an UPDATE or was
/// closed for two rounds of at least [`QUIET`] (at most [`WAIT`]): a
/// route server may withdraw routes (a session shut down) after a client
/// looked quiet.
async fn settle_all(speakers: &mut [&mut Speaker]) {
    let deadline = Instant::now() + WAIT;
    let slice = QUIET / u32::try_from(speakers.len().max(1)).unwrap_or(1);
    let state = |ss: &[&mut Speaker]| -> (u64, usize) {
        (
            ss.iter().map(|s| s.updates).sum(),
            ss.iter().filter(|s| down(s)).count(),
        )
    };
    let mut quiet_rounds = 0;
    while quiet_rounds < 2 && Instant::now() < deadline {
        let before = state(speakers);
        for s in speakers.iter_mut() {
            s.drain_for(slice.max(Duration::from_millis(20))).await;
        }
        if state(speakers) == before {
            quiet_rounds += 1;
        } else {
            quiet_rounds = 0;
        }
    }
}

fn diff(who: &str, bird: &Table, condor: &Table, out: &mut Vec<String>) {
    for (p, b) in bird {
        match condor.get(p) {
            None => out.push(format!("{who} {p}: BIRD {b:?}, Condor nothing")),
            Some(c) if c != b => out.push(format!("{who} {p}: BIRD {b:?}\n   Condor {c:?}")),
            Some(_) => {}
        }
    }
    for (p, c) in condor {
        if !bird.contains_key(p) {
            out.push(format!("{who} {p}: BIRD nothing, Condor {c:?}"));
        }
    }
}

/// What was compared.
#[derive(Debug, Default)]
struct Tally {
    clients: usize,
    routes: usize,
    rs_paths: usize,
    intended: usize,
}

/// Runs one scenario on both route servers and compares. `intended`
/// turns BIRD's table of a client into what Condor must send it,
/// asserting each documented difference and counting it.
async fn differential(
    inputs: Inputs<'_>,
    clients: &[Client],
    anns: &[Ann],
    intended: impl Fn(u32, &mut Table) -> usize,
    intended_rs: impl Fn(&mut BTreeSet<String>) -> usize,
) -> Option<Tally> {
    let name = inputs.name;
    let dir = scenario_dir(name)?;
    let (Some(bird), Some(birdc)) = (program("bird"), program("birdc")) else {
        return missing("bird/birdc are not installed (Debian package bird2)").and(None);
    };
    let Some(python) = arouteserver_python() else {
        return missing(
            "arouteserver is not importable (pip install arouteserver; scripts/test.sh makes target/arouteserver-venv)",
        )
        .and(None);
    };
    init_logging();
    let t0 = Instant::now();
    // 1. arouteserver's BIRD configuration, offline.
    let gen = tempfile::tempdir().expect("tempdir");
    let script = gen.path().join("gen.py");
    std::fs::write(&script, GEN_PY).expect("write gen.py");
    let mut cmd = Command::new(&python);
    cmd.arg(&script)
        .arg(&dir)
        .arg(inputs.general)
        .arg(inputs.clients)
        .arg(gen.path())
        .args(inputs.args)
        .env("ARS_LIMITS", inputs.limits);
    run_bounded(cmd, "arouteserver bird");
    let conf = std::fs::read_to_string(gen.path().join("bird.conf")).expect("bird.conf");
    let port = free_port();
    // 2. BIRD on loopback.
    let b = Bird::start(&adapt(&conf, port), &bird, &birdc);
    let bird_addr = SocketAddr::new(IpAddr::V4(lo(RS_OCTET)), port);
    // 3. Condor with the equivalent configuration (defaults; see
    // docs/policy.md, "Settings mapping").
    let mut cfg = ConfigBuilder::new(lo(RS_OCTET))
        .asn(RS)
        .filters("[filters]\nipv6_length = [12, 48]\n");
    for c in clients {
        cfg = cfg.neighbor(NeighborCfg::member(lo(c.octet), c.asn).extra(&c.extra));
    }
    let d = cfg.start().await;
    let condor_addr = listen_addr(&d);
    let mut to_bird = Vec::new();
    let mut to_condor = Vec::new();
    for c in clients {
        let sc = SpeakerCfg::new(lo(c.octet), c.asn).record_communities();
        let s = Speaker::establish_within(sc.clone(), bird_addr, WAIT).await;
        to_bird.push(s.unwrap_or_else(|e| panic!("{e}\nBIRD log:\n{}", b.log())));
        let mut s = Speaker::establish(sc, condor_addr).await;
        s.expect("End-of-RIB", |s| s.eor).await;
        to_condor.push(s);
    }
    for a in anns {
        let i = clients
            .iter()
            .position(|c| c.asn == a.from)
            .expect("client");
        let nh = lo(a.next_hop);
        let p = [pfx(a.prefix)];
        to_bird[i]
            .announce_with_communities(&p, &a.as_path, nh, &a.to_bird)
            .await;
        to_condor[i]
            .announce_with_communities(&p, &a.as_path, nh, &a.to_condor)
            .await;
    }
    // 4. What every client received.
    let mut diffs = Vec::new();
    let mut tally = Tally::default();
    {
        let mut all: Vec<&mut Speaker> = to_bird.iter_mut().chain(to_condor.iter_mut()).collect();
        settle_all(&mut all).await;
        // A session BIRD shuts down stays in `stop`/`flush` for up to
        // 2 s (its routes are withdrawn at the end): wait for that, then
        // read what followed.
        let deadline = Instant::now() + WAIT;
        while b.sessions_in_transition() && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        settle_all(&mut all).await;
    }
    // BIRD's own view of its sessions (a session it shut down is not
    // always seen closed by the speaker at once).
    let proto = b.birdc(&["show", "protocols"]);
    let bird_up: Vec<bool> = clients
        .iter()
        .map(|c| {
            proto
                .lines()
                .find(|l| l.starts_with(&format!("AS{}_", c.asn)))
                .unwrap_or_else(|| panic!("no protocol for AS{} in\n{proto}", c.asn))
                .contains("Established")
        })
        .collect();
    for ((c, up), (sb, sc)) in clients
        .iter()
        .zip(bird_up.iter().copied())
        .zip(to_bird.iter().zip(to_condor.iter()))
    {
        let bird_down = !up || down(sb);
        if up && down(sb) {
            diffs.push(format!(
                "AS{}: BIRD shows the session up, its speaker does not",
                c.asn
            ));
        }
        let mut want = if bird_down { Table::new() } else { table(sb) };
        tally.intended += intended(c.asn, &mut want);
        let got = table(sc);
        if !bird_down && down(sc) && inputs.closed_by_condor_only.contains(&c.asn) {
            tally.intended += 1;
        } else if bird_down != down(sc) {
            diffs.push(format!(
                "AS{}: session down with BIRD {bird_down}, with Condor {}",
                c.asn,
                down(sc)
            ));
        }
        tally.clients += 1;
        tally.routes += got.len().max(want.len());
        diff(&format!("AS{}", c.asn), &want, &got, &mut diffs);
    }
    // 5. What each route server accepted and filtered.
    let mut bird_rs: BTreeSet<String> = b
        .paths(false)
        .into_iter()
        .map(|p| format!("{p} accepted"))
        .chain(b.paths(true).into_iter().map(|p| format!("{p} filtered")))
        .collect();
    let mut condor_rs = BTreeSet::new();
    let prefixes: BTreeSet<&str> = anns.iter().map(|a| a.prefix).collect();
    for p in prefixes {
        let r = d
            .rib
            .lookup(LookupQuery {
                prefix: pfx(p),
                longest: false,
                client: None,
            })
            .await
            .expect("rib running");
        for cand in &r.candidates {
            let octet = match cand.from.as_ref().map(|f| f.addr) {
                Some(IpAddr::V4(a)) => a.octets()[3],
                other => panic!("candidate from {other:?}"),
            };
            let asn = clients
                .iter()
                .find(|c| c.octet == octet)
                .map_or(0, |c| c.asn);
            let state = if cand.path.verdict.is_accepted() {
                "accepted"
            } else {
                "filtered"
            };
            condor_rs.insert(format!("{p} from AS{asn} {state}"));
        }
    }
    tally.rs_paths = bird_rs.len();
    tally.intended += intended_rs(&mut bird_rs);
    for l in bird_rs.symmetric_difference(&condor_rs) {
        let who = if bird_rs.contains(l) {
            "BIRD only"
        } else {
            "Condor only"
        };
        diffs.push(format!("route server: {who}: {l}"));
    }
    let _ = d.shutdown("end of the differential").await;
    assert!(
        diffs.is_empty(),
        "{name}: {} difference(s) between arouteserver's BIRD and Condor not documented in docs/policy.md:\n{}\nBIRD's table:\n{}{}",
        diffs.len(),
        diffs.join("\n"),
        b.birdc(&["show", "route", "all"]),
        b.birdc(&["show", "route", "all", "filtered"]),
    );
    eprintln!(
        "differential {name}: {} clients, {} routes compared, {} route-server paths, {} intended differences, {:.1?}",
        tally.clients,
        tally.routes,
        tally.rs_paths,
        tally.intended,
        t0.elapsed()
    );
    Some(tally)
}

fn lrg(l1: u32, l2: u32) -> LargeCommunity {
    LargeCommunity::new(RS, l1, l2)
}

/// An announcement of AS2 (192.0.2.22) with its communities for BIRD
/// (arouteserver's scheme, AS2.j2) and for Condor (Condor's scheme,
/// docs/policy.md "Action communities").
fn as2(prefix: &'static str, to_bird: Communities, to_condor: Communities) -> Ann {
    Ann {
        from: 2,
        prefix,
        as_path: vec![2],
        next_hop: 22,
        to_bird,
        to_condor,
    }
}

/// A route without communities.
fn plain(from: u32, prefix: &'static str, as_path: &[u32], next_hop: u8) -> Ann {
    Ann {
        from,
        prefix,
        as_path: as_path.to_vec(),
        next_hop,
        to_bird: Communities::default(),
        to_condor: Communities::default(),
    }
}

fn comms(std: Vec<Community>, ext: Vec<ExtCommunity>, large: Vec<LargeCommunity>) -> Communities {
    Communities { std, ext, large }
}

/// The communities scenario on arouteserver's BIRD and on Condor: AS1
/// announces 1.0.1.0/24 (the route server attaches the custom community
/// `cust_comm1` to it), AS2 steers 2.0.1–2.0.5.0/24 with action
/// communities in their standard, extended and large forms and sends
/// 2.0.6.0/24 with `65501:65501`, AS131073 announces nothing. The two
/// intended differences (docs/policy.md, "Custom (informational)
/// communities") are asserted on BIRD's output; everything else must be
/// identical.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn communities_bird_vs_condor() {
    let same = |std: Vec<Community>| comms(std.clone(), vec![], vec![]);
    let anns = vec![
        plain(1, "1.0.1.0/24", &[1], 11),
        // Only to AS1, standard forms: the same in both schemes.
        as2(
            "2.0.1.0/24",
            same(vec![std_c(0, 999), std_c(999, 1)]),
            same(vec![std_c(0, 999), std_c(999, 1)]),
        ),
        // Only to AS1, extended forms → Condor's large forms.
        as2(
            "2.0.2.0/24",
            comms(vec![], vec![rt(0, 999), rt(999, 1)], vec![]),
            comms(vec![], vec![], vec![lrg(0, 0), lrg(1, 1)]),
        ),
        // Only to AS1, large forms 999:0:999, 999:999:1 → 999:0:0, 999:1:1.
        as2(
            "2.0.3.0/24",
            comms(vec![], vec![], vec![lrg(0, 999), lrg(999, 1)]),
            comms(vec![], vec![], vec![lrg(0, 0), lrg(1, 1)]),
        ),
        // Only to AS131073: 0:999 + rt:999:131073 → 0:999 + 999:1:131073.
        as2(
            "2.0.4.0/24",
            comms(vec![std_c(0, 999)], vec![rt(999, 131_073)], vec![]),
            comms(vec![std_c(0, 999)], vec![], vec![lrg(1, 131_073)]),
        ),
        // Only to AS131073, large: 999:0:999, 999:999:131073 → 999:0:0, 999:1:131073.
        as2(
            "2.0.5.0/24",
            comms(vec![], vec![], vec![lrg(0, 999), lrg(999, 131_073)]),
            comms(vec![], vec![], vec![lrg(0, 0), lrg(1, 131_073)]),
        ),
        // The custom community sent by a client.
        as2(
            "2.0.6.0/24",
            same(vec![std_c(65501, 65501)]),
            same(vec![std_c(65501, 65501)]),
        ),
        // Not in the scenario: one route per default import filter, so
        // that both route servers have something to reject.
        plain(1, "10.1.0.0/24", &[1], 11), // bogon prefix (RFC 1918)
        plain(1, "1.0.2.0/25", &[1], 11),  // longer than /24
        plain(1, "1.0.3.0/24", &[1, 64_512], 11), // private ASN in the path
        plain(1, "1.0.4.0/24", &[1, 174], 11), // transit-free ASN behind a member
        plain(1, "1.0.5.0/24", &[2], 11),  // first AS is not AS1
        plain(2, "2.0.7.0/24", &[2], 11),  // next hop is AS1's address
        plain(2, "2.0.8.0/24", &[2, 23_456], 22), // AS_TRANS in the path
        plain(2, "2.0.9.0/24", &[2, 3, 4, 5], 22), // a valid longer path
    ];
    let clients = [client(1, 11), client(2, 22), client(131_073, 33)];
    let intended = |client: u32, t: &mut Table| {
        let mut n = 0;
        // BIRD attaches cust_comm1 to AS1's route; Condor has no custom
        // communities.
        if let Some(r) = t.get_mut("1.0.1.0/24") {
            assert_eq!(
                (&r.std, &r.ext, &r.lrg),
                (
                    &vec!["65501:65501".to_string()],
                    &vec!["rt:65501:65501".to_string()],
                    &vec!["999:65501:65501".to_string()]
                ),
                "AS{client}: BIRD attaches cust_comm1"
            );
            r.std.clear();
            r.ext.clear();
            r.lrg.clear();
            n += 1;
        }
        // arouteserver's transit-free check is off unless configured (the
        // scenario does not); Condor's is on by default.
        if let Some(r) = t.remove("1.0.4.0/24") {
            assert_eq!(
                r.as_path,
                [1, 174],
                "AS{client}: BIRD relays 174 behind AS1"
            );
            n += 1;
        }
        // BIRD scrubs cust_comm1 sent by AS2; Condor relays it.
        if let Some(r) = t.get_mut("2.0.6.0/24") {
            assert!(
                r.std.is_empty(),
                "AS{client}: BIRD scrubs 65501:65501: {r:?}"
            );
            r.std.push("65501:65501".into());
            n += 1;
        }
        n
    };
    let intended_rs = |rs: &mut BTreeSet<String>| {
        assert!(
            rs.remove("1.0.4.0/24 from AS1 accepted"),
            "BIRD accepts AS174 behind AS1: {rs:#?}"
        );
        rs.insert("1.0.4.0/24 from AS1 filtered".into());
        1
    };
    let inputs = Inputs {
        name: "communities",
        general: "general.yml",
        clients: "clients.yml",
        args: &[],
        limits: "{}",
        closed_by_condor_only: &[],
    };
    if let Some(t) = differential(inputs, &clients, &anns, intended, intended_rs).await {
        // AS1: 2.0.1–2.0.3, 2.0.6, 2.0.9; AS2: 1.0.1; AS131073: 1.0.1,
        // 2.0.4, 2.0.5, 2.0.6, 2.0.9 — 11 routes; 15 paths in each route
        // server (7 rejected); 7 intended differences (cust_comm1 added
        // twice and scrubbed twice, 1.0.4.0/24 relayed twice and
        // accepted once by BIRD).
        assert_eq!(
            (t.clients, t.routes, t.rs_paths, t.intended),
            (3, 11, 15, 7)
        );
    }
}

/// The gshut scenario: the route server itself in graceful shutdown
/// (`arouteserver bird --perform-graceful-shutdown`, as its live test
/// runs it): BIRD adds GRACEFUL_SHUTDOWN (65535:0) to every route it
/// sends; Condor has no such switch (docs/policy.md, "Route-server
/// graceful shutdown"). Asserted on every route BIRD sends, then removed;
/// everything else must be identical.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gshut_bird_vs_condor() {
    let anns = vec![
        plain(1, "1.0.1.0/24", &[1], 11),
        plain(1, "1.0.2.0/24", &[1], 11),
        plain(2, "2.0.1.0/24", &[2], 21),
        plain(2, "2.0.2.0/24", &[2], 21),
    ];
    let clients = [client(1, 11), client(2, 21)];
    let intended = |client: u32, t: &mut Table| {
        for (p, r) in t.iter_mut() {
            assert_eq!(
                r.std,
                ["65535:0"],
                "AS{client} {p}: BIRD adds GRACEFUL_SHUTDOWN"
            );
            r.std.clear();
        }
        t.len()
    };
    let inputs = Inputs {
        name: "gshut",
        general: "general.yml",
        clients: "clients.yml",
        args: &["--perform-graceful-shutdown"],
        limits: "{}",
        closed_by_condor_only: &[],
    };
    if let Some(t) = differential(inputs, &clients, &anns, intended, |_| 0).await {
        // Each client gets the other's two routes, tagged by BIRD.
        assert_eq!((t.clients, t.routes, t.rs_paths, t.intended), (2, 4, 4, 4));
    }
}

/// The max_prefix scenario (BIRD variant: `general_bird.yml`,
/// `clients_bird.yml`): AS1 limit 4 (general), AS2 3 and AS4 6 (from
/// PeeringDB in the scenario: 3 + 0 %, (4 + 1) × 1.2; given here as
/// explicit limits, arouteserver must not query PeeringDB), AS3 2, all with
/// `block` (Condor `drop-new`); AS5 and AS6 3 with `shutdown`, AS6 counting
/// accepted routes only (`count_rejected_routes: False`). Fed the same
/// UPDATEs in the same order, BIRD and Condor keep the same prefixes; the
/// one intended difference is AS6 (docs/policy.md, "Max-prefix": Condor
/// counts rejected routes), asserted on BIRD's output.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn max_prefix_bird_vs_condor() {
    const ANNOUNCED: [(u32, u8, &[&str]); 6] = [
        (
            1,
            11,
            &[
                "1.0.1.0/24",
                "1.0.2.0/24",
                "1.0.3.0/24",
                "1.0.4.0/24",
                "1.0.5.0/24",
            ],
        ),
        (
            2,
            21,
            &[
                "2.0.1.0/24",
                "2.0.2.0/24",
                "2.0.3.0/24",
                "2.0.4.0/24",
                "2.0.5.0/24",
            ],
        ),
        (
            3,
            31,
            &[
                "3.0.1.0/24",
                "3.0.2.0/24",
                "3.0.3.0/24",
                "3.0.4.0/24",
                "3.0.5.0/24",
            ],
        ),
        (
            4,
            41,
            &[
                "4.0.1.0/24",
                "4.0.2.0/24",
                "4.0.3.0/24",
                "4.0.4.0/24",
                "4.0.5.0/24",
                "4.0.6.0/24",
                "4.0.7.0/24",
            ],
        ),
        // Two valid, two bogons (RFC 1918) each.
        (
            5,
            51,
            &["5.0.1.0/24", "5.0.2.0/24", "10.5.3.0/24", "10.5.4.0/24"],
        ),
        (
            6,
            61,
            &["6.0.1.0/24", "6.0.2.0/24", "10.6.3.0/24", "10.6.4.0/24"],
        ),
    ];
    let limits = [
        (1, 4, "drop-new"),
        (2, 3, "drop-new"),
        (3, 2, "drop-new"),
        (4, 6, "drop-new"),
        (5, 3, "shutdown"),
        (6, 3, "shutdown"),
    ];
    let clients: Vec<Client> = ANNOUNCED
        .iter()
        .zip(limits)
        .map(|((asn, octet, _), (_, limit, action))| Client {
            asn: *asn,
            octet: *octet,
            extra: format!("[neighbor.max_prefix]\nipv4 = {limit}\naction = \"{action}\"\n"),
        })
        .collect();
    let anns: Vec<Ann> = ANNOUNCED
        .iter()
        .flat_map(|(asn, octet, list)| list.iter().map(move |p| plain(*asn, p, &[*asn], *octet)))
        .collect();
    // AS6: BIRD counts its two accepted routes only and keeps the session;
    // Condor counts all four and shuts it down.
    let intended = |client: u32, t: &mut Table| {
        if client == 6 {
            assert!(!t.is_empty(), "BIRD keeps AS6's session up");
            t.clear();
            return 1;
        }
        let before = t.len();
        t.retain(|_, r| r.as_path != [6]);
        assert!(
            client == 5 || before - t.len() == 2,
            "AS{client}: BIRD relays AS6's two routes"
        );
        usize::from(before != t.len())
    };
    let intended_rs = |rs: &mut BTreeSet<String>| {
        for l in [
            "6.0.1.0/24 from AS6 accepted",
            "6.0.2.0/24 from AS6 accepted",
            "10.6.3.0/24 from AS6 filtered",
            "10.6.4.0/24 from AS6 filtered",
        ] {
            assert!(rs.remove(l), "BIRD has {l}: {rs:#?}");
        }
        1
    };
    let inputs = Inputs {
        name: "max_prefix",
        general: "general_bird.yml",
        clients: "clients_bird.yml",
        args: &[],
        limits: r#"{"2": 3, "4": 6}"#,
        closed_by_condor_only: &[6],
    };
    if let Some(t) = differential(inputs, &clients, &anns, intended, intended_rs).await {
        // Kept: 4 + 3 + 2 + 6 = 15 prefixes, each received by the four
        // other clients whose session is up: 15 × 3 = 45 routes.
        assert_eq!(t.clients, 6);
        assert_eq!((t.routes, t.rs_paths), (45, 19));
    }
}
