//! The IX-F Member Export JSON (Euro-IX `ixp-member-list` schema, versions
//! 0.6, 0.7 and 1.0), as far as the registry reads it: the exchange, its
//! VLANs (peering LANs), and per member its connections' addresses with
//! AS-SET (`as_macro`), prefix limit, route-server flag and the services
//! (`ixrouteserver`) that mark the exchange's own route servers. Unknown
//! fields are ignored (exports carry many); `null` is taken as absent.

use serde::Deserialize;

/// The whole export.
#[derive(Debug, Deserialize)]
pub(crate) struct IxfFile {
    pub version: String,
    #[serde(default)]
    pub ixp_list: Vec<IxfIxp>,
    #[serde(default)]
    pub member_list: Vec<IxfMember>,
}

/// One exchange of `ixp_list`.
#[derive(Debug, Deserialize)]
pub(crate) struct IxfIxp {
    pub ixp_id: u64,
    #[serde(default)]
    pub ixf_id: Option<u64>,
    /// Required by the schemas, missing in some exports.
    #[serde(default)]
    pub shortname: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub vlan: Option<Vec<IxfVlan>>,
}

/// A VLAN (peering LAN) of an exchange.
#[derive(Debug, Deserialize)]
pub(crate) struct IxfVlan {
    pub id: u64,
    #[serde(default)]
    pub ipv4: Option<IxfNet>,
    #[serde(default)]
    pub ipv6: Option<IxfNet>,
}

/// A VLAN's prefix.
#[derive(Debug, Deserialize)]
pub(crate) struct IxfNet {
    pub prefix: String,
    pub mask_length: u8,
}

/// One entry of `member_list`.
#[derive(Debug, Deserialize)]
pub(crate) struct IxfMember {
    pub asnum: u64,
    #[serde(default)]
    pub name: Option<String>,
    /// A string in the schemas; kept as any JSON value (some exports differ).
    #[serde(default)]
    pub member_type: Option<serde_json::Value>,
    #[serde(default)]
    pub peering_policy: Option<String>,
    #[serde(default)]
    pub contact_email: Option<Vec<String>>,
    #[serde(default)]
    pub connection_list: Vec<IxfConnection>,
}

/// One connection (port) of a member.
#[derive(Debug, Deserialize)]
pub(crate) struct IxfConnection {
    /// Required by the schemas; when missing, the connection is taken to be
    /// to the file's only exchange.
    #[serde(default)]
    pub ixp_id: Option<u64>,
    #[serde(default)]
    pub state: Option<String>,
    #[serde(default)]
    pub vlan_list: Option<Vec<IxfVlanEntry>>,
}

/// A member's presence in one VLAN.
#[derive(Debug, Deserialize)]
pub(crate) struct IxfVlanEntry {
    #[serde(default)]
    pub vlan_id: Option<u64>,
    #[serde(default)]
    pub ipv4: Option<IxfAddress>,
    #[serde(default)]
    pub ipv6: Option<IxfAddress>,
}

/// An address of a member in a VLAN.
#[derive(Debug, Deserialize)]
pub(crate) struct IxfAddress {
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub as_macro: Option<String>,
    #[serde(default)]
    pub max_prefix: Option<u64>,
    #[serde(default)]
    pub routeserver: Option<bool>,
    /// Schema 1.0: the services on this address.
    #[serde(default)]
    pub services: Option<Vec<IxfService>>,
    /// Schema 0.7: the same, as a list of names.
    #[serde(default)]
    pub service_type: Option<Vec<String>>,
}

/// A service the exchange runs on an address.
#[derive(Debug, Deserialize)]
pub(crate) struct IxfService {
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
}

impl IxfMember {
    /// True for schema 0.6's way of listing the exchange's route servers.
    pub fn is_route_server(&self) -> bool {
        self.member_type.as_ref().and_then(|v| v.as_str()) == Some("routeserver")
    }
}

impl IxfAddress {
    /// True when this is one of the exchange's route servers.
    pub fn is_route_server(&self) -> bool {
        self.services
            .iter()
            .flatten()
            .any(|s| s.kind.as_deref() == Some("ixrouteserver"))
            || self
                .service_type
                .iter()
                .flatten()
                .any(|s| s == "ixrouteserver")
    }
}
