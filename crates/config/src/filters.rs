//! The `[filters]` table: the route server's import filters
//! ([`condor_policy::Filters`]), every field optional with the defaults the
//! best IXPs run (documented in `docs/config.md` and `docs/filters.md`).

use condor_policy::{Filters, IrrPolicy, NextHopPolicy, RpkiPolicy};
use condor_wire::Asn;
use serde::Deserialize;
use std::fmt::Write as _;
use toml::Spanned;

/// `[filters]` as written.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawFilters {
    #[serde(default)]
    next_hop: Option<Spanned<String>>,
    #[serde(default)]
    first_as: Option<bool>,
    #[serde(default)]
    bogon_prefixes: Option<bool>,
    #[serde(default)]
    bogon_asns: Option<bool>,
    #[serde(default)]
    ipv4_length: Option<Spanned<[i64; 2]>>,
    #[serde(default)]
    ipv6_length: Option<Spanned<[i64; 2]>>,
    #[serde(default)]
    max_as_path_len: Option<Spanned<i64>>,
    #[serde(default)]
    reject_as_set: Option<bool>,
    #[serde(default)]
    transit_free: Option<Spanned<Vec<i64>>>,
    #[serde(default)]
    never_via_route_servers: Option<Spanned<Vec<i64>>>,
    #[serde(default)]
    rpki: Option<Spanned<String>>,
    #[serde(default)]
    aspa: Option<Spanned<String>>,
    #[serde(default)]
    irr: Option<Spanned<String>>,
    #[serde(default)]
    rpki_as_irr: Option<bool>,
    #[serde(default)]
    otc: Option<Spanned<String>>,
    #[serde(default)]
    informational_communities: Option<bool>,
}

type Err<'a> = &'a mut dyn FnMut(std::ops::Range<usize>, String);

fn choice<T: Copy>(
    v: &Option<Spanned<String>>,
    field: &str,
    options: &[(&str, T)],
    default: T,
    err: Err<'_>,
) -> T {
    let Some(v) = v else {
        return default;
    };
    match options.iter().find(|(k, _)| *k == v.get_ref()) {
        Some((_, t)) => *t,
        None => {
            let names: Vec<&str> = options.iter().map(|(k, _)| *k).collect();
            err(
                v.span(),
                format!(
                    "filters.{field}: unknown value {:?} ({})",
                    v.get_ref(),
                    names.join(", ")
                ),
            );
            default
        }
    }
}

fn length(
    v: &Option<Spanned<[i64; 2]>>,
    field: &str,
    max: i64,
    default: (u8, u8),
    err: Err<'_>,
) -> (u8, u8) {
    let Some(v) = v else {
        return default;
    };
    let [lo, hi] = *v.get_ref();
    if !(0..=max).contains(&lo) || !(0..=max).contains(&hi) || lo > hi {
        err(
            v.span(),
            format!("filters.{field}: [{lo}, {hi}] is not a range of prefix lengths (0 to {max}, shortest first)"),
        );
        return default;
    }
    (lo as u8, hi as u8)
}

fn asns(v: &Option<Spanned<Vec<i64>>>, field: &str, err: Err<'_>) -> Option<Vec<Asn>> {
    let v = v.as_ref()?;
    let mut out = Vec::new();
    for &a in v.get_ref() {
        match u32::try_from(a) {
            Ok(a) if a != 0 => out.push(Asn(a)),
            _ => err(
                v.span(),
                format!("filters.{field}: {a} is not an AS number"),
            ),
        }
    }
    Some(out)
}

impl RawFilters {
    /// The validated filters: the fields written here over `base` (the
    /// defaults, or the route server's filters for a member's overrides);
    /// problems go to `err` with their span.
    /// The filters, over `base` (the defaults, or the global `[filters]`
    /// for a neighbor's own); `rs` is the route server's ASN.
    pub(crate) fn build(&self, base: &Filters, rs: condor_wire::Asn, err: Err<'_>) -> Filters {
        let d = base.clone();
        let next_hop = choice(
            &self.next_hop,
            "next_hop",
            &[
                ("peer", NextHopPolicy::Peer),
                ("same-member", NextHopPolicy::SameMember),
                ("any", NextHopPolicy::Any),
            ],
            d.next_hop,
            err,
        );
        let rpki = choice(
            &self.rpki,
            "rpki",
            &[
                ("reject-invalid", RpkiPolicy::RejectInvalid),
                (
                    "reject-invalid-and-unknown",
                    RpkiPolicy::RejectInvalidAndUnknown,
                ),
                ("tag", RpkiPolicy::Tag),
                ("off", RpkiPolicy::Off),
            ],
            d.rpki,
            err,
        );
        let aspa_reject_invalid = choice(
            &self.aspa,
            "aspa",
            &[("reject-invalid", true), ("tag", false)],
            d.aspa_reject_invalid,
            err,
        );
        let irr = choice(
            &self.irr,
            "irr",
            &[
                ("reject", IrrPolicy::Reject),
                ("tag", IrrPolicy::Tag),
                ("off", IrrPolicy::Off),
            ],
            d.irr,
            err,
        );
        let reject_otc_leaks = choice(
            &self.otc,
            "otc",
            &[("reject-leaks", true), ("ignore", false)],
            d.reject_otc_leaks,
            err,
        );
        let max_as_path_len = match &self.max_as_path_len {
            None => d.max_as_path_len,
            Some(v) if (1..=255).contains(v.get_ref()) => *v.get_ref() as usize,
            Some(v) => {
                err(
                    v.span(),
                    format!(
                        "filters.max_as_path_len: {} is out of range (1 to 255)",
                        v.get_ref()
                    ),
                );
                d.max_as_path_len
            }
        };
        Filters {
            next_hop,
            first_as: self.first_as.unwrap_or(d.first_as),
            bogon_prefixes: self.bogon_prefixes.unwrap_or(d.bogon_prefixes),
            bogon_asns: self.bogon_asns.unwrap_or(d.bogon_asns),
            ipv4_length: length(&self.ipv4_length, "ipv4_length", 32, d.ipv4_length, err),
            ipv6_length: length(&self.ipv6_length, "ipv6_length", 128, d.ipv6_length, err),
            max_as_path_len,
            reject_as_set: self.reject_as_set.unwrap_or(d.reject_as_set),
            transit_free: asns(&self.transit_free, "transit_free", err)
                .map_or(d.transit_free, |v| v.into_iter().collect()),
            never_via_rs: asns(
                &self.never_via_route_servers,
                "never_via_route_servers",
                err,
            )
            .map_or(d.never_via_rs, |v| v.into_iter().collect()),
            rpki,
            aspa_reject_invalid,
            irr,
            rpki_as_irr: self.rpki_as_irr.unwrap_or(d.rpki_as_irr),
            reject_otc_leaks,
            blackhole: d.blackhole,
            // RFC 9234 §5: with leak detection on, the route server also
            // marks what it passes on (OTC = its ASN).
            otc_egress: reject_otc_leaks.then_some(rs),
            informational: self
                .informational_communities
                .unwrap_or(d.informational.is_some())
                .then_some(rs),
        }
    }
}

/// `[blackhole]` as written: the IXP's blackhole next hops (RFC 7999).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawBlackhole {
    #[serde(default)]
    next_hop_v4: Option<Spanned<String>>,
    #[serde(default)]
    next_hop_v6: Option<Spanned<String>>,
}

impl RawBlackhole {
    pub(crate) fn build(&self, err: Err<'_>) -> Option<condor_policy::Blackhole> {
        let v4 = addr(&self.next_hop_v4, "next_hop_v4", "IPv4", err);
        let v6 = addr(&self.next_hop_v6, "next_hop_v6", "IPv6", err);
        (v4.is_some() || v6.is_some()).then_some(condor_policy::Blackhole {
            next_hop_v4: v4,
            next_hop_v6: v6,
        })
    }
}

fn addr<T: std::str::FromStr>(
    v: &Option<Spanned<String>>,
    field: &str,
    family: &str,
    err: Err<'_>,
) -> Option<T> {
    let v = v.as_ref()?;
    match v.get_ref().parse() {
        Ok(a) => Some(a),
        Err(_) => {
            err(
                v.span(),
                format!(
                    "blackhole.{field}: {:?} is not an {family} address",
                    v.get_ref()
                ),
            );
            None
        }
    }
}

/// The `[blackhole]` table in canonical form.
pub(crate) fn print_blackhole(b: &condor_policy::Blackhole, o: &mut String) {
    let _ = writeln!(o, "\n[blackhole]");
    if let Some(a) = b.next_hop_v4 {
        let _ = writeln!(o, "next_hop_v4 = \"{a}\"");
    }
    if let Some(a) = b.next_hop_v6 {
        let _ = writeln!(o, "next_hop_v6 = \"{a}\"");
    }
}

fn sorted(set: &std::collections::HashSet<Asn>) -> String {
    let mut v: Vec<u32> = set.iter().map(|a| a.0).collect();
    v.sort_unstable();
    v.iter().map(u32::to_string).collect::<Vec<_>>().join(", ")
}

/// The `[filters]` table in canonical form (every field written).
pub(crate) fn print(f: &Filters, o: &mut String) {
    print_table(f, "filters", o)
}

/// The filters under a table header (`filters`, `neighbor.filters`).
pub(crate) fn print_table(f: &Filters, header: &str, o: &mut String) {
    let nh = match f.next_hop {
        NextHopPolicy::Peer => "peer",
        NextHopPolicy::SameMember => "same-member",
        NextHopPolicy::Any => "any",
    };
    let rpki = match f.rpki {
        RpkiPolicy::Off => "off",
        RpkiPolicy::Tag => "tag",
        RpkiPolicy::RejectInvalid => "reject-invalid",
        RpkiPolicy::RejectInvalidAndUnknown => "reject-invalid-and-unknown",
    };
    let irr = match f.irr {
        IrrPolicy::Off => "off",
        IrrPolicy::Tag => "tag",
        IrrPolicy::Reject => "reject",
    };
    let _ = writeln!(o, "\n[{header}]");
    let _ = writeln!(o, "next_hop = \"{nh}\"");
    let _ = writeln!(o, "first_as = {}", f.first_as);
    let _ = writeln!(o, "bogon_prefixes = {}", f.bogon_prefixes);
    let _ = writeln!(o, "bogon_asns = {}", f.bogon_asns);
    let _ = writeln!(
        o,
        "ipv4_length = [{}, {}]",
        f.ipv4_length.0, f.ipv4_length.1
    );
    let _ = writeln!(
        o,
        "ipv6_length = [{}, {}]",
        f.ipv6_length.0, f.ipv6_length.1
    );
    if f.max_as_path_len <= 255 {
        let _ = writeln!(o, "max_as_path_len = {}", f.max_as_path_len);
    }
    let _ = writeln!(o, "reject_as_set = {}", f.reject_as_set);
    let _ = writeln!(o, "transit_free = [{}]", sorted(&f.transit_free));
    let _ = writeln!(o, "never_via_route_servers = [{}]", sorted(&f.never_via_rs));
    let _ = writeln!(o, "rpki = \"{rpki}\"");
    let _ = writeln!(
        o,
        "aspa = \"{}\"",
        if f.aspa_reject_invalid {
            "reject-invalid"
        } else {
            "tag"
        }
    );
    let _ = writeln!(o, "irr = \"{irr}\"");
    let _ = writeln!(o, "rpki_as_irr = {}", f.rpki_as_irr);
    let _ = writeln!(
        o,
        "informational_communities = {}",
        f.informational.is_some()
    );
    let _ = writeln!(
        o,
        "otc = \"{}\"",
        if f.reject_otc_leaks {
            "reject-leaks"
        } else {
            "ignore"
        }
    );
}
