//! `condor peering matrix`: for every pair of members, whether they already
//! exchange routes through the route servers (both take part and are not
//! suspended or disconnected), whether a bilateral request was sent (from
//! the records), and otherwise the asked member's peering policy.

use crate::error::Result;
use crate::records::{records_path, Records};
use condor_registry::{MemberStatus, PeeringPolicy, Registry};
use serde::Serialize;
use std::path::Path;

/// One cell: what row member → column member stands at.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "state")]
pub enum Cell {
    /// The diagonal.
    Myself,
    /// Both exchange routes through the route servers.
    RouteServers,
    /// Both take part in the route servers, but the running route server
    /// asked has not both sessions Established.
    RouteServersDown,
    /// The row member asked the column member (accepted by the SMTP server) at this time.
    Requested {
        /// When.
        at: String,
    },
    /// Nothing yet; the column member's policy says how likely a yes is.
    Open,
    /// Nothing yet; selective.
    Selective,
    /// Nothing yet; restrictive.
    Restrictive,
}

impl Cell {
    /// One-word form for the text table.
    pub fn short(&self) -> &'static str {
        match self {
            Cell::Myself => "-",
            Cell::RouteServers => "rs",
            Cell::RouteServersDown => "rs-down",
            Cell::Requested { .. } => "req",
            Cell::Open => "open",
            Cell::Selective => "sel",
            Cell::Restrictive => "restr",
        }
    }
}

/// The matrix: members in registry order, `cells[row][column]`.
#[derive(Clone, Debug, Serialize)]
pub struct Matrix {
    /// ASNs of the rows and columns.
    pub asns: Vec<u32>,
    /// Their names.
    pub names: Vec<String>,
    /// The cells.
    pub cells: Vec<Vec<Cell>>,
}

fn on_rs(m: &condor_registry::Member) -> bool {
    m.route_server && matches!(m.status, MemberStatus::Active | MemberStatus::Pending)
}

/// Builds the matrix of `reg` (stored at `registry`, whose records give the
/// requests). With `established` (the ASNs whose sessions a running route
/// server has Established), a pair counts as exchanging routes only when
/// both are up.
pub fn matrix(
    registry: &Path,
    reg: &Registry,
    established: Option<&std::collections::HashSet<u32>>,
) -> Result<Matrix> {
    let records = if records_path(registry).exists() {
        Some(Records::open(&records_path(registry))?)
    } else {
        None
    };
    let members: Vec<_> = reg
        .members
        .iter()
        .filter(|m| m.status != MemberStatus::Disconnected)
        .collect();
    let mut cells = Vec::new();
    for a in &members {
        let mut row = Vec::new();
        for b in &members {
            let cell = if a.asn == b.asn {
                Cell::Myself
            } else if on_rs(a) && on_rs(b) {
                match established {
                    Some(up) if !(up.contains(&a.asn.0) && up.contains(&b.asn.0)) => {
                        Cell::RouteServersDown
                    }
                    _ => Cell::RouteServers,
                }
            } else if let Some(at) = match &records {
                Some(r) => r.last_request_sent(a.asn.0, b.asn.0)?,
                None => None,
            } {
                Cell::Requested { at }
            } else {
                match b.policy {
                    PeeringPolicy::Open => Cell::Open,
                    PeeringPolicy::Selective => Cell::Selective,
                    PeeringPolicy::Restrictive => Cell::Restrictive,
                }
            };
            row.push(cell);
        }
        cells.push(row);
    }
    Ok(Matrix {
        asns: members.iter().map(|m| m.asn.0).collect(),
        names: members.iter().map(|m| m.name.clone()).collect(),
        cells,
    })
}
