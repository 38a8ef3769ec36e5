//! FRR as a member: bgpd alone, without zebra —
//! `/usr/lib/frr/bgpd -Z -S -f bgpd.conf -i bgpd.pid --vty_socket DIR -P 0
//! -p PORT -l ADDR` — so nothing touches the kernel's routes or the system
//! FRR's sockets. Announcements are `network` statements with a route-map
//! that sets the next hop and communities; `attribute-unchanged next-hop`
//! keeps that next hop on eBGP (FRR would put its own 127.x address there,
//! which GoBGP and FRR refuse), `no neighbor A enforce-first-as` accepts a
//! route server's paths. Only locally originated routes are exported
//! (`as-path` `^$`). State from `show bgp neighbors A json`, routes from
//! `show bgp <afi> unicast json detail`, changes through `vtysh -c`.

use std::fmt::Write as _;
use std::net::IpAddr;
use std::path::PathBuf;

use serde_json::Value;

use crate::config::MemberConfig;
use crate::daemon::{Backend, StartCtx, Started};
use crate::daemons::{afi, check_plain, json, write};
use crate::error::{Error, Result};
use crate::kind::DaemonKind;
use crate::process::{run, Supervised};
use crate::route::{parse_as_path, Announcement, Prefix, Route, SessionState};

const KIND: DaemonKind = DaemonKind::Frr;

struct Frr {
    config: MemberConfig,
    vty_dir: PathBuf,
    vtysh: PathBuf,
    next_map: usize,
}

pub(crate) fn start(ctx: &StartCtx<'_>) -> Result<Started> {
    for r in &ctx.config.routes {
        check_plain(KIND.name(), r)?;
    }
    let conf = ctx.dir.join("bgpd.conf");
    let pid = ctx.dir.join("bgpd.pid");
    write(&conf, &render(ctx.config))?;
    let port = ctx.config.listen_port.unwrap_or(179).to_string();
    let addr = ctx.config.local_addr.to_string();
    let process = Supervised::spawn(
        &KIND.program("bgpd")?,
        [
            "-Z".as_ref(),
            "-S".as_ref(),
            "-f".as_ref(),
            conf.as_os_str(),
            "-i".as_ref(),
            pid.as_os_str(),
            "--vty_socket".as_ref(),
            ctx.dir.as_os_str(),
            "-P".as_ref(),
            "0".as_ref(),
            "-p".as_ref(),
            port.as_ref(),
            "-l".as_ref(),
            addr.as_ref(),
        ],
        ctx.dir,
        ctx.log,
        &[],
    )?;
    let backend = Frr {
        config: ctx.config.clone(),
        vty_dir: ctx.dir.to_path_buf(),
        vtysh: KIND.program("vtysh")?,
        next_map: ctx.config.routes.len(),
    };
    Ok(Started {
        process,
        backend: Box::new(backend),
    })
}

/// The route-map that gives announcement `r` its attributes.
fn route_map(name: &str, r: &Announcement) -> String {
    let mut s = format!("route-map {name} permit 10\n");
    match r.next_hop {
        IpAddr::V4(nh) => {
            let _ = writeln!(s, " set ip next-hop {nh}");
        }
        IpAddr::V6(nh) => {
            let _ = writeln!(s, " set ipv6 next-hop global {nh}");
        }
    }
    if !r.communities.is_empty() {
        let list: Vec<String> = r.communities.iter().map(ToString::to_string).collect();
        let _ = writeln!(s, " set community {}", list.join(" "));
    }
    if !r.large_communities.is_empty() {
        let list: Vec<String> = r
            .large_communities
            .iter()
            .map(ToString::to_string)
            .collect();
        let _ = writeln!(s, " set large-community {}", list.join(" "));
    }
    s
}

fn map_name(i: usize) -> String {
    format!("CONDOR-ANN-{i}")
}

/// The whole bgpd.conf for `cfg`.
fn render(cfg: &MemberConfig) -> String {
    let mut s = String::new();
    s.push_str("frr defaults traditional\n");
    let _ = writeln!(s, "hostname condor-interop-as{}", cfg.asn);
    s.push_str("log stdout debugging\n");
    s.push_str("debug bgp neighbor-events\n!\n");
    s.push_str("bgp as-path access-list CONDOR-OWN seq 5 permit ^$\n!\n");
    s.push_str("route-map CONDOR-EXPORT permit 10\n match as-path CONDOR-OWN\n!\n");
    for (i, r) in cfg.routes.iter().enumerate() {
        s.push_str(&route_map(&map_name(i), r));
        s.push_str("!\n");
    }
    let _ = writeln!(s, "router bgp {}", cfg.asn);
    let _ = writeln!(s, " bgp router-id {}", cfg.router_id);
    s.push_str(" no bgp ebgp-requires-policy\n");
    s.push_str(" no bgp network import-check\n");
    s.push_str(" no bgp default ipv4-unicast\n");
    for p in &cfg.peers {
        let a = p.addr;
        let _ = writeln!(s, " neighbor {a} remote-as {}", p.asn);
        let _ = writeln!(s, " neighbor {a} port {}", p.port);
        let _ = writeln!(s, " neighbor {a} update-source {}", cfg.local_addr);
        let _ = writeln!(s, " neighbor {a} timers connect 2");
        // A route server's paths start with the announcing member's AS.
        let _ = writeln!(s, " no neighbor {a} enforce-first-as");
        if let Some(pw) = &p.md5 {
            let _ = writeln!(s, " neighbor {a} password {pw}");
        }
        if let Some(ttl) = p.multihop {
            let _ = writeln!(s, " neighbor {a} ebgp-multihop {ttl}");
        }
        if p.passive {
            let _ = writeln!(s, " neighbor {a} passive");
        }
    }
    for v4 in [true, false] {
        let af = if v4 { "ipv4" } else { "ipv6" };
        let _ = writeln!(s, " address-family {af} unicast");
        for (i, r) in cfg.routes.iter().enumerate() {
            if r.prefix.is_ipv4() == v4 {
                let _ = writeln!(s, "  network {} route-map {}", r.prefix, map_name(i));
            }
        }
        for p in cfg.peers.iter().filter(|p| p.addr.is_ipv4() == v4) {
            let a = p.addr;
            let _ = writeln!(s, "  neighbor {a} activate");
            let _ = writeln!(s, "  neighbor {a} attribute-unchanged next-hop");
            let _ = writeln!(s, "  neighbor {a} route-map CONDOR-EXPORT out");
        }
        s.push_str(" exit-address-family\n");
    }
    s.push_str("!\n");
    s
}

impl Frr {
    fn vtysh(&self, commands: &[String]) -> Result<String> {
        let mut args = vec![
            "--vty_socket".to_string(),
            self.vty_dir.display().to_string(),
            "-d".into(),
            "bgpd".into(),
        ];
        for c in commands {
            args.push("-c".into());
            args.push(c.clone());
        }
        let out = run(&self.vtysh, &args, &[])?;
        // vtysh reports a rejected command with a `%` line.
        if let Some(l) = out.lines().find(|l| l.starts_with('%')) {
            return Err(Error::Cli {
                command: format!("vtysh -c {}", commands.join(" -c ")),
                detail: l.to_string(),
            });
        }
        Ok(out)
    }

    fn peer_addr(&self, peer: usize) -> Result<IpAddr> {
        self.config
            .peers
            .get(peer)
            .map(|p| p.addr)
            .ok_or_else(|| Error::parse("peer index", peer.to_string()))
    }
}

impl Backend for Frr {
    fn ready(&self) -> Result<bool> {
        Ok(self.vtysh(&["show version".into()])?.contains("FRRouting"))
    }

    fn request_route_refresh(&self, peer: usize) -> Result<()> {
        // Without soft-reconfiguration inbound, `soft in` sends ROUTE-REFRESH.
        let a = self.peer_addr(peer)?;
        self.vtysh(&[format!("clear bgp {a} soft in")])?;
        Ok(())
    }

    fn session_state(&self, peer: usize) -> Result<SessionState> {
        let a = self.peer_addr(peer)?;
        let out = self.vtysh(&[format!("show bgp neighbors {a} json")])?;
        parse_state(&json("vtysh show bgp neighbors", &out)?)
    }

    fn received_routes(&self, peer: usize) -> Result<Vec<Route>> {
        let a = self.peer_addr(peer)?;
        let out = self.vtysh(&[format!("show bgp {} unicast json detail", afi(a))])?;
        parse_routes(&json("vtysh show bgp json detail", &out)?, a)
    }

    fn announce(&mut self, route: &Announcement) -> Result<()> {
        check_plain(KIND.name(), route)?;
        let name = map_name(self.next_map);
        self.next_map += 1;
        let mut cmds = vec!["configure terminal".to_string()];
        cmds.extend(
            route_map(&name, route)
                .lines()
                .map(|l| l.trim().to_string()),
        );
        cmds.push("exit".into());
        cmds.push(format!("router bgp {}", self.config.asn));
        cmds.push(format!(
            "address-family {} unicast",
            afi(route.prefix.addr())
        ));
        cmds.push(format!("network {} route-map {name}", route.prefix));
        cmds.push("end".into());
        self.vtysh(&cmds)?;
        Ok(())
    }

    fn withdraw(&mut self, prefix: Prefix) -> Result<()> {
        self.vtysh(&[
            "configure terminal".into(),
            format!("router bgp {}", self.config.asn),
            format!("address-family {} unicast", afi(prefix.addr())),
            format!("no network {prefix}"),
            "end".into(),
        ])?;
        Ok(())
    }
}

/// `bgpState` of the (only) neighbor in `show bgp neighbors A json`.
fn parse_state(v: &Value) -> Result<SessionState> {
    v.as_object()
        .into_iter()
        .flat_map(|o| o.values())
        .find_map(|n| n.get("bgpState").and_then(Value::as_str))
        .map(SessionState::from_name)
        .ok_or_else(|| Error::parse("FRR neighbor state", v.to_string()))
}

/// The paths learned from `peer` in `show bgp <afi> unicast json detail`:
/// `routes` maps each prefix to a list whose first element describes the
/// prefix and whose others are paths, each with `peer.peerId`.
fn parse_routes(v: &Value, peer: IpAddr) -> Result<Vec<Route>> {
    let mut out = Vec::new();
    let Some(routes) = v.get("routes").and_then(Value::as_object) else {
        return Ok(out);
    };
    for (prefix, paths) in routes {
        let prefix: Prefix = prefix.parse()?;
        for p in paths.as_array().into_iter().flatten() {
            let from = p
                .get("peer")
                .and_then(|x| x.get("peerId"))
                .and_then(Value::as_str)
                .and_then(|s| s.parse::<IpAddr>().ok());
            if from != Some(peer) {
                continue;
            }
            let mut r = Route::bare(prefix);
            if let Some(segs) = p.pointer("/aspath/segments").and_then(Value::as_array) {
                for seg in segs {
                    for asn in seg
                        .get("list")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                    {
                        let asn = asn
                            .as_u64()
                            .and_then(|a| u32::try_from(a).ok())
                            .ok_or_else(|| Error::parse("FRR AS path", seg.to_string()))?;
                        r.as_path.push(asn);
                    }
                }
            } else if let Some(s) = p.pointer("/aspath/string").and_then(Value::as_str) {
                r.as_path = parse_as_path(s)?;
            }
            r.next_hop = p
                .get("nexthops")
                .and_then(Value::as_array)
                .and_then(|n| n.first())
                .and_then(|n| n.get("ip"))
                .and_then(Value::as_str)
                .and_then(|s| s.parse().ok());
            for c in strings(p.pointer("/community/list")) {
                r.communities.push(c.parse()?);
            }
            for c in strings(p.pointer("/largeCommunity/list")) {
                r.large_communities.push(c.parse()?);
            }
            out.push(r);
        }
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

    const DETAIL: &str = r#"{
 "vrfId": 0, "routerId": "127.0.0.4", "localAS": 65004,
 "routes": { "45.183.45.0/24": [{"prefix":"45.183.45.0/24","version":2,"advertisedTo":{"127.0.0.2":{"hostname":"vm"}}},{"aspath":{"string":"65002 64999","segments":[{"type":"as-sequence","list":[65002,64999]}],"length":2},"origin":"incomplete","valid":true,"community":{"string":"65002:5","list":["65002:5"]},"largeCommunity":{"string":"65002:1:1","list":["65002:1:1"]},"nexthops":[{"ip":"198.18.0.2","afi":"ipv4","used":true}],"peer":{"peerId":"127.0.0.2","routerId":"127.0.0.2","type":"external"}}]
,"45.183.46.0/24": [{"prefix":"45.183.46.0/24","version":1},{"aspath":{"string":"Local","segments":[],"length":0},"origin":"IGP","nexthops":[{"ip":"198.18.0.4","afi":"ipv4","used":true}],"peer":{"peerId":"0.0.0.0","routerId":"127.0.0.4"}}]
 }  } "#;

    #[test]
    fn parses_detail_json_for_one_peer() {
        let v = json("t", DETAIL).unwrap();
        let rs = parse_routes(&v, "127.0.0.2".parse().unwrap()).unwrap();
        assert_eq!(rs.len(), 1);
        let r = &rs[0];
        assert_eq!(r.prefix.to_string(), "45.183.45.0/24");
        assert_eq!(r.as_path, vec![65002, 64999]);
        assert_eq!(r.next_hop, Some("198.18.0.2".parse().unwrap()));
        assert_eq!(r.communities, vec![Community(65002, 5)]);
        assert_eq!(r.large_communities, vec![LargeCommunity(65002, 1, 1)]);
        let none = parse_routes(&v, "127.0.0.9".parse().unwrap()).unwrap();
        assert!(none.is_empty());
        assert!(
            parse_routes(&json("t", "{}").unwrap(), "127.0.0.2".parse().unwrap())
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn parses_state() {
        let v = json(
            "t",
            r#"{"127.0.0.2":{"remoteAs":65002,"bgpState":"Established"}}"#,
        )
        .unwrap();
        assert!(parse_state(&v).unwrap().is_established());
        let v = json("t", r#"{"127.0.0.2":{"bgpState":"Active"}}"#).unwrap();
        assert_eq!(parse_state(&v).unwrap(), SessionState::Active);
        assert!(parse_state(&json("t", "{}").unwrap()).is_err());
    }

    #[test]
    fn config_has_the_knobs() {
        let cfg = MemberConfig::new(65004, "127.0.0.4".parse().unwrap())
            .with_peer(PeerSpec::new("127.0.0.2".parse().unwrap(), 11790, 65002).with_md5("pw"))
            .with_route(
                Announcement::parse("45.183.46.0/24", "198.18.0.4")
                    .unwrap()
                    .with_large_community(LargeCommunity(65004, 1, 2)),
            );
        let c = render(&cfg);
        for needle in [
            " neighbor 127.0.0.2 password pw\n",
            " neighbor 127.0.0.2 port 11790\n",
            " neighbor 127.0.0.2 ebgp-multihop 2\n",
            "  neighbor 127.0.0.2 attribute-unchanged next-hop\n",
            "  network 45.183.46.0/24 route-map CONDOR-ANN-0\n",
            " set ip next-hop 198.18.0.4\n",
            " set large-community 65004:1:2\n",
        ] {
            assert!(c.contains(needle), "{needle:?} missing in\n{c}");
        }
    }
}
