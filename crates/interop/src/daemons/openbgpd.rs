//! OpenBGPD (portable 7.x) as a member: `bgpd -d -v -f bgpd.conf` with
//! `listen on ADDR port N`, `socket "DIR/bgpd.sock"` (no system socket),
//! `fib-update no`, per neighbor `port`, `local-address`, `multihop`,
//! `tcp md5sig password`, `enforce neighbor-as no` (a route server's paths do
//! not start with its AS) and `set nexthop no-modify` (keep the announced
//! next hop on eBGP). Filters: allow everything in, and out only locally
//! originated routes (`deny to any max-as-len 0` after `allow to any`).
//! Routes are announced with `bgpctl network add P nexthop NH community …`
//! and withdrawn with `bgpctl network delete P`. State from
//! `bgpctl -j show neighbor A`, routes from `bgpctl -j show rib in neighbor A detail`.
//!
//! bgpd's privilege-separated children chroot to `_openbgpd`'s home,
//! `/run/openbgpd`; the harness creates that (empty) directory when missing,
//! since `/run` is emptied at boot and no service created it here.

use std::fmt::Write as _;
use std::net::IpAddr;
use std::path::PathBuf;

use serde_json::Value;

use crate::config::MemberConfig;
use crate::daemon::{Backend, StartCtx, Started};
use crate::daemons::{check_plain, json, write};
use crate::error::{Error, Result};
use crate::kind::DaemonKind;
use crate::process::{run, Supervised};
use crate::route::{parse_as_path, Announcement, Prefix, Route, SessionState};

const KIND: DaemonKind = DaemonKind::Openbgpd;

/// The chroot directory of bgpd's unprivileged processes.
const CHROOT: &str = "/run/openbgpd";

struct Openbgpd {
    config: MemberConfig,
    sock: PathBuf,
    bgpctl: PathBuf,
}

pub(crate) fn start(ctx: &StartCtx<'_>) -> Result<Started> {
    for r in &ctx.config.routes {
        check_plain(KIND.name(), r)?;
    }
    std::fs::create_dir_all(CHROOT).map_err(|e| Error::io(format!("create {CHROOT}"), e))?;
    let conf = ctx.dir.join("bgpd.conf");
    let sock = ctx.dir.join("bgpd.sock");
    write(&conf, &render(ctx.config, &sock.display().to_string()))?;
    let process = Supervised::spawn(
        &KIND.program("bgpd")?,
        [
            "-d".as_ref(),
            "-v".as_ref(),
            "-f".as_ref(),
            conf.as_os_str(),
        ],
        ctx.dir,
        ctx.log,
        &[],
    )?;
    let backend = Openbgpd {
        config: ctx.config.clone(),
        sock,
        bgpctl: KIND.program("bgpctl")?,
    };
    Ok(Started {
        process,
        backend: Box::new(backend),
    })
}

/// The whole bgpd.conf for `cfg` (routes are added later with bgpctl).
fn render(cfg: &MemberConfig, sock: &str) -> String {
    let mut s = String::new();
    s.push_str("# bgpd.conf written by condor-interop\n");
    let _ = writeln!(s, "AS {}", cfg.asn);
    let _ = writeln!(s, "router-id {}", cfg.router_id);
    let _ = writeln!(
        s,
        "listen on {} port {}",
        cfg.local_addr,
        cfg.listen_port.unwrap_or(179)
    );
    let _ = writeln!(s, "socket \"{sock}\"");
    s.push_str("fib-update no\nconnect-retry 2\n");
    for (i, p) in cfg.peers.iter().enumerate() {
        let _ = writeln!(s, "neighbor {} {{", p.addr);
        let _ = writeln!(s, "  descr \"peer{i}\"");
        let _ = writeln!(s, "  remote-as {}", p.asn);
        let _ = writeln!(s, "  port {}", p.port);
        let _ = writeln!(s, "  local-address {}", cfg.local_addr);
        if let Some(ttl) = p.multihop {
            let _ = writeln!(s, "  multihop {ttl}");
        }
        if p.passive {
            s.push_str("  passive\n");
        }
        if let Some(pw) = &p.md5 {
            let _ = writeln!(s, "  tcp md5sig password {pw}");
        }
        s.push_str("  enforce neighbor-as no\n  set nexthop no-modify\n}\n");
    }
    s.push_str("allow from any\nallow to any\ndeny to any max-as-len 0\n");
    s
}

impl Openbgpd {
    fn bgpctl(&self, args: &[String]) -> Result<String> {
        let mut v = vec!["-s".to_string(), self.sock.display().to_string()];
        v.extend_from_slice(args);
        run(&self.bgpctl, &v, &[])
    }

    fn peer_addr(&self, peer: usize) -> Result<IpAddr> {
        self.config
            .peers
            .get(peer)
            .map(|p| p.addr)
            .ok_or_else(|| Error::parse("peer index", peer.to_string()))
    }

    fn add(&self, r: &Announcement) -> Result<()> {
        check_plain(KIND.name(), r)?;
        let mut args = vec![
            "network".to_string(),
            "add".into(),
            r.prefix.to_string(),
            "nexthop".into(),
            r.next_hop.to_string(),
        ];
        for c in &r.communities {
            args.push("community".into());
            args.push(c.to_string());
        }
        for c in &r.large_communities {
            args.push("large-community".into());
            args.push(c.to_string());
        }
        self.bgpctl(&args)?;
        Ok(())
    }
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

impl Backend for Openbgpd {
    fn ready(&self) -> Result<bool> {
        Ok(self.bgpctl(&args(&["show", "summary"])).is_ok())
    }

    fn after_ready(&mut self) -> Result<()> {
        for r in &self.config.routes {
            self.add(r)?;
        }
        Ok(())
    }

    fn session_state(&self, peer: usize) -> Result<SessionState> {
        let a = self.peer_addr(peer)?.to_string();
        let out = self.bgpctl(&args(&["-j", "show", "neighbor", &a]))?;
        parse_state(&json("bgpctl show neighbor", &out)?)
    }

    fn received_routes(&self, peer: usize) -> Result<Vec<Route>> {
        let a = self.peer_addr(peer)?.to_string();
        let out = self.bgpctl(&args(&[
            "-j", "show", "rib", "in", "neighbor", &a, "detail",
        ]))?;
        parse_routes(&json("bgpctl show rib in", &out)?)
    }

    fn announce(&mut self, route: &Announcement) -> Result<()> {
        self.add(route)
    }

    fn withdraw(&mut self, prefix: Prefix) -> Result<()> {
        self.bgpctl(&args(&["network", "delete", &prefix.to_string()]))?;
        Ok(())
    }
}

/// `neighbors[0].state` of `bgpctl -j show neighbor A`.
fn parse_state(v: &Value) -> Result<SessionState> {
    v.pointer("/neighbors/0/state")
        .and_then(Value::as_str)
        .map(SessionState::from_name)
        .ok_or_else(|| Error::parse("bgpctl neighbor state", v.to_string()))
}

/// `rib` of `bgpctl -j show rib in neighbor A` (absent when empty).
fn parse_routes(v: &Value) -> Result<Vec<Route>> {
    let mut out = Vec::new();
    for e in v.get("rib").and_then(Value::as_array).into_iter().flatten() {
        let prefix = e
            .get("prefix")
            .and_then(Value::as_str)
            .ok_or_else(|| Error::parse("bgpctl rib entry", e.to_string()))?;
        let mut r = Route::bare(prefix.parse()?);
        r.as_path = parse_as_path(e.get("aspath").and_then(Value::as_str).unwrap_or(""))?;
        r.next_hop = e
            .get("exit_nexthop")
            .and_then(Value::as_str)
            .and_then(|s| s.parse().ok());
        for c in strings(e.get("communities")) {
            r.communities.push(c.parse()?);
        }
        for c in strings(e.get("large_communities")) {
            r.large_communities.push(c.parse()?);
        }
        out.push(r);
    }
    Ok(out)
}

fn strings(v: Option<&Value>) -> impl Iterator<Item = &str> {
    v.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::PeerSpec;
    use crate::route::{Community, LargeCommunity};

    #[test]
    fn parses_rib_in() {
        let text = r#"{ "rib": [ { "prefix": "45.183.45.0/24", "aspath": "65004 65002",
            "exit_nexthop": "198.18.0.2", "true_nexthop": "198.18.0.2",
            "neighbor": { "remote_addr": "127.0.0.4" }, "communities": [ "65002:5" ],
            "large_communities": [ "65002:1:1" ] },
            { "prefix": "2001:db8:5::/48", "aspath": "65004", "exit_nexthop": "2001:db8::5" } ] }"#;
        let rs = parse_routes(&json("t", text).unwrap()).unwrap();
        assert_eq!(rs.len(), 2);
        assert_eq!(rs[0].as_path, vec![65004, 65002]);
        assert_eq!(rs[0].next_hop, Some("198.18.0.2".parse().unwrap()));
        assert_eq!(rs[0].communities, vec![Community(65002, 5)]);
        assert_eq!(rs[0].large_communities, vec![LargeCommunity(65002, 1, 1)]);
        assert_eq!(rs[1].next_hop, Some("2001:db8::5".parse().unwrap()));
        assert!(parse_routes(&json("t", "{\n\n}").unwrap())
            .unwrap()
            .is_empty());
    }

    #[test]
    fn parses_state() {
        let v = json(
            "t",
            r#"{"neighbors":[{"remote_addr":"127.0.0.4","state":"Established"}]}"#,
        );
        assert!(parse_state(&v.unwrap()).unwrap().is_established());
        let v = json("t", r#"{"neighbors":[{"state":"Active"}]}"#).unwrap();
        assert_eq!(parse_state(&v).unwrap(), SessionState::Active);
        assert!(parse_state(&json("t", "{}").unwrap()).is_err());
    }

    #[test]
    fn config_has_the_knobs() {
        let cfg = MemberConfig::new(65005, "127.0.0.5".parse().unwrap())
            .with_listen_port(11795)
            .with_peer(PeerSpec::new("127.0.0.4".parse().unwrap(), 11790, 65004).with_md5("pw"));
        let c = render(&cfg, "/tmp/x/bgpd.sock");
        for needle in [
            "listen on 127.0.0.5 port 11795\n",
            "socket \"/tmp/x/bgpd.sock\"\n",
            "fib-update no\n",
            "  port 11790\n",
            "  tcp md5sig password pw\n",
            "  multihop 2\n",
            "  enforce neighbor-as no\n",
            "deny to any max-as-len 0\n",
        ] {
            assert!(c.contains(needle), "{needle:?} missing in\n{c}");
        }
    }
}
