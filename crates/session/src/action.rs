//! FSM outputs: what the driver must do after a step ([`Action`]), the
//! messages the FSM sends ([`Outgoing`]) and the one-line account of each
//! state change ([`Transition`]).
//!
//! The FSM emits *typed* messages rather than bytes: it only ever sends
//! OPEN, KEEPALIVE and NOTIFICATION, whose encoding does not depend on the
//! negotiated codec context, and a typed value lets the driver log a sent
//! NOTIFICATION in words and lets tests assert on content. The driver
//! encodes with [`Outgoing::encode`]. UPDATEs are never built here: they come
//! from the export queues, already encoded.
//!
//! Actions are to be performed in order. In particular a `Send` that
//! precedes a `Disconnect` must be flushed before the connection closes.

use bytes::Bytes;
use condor_wire::message::KEEPALIVE;
use condor_wire::{Context, Message, Notification, Open, RouteRefresh};
use std::fmt;
use std::time::Duration;

use crate::{Event, Negotiated, State, Timer};

/// A message the FSM sends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outgoing {
    /// Our OPEN.
    Open(Box<Open>),
    /// A KEEPALIVE.
    Keepalive,
    /// A NOTIFICATION; the connection is closed after it (RFC 4271 §4.5).
    Notification(Notification),
}

impl Outgoing {
    /// Appends the whole message (header included) to `out`.
    pub fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Outgoing::Keepalive => out.extend_from_slice(&KEEPALIVE),
            Outgoing::Open(o) => encode_small(&Message::Open((**o).clone()), out),
            Outgoing::Notification(n) => encode_small(&Message::Notification(n.clone()), out),
        }
    }

    /// The message as a [`Message`].
    pub fn to_message(&self) -> Message {
        match self {
            Outgoing::Open(o) => Message::Open((**o).clone()),
            Outgoing::Keepalive => Message::Keepalive,
            Outgoing::Notification(n) => Message::Notification(n.clone()),
        }
    }
}

/// Encodes an OPEN or NOTIFICATION. Their size never depends on the
/// context; one that would exceed 4096 octets (a NOTIFICATION with an absurd
/// data field) is cut to the longest legal form rather than not sent.
fn encode_small(m: &Message, out: &mut Vec<u8>) {
    if m.encode(&Context::default(), out).is_ok() {
        return;
    }
    if let Message::Notification(n) = m {
        let room = condor_wire::MAX_MESSAGE_LEN - condor_wire::HEADER_LEN - 2;
        let short = Notification::new(n.code, n.subcode, &n.data[..n.data.len().min(room)]);
        // Fits by construction.
        let _ = Message::Notification(short).encode(&Context::default(), out);
    }
}

/// Something the driver must do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Initiate a TCP connection to the peer (its result comes back as
    /// Tcp_CR_Acked or TcpConnectionFails).
    Connect,
    /// Drop the TCP connection, or abandon the connection attempt in
    /// progress, after flushing what was sent before.
    Disconnect,
    /// Send a message on the connection.
    Send(Outgoing),
    /// Arm `timer` to expire after the duration (re-arm it if it runs).
    StartTimer(Timer, Duration),
    /// Disarm `timer`.
    StopTimer(Timer),
    /// The session reached Established with this negotiation result; the
    /// driver switches its codec to [`Negotiated::codec`] before decoding the
    /// next message.
    SessionUp(Box<Negotiated>),
    /// The session left Established: "deletes all routes associated with
    /// this connection" (RFC 4271 §8.2.2), or marks them stale when graceful
    /// restart applies.
    SessionDown(Reason),
    /// An UPDATE (whole message) to hand to the RIB.
    DeliverUpdate(Bytes),
    /// A ROUTE-REFRESH to hand to the export side.
    DeliverRouteRefresh(RouteRefresh),
    /// The state changed; the driver logs it as one line.
    Transition(Transition),
}

/// Why a state change happened, besides the event that caused it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reason {
    /// Normal progress: a start, a connection, an OPEN or KEEPALIVE, a timer.
    Progress,
    /// We closed the connection with this NOTIFICATION, sent to the peer.
    Sent(Notification),
    /// We closed the connection for this reason without sending it: before
    /// our OPEN (RFC 4271 sends a NOTIFICATION then only with
    /// SendNOTIFICATIONwithoutOPEN) or with no connection to send it on.
    NotSent(Notification),
    /// The peer closed the session with this NOTIFICATION.
    Received(Notification),
    /// The TCP connection failed or was closed by the peer.
    ConnectionFailed,
    /// An event that the state does not accept and that warrants no
    /// NOTIFICATION (the "any other event" rows of Connect and Active).
    Unexpected,
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::Progress => Ok(()),
            Reason::Sent(n) => write!(f, "sent NOTIFICATION {n}"),
            Reason::NotSent(n) => write!(f, "closing without NOTIFICATION: {n}"),
            Reason::Received(n) => write!(f, "received NOTIFICATION {n}"),
            Reason::ConnectionFailed => f.write_str("TCP connection failed"),
            Reason::Unexpected => f.write_str("unexpected in this state"),
        }
    }
}

/// A state change: from, to, the event that caused it and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transition {
    /// State before the step.
    pub from: State,
    /// State after the step.
    pub to: State,
    /// The RFC 4271 event that caused it.
    pub event: Event,
    /// Why, beyond the event.
    pub reason: Reason,
}

impl fmt::Display for Transition {
    /// One line: `OpenSent → Idle on HoldTimer_Expires (event 10): sent
    /// NOTIFICATION Hold Timer Expired / Unspecific (4/0)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} → {} on {}", self.from, self.to, self.event)?;
        if self.reason != Reason::Progress {
            write!(f, ": {}", self.reason)?;
        }
        Ok(())
    }
}
