//! End-to-end tests of the `condor` binary: help, exit codes (docs/cli.md),
//! and `condor mrt summary` / `dump` on an MRT file the test writes itself
//! and, when `../shared/data` is present, on a real BIRD mrtdump file.

use bytes::Bytes;
use condor_mrt::{Bgp4mpMessage, MrtWriter, Timestamp};
use condor_wire::Asn;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIRD_BGP: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/01-mrt/mrtparse__bird_bgp"
);

fn condor(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_condor"))
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run condor: {e}"))
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", stdout(o)))
}

/// A BGP message: marker, length, type, body.
fn bgp(msg_type: u8, body: &[u8]) -> Vec<u8> {
    let mut m = vec![0xff; 16];
    m.extend_from_slice(
        &u16::try_from(19 + body.len())
            .unwrap_or(u16::MAX)
            .to_be_bytes(),
    );
    m.push(msg_type);
    m.extend_from_slice(body);
    m
}

/// Writes a small MRT file: two BGP4MP_MESSAGE_AS4 records from AS64500
/// (45.183.47.10) to the route server AS64115 (45.183.47.1):
/// an UPDATE announcing 203.0.113.0/24 and 198.51.100.0/24 with AS path
/// 64500 64496, NEXT_HOP 45.183.47.10 and community 64115:100, then an
/// UPDATE withdrawing 203.0.113.0/24. Message bytes are built by hand.
fn write_small_mrt(path: &Path) {
    #[rustfmt::skip]
    let announce: Vec<u8> = [
        &[0u8, 0][..],                                   // no withdrawn routes
        &[0, 31],                                        // attribute length
        &[0x40, 1, 1, 0],                                // ORIGIN IGP
        &[0x40, 2, 10, 2, 2, 0, 0, 0xfb, 0xf4, 0, 0, 0xfb, 0xf0], // AS_PATH 64500 64496
        &[0x40, 3, 4, 45, 183, 47, 10],                  // NEXT_HOP
        &[0xc0, 8, 4, 0xfa, 0x73, 0, 100],               // COMMUNITIES 64115:100
        &[24, 203, 0, 113, 24, 198, 51, 100],            // NLRI
    ]
    .concat();
    let withdraw = [0u8, 4, 24, 203, 0, 113, 0, 0];
    let mut w = MrtWriter::new(Vec::new());
    for (i, body) in [announce, withdraw.to_vec()].iter().enumerate() {
        let m = Bgp4mpMessage {
            timestamp: Timestamp {
                secs: 1_767_225_600 + i as u32,
                micros: None,
            },
            peer_as: Asn(64500),
            local_as: Asn(64115),
            ifindex: 0,
            peer_ip: "45.183.47.10".parse().unwrap_or_else(|e| panic!("{e}")),
            local_ip: "45.183.47.1".parse().unwrap_or_else(|e| panic!("{e}")),
            four_octet_as: true,
            add_path: false,
            local: false,
            message: Bytes::from(bgp(2, body)),
        };
        w.write_bgp4mp_message(&m).unwrap_or_else(|e| panic!("{e}"));
    }
    let bytes = w.into_inner().unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(path, bytes).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
}

fn tmp(name: &str) -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("condor-cli-{}-{name}", std::process::id()))
}

#[test]
fn help_explains_the_product_and_exits_0() {
    let o = condor(&["--help"]);
    assert_eq!(o.status.code(), Some(0));
    let text = stdout(&o);
    assert!(
        text.contains("route-server platform for Internet Exchanges"),
        "{text}"
    );
    assert!(text.contains("mrt") && text.contains("version"), "{text}");

    let o = condor(&["mrt", "dump", "--help"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("--limit"));
}

#[test]
fn version_prints_the_package_version() {
    let o = condor(&["version"]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        stdout(&o),
        format!("condor {}\n", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        &["mrt", "frobnicate"][..],
        &["mrt", "summary"],
        &["mrt", "dump", "x", "--limit", "many"],
        &[],
    ] {
        let o = condor(args);
        assert_eq!(o.status.code(), Some(2), "condor {args:?}: {}", stderr(&o));
    }
}

#[test]
fn summary_of_a_missing_file_exits_1_naming_the_file() {
    let missing = tmp("does-not-exist.mrt");
    let o = condor(&["mrt", "summary", &missing.to_string_lossy()]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.starts_with("error: "), "{err}");
    assert!(err.contains(&*missing.to_string_lossy()), "{err}");
    assert!(o.stdout.is_empty());
}

#[test]
fn summary_of_a_file_that_is_not_mrt_exits_1() {
    let path = tmp("not-mrt.txt");
    std::fs::write(
        &path,
        "this is not an MRT file, only some text long enough\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let o = condor(&["mrt", "summary", &path.to_string_lossy()]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(
        stderr(&o).contains("no MRT record could be read"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn summary_of_a_small_file_counts_what_the_test_wrote() {
    let path = tmp("small.mrt");
    write_small_mrt(&path);
    let file = path.to_string_lossy().into_owned();

    let o = condor(&["mrt", "summary", &file, "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let s = json(&o);
    assert_eq!(s["records"], 2);
    assert_eq!(s["errors"], 0);
    assert_eq!(s["record_types"]["BGP4MP/MESSAGE_AS4"], 2);
    assert_eq!(s["bgp_messages"]["UPDATE"], 2);
    assert_eq!(s["announced"]["ipv4-unicast"], 2);
    assert_eq!(s["withdrawn"]["ipv4-unicast"], 1);
    assert_eq!(s["first_time"], 1_767_225_600);
    assert_eq!(s["last_time"], 1_767_225_601);
    assert_eq!(
        s["peers"],
        serde_json::json!([{ "address": "45.183.47.10", "asn": 64500, "records": 2 }])
    );

    let o = condor(&["mrt", "summary", &file]);
    assert_eq!(o.status.code(), Some(0));
    let text = stdout(&o);
    assert!(text.contains("2026-01-01 00:00:00"), "{text}");
    assert!(
        text.lines()
            .any(|l| l.split_whitespace().eq(["ipv4-unicast", "2", "1"])),
        "{text}"
    );
}

#[test]
fn dump_prints_one_line_per_route() {
    let path = tmp("dump.mrt");
    write_small_mrt(&path);
    let file = path.to_string_lossy().into_owned();

    let o = condor(&["mrt", "dump", &file]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "1767225600|A|45.183.47.10|64500|203.0.113.0/24|64500 64496|45.183.47.10|IGP|64115:100|\n\
         1767225600|A|45.183.47.10|64500|198.51.100.0/24|64500 64496|45.183.47.10|IGP|64115:100|\n\
         1767225601|W|45.183.47.10|64500|203.0.113.0/24\n"
    );

    let o = condor(&["mrt", "dump", &file, "--json", "--limit", "1"]);
    assert_eq!(o.status.code(), Some(0));
    let lines: Vec<&str> = std::str::from_utf8(&o.stdout)
        .unwrap_or("")
        .lines()
        .collect();
    assert_eq!(lines.len(), 1);
    let v: Value = serde_json::from_str(lines[0]).unwrap_or_else(|e| panic!("{e}: {}", lines[0]));
    assert_eq!(v["action"], "announce");
    assert_eq!(v["prefix"], "203.0.113.0/24");
    assert_eq!(v["as_path"], "64500 64496");
    assert_eq!(v["communities"], serde_json::json!(["64115:100"]));
}

#[test]
fn demo_summary_runs_without_a_file() {
    let o = condor(&["mrt", "summary", "--demo", "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let s = json(&o);
    assert_eq!(s["errors"], 0);
    assert_eq!(s["peers"].as_array().map(Vec::len), Some(3));
    assert_eq!(s["announced"]["ipv6-unicast"], 2);
}

/// The BIRD file, or `None` (with a message) when ../shared/data is absent.
fn bird_bgp() -> Option<&'static str> {
    if Path::new(BIRD_BGP).exists() {
        Some(BIRD_BGP)
    } else {
        eprintln!("skipped: {BIRD_BGP} not found (../shared/data is absent)");
        None
    }
}

/// `mrtparse__bird_bgp` (BIRD mrtdump, 2017-02-11), read independently of
/// Condor with a hex dump: 29 records (16 BGP4MP MESSAGE_AS4, 12
/// STATE_CHANGE_AS4, 1 MESSAGE), 09:32:41 to 09:34:26 UTC, all from the peer
/// AS65000 at 192.168.0.10 (some state changes name 0.0.0.0). Its 17 BGP
/// messages: 2 OPEN, 8 UPDATE, 5 KEEPALIVE, 1 NOTIFICATION, 1 ROUTE-REFRESH.
#[test]
fn summary_of_bird_mrtdump_matches_the_file() {
    let Some(file) = bird_bgp() else { return };
    let o = condor(&["mrt", "summary", file, "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let s = json(&o);
    assert_eq!(s["records"], 29);
    assert_eq!(s["errors"], 0);
    assert_eq!(
        s["record_types"],
        serde_json::json!({
            "BGP4MP/MESSAGE": 1,
            "BGP4MP/MESSAGE_AS4": 16,
            "BGP4MP/STATE_CHANGE_AS4": 12,
        })
    );
    assert_eq!(s["first_time"], 1_486_805_561); // 2017-02-11 09:32:41 UTC
    assert_eq!(s["last_time"], 1_486_805_666); // 2017-02-11 09:34:26 UTC
    let m = &s["bgp_messages"];
    assert_eq!(m["OPEN"], 2);
    assert_eq!(m["KEEPALIVE"], 5);
    assert_eq!(m["NOTIFICATION"], 1);
    assert_eq!(m["ROUTE-REFRESH"], 1);
    // BIRD wrote ADD-PATH NLRI in plain MESSAGE_AS4 records (the session
    // negotiated ADD-PATH; RFC 8050 wants the _ADDPATH subtypes), so 6 of
    // the 8 UPDATEs may be counted as undecodable: the sum must be 8.
    let n = |k: &str| m[k].as_u64().unwrap_or(0);
    assert_eq!(n("UPDATE") + n("undecodable"), 8, "{m}");
    let peers = s["peers"].as_array().cloned().unwrap_or_default();
    assert!(
        peers
            .iter()
            .any(|p| p["address"] == "192.168.0.10" && p["asn"] == 65000),
        "{peers:?}"
    );
}

/// The same file's routes: with ADD-PATH detected, its 8 UPDATEs announce
/// 14 IPv4 routes (172.17.0.0/24, 172.17.1.0/24, 172.17.2.0/24 with path
/// ids 2 and 1, and 192.168.16.0/24 with path id 1, per session; two
/// sessions) and carry 2 End-of-RIB markers.
#[test]
#[ignore = "condor-mrt does not yet detect ADD-PATH NLRI in BIRD's plain MESSAGE_AS4 records"]
fn summary_of_bird_mrtdump_decodes_add_path_updates() {
    let Some(file) = bird_bgp() else { return };
    let s = json(&condor(&["mrt", "summary", file, "--json"]));
    assert_eq!(s["bgp_messages"]["UPDATE"], 8);
    assert_eq!(s["announced"]["ipv4-unicast"], 14);
}

/// `condor demo` brings up the route server and its simulated members on
/// loopback, converges, stays transparent, serves its looking glass while
/// it runs, and stops by itself.
#[test]
fn demo_converges_transparently_and_stops() {
    use std::io::{BufRead, Read, Write};
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_condor"))
        .args([
            "demo",
            "--members",
            "5",
            "--prefixes",
            "40",
            "--duration",
            "12",
            "--looking-glass",
            "127.0.0.1:0",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run condor demo");
    let mut stdout = std::io::BufReader::new(child.stdout.take().expect("stdout"));
    let mut text = String::new();
    let mut url = None;
    let mut socket = None;
    while url.is_none() {
        let mut line = String::new();
        if stdout.read_line(&mut line).expect("demo output") == 0 {
            break;
        }
        if let Some(rest) = line.trim().strip_prefix("looking glass: http://") {
            url = rest.split('/').next().map(str::to_string);
        }
        if let Some(rest) = line
            .trim()
            .strip_prefix("sessions:  condor show neighbors --socket ")
        {
            socket = Some(rest.trim().to_string());
        }
        text.push_str(&line);
    }
    let socket = socket.unwrap_or_else(|| panic!("no socket: {text}"));
    // `condor show routes|lookup` against the running demo.
    let neighbors = json(&condor(&[
        "show",
        "neighbors",
        "--json",
        "--socket",
        &socket,
    ]));
    let first = neighbors[0]["address"]
        .as_str()
        .expect("an address")
        .to_string();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(8);
    let page = loop {
        let page = json(&condor(&[
            "show", "routes", &first, "--view", "exported", "--limit", "5", "--json", "--socket",
            &socket,
        ]));
        if page["routes"].as_array().is_some_and(|r| r.len() == 5) {
            break page;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no routes exported: {page}"
        );
        std::thread::sleep(std::time::Duration::from_millis(200));
    };
    assert!(page["next"].is_string(), "{page}");
    let prefix = page["routes"][0]["prefix"]
        .as_str()
        .expect("prefix")
        .to_string();
    let lookup = condor(&[
        "show", "lookup", &prefix, "--client", &first, "--socket", &socket,
    ]);
    let shown = String::from_utf8_lossy(&lookup.stdout);
    assert!(
        shown.contains(&format!("{prefix}: 1 candidate(s)")),
        "{shown}"
    );
    assert!(
        shown.contains("*>"),
        "best overall and what the client receives: {shown}"
    );
    let lg = url.unwrap_or_else(|| panic!("no looking glass URL: {text}"));
    // The looking glass answers while the demo runs.
    let mut s = std::net::TcpStream::connect(&lg).expect("connect to the looking glass");
    s.set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .expect("timeout");
    write!(
        s,
        "GET /api/v1/status HTTP/1.1\r\nHost: {lg}\r\nConnection: close\r\n\r\n"
    )
    .expect("request");
    let mut answer = String::new();
    s.read_to_string(&mut answer).expect("answer");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("Demo IX route server 1"), "{answer}");
    stdout.read_to_string(&mut text).expect("demo output");
    let out = child.wait_with_output().expect("demo ends");
    assert!(
        out.status.success(),
        "demo failed: {text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("route server AS64115"), "{text}");
    assert!(
        text.contains(
            "converged: every member holds all 160 routes of the others, 0 transparency violations"
        ),
        "{text}"
    );
    assert!(text.contains("sessions 5/5"), "{text}");
    assert!(text.contains("stopping: Cease"), "{text}");
}
