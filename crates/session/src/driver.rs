//! The tokio driver of one BGP session: it owns the connection (with its
//! TCP-MD5/TCP-AO/GTSM options), the timers and the [`Fsm`], performs the
//! FSM's [`Action`]s and feeds back events. It is deliberately thin: every
//! protocol decision is the FSM's.
//!
//! * Reading and framing happen in the session task; UPDATEs are decoded
//!   here (on the runtime's worker threads, in parallel with other sessions)
//!   so that RFC 7606 session-reset errors are answered at once, and handed
//!   decoded to [`SessionHooks::update`]. Awaiting that call is the
//!   backpressure: a busy RIB slows reading from the peer, never buffering.
//! * Writing happens in a writer task per connection, so a peer that stops
//!   reading blocks only its writer. FSM messages (KEEPALIVE, NOTIFICATION)
//!   go first; UPDATEs come from the RIB's queue ([`Outbound`]), many per
//!   write. A write that makes no progress for the send hold time
//!   (RFC 9687, default 8 minutes) drops the connection. Once the session
//!   lets go of a connection, its writer has [`CLOSE_FLUSH_TIME`] to flush
//!   what is queued (the NOTIFICATION last) and then resets it, so a peer
//!   that stopped reading does not keep a socket for the send hold time.
//! * Connection collisions (RFC 4271 §6.8): an established session always
//!   wins; otherwise the connection initiated by the speaker with the higher
//!   BGP identifier is kept. A connection accepted while ours is in
//!   OpenSent or OpenConfirm is held back and its first message read: the
//!   peer's OPEN on it gives its identifier and proves that the peer uses
//!   that connection (a peer that dropped its own attempt, having taken
//!   ours, sends nothing on it). Both speakers thus decide on the same
//!   facts, whichever OPEN arrives first, and neither waits for an OPEN
//!   that the other holds back.

use crate::socket::{connect, AoKey, ConnectOptions, Secret, TtlPolicy};
use crate::{
    Action, Fsm, FsmConfig, Input, Negotiated, Outgoing, PeerPolicy, Reason, State, Timer,
    Transition,
};
use bytes::{Buf, Bytes, BytesMut};
use condor_wire::notification::codes;
use condor_wire::{
    decode_message, decode_message_bytes, frame_length, Context, Message, MessageType,
    Notification, RouteRefresh, Update,
};
use socket2::SockRef;
use std::future::Future;
use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot, watch};
use tokio::time::Instant;

/// Default send hold time (RFC 9687 §3: at least 8 minutes or twice the hold time).
pub const SEND_HOLD_TIME: Duration = Duration::from_secs(480);

/// Largest write the writer assembles from queued messages.
const WRITE_BATCH: usize = 64 * 1024;
/// Most messages in one vectored write (well below `IOV_MAX`).
const WRITE_SLICES: usize = 64;

/// Queued messages gathered for one vectored write (`writev`).
#[derive(Default)]
struct Gather {
    parts: std::collections::VecDeque<Bytes>,
    remaining: usize,
}

impl Gather {
    fn push(&mut self, b: Bytes) {
        self.remaining += b.len();
        self.parts.push_back(b);
    }

    fn clear(&mut self) {
        self.parts.clear();
        self.remaining = 0;
    }
}

impl bytes::Buf for Gather {
    fn remaining(&self) -> usize {
        self.remaining
    }

    fn chunk(&self) -> &[u8] {
        self.parts.front().map_or(&[], |b| b.as_ref())
    }

    fn chunks_vectored<'a>(&'a self, dst: &mut [io::IoSlice<'a>]) -> usize {
        let mut n = 0;
        for (slot, part) in dst.iter_mut().zip(self.parts.iter()) {
            *slot = io::IoSlice::new(part);
            n += 1;
        }
        n
    }

    fn advance(&mut self, mut cnt: usize) {
        self.remaining -= cnt;
        while cnt > 0 {
            let Some(front) = self.parts.front_mut() else {
                return;
            };
            if cnt < front.len() {
                front.advance(cnt);
                return;
            }
            cnt -= front.len();
            self.parts.pop_front();
        }
        while self.parts.front().is_some_and(|b| b.is_empty()) {
            self.parts.pop_front();
        }
    }
}

/// How long a connection the session let go of may take to flush what was
/// queued before the close (the NOTIFICATION above all); then it is reset.
pub const CLOSE_FLUSH_TIME: Duration = Duration::from_secs(5);

/// Everything the driver needs to know about one neighbor.
#[derive(Clone, Debug)]
pub struct SessionConfig {
    /// Name for logs.
    pub name: String,
    /// Peer address.
    pub peer: IpAddr,
    /// Peer TCP port for outgoing connections.
    pub port: u16,
    /// Local address to connect from.
    pub local: Option<IpAddr>,
    /// Only accept connections.
    pub passive: bool,
    /// TCP MD5 key.
    pub md5: Option<Secret>,
    /// TCP-AO key.
    pub ao: Option<AoKey>,
    /// TTL handling (GTSM or multihop).
    pub ttl: TtlPolicy,
    /// OPEN checking and capabilities.
    pub policy: PeerPolicy,
    /// Timers.
    pub fsm: FsmConfig,
    /// Send hold time (RFC 9687).
    pub send_hold_time: Duration,
}

/// Where the writer takes the encoded UPDATEs of an established session.
pub trait OutboundSource: Send + 'static {
    /// The next message, or `None` when the source is closed.
    fn poll_next(&mut self, cx: &mut std::task::Context<'_>) -> std::task::Poll<Option<Bytes>>;
    /// The next message if one is ready now.
    fn try_next(&mut self) -> Option<Bytes>;
    /// True when nothing is waiting.
    fn is_idle(&self) -> bool;
}

impl OutboundSource for mpsc::UnboundedReceiver<Bytes> {
    fn poll_next(&mut self, cx: &mut std::task::Context<'_>) -> std::task::Poll<Option<Bytes>> {
        self.poll_recv(cx)
    }
    fn try_next(&mut self) -> Option<Bytes> {
        self.try_recv().ok()
    }
    fn is_idle(&self) -> bool {
        self.is_empty()
    }
}

/// The stream of encoded UPDATEs for an established session.
pub struct Outbound {
    /// Messages to write, in order.
    pub rx: Box<dyn OutboundSource>,
    /// Called after messages are written, with how many octets they held
    /// (queue accounting, XON).
    pub written: Box<dyn Fn(usize) + Send + Sync>,
}

/// How the session talks to the rest of the daemon.
pub trait SessionHooks: Send + Sync + 'static {
    /// The session is Established: return the queue of UPDATEs to send.
    fn up(&self, negotiated: &Negotiated) -> impl Future<Output = Outbound> + Send;
    /// The session left Established; `negotiated` is what it had negotiated
    /// (graceful restart decides whether its routes are kept as stale).
    fn down(
        &self,
        reason: &Reason,
        negotiated: Option<&Negotiated>,
    ) -> impl Future<Output = ()> + Send;
    /// A decoded UPDATE (RFC 7606 problems listed in it).
    fn update(&self, update: Update) -> impl Future<Output = ()> + Send;
    /// A ROUTE-REFRESH (or BoRR/EoRR) from the peer.
    fn route_refresh(&self, refresh: RouteRefresh) -> impl Future<Output = ()> + Send;
}

/// Commands to a running session.
#[derive(Debug)]
///
/// Payloads are boxed: the command channel of every session holds a block
/// of slots of this size, so it stays at 24 octets.
pub enum SessionCommand {
    /// Administrative shutdown with this Cease (RFC 8203 text inside); stays down.
    Stop(Box<Notification>),
    /// Start again after a `Stop`.
    Start,
    /// Automatic stop (e.g. max-prefix) with this Cease; restarts after the duration.
    StopAndRestartAfter(Box<Notification>, Duration),
    /// A connection the listener accepted from this peer.
    Incoming(Box<(TcpStream, SocketAddr)>),
}

/// What the session shows to the CLI and the looking glass.
#[derive(Clone, Debug, PartialEq)]
pub struct SessionStatus {
    /// FSM state.
    pub state: State,
    /// Since when it is Established.
    pub established_since: Option<std::time::SystemTime>,
    /// The last state change, as one line.
    pub last_transition: Option<String>,
    /// The last NOTIFICATION sent or received, in words.
    pub last_error: Option<String>,
    /// Negotiated hold time, families, etc. while Established.
    pub negotiated: Option<Negotiated>,
    /// UPDATE messages received.
    pub updates_received: u64,
}

/// Handle of a running session task.
#[derive(Clone, Debug)]
pub struct SessionHandle {
    /// Commands (and accepted connections).
    pub commands: mpsc::Sender<SessionCommand>,
    /// Status, updated on every state change.
    pub status: watch::Receiver<SessionStatus>,
}

/// Starts the session task.
pub fn spawn<H: SessionHooks>(
    config: SessionConfig,
    hooks: Arc<H>,
) -> Result<SessionHandle, crate::FsmConfigError> {
    let fsm = Fsm::new(config.fsm.clone(), config.policy.clone())?;
    let (tx, rx) = mpsc::channel(16);
    let (status_tx, status_rx) = watch::channel(SessionStatus {
        state: fsm.state(),
        established_since: None,
        last_transition: None,
        last_error: None,
        negotiated: None,
        updates_received: 0,
    });
    let driver = Driver {
        config,
        hooks,
        fsm,
        epoch: Instant::now(),
        timers: [None; 5],
        conn: None,
        connecting: None,
        pending_incoming: None,
        reprocess: false,
        status: status_tx,
        restart_at: None,
        stopped: false,
    };
    tokio::spawn(driver.run(rx));
    Ok(SessionHandle {
        commands: tx,
        status: status_rx,
    })
}

enum WriterCmd {
    Send(Vec<u8>),
    Outbound(Outbound),
    Close,
}

struct Conn {
    read: OwnedReadHalf,
    buf: BytesMut,
    ctl: mpsc::UnboundedSender<WriterCmd>,
    dead: oneshot::Receiver<()>,
    /// Dropped with the connection: tells the writer to finish within
    /// [`CLOSE_FLUSH_TIME`].
    _closing: oneshot::Sender<()>,
    outbound: bool,
    peer: SocketAddr,
}

impl Conn {
    fn new(stream: TcpStream, peer: SocketAddr, outbound: bool, send_hold: Duration) -> Conn {
        Conn::with_buffer(stream, peer, outbound, send_hold, BytesMut::new())
    }

    /// A connection whose first received octets are already in `buf`.
    fn with_buffer(
        stream: TcpStream,
        peer: SocketAddr,
        outbound: bool,
        send_hold: Duration,
        buf: BytesMut,
    ) -> Conn {
        let _ = stream.set_nodelay(true);
        let (read, write) = stream.into_split();
        let (ctl, ctl_rx) = mpsc::unbounded_channel();
        let (dead_tx, dead) = oneshot::channel();
        let (closing_tx, closing) = oneshot::channel();
        tokio::spawn(writer(write, ctl_rx, dead_tx, closing, send_hold));
        Conn {
            read,
            buf,
            ctl,
            dead,
            _closing: closing_tx,
            outbound,
            peer,
        }
    }
}

/// An accepted connection held back while a collision with the connection
/// in progress is decided (RFC 4271 §6.8). Its first message, the peer's
/// OPEN, is read into `buf` (and left there for the FSM should the
/// connection be adopted); at most one message of 4096 octets is read.
struct Pending {
    stream: TcpStream,
    addr: SocketAddr,
    buf: BytesMut,
    /// The BGP identifier in the peer's OPEN on this connection, once read.
    remote_id: Option<Ipv4Addr>,
}

async fn writer(
    mut w: OwnedWriteHalf,
    mut ctl: mpsc::UnboundedReceiver<WriterCmd>,
    dead: oneshot::Sender<()>,
    mut closing: oneshot::Receiver<()>,
    send_hold: Duration,
) {
    let mut out: Option<Outbound> = None;
    // The queued messages themselves, written with one vectored write: no
    // copy, and no write buffer per session (a thousand clients receiving
    // their initial tables would otherwise hold 64 KiB each).
    let mut batch = Gather::default();
    // Set once the session let go of the connection.
    let mut close_by: Option<Instant> = None;
    loop {
        batch.clear();
        let mut written = 0usize;
        tokio::select! {
            biased;
            cmd = ctl.recv() => match cmd {
                Some(WriterCmd::Send(b)) => batch.push(Bytes::from(b)),
                Some(WriterCmd::Outbound(o)) => { out = Some(o); continue; }
                Some(WriterCmd::Close) | None => {
                    let _ = tokio::time::timeout(Duration::from_secs(5), w.shutdown()).await;
                    return;
                }
            },
            m = async { match out.as_mut() { Some(o) => std::future::poll_fn(|cx| o.rx.poll_next(cx)).await, None => std::future::pending().await } } => match m {
                Some(m) => {
                    written = m.len();
                    batch.push(m);
                    if let Some(o) = out.as_mut() {
                        while batch.remaining() < WRITE_BATCH && batch.parts.len() < WRITE_SLICES {
                            match o.rx.try_next() {
                                Some(m) => { written += m.len(); batch.push(m); }
                                None => break,
                            }
                        }
                    }
                }
                None => { out = None; continue; }
            },
        }
        let result = {
            let write = tokio::time::timeout(send_hold, w.write_all_buf(&mut batch));
            tokio::pin!(write);
            loop {
                tokio::select! {
                    r = &mut write => break Some(r),
                    _ = &mut closing, if close_by.is_none() => {
                        close_by = Some(Instant::now() + CLOSE_FLUSH_TIME);
                    }
                    _ = async {
                        match close_by {
                            Some(d) => tokio::time::sleep_until(d).await,
                            None => std::future::pending().await,
                        }
                    } => break None,
                }
            }
        };
        let Some(result) = result else {
            // The peer does not read: reset instead of keeping the socket
            // (and the kernel's send buffer) for the send hold time.
            let _ = SockRef::from(w.as_ref()).set_linger(Some(Duration::ZERO));
            return;
        };
        match result {
            Ok(Ok(())) => {
                if let Some(o) = out.as_ref() {
                    if written > 0 {
                        (o.written)(written);
                    }
                }
                // A quiet session keeps no gather list.
                if out.as_ref().is_none_or(|o| o.rx.is_idle()) {
                    batch = Gather::default();
                }
            }
            Ok(Err(_)) | Err(_) => {
                let _ = dead.send(());
                return;
            }
        }
    }
}

struct Driver<H> {
    config: SessionConfig,
    hooks: Arc<H>,
    fsm: Fsm,
    epoch: Instant,
    timers: [Option<Instant>; 5],
    conn: Option<Conn>,
    connecting: Option<tokio::task::JoinHandle<io::Result<TcpStream>>>,
    /// An accepted connection waiting for the collision decision.
    pending_incoming: Option<Pending>,
    /// A connection was adopted with octets already read: frame them.
    reprocess: bool,
    status: watch::Sender<SessionStatus>,
    restart_at: Option<Instant>,
    stopped: bool,
}

fn timer_index(t: Timer) -> usize {
    match t {
        Timer::ConnectRetry => 0,
        Timer::Hold => 1,
        Timer::Keepalive => 2,
        Timer::DelayOpen => 3,
        Timer::IdleHold => 4,
    }
}

const TIMERS: [Timer; 5] = [
    Timer::ConnectRetry,
    Timer::Hold,
    Timer::Keepalive,
    Timer::DelayOpen,
    Timer::IdleHold,
];

enum Wake {
    Command(Option<SessionCommand>),
    Connected(io::Result<TcpStream>),
    Read(io::Result<usize>),
    PendingRead(io::Result<usize>),
    WriterDead,
    Timer(Timer),
    Restart,
}

impl<H: SessionHooks> Driver<H> {
    fn start_input(&self) -> Input {
        if self.config.passive {
            Input::ManualStartPassive
        } else {
            Input::ManualStart
        }
    }

    async fn run(mut self, mut commands: mpsc::Receiver<SessionCommand>) {
        let start = self.start_input();
        Box::pin(self.step(start)).await;
        loop {
            if std::mem::take(&mut self.reprocess) {
                Box::pin(self.process_frames()).await;
                continue;
            }
            let next_timer = TIMERS
                .iter()
                .filter_map(|t| self.timers[timer_index(*t)].map(|d| (d, *t)))
                .min_by_key(|(d, _)| *d);
            let wake = tokio::select! {
                c = commands.recv() => Wake::Command(c),
                r = async { match self.connecting.as_mut() { Some(h) => h.await.unwrap_or_else(|e| Err(io::Error::other(e))), None => std::future::pending().await } } => Wake::Connected(r),
                w = async {
                    match self.conn.as_mut() {
                        Some(c) => tokio::select! {
                            r = async {
                                // The buffer is taken only once there is
                                // something to read: a quiet session (most
                                // of them, most of the time) holds none.
                                loop {
                                    c.read.readable().await?;
                                    if c.buf.capacity() - c.buf.len() < 4096 {
                                        c.buf.reserve(4096);
                                    }
                                    match c.read.try_read_buf(&mut c.buf) {
                                        Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
                                        r => break r,
                                    }
                                }
                            } => Wake::Read(r),
                            _ = &mut c.dead => Wake::WriterDead,
                        },
                        None => std::future::pending().await,
                    }
                } => w,
                p = async {
                    match self.pending_incoming.as_mut() {
                        Some(p) if p.remote_id.is_none() => p.stream.read_buf(&mut p.buf).await,
                        _ => std::future::pending().await,
                    }
                } => Wake::PendingRead(p),
                t = async { match next_timer { Some((d, t)) => { tokio::time::sleep_until(d).await; t }, None => std::future::pending().await } } => Wake::Timer(t),
                _ = async { match self.restart_at { Some(d) => tokio::time::sleep_until(d).await, None => std::future::pending().await } } => Wake::Restart,
            };
            // The handling of an event runs in a future of its own, boxed:
            // the session's idle state (this loop, waiting) stays small, a
            // thousand quiet sessions do not each hold room for the largest
            // call chain.
            if Box::pin(self.handle(wake)).await {
                return;
            }
        }
    }

    /// Handles one event; true when the session ends.
    async fn handle(&mut self, wake: Wake) -> bool {
        match wake {
            Wake::Command(None) => {
                self.step(Input::ManualStop(Notification::new(
                    codes::CEASE,
                    codes::CEASE_PEER_DECONFIGURED,
                    Vec::new(),
                )))
                .await;
                self.drop_connection();
                return true;
            }
            Wake::Command(Some(c)) => self.command(c).await,
            Wake::Connected(r) => {
                self.connecting = None;
                match r {
                    Ok(stream) => {
                        let peer = stream.peer_addr().unwrap_or_else(|_| {
                            SocketAddr::new(self.config.peer, self.config.port)
                        });
                        if self.conn.is_some() {
                            // An accepted connection got there first.
                            drop(stream);
                        } else {
                            self.conn =
                                Some(Conn::new(stream, peer, true, self.config.send_hold_time));
                            self.step(Input::TcpCrAcked).await;
                        }
                    }
                    Err(e) => {
                        tracing::debug!(peer = %self.config.peer, name = %self.config.name, error = %e, "connect failed");
                        self.step(Input::TcpConnectionFails).await;
                    }
                }
            }
            Wake::Read(Ok(0)) | Wake::Read(Err(_)) | Wake::WriterDead => {
                self.connection_lost().await
            }
            Wake::Read(Ok(_)) => self.process_frames().await,
            Wake::PendingRead(Ok(n)) if n > 0 => self.pending_read().await,
            Wake::PendingRead(_) => {
                tracing::debug!(name = %self.config.name, "the connection held back for collision detection closed");
                self.pending_incoming = None;
            }
            Wake::Timer(t) => {
                self.timers[timer_index(t)] = None;
                self.step(Input::timer_expired(t)).await;
            }
            Wake::Restart => {
                self.restart_at = None;
                if !self.stopped {
                    let input = self.start_input();
                    self.step(input).await;
                }
            }
        }
        // Whatever happened (a timer closing our connection, say) may
        // decide a collision waiting on a held-back connection.
        self.resolve_pending().await;
        false
    }

    async fn command(&mut self, c: SessionCommand) {
        match c {
            SessionCommand::Stop(n) => {
                self.stopped = true;
                self.restart_at = None;
                self.pending_incoming = None;
                self.step(Input::ManualStop(*n)).await;
            }
            SessionCommand::Start => {
                self.stopped = false;
                let input = self.start_input();
                self.step(input).await;
            }
            SessionCommand::StopAndRestartAfter(n, d) => {
                self.pending_incoming = None;
                self.step(Input::ManualStop(*n)).await;
                self.restart_at = Some(Instant::now() + d);
            }
            SessionCommand::Incoming(c) => {
                let (stream, addr) = *c;
                self.incoming(stream, addr).await
            }
        }
    }

    /// A connection from the peer arrived (RFC 4271 §8.2.1, §6.8).
    async fn incoming(&mut self, stream: TcpStream, addr: SocketAddr) {
        if self.conn.is_none() {
            if !self.fsm.accepts_connections() {
                tracing::debug!(peer = %addr, name = %self.config.name, state = %self.fsm.state(), "connection refused: session not started");
                return;
            }
            if let Some(h) = self.connecting.take() {
                h.abort();
            }
            self.conn = Some(Conn::new(stream, addr, false, self.config.send_hold_time));
            self.step(Input::TcpConnectionConfirmed).await;
            return;
        }
        let existing_outbound = self.conn.as_ref().is_some_and(|c| c.outbound);
        match self.fsm.state() {
            State::OpenSent | State::OpenConfirm if existing_outbound => {
                // Decided on the OPEN the peer sends on it (see the module doc).
                if self.pending_incoming.is_some() {
                    tracing::info!(peer = %addr, name = %self.config.name, "connection collision: a newer connection replaces the one held back");
                }
                self.pending_incoming = Some(Pending {
                    stream,
                    addr,
                    buf: BytesMut::with_capacity(4096),
                    remote_id: None,
                });
            }
            _ => {
                // Established always wins (§6.8); a second inbound connection
                // loses to the one in progress.
                tracing::info!(peer = %addr, name = %self.config.name, state = %self.fsm.state(), "connection collision: closing the new connection");
            }
        }
    }

    /// Reads the first message of the held-back connection: the peer's OPEN.
    async fn pending_read(&mut self) {
        let Some(p) = self.pending_incoming.as_mut() else {
            return;
        };
        let ctx = Context::default();
        let id = match frame_length(&p.buf, &ctx) {
            Ok(None) => return,
            Ok(Some(len)) => match decode_message(&p.buf[..len], &ctx) {
                Ok(Message::Open(o)) => Some(o.bgp_id),
                _ => None,
            },
            Err(_) => None,
        };
        match id {
            Some(id) => {
                p.remote_id = Some(id);
                self.resolve_pending().await;
            }
            None => {
                tracing::info!(peer = %p.addr, name = %self.config.name, "connection collision: the held-back connection did not start with an OPEN; closed");
                self.pending_incoming = None;
            }
        }
    }

    /// Decides a collision with the held-back connection, if one is
    /// waiting and the facts are known (RFC 4271 §6.8).
    async fn resolve_pending(&mut self) {
        let Some(p) = self.pending_incoming.as_ref() else {
            return;
        };
        let remote_id = p.remote_id;
        match self.fsm.state() {
            State::Established => {
                tracing::info!(name = %self.config.name, "connection collision: the established session wins");
                self.reject_pending();
            }
            State::OpenSent | State::OpenConfirm if self.conn.is_some() => {
                let Some(remote_id) = remote_id else {
                    // Not before the peer's OPEN on the held-back connection.
                    return;
                };
                if u32::from(self.config.policy.local_id) < u32::from(remote_id) {
                    tracing::info!(name = %self.config.name, "connection collision: the peer's connection wins (higher BGP identifier)");
                    self.step(Input::OpenCollisionDump).await;
                    self.drop_connection();
                    self.adopt_pending().await;
                } else {
                    tracing::info!(name = %self.config.name, "connection collision: our connection wins");
                    self.reject_pending();
                }
            }
            // The connection in progress failed: the held-back one takes over.
            _ => self.adopt_pending().await,
        }
    }

    /// Closes the held-back connection with Cease / Connection Collision Resolution.
    fn reject_pending(&mut self) {
        if let Some(p) = self.pending_incoming.take() {
            let mut b = Vec::with_capacity(21);
            Outgoing::Notification(crate::collision::notification()).encode(&mut b);
            let _ = p.stream.try_write(&b);
        }
    }

    /// Makes the held-back connection the session's, starting the FSM
    /// again if the collision (or a failure) left it in Idle.
    async fn adopt_pending(&mut self) {
        let Some(p) = self.pending_incoming.take() else {
            return;
        };
        if self.fsm.state() == State::Idle && self.fsm.is_started() && !self.stopped {
            let input = self.start_input();
            self.step(input).await;
        }
        if self.conn.is_some() || !self.fsm.accepts_connections() {
            tracing::debug!(peer = %p.addr, name = %self.config.name, state = %self.fsm.state(), "held-back connection closed: session not accepting");
            return;
        }
        if let Some(h) = self.connecting.take() {
            h.abort();
        }
        let buffered = !p.buf.is_empty();
        self.conn = Some(Conn::with_buffer(
            p.stream,
            p.addr,
            false,
            self.config.send_hold_time,
            p.buf,
        ));
        self.step(Input::TcpConnectionConfirmed).await;
        // The peer's OPEN may be waiting in the buffer already.
        self.reprocess = buffered;
    }

    async fn connection_lost(&mut self) {
        if let Some(c) = &self.conn {
            tracing::debug!(peer = %c.peer, name = %self.config.name, "connection closed");
        }
        self.step(Input::TcpConnectionFails).await;
        self.drop_connection();
        self.resolve_pending().await;
    }

    fn drop_connection(&mut self) {
        if let Some(c) = self.conn.take() {
            let _ = c.ctl.send(WriterCmd::Close);
        }
    }

    fn rx_context(&self) -> Context {
        self.fsm.codec()
    }

    /// Frames and handles every whole message in the read buffer.
    async fn process_frames(&mut self) {
        loop {
            let ctx = self.rx_context();
            let Some(conn) = self.conn.as_mut() else {
                return;
            };
            let frame = match frame_length(&conn.buf, &ctx) {
                Ok(Some(len)) => conn.buf.split_to(len).freeze(),
                Ok(None) => {
                    // Everything read was a whole message: give the buffer
                    // back, so that a quiet session holds none.
                    if conn.buf.is_empty() {
                        conn.buf = BytesMut::new();
                    }
                    return;
                }
                Err(e) => {
                    tracing::warn!(peer = %conn.peer, name = %self.config.name, error = %e, "bad message header");
                    self.step(Input::BgpHeaderErr(e.notification)).await;
                    return;
                }
            };
            let typ = MessageType::from_code(frame[18]);
            let input = match decode_message_bytes(&frame, &ctx) {
                Ok(Message::Open(o)) => Input::BgpOpen(Box::new(o)),
                Ok(Message::Keepalive) => Input::KeepAliveMsg,
                Ok(Message::Notification(n)) => Input::NotifMsg(n),
                Ok(Message::RouteRefresh(r)) => Input::RouteRefreshMsg(r),
                Ok(Message::Update(u)) => {
                    for p in &u.problems {
                        tracing::warn!(peer = %conn.peer, name = %self.config.name, problem = %p, "malformed UPDATE (RFC 7606)");
                    }
                    self.status.send_modify(|s| s.updates_received += 1);
                    self.deliver(frame, u).await;
                    continue;
                }
                Err(e) => {
                    tracing::warn!(peer = %conn.peer, name = %self.config.name, error = %e, "malformed message");
                    match typ {
                        Some(MessageType::Open) => Input::BgpOpenMsgErr(e.notification),
                        Some(MessageType::Update) | Some(MessageType::RouteRefresh) => {
                            Input::UpdateMsgErr(e.notification)
                        }
                        _ => Input::BgpHeaderErr(e.notification),
                    }
                }
            };
            self.step(input).await;
            self.resolve_pending().await;
        }
    }

    async fn deliver(&mut self, frame: Bytes, update: Update) {
        let actions = self.fsm.step(self.now(), Input::UpdateMsg(frame));
        let mut update = Some(update);
        for a in actions {
            if let Action::DeliverUpdate(_) = a {
                if let Some(u) = update.take() {
                    self.hooks.update(u).await;
                }
            } else {
                self.perform(a).await;
            }
        }
    }

    fn now(&self) -> Duration {
        self.epoch.elapsed()
    }

    async fn step(&mut self, input: Input) {
        let actions = self.fsm.step(self.now(), input);
        for a in actions {
            self.perform(a).await;
        }
    }

    async fn perform(&mut self, action: Action) {
        match action {
            Action::Connect => {
                if let Some(h) = self.connecting.take() {
                    h.abort();
                }
                let peer = SocketAddr::new(self.config.peer, self.config.port);
                let cfg = self.config.clone();
                self.connecting = Some(tokio::spawn(async move {
                    let opts = ConnectOptions {
                        local: cfg.local.map(|ip| SocketAddr::new(ip, 0)),
                        md5: cfg.md5.as_ref(),
                        ao: cfg.ao.as_ref(),
                        ttl: cfg.ttl,
                        ..ConnectOptions::default()
                    };
                    connect(peer, &opts).await
                }));
            }
            Action::Disconnect => {
                if let Some(h) = self.connecting.take() {
                    h.abort();
                }
                self.drop_connection();
            }
            Action::Send(o) => {
                if let Outgoing::Notification(n) = &o {
                    self.status
                        .send_modify(|s| s.last_error = Some(format!("sent {n}")));
                }
                if let Some(c) = &self.conn {
                    let mut b = Vec::with_capacity(64);
                    o.encode(&mut b);
                    let _ = c.ctl.send(WriterCmd::Send(b));
                }
            }
            Action::StartTimer(t, d) => self.timers[timer_index(t)] = Some(Instant::now() + d),
            Action::StopTimer(t) => self.timers[timer_index(t)] = None,
            Action::SessionUp(neg) => {
                let out = self.hooks.up(&neg).await;
                if let Some(c) = &self.conn {
                    let _ = c.ctl.send(WriterCmd::Outbound(out));
                }
                let families: Vec<String> = neg.families.iter().map(|f| f.to_string()).collect();
                tracing::info!(peer = %self.config.peer, name = %self.config.name, asn = %neg.remote_asn, hold = neg.hold_time, families = %families.join(","), "session established");
                self.status.send_modify(|s| {
                    s.established_since = Some(std::time::SystemTime::now());
                    s.negotiated = Some((*neg).clone());
                });
            }
            Action::SessionDown(reason) => {
                tracing::info!(peer = %self.config.peer, name = %self.config.name, reason = %reason, "session down");
                if let Reason::Received(n) = &reason {
                    self.status
                        .send_modify(|s| s.last_error = Some(format!("received {n}")));
                }
                let mut negotiated = None;
                self.status.send_modify(|s| {
                    s.established_since = None;
                    negotiated = s.negotiated.take();
                });
                self.hooks.down(&reason, negotiated.as_ref()).await;
            }
            Action::DeliverUpdate(_) => {}
            Action::DeliverRouteRefresh(r) => self.hooks.route_refresh(r).await,
            Action::Transition(t) => self.transition(&t),
        }
    }

    fn transition(&self, t: &Transition) {
        tracing::info!(peer = %self.config.peer, name = %self.config.name, "{t}");
        let line = t.to_string();
        let state = t.to;
        self.status.send_modify(|s| {
            s.state = state;
            s.last_transition = Some(line);
        });
    }
}
