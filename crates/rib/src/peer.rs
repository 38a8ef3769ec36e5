//! Clients of the RIB: what the RIB knows of a peer, and the queue of encoded
//! messages towards its session, with watermarks (XOFF/XON) so that a slow
//! client never makes the RIB buffer without bound.

use bytes::Bytes;
use condor_wire::{Asn, Context, Family};
use std::net::{IpAddr, Ipv4Addr};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll};
use tokio::sync::mpsc;

/// Identifies a peer for the life of the process.
pub type PeerId = u32;

/// Queued octets above which a client stops receiving the shared stream
/// and falls back to its coalescing backlog (XOFF). Counted in octets, not
/// messages, so that 64 KiB extended messages weigh what they cost.
pub const HIGH_WATERMARK: usize = 4 << 20;
/// Queued octets at or below which a backlogged client resumes (XON).
pub const LOW_WATERMARK: usize = 1 << 20;

/// One message of a [`SharedBatch`], with who must not receive it.
#[derive(Debug)]
pub struct SharedMsg {
    /// The encoded UPDATE.
    pub bytes: Bytes,
    /// Clients that skip it (the owners of the old and new best path, whose
    /// answers are computed for them alone).
    pub excluded: [Option<PeerId>; 2],
    /// Its address family: clients without it skip it.
    pub family: Family,
}

/// The shared stream of one batch for one encoding class: every client of
/// the class gets one queue entry pointing at it, not one per message, so a
/// thousand clients cost a thousand pointers per batch.
#[derive(Debug, Default)]
pub struct SharedBatch {
    /// The messages, in order.
    pub msgs: Vec<SharedMsg>,
}

impl SharedBatch {
    fn wanted(m: &SharedMsg, me: PeerId, families: &[Family]) -> bool {
        !m.excluded.contains(&Some(me)) && families.contains(&m.family)
    }

    /// Messages and octets that `me` takes from this batch.
    pub fn count_for(&self, me: PeerId, families: &[Family]) -> (usize, usize) {
        self.msgs
            .iter()
            .filter(|m| SharedBatch::wanted(m, me, families))
            .fold((0, 0), |(n, o), m| (n + 1, o + m.bytes.len()))
    }
}

/// A queue entry.
#[derive(Debug)]
pub enum OutItem {
    /// A message for this client alone.
    Msg(Bytes),
    /// A shared batch, filtered by the reader.
    Shared(Arc<SharedBatch>),
}

/// The write queue from the RIB to one session.
///
/// The channel itself is unbounded; the bound comes from the RIB, which
/// stops pushing above the high watermark (octets) and overshoots by at most
/// one batch. Messages are shared `Bytes`: one encoding serves many clients.
#[derive(Debug)]
pub struct OutQueue {
    tx: mpsc::UnboundedSender<OutItem>,
    queued: AtomicUsize,
    xoff: AtomicBool,
    high: usize,
    low: usize,
}

/// The session's end of an [`OutQueue`]: yields this client's messages in
/// order, expanding shared batches.
#[derive(Debug)]
pub struct OutReader {
    rx: mpsc::UnboundedReceiver<OutItem>,
    me: PeerId,
    families: Vec<Family>,
    current: Option<(Arc<SharedBatch>, usize)>,
}

impl OutReader {
    fn next_in_batch(&mut self) -> Option<Bytes> {
        let (batch, i) = self.current.as_mut()?;
        while *i < batch.msgs.len() {
            let m = &batch.msgs[*i];
            *i += 1;
            if SharedBatch::wanted(m, self.me, &self.families) {
                return Some(m.bytes.clone());
            }
        }
        self.current = None;
        None
    }

    fn take(&mut self, item: OutItem) -> Option<Bytes> {
        match item {
            OutItem::Msg(b) => Some(b),
            OutItem::Shared(batch) => {
                self.current = Some((batch, 0));
                self.next_in_batch()
            }
        }
    }

    /// The next message, if one is queued now.
    pub fn try_next(&mut self) -> Option<Bytes> {
        loop {
            if let Some(b) = self.next_in_batch() {
                return Some(b);
            }
            let item = self.rx.try_recv().ok()?;
            if let Some(b) = self.take(item) {
                return Some(b);
            }
        }
    }

    /// Polls for the next message; `None` when the RIB dropped the queue.
    pub fn poll_next(&mut self, cx: &mut TaskContext<'_>) -> Poll<Option<Bytes>> {
        loop {
            if let Some(b) = self.next_in_batch() {
                return Poll::Ready(Some(b));
            }
            match self.rx.poll_recv(cx) {
                Poll::Ready(Some(item)) => {
                    if let Some(b) = self.take(item) {
                        return Poll::Ready(Some(b));
                    }
                }
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Pending => return Poll::Pending,
            }
        }
    }

    /// Waits for the next message.
    pub async fn next(&mut self) -> Option<Bytes> {
        std::future::poll_fn(|cx| self.poll_next(cx)).await
    }

    /// True when nothing is queued.
    pub fn is_idle(&self) -> bool {
        self.current.is_none() && self.rx.is_empty()
    }
}

impl OutQueue {
    /// A queue for client `me` (with its families), and the reader for its session.
    pub fn new(me: PeerId, families: Vec<Family>) -> (Arc<OutQueue>, OutReader) {
        OutQueue::with_watermarks(me, families, HIGH_WATERMARK, LOW_WATERMARK)
    }

    /// A queue with other watermarks (octets; `low` ≤ `high`).
    pub fn with_watermarks(
        me: PeerId,
        families: Vec<Family>,
        high: usize,
        low: usize,
    ) -> (Arc<OutQueue>, OutReader) {
        let (tx, rx) = mpsc::unbounded_channel();
        let q = OutQueue {
            tx,
            queued: AtomicUsize::new(0),
            xoff: AtomicBool::new(false),
            high,
            low: low.min(high),
        };
        (
            Arc::new(q),
            OutReader {
                rx,
                me,
                families,
                current: None,
            },
        )
    }

    /// Octets queued and not yet written.
    pub fn queued(&self) -> usize {
        self.queued.load(Ordering::Acquire)
    }

    /// True when the client can take the shared stream now.
    pub fn has_room(&self) -> bool {
        let room = self.queued() < self.high;
        if !room {
            self.xoff.store(true, Ordering::Release);
        }
        room
    }

    fn send(&self, item: OutItem, octets: usize) -> bool {
        self.queued.fetch_add(octets, Ordering::AcqRel);
        if self.tx.send(item).is_err() {
            self.queued.fetch_sub(octets, Ordering::AcqRel);
            return false;
        }
        true
    }

    /// Queues a message. Returns false when the session is gone.
    pub fn push(&self, msg: Bytes) -> bool {
        let len = msg.len();
        self.send(OutItem::Msg(msg), len)
    }

    /// Queues a shared batch of which this client takes `octets`.
    pub fn push_shared(&self, batch: Arc<SharedBatch>, octets: usize) -> bool {
        self.send(OutItem::Shared(batch), octets)
    }

    /// Called by the writer after it wrote messages of `octets` in all.
    /// Returns true when the RIB should be told that the client has room
    /// again (XON).
    pub fn written(&self, octets: usize) -> bool {
        let left = self
            .queued
            .fetch_sub(octets, Ordering::AcqRel)
            .saturating_sub(octets);
        left <= self.low && self.xoff.swap(false, Ordering::AcqRel)
    }
}

/// What the RIB needs to know of a peer when its session comes up.
#[derive(Clone, Debug)]
pub struct PeerSpec {
    /// Process-wide id.
    pub id: PeerId,
    /// Name for logs.
    pub name: String,
    /// Peer ASN.
    pub asn: Asn,
    /// Peer address.
    pub addr: IpAddr,
    /// Peer BGP identifier.
    pub router_id: Ipv4Addr,
    /// Encoding context for messages to this peer, from its point of view
    /// (its `add_path_rx` says where it receives path identifiers).
    pub tx: Context,
    /// Families negotiated with this peer.
    pub families: Vec<Family>,
    /// Prefix limits per family, with the action.
    pub max_prefix: Option<MaxPrefix>,
    /// The write queue to its session.
    pub out: Arc<OutQueue>,
    /// Its import policy (filters, IRR data).
    pub import: Arc<condor_policy::MemberImport>,
    /// It opted in to receive RFC 7999 blackhole routes.
    pub receive_blackhole: bool,
}

/// Prefix limits of a peer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MaxPrefix {
    /// IPv4 unicast limit.
    pub ipv4: Option<u32>,
    /// IPv6 unicast limit.
    pub ipv6: Option<u32>,
    /// What to do beyond it.
    pub action: MaxPrefixAction,
}

/// Action when a peer exceeds its prefix limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MaxPrefixAction {
    /// Log and accept.
    Warn,
    /// Ignore prefixes beyond the limit.
    DropNew,
    /// Ask the session to close with Cease/1.
    Shutdown,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn watermarks_signal_xon_once() {
        let (q, mut rx) = OutQueue::new(1, vec![Family::IPV4_UNICAST]);
        let msg = Bytes::from(vec![0u8; 4096]);
        for i in 0..HIGH_WATERMARK / msg.len() {
            assert!(q.has_room(), "room at {i}");
            assert!(q.push(msg.clone()));
        }
        assert!(!q.has_room(), "XOFF at the high watermark");
        let mut xon = 0;
        while let Some(m) = rx.try_next() {
            if q.written(m.len()) {
                xon += 1;
            }
        }
        assert_eq!(xon, 1, "exactly one XON after draining");
        assert_eq!(q.queued(), 0);
        assert!(rx.is_idle());
    }

    #[test]
    fn shared_batches_are_filtered_per_reader() {
        let v4 = Family::IPV4_UNICAST;
        let v6 = Family::IPV6_UNICAST;
        let m = |b: &'static [u8], excluded, family| SharedMsg {
            bytes: Bytes::from_static(b),
            excluded,
            family,
        };
        let batch = Arc::new(SharedBatch {
            msgs: vec![
                m(b"a", [Some(1), None], v4),
                m(b"bb", [None, None], v4),
                m(b"ccc", [Some(2), Some(3)], v6),
            ],
        });
        let (q1, mut r1) = OutQueue::new(1, vec![v4, v6]);
        let (q2, mut r2) = OutQueue::new(2, vec![v4]);
        assert_eq!(batch.count_for(1, &[v4, v6]), (2, 5));
        assert_eq!(batch.count_for(2, &[v4]), (2, 3));
        assert!(q1.push_shared(batch.clone(), 5) && q2.push_shared(batch, 3));
        q1.push(Bytes::from_static(b"own"));
        let got1: Vec<Bytes> = std::iter::from_fn(|| r1.try_next()).collect();
        let got2: Vec<Bytes> = std::iter::from_fn(|| r2.try_next()).collect();
        assert_eq!(
            got1,
            vec![
                Bytes::from_static(b"bb"),
                Bytes::from_static(b"ccc"),
                Bytes::from_static(b"own")
            ]
        );
        assert_eq!(
            got2,
            vec![Bytes::from_static(b"a"), Bytes::from_static(b"bb")]
        );
    }

    #[test]
    fn push_to_a_closed_session_fails() {
        let (q, rx) = OutQueue::new(1, vec![Family::IPV4_UNICAST]);
        drop(rx);
        assert!(!q.push(Bytes::from_static(b"x")));
        assert_eq!(q.queued(), 0);
    }
}
