//! GoBGP as a member: `gobgpd -f gobgpd.toml --api-hosts unix://DIR/api.sock
//! --pprof-disable -p`, the gRPC API on a Unix socket in the private
//! directory (no TCP port to allocate). Listen port `[global.config] port`,
//! neighbor port `transport.config.remote-port`, MD5 `auth-password`.
//! A global export policy passes only locally originated routes
//! (`route-type = "local"`). Routes are added with
//! `gobgp global rib -a AFI add P nexthop NH community … large-community …`
//! (GoBGP's config file has no static routes), which keeps the given next
//! hop on eBGP. State from `gobgp -j neighbor A` (`session_state`), routes
//! from `gobgp -j neighbor A adj-in -a AFI`.

use std::fmt::Write as _;
use std::net::IpAddr;
use std::path::PathBuf;

use serde_json::Value;

use crate::config::MemberConfig;
use crate::daemon::{Backend, StartCtx, Started};
use crate::daemons::{afi, check_plain, json, write};
use crate::error::{Error, Result};
use crate::kind::DaemonKind;
use crate::process::{command_line, run_raw, Supervised, CLI_TIMEOUT};
use crate::route::{Announcement, Community, LargeCommunity, Prefix, Route, SessionState};

const KIND: DaemonKind = DaemonKind::Gobgp;

struct Gobgp {
    config: MemberConfig,
    target: String,
    gobgp: PathBuf,
}

pub(crate) fn start(ctx: &StartCtx<'_>) -> Result<Started> {
    for r in &ctx.config.routes {
        check_plain(KIND.name(), r)?;
    }
    let conf = ctx.dir.join("gobgpd.toml");
    write(&conf, &render(ctx.config))?;
    let target = format!("unix://{}", ctx.dir.join("api.sock").display());
    let process = Supervised::spawn(
        &KIND.program("gobgpd")?,
        [
            "-f".as_ref(),
            conf.as_os_str(),
            "--api-hosts".as_ref(),
            target.as_ref(),
            "--pprof-disable".as_ref(),
            "-p".as_ref(),
        ],
        ctx.dir,
        ctx.log,
        &[],
    )?;
    let backend = Gobgp {
        config: ctx.config.clone(),
        target,
        gobgp: KIND.program("gobgp")?,
    };
    Ok(Started {
        process,
        backend: Box::new(backend),
    })
}

/// The whole gobgpd.toml for `cfg`.
fn render(cfg: &MemberConfig) -> String {
    let mut s = String::new();
    s.push_str("# gobgpd.toml written by condor-interop\n[global.config]\n");
    let _ = writeln!(s, "  as = {}", cfg.asn);
    let _ = writeln!(s, "  router-id = \"{}\"", cfg.router_id);
    let _ = writeln!(s, "  port = {}", cfg.listen_port.unwrap_or(179));
    let _ = writeln!(s, "  local-address-list = [\"{}\"]", cfg.local_addr);
    s.push_str(
        "[global.apply-policy.config]\n  export-policy-list = [\"condor-own\"]\n  \
         default-export-policy = \"reject-route\"\n  default-import-policy = \"accept-route\"\n\n\
         [[policy-definitions]]\n  name = \"condor-own\"\n  \
         [[policy-definitions.statements]]\n    name = \"local-only\"\n    \
         [policy-definitions.statements.conditions.bgp-conditions]\n      \
         route-type = \"local\"\n    [policy-definitions.statements.actions]\n      \
         route-disposition = \"accept-route\"\n",
    );
    for p in &cfg.peers {
        s.push_str("\n[[neighbors]]\n  [neighbors.config]\n");
        let _ = writeln!(s, "    neighbor-address = \"{}\"", p.addr);
        let _ = writeln!(s, "    peer-as = {}", p.asn);
        if let Some(pw) = &p.md5 {
            let _ = writeln!(s, "    auth-password = \"{pw}\"");
        }
        s.push_str("  [neighbors.transport.config]\n");
        let _ = writeln!(s, "    local-address = \"{}\"", cfg.local_addr);
        let _ = writeln!(s, "    remote-port = {}", p.port);
        let _ = writeln!(s, "    passive-mode = {}", p.passive);
        s.push_str("  [neighbors.timers.config]\n    connect-retry = 2\n");
        if let Some(ttl) = p.multihop {
            s.push_str("  [neighbors.ebgp-multihop.config]\n    enabled = true\n");
            let _ = writeln!(s, "    multihop-ttl = {ttl}");
        }
        s.push_str("  [[neighbors.afi-safis]]\n    [neighbors.afi-safis.config]\n");
        let _ = writeln!(s, "      afi-safi-name = \"{}-unicast\"", afi(p.addr));
    }
    s
}

impl Gobgp {
    /// Runs `gobgp --target … args`; `Ok(Err(text))` when gobgp reported an
    /// error (it exits 1 and prints `{"error": …}` or a message).
    fn gobgp(&self, args: &[String]) -> Result<std::result::Result<String, String>> {
        let mut v = vec!["--target".to_string(), self.target.clone()];
        v.extend_from_slice(args);
        let out = run_raw(&self.gobgp, &v, &[], CLI_TIMEOUT)?;
        if out.status.success() {
            Ok(Ok(out.stdout))
        } else {
            Ok(Err(format!("{}{}", out.stdout.trim(), out.stderr.trim())))
        }
    }

    fn must(&self, args: &[String]) -> Result<String> {
        self.gobgp(args)?.map_err(|detail| Error::Cli {
            command: command_line(&self.gobgp, args),
            detail,
        })
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
        let mut args: Vec<String> = vec![
            "global".into(),
            "rib".into(),
            "-a".into(),
            afi(r.prefix.addr()).into(),
            "add".into(),
            r.prefix.to_string(),
            "nexthop".into(),
            r.next_hop.to_string(),
        ];
        if !r.communities.is_empty() {
            args.push("community".into());
            let list: Vec<String> = r.communities.iter().map(ToString::to_string).collect();
            args.push(list.join(","));
        }
        if !r.large_communities.is_empty() {
            args.push("large-community".into());
            let list: Vec<String> = r
                .large_communities
                .iter()
                .map(ToString::to_string)
                .collect();
            args.push(list.join(","));
        }
        self.must(&args)?;
        Ok(())
    }
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

impl Backend for Gobgp {
    fn ready(&self) -> Result<bool> {
        Ok(self.gobgp(&args(&["global"]))?.is_ok())
    }

    fn after_ready(&mut self) -> Result<()> {
        for r in &self.config.routes {
            self.add(r)?;
        }
        Ok(())
    }

    fn session_state(&self, peer: usize) -> Result<SessionState> {
        let a = self.peer_addr(peer)?.to_string();
        let out = self.must(&args(&["-j", "neighbor", &a]))?;
        parse_state(&json("gobgp neighbor", &out)?)
    }

    fn received_routes(&self, peer: usize) -> Result<Vec<Route>> {
        let a = self.peer_addr(peer)?;
        let a_s = a.to_string();
        match self.gobgp(&args(&["-j", "neighbor", &a_s, "adj-in", "-a", afi(a)]))? {
            Ok(out) => parse_routes(&json("gobgp adj-in", &out)?),
            // No Adj-RIB-In without a session: no routes from it.
            Err(e) if e.contains("not established") => Ok(Vec::new()),
            Err(detail) => Err(Error::Cli {
                command: format!("gobgp -j neighbor {a} adj-in"),
                detail,
            }),
        }
    }

    fn announce(&mut self, route: &Announcement) -> Result<()> {
        self.add(route)
    }

    fn withdraw(&mut self, prefix: Prefix) -> Result<()> {
        let p = prefix.to_string();
        self.must(&args(&[
            "global",
            "rib",
            "-a",
            afi(prefix.addr()),
            "del",
            &p,
        ]))?;
        Ok(())
    }
}

/// `state.session_state` of `gobgp -j neighbor A`: a number of the API's
/// enum (1 Idle … 6 Established) or, in some versions, its name.
fn parse_state(v: &Value) -> Result<SessionState> {
    let s = v
        .pointer("/state/session_state")
        .ok_or_else(|| Error::parse("gobgp neighbor state", v.to_string()))?;
    if let Some(n) = s.as_u64() {
        return Ok(match n {
            1 => SessionState::Idle,
            2 => SessionState::Connect,
            3 => SessionState::Active,
            4 => SessionState::OpenSent,
            5 => SessionState::OpenConfirm,
            6 => SessionState::Established,
            other => SessionState::Other(format!("session_state {other}")),
        });
    }
    s.as_str()
        .map(|n| SessionState::from_name(n.strip_prefix("SESSION_STATE_").unwrap_or(n)))
        .ok_or_else(|| Error::parse("gobgp neighbor state", s.to_string()))
}

/// `gobgp -j neighbor A adj-in`: prefix → list of paths with typed `attrs`
/// (1 ORIGIN, 2 AS_PATH, 3 NEXT_HOP, 8 COMMUNITIES, 14 MP_REACH, 32 LARGE).
fn parse_routes(v: &Value) -> Result<Vec<Route>> {
    let mut out = Vec::new();
    let Some(map) = v.as_object() else {
        return Ok(out);
    };
    for (prefix, paths) in map {
        let prefix: Prefix = prefix.parse()?;
        for p in paths.as_array().into_iter().flatten() {
            let mut r = Route::bare(prefix);
            for a in p
                .get("attrs")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                match a.get("type").and_then(Value::as_u64) {
                    Some(2) => {
                        let segs = a.get("as_paths").and_then(Value::as_array);
                        for seg in segs.into_iter().flatten() {
                            let asns = seg.get("asns").and_then(Value::as_array);
                            for asn in asns.into_iter().flatten() {
                                r.as_path.push(u32_of(asn, "gobgp AS path")?);
                            }
                        }
                    }
                    Some(3) | Some(14) => {
                        if let Some(nh) = a.get("nexthop").and_then(Value::as_str) {
                            r.next_hop = nh.parse().ok();
                        }
                    }
                    Some(8) => {
                        let list = a.get("communities").and_then(Value::as_array);
                        for c in list.into_iter().flatten() {
                            r.communities
                                .push(Community::from_u32(u32_of(c, "community")?));
                        }
                    }
                    Some(32) => {
                        let list = a.get("value").and_then(Value::as_array);
                        for c in list.into_iter().flatten() {
                            let f = |k: &str| {
                                c.get(k)
                                    .ok_or_else(|| Error::parse("large community", c.to_string()))
                                    .and_then(|x| u32_of(x, "large community"))
                            };
                            r.large_communities.push(LargeCommunity(
                                f("ASN")?,
                                f("LocalData1")?,
                                f("LocalData2")?,
                            ));
                        }
                    }
                    _ => {}
                }
            }
            out.push(r);
        }
    }
    Ok(out)
}

fn u32_of(v: &Value, what: &str) -> Result<u32> {
    v.as_u64()
        .and_then(|n| u32::try_from(n).ok())
        .ok_or_else(|| Error::parse(what, v.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::PeerSpec;

    #[test]
    fn parses_adj_in() {
        let text = r#"{"45.183.44.0/24":[{"nlri":{"prefix":"45.183.44.0/24"},"attrs":[{"type":1,"value":0},{"type":2,"as_paths":[{"segment_type":2,"num":2,"asns":[65003,64999]}]},{"type":3,"nexthop":"198.18.0.3"},{"type":8,"communities":[4260036615]},{"type":32,"value":[{"ASN":65003,"LocalData1":1,"LocalData2":2}]}],"neighbor-ip":"127.0.0.3"}],
        "2001:db8:3::/48":[{"nlri":{"prefix":"2001:db8:3::/48"},"attrs":[{"type":2,"as_paths":[{"segment_type":2,"num":1,"asns":[65003]}]},{"type":14,"nexthop":"2001:db8::3","afi":2,"safi":1}]}]}"#;
        let mut rs = parse_routes(&json("t", text).unwrap()).unwrap();
        rs.sort_by_key(|r| r.prefix);
        assert_eq!(rs.len(), 2);
        assert_eq!(rs[0].as_path, vec![65003, 64999]);
        assert_eq!(rs[0].next_hop, Some("198.18.0.3".parse().unwrap()));
        assert_eq!(rs[0].communities, vec![Community(65003, 7)]);
        assert_eq!(rs[0].large_communities, vec![LargeCommunity(65003, 1, 2)]);
        assert_eq!(rs[1].next_hop, Some("2001:db8::3".parse().unwrap()));
        assert!(parse_routes(&json("t", "{}").unwrap()).unwrap().is_empty());
        assert!(parse_routes(&json("t", "null").unwrap())
            .unwrap()
            .is_empty());
    }

    #[test]
    fn parses_state_numbers_and_names() {
        let v = json("t", r#"{"state":{"session_state":6}}"#).unwrap();
        assert!(parse_state(&v).unwrap().is_established());
        let v = json("t", r#"{"state":{"session_state":3}}"#).unwrap();
        assert_eq!(parse_state(&v).unwrap(), SessionState::Active);
        let v = json("t", r#"{"state":{"session_state":"ESTABLISHED"}}"#).unwrap();
        assert!(parse_state(&v).unwrap().is_established());
        assert!(parse_state(&json("t", "{}").unwrap()).is_err());
    }

    #[test]
    fn config_has_the_knobs() {
        let cfg = MemberConfig::new(65002, "127.0.0.2".parse().unwrap())
            .with_listen_port(11790)
            .with_peer(
                PeerSpec::new("127.0.0.3".parse().unwrap(), 11791, 65003)
                    .with_md5("s3cret")
                    .passive(),
            );
        let c = render(&cfg);
        for needle in [
            "port = 11790\n",
            "neighbor-address = \"127.0.0.3\"",
            "auth-password = \"s3cret\"",
            "remote-port = 11791",
            "passive-mode = true",
            "multihop-ttl = 2",
            "afi-safi-name = \"ipv4-unicast\"",
            "route-type = \"local\"",
        ] {
            assert!(c.contains(needle), "{needle:?} missing in\n{c}");
        }
    }
}
