//! What a reload changes: which neighbors appear, disappear or change, and
//! whether a change needs the session reset or can be applied in place.

use crate::model::{Config, Neighbor};
use std::net::IpAddr;

/// How a neighbor's change is applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Impact {
    /// Applied without touching the session (name, limits, visibility).
    InPlace,
    /// New TCP keys for future connections; the running session keeps its own.
    Keys,
    /// Capabilities or transport change: the session must be reset.
    Reset,
}

/// One changed neighbor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// The neighbor's address.
    pub address: IpAddr,
    /// How the change is applied.
    pub impact: Impact,
    /// The fields that changed.
    pub fields: Vec<&'static str>,
}

/// The difference between two configurations.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConfigDiff {
    /// Neighbors only in the new configuration.
    pub added: Vec<IpAddr>,
    /// Neighbors only in the old configuration.
    pub removed: Vec<IpAddr>,
    /// Neighbors in both, changed.
    pub changed: Vec<Change>,
    /// Server settings that changed (these need a restart of the listeners or all sessions).
    pub server_fields: Vec<&'static str>,
    /// The import filters changed: every path is re-evaluated, no session reset.
    pub filters: bool,
    /// The `[irr]` settings changed: the sets are fetched again.
    pub irr: bool,
    /// The `[rpki]` sources changed: they are restarted.
    pub rpki: bool,
}

impl ConfigDiff {
    /// True when nothing changed.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty()
            && self.removed.is_empty()
            && self.changed.is_empty()
            && self.server_fields.is_empty()
            && !self.filters
            && !self.irr
            && !self.rpki
    }
}

fn neighbor_change(a: &Neighbor, b: &Neighbor) -> Option<Change> {
    let mut fields = Vec::new();
    let mut impact = Impact::InPlace;
    let mut check = |name: &'static str, differs: bool, level: Impact| {
        if differs {
            fields.push(name);
            impact = impact.max(level);
        }
    };
    check("name", a.name != b.name, Impact::InPlace);
    check("internal", a.internal != b.internal, Impact::InPlace);
    check(
        "transparent",
        a.transparent != b.transparent,
        Impact::InPlace,
    );
    check(
        "receive_blackhole",
        a.receive_blackhole != b.receive_blackhole,
        Impact::Reset,
    );
    check("next_hops", a.next_hops != b.next_hops, Impact::InPlace);
    check("filters", a.filters != b.filters, Impact::InPlace);
    check("as_set", a.as_set != b.as_set, Impact::InPlace);
    check("irr_file", a.irr_file != b.irr_file, Impact::InPlace);
    check("max_prefix", a.max_prefix != b.max_prefix, Impact::InPlace);
    check("shutdown", a.shutdown != b.shutdown, Impact::InPlace);
    check("password", a.password != b.password, Impact::Keys);
    check("tcp_ao", a.tcp_ao != b.tcp_ao, Impact::Keys);
    check("asn", a.asn != b.asn, Impact::Reset);
    check("port", a.port != b.port, Impact::Reset);
    check(
        "local_address",
        a.local_address != b.local_address,
        Impact::Reset,
    );
    check("passive", a.passive != b.passive, Impact::Reset);
    check("families", a.families != b.families, Impact::Reset);
    check("hold_time", a.hold_time != b.hold_time, Impact::Reset);
    check(
        "ttl_security",
        a.ttl_security != b.ttl_security,
        Impact::Reset,
    );
    check("multihop", a.multihop != b.multihop, Impact::Reset);
    check("role_strict", a.role_strict != b.role_strict, Impact::Reset);
    check(
        "add_path_send",
        a.add_path_send != b.add_path_send,
        Impact::Reset,
    );
    (!fields.is_empty()).then_some(Change {
        address: a.address,
        impact,
        fields,
    })
}

/// Compares two configurations.
pub fn diff(old: &Config, new: &Config) -> ConfigDiff {
    let mut d = ConfigDiff::default();
    for n in &new.neighbors {
        match old.neighbor(n.address) {
            None => d.added.push(n.address),
            Some(o) => d.changed.extend(neighbor_change(o, n)),
        }
    }
    d.removed = old
        .neighbors
        .iter()
        .filter(|o| new.neighbor(o.address).is_none())
        .map(|o| o.address)
        .collect();
    d.filters = old.filters != new.filters;
    d.irr = old.irr != new.irr;
    d.rpki = old.rpki != new.rpki;
    let (a, b) = (&old.server, &new.server);
    let mut sf = |name: &'static str, differs: bool| {
        if differs {
            d.server_fields.push(name);
        }
    };
    sf("name", a.name != b.name);
    sf("asn", a.asn != b.asn);
    sf("router_id", a.router_id != b.router_id);
    sf("listen", a.listen != b.listen);
    sf("hold_time", a.hold_time != b.hold_time);
    sf("connect_retry", a.connect_retry != b.connect_retry);
    sf("control_socket", a.control_socket != b.control_socket);
    d
}
