//! Clients of the RIB: what the RIB knows of a peer, and the queue of encoded
//! messages towards its session, with watermarks (XOFF/XON) so that a slow
//! client never makes the RIB buffer without bound.

use bytes::Bytes;
use condor_wire::{Asn, Context, Family};
use std::net::{IpAddr, Ipv4Addr};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use tokio::sync::mpsc;

/// Identifies a peer for the life of the process.
pub type PeerId = u32;

/// Queued octets above which a client stops receiving the shared stream
/// and falls back to its coalescing backlog (XOFF). Counted in octets, not
/// messages, so that 64 KiB extended messages weigh what they cost.
pub const HIGH_WATERMARK: usize = 4 << 20;
/// Queued octets at or below which a backlogged client resumes (XON).
pub const LOW_WATERMARK: usize = 1 << 20;

/// The write queue from the RIB to one session.
///
/// The channel itself is unbounded; the bound comes from the RIB, which
/// stops pushing above [`HIGH_WATERMARK`] and overshoots by at most one
/// batch. Messages are shared `Bytes`: one encoding serves many clients.
#[derive(Debug)]
pub struct OutQueue {
    tx: mpsc::UnboundedSender<Bytes>,
    queued: AtomicUsize,
    xoff: AtomicBool,
    high: usize,
    low: usize,
}

impl OutQueue {
    /// A queue and the receiving end for the session's writer.
    pub fn new() -> (Arc<OutQueue>, mpsc::UnboundedReceiver<Bytes>) {
        OutQueue::with_watermarks(HIGH_WATERMARK, LOW_WATERMARK)
    }

    /// A queue with other watermarks (octets; `low` ≤ `high`).
    pub fn with_watermarks(
        high: usize,
        low: usize,
    ) -> (Arc<OutQueue>, mpsc::UnboundedReceiver<Bytes>) {
        let (tx, rx) = mpsc::unbounded_channel();
        let q = OutQueue {
            tx,
            queued: AtomicUsize::new(0),
            xoff: AtomicBool::new(false),
            high,
            low: low.min(high),
        };
        (Arc::new(q), rx)
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

    /// Queues a message. Returns false when the session is gone.
    pub fn push(&self, msg: Bytes) -> bool {
        let len = msg.len();
        self.queued.fetch_add(len, Ordering::AcqRel);
        if self.tx.send(msg).is_err() {
            self.queued.fetch_sub(len, Ordering::AcqRel);
            return false;
        }
        true
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
        let (q, mut rx) = OutQueue::new();
        let msg = Bytes::from(vec![0u8; 4096]);
        for i in 0..HIGH_WATERMARK / msg.len() {
            assert!(q.has_room(), "room at {i}");
            assert!(q.push(msg.clone()));
        }
        assert!(!q.has_room(), "XOFF at the high watermark");
        let mut xon = 0;
        while let Ok(m) = rx.try_recv() {
            if q.written(m.len()) {
                xon += 1;
            }
        }
        assert_eq!(xon, 1, "exactly one XON after draining");
        assert_eq!(q.queued(), 0);
    }

    #[test]
    fn push_to_a_closed_session_fails() {
        let (q, rx) = OutQueue::new();
        drop(rx);
        assert!(!q.push(Bytes::from_static(b"x")));
        assert_eq!(q.queued(), 0);
    }
}
