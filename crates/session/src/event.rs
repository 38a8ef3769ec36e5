//! FSM inputs: the events of RFC 4271 §8.1 (numbered as there, §8.1.2–8.1.5)
//! that a route server uses, plus ROUTE-REFRESH (RFC 2918 / RFC 7313), which
//! the RFC 4271 FSM predates.
//!
//! Events 6 and 7 (AutomaticStart with DampPeerOscillations) are not inputs
//! of their own: an [`Input::AutomaticStart`] that arrives while the
//! IdleHoldTimer runs waits for it, which is what they describe.
//!
//! Events the FSM tells apart itself, from the input's content and its own
//! state:
//!
//! * [`Input::BgpOpen`] is BGPOpen (19), or BGPOpen with DelayOpenTimer
//!   running (20) when our DelayOpenTimer runs, or BGPOpenMsgErr (22) when
//!   OPEN message checking ([`crate::negotiate()`]) fails;
//! * [`Input::NotifMsg`] is NotifMsgVerErr (24) for OPEN Message Error /
//!   Unsupported Version Number, otherwise NotifMsg (25).

use bytes::Bytes;
use condor_wire::notification::codes;
use condor_wire::{Notification, Open, RouteRefresh};
use std::fmt;

use crate::Timer;

/// Something that happened to a session: an operator or system request, a
/// timer expiry, a TCP event or a received message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input {
    /// ManualStart (event 1): the operator enables the session; we connect
    /// and listen. Bypasses (and clears) the IdleHold back-off.
    ManualStart,
    /// ManualStop (event 2): the operator disables the session. The Cease to
    /// send (Administrative Shutdown with a shutdown communication, Peer
    /// De-configured, …) comes with it; see [`Input::manual_stop`].
    ManualStop(Notification),
    /// AutomaticStart (event 3): the system (re)enables the session; we
    /// connect and listen. Waits for a running IdleHoldTimer (events 6/7).
    AutomaticStart,
    /// ManualStart_with_PassiveTcpEstablishment (event 4): as ManualStart,
    /// but we only listen.
    ManualStartPassive,
    /// AutomaticStart_with_PassiveTcpEstablishment (event 5): as
    /// AutomaticStart, but we only listen.
    AutomaticStartPassive,
    /// AutomaticStop (event 8): the system stops the session (maximum
    /// prefixes reached, out of resources, …) with this Cease; it restarts
    /// after the IdleHoldTimer.
    AutomaticStop(Notification),
    /// ConnectRetryTimer_Expires (event 9).
    ConnectRetryTimerExpires,
    /// HoldTimer_Expires (event 10).
    HoldTimerExpires,
    /// KeepaliveTimer_Expires (event 11).
    KeepaliveTimerExpires,
    /// DelayOpenTimer_Expires (event 12).
    DelayOpenTimerExpires,
    /// IdleHoldTimer_Expires (event 13).
    IdleHoldTimerExpires,
    /// TcpConnection_Valid (event 14): a connection request from the peer's
    /// address arrived. Informational: a second connection is the driver's
    /// (see [`crate::collision`]).
    TcpConnectionValid,
    /// Tcp_CR_Invalid (event 15): a connection request that does not match
    /// this peer; the driver refuses it.
    TcpCrInvalid,
    /// Tcp_CR_Acked (event 16): our outgoing connection (asked for by
    /// [`crate::Action::Connect`]) is established.
    TcpCrAcked,
    /// TcpConnectionConfirmed (event 17): an incoming connection is
    /// established and handed to this FSM, which the driver does only when
    /// [`crate::Fsm::accepts_connections`] says so (it then abandons any
    /// outgoing attempt of the same FSM).
    ///
    /// For both events: if after the step [`crate::Fsm::has_connection`] is
    /// false, or the FSM already had a connection, the FSM did not take this
    /// one (Idle refuses connections; from OpenSent on a second connection
    /// needs its own FSM and collision detection) and the driver closes it
    /// or gives it to another FSM.
    TcpConnectionConfirmed,
    /// TcpConnectionFails (event 18): the connection (or the attempt) failed
    /// or the peer closed it.
    TcpConnectionFails,
    /// An OPEN was received and decoded: event 19, 20 or 22 (see the module
    /// documentation).
    BgpOpen(Box<Open>),
    /// BGPHeaderErr (event 21): a message header is invalid (RFC 4271 §6.1);
    /// the NOTIFICATION is the decoder's.
    BgpHeaderErr(Notification),
    /// BGPOpenMsgErr (event 22): an OPEN could not be decoded (RFC 4271
    /// §6.2); the NOTIFICATION is the decoder's.
    BgpOpenMsgErr(Notification),
    /// OpenCollisionDump (event 23): collision detection chose to close this
    /// connection ([`crate::collision::resolve`]).
    OpenCollisionDump,
    /// A NOTIFICATION was received: event 24 or 25.
    NotifMsg(Notification),
    /// KeepAliveMsg (event 26).
    KeepAliveMsg,
    /// UpdateMsg (event 27): a whole UPDATE message, header included, as
    /// received; it reaches the RIB as bytes ([`crate::Action::DeliverUpdate`]).
    UpdateMsg(Bytes),
    /// UpdateMsgErr (event 28): an UPDATE whose error ends the session
    /// (RFC 4271 §6.3 as revised by RFC 7606); the NOTIFICATION to send.
    UpdateMsgErr(Notification),
    /// A ROUTE-REFRESH message (RFC 2918; BoRR/EoRR of RFC 7313). Not an
    /// RFC 4271 event: the FSM treats it like an UPDATE (Established only).
    RouteRefreshMsg(RouteRefresh),
}

impl Input {
    /// ManualStop with Cease / Administrative Shutdown and no shutdown communication.
    pub fn manual_stop() -> Input {
        Input::ManualStop(Notification::new(
            codes::CEASE,
            codes::CEASE_ADMIN_SHUTDOWN,
            Vec::new(),
        ))
    }

    /// The input that reports the expiry of `timer`.
    pub fn timer_expired(timer: Timer) -> Input {
        match timer {
            Timer::ConnectRetry => Input::ConnectRetryTimerExpires,
            Timer::Hold => Input::HoldTimerExpires,
            Timer::Keepalive => Input::KeepaliveTimerExpires,
            Timer::DelayOpen => Input::DelayOpenTimerExpires,
            Timer::IdleHold => Input::IdleHoldTimerExpires,
        }
    }

    /// The timer whose expiry this input reports, if it is one.
    pub fn timer(&self) -> Option<Timer> {
        Some(match self {
            Input::ConnectRetryTimerExpires => Timer::ConnectRetry,
            Input::HoldTimerExpires => Timer::Hold,
            Input::KeepaliveTimerExpires => Timer::Keepalive,
            Input::DelayOpenTimerExpires => Timer::DelayOpen,
            Input::IdleHoldTimerExpires => Timer::IdleHold,
            _ => return None,
        })
    }

    /// The RFC 4271 event this input is, before the FSM looks at its
    /// content (an OPEN is reported as BGPOpen, a NOTIFICATION by its code).
    pub fn event(&self) -> Event {
        match self {
            Input::ManualStart => Event::ManualStart,
            Input::ManualStop(_) => Event::ManualStop,
            Input::AutomaticStart => Event::AutomaticStart,
            Input::ManualStartPassive => Event::ManualStartWithPassiveTcpEstablishment,
            Input::AutomaticStartPassive => Event::AutomaticStartWithPassiveTcpEstablishment,
            Input::AutomaticStop(_) => Event::AutomaticStop,
            Input::ConnectRetryTimerExpires => Event::ConnectRetryTimerExpires,
            Input::HoldTimerExpires => Event::HoldTimerExpires,
            Input::KeepaliveTimerExpires => Event::KeepaliveTimerExpires,
            Input::DelayOpenTimerExpires => Event::DelayOpenTimerExpires,
            Input::IdleHoldTimerExpires => Event::IdleHoldTimerExpires,
            Input::TcpConnectionValid => Event::TcpConnectionValid,
            Input::TcpCrInvalid => Event::TcpCrInvalid,
            Input::TcpCrAcked => Event::TcpCrAcked,
            Input::TcpConnectionConfirmed => Event::TcpConnectionConfirmed,
            Input::TcpConnectionFails => Event::TcpConnectionFails,
            Input::BgpOpen(_) => Event::BgpOpen,
            Input::BgpHeaderErr(_) => Event::BgpHeaderErr,
            Input::BgpOpenMsgErr(_) => Event::BgpOpenMsgErr,
            Input::OpenCollisionDump => Event::OpenCollisionDump,
            Input::NotifMsg(n) if is_version_error(n) => Event::NotifMsgVerErr,
            Input::NotifMsg(_) => Event::NotifMsg,
            Input::KeepAliveMsg => Event::KeepAliveMsg,
            Input::UpdateMsg(_) => Event::UpdateMsg,
            Input::UpdateMsgErr(_) => Event::UpdateMsgErr,
            Input::RouteRefreshMsg(_) => Event::RouteRefreshMsg,
        }
    }
}

/// True for a NOTIFICATION with "version error": OPEN Message Error /
/// Unsupported Version Number (RFC 4271 §8.1.5, event 24).
pub(crate) fn is_version_error(n: &Notification) -> bool {
    n.code == codes::OPEN_MESSAGE && n.subcode == codes::OPEN_UNSUPPORTED_VERSION
}

/// An RFC 4271 §8.1 event, without its data: what a [`crate::Transition`]
/// names as its cause. `Display` gives the RFC's name and number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Event {
    /// Event 1.
    ManualStart,
    /// Event 2.
    ManualStop,
    /// Event 3.
    AutomaticStart,
    /// Event 4.
    ManualStartWithPassiveTcpEstablishment,
    /// Event 5.
    AutomaticStartWithPassiveTcpEstablishment,
    /// Event 8.
    AutomaticStop,
    /// Event 9.
    ConnectRetryTimerExpires,
    /// Event 10.
    HoldTimerExpires,
    /// Event 11.
    KeepaliveTimerExpires,
    /// Event 12.
    DelayOpenTimerExpires,
    /// Event 13.
    IdleHoldTimerExpires,
    /// Event 14.
    TcpConnectionValid,
    /// Event 15.
    TcpCrInvalid,
    /// Event 16.
    TcpCrAcked,
    /// Event 17.
    TcpConnectionConfirmed,
    /// Event 18.
    TcpConnectionFails,
    /// Event 19.
    BgpOpen,
    /// Event 20.
    BgpOpenWithDelayOpenTimerRunning,
    /// Event 21.
    BgpHeaderErr,
    /// Event 22.
    BgpOpenMsgErr,
    /// Event 23.
    OpenCollisionDump,
    /// Event 24.
    NotifMsgVerErr,
    /// Event 25.
    NotifMsg,
    /// Event 26.
    KeepAliveMsg,
    /// Event 27.
    UpdateMsg,
    /// Event 28.
    UpdateMsgErr,
    /// A ROUTE-REFRESH message (RFC 2918; no RFC 4271 number).
    RouteRefreshMsg,
}

impl Event {
    /// The RFC 4271 event number (`None` for ROUTE-REFRESH).
    pub fn number(self) -> Option<u8> {
        Some(match self {
            Event::ManualStart => 1,
            Event::ManualStop => 2,
            Event::AutomaticStart => 3,
            Event::ManualStartWithPassiveTcpEstablishment => 4,
            Event::AutomaticStartWithPassiveTcpEstablishment => 5,
            Event::AutomaticStop => 8,
            Event::ConnectRetryTimerExpires => 9,
            Event::HoldTimerExpires => 10,
            Event::KeepaliveTimerExpires => 11,
            Event::DelayOpenTimerExpires => 12,
            Event::IdleHoldTimerExpires => 13,
            Event::TcpConnectionValid => 14,
            Event::TcpCrInvalid => 15,
            Event::TcpCrAcked => 16,
            Event::TcpConnectionConfirmed => 17,
            Event::TcpConnectionFails => 18,
            Event::BgpOpen => 19,
            Event::BgpOpenWithDelayOpenTimerRunning => 20,
            Event::BgpHeaderErr => 21,
            Event::BgpOpenMsgErr => 22,
            Event::OpenCollisionDump => 23,
            Event::NotifMsgVerErr => 24,
            Event::NotifMsg => 25,
            Event::KeepAliveMsg => 26,
            Event::UpdateMsg => 27,
            Event::UpdateMsgErr => 28,
            Event::RouteRefreshMsg => return None,
        })
    }

    /// The RFC 4271 name of the event.
    pub fn name(self) -> &'static str {
        match self {
            Event::ManualStart => "ManualStart",
            Event::ManualStop => "ManualStop",
            Event::AutomaticStart => "AutomaticStart",
            Event::ManualStartWithPassiveTcpEstablishment => {
                "ManualStart_with_PassiveTcpEstablishment"
            }
            Event::AutomaticStartWithPassiveTcpEstablishment => {
                "AutomaticStart_with_PassiveTcpEstablishment"
            }
            Event::AutomaticStop => "AutomaticStop",
            Event::ConnectRetryTimerExpires => "ConnectRetryTimer_Expires",
            Event::HoldTimerExpires => "HoldTimer_Expires",
            Event::KeepaliveTimerExpires => "KeepaliveTimer_Expires",
            Event::DelayOpenTimerExpires => "DelayOpenTimer_Expires",
            Event::IdleHoldTimerExpires => "IdleHoldTimer_Expires",
            Event::TcpConnectionValid => "TcpConnection_Valid",
            Event::TcpCrInvalid => "Tcp_CR_Invalid",
            Event::TcpCrAcked => "Tcp_CR_Acked",
            Event::TcpConnectionConfirmed => "TcpConnectionConfirmed",
            Event::TcpConnectionFails => "TcpConnectionFails",
            Event::BgpOpen => "BGPOpen",
            Event::BgpOpenWithDelayOpenTimerRunning => "BGPOpen with DelayOpenTimer running",
            Event::BgpHeaderErr => "BGPHeaderErr",
            Event::BgpOpenMsgErr => "BGPOpenMsgErr",
            Event::OpenCollisionDump => "OpenCollisionDump",
            Event::NotifMsgVerErr => "NotifMsgVerErr",
            Event::NotifMsg => "NotifMsg",
            Event::KeepAliveMsg => "KeepAliveMsg",
            Event::UpdateMsg => "UpdateMsg",
            Event::UpdateMsgErr => "UpdateMsgErr",
            Event::RouteRefreshMsg => "RouteRefreshMsg",
        }
    }
}

impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.number() {
            Some(n) => write!(f, "{} (event {n})", self.name()),
            None => f.write_str(self.name()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timer_inputs_round_trip() {
        for t in Timer::ALL {
            assert_eq!(Input::timer_expired(t).timer(), Some(t));
        }
        assert_eq!(Input::KeepAliveMsg.timer(), None);
    }

    #[test]
    fn notifications_are_told_apart_by_version_error() {
        let ver = Input::NotifMsg(Notification::new(2, 1, vec![0, 4]));
        assert_eq!(ver.event(), Event::NotifMsgVerErr);
        assert_eq!(ver.event().number(), Some(24));
        let other = Input::NotifMsg(Notification::new(2, 2, vec![]));
        assert_eq!(other.event(), Event::NotifMsg);
    }

    #[test]
    fn events_display_with_rfc_name_and_number() {
        assert_eq!(
            Event::HoldTimerExpires.to_string(),
            "HoldTimer_Expires (event 10)"
        );
        assert_eq!(
            Input::TcpCrAcked.event().to_string(),
            "Tcp_CR_Acked (event 16)"
        );
        assert_eq!(Event::RouteRefreshMsg.to_string(), "RouteRefreshMsg");
        let stop = Input::manual_stop();
        let Input::ManualStop(n) = &stop else {
            panic!("not a ManualStop")
        };
        assert_eq!((n.code, n.subcode), (6, 2));
    }
}
