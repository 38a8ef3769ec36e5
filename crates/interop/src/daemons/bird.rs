//! BIRD 2 as a member: `bird -f -c bird.conf -s bird.ctl -P bird.pid`,
//! one `protocol bgp peerN` per neighbor (`strict bind`, `multihop`,
//! `password`), announcements as `blackhole` static routes carrying
//! `bgp_next_hop` and communities, exported with `next hop keep`.
//! State from `birdc show protocols all peerN`, routes from
//! `birdc show route all protocol peerN`; run-time announcements rewrite the
//! static set and `birdc configure`.

use std::fmt::Write as _;
use std::path::PathBuf;

use crate::config::MemberConfig;
use crate::daemon::{Backend, StartCtx, Started};
use crate::daemons::{afi, check_plain, of_family, write};
use crate::error::{Error, Result};
use crate::kind::DaemonKind;
use crate::process::{run, Supervised};
use crate::route::{
    parse_as_path, Announcement, Community, LargeCommunity, Prefix, Route, SessionState,
};

const KIND: DaemonKind = DaemonKind::Bird;

struct Bird {
    config: MemberConfig,
    conf: PathBuf,
    ctl: PathBuf,
    birdc: PathBuf,
}

pub(crate) fn start(ctx: &StartCtx<'_>) -> Result<Started> {
    for r in &ctx.config.routes {
        check_plain(KIND.name(), r)?;
    }
    let conf = ctx.dir.join("bird.conf");
    let ctl = ctx.dir.join("bird.ctl");
    let pid = ctx.dir.join("bird.pid");
    write(&conf, &render(ctx.config))?;
    let process = Supervised::spawn(
        &KIND.program("bird")?,
        [
            "-f".as_ref(),
            "-c".as_ref(),
            conf.as_os_str(),
            "-s".as_ref(),
            ctl.as_os_str(),
            "-P".as_ref(),
            pid.as_os_str(),
        ],
        ctx.dir,
        ctx.log,
        &[],
    )?;
    let backend = Bird {
        config: ctx.config.clone(),
        conf,
        ctl,
        birdc: KIND.program("birdc")?,
    };
    Ok(Started {
        process,
        backend: Box::new(backend),
    })
}

/// The whole bird.conf for `cfg` (with its current routes).
fn render(cfg: &MemberConfig) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# bird.conf written by condor-interop");
    let _ = writeln!(s, "log stderr all;");
    let _ = writeln!(s, "router id {};", cfg.router_id);
    let _ = writeln!(s, "protocol device {{}}");
    for v4 in [true, false] {
        let _ = writeln!(s, "protocol static own_{} {{", if v4 { "v4" } else { "v6" });
        let _ = writeln!(s, "  {};", if v4 { "ipv4" } else { "ipv6" });
        for r in of_family(&cfg.routes, v4) {
            let _ = write!(
                s,
                "  route {} blackhole {{ bgp_next_hop = {};",
                r.prefix, r.next_hop
            );
            for c in &r.communities {
                let _ = write!(s, " bgp_community.add(({},{}));", c.0, c.1);
            }
            for c in &r.large_communities {
                let _ = write!(s, " bgp_large_community.add(({},{},{}));", c.0, c.1, c.2);
            }
            let _ = writeln!(s, " }};");
        }
        let _ = writeln!(s, "}}");
    }
    let port = cfg.listen_port.unwrap_or(179);
    for (i, p) in cfg.peers.iter().enumerate() {
        let _ = writeln!(s, "protocol bgp peer{i} {{");
        let _ = writeln!(s, "  local {} port {port} as {};", cfg.local_addr, cfg.asn);
        let _ = writeln!(s, "  neighbor {} port {} as {};", p.addr, p.port, p.asn);
        // Without it BIRD listens on the wildcard address and takes the port
        // from every other daemon on the box.
        let _ = writeln!(s, "  strict bind yes;");
        if let Some(ttl) = p.multihop {
            let _ = writeln!(s, "  multihop {ttl};");
        }
        if let Some(pw) = &p.md5 {
            let _ = writeln!(s, "  password \"{pw}\";");
        }
        if p.passive {
            let _ = writeln!(s, "  passive on;");
        }
        let _ = writeln!(s, "  connect delay time 1;");
        let _ = writeln!(s, "  connect retry time 2;");
        let _ = writeln!(s, "  error wait time 1, 4;");
        let _ = writeln!(s, "  {} {{", afi(p.addr));
        let _ = writeln!(s, "    import all;");
        let _ = writeln!(s, "    export where source = RTS_STATIC;");
        let _ = writeln!(s, "    next hop keep;");
        if p.add_path_rx {
            let _ = writeln!(s, "    add paths rx;");
        }
        let _ = writeln!(s, "  }};");
        let _ = writeln!(s, "}}");
    }
    s
}

impl Bird {
    fn birdc(&self, args: &[&str]) -> Result<String> {
        let mut v = vec!["-s".to_string(), self.ctl.display().to_string()];
        v.extend(args.iter().map(|a| a.to_string()));
        run(&self.birdc, &v, &[])
    }

    fn reconfigure(&self) -> Result<()> {
        write(&self.conf, &render(&self.config))?;
        let out = self.birdc(&["configure"])?;
        if out.contains("Reconfigured") || out.contains("Reconfiguration in progress") {
            Ok(())
        } else {
            Err(Error::Cli {
                command: "birdc configure".into(),
                detail: out,
            })
        }
    }
}

impl Backend for Bird {
    fn ready(&self) -> Result<bool> {
        Ok(self
            .birdc(&["show", "status"])?
            .contains("Daemon is up and running"))
    }

    fn request_route_refresh(&self, peer: usize) -> Result<()> {
        self.birdc(&["reload", "in", &format!("peer{peer}")])?;
        Ok(())
    }

    fn session_state(&self, peer: usize) -> Result<SessionState> {
        let out = self.birdc(&["show", "protocols", "all", &format!("peer{peer}")])?;
        parse_state(&out)
    }

    fn received_routes(&self, peer: usize) -> Result<Vec<Route>> {
        let out = self.birdc(&["show", "route", "all", "protocol", &format!("peer{peer}")])?;
        parse_routes(&out)
    }

    fn announce(&mut self, route: &Announcement) -> Result<()> {
        check_plain(KIND.name(), route)?;
        self.config.routes.retain(|r| r.prefix != route.prefix);
        self.config.routes.push(route.clone());
        self.reconfigure()
    }

    fn withdraw(&mut self, prefix: Prefix) -> Result<()> {
        self.config.routes.retain(|r| r.prefix != prefix);
        self.reconfigure()
    }
}

/// The `BGP state:` line of `show protocols all`.
fn parse_state(out: &str) -> Result<SessionState> {
    out.lines()
        .find_map(|l| l.trim().strip_prefix("BGP state:"))
        .map(SessionState::from_name)
        .ok_or_else(|| Error::parse("birdc show protocols", excerpt(out)))
}

/// Routes from `show route all protocol X`: a line starting with a prefix
/// (or, for further routes to the same prefix, with spaces and a `[`)
/// opens a route; tab-indented `BGP.*` lines fill it in.
fn parse_routes(out: &str) -> Result<Vec<Route>> {
    let mut routes: Vec<Route> = Vec::new();
    let mut current: Option<Prefix> = None;
    for line in out.lines() {
        if line.trim().is_empty() {
            continue;
        }
        let first = line.chars().next().unwrap_or(' ');
        if !first.is_whitespace() {
            if line.starts_with("BIRD ") || line.starts_with("Table ") {
                continue;
            }
            let tok = line.split_whitespace().next().unwrap_or("");
            match tok.parse::<Prefix>() {
                Ok(p) => {
                    current = Some(p);
                    routes.push(Route::bare(p));
                }
                Err(_) if line.contains("not found") => {}
                Err(e) => return Err(Error::parse("birdc show route", format!("{e}: {line:?}"))),
            }
            continue;
        }
        if first == ' ' && line.contains('[') {
            if let Some(p) = current {
                routes.push(Route::bare(p));
            }
            continue;
        }
        let Some(route) = routes.last_mut() else {
            continue;
        };
        let l = line.trim();
        if let Some(v) = l.strip_prefix("BGP.as_path:") {
            route.as_path = parse_as_path(v)?;
        } else if let Some(v) = l.strip_prefix("BGP.next_hop:") {
            let nh = v.split_whitespace().next().unwrap_or("");
            route.next_hop = Some(
                nh.parse()
                    .map_err(|e| Error::parse("BIRD next hop", format!("{nh:?}: {e}")))?,
            );
        } else if let Some(v) = l.strip_prefix("BGP.community:") {
            for t in tuples(v) {
                route
                    .communities
                    .push(format!("{}:{}", field(&t, 0), field(&t, 1)).parse::<Community>()?);
            }
        } else if let Some(v) = l.strip_prefix("BGP.large_community:") {
            for t in tuples(v) {
                route.large_communities.push(
                    format!("{}:{}:{}", field(&t, 0), field(&t, 1), field(&t, 2))
                        .parse::<LargeCommunity>()?,
                );
            }
        }
    }
    Ok(routes)
}

/// The comma-separated fields of each `( … )` group.
fn tuples(s: &str) -> Vec<Vec<String>> {
    s.split('(')
        .skip(1)
        .filter_map(|g| g.split_once(')'))
        .map(|(inner, _)| inner.split(',').map(|f| f.trim().to_string()).collect())
        .collect()
}

fn field(t: &[String], i: usize) -> &str {
    t.get(i).map_or("", String::as_str)
}

fn excerpt(s: &str) -> String {
    s.chars().take(400).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::PeerSpec;

    const ROUTES: &str = "BIRD 2.0.12 ready.
Table master4:
45.183.45.0/24       unreachable [peer0 22:50:25.236 from 127.0.0.2] * (100) [AS65002?]
\tType: BGP univ
\tBGP.origin: Incomplete
\tBGP.as_path: 65002 64999
\tBGP.next_hop: 198.18.0.2
\tBGP.local_pref: 100
\tBGP.community: (65002,5) (65002,6)
\tBGP.large_community: (65003, 1, 2)
                     unreachable [peer0 22:50:25.236 from 127.0.0.2] (100) [AS65002?]
\tType: BGP univ
\tBGP.as_path: 65002
\tBGP.next_hop: 198.18.0.9
Table master6:
2001:db8:2::/48      unreachable [peer0 22:53:17.993 from ::1] * (100) [AS65002?]
\tType: BGP univ
\tBGP.as_path: 65002
\tBGP.next_hop: 2001:db8::2 fe80::1
";

    #[test]
    fn parses_routes_with_attributes_and_alternatives() {
        let rs = parse_routes(ROUTES).unwrap();
        assert_eq!(rs.len(), 3);
        assert_eq!(rs[0].prefix.to_string(), "45.183.45.0/24");
        assert_eq!(rs[0].as_path, vec![65002, 64999]);
        assert_eq!(rs[0].next_hop, Some("198.18.0.2".parse().unwrap()));
        assert_eq!(
            rs[0].communities,
            vec![Community(65002, 5), Community(65002, 6)]
        );
        assert_eq!(rs[0].large_communities, vec![LargeCommunity(65003, 1, 2)]);
        assert_eq!(rs[1].prefix, rs[0].prefix);
        assert_eq!(rs[1].next_hop, Some("198.18.0.9".parse().unwrap()));
        assert_eq!(rs[2].next_hop, Some("2001:db8::2".parse().unwrap()));
        assert!(parse_routes("BIRD 2.0.12 ready.\n").unwrap().is_empty());
        assert!(parse_routes("BIRD 2.0.12 ready.\ngarbage here\n").is_err());
    }

    #[test]
    fn parses_state() {
        let out = "BIRD 2.0.12 ready.\nName Proto Table State Since Info\n\
                   peer0 BGP --- up 22:50:13.678 Established\n  BGP state:          Established\n";
        assert!(parse_state(out).unwrap().is_established());
        let out = "peer0 BGP --- start 22:49:57.667 Connect\n  BGP state:          Connect\n";
        assert_eq!(parse_state(out).unwrap(), SessionState::Connect);
        assert!(parse_state("BIRD 2.0.12 ready.\nsyntax error\n").is_err());
    }

    #[test]
    fn config_has_the_knobs() {
        let cfg = MemberConfig::new(65003, "127.0.0.3".parse().unwrap())
            .with_listen_port(11790)
            .with_peer(
                PeerSpec::new("127.0.0.2".parse().unwrap(), 11791, 65002)
                    .with_md5("s3cret")
                    .passive(),
            )
            .with_route(
                Announcement::parse("45.183.44.0/24", "198.18.0.3")
                    .unwrap()
                    .with_community(Community(65003, 7)),
            );
        let c = render(&cfg);
        assert!(c.contains("local 127.0.0.3 port 11790 as 65003;"), "{c}");
        assert!(c.contains("neighbor 127.0.0.2 port 11791 as 65002;"));
        assert!(c.contains("password \"s3cret\";"));
        assert!(c.contains("passive on;"));
        assert!(c.contains("multihop 2;"));
        assert!(c.contains("strict bind yes;"));
        assert!(!c.contains("add paths"));
        let mut ap = cfg.clone();
        ap.peers[0].add_path_rx = true;
        assert!(render(&ap).contains("add paths rx;"));
        assert!(c.contains(
            "route 45.183.44.0/24 blackhole { bgp_next_hop = 198.18.0.3; \
             bgp_community.add((65003,7)); };"
        ));
    }
}
