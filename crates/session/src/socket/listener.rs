//! The passive side of BGP transport (RFC 4271 §8.2.1: a BGP speaker
//! listens on TCP port 179): one non-blocking listening socket per listen
//! address, with per-neighbor TCP-MD5 (RFC 2385) or TCP-AO (RFC 5925)
//! keys that can be added, changed and removed at run time.
//!
//! Socket layout: each configured address gets its own socket with
//! `SO_REUSEADDR`. An IPv6 wildcard address (`[::]`) is **dual-stack**
//! (`IPV6_V6ONLY` off; IPv4 peers arrive as `::ffff:a.b.c.d` and are keyed
//! under that mapped address) only when no IPv4 address is configured;
//! otherwise every IPv6 socket is IPv6-only so that `0.0.0.0:179` and
//! `[::]:179` do not collide. Specific IPv6 addresses are always IPv6-only.
//!
//! Unknown peers: [`BgpListener::accept`] returns every connection with
//! the peer address normalised (IPv4-mapped → IPv4); the daemon decides,
//! dropping connections from addresses that are not configured neighbors.
//! With keys set the kernel already drops unsigned SYNs from keyed peers.

use std::future::poll_fn;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::Poll;

use socket2::SockRef;
use tokio::net::{TcpListener, TcpSocket, TcpStream};

use super::ao::{del_ao_key, set_ao_key, AoKey};
use super::error::SocketError;
use super::family::{IpFamily, SocketFamily};
use super::md5::set_md5;
use super::secret::Secret;
use super::ttl::set_gtsm;

/// Length of the accept queue of each listening socket.
pub const LISTEN_BACKLOG: u32 = 1024;

/// One listening socket.
#[derive(Debug)]
struct ListenSocket {
    listener: TcpListener,
    local: SocketAddr,
    family: SocketFamily,
}

/// BGP listening sockets with per-neighbor keys.
///
/// All methods take `&self`; the keys live in the kernel, so the listener
/// holds no key state of its own and the caller (which knows the old and
/// new configuration) says what to add and remove.
#[derive(Debug)]
pub struct BgpListener {
    sockets: Vec<ListenSocket>,
    /// Socket to poll first on the next accept, for fairness between
    /// address families.
    next: AtomicUsize,
}

fn canonical(addr: SocketAddr) -> SocketAddr {
    SocketAddr::new(addr.ip().to_canonical(), addr.port())
}

impl BgpListener {
    /// Binds and listens on every address in `addrs` (must be called
    /// inside a tokio runtime).
    ///
    /// If an address has port 0 and an earlier one got a port from the
    /// kernel, the same port is used (handy for tests).
    pub fn bind(addrs: &[SocketAddr]) -> Result<Self, SocketError> {
        let any_v4 = addrs.iter().any(SocketAddr::is_ipv4);
        let mut sockets: Vec<ListenSocket> = Vec::with_capacity(addrs.len());
        for &requested in addrs {
            let mut addr = requested;
            if addr.port() == 0 {
                if let Some(first) = sockets.first() {
                    addr.set_port(first.local.port());
                }
            }
            let bind_err = |source| SocketError::Bind { addr, source };
            let (sock, family) = match addr {
                SocketAddr::V4(_) => (TcpSocket::new_v4().map_err(bind_err)?, SocketFamily::V4),
                SocketAddr::V6(v6) => {
                    let sock = TcpSocket::new_v6().map_err(bind_err)?;
                    let dual_stack = v6.ip().is_unspecified() && !any_v4;
                    SockRef::from(&sock)
                        .set_only_v6(!dual_stack)
                        .map_err(bind_err)?;
                    (sock, SocketFamily::V6 { dual_stack })
                }
            };
            sock.set_reuseaddr(true).map_err(bind_err)?;
            sock.bind(addr).map_err(bind_err)?;
            let listener = sock.listen(LISTEN_BACKLOG).map_err(bind_err)?;
            let local = listener.local_addr().map_err(bind_err)?;
            sockets.push(ListenSocket {
                listener,
                local,
                family,
            });
        }
        Ok(Self {
            sockets,
            next: AtomicUsize::new(0),
        })
    }

    /// The bound addresses (with the ports the kernel chose for port 0).
    pub fn local_addrs(&self) -> Vec<SocketAddr> {
        self.sockets.iter().map(|s| s.local).collect()
    }

    /// Whether each bound socket is dual-stack, in [`Self::local_addrs`]
    /// order (IPv4 sockets report `false`).
    pub fn dual_stack(&self) -> Vec<bool> {
        self.sockets
            .iter()
            .map(|s| matches!(s.family, SocketFamily::V6 { dual_stack: true }))
            .collect()
    }

    /// Calls `f` on every socket that can accept `peer`; an error if none.
    fn for_peer(
        &self,
        peer: IpAddr,
        mut f: impl FnMut(&TcpListener) -> Result<(), SocketError>,
    ) -> Result<(), SocketError> {
        let mut any = false;
        for s in self.sockets.iter().filter(|s| s.family.accepts(peer)) {
            f(&s.listener)?;
            any = true;
        }
        if any {
            Ok(())
        } else {
            Err(SocketError::NoListener { peer })
        }
    }

    /// Sets (`Some`), replaces, or removes (`None`) the TCP-MD5 key of the
    /// neighbor `peer` on every listening socket that can accept it.
    /// Other neighbors' keys are untouched; established connections keep
    /// the key they were accepted with.
    pub fn set_neighbor_key(&self, peer: IpAddr, key: Option<&Secret>) -> Result<(), SocketError> {
        self.for_peer(peer, |l| set_md5(l, peer, key))
    }

    /// Adds a TCP-AO master key tuple for `peer` on every listening socket
    /// that can accept it. To change a key, remove the old one (by its
    /// IDs) and add the new one; a key with an ID already in use for
    /// `peer` is refused.
    pub fn add_neighbor_ao_key(&self, peer: IpAddr, key: &AoKey) -> Result<(), SocketError> {
        self.for_peer(peer, |l| set_ao_key(l, peer, key))
    }

    /// Removes the TCP-AO key `send_id`/`recv_id` of `peer` from every
    /// listening socket that can accept it (absent keys are fine).
    pub fn remove_neighbor_ao_key(
        &self,
        peer: IpAddr,
        send_id: u8,
        recv_id: u8,
    ) -> Result<(), SocketError> {
        self.for_peer(peer, |l| del_ao_key(l, peer, send_id, recv_id))
    }

    /// Enables GTSM (RFC 5082) on every listening socket: SYNs with a TTL
    /// below 255 − `hops` + 1 are dropped for **all** peers (Linux checks
    /// `IP_MINTTL` per socket, not per peer), and replies go out with TTL
    /// 255. Only for deployments where every neighbor uses GTSM; otherwise
    /// set GTSM per neighbor on the accepted stream with
    /// [`super::set_gtsm`]. On a dual-stack socket both the IPv4 and the
    /// IPv6 options are set.
    pub fn set_gtsm(&self, hops: u8) -> Result<(), SocketError> {
        for s in &self.sockets {
            match s.family {
                SocketFamily::V4 => set_gtsm(&s.listener, IpFamily::V4, hops)?,
                SocketFamily::V6 { dual_stack } => {
                    set_gtsm(&s.listener, IpFamily::V6, hops)?;
                    if dual_stack {
                        set_gtsm(&s.listener, IpFamily::V4, hops)?;
                    }
                }
            }
        }
        Ok(())
    }

    /// Waits for the next connection on any listening socket and returns
    /// `(stream, peer, local)`, both addresses normalised (an IPv4 peer on
    /// a dual-stack socket is reported as IPv4). `TCP_NODELAY` is set on
    /// the stream; keepalive stays off (BGP has its own). Errors are those
    /// of `accept(2)` (e.g. `EMFILE`); the caller logs and calls again.
    ///
    /// Cancel safe: dropping the future loses no connection.
    pub async fn accept(&self) -> io::Result<(TcpStream, SocketAddr, SocketAddr)> {
        if self.sockets.is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "listener has no sockets",
            ));
        }
        let (stream, peer) = poll_fn(|cx| {
            let n = self.sockets.len();
            let start = self.next.load(Ordering::Relaxed) % n;
            for i in 0..n {
                let idx = (start + i) % n;
                if let Some(s) = self.sockets.get(idx) {
                    if let Poll::Ready(r) = s.listener.poll_accept(cx) {
                        self.next.store(idx + 1, Ordering::Relaxed);
                        return Poll::Ready(r);
                    }
                }
            }
            Poll::Pending
        })
        .await?;
        stream.set_nodelay(true)?;
        let local = canonical(stream.local_addr()?);
        Ok((stream, canonical(peer), local))
    }
}
