//! ExaBGP 4.2 as a member: `exabgp --env exabgp.env exabgp.conf` with its
//! own env file (Debian's default drops privileges to a user that cannot
//! read the private directory: `daemon.user = 'root'`, `daemon.drop =
//! false`; no global listener: `tcp.bind = ''`; no CLI pipes; no process
//! respawn). Per neighbor: `listen PORT` (a listener on `local-address`
//! that also carries the MD5 key), `connect PORT`, `md5-password`,
//! `passive`, `family` of the transport.
//!
//! ExaBGP has no RIB to query, so one API process (`relay.py`, written into
//! the directory) connects it to files: every JSON event ExaBGP sends
//! (state changes, parsed UPDATEs) is appended to `events.ndjson`, and every
//! line appended to `commands.txt` is passed to ExaBGP as an API command
//! (`announce route …`, `withdraw route …`). Session state and received
//! routes are rebuilt from the events. The relay exits when ExaBGP closes
//! its stdin, so it never outlives the daemon.

use std::io::Write as _;
use std::net::IpAddr;
use std::path::PathBuf;

use serde_json::Value;

use crate::config::MemberConfig;
use crate::daemon::{Backend, StartCtx, Started};
use crate::daemons::{afi, check_next_hop, write};
use crate::error::{Error, Result};
use crate::kind::DaemonKind;
use crate::process::Supervised;
use crate::route::{Announcement, Community, LargeCommunity, Prefix, Route, SessionState};

const KIND: DaemonKind = DaemonKind::Exabgp;

/// The API process: events from stdin to a file, commands from a file to
/// stdout (followed like `tail -f`, complete lines only).
const RELAY: &str = r#"# relay.py written by condor-interop: ExaBGP API <-> files.
import sys, threading, time

commands, events = sys.argv[1], sys.argv[2]

def follow():
    pos = 0
    while True:
        try:
            with open(commands, "rb") as f:
                f.seek(pos)
                data = f.read()
        except FileNotFoundError:
            data = b""
        end = data.rfind(b"\n") + 1
        if end:
            sys.stdout.write(data[:end].decode("utf-8", "replace"))
            sys.stdout.flush()
            pos += end
        time.sleep(0.1)

threading.Thread(target=follow, daemon=True).start()
with open(events, "ab", buffering=0) as out:
    for line in sys.stdin.buffer:
        out.write(line)
"#;

struct Exabgp {
    config: MemberConfig,
    commands: PathBuf,
    events: PathBuf,
    pid_file: PathBuf,
}

pub(crate) fn start(ctx: &StartCtx<'_>) -> Result<Started> {
    for r in &ctx.config.routes {
        check_next_hop(KIND.name(), r)?;
    }
    let env = ctx.dir.join("exabgp.env");
    let conf = ctx.dir.join("exabgp.conf");
    let relay = ctx.dir.join("relay.py");
    let commands = ctx.dir.join("commands.txt");
    let events = ctx.dir.join("events.ndjson");
    let pid_file = ctx.dir.join("exabgp.pid");
    write(&relay, RELAY)?;
    write(&commands, "")?;
    write(&env, &render_env(&pid_file.display().to_string()))?;
    let python = KIND.program("python3")?;
    let run_line = format!(
        "{} {} {} {}",
        python.display(),
        relay.display(),
        commands.display(),
        events.display()
    );
    write(&conf, &render(ctx.config, &run_line))?;
    let process = Supervised::spawn(
        &KIND.program("exabgp")?,
        ["--env".as_ref(), env.as_os_str(), conf.as_os_str()],
        ctx.dir,
        ctx.log,
        &[],
    )?;
    let backend = Exabgp {
        config: ctx.config.clone(),
        commands,
        events,
        pid_file,
    };
    Ok(Started {
        process,
        backend: Box::new(backend),
    })
}

/// The env file: run as root without dropping privileges, log to stdout,
/// no global listener, no CLI pipes, no respawn of the relay.
fn render_env(pid_file: &str) -> String {
    format!(
        "[exabgp.daemon]\nuser = 'root'\ndrop = false\ndaemonize = false\npid = '{pid_file}'\n\n\
         [exabgp.log]\ndestination = 'stdout'\nlevel = INFO\n\n\
         [exabgp.tcp]\nbind = ''\n\n\
         [exabgp.api]\nack = false\ncli = false\nrespawn = false\n"
    )
}

/// exabgp.conf: the relay process and one neighbor block per peer.
fn render(cfg: &MemberConfig, run_line: &str) -> String {
    let mut s = String::new();
    s.push_str("# exabgp.conf written by condor-interop\n");
    s.push_str(&format!(
        "process condor-relay {{\n  run {run_line};\n  encoder json;\n}}\n"
    ));
    for (i, p) in cfg.peers.iter().enumerate() {
        s.push_str(&format!("neighbor {} {{\n", p.addr));
        s.push_str(&format!("  description \"peer{i}\";\n"));
        s.push_str(&format!("  router-id {};\n", cfg.router_id));
        s.push_str(&format!("  local-address {};\n", cfg.local_addr));
        s.push_str(&format!("  local-as {};\n", cfg.asn));
        s.push_str(&format!("  peer-as {};\n", p.asn));
        s.push_str(&format!("  connect {};\n", p.port));
        s.push_str(&format!("  listen {};\n", cfg.listen_port.unwrap_or(179)));
        s.push_str(&format!("  passive {};\n", p.passive));
        if let Some(pw) = &p.md5 {
            s.push_str(&format!("  md5-password {pw};\n"));
        }
        if let Some(ttl) = p.multihop {
            s.push_str(&format!("  outgoing-ttl {ttl};\n"));
        }
        s.push_str(&format!("  family {{ {} unicast; }}\n", afi(p.addr)));
        s.push_str(
            "  api {\n    processes [ condor-relay ];\n    neighbor-changes;\n    \
             receive { parsed; update; }\n  }\n}\n",
        );
    }
    s
}

/// The API command announcing `r` to every neighbor.
fn announce_command(r: &Announcement) -> String {
    let mut c = format!("announce route {} next-hop {}", r.prefix, r.next_hop);
    if !r.as_path.is_empty() {
        let list: Vec<String> = r.as_path.iter().map(ToString::to_string).collect();
        c.push_str(&format!(" as-path [ {} ]", list.join(" ")));
    }
    if !r.communities.is_empty() {
        let list: Vec<String> = r.communities.iter().map(ToString::to_string).collect();
        c.push_str(&format!(" community [ {} ]", list.join(" ")));
    }
    if !r.large_communities.is_empty() {
        let list: Vec<String> = r
            .large_communities
            .iter()
            .map(ToString::to_string)
            .collect();
        c.push_str(&format!(" large-community [ {} ]", list.join(" ")));
    }
    c
}

impl Exabgp {
    fn command(&self, line: &str) -> Result<()> {
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&self.commands)
            .map_err(|e| Error::io(format!("open {}", self.commands.display()), e))?;
        f.write_all(format!("{line}\n").as_bytes())
            .map_err(|e| Error::io(format!("append to {}", self.commands.display()), e))
    }

    fn events(&self) -> Result<Vec<Value>> {
        let text = match std::fs::read(&self.events) {
            Ok(b) => String::from_utf8_lossy(&b).into_owned(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(Error::io(format!("read {}", self.events.display()), e)),
        };
        Ok(parse_events(&text))
    }

    fn peer_addr(&self, peer: usize) -> Result<IpAddr> {
        self.config
            .peers
            .get(peer)
            .map(|p| p.addr)
            .ok_or_else(|| Error::parse("peer index", peer.to_string()))
    }
}

impl Backend for Exabgp {
    fn ready(&self) -> Result<bool> {
        Ok(self.pid_file.exists())
    }

    fn after_ready(&mut self) -> Result<()> {
        for r in &self.config.routes {
            self.command(&announce_command(r))?;
        }
        Ok(())
    }

    fn session_state(&self, peer: usize) -> Result<SessionState> {
        Ok(state_of(&self.events()?, self.peer_addr(peer)?))
    }

    fn received_routes(&self, peer: usize) -> Result<Vec<Route>> {
        routes_of(&self.events()?, self.peer_addr(peer)?)
    }

    fn announce(&mut self, route: &Announcement) -> Result<()> {
        check_next_hop(KIND.name(), route)?;
        self.command(&announce_command(route))?;
        self.config.routes.retain(|r| r.prefix != route.prefix);
        self.config.routes.push(route.clone());
        Ok(())
    }

    fn withdraw(&mut self, prefix: Prefix) -> Result<()> {
        let nh = self
            .config
            .routes
            .iter()
            .find(|r| r.prefix == prefix)
            .map(|r| format!(" next-hop {}", r.next_hop))
            .unwrap_or_default();
        self.command(&format!("withdraw route {prefix}{nh}"))?;
        self.config.routes.retain(|r| r.prefix != prefix);
        Ok(())
    }

    fn extra_logs(&self) -> Vec<PathBuf> {
        vec![self.events.clone()]
    }
}

/// The JSON objects among the lines (a line still being written, or any
/// non-JSON line, is skipped).
fn parse_events(text: &str) -> Vec<Value> {
    text.lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(Value::is_object)
        .collect()
}

fn event_peer(e: &Value) -> Option<IpAddr> {
    e.pointer("/neighbor/address/peer")
        .and_then(Value::as_str)
        .and_then(|s| s.parse().ok())
}

/// The last `state` event for `peer`: `up` is Established, `down` Idle.
fn state_of(events: &[Value], peer: IpAddr) -> SessionState {
    let last = events
        .iter()
        .rev()
        .filter(|e| e.get("type").and_then(Value::as_str) == Some("state"))
        .filter(|e| event_peer(e) == Some(peer))
        .find_map(|e| e.pointer("/neighbor/state").and_then(Value::as_str));
    match last {
        Some("up") => SessionState::Established,
        Some("down") | None => SessionState::Idle,
        Some(other) => SessionState::Other(other.to_string()),
    }
}

/// Replays the UPDATE events from `peer` (a `down` state clears them).
fn routes_of(events: &[Value], peer: IpAddr) -> Result<Vec<Route>> {
    let mut rib: std::collections::BTreeMap<Prefix, Route> = Default::default();
    for e in events.iter().filter(|e| event_peer(e) == Some(peer)) {
        match e.get("type").and_then(Value::as_str) {
            Some("state")
                if e.pointer("/neighbor/state").and_then(Value::as_str) == Some("down") =>
            {
                rib.clear();
            }
            Some("update") => {
                let Some(u) = e.pointer("/neighbor/message/update") else {
                    continue;
                };
                for fam in u
                    .get("withdraw")
                    .and_then(Value::as_object)
                    .into_iter()
                    .flatten()
                {
                    for n in fam.1.as_array().into_iter().flatten() {
                        if let Some(p) = n.get("nlri").and_then(Value::as_str) {
                            rib.remove(&p.parse()?);
                        }
                    }
                }
                let attrs = u.get("attribute");
                for fam in u
                    .get("announce")
                    .and_then(Value::as_object)
                    .into_iter()
                    .flatten()
                {
                    for (nh, nlris) in fam.1.as_object().into_iter().flatten() {
                        for n in nlris.as_array().into_iter().flatten() {
                            let Some(p) = n.get("nlri").and_then(Value::as_str) else {
                                continue;
                            };
                            let mut r = Route::bare(p.parse()?);
                            r.next_hop = nh.parse().ok();
                            if let Some(a) = attrs {
                                fill_attributes(&mut r, a)?;
                            }
                            rib.insert(r.prefix, r);
                        }
                    }
                }
            }
            _ => {}
        }
    }
    Ok(rib.into_values().collect())
}

fn fill_attributes(r: &mut Route, a: &Value) -> Result<()> {
    fn flatten(v: &Value, out: &mut Vec<u32>) -> Result<()> {
        match v {
            Value::Array(items) => items.iter().try_for_each(|i| flatten(i, out)),
            Value::Number(n) => {
                let asn = n
                    .as_u64()
                    .and_then(|x| u32::try_from(x).ok())
                    .ok_or_else(|| Error::parse("ExaBGP AS path", n.to_string()))?;
                out.push(asn);
                Ok(())
            }
            other => Err(Error::parse("ExaBGP AS path", other.to_string())),
        }
    }
    if let Some(p) = a.get("as-path") {
        flatten(p, &mut r.as_path)?;
    }
    let nums = |v: &Value| -> Vec<u64> {
        v.as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_u64)
            .collect()
    };
    for c in a
        .get("community")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        match nums(c)[..] {
            [x, y] => r.communities.push(Community(
                u16::try_from(x).map_err(|_| Error::parse("community", c.to_string()))?,
                u16::try_from(y).map_err(|_| Error::parse("community", c.to_string()))?,
            )),
            _ => return Err(Error::parse("ExaBGP community", c.to_string())),
        }
    }
    for c in a
        .get("large-community")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let bad = || Error::parse("ExaBGP large community", c.to_string());
        match nums(c)[..] {
            [x, y, z] => r.large_communities.push(LargeCommunity(
                u32::try_from(x).map_err(|_| bad())?,
                u32::try_from(y).map_err(|_| bad())?,
                u32::try_from(z).map_err(|_| bad())?,
            )),
            _ => return Err(bad()),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::PeerSpec;

    const EVENTS: &str = r#"{ "exabgp": "4.0.1", "type": "state", "neighbor": { "address": { "local": "127.0.0.6", "peer": "127.0.0.5" }, "asn": { "local": 65006, "peer": 65005 } , "state": "connected" } }
{ "exabgp": "4.0.1", "type": "state", "neighbor": { "address": { "local": "127.0.0.6", "peer": "127.0.0.5" }, "asn": { "local": 65006, "peer": 65005 } , "state": "up" } }
{ "exabgp": "4.0.1", "type": "update", "neighbor": { "address": { "local": "127.0.0.6", "peer": "127.0.0.5" }, "direction": "receive", "message": { "update": { "attribute": { "origin": "igp", "as-path": [ 65005, 64999 ], "confederation-path": [], "community": [ [ 65005, 9 ] ], "large-community": [ [ 65005, 1 , 1 ] ] }, "announce": { "ipv4 unicast": { "198.18.0.5": [ { "nlri": "45.183.47.0/24" }, { "nlri": "45.183.50.0/24" } ] } } } } } }
{ "exabgp": "4.0.1", "type": "update", "neighbor": { "address": { "local": "127.0.0.6", "peer": "127.0.0.5" }, "direction": "receive", "message": { "update": { "withdraw": { "ipv4 unicast": [ { "nlri": "45.183.50.0/24" } ] } } } } }
done
{ "exabgp": "4.0.1", "type": "upd"#;

    #[test]
    fn rebuilds_state_and_routes_from_events() {
        let ev = parse_events(EVENTS);
        assert_eq!(ev.len(), 4);
        let peer: IpAddr = "127.0.0.5".parse().unwrap();
        assert!(state_of(&ev, peer).is_established());
        assert_eq!(
            state_of(&ev[..1], peer),
            SessionState::Other("connected".into())
        );
        assert_eq!(
            state_of(&ev, "127.0.0.9".parse().unwrap()),
            SessionState::Idle
        );
        let rs = routes_of(&ev, peer).unwrap();
        assert_eq!(rs.len(), 1);
        assert_eq!(rs[0].prefix.to_string(), "45.183.47.0/24");
        assert_eq!(rs[0].as_path, vec![65005, 64999]);
        assert_eq!(rs[0].next_hop, Some("198.18.0.5".parse().unwrap()));
        assert_eq!(rs[0].communities, vec![Community(65005, 9)]);
        assert_eq!(rs[0].large_communities, vec![LargeCommunity(65005, 1, 1)]);
        let mut down = ev.clone();
        down.push(
            serde_json::from_str(
                r#"{"type":"state","neighbor":{"address":{"peer":"127.0.0.5"},"state":"down"}}"#,
            )
            .unwrap(),
        );
        assert!(routes_of(&down, peer).unwrap().is_empty());
        assert_eq!(state_of(&down, peer), SessionState::Idle);
    }

    #[test]
    fn config_and_commands() {
        let cfg = MemberConfig::new(65006, "127.0.0.6".parse().unwrap())
            .with_listen_port(11796)
            .with_peer(PeerSpec::new("127.0.0.5".parse().unwrap(), 11795, 65005).with_md5("pw"));
        let c = render(&cfg, "/usr/bin/python3 relay.py c e");
        for needle in [
            "neighbor 127.0.0.5 {",
            "  md5-password pw;\n",
            "  connect 11795;\n",
            "  listen 11796;\n",
            "  passive false;\n",
            "  family { ipv4 unicast; }\n",
            "  run /usr/bin/python3 relay.py c e;\n",
        ] {
            assert!(c.contains(needle), "{needle:?} missing in\n{c}");
        }
        let env = render_env("/tmp/x/exabgp.pid");
        assert!(env.contains("user = 'root'") && env.contains("drop = false"));
        let r = Announcement::parse("45.183.48.0/24", "198.18.0.6")
            .unwrap()
            .with_community(Community(65006, 1))
            .with_large_community(LargeCommunity(65006, 1, 2));
        assert_eq!(
            announce_command(&r),
            "announce route 45.183.48.0/24 next-hop 198.18.0.6 community [ 65006:1 ] \
             large-community [ 65006:1:2 ]"
        );
        assert_eq!(
            announce_command(
                &Announcement::parse("45.183.48.0/24", "198.18.0.6")
                    .unwrap()
                    .with_as_path(vec![65001, 64999])
            ),
            "announce route 45.183.48.0/24 next-hop 198.18.0.6 as-path [ 65001 64999 ]"
        );
    }
}
