//! The validated configuration model the daemon runs on. Built from the TOML
//! file by [`crate::parse`]; every field is documented in `docs/config.md`.

use crate::secret::Secret;
use condor_wire::{Asn, Family};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

/// The whole configuration.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// This route server.
    pub server: Server,
    /// Neighbors (route-server clients and others): the `[[neighbor]]`
    /// entries in file order, then those from the member registry.
    pub neighbors: Vec<Neighbor>,
    /// Import filters applied to every neighbor's routes.
    pub filters: condor_policy::Filters,
    /// How members' IRR data are fetched.
    pub irr: crate::irr::IrrSettings,
    /// RPKI data sources; `None`: no RPKI (nothing is validated).
    pub rpki: Option<crate::rpki::RpkiSettings>,
    /// Where neighbors also come from: the member registry, if configured.
    pub registry: Option<RegistrySource>,
    /// The looking glass (`None`: not started).
    pub looking_glass: Option<LookingGlass>,
}

/// The looking glass served by the daemon (`[looking_glass]`).
#[derive(Clone, Debug, PartialEq)]
pub struct LookingGlass {
    /// HTTP address and port.
    pub listen: SocketAddr,
    /// Bearer token of the operator view (`None`: public view only).
    pub operator_token: Option<Secret>,
}

/// The `[registry]` table: neighbors generated from the member registry
/// (`docs/registry.md`), re-read on every reload.
#[derive(Clone, Debug, PartialEq)]
pub struct RegistrySource {
    /// The registry file (relative paths are taken from the configuration's directory).
    pub path: PathBuf,
    /// This route server's name in the registry.
    pub route_server: String,
    /// GTSM (RFC 5082) hop limit for the registry's neighbors.
    pub ttl_security: Option<u8>,
    /// Only accept connections from the registry's neighbors (default true).
    pub passive: bool,
}

/// Global settings of this route server.
#[derive(Clone, Debug, PartialEq)]
pub struct Server {
    /// Name shown in logs and the looking glass.
    pub name: String,
    /// Our ASN (never added to relayed paths: RFC 7947 §2.2.2.1).
    pub asn: Asn,
    /// BGP identifier.
    pub router_id: Ipv4Addr,
    /// Addresses (and ports) to listen on for BGP.
    pub listen: Vec<SocketAddr>,
    /// Hold time we propose (seconds; 0 or ≥ 3).
    pub hold_time: u16,
    /// ConnectRetry time for active neighbors.
    pub connect_retry: Duration,
    /// Control socket path (CLI, looking glass).
    pub control_socket: PathBuf,
}

/// What to do when a neighbor exceeds its prefix limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MaxPrefixAction {
    /// Log a warning and keep accepting.
    Warn,
    /// Keep the session, ignore prefixes beyond the limit.
    DropNew,
    /// Send Cease/1 (RFC 4486) and stay down for `restart_after`.
    Shutdown,
}

/// Prefix limits of a neighbor.
#[derive(Clone, Debug, PartialEq)]
pub struct MaxPrefix {
    /// Limit for IPv4 unicast.
    pub ipv4: Option<u32>,
    /// Limit for IPv6 unicast.
    pub ipv6: Option<u32>,
    /// Action on excess.
    pub action: MaxPrefixAction,
    /// With `Shutdown`: how long the session stays down before it may come back.
    pub restart_after: Duration,
}

/// A TCP-AO key (RFC 5925) for one neighbor.
#[derive(Clone, Debug, PartialEq)]
pub struct TcpAo {
    /// Key id we send with (SendID).
    pub send_id: u8,
    /// Key id we expect (RecvID).
    pub recv_id: u8,
    /// MAC algorithm, as the kernel names it (e.g. `hmac(sha1)`, `cmac(aes128)`).
    pub algorithm: String,
    /// The master key.
    pub secret: Secret,
}

/// One neighbor.
#[derive(Clone, Debug, PartialEq)]
pub struct Neighbor {
    /// Human name (e.g. the member's name).
    pub name: String,
    /// Peer address on the peering LAN.
    pub address: IpAddr,
    /// Peer ASN.
    pub asn: Asn,
    /// TCP MD5 password (RFC 2385).
    pub password: Option<Secret>,
    /// TCP-AO key (RFC 5925), instead of MD5.
    pub tcp_ao: Option<TcpAo>,
    /// Remote TCP port to connect to.
    pub port: u16,
    /// Local address to connect from (and to expect connections on).
    pub local_address: Option<IpAddr>,
    /// Only accept connections, never connect.
    pub passive: bool,
    /// Address families to negotiate.
    pub families: Vec<Family>,
    /// Hold time for this neighbor (overrides the server's).
    pub hold_time: Option<u16>,
    /// GTSM (RFC 5082): accept only packets from at most this many hops.
    pub ttl_security: Option<u8>,
    /// eBGP multihop TTL (mutually exclusive with `ttl_security`).
    pub multihop: Option<u8>,
    /// Prefix limits.
    pub max_prefix: Option<MaxPrefix>,
    /// Refuse a peer that does not announce the RFC 9234 role `rs-client`.
    pub role_strict: bool,
    /// Send ADD-PATH (RFC 7911) when the peer can receive it.
    pub add_path_send: bool,
    /// Administratively down.
    pub shutdown: bool,
    /// Hidden from the public looking glass (collectors, other route servers).
    pub internal: bool,
    /// A transparent route server (of another IXP): the first AS of its
    /// routes need not be its own.
    pub transparent: bool,
    /// The member opted in to receive RFC 7999 blackhole routes.
    pub receive_blackhole: bool,
    /// This member's filters, when `[neighbor.filters]` overrides some of the
    /// route server's (resolved: the overrides over `[filters]`).
    pub filters: Option<condor_policy::Filters>,
    /// Other addresses of the same member accepted as NEXT_HOP with
    /// `filters.next_hop = "same-member"`.
    pub next_hops: Vec<IpAddr>,
    /// The member's AS-SET (or ASN) for IRR filtering, expanded with bgpq4.
    pub as_set: Option<String>,
    /// Instead of `as_set`: an operator-supplied prefix list (bgpq JSON or text).
    pub irr_file: Option<PathBuf>,
    /// Generated from the member registry rather than a `[[neighbor]]` entry.
    pub from_registry: bool,
}

impl Neighbor {
    /// The effective hold time.
    pub fn effective_hold_time(&self, server: &Server) -> u16 {
        self.hold_time.unwrap_or(server.hold_time)
    }
}

impl Config {
    /// The neighbor with this address.
    pub fn neighbor(&self, addr: IpAddr) -> Option<&Neighbor> {
        self.neighbors.iter().find(|n| n.address == addr)
    }
}
