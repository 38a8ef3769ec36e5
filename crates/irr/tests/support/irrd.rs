//! A STAND-IN FOR AN IRR SERVER, for tests only.
//!
//! Why: the real `bgpq4` needs an IRR server (IRRd) to talk to, and none is
//! reachable from the test machines (loopback only). A real IRRd 4 needs
//! PostgreSQL and Redis, far too heavy for a unit-test run. So this module
//! serves the IRRd "!" query protocol that bgpq4 1.9 speaks — the commands
//! below were found by running bgpq4 against a logging listener — from RPSL
//! objects given by the test. bgpq4 itself is real: its query pipelining,
//! response parsing, AS-number validation, range computation (`-R`) and JSON
//! printing all run unchanged, and so does our runner around it.
//!
//! Commands answered (IRRd conventions: `A<n>\n<data>\nC\n` with data,
//! `C\n` for success without data, `D\n` for no such key, `F <msg>\n` for an
//! error):
//! - `!!` keep the connection open (no answer), `!n<client>` → `C`
//! - `!s-lc` list sources → `A`, `!s<list>` select sources → `C`
//! - `!i<set>` / `!i<set>,1` members / recursive ASN expansion of an as-set
//! - `!g<asn>` / `!6<asn>` route / route6 prefixes originated by an ASN
//! - `!q` close; anything else (bgpq4 probes `!a`) → `F Unrecognized command`

#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

/// The RPSL objects the stand-in serves.
#[derive(Default, Clone, Debug)]
pub struct Rpsl {
    /// as-set name (upper case) → members as written.
    pub sets: BTreeMap<String, Vec<String>>,
    /// origin ASN → route prefixes.
    pub routes: BTreeMap<u32, Vec<String>>,
    /// origin ASN → route6 prefixes.
    pub routes6: BTreeMap<u32, Vec<String>>,
}

impl Rpsl {
    /// Parses RPSL text: objects separated by blank lines, `attr: value`
    /// lines, continuation lines starting with white space or `+`.
    pub fn parse(text: &str) -> Rpsl {
        let mut r = Rpsl::default();
        for obj in text.split("\n\n") {
            let mut attrs: Vec<(String, String)> = Vec::new();
            for line in obj.lines() {
                let line = line.split('#').next().unwrap_or("");
                if line.trim().is_empty() {
                    continue;
                }
                if line.starts_with([' ', '\t', '+']) {
                    let last = attrs.last_mut().expect("continuation without attribute");
                    last.1.push(' ');
                    last.1.push_str(line.trim_start_matches('+').trim());
                } else {
                    let (k, v) = line.split_once(':').expect("attr: value");
                    attrs.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
                }
            }
            let Some((class, key)) = attrs.first().cloned() else {
                continue;
            };
            let get = |name: &str| -> Vec<String> {
                attrs
                    .iter()
                    .filter(|(k, _)| k == name)
                    .flat_map(|(_, v)| v.split([',', ' ']).map(str::trim).filter(|s| !s.is_empty()))
                    .map(str::to_string)
                    .collect()
            };
            let origin = || -> u32 {
                let o = get("origin");
                o[0].to_ascii_uppercase()
                    .trim_start_matches("AS")
                    .parse()
                    .expect("origin ASN")
            };
            match class.as_str() {
                "as-set" => {
                    r.sets.insert(key.to_ascii_uppercase(), get("members"));
                }
                "route" => r.routes.entry(origin()).or_default().push(key),
                "route6" => r.routes6.entry(origin()).or_default().push(key),
                _ => {}
            }
        }
        r
    }

    /// Recursive expansion of a set into ASNs; `None` for an unknown set.
    fn expand(&self, name: &str) -> Option<BTreeSet<u32>> {
        let mut out = BTreeSet::new();
        let mut seen = BTreeSet::new();
        let mut todo = vec![name.to_ascii_uppercase()];
        self.sets.get(&todo[0])?;
        while let Some(set) = todo.pop() {
            if !seen.insert(set.clone()) {
                continue;
            }
            for m in self.sets.get(&set).into_iter().flatten() {
                let up = m.to_ascii_uppercase();
                match up.strip_prefix("AS").and_then(|d| d.parse::<u32>().ok()) {
                    Some(asn) => {
                        out.insert(asn);
                    }
                    None => todo.push(up),
                }
            }
        }
        Some(out)
    }
}

/// A running stand-in server on 127.0.0.1.
pub struct StandInIrrd {
    /// Where it listens.
    pub addr: SocketAddr,
    /// The data; tests may replace it between queries.
    pub data: Arc<Mutex<Rpsl>>,
    /// Every command line received, in order.
    pub log: Arc<Mutex<Vec<String>>>,
}

impl StandInIrrd {
    /// Starts serving `rpsl`; `stall`: accept connections but never answer.
    pub fn start(rpsl: &str, stall: bool) -> StandInIrrd {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let addr = listener.local_addr().expect("local addr");
        let data = Arc::new(Mutex::new(Rpsl::parse(rpsl)));
        let log = Arc::new(Mutex::new(Vec::new()));
        let (d, l) = (data.clone(), log.clone());
        thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(conn) = conn else { continue };
                let (d, l) = (d.clone(), l.clone());
                thread::spawn(move || {
                    if stall {
                        thread::sleep(Duration::from_secs(30));
                        return;
                    }
                    let _ = serve(conn, &d, &l);
                });
            }
        });
        StandInIrrd { addr, data, log }
    }

    /// `host:port` for bgpq4's `-h`.
    pub fn host(&self) -> String {
        self.addr.to_string()
    }

    /// The commands received so far.
    pub fn commands(&self) -> Vec<String> {
        self.log.lock().expect("log").clone()
    }
}

fn serve(conn: TcpStream, data: &Mutex<Rpsl>, log: &Mutex<Vec<String>>) -> std::io::Result<()> {
    conn.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut w = conn.try_clone()?;
    let r = BufReader::new(conn);
    for line in r.lines() {
        let q = line?.trim().to_string();
        log.lock().expect("log").push(q.clone());
        let answer = |w: &mut TcpStream, items: Vec<String>| -> std::io::Result<()> {
            if items.is_empty() {
                w.write_all(b"D\n")
            } else {
                // One write: bgpq4 reads the answer to `!s-lc` with a
                // single read() and wants it whole.
                let d = items.join(" ");
                w.write_all(format!("A{}\n{}\nC\n", d.len() + 1, d).as_bytes())
            }
        };
        let rpsl = data.lock().expect("data").clone();
        if q == "!!" {
            continue;
        } else if q == "!q" {
            break;
        } else if q.starts_with("!n") {
            w.write_all(b"C\n")?;
        } else if q == "!s-lc" {
            answer(&mut w, vec!["TEST".to_string()])?;
        } else if q.starts_with("!s") {
            w.write_all(b"C\n")?;
        } else if let Some(rest) = q.strip_prefix("!i") {
            let (name, recursive) = match rest.strip_suffix(",1") {
                Some(n) => (n, true),
                None => (rest, false),
            };
            let items = if recursive {
                rpsl.expand(name)
                    .map(|s| s.into_iter().map(|a| format!("AS{a}")).collect())
                    .unwrap_or_default()
            } else {
                rpsl.sets
                    .get(&name.to_ascii_uppercase())
                    .cloned()
                    .unwrap_or_default()
            };
            answer(&mut w, items)?;
        } else if let Some(asn) = q.strip_prefix("!g").or_else(|| q.strip_prefix("!6")) {
            let asn: u32 = asn
                .to_ascii_uppercase()
                .trim_start_matches("AS")
                .parse()
                .unwrap_or(0);
            let table = if q.starts_with("!g") {
                &rpsl.routes
            } else {
                &rpsl.routes6
            };
            answer(&mut w, table.get(&asn).cloned().unwrap_or_default())?;
        } else {
            w.write_all(b"F Unrecognized command\n")?;
        }
        w.flush()?;
    }
    Ok(())
}
