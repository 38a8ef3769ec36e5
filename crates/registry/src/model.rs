//! The registry's data model: the exchange (peering LANs, route servers) and
//! its members, as they are written in the human-editable TOML file
//! (`docs/registry.md` documents every field). Parsing only checks types;
//! [`crate::validate`] checks the meaning.

use condor_wire::{Asn, Prefix};
use serde::{Deserialize, Serialize};
use std::net::IpAddr;

/// The whole registry file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Registry {
    /// The exchange itself.
    pub exchange: Exchange,
    /// Members, in file order.
    #[serde(default, rename = "member", skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<Member>,
}

/// The exchange: name, peering LANs, route servers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exchange {
    /// Name (e.g. `Perú IX`).
    pub name: String,
    /// Its IX-F database id (`ixf_id` in the IX-F Member Export).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ixf_id: Option<u64>,
    /// IPv4 peering LAN.
    #[serde(default, with = "opt_prefix", skip_serializing_if = "Option::is_none")]
    pub peering_lan_v4: Option<Prefix>,
    /// IPv6 peering LAN.
    #[serde(default, with = "opt_prefix", skip_serializing_if = "Option::is_none")]
    pub peering_lan_v6: Option<Prefix>,
    /// Route servers.
    #[serde(
        default,
        rename = "route_server",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub route_servers: Vec<RouteServer>,
}

/// One route server (one BGP speaker; it may have addresses in both families).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouteServer {
    /// Name, unique in the registry (e.g. `rs1-v4`); `[registry] route_server` in
    /// the daemon's configuration refers to it.
    pub name: String,
    /// Its ASN.
    #[serde(with = "asn_num")]
    pub asn: Asn,
    /// Its addresses on the peering LANs; their families are the families it serves.
    pub addresses: Vec<IpAddr>,
    /// Next hops that blackholed routes are rewritten to (RFC 7999), per family.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub blackhole_next_hops: Vec<IpAddr>,
}

/// A member's bilateral peering policy (as PeeringDB names them).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum PeeringPolicy {
    /// Peers with anyone on the exchange.
    #[default]
    Open,
    /// Peers on request, case by case.
    Selective,
    /// Rarely peers bilaterally.
    Restrictive,
}

/// Where a member is in its life at the exchange.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum MemberStatus {
    /// Connected and in service.
    #[default]
    Active,
    /// Being connected (port assigned, not yet in service); its route-server
    /// sessions are configured so they come up as soon as it configures them.
    Pending,
    /// Temporarily out of service: sessions configured but administratively down.
    Suspended,
    /// Left the exchange: kept for the record, no sessions.
    Disconnected,
}

/// Contacts of a member (e-mail addresses).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Contacts {
    /// Network operations centre.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub noc: Option<String>,
    /// Peering coordinator (bilateral requests go here).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peering: Option<String>,
    /// Technical contact (onboarding e-mail goes here and to the NOC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub technical: Option<String>,
}

/// One member of the exchange.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Member {
    /// Its ASN (unique in the registry).
    #[serde(with = "asn_num")]
    pub asn: Asn,
    /// Its name.
    pub name: String,
    /// Life-cycle status.
    #[serde(default)]
    pub status: MemberStatus,
    /// Its IPv4 addresses on the peering LAN.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ipv4: Vec<IpAddr>,
    /// Its IPv6 addresses on the peering LAN.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ipv6: Vec<IpAddr>,
    /// Maximum IPv4 prefixes it may announce to the route servers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_prefix_v4: Option<u32>,
    /// Maximum IPv6 prefixes it may announce to the route servers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_prefix_v6: Option<u32>,
    /// Its AS-SET (IRR object, e.g. `AS-EXAMPLE` or `RIPE::AS-EXAMPLE`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_set: Option<String>,
    /// Whether it peers with the route servers.
    #[serde(default = "yes")]
    pub route_server: bool,
    /// Bilateral peering policy.
    #[serde(default)]
    pub policy: PeeringPolicy,
    /// Contacts.
    #[serde(default)]
    pub contacts: Contacts,
}

fn yes() -> bool {
    true
}

impl Member {
    /// A new active member with no addresses, contacts or limits.
    pub fn new(asn: Asn, name: impl Into<String>) -> Member {
        Member {
            asn,
            name: name.into(),
            status: MemberStatus::Active,
            ipv4: Vec::new(),
            ipv6: Vec::new(),
            max_prefix_v4: None,
            max_prefix_v6: None,
            as_set: None,
            route_server: true,
            policy: PeeringPolicy::Open,
            contacts: Contacts::default(),
        }
    }

    /// All its peering-LAN addresses, IPv4 first.
    pub fn addresses(&self) -> impl Iterator<Item = IpAddr> + '_ {
        self.ipv4.iter().chain(self.ipv6.iter()).copied()
    }
}

impl Registry {
    /// An empty registry (no name, LANs, route servers or members), e.g.
    /// to import an IX-F export into.
    pub fn empty() -> Registry {
        Registry {
            exchange: Exchange {
                name: String::new(),
                ixf_id: None,
                peering_lan_v4: None,
                peering_lan_v6: None,
                route_servers: Vec::new(),
            },
            members: Vec::new(),
        }
    }

    /// The member with this ASN.
    pub fn member(&self, asn: Asn) -> Option<&Member> {
        self.members.iter().find(|m| m.asn == asn)
    }

    /// The member with this ASN, to change it.
    pub fn member_mut(&mut self, asn: Asn) -> Option<&mut Member> {
        self.members.iter_mut().find(|m| m.asn == asn)
    }

    /// The route server with this name.
    pub fn route_server(&self, name: &str) -> Option<&RouteServer> {
        self.exchange.route_servers.iter().find(|r| r.name == name)
    }

    /// Parses registry TOML (types only; see [`crate::validate`]).
    pub fn from_toml(text: &str) -> Result<Registry, toml::de::Error> {
        toml::from_str(text)
    }

    /// The registry as TOML, in the documented field order.
    pub fn to_toml(&self) -> Result<String, toml::ser::Error> {
        toml::to_string(self)
    }
}

/// `Asn` as a plain TOML integer.
mod asn_num {
    use condor_wire::Asn;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(a: &Asn, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u32(a.0)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Asn, D::Error> {
        let v = i64::deserialize(d)?;
        u32::try_from(v).map(Asn).map_err(|_| {
            serde::de::Error::custom(format!("ASN {v} is out of range 1..=4294967294"))
        })
    }
}

/// `Option<Prefix>` as a string `address/length`.
mod opt_prefix {
    use condor_wire::Prefix;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(p: &Option<Prefix>, s: S) -> Result<S::Ok, S::Error> {
        match p {
            Some(p) => s.serialize_str(&p.to_string()),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Prefix>, D::Error> {
        let v = String::deserialize(d)?;
        v.parse::<Prefix>()
            .map(Some)
            .map_err(|e| serde::de::Error::custom(format!("{v:?}: {e}")))
    }
}
