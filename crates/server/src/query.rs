//! The daemon's answers to the read queries of the control protocol
//! (`condor show routes|lookup`, the looking glass): it parses the request,
//! asks the RIB task ([`condor_rib::query`]) and shapes the answer into the
//! control types. Nothing of the neighbor configuration but its name,
//! address and ASN leaves this way.

use crate::Daemon;
use condor_control::{
    LookupRequest, LookupResult, PeerName, ReasonInfo, Reply, RouteCounts, RouteInfo, RoutePage,
    RouteView, RoutesRequest, ServerStatus,
};
use condor_policy::{Aspa, Irr, Rov};
use condor_rib::{Path, PeerRef};
use condor_wire::{Family, Prefix};
use std::net::IpAddr;

fn error(message: impl Into<String>) -> Reply {
    Reply::Error {
        message: message.into(),
    }
}

fn gone() -> Reply {
    error("the RIB is not running")
}

/// Parses a prefix, or an address as a host prefix.
pub fn parse_target(s: &str) -> Result<(Prefix, bool), String> {
    if let Ok(p) = s.parse::<Prefix>() {
        return Ok((p, false));
    }
    match s.parse::<IpAddr>() {
        Ok(a) => {
            let len = if a.is_ipv4() { 32 } else { 128 };
            Prefix::new(a, len)
                .map(|p| (p, true))
                .map_err(|e| e.to_string())
        }
        Err(_) => Err(format!("{s:?} is neither a prefix nor an address")),
    }
}

fn parse_family(s: &str) -> Result<Family, String> {
    match s {
        "ipv4" | "ipv4-unicast" => Ok(Family::IPV4_UNICAST),
        "ipv6" | "ipv6-unicast" => Ok(Family::IPV6_UNICAST),
        _ => Err(format!("unknown family {s:?} (ipv4 or ipv6)")),
    }
}

fn peer_name(p: &PeerRef) -> PeerName {
    PeerName {
        address: p.addr.to_string(),
        asn: p.asn.0,
        name: p.name.clone(),
    }
}

/// A path in the control protocol's shape.
pub fn route_info(prefix: &Prefix, path: &Path, from: Option<&PeerRef>, best: bool) -> RouteInfo {
    let a = path.attrs();
    let as_path = a.as_path();
    let v = path.verdict;
    RouteInfo {
        prefix: prefix.to_string(),
        from: from.map(peer_name),
        path_id: path.path_id,
        as_path: as_path.as_ref().map(|p| p.to_string()).unwrap_or_default(),
        asns: as_path
            .as_ref()
            .map(|p| p.asns().map(|a| a.0).collect())
            .unwrap_or_default(),
        origin: a.origin().map(|o| o.to_string()).unwrap_or_default(),
        next_hop: path
            .next_hop()
            .addr()
            .map(|a| a.to_string())
            .unwrap_or_default(),
        med: a.med(),
        communities: a.communities().map(|c| c.to_string()).collect(),
        large_communities: a.large_communities().map(|c| c.to_string()).collect(),
        accepted: v.is_accepted(),
        reasons: v
            .reasons()
            .map(|r| ReasonInfo {
                code: r.code(),
                key: r.key().into(),
                description: r.description().into(),
            })
            .collect(),
        rpki: match v.rov() {
            Rov::Valid => "valid",
            Rov::NotFound => "not-found",
            Rov::Invalid => "invalid",
            Rov::NotChecked => "not-checked",
        }
        .into(),
        irr: match v.irr() {
            Irr::Valid => "valid",
            Irr::AcceptedByRpki => "accepted-by-rpki",
            Irr::Invalid => "invalid",
            Irr::NotChecked => "not-checked",
        }
        .into(),
        aspa: match v.aspa() {
            Aspa::Valid => "valid",
            Aspa::Unknown => "unknown",
            Aspa::Invalid => "invalid",
            Aspa::NotChecked => "not-checked",
        }
        .into(),
        best,
        for_client: false,
    }
}

/// `Request::Status`.
pub async fn status(daemon: &Daemon) -> Reply {
    let Some(s) = daemon.rib.stats().await else {
        return gone();
    };
    let srv = &daemon.server;
    Reply::Status {
        status: ServerStatus {
            name: srv.name.clone(),
            asn: srv.asn.0,
            router_id: srv.router_id.to_string(),
            version: env!("CARGO_PKG_VERSION").into(),
            started_unix: daemon
                .started
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs()),
            prefixes: s.prefixes as u64,
            paths: s.paths as u64,
        },
    }
}

/// `Request::Routes`.
pub async fn routes(daemon: &Daemon, r: RoutesRequest) -> Reply {
    let parsed = (|| -> Result<condor_rib::RoutesQuery, String> {
        Ok(condor_rib::RoutesQuery {
            neighbor: r
                .neighbor
                .parse()
                .map_err(|_| format!("{:?} is not an address", r.neighbor))?,
            view: match r.view {
                RouteView::Received => condor_rib::RouteView::Received,
                RouteView::Accepted => condor_rib::RouteView::Accepted,
                RouteView::Filtered => condor_rib::RouteView::Filtered,
                RouteView::Exported => condor_rib::RouteView::Exported,
            },
            family: r.family.as_deref().map(parse_family).transpose()?,
            within: r
                .within
                .as_deref()
                .map(|s| s.parse().map_err(|e| format!("within: {e}")))
                .transpose()?,
            after: r
                .after
                .as_deref()
                .map(|s| s.parse().map_err(|e| format!("after: {e}")))
                .transpose()?,
            limit: r.limit.clamp(1, condor_control::query::MAX_PAGE) as usize,
        })
    })();
    let q = match parsed {
        Ok(q) => q,
        Err(e) => return error(e),
    };
    match daemon.rib.routes(q).await {
        None => gone(),
        // A neighbor whose session is down has no routes.
        Some(Err(condor_rib::QueryError::NotUp(_))) => Reply::Routes {
            page: RoutePage {
                routes: Vec::new(),
                next: None,
            },
        },
        Some(Ok(page)) => Reply::Routes {
            page: RoutePage {
                routes: page
                    .routes
                    .iter()
                    .map(|e| route_info(&e.prefix, &e.path, e.from.as_ref(), e.best))
                    .collect(),
                next: page.next.map(|p| p.to_string()),
            },
        },
    }
}

/// `Request::Lookup`.
pub async fn lookup(daemon: &Daemon, r: LookupRequest) -> Reply {
    let (prefix, is_addr) = match parse_target(r.target.trim()) {
        Ok(t) => t,
        Err(e) => return error(e),
    };
    let client = match r.client.as_deref().map(str::parse::<IpAddr>).transpose() {
        Ok(c) => c,
        Err(_) => return error("client: not an address"),
    };
    let q = condor_rib::LookupQuery {
        prefix,
        longest: is_addr || !r.exact,
        client,
    };
    let Some(res) = daemon.rib.lookup(q).await else {
        return gone();
    };
    let Some(matched) = res.prefix else {
        return Reply::Lookup {
            result: LookupResult {
                prefix: None,
                candidates: Vec::new(),
                client: res.client.as_ref().map(peer_name),
            },
        };
    };
    Reply::Lookup {
        result: LookupResult {
            prefix: Some(matched.to_string()),
            candidates: res
                .candidates
                .iter()
                .map(|c| RouteInfo {
                    for_client: c.for_client,
                    ..route_info(&matched, &c.path, c.from.as_ref(), c.best)
                })
                .collect(),
            client: res.client.as_ref().map(peer_name),
        },
    }
}

/// `Request::Counts`.
pub async fn counts(daemon: &Daemon) -> Reply {
    match daemon.rib.counts().await {
        None => gone(),
        Some(c) => Reply::Counts {
            counts: c
                .iter()
                .map(|(p, c)| RouteCounts {
                    neighbor: peer_name(p),
                    received: c.received,
                    accepted: c.accepted,
                    filtered: c.filtered,
                    exported: c.exported,
                })
                .collect(),
        },
    }
}

/// `Request::Matrix`.
pub async fn matrix(daemon: &Daemon) -> Reply {
    match daemon.rib.matrix().await {
        None => gone(),
        Some(cells) => Reply::Matrix {
            cells: cells
                .iter()
                .map(|c| condor_control::MatrixCell {
                    client: peer_name(&c.client),
                    source: peer_name(&c.source),
                    prefixes: c.prefixes,
                })
                .collect(),
        },
    }
}
