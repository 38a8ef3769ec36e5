//! Validation of a registry: ASN ranges (RFC 6793, RFC 7300 reserved
//! values), addresses inside the peering LANs and taken by one member only,
//! e-mail syntax (the `addr-spec` of RFC 5322 §3.4.1, dot-atom form only),
//! AS-SET names (RFC 2622 §5.1), unique names. Every problem is reported,
//! each naming the member or route server concerned.

use crate::model::{Member, Registry};
use condor_wire::{Asn, Prefix};
use std::collections::HashMap;
use std::fmt;
use std::net::IpAddr;

/// One problem in a registry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// What it is about, e.g. `member AS64496 (Andes Net)` or `route server rs1`.
    pub subject: String,
    /// What is wrong, naming the field.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.subject, self.message)
    }
}

/// Why an ASN cannot be a member's or route server's, or `None` when it can.
pub fn asn_problem(asn: Asn) -> Option<&'static str> {
    match asn.0 {
        0 => Some("ASN 0 is reserved (RFC 7607)"),
        23456 => Some("ASN 23456 is AS_TRANS (RFC 6793)"),
        65535 | 4_294_967_295 => Some("this ASN is reserved (RFC 7300)"),
        _ => None,
    }
}

/// Why `s` is not an e-mail address (`local@domain`), or `None`.
pub fn email_problem(s: &str) -> Option<&'static str> {
    let Some((local, domain)) = s.rsplit_once('@') else {
        return Some("not an e-mail address (no @)");
    };
    let atext = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~".contains(c);
    if local.is_empty()
        || local.len() > 64
        || local
            .split('.')
            .any(|p| p.is_empty() || !p.chars().all(atext))
    {
        return Some("not an e-mail address (bad local part)");
    }
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2
        || domain.len() > 253
        || labels.iter().any(|l| {
            l.is_empty()
                || l.len() > 63
                || l.starts_with('-')
                || l.ends_with('-')
                || !l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
    {
        return Some("not an e-mail address (bad domain)");
    }
    None
}

/// Why `s` is not an AS-SET, route-set or ASN name (RFC 2622 §5.1, §5.2),
/// or several separated by spaces (as IX-F exports write them), each with
/// an optional `SOURCE::` prefix as IRR tools accept; `None` when it is.
pub fn as_set_problem(s: &str) -> Option<&'static str> {
    let one = |item: &str| {
        let name = item.split_once("::").map_or(item, |(_, n)| n);
        let upper = name.to_ascii_uppercase();
        let ok_chars = name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == ':');
        let is_set = upper.starts_with("AS-")
            || upper.starts_with("RS-")
            || upper.contains(":AS-")
            || upper.contains(":RS-");
        let is_asn = upper
            .strip_prefix("AS")
            .is_some_and(|d| !d.is_empty() && d.chars().all(|c| c.is_ascii_digit()));
        ok_chars && (is_set || is_asn)
    };
    if s.split_whitespace().next().is_some() && s.split_whitespace().all(one) {
        None
    } else {
        Some("not an AS-SET (AS-NAME, SOURCE::AS-NAME), route-set (RS-NAME) or ASnnn")
    }
}

/// The subject string naming a member.
pub fn member_subject(m: &Member) -> String {
    format!("member AS{} ({})", m.asn, m.name)
}

fn lan_check(
    out: &mut Vec<Problem>,
    subject: &str,
    field: &str,
    addr: IpAddr,
    lan: Option<Prefix>,
    want_v4: bool,
) {
    if addr.is_ipv4() != want_v4 {
        out.push(Problem {
            subject: subject.into(),
            message: format!(
                "{field}: {addr} is not an IPv{} address",
                if want_v4 { 4 } else { 6 }
            ),
        });
        return;
    }
    match lan {
        None => out.push(Problem {
            subject: subject.into(),
            message: format!(
                "{field}: {addr}: the exchange has no IPv{} peering LAN",
                if want_v4 { 4 } else { 6 }
            ),
        }),
        Some(lan) if !lan.contains_addr(addr) => out.push(Problem {
            subject: subject.into(),
            message: format!("{field}: {addr} is outside the peering LAN {lan}"),
        }),
        Some(lan) if addr == lan.addr() && lan.is_ipv4() && lan.len() < 31 => out.push(Problem {
            subject: subject.into(),
            message: format!("{field}: {addr} is the network address of {lan}"),
        }),
        Some(lan) if lan.is_ipv4() && lan.len() < 31 && is_v4_broadcast(addr, lan) => {
            out.push(Problem {
                subject: subject.into(),
                message: format!("{field}: {addr} is the broadcast address of {lan}"),
            })
        }
        Some(_) => {}
    }
}

fn is_v4_broadcast(addr: IpAddr, lan: Prefix) -> bool {
    match addr {
        IpAddr::V4(a) => {
            let host_bits = 32 - u32::from(lan.len());
            let mask = if host_bits == 32 {
                u32::MAX
            } else {
                (1u32 << host_bits) - 1
            };
            u32::from(a) & mask == mask
        }
        IpAddr::V6(_) => false,
    }
}

/// Checks a registry; every problem found, in file order.
pub fn validate(reg: &Registry) -> Vec<Problem> {
    let mut out = Vec::new();
    let ex = &reg.exchange;
    if ex.name.trim().is_empty() {
        out.push(Problem {
            subject: "exchange".into(),
            message: "name: must not be empty".into(),
        });
    }
    if ex.peering_lan_v4.is_some_and(|p| !p.is_ipv4()) {
        out.push(Problem {
            subject: "exchange".into(),
            message: "peering_lan_v4: not an IPv4 prefix".into(),
        });
    }
    if ex.peering_lan_v6.is_some_and(|p| p.is_ipv4()) {
        out.push(Problem {
            subject: "exchange".into(),
            message: "peering_lan_v6: not an IPv6 prefix".into(),
        });
    }
    // Who holds each address, to report a second holder by name.
    let mut holders: HashMap<IpAddr, String> = HashMap::new();
    let mut claim = |out: &mut Vec<Problem>, subject: &str, field: &str, addr: IpAddr| {
        if let Some(first) = holders.get(&addr) {
            out.push(Problem {
                subject: subject.into(),
                message: format!("{field}: {addr} is already taken by {first}"),
            });
        } else {
            holders.insert(addr, subject.to_string());
        }
    };
    let mut rs_names = HashMap::new();
    for rs in &ex.route_servers {
        let subject = format!("route server {}", rs.name);
        if rs.name.trim().is_empty() {
            out.push(Problem {
                subject: subject.clone(),
                message: "name: must not be empty".into(),
            });
        }
        if rs_names.insert(rs.name.clone(), ()).is_some() {
            out.push(Problem {
                subject: subject.clone(),
                message: "name: two route servers have this name".into(),
            });
        }
        if let Some(p) = asn_problem(rs.asn) {
            out.push(Problem {
                subject: subject.clone(),
                message: format!("asn: {p}"),
            });
        }
        if rs.addresses.is_empty() {
            out.push(Problem {
                subject: subject.clone(),
                message: "addresses: at least one address is needed".into(),
            });
        }
        for &a in &rs.addresses {
            let lan = if a.is_ipv4() {
                ex.peering_lan_v4
            } else {
                ex.peering_lan_v6
            };
            lan_check(&mut out, &subject, "addresses", a, lan, a.is_ipv4());
            claim(&mut out, &subject, "addresses", a);
        }
        for &a in &rs.blackhole_next_hops {
            let lan = if a.is_ipv4() {
                ex.peering_lan_v4
            } else {
                ex.peering_lan_v6
            };
            lan_check(
                &mut out,
                &subject,
                "blackhole_next_hops",
                a,
                lan,
                a.is_ipv4(),
            );
        }
    }
    let mut asns: HashMap<Asn, String> = HashMap::new();
    for m in &reg.members {
        let subject = member_subject(m);
        let mut p = |message: String| {
            out.push(Problem {
                subject: subject.clone(),
                message,
            })
        };
        if let Some(e) = asn_problem(m.asn) {
            p(format!("asn: {e}"));
        }
        if let Some(first) = asns.get(&m.asn) {
            p(format!("asn: AS{} is already the ASN of {first}", m.asn));
        } else {
            asns.insert(m.asn, subject.clone());
        }
        if m.name.trim().is_empty() {
            p("name: must not be empty".into());
        }
        for (field, v) in [
            ("max_prefix_v4", m.max_prefix_v4),
            ("max_prefix_v6", m.max_prefix_v6),
        ] {
            if v == Some(0) {
                p(format!(
                    "{field}: must be at least 1 (leave it out for no limit)"
                ));
            }
        }
        if let Some(s) = &m.as_set {
            if let Some(e) = as_set_problem(s) {
                p(format!("as_set: {s:?} is {e}"));
            }
        }
        for (field, v) in [
            ("contacts.noc", &m.contacts.noc),
            ("contacts.peering", &m.contacts.peering),
            ("contacts.technical", &m.contacts.technical),
        ] {
            if let Some(addr) = v {
                if let Some(e) = email_problem(addr) {
                    p(format!("{field}: {addr:?} is {e}"));
                }
            }
        }
        for &a in &m.ipv4 {
            lan_check(&mut out, &subject, "ipv4", a, ex.peering_lan_v4, true);
            claim(&mut out, &subject, "ipv4", a);
        }
        for &a in &m.ipv6 {
            lan_check(&mut out, &subject, "ipv6", a, ex.peering_lan_v6, false);
            claim(&mut out, &subject, "ipv6", a);
        }
    }
    out
}
