//! `condor mrt dump`: one line per route of an MRT stream.
//!
//! Each BGP4MP UPDATE is decoded with `condor-wire`: its withdrawn routes
//! and MP_UNREACH_NLRI prefixes give `W` lines, its NLRI and MP_REACH_NLRI
//! prefixes give `A` lines (or `W` lines when RFC 7606 says the UPDATE is
//! treat-as-withdraw). TABLE_DUMP and TABLE_DUMP_V2 RIB entries give `A`
//! lines; TABLE_DUMP_V2 entries name their peer through the last
//! PEER_INDEX_TABLE. The line format is specified in `docs/cli.md`.

use crate::cli::DumpArgs;
use crate::mrt_source;
use anyhow::{bail, Context as _};
use condor_mrt::{PeerIndexTable, Record, RecordBody, Timestamp};
use condor_wire::attr::decode_rib_attributes;
use condor_wire::{decode_message, Asn, Context, Message, Nlri, PathAttributes, Update};
use serde::Serialize;
use std::fmt::Write as _;
use std::io::Write;
use std::net::IpAddr;

/// Announcement or withdrawal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// The route is announced (or is a RIB entry).
    Announce,
    /// The route is withdrawn.
    Withdraw,
}

/// What an announcement carries, shared by all prefixes of one UPDATE.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RouteAttrs {
    /// AS path (AS4_PATH merged in for 2-octet sessions), sets in `{ }`.
    pub as_path: Option<String>,
    /// Next hop: NEXT_HOP, or MP_REACH_NLRI's (global) next hop.
    pub next_hop: Option<IpAddr>,
    /// ORIGIN.
    pub origin: Option<String>,
    /// COMMUNITIES (RFC 1997), `asn:value`.
    pub communities: Vec<String>,
    /// LARGE_COMMUNITY (RFC 8092), `global:local1:local2`.
    pub large_communities: Vec<String>,
}

/// One output line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Route {
    /// Record time, seconds since the epoch.
    pub time: u32,
    /// Microseconds (BGP4MP_ET records only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub micros: Option<u32>,
    /// Announcement or withdrawal.
    pub action: Action,
    /// The peer that sent the route.
    pub peer_ip: IpAddr,
    /// The peer's AS.
    pub peer_as: u32,
    /// The prefix.
    pub prefix: String,
    /// ADD-PATH path identifier (RFC 7911), when present.
    pub path_id: Option<u32>,
    /// Attributes, for announcements.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub attrs: Option<RouteAttrs>,
}

impl Route {
    /// The `|`-separated text line (see `docs/cli.md`).
    pub fn text(&self) -> String {
        let mut s = String::with_capacity(128);
        let _ = write!(s, "{}", self.time);
        if let Some(us) = self.micros {
            let _ = write!(s, ".{us:06}");
        }
        let tag = match self.action {
            Action::Announce => 'A',
            Action::Withdraw => 'W',
        };
        let _ = write!(
            s,
            "|{tag}|{}|{}|{}",
            self.peer_ip, self.peer_as, self.prefix
        );
        if let Some(id) = self.path_id {
            let _ = write!(s, "#{id}");
        }
        if let Some(a) = &self.attrs {
            let nh = a.next_hop.map(|n| n.to_string()).unwrap_or_default();
            let _ = write!(
                s,
                "|{}|{nh}|{}|{}|{}",
                a.as_path.as_deref().unwrap_or(""),
                a.origin.as_deref().unwrap_or(""),
                a.communities.join(" "),
                a.large_communities.join(" ")
            );
        }
        s
    }
}

/// Who sent a route, and when.
#[derive(Clone, Copy, Debug)]
struct Source {
    time: Timestamp,
    peer_ip: IpAddr,
    peer_as: Asn,
}

impl Source {
    fn route(&self, action: Action, nlri: &Nlri, attrs: Option<&RouteAttrs>) -> Route {
        Route {
            time: self.time.secs,
            micros: self.time.micros,
            action,
            peer_ip: self.peer_ip,
            peer_as: self.peer_as.0,
            prefix: nlri.prefix.to_string(),
            path_id: nlri.path_id,
            attrs: attrs.cloned(),
        }
    }
}

fn route_attrs(attrs: &PathAttributes, mp_next_hop: Option<IpAddr>, ipv4: bool) -> RouteAttrs {
    let nh4 = attrs.next_hop().map(IpAddr::V4);
    RouteAttrs {
        as_path: attrs.as_path().map(|p| p.to_string()),
        // IPv4 prefixes use NEXT_HOP unless MP_REACH carried them (RFC 8950).
        next_hop: if ipv4 {
            nh4.or(mp_next_hop)
        } else {
            mp_next_hop.or(nh4)
        },
        origin: attrs.origin().map(|o| o.to_string()),
        communities: attrs.communities().map(|c| c.to_string()).collect(),
        large_communities: attrs.large_communities().map(|c| c.to_string()).collect(),
    }
}

/// The routes of one UPDATE, withdrawals first (as RFC 4271 §9 processes them).
fn update_routes(u: &Update, src: &Source) -> Vec<Route> {
    let mut routes: Vec<Route> = u
        .withdrawals()
        .map(|n| src.route(Action::Withdraw, n, None))
        .collect();
    let withdraw_all = u.treat_as_withdraw();
    if !u.nlri.is_empty() {
        let a = route_attrs(&u.attrs, None, true);
        for n in &u.nlri {
            routes.push(announce_or_withdraw(src, n, &a, withdraw_all));
        }
    }
    if let Some(r) = &u.mp_reach {
        let mp = r.next_hop.addr();
        let mut cache: Option<(bool, RouteAttrs)> = None;
        for n in r.nlri.prefixes() {
            let v4 = n.prefix.is_ipv4();
            let a = match &cache {
                Some((fam, a)) if *fam == v4 => a,
                _ => &cache.insert((v4, route_attrs(&u.attrs, mp, v4))).1,
            };
            routes.push(announce_or_withdraw(src, n, a, withdraw_all));
        }
    }
    routes
}

fn announce_or_withdraw(src: &Source, n: &Nlri, a: &RouteAttrs, withdraw: bool) -> Route {
    if withdraw {
        src.route(Action::Withdraw, n, None)
    } else {
        src.route(Action::Announce, n, Some(a))
    }
}

/// Turns records into routes; keeps the PEER_INDEX_TABLE between records.
#[derive(Default)]
pub struct RouteExtractor {
    peers: Option<PeerIndexTable>,
}

impl RouteExtractor {
    /// The routes of one record, or a warning when (part of) it could not be
    /// decoded; records without routes give an empty list.
    pub fn routes(&mut self, r: &Record) -> (Vec<Route>, Option<String>) {
        let time = r.header.timestamp;
        match &r.body {
            RecordBody::Bgp4mpMessage(m) => {
                let src = Source {
                    time,
                    peer_ip: m.peer_ip,
                    peer_as: m.peer_as,
                };
                match decode_message(&m.message, &m.context()) {
                    Ok(Message::Update(u)) => (update_routes(&u, &src), None),
                    Ok(_) => (Vec::new(), None),
                    Err(e) => (
                        Vec::new(),
                        Some(format!("record at offset {}: BGP message: {e}", r.offset)),
                    ),
                }
            }
            RecordBody::TableDump(e) => {
                let src = Source {
                    time,
                    peer_ip: e.peer_ip,
                    peer_as: e.peer_as,
                };
                let ctx = Context {
                    collector: true,
                    ..Context::default()
                };
                match decode_rib_attributes(&e.attributes, &ctx) {
                    Ok(ra) => {
                        let a = route_attrs(
                            &ra.attrs,
                            ra.mp_next_hop.and_then(|n| n.addr()),
                            e.prefix.is_ipv4(),
                        );
                        (
                            vec![src.route(Action::Announce, &Nlri::new(e.prefix), Some(&a))],
                            None,
                        )
                    }
                    Err(err) => (
                        Vec::new(),
                        Some(format!("record at offset {}: attributes: {err}", r.offset)),
                    ),
                }
            }
            RecordBody::PeerIndexTable(t) => {
                self.peers = Some(t.clone());
                (Vec::new(), None)
            }
            RecordBody::Rib(rib) => {
                let ctx = Context {
                    collector: true,
                    ..Context::four_octet()
                };
                let mut routes = Vec::with_capacity(rib.entries.len());
                let mut warning = None;
                for entry in &rib.entries {
                    let Some(peer) = self
                        .peers
                        .as_ref()
                        .and_then(|t| t.peers.get(usize::from(entry.peer_index)))
                    else {
                        warning = Some(format!(
                            "record at offset {}: peer index {} not in the PEER_INDEX_TABLE",
                            r.offset, entry.peer_index
                        ));
                        continue;
                    };
                    let src = Source {
                        time,
                        peer_ip: peer.ip,
                        peer_as: peer.asn,
                    };
                    match decode_rib_attributes(&entry.attributes, &ctx) {
                        Ok(ra) => {
                            let mp = ra.mp_next_hop.and_then(|n| n.addr());
                            let a = route_attrs(&ra.attrs, mp, rib.prefix.is_ipv4());
                            let nlri = Nlri {
                                path_id: entry.path_id,
                                prefix: rib.prefix,
                            };
                            routes.push(src.route(Action::Announce, &nlri, Some(&a)));
                        }
                        Err(err) => {
                            warning =
                                Some(format!("record at offset {}: attributes: {err}", r.offset));
                        }
                    }
                }
                (routes, warning)
            }
            RecordBody::StateChange(_) | RecordBody::Raw(_) => (Vec::new(), None),
        }
    }
}

/// Runs the command, writing routes to `out` and warnings to standard error.
pub fn run(args: &DumpArgs, out: &mut impl Write) -> anyhow::Result<()> {
    let opened = mrt_source::open(&args.source)?;
    let limit = args.limit.unwrap_or(u64::MAX);
    let mut extractor = RouteExtractor::default();
    let (mut printed, mut records, mut errors) = (0u64, 0u64, 0u64);
    let mut first_error = None;
    for item in opened.records {
        if printed >= limit {
            break;
        }
        records += 1;
        let record = match item {
            Ok(r) => r,
            Err(e) => {
                errors += 1;
                eprintln!("warning: {}: {e}", opened.name);
                first_error.get_or_insert_with(|| e.to_string());
                continue;
            }
        };
        let (routes, warning) = extractor.routes(&record);
        if let Some(w) = warning {
            eprintln!("warning: {}: {w}", opened.name);
        }
        for route in routes
            .iter()
            .take(usize::try_from(limit - printed).unwrap_or(usize::MAX))
        {
            if args.json {
                serde_json::to_writer(&mut *out, route)
                    .context("cannot write to standard output")?;
                writeln!(out).context("cannot write to standard output")?;
            } else {
                writeln!(out, "{}", route.text()).context("cannot write to standard output")?;
            }
            printed += 1;
        }
    }
    if records > 0 && errors == records {
        bail!(
            "{}: no MRT record could be read: {}",
            opened.name,
            first_error.unwrap_or_default()
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn src() -> Source {
        Source {
            time: Timestamp {
                secs: 1_700_000_000,
                micros: Some(42),
            },
            peer_ip: "45.183.47.10".parse().unwrap_or(IpAddr::from([0, 0, 0, 0])),
            peer_as: Asn(64500),
        }
    }

    fn update(body: &[u8], ctx: &Context) -> Update {
        let mut msg = vec![0xff; 16];
        msg.extend_from_slice(&((19 + body.len()) as u16).to_be_bytes());
        msg.push(2);
        msg.extend_from_slice(body);
        match decode_message(&msg, ctx) {
            Ok(Message::Update(u)) => u,
            other => panic!("not an UPDATE: {other:?}"),
        }
    }

    #[test]
    fn ipv4_update_gives_withdrawals_then_announcements() {
        // Withdraw 10.0.0.0/8; ORIGIN IGP, AS_PATH 64500 64501, NEXT_HOP
        // 45.183.47.10, COMMUNITIES 64115:100; NLRI 203.0.113.0/24.
        let body = [
            0, 2, 8, 10, // withdrawn
            0, 31, // attribute length
            0x40, 1, 1, 0, // ORIGIN
            0x40, 2, 10, 2, 2, 0, 0, 0xfb, 0xf4, 0, 0, 0xfb, 0xf5, // AS_PATH
            0x40, 3, 4, 45, 183, 47, 10, // NEXT_HOP
            0xc0, 8, 4, 0xfa, 0x73, 0, 100, // COMMUNITIES
            24, 203, 0, 113, // NLRI
        ];
        let routes = update_routes(&update(&body, &Context::four_octet()), &src());
        let lines: Vec<String> = routes.iter().map(Route::text).collect();
        assert_eq!(
            lines,
            [
                "1700000000.000042|W|45.183.47.10|64500|10.0.0.0/8",
                "1700000000.000042|A|45.183.47.10|64500|203.0.113.0/24|64500 64501|45.183.47.10|IGP|64115:100|",
            ]
        );
    }

    #[test]
    fn json_omits_attributes_of_withdrawals_and_flattens_announcements() {
        let nlri = Nlri {
            path_id: Some(7),
            prefix: "2001:db8::/32".parse().unwrap_or_else(|e| panic!("{e:?}")),
        };
        let w = src().route(Action::Withdraw, &nlri, None);
        let v = serde_json::to_value(&w).unwrap_or_default();
        assert_eq!(v["action"], "withdraw");
        assert_eq!(v["path_id"], 7);
        assert_eq!(v["micros"], 42);
        assert!(v.get("as_path").is_none());
        let a = RouteAttrs {
            as_path: Some("64500".into()),
            ..RouteAttrs::default()
        };
        let v = serde_json::to_value(src().route(Action::Announce, &nlri, Some(&a)))
            .unwrap_or_default();
        assert_eq!(v["as_path"], "64500");
        assert_eq!(v["prefix"], "2001:db8::/32");
        assert_eq!(v["communities"], serde_json::json!([]));
        assert_eq!(
            w.text(),
            "1700000000.000042|W|45.183.47.10|64500|2001:db8::/32#7"
        );
    }
}
