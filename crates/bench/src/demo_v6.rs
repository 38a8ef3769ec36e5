//! The demo's IPv6 member: one session over ::1 (the only IPv6 loopback
//! address, hence one member), run by Condor's own session driver as the
//! member's side (role `rs-client`), announcing IPv6 routes with MP_REACH
//! (RFC 4760) — some accepted, two examples filtered — so the looking glass
//! shows both families.

use crate::plan::TRANSIT_ASN_BASE;
use crate::target::SERVER_ASN;
use bytes::Bytes;
use condor_session::driver::{Outbound, SessionConfig, SessionHandle, SessionHooks};
use condor_session::socket::TtlPolicy;
use condor_session::{FsmConfig, Negotiated, PeerPolicy, Reason};
use condor_wire::attr::{flags, types};
use condor_wire::capability::Role;
use condor_wire::{
    AsPath, Asn, Context, Family, NextHop, Nlri, PathAttributes, Prefix, RouteRefresh, Update,
    UpdateBuilder,
};
use std::fmt::Write as _;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use tokio::sync::mpsc;

/// The IPv6 member's ASN.
pub const ASN: u32 = 4_200_001_000;
/// Its address.
pub const ADDRESS: Ipv6Addr = Ipv6Addr::LOCALHOST;
/// The next hop it announces (its address on Perú IX's IPv6 peering LAN).
pub const NEXT_HOP: Ipv6Addr = Ipv6Addr::new(0x2803, 0xcd60, 0x6411, 5, 0, 0, 0, 0x10);

fn v6(s: &str) -> Prefix {
    s.parse().unwrap_or(Prefix::V6(Ipv6Addr::UNSPECIFIED, 0))
}

/// Its routes: accepted ones, then the examples (with what happens to them).
pub fn routes() -> Vec<(Prefix, &'static str)> {
    let mut v: Vec<(Prefix, &'static str)> = (0..16)
        .map(|i| (v6(&format!("2803:cd60:{:x}::/48", 0x1000 + i)), "accepted"))
        .collect();
    v.push((
        v6("2001:db8:1000::/48"),
        "filtered: bogon prefix (documentation range)",
    ));
    v.push((
        v6("2803:cd60:2000:1::/64"),
        "filtered: prefix longer than /48",
    ));
    v
}

/// Its IRR data (all its routes, the examples included).
pub fn irr_file() -> String {
    let mut s = String::from("# demo IPv6 member\n");
    for (p, _) in routes() {
        let _ = writeln!(s, "{}/{}", p.addr(), p.len());
    }
    let _ = writeln!(s, "AS{ASN}\nAS{}", TRANSIT_ASN_BASE + 1);
    s
}

/// The route server's neighbor entry for it.
pub fn neighbor(irr_file: &std::path::Path) -> String {
    format!(
        "\n[[neighbor]]\nname = \"Demo member (IPv6)\"\naddress = \"{ADDRESS}\"\nasn = {ASN}\npassive = true\nfamilies = [\"ipv6-unicast\"]\nirr_file = \"{}\"\n",
        irr_file.display()
    )
}

fn updates() -> Vec<Bytes> {
    let builder = UpdateBuilder::new(Context::four_octet());
    let mut path = Vec::new();
    AsPath::from_sequence([ASN, TRANSIT_ASN_BASE + 1]).encode(true, &mut path);
    let Ok(attrs) = PathAttributes::from_parts(
        &[
            (flags::TRANSITIVE, types::ORIGIN, &[0]),
            (flags::TRANSITIVE, types::AS_PATH, &path),
        ],
        true,
    ) else {
        return Vec::new();
    };
    let nlri: Vec<Nlri> = routes().into_iter().map(|(p, _)| Nlri::new(p)).collect();
    let mut out = Vec::new();
    let nh = NextHop::V6 {
        global: NEXT_HOP,
        link_local: None,
    };
    if builder
        .announce(&attrs, &nh, Family::IPV6_UNICAST, &nlri, &mut out)
        .is_err()
    {
        return Vec::new();
    }
    out.push(builder.end_of_rib(Family::IPV6_UNICAST));
    out.into_iter().map(Bytes::from).collect()
}

/// The member's side of the session.
struct Member {
    /// Keeps the queue open for the life of the session.
    keep: std::sync::Mutex<Option<mpsc::UnboundedSender<Bytes>>>,
}

impl SessionHooks for Member {
    async fn up(&self, _: &Negotiated) -> Outbound {
        let (tx, rx) = mpsc::unbounded_channel();
        for m in updates() {
            let _ = tx.send(m);
        }
        if let Ok(mut k) = self.keep.lock() {
            *k = Some(tx);
        }
        Outbound {
            rx: Box::new(rx),
            written: Box::new(|_| {}),
        }
    }
    async fn down(&self, _: &Reason, _: Option<&Negotiated>) {}
    async fn update(&self, _: Update) {}
    async fn route_refresh(&self, _: RouteRefresh) {}
}

/// Starts the member's session towards the route server at `server`.
pub fn start(server: SocketAddr) -> anyhow::Result<SessionHandle> {
    let policy = PeerPolicy {
        local_role: Some(Role::RouteServerClient),
        families: vec![Family::IPV6_UNICAST],
        graceful_restart_helper: false,
        ..PeerPolicy::route_server(Asn(ASN), "10.255.0.1".parse()?, Asn(SERVER_ASN))
    };
    let cfg = SessionConfig {
        name: "demo IPv6 member".into(),
        peer: server.ip(),
        port: server.port(),
        local: Some(IpAddr::V6(ADDRESS)),
        passive: false,
        md5: None,
        ao: None,
        ttl: TtlPolicy::KernelDefault,
        policy,
        fsm: FsmConfig {
            connect_retry_time: std::time::Duration::from_secs(1),
            ..FsmConfig::default()
        },
        send_hold_time: condor_session::driver::SEND_HOLD_TIME,
    };
    let hooks = Arc::new(Member {
        keep: std::sync::Mutex::new(None),
    });
    condor_session::driver::spawn(cfg, hooks).map_err(|e| anyhow::anyhow!("{e}"))
}
