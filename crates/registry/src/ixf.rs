//! IX-F Member Export (Euro-IX JSON, schema 0.6, 0.7, 1.0) into and out of
//! the registry. Import takes one exchange (`ixp_id`) and one VLAN of it,
//! creates or updates members, and reports every entry it skips and why:
//! the exchange's own route servers (addresses with the `ixrouteserver`
//! service, which become registry route servers instead), other VLANs,
//! missing or malformed addresses, addresses outside the peering LAN or
//! taken by another member, reserved ASNs. Export writes schema 1.0.

use crate::ixf_schema::{IxfAddress, IxfFile, IxfIxp, IxfMember};
use crate::model::{Member, MemberStatus, PeeringPolicy, Registry, RouteServer};
use crate::validate::{as_set_problem, asn_problem, email_problem, validate};
use condor_wire::{Asn, Prefix};
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::net::IpAddr;

/// IX-F versions the importer reads.
pub const IXF_VERSIONS: [&str; 3] = ["0.6", "0.7", "1.0"];

/// Why an IX-F file cannot be imported.
#[derive(Debug, thiserror::Error)]
pub enum IxfError {
    /// Not JSON, or a field of the wrong type; `path` is the JSON path.
    #[error("IX-F JSON at {path}: {message}")]
    Json {
        /// Where, e.g. `member_list[3].connection_list[0].ixp_id`.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// A version the importer does not read.
    #[error("IX-F version {0:?} is not supported (supported: 0.6, 0.7, 1.0)")]
    Version(String),
    /// The exchange to import cannot be chosen.
    #[error("{0}")]
    Selection(String),
    /// The imported registry does not validate (should not happen: entries
    /// that would break it are skipped).
    #[error("the imported registry is invalid: {0}")]
    Invalid(String),
}

/// Which exchange and VLAN to import.
#[derive(Clone, Copy, Debug, Default)]
pub struct ImportOptions {
    /// `ixp_id` in the file; needed when it lists several exchanges.
    pub ixp_id: Option<u64>,
    /// VLAN id; needed when the exchange has several VLANs.
    pub vlan_id: Option<u64>,
}

/// One entry not imported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    /// What: `AS64500`, `AS64500 45.183.47.3`.
    pub what: String,
    /// Why.
    pub why: String,
}

/// What an import did.
#[derive(Clone, Debug, Default)]
pub struct ImportReport {
    /// Schema version of the file.
    pub version: String,
    /// The VLAN imported (`None`: the file lists none and none was given).
    pub vlan_id: Option<u64>,
    /// Members created.
    pub created: Vec<Asn>,
    /// Members that existed and changed.
    pub updated: Vec<Asn>,
    /// Members that existed and stayed the same.
    pub unchanged: Vec<Asn>,
    /// Route servers added (by name).
    pub route_servers: Vec<String>,
    /// Entries skipped, with the reason.
    pub skipped: Vec<Skipped>,
}

fn parse_file(json: &str) -> Result<IxfFile, IxfError> {
    // The version first: another version's layout would fail below with a
    // less helpful message.
    #[derive(serde::Deserialize)]
    struct Version {
        version: Option<serde_json::Value>,
    }
    if let Ok(Version { version: Some(v) }) = serde_json::from_str::<Version>(json) {
        let v = v.as_str().map_or_else(|| v.to_string(), str::to_string);
        if !IXF_VERSIONS.contains(&v.as_str()) {
            return Err(IxfError::Version(v));
        }
    }
    let de = &mut serde_json::Deserializer::from_str(json);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        IxfError::Json {
            path: if path.is_empty() || path == "." {
                "$".into()
            } else {
                format!("$.{path}")
            },
            message: inner.to_string(),
        }
    })
}

fn select_ixp<'a>(file: &'a IxfFile, opts: &ImportOptions) -> Result<&'a IxfIxp, IxfError> {
    let ids = || {
        file.ixp_list
            .iter()
            .map(|i| i.ixp_id.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    match opts.ixp_id {
        Some(id) => file
            .ixp_list
            .iter()
            .find(|i| i.ixp_id == id)
            .ok_or_else(|| {
                IxfError::Selection(format!(
                    "no exchange with ixp_id {id} (the file has: {})",
                    ids()
                ))
            }),
        None if file.ixp_list.len() == 1 => Ok(&file.ixp_list[0]),
        None if file.ixp_list.is_empty() => Err(IxfError::Selection(
            "the file lists no exchange (ixp_list is empty)".into(),
        )),
        None => Err(IxfError::Selection(format!(
            "the file lists several exchanges (ixp_id {}); choose one",
            ids()
        ))),
    }
}

fn lan(net: &Option<crate::ixf_schema::IxfNet>) -> Option<Prefix> {
    let n = net.as_ref()?;
    let addr: IpAddr = n.prefix.parse().ok()?;
    Prefix::new(addr, n.mask_length).ok()
}

fn policy(p: Option<&str>) -> PeeringPolicy {
    match p.map(str::to_ascii_lowercase).as_deref() {
        Some("selective") => PeeringPolicy::Selective,
        Some("restrictive") | Some("closed") => PeeringPolicy::Restrictive,
        _ => PeeringPolicy::Open,
    }
}

fn status(state: Option<&str>) -> MemberStatus {
    match state {
        Some("inactive") => MemberStatus::Suspended,
        Some("disconnected") => MemberStatus::Disconnected,
        Some("connected") => MemberStatus::Pending,
        _ => MemberStatus::Active,
    }
}

/// What the import gathered of one member entry.
struct Gathered {
    ipv4: Vec<IpAddr>,
    ipv6: Vec<IpAddr>,
    as_set: Option<String>,
    max_v4: Option<u32>,
    max_v6: Option<u32>,
    route_server: bool,
    rs_addresses: Vec<IpAddr>,
    state: Option<String>,
}

/// Imports an IX-F export into `reg`.
pub fn import(
    reg: &mut Registry,
    json: &str,
    opts: ImportOptions,
) -> Result<ImportReport, IxfError> {
    let file = parse_file(json)?;
    if !IXF_VERSIONS.contains(&file.version.as_str()) {
        return Err(IxfError::Version(file.version));
    }
    let ixp = select_ixp(&file, &opts)?;
    let ixp_name = ixp
        .shortname
        .clone()
        .or_else(|| ixp.name.clone())
        .unwrap_or_else(|| format!("ixp_id {}", ixp.ixp_id));
    let vlans = ixp.vlan.as_deref().unwrap_or_default();
    // The VLAN: given, or the only one. An exchange that lists no VLAN
    // (allowed by the schema) gives no peering LAN: the registry's are used,
    // and entries are filtered by the given vlan_id, if any.
    let vlan = match opts.vlan_id {
        Some(id) if !vlans.is_empty() => {
            Some(vlans.iter().find(|v| v.id == id).ok_or_else(|| {
                IxfError::Selection(format!("exchange {} has no VLAN {id}", ixp_name))
            })?)
        }
        _ if vlans.len() == 1 => Some(&vlans[0]),
        _ if vlans.is_empty() => None,
        _ => {
            return Err(IxfError::Selection(format!(
                "exchange {} has {} VLANs ({}); choose one",
                ixp_name,
                vlans.len(),
                vlans
                    .iter()
                    .map(|v| v.id.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )))
        }
    };
    let vlan_filter = vlan.map(|v| v.id).or(opts.vlan_id);
    let mut report = ImportReport {
        version: file.version.clone(),
        vlan_id: vlan_filter,
        ..ImportReport::default()
    };
    if reg.exchange.name.is_empty() {
        reg.exchange.name = ixp.name.clone().unwrap_or_else(|| ixp_name.clone());
    }
    if reg.exchange.ixf_id.is_none() {
        reg.exchange.ixf_id = ixp.ixf_id;
    }
    if let Some(v) = vlan {
        if reg.exchange.peering_lan_v4.is_none() {
            reg.exchange.peering_lan_v4 = lan(&v.ipv4);
        }
        if reg.exchange.peering_lan_v6.is_none() {
            reg.exchange.peering_lan_v6 = lan(&v.ipv6);
        }
    }

    // Addresses already held, by whom.
    let mut holders: HashMap<IpAddr, Asn> = HashMap::new();
    for m in &reg.members {
        for a in m.addresses() {
            holders.insert(a, m.asn);
        }
    }
    let mut rs_holders: HashMap<IpAddr, String> = HashMap::new();
    for rs in &reg.exchange.route_servers {
        for &a in &rs.addresses {
            rs_holders.insert(a, rs.name.clone());
        }
    }

    for (i, entry) in file.member_list.iter().enumerate() {
        let asn = match u32::try_from(entry.asnum) {
            Ok(a) if asn_problem(Asn(a)).is_none() => Asn(a),
            Ok(a) => {
                report.skipped.push(Skipped {
                    what: format!("member_list[{i}] AS{a}"),
                    why: asn_problem(Asn(a)).unwrap_or_default().into(),
                });
                continue;
            }
            Err(_) => {
                report.skipped.push(Skipped {
                    what: format!("member_list[{i}] AS{}", entry.asnum),
                    why: "ASN out of range".into(),
                });
                continue;
            }
        };
        let g = gather(
            reg,
            entry,
            asn,
            ixp.ixp_id,
            vlan_filter,
            &mut holders,
            &rs_holders,
            &mut report,
        );
        if !g.rs_addresses.is_empty() {
            let base = entry.name.clone().unwrap_or_else(|| format!("rs-AS{asn}"));
            let mut name = base.clone();
            let mut n = 2;
            while reg.route_server(&name).is_some() {
                name = format!("{base}-{n}");
                n += 1;
            }
            for &a in &g.rs_addresses {
                rs_holders.insert(a, name.clone());
            }
            reg.exchange.route_servers.push(RouteServer {
                name: name.clone(),
                asn,
                addresses: g.rs_addresses.clone(),
                blackhole_next_hops: Vec::new(),
            });
            report.route_servers.push(name);
        }
        if g.ipv4.is_empty() && g.ipv6.is_empty() {
            let connected = entry
                .connection_list
                .iter()
                .any(|c| c.ixp_id.unwrap_or(ixp.ixp_id) == ixp.ixp_id);
            if reg.member(asn).is_none() && g.rs_addresses.is_empty() {
                report.skipped.push(Skipped {
                    what: format!("AS{asn}"),
                    why: match vlan_filter {
                        _ if !connected => {
                            format!("no connection to exchange ixp_id {}", ixp.ixp_id)
                        }
                        Some(id) => format!("no usable address in VLAN {id}"),
                        None => "no usable address".into(),
                    },
                });
            }
            continue;
        }
        let name = entry
            .name
            .clone()
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| format!("AS{asn}"));
        let contact = entry
            .contact_email
            .iter()
            .flatten()
            .find(|e| email_problem(e).is_none())
            .cloned();
        let existing = reg.member(asn).cloned();
        let mut m = existing
            .clone()
            .unwrap_or_else(|| Member::new(asn, name.clone()));
        m.name = name;
        m.ipv4 = g.ipv4;
        m.ipv6 = g.ipv6;
        m.as_set = g.as_set.or(m.as_set);
        m.max_prefix_v4 = g.max_v4.or(m.max_prefix_v4);
        m.max_prefix_v6 = g.max_v6.or(m.max_prefix_v6);
        m.route_server = g.route_server;
        m.policy = policy(entry.peering_policy.as_deref());
        m.status = status(g.state.as_deref());
        if contact.is_some() {
            m.contacts.noc = contact;
        }
        match existing {
            None => {
                reg.members.push(m);
                report.created.push(asn);
            }
            Some(old) if old == m => report.unchanged.push(asn),
            Some(_) => {
                if let Some(slot) = reg.member_mut(asn) {
                    *slot = m;
                }
                report.updated.push(asn);
            }
        }
    }
    let problems = validate(reg);
    if !problems.is_empty() {
        return Err(IxfError::Invalid(
            problems
                .iter()
                .map(|p| p.to_string())
                .collect::<Vec<_>>()
                .join("; "),
        ));
    }
    Ok(report)
}

#[allow(clippy::too_many_arguments)]
fn gather(
    reg: &Registry,
    entry: &IxfMember,
    asn: Asn,
    ixp_id: u64,
    vlan_filter: Option<u64>,
    holders: &mut HashMap<IpAddr, Asn>,
    rs_holders: &HashMap<IpAddr, String>,
    report: &mut ImportReport,
) -> Gathered {
    let mut g = Gathered {
        ipv4: Vec::new(),
        ipv6: Vec::new(),
        as_set: None,
        max_v4: None,
        max_v6: None,
        route_server: false,
        rs_addresses: Vec::new(),
        state: None,
    };
    for c in entry
        .connection_list
        .iter()
        .filter(|c| c.ixp_id.unwrap_or(ixp_id) == ixp_id)
    {
        if g.state.is_none() {
            g.state = c.state.clone();
        }
        for v in c.vlan_list.iter().flatten() {
            let in_vlan = match (vlan_filter, v.vlan_id) {
                (None, _) | (Some(_), None) => true,
                (Some(want), Some(id)) => want == id,
            };
            for (fam, a) in [(4u8, &v.ipv4), (6u8, &v.ipv6)] {
                let Some(a) = a else { continue };
                let text = a.address.clone().unwrap_or_default();
                let what = format!(
                    "AS{asn} {}",
                    if text.is_empty() {
                        format!("IPv{fam}")
                    } else {
                        text.clone()
                    }
                );
                let mut skip = |why: String| {
                    report.skipped.push(Skipped {
                        what: what.clone(),
                        why,
                    })
                };
                if !in_vlan {
                    skip(format!(
                        "in VLAN {}, not the imported VLAN {}",
                        v.vlan_id.unwrap_or_default(),
                        vlan_filter.unwrap_or_default()
                    ));
                    continue;
                }
                let Some(addr_text) = a.address.as_deref() else {
                    skip("no address".into());
                    continue;
                };
                let addr: IpAddr = match addr_text.parse() {
                    Ok(ip) if (fam == 4) == IpAddr::is_ipv4(&ip) => ip,
                    _ => {
                        skip(format!("not an IPv{fam} address"));
                        continue;
                    }
                };
                let lan = if fam == 4 {
                    reg.exchange.peering_lan_v4
                } else {
                    reg.exchange.peering_lan_v6
                };
                if a.is_route_server() || entry.is_route_server() {
                    if !lan.is_some_and(|l| l.contains_addr(addr)) {
                        skip(format!("route-server address outside the IPv{fam} peering LAN (or none is known)"));
                    } else if let Some(rs) = rs_holders.get(&addr) {
                        skip(format!(
                            "route server {rs} of the registry (a route-server address)"
                        ));
                    } else {
                        skip(format!(
                            "the exchange's route server ({}): added as a route server, not a member",
                            if entry.is_route_server() { "member_type routeserver" } else { "service ixrouteserver" }
                        ));
                        g.rs_addresses.push(addr);
                    }
                    continue;
                }
                if let Some(rs) = rs_holders.get(&addr) {
                    skip(format!("address of route server {rs}"));
                    continue;
                }
                match lan {
                    Some(l) if l.contains_addr(addr) => {}
                    Some(l) => {
                        skip(format!("outside the peering LAN {l}"));
                        continue;
                    }
                    None => {
                        skip(format!("the exchange has no IPv{fam} peering LAN"));
                        continue;
                    }
                }
                match holders.get(&addr) {
                    Some(&other) if other != asn => {
                        skip(format!("already taken by AS{other}"));
                        continue;
                    }
                    _ => {}
                }
                let list = if fam == 4 { &mut g.ipv4 } else { &mut g.ipv6 };
                if list.contains(&addr) {
                    continue;
                }
                holders.insert(addr, asn);
                list.push(addr);
                take_details(&mut g, a, fam, &what, report);
            }
        }
    }
    g
}

fn take_details(g: &mut Gathered, a: &IxfAddress, fam: u8, what: &str, report: &mut ImportReport) {
    // No flag: the address peers with the route servers (as arouteserver
    // reads it); only an explicit `false` keeps it away.
    if a.routeserver != Some(false) {
        g.route_server = true;
    }
    if let Some(m) = a
        .as_macro
        .as_deref()
        .map(str::trim)
        .filter(|m| !m.is_empty())
    {
        if as_set_problem(m).is_some() {
            report.skipped.push(Skipped {
                what: format!("{what} as_macro {m:?}"),
                why: "not an AS-SET name; left out".into(),
            });
        } else if g.as_set.is_none() {
            g.as_set = Some(m.to_string());
        } else if g.as_set.as_deref() != Some(m) {
            report.skipped.push(Skipped {
                what: format!("{what} as_macro {m:?}"),
                why: format!(
                    "differs from {:?} of another address; the registry keeps one AS-SET per member",
                    g.as_set.as_deref().unwrap_or_default()
                ),
            });
        }
    }
    let limit = a
        .max_prefix
        .and_then(|n| u32::try_from(n).ok())
        .filter(|&n| n > 0);
    match fam {
        4 => g.max_v4 = g.max_v4.or(limit),
        _ => g.max_v6 = g.max_v6.or(limit),
    }
}

/// The VLAN id and `ixp_id` used in exports (the registry has one of each).
const EXPORT_IXP_ID: u64 = 1;
const EXPORT_VLAN_ID: u64 = 1;

fn net(p: Option<Prefix>) -> Option<Value> {
    p.map(|p| json!({"prefix": p.addr().to_string(), "mask_length": p.len()}))
}

fn state_of(s: MemberStatus) -> &'static str {
    match s {
        MemberStatus::Active => "active",
        MemberStatus::Pending => "connected",
        MemberStatus::Suspended => "inactive",
        MemberStatus::Disconnected => "disconnected",
    }
}

fn policy_of(p: PeeringPolicy) -> &'static str {
    match p {
        PeeringPolicy::Open => "open",
        PeeringPolicy::Selective => "selective",
        PeeringPolicy::Restrictive => "restrictive",
    }
}

/// The registry as an IX-F Member Export, schema 1.0; `timestamp` is an
/// RFC 3339 UTC time (see [`rfc3339_utc_now`]).
pub fn export(reg: &Registry, timestamp: &str) -> Value {
    let ex = &reg.exchange;
    let mut vlan = Map::new();
    vlan.insert("id".into(), json!(EXPORT_VLAN_ID));
    vlan.insert("name".into(), json!("Peering LAN"));
    if let Some(v) = net(ex.peering_lan_v4) {
        vlan.insert("ipv4".into(), v);
    }
    if let Some(v) = net(ex.peering_lan_v6) {
        vlan.insert("ipv6".into(), v);
    }
    let mut members = Vec::new();
    for m in &reg.members {
        let addr = |a: IpAddr, limit: Option<u32>| {
            let mut o = Map::new();
            o.insert("address".into(), json!(a.to_string()));
            if let Some(s) = &m.as_set {
                o.insert("as_macro".into(), json!(s));
            }
            if let Some(l) = limit {
                o.insert("max_prefix".into(), json!(l));
            }
            o.insert("routeserver".into(), json!(m.route_server));
            Value::Object(o)
        };
        let n = m.ipv4.len().max(m.ipv6.len());
        let vlan_list: Vec<Value> = (0..n)
            .map(|i| {
                let mut e = Map::new();
                e.insert("vlan_id".into(), json!(EXPORT_VLAN_ID));
                if let Some(&a) = m.ipv4.get(i) {
                    e.insert("ipv4".into(), addr(a, m.max_prefix_v4));
                }
                if let Some(&a) = m.ipv6.get(i) {
                    e.insert("ipv6".into(), addr(a, m.max_prefix_v6));
                }
                Value::Object(e)
            })
            .collect();
        let mut o = Map::new();
        o.insert("asnum".into(), json!(m.asn.0));
        o.insert("member_type".into(), json!("peering"));
        o.insert("name".into(), json!(m.name));
        o.insert("peering_policy".into(), json!(policy_of(m.policy)));
        let emails: Vec<&String> = [&m.contacts.noc, &m.contacts.peering, &m.contacts.technical]
            .into_iter()
            .flatten()
            .collect();
        if !emails.is_empty() {
            o.insert("contact_email".into(), json!(emails));
        }
        o.insert(
            "connection_list".into(),
            json!([{"ixp_id": EXPORT_IXP_ID, "state": state_of(m.status), "vlan_list": vlan_list}]),
        );
        members.push(Value::Object(o));
    }
    for rs in &ex.route_servers {
        let vlan_list: Vec<Value> = rs
            .addresses
            .iter()
            .map(|a| {
                let fam = if a.is_ipv4() { "ipv4" } else { "ipv6" };
                json!({"vlan_id": EXPORT_VLAN_ID, fam: {
                    "address": a.to_string(),
                    "routeserver": false,
                    "services": [{"type": "ixrouteserver", "daemon": "Condor"}]
                }})
            })
            .collect();
        members.push(json!({
            "asnum": rs.asn.0,
            "member_type": "ixp",
            "name": rs.name,
            "connection_list": [{"ixp_id": EXPORT_IXP_ID, "state": "active", "vlan_list": vlan_list}]
        }));
    }
    json!({
        "version": "1.0",
        "timestamp": timestamp,
        "ixp_list": [{
            "ixp_id": EXPORT_IXP_ID,
            "ixf_id": ex.ixf_id.unwrap_or(0),
            "shortname": ex.name,
            "name": ex.name,
            "vlan": [Value::Object(vlan)]
        }],
        "member_list": members
    })
}

/// The current time as RFC 3339 UTC (`2026-11-25T00:55:17Z`).
pub fn rfc3339_utc_now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    rfc3339_utc(secs)
}

/// Unix seconds as RFC 3339 UTC.
pub fn rfc3339_utc(secs: u64) -> String {
    let t = std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs);
    humantime::format_rfc3339_seconds(t).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(rfc3339_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339_utc(1_584_185_510), "2020-03-14T11:31:50Z");
        assert_eq!(rfc3339_utc(951_782_400), "2000-02-29T00:00:00Z");
    }
}
