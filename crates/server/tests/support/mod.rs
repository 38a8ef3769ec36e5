//! Test support for end-to-end tests of the daemon, in-process:
//!
//! * [`ConfigBuilder`] / [`NeighborCfg`]: a configuration on loopback, with
//!   the listener on port 0 (the kernel picks a free non-privileged port,
//!   read back from [`condor_server::Daemon::listen`]);
//! * [`Speaker`]: a raw BGP speaker built on `condor_wire` that connects
//!   from a chosen 127.0.0.x address (optionally with a TCP-MD5 key),
//!   performs the OPEN/KEEPALIVE handshake with 4-octet AS and
//!   multiprotocol capabilities, sends UPDATEs built with `UpdateBuilder` or
//!   arbitrary bytes, and decodes everything it receives into a small
//!   Adj-RIB-In ([`Speaker::routes`]) plus the NOTIFICATION and close it got;
//!   with [`SpeakerCfg::ipv6`] it also negotiates IPv6 unicast over its
//!   IPv4 session (RFC 4760 MP_REACH/MP_UNREACH, IPv6 next hops), since
//!   loopback has a single IPv6 address (::1) and the daemon tells its
//!   neighbors apart by address;
//! * waits on the daemon's neighbor status.
//!
//! Every wait is bounded by a deadline ([`TIMEOUT`] unless a test says
//! otherwise); everything stays on 127.0.0.0/8.

#![allow(dead_code)]

use bytes::BytesMut;
use condor_config::Config;
use condor_server::{Daemon, NeighborStatus};
use condor_session::socket::{connect, ConnectOptions, Secret};
use condor_session::State;
use condor_wire::attr::{flags, types};
use condor_wire::{
    decode_message, frame_length, Capability, Context, Family, Message, NextHop, Nlri, Open,
    PathAttributes, Prefix, UpdateBuilder,
};
use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, SystemTime};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::Instant;

/// Bound on every wait unless a test says otherwise.
pub const TIMEOUT: Duration = Duration::from_secs(20);

/// The route server's ASN in every test configuration.
pub const RS_ASN: u32 = 64115;

/// Logs to the test output when `RUST_LOG` is set (e.g. `RUST_LOG=debug`).
pub fn init_logging() {
    if std::env::var_os("RUST_LOG").is_some() {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
            .with_test_writer()
            .try_init();
    }
}

/// A loopback address 127.0.0.`n`.
pub fn lo(n: u8) -> Ipv4Addr {
    Ipv4Addr::new(127, 0, 0, n)
}

/// Parses `a.b.c.d/len` (test literals only).
pub fn pfx(s: &str) -> Prefix {
    let (a, l) = s.split_once('/').expect("prefix literal a.b.c.d/len");
    Prefix::new(
        a.parse::<IpAddr>().expect("prefix address"),
        l.parse().expect("prefix length"),
    )
    .expect("valid prefix")
}

/// `count` distinct /24s starting at `first_octet`.0.0.0 (a.b.c.0/24, c fastest).
pub fn many_prefixes(first_octet: u8, count: usize) -> Vec<Prefix> {
    (0..count)
        .map(|i| {
            let b = (i >> 8) as u32;
            let c = (i & 0xff) as u32;
            let base = (u32::from(first_octet) << 24) + (b << 16) + (c << 8);
            Prefix::new(IpAddr::V4(Ipv4Addr::from(base)), 24).expect("valid /24")
        })
        .collect()
}

/// One `[[neighbor]]` of a test configuration.
#[derive(Clone, Debug)]
pub struct NeighborCfg {
    /// Address.
    pub address: IpAddr,
    /// ASN.
    pub asn: u32,
    /// Name.
    pub name: String,
    /// TCP-MD5 password.
    pub password: Option<String>,
    /// Only accept connections (default for members).
    pub passive: bool,
    /// Remote port for active neighbors.
    pub port: Option<u16>,
    /// Local address for active neighbors.
    pub local_address: Option<IpAddr>,
    /// Hold time override.
    pub hold_time: Option<u16>,
    /// Raw TOML lines appended to the neighbor table (e.g. a `[neighbor.max_prefix]`).
    pub extra: String,
}

impl NeighborCfg {
    /// A passive member at `address` with `asn`, named `AS<asn>`.
    pub fn member(address: Ipv4Addr, asn: u32) -> NeighborCfg {
        NeighborCfg {
            address: IpAddr::V4(address),
            asn,
            name: format!("AS{asn}"),
            password: None,
            passive: true,
            port: None,
            local_address: None,
            hold_time: None,
            extra: String::new(),
        }
    }

    /// With a TCP-MD5 password.
    pub fn password(mut self, p: &str) -> NeighborCfg {
        self.password = Some(p.to_string());
        self
    }

    /// Active (connects), to `port`, from `local`.
    pub fn active(mut self, port: u16, local: Ipv4Addr) -> NeighborCfg {
        self.passive = false;
        self.port = Some(port);
        self.local_address = Some(IpAddr::V4(local));
        self
    }

    /// With a hold time.
    pub fn hold_time(mut self, h: u16) -> NeighborCfg {
        self.hold_time = Some(h);
        self
    }

    /// With raw TOML appended (sub-tables go last).
    pub fn extra(mut self, toml: &str) -> NeighborCfg {
        self.extra.push_str(toml);
        self
    }
}

/// Builds a daemon configuration as TOML text and parses it with
/// `condor_config::parse`, so tests go through the real validation.
#[derive(Clone, Debug)]
pub struct ConfigBuilder {
    /// Listen address (port 0 unless set).
    pub listen: SocketAddr,
    /// BGP identifier.
    pub router_id: Ipv4Addr,
    /// Our ASN.
    pub asn: u32,
    /// ConnectRetry time (s), short for tests.
    pub connect_retry: u32,
    /// Neighbors.
    pub neighbors: Vec<NeighborCfg>,
    /// The `[filters]` table (every filter off unless set).
    pub filters: String,
}

impl ConfigBuilder {
    /// A route server AS64115 listening on `listen_ip` port 0, router id = `listen_ip`.
    pub fn new(listen_ip: Ipv4Addr) -> ConfigBuilder {
        ConfigBuilder {
            listen: SocketAddr::new(IpAddr::V4(listen_ip), 0),
            router_id: listen_ip,
            asn: RS_ASN,
            connect_retry: 1,
            neighbors: Vec::new(),
            filters: PERMISSIVE_FILTERS.to_string(),
        }
    }

    /// With this `[filters]` table (TOML text, header included).
    pub fn filters(mut self, table: &str) -> ConfigBuilder {
        self.filters = table.to_string();
        self
    }

    /// With another ASN for the route server.
    pub fn asn(mut self, asn: u32) -> ConfigBuilder {
        self.asn = asn;
        self
    }

    /// Adds a neighbor.
    pub fn neighbor(mut self, n: NeighborCfg) -> ConfigBuilder {
        self.neighbors.push(n);
        self
    }

    /// Uses this listen address (e.g. the port a running daemon got, for reloads).
    pub fn listen(mut self, addr: SocketAddr) -> ConfigBuilder {
        self.listen = addr;
        self
    }

    /// The neighbor at `address`, to change it.
    pub fn neighbor_mut(&mut self, address: Ipv4Addr) -> &mut NeighborCfg {
        self.neighbors
            .iter_mut()
            .find(|n| n.address == IpAddr::V4(address))
            .expect("neighbor in the test configuration")
    }

    /// Removes the neighbor at `address`.
    pub fn without(mut self, address: Ipv4Addr) -> ConfigBuilder {
        self.neighbors.retain(|n| n.address != IpAddr::V4(address));
        self
    }

    /// The TOML text.
    pub fn toml(&self) -> String {
        let mut t = String::new();
        let _ = writeln!(t, "[server]");
        let _ = writeln!(t, "name = \"test route server\"");
        let _ = writeln!(t, "asn = {}", self.asn);
        let _ = writeln!(t, "router_id = \"{}\"", self.router_id);
        let _ = writeln!(t, "listen = [\"{}\"]", self.listen);
        let _ = writeln!(t, "connect_retry = {}", self.connect_retry);
        let _ = writeln!(t, "control_socket = \"/nonexistent/condor-test.sock\"");
        // Unless a test sets them, every filter is off: the behaviour under
        // test is transport and relay (the filters have their own tests).
        t.push_str(&self.filters);
        for n in &self.neighbors {
            let _ = writeln!(t, "\n[[neighbor]]");
            let _ = writeln!(t, "name = \"{}\"", n.name);
            let _ = writeln!(t, "address = \"{}\"", n.address);
            let _ = writeln!(t, "asn = {}", n.asn);
            let _ = writeln!(t, "passive = {}", n.passive);
            if let Some(p) = &n.password {
                let _ = writeln!(t, "password = \"{p}\"");
            }
            if let Some(p) = n.port {
                let _ = writeln!(t, "port = {p}");
            }
            if let Some(l) = n.local_address {
                let _ = writeln!(t, "local_address = \"{l}\"");
            }
            if let Some(h) = n.hold_time {
                let _ = writeln!(t, "hold_time = {h}");
            }
            t.push_str(&n.extra);
            t.push('\n');
        }
        t
    }

    /// The parsed configuration.
    pub fn build(&self) -> Config {
        let text = self.toml();
        match condor_config::parse("test.toml", &text) {
            Ok(c) => c,
            Err(e) => panic!("test configuration does not parse: {e}\n{text}"),
        }
    }

    /// Starts a daemon with this configuration.
    pub async fn start(&self) -> Daemon {
        match condor_server::start(self.build()).await {
            Ok(d) => d,
            Err(e) => panic!("daemon does not start: {e:#}"),
        }
    }
}

/// The daemon's first listen address.
pub fn listen_addr(d: &Daemon) -> SocketAddr {
    *d.listen.first().expect("the daemon listens somewhere")
}

/// One neighbor's status.
pub async fn status(d: &Daemon, addr: Ipv4Addr) -> NeighborStatus {
    d.neighbors()
        .await
        .expect("daemon running")
        .into_iter()
        .find(|n| n.address == IpAddr::V4(addr))
        .unwrap_or_else(|| panic!("{addr} is not a neighbor of the daemon"))
}

/// Waits until `addr`'s session is Established; returns its status.
pub async fn wait_established(d: &Daemon, addr: Ipv4Addr, within: Duration) -> NeighborStatus {
    let deadline = Instant::now() + within;
    loop {
        let s = status(d, addr).await;
        if s.session.state == State::Established {
            return s;
        }
        if Instant::now() >= deadline {
            panic!(
                "{addr} not Established within {within:?}: state {}, last transition {:?}, last error {:?}",
                s.session.state, s.session.last_transition, s.session.last_error
            );
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits until `addr`'s session is no longer Established.
pub async fn wait_not_established(d: &Daemon, addr: Ipv4Addr, within: Duration) -> NeighborStatus {
    let deadline = Instant::now() + within;
    loop {
        let s = status(d, addr).await;
        if s.session.state != State::Established {
            return s;
        }
        if Instant::now() >= deadline {
            panic!("{addr} still Established after {within:?}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// When `addr`'s session came up (its "uptime"), which must exist.
pub async fn established_since(d: &Daemon, addr: Ipv4Addr) -> SystemTime {
    let s = status(d, addr).await;
    s.session.established_since.unwrap_or_else(|| {
        panic!(
            "{addr} has no established_since: state {}, last error {:?}",
            s.session.state, s.session.last_error
        )
    })
}

/// What a speaker knows of one received route.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Seen {
    /// AS_PATH as a flat list of ASNs.
    pub as_path: Arc<[u32]>,
    /// NEXT_HOP.
    pub next_hop: Option<Ipv4Addr>,
    /// The global IPv6 next hop of MP_REACH_NLRI (IPv6 routes).
    pub next_hop6: Option<Ipv6Addr>,
    /// MED.
    pub med: Option<u32>,
    /// Standard communities (RFC 1997), in the order received (with
    /// [`SpeakerCfg::record_communities`]).
    pub communities: Vec<condor_wire::Community>,
    /// Extended communities (RFC 4360), in the order received (ditto).
    pub ext_communities: Vec<condor_wire::ExtCommunity>,
    /// Large communities (RFC 8092), in the order received (ditto).
    pub large_communities: Vec<condor_wire::LargeCommunity>,
}

/// How a speaker is set up.
#[derive(Clone, Debug)]
pub struct SpeakerCfg {
    /// Source address (127.0.0.x).
    pub local: Ipv4Addr,
    /// Our ASN.
    pub asn: u32,
    /// TCP-MD5 password.
    pub md5: Option<String>,
    /// Hold time we propose.
    pub hold_time: u16,
    /// Record the communities of received routes in [`Seen`] (off by
    /// default: tests with many routes and many communities would hold
    /// them all in the test process).
    pub record_communities: bool,
    /// Also negotiate IPv6 unicast (RFC 4760) on the IPv4 session.
    pub ipv6: bool,
}

impl SpeakerCfg {
    /// A speaker at `local` with `asn`, no key, hold time 90.
    pub fn new(local: Ipv4Addr, asn: u32) -> SpeakerCfg {
        SpeakerCfg {
            local,
            asn,
            md5: None,
            hold_time: 90,
            record_communities: false,
            ipv6: false,
        }
    }

    /// Negotiating IPv6 unicast too.
    pub fn ipv6(mut self) -> SpeakerCfg {
        self.ipv6 = true;
        self
    }

    /// Recording the communities of received routes.
    pub fn record_communities(mut self) -> SpeakerCfg {
        self.record_communities = true;
        self
    }

    /// With a TCP-MD5 password.
    pub fn md5(mut self, p: &str) -> SpeakerCfg {
        self.md5 = Some(p.to_string());
        self
    }
}

/// A raw BGP speaker.
pub struct Speaker {
    /// Its configuration.
    pub cfg: SpeakerCfg,
    stream: TcpStream,
    buf: BytesMut,
    ctx: Context,
    /// The daemon's OPEN (after [`Speaker::establish`]).
    pub peer_open: Option<Open>,
    /// Routes received and not withdrawn.
    pub routes: HashMap<Prefix, Seen>,
    /// Every prefix ever announced to this speaker.
    pub ever: HashSet<Prefix>,
    /// End-of-RIB for IPv4 unicast received.
    pub eor: bool,
    /// End-of-RIB for IPv6 unicast received.
    pub eor6: bool,
    /// UPDATEs received that carried routes (End-of-RIB not counted).
    pub updates: u64,
    /// A NOTIFICATION received.
    pub notification: Option<condor_wire::Notification>,
    /// The daemon closed the connection.
    pub closed: bool,
    /// Every message type received, in order (for failure messages), capped.
    pub log: Vec<String>,
}

/// Opens the TCP connection of a speaker (with its MD5 key) to the daemon.
pub async fn tcp_connect(
    local: Ipv4Addr,
    daemon: SocketAddr,
    md5: Option<&str>,
) -> std::io::Result<TcpStream> {
    let key: Option<Secret> = md5.map(|p| p.parse().expect("valid MD5 key"));
    let opts = ConnectOptions {
        local: Some(SocketAddr::new(IpAddr::V4(local), 0)),
        md5: key.as_ref(),
        timeout: Duration::from_secs(3),
        ..ConnectOptions::default()
    };
    connect(daemon, &opts).await
}

impl Speaker {
    /// Connects once (no handshake); the caller drives the rest.
    pub async fn connect(cfg: SpeakerCfg, daemon: SocketAddr) -> std::io::Result<Speaker> {
        let stream = tcp_connect(cfg.local, daemon, cfg.md5.as_deref()).await?;
        Ok(Speaker {
            cfg,
            stream,
            buf: BytesMut::with_capacity(64 * 1024),
            ctx: Context::default(),
            peer_open: None,
            routes: HashMap::new(),
            ever: HashSet::new(),
            eor: false,
            eor6: false,
            updates: 0,
            notification: None,
            closed: false,
            log: Vec::new(),
        })
    }

    /// Connects and completes the handshake, retrying (the daemon refuses
    /// connections while the neighbor's session is Idle) until `within`.
    /// Returns the speaker once it received the daemon's KEEPALIVE.
    pub async fn establish_within(
        cfg: SpeakerCfg,
        daemon: SocketAddr,
        within: Duration,
    ) -> Result<Speaker, String> {
        let deadline = Instant::now() + within;
        let mut last = String::from("no attempt");
        while Instant::now() < deadline {
            match Speaker::connect(cfg.clone(), daemon).await {
                Ok(mut s) => match s.handshake(deadline).await {
                    Ok(()) => return Ok(s),
                    Err(e) => last = e,
                },
                Err(e) => last = format!("connect: {e}"),
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        Err(format!(
            "speaker {} (AS{}) could not establish with {daemon} within {within:?}; last attempt: {last}",
            cfg.local, cfg.asn
        ))
    }

    /// [`Speaker::establish_within`] with [`TIMEOUT`], panicking on failure.
    pub async fn establish(cfg: SpeakerCfg, daemon: SocketAddr) -> Speaker {
        match Speaker::establish_within(cfg, daemon, TIMEOUT).await {
            Ok(s) => s,
            Err(e) => panic!("{e}"),
        }
    }

    /// Our OPEN: 4-octet AS and IPv4 unicast capabilities (and IPv6
    /// unicast with [`SpeakerCfg::ipv6`]).
    pub fn open(&self) -> Open {
        let open = Open::new(
            condor_wire::Asn(self.cfg.asn),
            self.cfg.hold_time,
            self.cfg.local,
        )
        .with(Capability::Multiprotocol(Family::IPV4_UNICAST));
        if self.cfg.ipv6 {
            open.with(Capability::Multiprotocol(Family::IPV6_UNICAST))
                .with(Capability::RouteRefresh)
        } else {
            open.with(Capability::RouteRefresh)
        }
    }

    /// OPEN/KEEPALIVE exchange up to the daemon's KEEPALIVE.
    pub async fn handshake(&mut self, deadline: Instant) -> Result<(), String> {
        let open = Message::Open(self.open());
        self.send_message(&open).await?;
        match self.next_message(deadline).await? {
            Some(Message::Open(o)) => self.peer_open = Some(o),
            Some(m) => return Err(format!("expected OPEN, got {m:?}")),
            None => return Err("closed before OPEN".into()),
        }
        self.ctx = Context::four_octet();
        self.send_raw(&condor_wire::message::KEEPALIVE)
            .await
            .map_err(|e| format!("send KEEPALIVE: {e}"))?;
        match self.next_message(deadline).await? {
            Some(Message::Keepalive) => Ok(()),
            Some(m) => Err(format!("expected KEEPALIVE, got {m:?}")),
            None => Err("closed before KEEPALIVE".into()),
        }
    }

    /// Writes bytes as they are.
    pub async fn send_raw(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.stream.write_all(bytes).await
    }

    async fn send_message(&mut self, m: &Message) -> Result<(), String> {
        let b = m.to_bytes(&self.ctx).map_err(|e| format!("encode: {e}"))?;
        self.send_raw(&b).await.map_err(|e| format!("send: {e}"))
    }

    /// Sends a KEEPALIVE.
    pub async fn keepalive(&mut self) {
        self.send_raw(&condor_wire::message::KEEPALIVE)
            .await
            .expect("send KEEPALIVE");
    }

    /// The UPDATEs announcing `prefixes` with ORIGIN IGP, `as_path` and
    /// `next_hop` (and MED when given).
    pub fn announce_msgs(
        &self,
        prefixes: &[Prefix],
        as_path: &[u32],
        next_hop: Ipv4Addr,
        med: Option<u32>,
    ) -> Vec<Vec<u8>> {
        self.announce_msgs_with(prefixes, as_path, next_hop, med, &[])
    }

    /// As [`Speaker::announce_msgs`], with these extra attributes
    /// (flags, type, value) after the others.
    pub fn announce_msgs_with(
        &self,
        prefixes: &[Prefix],
        as_path: &[u32],
        next_hop: Ipv4Addr,
        med: Option<u32>,
        extra: &[(u8, u8, &[u8])],
    ) -> Vec<Vec<u8>> {
        self.announce_msgs_via(prefixes, as_path, IpAddr::V4(next_hop), med, extra)
    }

    /// As [`Speaker::announce_msgs_with`], for prefixes of one family
    /// (IPv6 ones in MP_REACH_NLRI) and a next hop of either family.
    pub fn announce_msgs_via(
        &self,
        prefixes: &[Prefix],
        as_path: &[u32],
        next_hop: IpAddr,
        med: Option<u32>,
        extra: &[(u8, u8, &[u8])],
    ) -> Vec<Vec<u8>> {
        let mut path = Vec::new();
        for chunk in as_path.chunks(255) {
            path.push(2u8);
            path.push(chunk.len() as u8);
            for a in chunk {
                path.extend_from_slice(&a.to_be_bytes());
            }
        }
        let med_v = med.map(u32::to_be_bytes);
        let mut parts: Vec<(u8, u8, &[u8])> = vec![
            (flags::TRANSITIVE, types::ORIGIN, &[0]),
            (flags::TRANSITIVE, types::AS_PATH, &path),
        ];
        if let Some(m) = &med_v {
            parts.push((flags::OPTIONAL, types::MED, m));
        }
        parts.extend_from_slice(extra);
        let attrs = PathAttributes::from_parts(&parts, true).expect("valid attributes");
        let nlri: Vec<Nlri> = prefixes.iter().map(|p| Nlri::new(*p)).collect();
        let family = match prefixes.first() {
            Some(p) if !p.is_ipv4() => Family::IPV6_UNICAST,
            _ => Family::IPV4_UNICAST,
        };
        let nh = match next_hop {
            IpAddr::V4(a) => NextHop::V4(a),
            IpAddr::V6(global) => NextHop::V6 {
                global,
                link_local: None,
            },
        };
        let mut out = Vec::new();
        UpdateBuilder::new(self.ctx)
            .announce(&attrs, &nh, family, &nlri, &mut out)
            .expect("UPDATE fits");
        out
    }

    /// Announces `prefixes` (see [`Speaker::announce_msgs`]).
    pub async fn announce(
        &mut self,
        prefixes: &[Prefix],
        as_path: &[u32],
        next_hop: Ipv4Addr,
        med: Option<u32>,
    ) {
        let msgs = self.announce_msgs(prefixes, as_path, next_hop, med);
        let all: Vec<u8> = msgs.concat();
        self.send_raw(&all).await.expect("send UPDATE");
    }

    /// Withdraws `prefixes`.
    pub async fn withdraw(&mut self, prefixes: &[Prefix]) {
        let nlri: Vec<Nlri> = prefixes.iter().map(|p| Nlri::new(*p)).collect();
        let mut out = Vec::new();
        UpdateBuilder::new(self.ctx)
            .withdraw(Family::IPV4_UNICAST, &nlri, &mut out)
            .expect("UPDATE fits");
        self.send_raw(&out.concat()).await.expect("send withdrawal");
    }

    /// Sends End-of-RIB for IPv4 unicast.
    pub async fn end_of_rib(&mut self) {
        let m = UpdateBuilder::new(self.ctx).end_of_rib(Family::IPV4_UNICAST);
        self.send_raw(&m).await.expect("send End-of-RIB");
    }

    /// Reads the next whole message before `deadline`: `Ok(None)` when the
    /// connection closed, `Err` on timeout or undecodable input.
    pub async fn next_message(&mut self, deadline: Instant) -> Result<Option<Message>, String> {
        loop {
            match frame_length(&self.buf, &self.ctx) {
                Ok(Some(len)) => {
                    let frame = self.buf.split_to(len);
                    return decode_message(&frame, &self.ctx)
                        .map(Some)
                        .map_err(|e| format!("undecodable message from the daemon: {e}"));
                }
                Ok(None) => {}
                Err(e) => return Err(format!("bad header from the daemon: {e}")),
            }
            let read = tokio::time::timeout_at(deadline, self.stream.read_buf(&mut self.buf));
            match read.await {
                Err(_) => return Err("timed out waiting for a message".into()),
                Ok(Ok(0)) => {
                    self.closed = true;
                    return Ok(None);
                }
                Ok(Ok(_)) => {}
                Ok(Err(e)) => {
                    // A reset counts as a close.
                    self.closed = true;
                    self.log.push(format!("read error: {e}"));
                    return Ok(None);
                }
            }
        }
    }

    /// Applies one received message to the speaker's view.
    fn apply(&mut self, m: Message) {
        if self.log.len() < 64 {
            let line = match &m {
                Message::Update(u) if u.end_of_rib().is_some() => "End-of-RIB".to_string(),
                Message::Update(u) => format!(
                    "UPDATE +{} -{}",
                    u.announced().count(),
                    u.withdrawals().count()
                ),
                Message::Notification(n) => format!("NOTIFICATION {n}"),
                Message::Keepalive => "KEEPALIVE".into(),
                other => format!("{:?}", other.message_type()),
            };
            self.log.push(line);
        }
        match m {
            Message::Update(u) => {
                match u.end_of_rib() {
                    Some(Family::IPV4_UNICAST) => {
                        self.eor = true;
                        return;
                    }
                    Some(Family::IPV6_UNICAST) => {
                        self.eor6 = true;
                        return;
                    }
                    _ => {}
                }
                self.updates += 1;
                for w in u.withdrawals() {
                    self.routes.remove(&w.prefix);
                }
                let announced: Vec<Prefix> = u.announced().map(|n| n.prefix).collect();
                if announced.is_empty() {
                    return;
                }
                let as_path: Arc<[u32]> = u
                    .attrs
                    .as_path()
                    .map(|p| p.asns().map(|a| a.0).collect::<Vec<u32>>())
                    .unwrap_or_default()
                    .into();
                let rec = self.cfg.record_communities;
                let seen = Seen {
                    as_path,
                    next_hop: u.attrs.next_hop(),
                    next_hop6: match u.mp_reach.as_ref().map(|m| &m.next_hop) {
                        Some(NextHop::V6 { global, .. }) => Some(*global),
                        _ => None,
                    },
                    med: u.attrs.med(),
                    communities: if rec {
                        u.attrs.communities().collect()
                    } else {
                        Vec::new()
                    },
                    ext_communities: if rec {
                        u.attrs.ext_communities().collect()
                    } else {
                        Vec::new()
                    },
                    large_communities: if rec {
                        u.attrs.large_communities().collect()
                    } else {
                        Vec::new()
                    },
                };
                for p in announced {
                    self.ever.insert(p);
                    self.routes.insert(p, seen.clone());
                }
            }
            Message::Notification(n) => self.notification = Some(n),
            _ => {}
        }
    }

    /// Reads and applies messages until `done(self)` holds, the connection
    /// closes, or `within` passes. Returns whether `done` held.
    pub async fn pump_until(
        &mut self,
        within: Duration,
        mut done: impl FnMut(&Speaker) -> bool,
    ) -> bool {
        let deadline = Instant::now() + within;
        loop {
            if done(self) {
                return true;
            }
            if self.closed {
                return false;
            }
            match self.next_message(deadline).await {
                Ok(Some(m)) => self.apply(m),
                Ok(None) => {}
                Err(e) if e.starts_with("timed out") => return done(self),
                Err(e) => {
                    self.log.push(e);
                    return false;
                }
            }
        }
    }

    /// Like [`Speaker::pump_until`], panicking with `what` and the
    /// speaker's observations when the condition is not met.
    pub async fn expect(&mut self, what: &str, done: impl FnMut(&Speaker) -> bool) {
        if !self.pump_until(TIMEOUT, done).await {
            panic!(
                "{}: expected {what}; observed {}",
                self.name(),
                self.describe()
            );
        }
    }

    /// Reads everything that arrives for `d`, without a condition.
    pub async fn drain_for(&mut self, d: Duration) {
        let _ = self.pump_until(d, |_| false).await;
    }

    /// Waits for the daemon to close the connection; returns the
    /// NOTIFICATION received before the close, if any.
    pub async fn expect_closed(&mut self, within: Duration) -> Option<condor_wire::Notification> {
        let deadline = Instant::now() + within;
        while !self.closed {
            match self.next_message(deadline).await {
                Ok(Some(m)) => self.apply(m),
                Ok(None) => {}
                Err(e) => panic!(
                    "{}: expected the daemon to close the connection ({e}); observed {}",
                    self.name(),
                    self.describe()
                ),
            }
        }
        self.notification.clone()
    }

    /// "AS64501@127.0.0.2".
    pub fn name(&self) -> String {
        format!("AS{}@{}", self.cfg.asn, self.cfg.local)
    }

    /// What the speaker observed, for failure messages.
    pub fn describe(&self) -> String {
        let mut sample: Vec<String> = self
            .routes
            .iter()
            .take(5)
            .map(|(p, s)| format!("{p:?} path {:?} nh {:?}", s.as_path, s.next_hop))
            .collect();
        sample.sort();
        format!(
            "{} routes (e.g. {sample:?}), eor {}, {} UPDATEs, notification {:?}, closed {}, messages {:?}",
            self.routes.len(),
            self.eor,
            self.updates,
            self.notification.as_ref().map(|n| n.to_string()),
            self.closed,
            self.log
        )
    }

    /// Closes the TCP connection (FIN), without a NOTIFICATION.
    pub async fn close(mut self) {
        let _ = self.stream.shutdown().await;
    }

    /// Hands the TCP stream over (e.g. to stop reading it entirely).
    pub fn into_stream(self) -> TcpStream {
        self.stream
    }
}

/// Community attributes to announce: standard (RFC 1997), extended
/// (RFC 4360) and large (RFC 8092); empty lists add no attribute.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Communities {
    /// Standard communities.
    pub std: Vec<condor_wire::Community>,
    /// Extended communities.
    pub ext: Vec<condor_wire::ExtCommunity>,
    /// Large communities.
    pub large: Vec<condor_wire::LargeCommunity>,
}

impl Communities {
    /// The attribute values: `(flags, type, value)` for
    /// [`Speaker::announce_msgs_with`].
    pub fn attr_values(&self) -> Vec<(u8, u8, Vec<u8>)> {
        let opt = flags::OPTIONAL | flags::TRANSITIVE;
        let mut out = Vec::new();
        if !self.std.is_empty() {
            let v = self.std.iter().flat_map(|c| c.0.to_be_bytes()).collect();
            out.push((opt, types::COMMUNITIES, v));
        }
        if !self.ext.is_empty() {
            let v = self.ext.iter().flat_map(|c| c.0).collect();
            out.push((opt, types::EXTENDED_COMMUNITIES, v));
        }
        if !self.large.is_empty() {
            let v = self
                .large
                .iter()
                .flat_map(|l| [l.global, l.local1, l.local2])
                .flat_map(u32::to_be_bytes)
                .collect();
            out.push((opt, types::LARGE_COMMUNITIES, v));
        }
        out
    }
}

impl Speaker {
    /// Announces `prefixes` with these communities (see
    /// [`Speaker::announce_msgs_with`]).
    /// IPv6 prefixes go in MP_REACH_NLRI with an IPv6 `next_hop`.
    pub async fn announce_with_communities(
        &mut self,
        prefixes: &[Prefix],
        as_path: &[u32],
        next_hop: impl Into<IpAddr>,
        communities: &Communities,
    ) {
        let values = communities.attr_values();
        let extra: Vec<(u8, u8, &[u8])> = values.iter().map(|(f, t, v)| (*f, *t, &v[..])).collect();
        let msgs = self.announce_msgs_via(prefixes, as_path, next_hop.into(), None, &extra);
        self.send_raw(&msgs.concat()).await.expect("send UPDATE");
    }
}

/// Raw UPDATE bytes from raw parts (withdrawn routes, attribute block, NLRI), for malformed input.
pub fn raw_update(withdrawn: &[u8], attrs: &[u8], nlri: &[u8]) -> Vec<u8> {
    let body_len = 2 + withdrawn.len() + 2 + attrs.len() + nlri.len();
    let mut m = vec![0xff; 16];
    m.extend_from_slice(&((19 + body_len) as u16).to_be_bytes());
    m.push(2);
    m.extend_from_slice(&(withdrawn.len() as u16).to_be_bytes());
    m.extend_from_slice(withdrawn);
    m.extend_from_slice(&(attrs.len() as u16).to_be_bytes());
    m.extend_from_slice(attrs);
    m.extend_from_slice(nlri);
    m
}

/// One raw path attribute (short length form).
pub fn raw_attr(flags: u8, type_code: u8, value: &[u8]) -> Vec<u8> {
    let mut v = vec![flags, type_code, value.len() as u8];
    v.extend_from_slice(value);
    v
}

/// A 4-octet AS_PATH value of one AS_SEQUENCE.
pub fn as_sequence(asns: &[u32]) -> Vec<u8> {
    let mut v = vec![2u8, asns.len() as u8];
    for a in asns {
        v.extend_from_slice(&a.to_be_bytes());
    }
    v
}

/// The resident set size of this process in KiB (Linux `/proc/self/status`).
pub fn rss_kib() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    s.lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// A `[filters]` table with every filter off.
pub const PERMISSIVE_FILTERS: &str = "[filters]\nnext_hop = \"any\"\nfirst_as = false\nbogon_prefixes = false\nbogon_asns = false\nipv4_length = [0, 32]\nipv6_length = [0, 128]\nreject_as_set = false\ntransit_free = []\nrpki = \"off\"\nirr = \"off\"\notc = \"ignore\"\n";
