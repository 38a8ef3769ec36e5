//! One backend per daemon: how its configuration is written, how it is
//! started in its private directory, and how its CLI output is parsed.

use std::net::IpAddr;
use std::path::Path;

use crate::daemon::{StartCtx, Started};
use crate::error::{Error, Result};
use crate::kind::DaemonKind;
use crate::route::Announcement;

mod bird;
mod exabgp;
mod frr;
mod gobgp;
mod openbgpd;

/// Starts `kind` as described by `ctx`.
pub(crate) fn start(kind: DaemonKind, ctx: &StartCtx<'_>) -> Result<Started> {
    match kind {
        DaemonKind::Bird => bird::start(ctx),
        DaemonKind::Frr => frr::start(ctx),
        DaemonKind::Gobgp => gobgp::start(ctx),
        DaemonKind::Openbgpd => openbgpd::start(ctx),
        DaemonKind::Exabgp => exabgp::start(ctx),
    }
}

/// Writes a file of the daemon's directory.
pub(crate) fn write(path: &Path, text: &str) -> Result<()> {
    std::fs::write(path, text).map_err(|e| Error::io(format!("write {}", path.display()), e))
}

/// The routes of `routes` whose family is `v4` (IPv4) or not.
pub(crate) fn of_family(routes: &[Announcement], v4: bool) -> impl Iterator<Item = &Announcement> {
    routes.iter().filter(move |r| r.prefix.is_ipv4() == v4)
}

/// Whether `r` is something every daemon can announce: a next hop of the
/// prefix's family and no explicit AS path.
pub(crate) fn check_plain(daemon: &'static str, r: &Announcement) -> Result<()> {
    if !r.as_path.is_empty() {
        return Err(Error::Unsupported {
            daemon,
            detail: format!("{}: only ExaBGP announces an explicit AS path", r.prefix),
        });
    }
    check_next_hop(daemon, r)
}

/// Whether the announced next hop has the prefix's family.
pub(crate) fn check_next_hop(daemon: &'static str, r: &Announcement) -> Result<()> {
    if r.next_hop.is_ipv4() != r.prefix.is_ipv4() {
        return Err(Error::Unsupported {
            daemon,
            detail: format!(
                "{} with next hop {}: the harness announces each family with a next hop of \
                 that family",
                r.prefix, r.next_hop
            ),
        });
    }
    Ok(())
}

/// `"ipv4"` or `"ipv6"`.
pub(crate) fn afi(addr: IpAddr) -> &'static str {
    if addr.is_ipv4() {
        "ipv4"
    } else {
        "ipv6"
    }
}

/// Reads a JSON document from CLI output.
pub(crate) fn json(what: &str, text: &str) -> Result<serde_json::Value> {
    serde_json::from_str(text.trim()).map_err(|e| {
        let excerpt: String = text.chars().take(300).collect();
        Error::parse(what, format!("{e}: {excerpt:?}"))
    })
}
