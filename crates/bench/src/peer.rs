//! A simulated route-server client: a minimal BGP speaker on tokio.
//!
//! It connects from its own loopback address (RFC 4271 §8: it is the active
//! side; the server is configured passive), sends an OPEN with the 4-octet
//! AS (RFC 6793), multiprotocol IPv4 unicast (RFC 4760) and route refresh
//! (RFC 2918) capabilities and a hold time of 90 s, answers the server's
//! OPEN with a KEEPALIVE and is Established on the server's KEEPALIVE
//! (§8.2.2, OpenSent → OpenConfirm → Established). It sends KEEPALIVEs every
//! hold/3 seconds (§10), its pre-encoded UPDATEs when told to, and reads
//! everything the server sends into its [`Holdings`].
//!
//! The orchestrator drives each peer by commands ([`PeerCmd`]) and watches
//! it through lock-free counters ([`PeerStats`]); the peer never blocks on
//! the orchestrator. Connections pass a shared gate (a semaphore held from
//! the TCP SYN until the session is Established), which limits the number
//! of handshakes in flight: BIRD listens with a backlog of 8, and SYNs beyond
//! the backlog are dropped and retried by the kernel only after a second, so
//! unpaced connects would measure TCP back-off rather than the server.

use crate::holdings::{Holdings, Violations};
use crate::plan::Plan;
use bytes::{Buf, Bytes, BytesMut};
use condor_wire::message::KEEPALIVE;
use condor_wire::{
    decode_message, frame_length, Asn, Capability, Context, Family, Message, Notification, Open,
};
use std::net::{SocketAddr, SocketAddrV4};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpSocket, TcpStream};
use tokio::sync::{mpsc, Semaphore};

/// Hold time the simulated peers propose.
pub const HOLD_TIME: u16 = 90;
/// How long one connection attempt (TCP and both OPENs) may take.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);
/// Back-off after a failed attempt: doubles from this, up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_millis(50);
const MAX_BACKOFF: Duration = Duration::from_secs(1);
/// Receive buffer growth step.
const READ_CHUNK: usize = 64 * 1024;

/// Monotonic nanoseconds since the start of a run, shared by all peers.
#[derive(Clone, Copy, Debug)]
pub struct Clock {
    base: Instant,
}

impl Clock {
    /// A clock starting now.
    pub fn start() -> Clock {
        Clock {
            base: Instant::now(),
        }
    }

    /// Nanoseconds since the start (never 0, so 0 can mean "unset").
    pub fn now_ns(&self) -> u64 {
        u64::try_from(self.base.elapsed().as_nanos())
            .unwrap_or(u64::MAX - 1)
            .max(1)
    }
}

/// Marker for "not complete" in [`PeerStats::complete_since_ns`].
pub const NOT_COMPLETE: u64 = u64::MAX;

/// What a peer publishes for the orchestrator. Times are [`Clock`]
/// nanoseconds; 0 means unset.
#[derive(Debug)]
pub struct PeerStats {
    /// When the current session became Established (0: not established).
    pub established_ns: AtomicU64,
    /// Since when the holdings have been complete ([`NOT_COMPLETE`] if not).
    pub complete_since_ns: AtomicU64,
    /// Routes held in the current session.
    pub held: AtomicU64,
    /// When `held` last changed.
    pub last_change_ns: AtomicU64,
    /// When the last message arrived.
    pub last_rx_ns: AtomicU64,
    /// UPDATE messages received.
    pub updates_rx: AtomicU64,
    /// TCP connection attempts made.
    pub connect_attempts: AtomicU64,
    violations: [AtomicU64; 4],
    error: Mutex<Option<String>>,
}

impl Default for PeerStats {
    fn default() -> Self {
        PeerStats {
            established_ns: AtomicU64::new(0),
            complete_since_ns: AtomicU64::new(NOT_COMPLETE),
            held: AtomicU64::new(0),
            last_change_ns: AtomicU64::new(0),
            last_rx_ns: AtomicU64::new(0),
            updates_rx: AtomicU64::new(0),
            connect_attempts: AtomicU64::new(0),
            violations: Default::default(),
            error: Mutex::new(None),
        }
    }
}

impl PeerStats {
    /// Violations seen over all sessions.
    pub fn violations(&self) -> Violations {
        let v = |i: usize| self.violations[i].load(Ordering::Relaxed);
        Violations {
            first_as: v(0),
            next_hop: v(1),
            own_route: v(2),
            unexpected: v(3),
        }
    }

    /// The last error, if any.
    pub fn error(&self) -> Option<String> {
        self.error.lock().ok().and_then(|e| e.clone())
    }

    fn set_error(&self, e: String) {
        if let Ok(mut g) = self.error.lock() {
            *g = Some(e);
        }
    }

    fn add_violations(&self, d: &Violations) {
        for (i, n) in [d.first_as, d.next_hop, d.own_route, d.unexpected]
            .into_iter()
            .enumerate()
        {
            if n > 0 {
                self.violations[i].fetch_add(n, Ordering::Relaxed);
            }
        }
    }
}

/// What the orchestrator tells a peer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PeerCmd {
    /// Open a session (retrying until it is Established).
    Connect,
    /// Send the announcement (ignored without a session).
    Announce,
    /// Close the session with a Cease NOTIFICATION (RFC 4486 subcode 4,
    /// Administrative Reset).
    Disconnect,
}

/// Everything a peer task needs.
#[derive(Clone, Debug)]
pub struct PeerConfig {
    /// Peer index in the plan.
    pub index: u32,
    /// The server's address.
    pub server: SocketAddr,
    /// The plan.
    pub plan: Arc<Plan>,
    /// The encoded UPDATEs to send (see [`Plan::announcement`]).
    pub announcement: Bytes,
    /// Gate limiting handshakes in flight.
    pub gate: Arc<Semaphore>,
    /// The run's clock.
    pub clock: Clock,
}

/// Error of one session or connection attempt.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    /// A socket error.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// The server closed the connection.
    #[error("connection closed by the server")]
    Closed,
    /// The server sent a NOTIFICATION.
    #[error("NOTIFICATION from the server: {0:?}")]
    Notification(Notification),
    /// The server sent something the protocol does not allow here.
    #[error("protocol error: {0}")]
    Protocol(String),
    /// The attempt took too long.
    #[error("timed out")]
    Timeout,
}

/// Runs peer `cfg.index` until its command channel closes.
pub async fn run(
    cfg: PeerConfig,
    stats: Arc<PeerStats>,
    mut cmds: mpsc::UnboundedReceiver<PeerCmd>,
) {
    while let Some(cmd) = cmds.recv().await {
        if cmd != PeerCmd::Connect {
            continue;
        }
        let session = establish(&cfg, &stats).await;
        match run_session(&cfg, &stats, session, &mut cmds).await {
            Ok(true) => {}
            Ok(false) => return,
            Err(e) => stats.set_error(format!(
                "peer {} ({}): {e}",
                cfg.index,
                Plan::address(cfg.index)
            )),
        }
        stats.established_ns.store(0, Ordering::Relaxed);
    }
}

/// An Established session.
struct Session {
    rd: OwnedReadHalf,
    wr: OwnedWriteHalf,
    /// Octets read past the server's KEEPALIVE.
    leftover: BytesMut,
    /// Negotiated hold time (0: no keepalives).
    hold: u16,
}

/// Connects until a session is Established, pacing attempts through the gate.
async fn establish(cfg: &PeerConfig, stats: &PeerStats) -> Session {
    let mut backoff = FIRST_BACKOFF;
    loop {
        stats.connect_attempts.fetch_add(1, Ordering::Relaxed);
        let attempt = {
            // The gate is never closed; if it were, go on unpaced.
            let _permit = cfg.gate.acquire().await.ok();
            tokio::time::timeout(ATTEMPT_TIMEOUT, handshake(cfg))
                .await
                .unwrap_or(Err(SessionError::Timeout))
        };
        match attempt {
            Ok(s) => {
                stats.held.store(0, Ordering::Relaxed);
                stats
                    .complete_since_ns
                    .store(NOT_COMPLETE, Ordering::Relaxed);
                stats
                    .established_ns
                    .store(cfg.clock.now_ns(), Ordering::Relaxed);
                return s;
            }
            Err(e) => {
                stats.set_error(format!("peer {} connect: {e}", cfg.index));
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(MAX_BACKOFF);
            }
        }
    }
}

/// Our OPEN.
fn our_open(index: u32) -> Open {
    Open::new(Asn(Plan::asn(index)), HOLD_TIME, Plan::address(index))
        .with(Capability::Multiprotocol(Family::IPV4_UNICAST))
        .with(Capability::RouteRefresh)
}

/// One attempt: TCP connect from our address, OPEN both ways, KEEPALIVE both ways.
async fn handshake(cfg: &PeerConfig) -> Result<Session, SessionError> {
    let local = SocketAddrV4::new(Plan::address(cfg.index), 0);
    let sock = TcpSocket::new_v4()?;
    sock.bind(local.into())?;
    let stream: TcpStream = sock.connect(cfg.server).await?;
    stream.set_nodelay(true)?;
    let (mut rd, mut wr) = stream.into_split();
    let ctx = Context::four_octet();
    let open = Message::Open(our_open(cfg.index))
        .to_bytes(&ctx)
        .map_err(|e| SessionError::Protocol(e.to_string()))?;
    wr.write_all(&open).await?;
    let mut buf = BytesMut::with_capacity(4096);
    let theirs = match read_message(&mut rd, &mut buf, &ctx).await? {
        Message::Open(o) => o,
        Message::Notification(n) => return Err(SessionError::Notification(n)),
        m => {
            return Err(SessionError::Protocol(format!(
                "expected OPEN, got {:?}",
                m.message_type()
            )))
        }
    };
    if theirs.four_octet_as().is_none() {
        return Err(SessionError::Protocol(
            "the server does not announce the 4-octet AS capability (RFC 6793)".into(),
        ));
    }
    // RFC 4271 §4.2: the smaller of the two hold times.
    let hold = theirs.hold_time.min(HOLD_TIME);
    wr.write_all(&KEEPALIVE).await?;
    match read_message(&mut rd, &mut buf, &ctx).await? {
        Message::Keepalive => {}
        Message::Notification(n) => return Err(SessionError::Notification(n)),
        m => {
            return Err(SessionError::Protocol(format!(
                "expected KEEPALIVE, got {:?}",
                m.message_type()
            )))
        }
    }
    Ok(Session {
        rd,
        wr,
        leftover: buf,
        hold,
    })
}

/// Reads one whole message (handshake only: allocation per message is fine here).
async fn read_message(
    rd: &mut OwnedReadHalf,
    buf: &mut BytesMut,
    ctx: &Context,
) -> Result<Message, SessionError> {
    loop {
        if let Some(len) =
            frame_length(buf, ctx).map_err(|e| SessionError::Protocol(e.to_string()))?
        {
            let msg =
                decode_message(&buf[..len], ctx).map_err(|e| SessionError::Protocol(e.to_string()));
            buf.advance(len);
            return msg;
        }
        if rd.read_buf(buf).await? == 0 {
            return Err(SessionError::Closed);
        }
    }
}

/// Runs an Established session until a Disconnect (`Ok(true)`), the end of
/// the command channel (`Ok(false)`) or a failure.
async fn run_session(
    cfg: &PeerConfig,
    stats: &Arc<PeerStats>,
    session: Session,
    cmds: &mut mpsc::UnboundedReceiver<PeerCmd>,
) -> Result<bool, SessionError> {
    let Session {
        rd,
        mut wr,
        leftover,
        hold,
    } = session;
    let holdings = Holdings::new(cfg.plan.clone(), cfg.index);
    let mut reader = tokio::spawn(read_loop(rd, leftover, holdings, stats.clone(), cfg.clock));
    let keepalive_every = Duration::from_secs(u64::from(hold / 3).max(1));
    let mut keepalive = tokio::time::interval_at(
        tokio::time::Instant::now() + keepalive_every,
        keepalive_every,
    );
    let result = loop {
        tokio::select! {
            cmd = cmds.recv() => match cmd {
                Some(PeerCmd::Announce) => {
                    if let Err(e) = wr.write_all(&cfg.announcement).await {
                        break Err(e.into());
                    }
                }
                Some(PeerCmd::Disconnect) => {
                    let cease = Message::Notification(Notification::new(6, 4, Vec::new())).to_bytes(&Context::four_octet());
                    if let Ok(bytes) = cease {
                        // Best effort: the server may already be gone.
                        let _ = wr.write_all(&bytes).await;
                    }
                    let _ = wr.shutdown().await;
                    break Ok(true);
                }
                Some(PeerCmd::Connect) => {}
                None => break Ok(false),
            },
            _ = keepalive.tick(), if hold > 0 => {
                if let Err(e) = wr.write_all(&KEEPALIVE).await {
                    break Err(e.into());
                }
            }
            r = &mut reader => {
                break Err(match r {
                    Ok(e) => e,
                    Err(join) => SessionError::Protocol(format!("reader task: {join}")),
                });
            }
        }
    };
    reader.abort();
    result
}

/// Reads and applies everything the server sends; returns why it stopped.
async fn read_loop(
    mut rd: OwnedReadHalf,
    mut buf: BytesMut,
    mut holdings: Holdings,
    stats: Arc<PeerStats>,
    clock: Clock,
) -> SessionError {
    let ctx = Context::four_octet();
    let mut published = Violations::default();
    let mut complete = false;
    loop {
        let mut off = 0;
        let mut changed = false;
        loop {
            let len = match frame_length(&buf[off..], &ctx) {
                Ok(Some(len)) => len,
                Ok(None) => break,
                Err(e) => return SessionError::Protocol(e.to_string()),
            };
            let msg = decode_message(&buf[off..off + len], &ctx);
            off += len;
            match msg {
                Ok(Message::Update(u)) => {
                    stats.updates_rx.fetch_add(1, Ordering::Relaxed);
                    let before = holdings.held();
                    holdings.apply(&u);
                    changed |= holdings.held() != before;
                }
                Ok(Message::Keepalive) | Ok(Message::RouteRefresh(_)) => {}
                Ok(Message::Notification(n)) => return SessionError::Notification(n),
                Ok(Message::Open(_)) => {
                    return SessionError::Protocol("OPEN in Established".into())
                }
                Err(e) => return SessionError::Protocol(e.to_string()),
            }
        }
        buf.advance(off);
        if off > 0 {
            let now = clock.now_ns();
            stats.last_rx_ns.store(now, Ordering::Relaxed);
            if changed {
                stats.held.store(holdings.held(), Ordering::Relaxed);
                stats.last_change_ns.store(now, Ordering::Relaxed);
            }
            let v = holdings.violations();
            if v != published {
                let mut d = v;
                d.first_as -= published.first_as;
                d.next_hop -= published.next_hop;
                d.own_route -= published.own_route;
                d.unexpected -= published.unexpected;
                stats.add_violations(&d);
                published = v;
            }
            let now_complete = holdings.complete();
            if now_complete != complete {
                stats.complete_since_ns.store(
                    if now_complete { now } else { NOT_COMPLETE },
                    Ordering::Relaxed,
                );
                complete = now_complete;
            }
        }
        buf.reserve(READ_CHUNK);
        match rd.read_buf(&mut buf).await {
            Ok(0) => return SessionError::Closed,
            Ok(_) => {}
            Err(e) => return SessionError::Io(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Layout;
    use tokio::net::TcpListener;

    /// A toy "route server" for two peers on loopback: it accepts both,
    /// completes the handshake, and relays each peer's UPDATE bytes to the
    /// other unchanged (a perfectly transparent server).
    async fn toy_server(listener: TcpListener) {
        let ctx = Context::four_octet();
        let mut conns = Vec::new();
        for _ in 0..2 {
            let (s, _) = listener.accept().await.expect("accept");
            let (mut rd, mut wr) = s.into_split();
            let mut buf = BytesMut::new();
            let Message::Open(_) = read_message(&mut rd, &mut buf, &ctx).await.expect("open")
            else {
                panic!("no OPEN")
            };
            let open = Message::Open(Open::new(Asn(64115), 90, "127.0.0.1".parse().expect("ip")))
                .to_bytes(&ctx)
                .expect("enc");
            wr.write_all(&open).await.expect("w");
            wr.write_all(&KEEPALIVE).await.expect("w");
            let Message::Keepalive = read_message(&mut rd, &mut buf, &ctx).await.expect("ka")
            else {
                panic!("no KEEPALIVE")
            };
            conns.push((rd, wr, buf));
        }
        let (mut a, mut b) = {
            let b = conns.pop().expect("two");
            (conns.pop().expect("two"), b)
        };
        // Relay raw octets both ways (after the handshake nothing else is
        // in the buffers but UPDATEs and KEEPALIVEs).
        let t1 = tokio::spawn(async move {
            let _ = b.1.write_all(&a.2).await;
            let _ = tokio::io::copy(&mut a.0, &mut b.1).await;
        });
        let _ = a.1.write_all(&b.2).await;
        let _ = tokio::io::copy(&mut b.0, &mut a.1).await;
        let _ = t1.await;
    }

    #[tokio::test]
    async fn two_peers_exchange_everything_through_a_transparent_relay() {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let server = listener.local_addr().expect("addr");
        tokio::spawn(toy_server(listener));
        let plan = Arc::new(Plan::new(2, 3000, Layout::Disjoint).expect("plan"));
        let clock = Clock::start();
        let gate = Arc::new(Semaphore::new(8));
        let mut peers = Vec::new();
        for i in 0..2 {
            let cfg = PeerConfig {
                index: i,
                server,
                plan: plan.clone(),
                announcement: Bytes::from(plan.announcement(i).expect("encode")),
                gate: gate.clone(),
                clock,
            };
            let stats = Arc::new(PeerStats::default());
            let (tx, rx) = mpsc::unbounded_channel();
            tx.send(PeerCmd::Connect).expect("send");
            let h = tokio::spawn(run(cfg, stats.clone(), rx));
            peers.push((tx, stats, h));
        }
        let deadline = Instant::now() + Duration::from_secs(20);
        while peers
            .iter()
            .any(|p| p.1.established_ns.load(Ordering::Relaxed) == 0)
        {
            assert!(
                Instant::now() < deadline,
                "not established: {:?}",
                peers.iter().map(|p| p.1.error()).collect::<Vec<_>>()
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        for p in &peers {
            p.0.send(PeerCmd::Announce).expect("send");
        }
        while peers
            .iter()
            .any(|p| p.1.complete_since_ns.load(Ordering::Relaxed) == NOT_COMPLETE)
        {
            assert!(
                Instant::now() < deadline,
                "not complete: {:?}",
                peers
                    .iter()
                    .map(|p| p.1.held.load(Ordering::Relaxed))
                    .collect::<Vec<_>>()
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        for p in &peers {
            assert_eq!(p.1.held.load(Ordering::Relaxed), 3000);
            assert_eq!(p.1.violations(), Violations::default());
            assert!(p.1.updates_rx.load(Ordering::Relaxed) >= 3);
        }
        for p in peers {
            drop(p.0);
            p.2.await.expect("peer task ends when its channel closes");
        }
    }
}
