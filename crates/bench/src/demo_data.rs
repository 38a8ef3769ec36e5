//! The demo's policy data and its examples, generated here (no external
//! data): an RPKI file (ROAs for every member's routes, and one that makes
//! an example invalid), each member's IRR prefix list, and a few routes per
//! member that show what the route server does — filtered for a stated
//! reason, or steered by an action community. The examples live in
//! 200.0.0.0/8 ([`Plan::is_extra`]), apart from the benchmark routes.

use crate::plan::{Plan, TRANSIT_ASN_BASE};
use crate::target::SERVER_ASN;
use condor_wire::attr::{flags, types};
use condor_wire::{AsPath, Family, NextHop, Nlri, PathAttributes, Prefix, UpdateBuilder};
use std::fmt::Write as _;
use std::net::Ipv4Addr;

/// One example route of a member.
#[derive(Clone, Debug)]
pub struct Example {
    /// The prefix.
    pub prefix: Prefix,
    /// AS_SEQUENCE (the member's ASN first, unless the example says otherwise).
    pub path: Vec<u32>,
    /// An AS_SET after the sequence.
    pub set: Vec<u32>,
    /// Standard communities (high, low).
    pub communities: Vec<(u16, u16)>,
    /// Large communities.
    pub large: Vec<(u32, u32, u32)>,
    /// Listed in the member's IRR data.
    pub in_irr: bool,
    /// What the route server does with it, in words (printed by the demo).
    pub outcome: &'static str,
}

fn p(a: [u8; 4], len: u8) -> Prefix {
    Prefix::new(Ipv4Addr::from(a).into(), len).unwrap_or(Prefix::V4(Ipv4Addr::UNSPECIFIED, 0))
}

/// The origin AS whose ROA makes example 1 invalid.
pub const WRONG_ORIGIN: u32 = 262_589;

/// The example routes of member `i` (one per member for the first nine).
pub fn examples(i: u32, members: u32) -> Vec<Example> {
    let m = Plan::asn(i);
    let ex = |prefix, path: Vec<u32>, outcome| Example {
        prefix,
        path,
        set: Vec::new(),
        communities: Vec::new(),
        large: Vec::new(),
        in_irr: true,
        outcome,
    };
    match i {
        0 => vec![ex(
            p([10, 10, 0, 0], 16),
            vec![m],
            "filtered: bogon prefix (RFC 1918)",
        )],
        1 => vec![ex(
            p([200, 1, 0, 0], 16),
            vec![m],
            "filtered: RPKI invalid (the ROA names another origin)",
        )],
        2 => vec![ex(
            p([200, 2, 0, 0], 16),
            vec![m, 3356, 15169],
            "filtered: route leak (a transit-free network, AS3356, behind the member)",
        )],
        3 => vec![ex(
            p([200, 3, 1, 0], 25),
            vec![m],
            "filtered: prefix longer than /24",
        )],
        4 => vec![Example {
            set: vec![TRANSIT_ASN_BASE + 7, TRANSIT_ASN_BASE + 8],
            ..ex(
                p([200, 4, 0, 0], 16),
                vec![m],
                "filtered: AS_SET in the path",
            )
        }],
        5 => vec![Example {
            in_irr: false,
            ..ex(
                p([200, 5, 0, 0], 16),
                vec![m],
                "filtered: not in the member's IRR data",
            )
        }],
        6 => vec![ex(
            p([200, 6, 0, 0], 16),
            vec![TRANSIT_ASN_BASE + 1, m],
            "filtered: first AS is not the member's",
        )],
        7 => vec![
            Example {
                communities: vec![(65501, SERVER_ASN as u16)],
                ..ex(
                    p([200, 7, 0, 0], 16),
                    vec![m],
                    "accepted: prepended once to every member (65501:RS)",
                )
            },
            Example {
                large: vec![(SERVER_ASN, 0, Plan::asn(0))],
                ..ex(
                    p([200, 8, 0, 0], 16),
                    vec![m],
                    "accepted: not announced to member 1 (RS:0:peer)",
                )
            },
        ],
        8 => vec![Example {
            communities: vec![(65535, 0)],
            ..ex(
                p([200, 9, 0, 0], 16),
                vec![m],
                "accepted: GRACEFUL_SHUTDOWN, lowest preference",
            )
        }],
        _ => {
            let _ = members;
            Vec::new()
        }
    }
}

/// A small deterministic generator (SplitMix64), so that every demo run
/// announces the same table.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// An index drawn with the given weights.
    fn pick(&mut self, weights: &[u32]) -> usize {
        let total: u32 = weights.iter().sum();
        let mut x = (self.next() % u64::from(total.max(1))) as u32;
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        0
    }
}

/// Prefix lengths /17 to /24 weighted roughly as in the IPv4 table (more
/// than half /24s, then /22, /23, /21, /20, ...).
const LENGTHS: [(u8, u32); 8] = [
    (24, 56),
    (23, 10),
    (22, 13),
    (21, 7),
    (20, 6),
    (19, 4),
    (18, 2),
    (17, 2),
];
/// Transit ASNs behind the member: 0 to 4, weighted like the distance
/// from an IXP member to the origins it carries.
const HOPS: [u32; 5] = [35, 30, 20, 10, 5];

/// Member `i`'s realistic routes: a mix of prefix lengths carved from its
/// own /16 of 200.0.0.0/8 and AS paths of 1 to 7 ASNs (some prepended),
/// all in its IRR data and with valid ROAs (accepted).
pub fn realistic(i: u32) -> Vec<Example> {
    if i >= 200 {
        return Vec::new();
    }
    let mut rng = Rng(u64::from(i) + 1);
    let m = Plan::asn(i);
    let base = u32::from(Ipv4Addr::new(200, 16 + i as u8, 0, 0));
    let end = base + (1 << 16);
    let mut cursor = base;
    let mut out = Vec::new();
    for _ in 0..40 {
        let len = LENGTHS[rng.pick(&LENGTHS.map(|(_, w)| w))].0;
        let size = 1u32 << (32 - len);
        cursor = cursor.div_ceil(size) * size;
        if cursor + size > end {
            break;
        }
        let mut path = vec![m];
        if rng.next() % 10 == 0 {
            path.extend(std::iter::repeat_n(m, 1 + (rng.next() % 2) as usize));
        }
        let hops = rng.pick(&HOPS) as u32;
        path.extend((1..=hops).map(|h| TRANSIT_ASN_BASE + h));
        out.push(Example {
            prefix: Prefix::V4(Ipv4Addr::from(cursor), len),
            path,
            set: Vec::new(),
            communities: Vec::new(),
            large: Vec::new(),
            in_irr: true,
            outcome: "accepted",
        });
        cursor += size;
    }
    out
}

/// Everything member `i` announces besides the benchmark plan: its
/// examples and its realistic routes.
fn extra_routes(i: u32, members: u32) -> Vec<Example> {
    let mut v = examples(i, members);
    v.extend(realistic(i));
    v
}

/// The UPDATE messages of member `i`'s examples and realistic routes.
pub fn example_updates(i: u32, members: u32) -> Vec<u8> {
    let builder = UpdateBuilder::new(condor_wire::Context::four_octet());
    let nh = Plan::next_hop(i);
    let mut out = Vec::new();
    for e in extra_routes(i, members) {
        let mut path = Vec::new();
        AsPath::from_sequence(e.path.iter().copied()).encode(true, &mut path);
        if !e.set.is_empty() {
            path.extend([1, e.set.len() as u8]);
            e.set.iter().for_each(|a| path.extend(a.to_be_bytes()));
        }
        let comms: Vec<u8> = e
            .communities
            .iter()
            .flat_map(|(h, l)| [h.to_be_bytes(), l.to_be_bytes()].concat())
            .collect();
        let large: Vec<u8> = e
            .large
            .iter()
            .flat_map(|(a, b, c)| [a.to_be_bytes(), b.to_be_bytes(), c.to_be_bytes()].concat())
            .collect();
        let octets = nh.octets();
        let mut parts: Vec<(u8, u8, &[u8])> = vec![
            (flags::TRANSITIVE, types::ORIGIN, &[0]),
            (flags::TRANSITIVE, types::AS_PATH, &path),
            (flags::TRANSITIVE, types::NEXT_HOP, &octets),
        ];
        if !comms.is_empty() {
            parts.push((
                flags::OPTIONAL | flags::TRANSITIVE,
                types::COMMUNITIES,
                &comms,
            ));
        }
        if !large.is_empty() {
            parts.push((
                flags::OPTIONAL | flags::TRANSITIVE,
                types::LARGE_COMMUNITIES,
                &large,
            ));
        }
        let Ok(attrs) = PathAttributes::from_parts(&parts, true) else {
            continue;
        };
        let _ = builder.announce(
            &attrs,
            &NextHop::V4(nh),
            Family::IPV4_UNICAST,
            &[Nlri::new(e.prefix)],
            &mut out,
        );
    }
    out.concat()
}

/// Member `i`'s IRR data (the text format of `irr_file`): its routes and
/// the origins of its paths.
pub fn irr_file(plan: &Plan, i: u32) -> String {
    let mut s = format!("# demo member {}: its routes and origins\n", i + 1);
    for k in 0..plan.prefixes() {
        let _ = writeln!(s, "{}", fmt_prefix(&plan.prefix(i, k)));
    }
    let mut origins = vec![Plan::asn(i)];
    origins.extend((1..4).map(|m| TRANSIT_ASN_BASE + m));
    for e in extra_routes(i, plan.peers()).iter().filter(|e| e.in_irr) {
        let _ = writeln!(s, "{}", fmt_prefix(&e.prefix));
        origins.extend(e.path.last());
    }
    origins.sort_unstable();
    origins.dedup();
    for a in origins {
        let _ = writeln!(s, "AS{a}");
    }
    s
}

fn fmt_prefix(p: &Prefix) -> String {
    format!("{}/{}", p.addr(), p.len())
}

/// The RPKI file (the rpki-client JSON dialect): a ROA for every member
/// route with its origin, the examples with theirs, and for example 1 a
/// ROA naming another origin.
pub fn vrp_json(plan: &Plan) -> String {
    let mut roas = Vec::new();
    for i in 0..plan.peers() {
        for k in 0..plan.prefixes() {
            let origin = Plan::as_path(i, plan.path_class(i, k))
                .origin_asn()
                .map_or(0, |a| a.0);
            roas.push(format!(
                r#"{{"prefix":"{}","maxLength":24,"asn":{origin},"ta":"demo"}}"#,
                fmt_prefix(&plan.prefix(i, k))
            ));
        }
        for e in extra_routes(i, plan.peers()) {
            let origin = if i == 1 && e.outcome != "accepted" {
                WRONG_ORIGIN
            } else {
                e.path.last().copied().unwrap_or(0)
            };
            roas.push(format!(
                r#"{{"prefix":"{}","maxLength":{},"asn":{origin},"ta":"demo"}}"#,
                fmt_prefix(&e.prefix),
                e.prefix.len().max(24)
            ));
        }
    }
    format!(
        "{{\"metadata\":{{\"generated\":0}},\"roas\":[\n{}\n]}}\n",
        roas.join(",\n")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Layout;

    #[test]
    fn examples_are_outside_the_plan_and_encode() {
        let plan = Plan::new(12, 50, Layout::Disjoint).expect("plan");
        for i in 0..12 {
            for e in examples(i, 12) {
                assert!(
                    plan.locate(&e.prefix).is_none(),
                    "{:?} collides with the plan",
                    e.prefix
                );
            }
            assert!(
                !example_updates(i, 12).is_empty(),
                "member {i} announces extras"
            );
        }
        let irr = irr_file(&plan, 5);
        assert!(
            !irr.contains("200.5.0.0/16"),
            "example 5 is not in its IRR data"
        );
        assert!(irr_file(&plan, 1).contains("200.1.0.0/16"));
        let vrps = vrp_json(&plan);
        assert!(vrps.contains(&format!(
            "\"prefix\":\"200.1.0.0/16\",\"maxLength\":24,\"asn\":{WRONG_ORIGIN}"
        )));
        let v: serde_json::Value = serde_json::from_str(&vrps).expect("valid JSON");
        let extras: usize = (0..12).map(|i| realistic(i).len()).sum();
        assert_eq!(
            v["roas"].as_array().map(Vec::len),
            Some(12 * 50 + 10 + extras)
        );
        // A realistic mix: several lengths, more than half /24, paths of several lengths.
        let r: Vec<Example> = (0..12).flat_map(realistic).collect();
        let slash24 = r.iter().filter(|e| e.prefix.len() == 24).count();
        assert!(
            slash24 * 2 > r.len() && slash24 < r.len(),
            "{slash24} of {}",
            r.len()
        );
        let lens: std::collections::BTreeSet<u8> = r.iter().map(|e| e.prefix.len()).collect();
        assert!(lens.len() >= 5, "{lens:?}");
        let paths: std::collections::BTreeSet<usize> = r.iter().map(|e| e.path.len()).collect();
        assert!(paths.len() >= 4, "{paths:?}");
        for e in &r {
            assert!(plan.locate(&e.prefix).is_none() && Plan::is_extra(&e.prefix));
        }
    }
}
