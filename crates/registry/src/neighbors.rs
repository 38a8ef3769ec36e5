//! The route-server sessions the registry implies: for one route server, a
//! session with every member that takes part in the route servers, is not
//! disconnected, and has an address in a family the route server serves
//! (RFC 7947 §2: the route server peers with each client over the exchange's
//! LAN). The daemon's configuration turns these into neighbors.

use crate::error::{RegistryError, Result};
use crate::model::{MemberStatus, Registry};
use crate::password::Password;
use crate::secrets::SecretStore;
use condor_wire::Asn;
use std::net::IpAddr;

/// One session of the route server with a member.
#[derive(Clone, Debug, PartialEq)]
pub struct RsSession {
    /// Neighbor name: the member's name.
    pub name: String,
    /// The member's address.
    pub address: IpAddr,
    /// The member's ASN.
    pub asn: Asn,
    /// TCP-MD5 password from the secret store, if the member has one.
    pub password: Option<Password>,
    /// Prefix limit of the session's family.
    pub max_prefix: Option<u32>,
    /// The member's AS-SET.
    pub as_set: Option<String>,
    /// Suspended members: configured but administratively down.
    pub shutdown: bool,
}

/// The sessions of route server `rs_name`, members in registry order.
pub fn route_server_sessions(
    reg: &Registry,
    rs_name: &str,
    secrets: &SecretStore,
) -> Result<Vec<RsSession>> {
    let rs = reg
        .route_server(rs_name)
        .ok_or_else(|| RegistryError::NoRouteServer(rs_name.to_string()))?;
    let v4 = rs.addresses.iter().any(|a| a.is_ipv4());
    let v6 = rs.addresses.iter().any(|a| a.is_ipv6());
    let mut out = Vec::new();
    for m in &reg.members {
        if !m.route_server || m.status == MemberStatus::Disconnected {
            continue;
        }
        let mut add = |address: IpAddr, max_prefix: Option<u32>| {
            out.push(RsSession {
                name: m.name.clone(),
                address,
                asn: m.asn,
                password: secrets.md5(m.asn).cloned(),
                max_prefix,
                as_set: m.as_set.clone(),
                shutdown: m.status == MemberStatus::Suspended,
            })
        };
        if v4 {
            for &a in &m.ipv4 {
                add(a, m.max_prefix_v4);
            }
        }
        if v6 {
            for &a in &m.ipv6 {
                add(a, m.max_prefix_v6);
            }
        }
    }
    Ok(out)
}
