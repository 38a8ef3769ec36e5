//! Shared by the data-driven tests: where the shared data lives, which files
//! are MRT, and condor's view of a route in a comparable, normalised form.
#![allow(dead_code)]

use condor_wire::attr::decode_rib_attributes;
use condor_wire::{AsPath, Context, NextHop, PathAttributes, SegmentKind};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::PathBuf;

/// `../shared/data` seen from the workspace root.
pub fn data_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data"))
}

/// The MRT files of the shared data, sorted; `None` (after printing why)
/// when the data directory is absent.
pub fn mrt_files() -> Option<Vec<PathBuf>> {
    let dir = data_dir();
    if !dir.is_dir() {
        println!(
            "SKIPPED: {} is absent; the data-driven MRT tests need ../shared/data",
            dir.display()
        );
        return None;
    }
    let mut files = Vec::new();
    let mut folders = vec![dir];
    while let Some(d) = folders.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                folders.push(p);
            } else if is_mrt_name(&p) {
                files.push(p);
            }
        }
    }
    files.sort();
    Some(files)
}

/// The MRT files are named after their origin; everything else in the data
/// (oracles, licences, JSON, pcaps) has a telling suffix. Non-MRT folders
/// hold no MRT files (checked: only 01-mrt has any).
fn is_mrt_name(p: &std::path::Path) -> bool {
    let in_mrt_folder = p
        .parent()
        .and_then(|d| d.file_name())
        .is_some_and(|n| n == "01-mrt");
    let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
    in_mrt_folder
        && !name.starts_with("bgpdump-expect__")
        && ![".txt", ".json", ".md", ".rst"]
            .iter()
            .any(|s| name.ends_with(s))
}

pub fn short_name(p: &std::path::Path) -> String {
    p.file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("?")
        .to_string()
}

/// Hex of the first `max` octets (all of them if shorter).
pub fn hex(b: &[u8], max: usize) -> String {
    let mut s: String = b.iter().take(max).map(|x| format!("{x:02x}")).collect();
    if b.len() > max {
        s.push_str(&format!("… ({} octets)", b.len()));
    }
    s
}

/// An AS path as (segment type code, ASNs), with adjacent AS_SEQUENCEs (and
/// AS_CONFED_SEQUENCEs) joined and empty segments dropped: the RFC 6793
/// merge may split or join sequences at the AS_PATH/AS4_PATH boundary and the
/// two decoders do that differently, without changing the path's meaning.
pub type FlatPath = Vec<(u8, Vec<u32>)>;

pub fn canonical_path(segments: impl IntoIterator<Item = (u8, Vec<u32>)>) -> FlatPath {
    let mut out: FlatPath = Vec::new();
    for (kind, asns) in segments {
        if asns.is_empty() {
            continue;
        }
        match out.last_mut() {
            Some((k, prev)) if *k == kind && (kind == 2 || kind == 3) => prev.extend(asns),
            _ => out.push((kind, asns)),
        }
    }
    out
}

pub fn condor_path(p: &AsPath) -> FlatPath {
    canonical_path(
        p.segments
            .iter()
            .map(|s| (segment_code(s.kind), s.asns.iter().map(|a| a.0).collect())),
    )
}

fn segment_code(k: SegmentKind) -> u8 {
    match k {
        SegmentKind::Set => 1,
        SegmentKind::Sequence => 2,
        SegmentKind::ConfedSequence => 3,
        SegmentKind::ConfedSet => 4,
    }
}

/// The attributes both decoders expose, normalised for comparison.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RouteAttrs {
    pub origin: Option<u8>,
    pub as_path: Option<FlatPath>,
    pub next_hop: Option<IpAddr>,
    /// MP_REACH next hop: global address and link-local.
    pub mp_next_hop: Option<(IpAddr, Option<Ipv6Addr>)>,
    pub med: Option<u32>,
    pub local_pref: Option<u32>,
    pub atomic_aggregate: bool,
    pub aggregator: Option<(u32, Ipv4Addr)>,
    pub communities: Vec<u32>,
    pub ext_communities: Vec<[u8; 8]>,
    pub large_communities: Vec<(u32, u32, u32)>,
    pub otc: Option<u32>,
}

impl RouteAttrs {
    /// Names of the fields that differ.
    pub fn diff(&self, o: &RouteAttrs) -> Vec<&'static str> {
        let mut d = Vec::new();
        macro_rules! cmp {
            ($($f:ident),*) => { $( if self.$f != o.$f { d.push(stringify!($f)); } )* };
        }
        cmp!(
            origin,
            as_path,
            next_hop,
            mp_next_hop,
            med,
            local_pref,
            atomic_aggregate,
            aggregator,
            communities,
            ext_communities,
            large_communities,
            otc
        );
        d
    }
}

pub fn mp_next_hop(nh: &NextHop) -> Option<(IpAddr, Option<Ipv6Addr>)> {
    match nh {
        NextHop::V4(a) => Some((IpAddr::V4(*a), None)),
        NextHop::V6 { global, link_local } => Some((IpAddr::V6(*global), *link_local)),
        NextHop::Other(_) => None,
    }
}

pub fn condor_attrs(a: &PathAttributes, mp_nh: Option<&NextHop>) -> RouteAttrs {
    RouteAttrs {
        origin: a.origin().map(|o| o as u8),
        as_path: a.as_path().map(|p| condor_path(&p)),
        next_hop: a.next_hop().map(IpAddr::V4),
        mp_next_hop: mp_nh.and_then(mp_next_hop),
        med: a.med(),
        local_pref: a.local_pref(),
        atomic_aggregate: a.atomic_aggregate(),
        aggregator: a.aggregator().map(|(asn, id)| (asn.0, id)),
        communities: a.communities().map(|c| c.0).collect(),
        ext_communities: a.ext_communities().map(|c| c.0).collect(),
        large_communities: a
            .large_communities()
            .map(|c| (c.global, c.local1, c.local2))
            .collect(),
        otc: a.otc().map(|a| a.0),
    }
}

/// Condor's decode of a RIB entry's attribute block.
pub fn condor_rib_attrs(
    block: &[u8],
    four_octet_as: bool,
) -> Result<(RouteAttrs, condor_wire::attr::RibAttributes), String> {
    let ctx = Context {
        four_octet_as,
        collector: true,
        extended_messages: true,
        ..Context::default()
    };
    let r = decode_rib_attributes(block, &ctx).map_err(|e| e.to_string())?;
    Ok((condor_attrs(&r.attrs, r.mp_next_hop.as_ref()), r))
}
