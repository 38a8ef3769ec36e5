//! The BGP finite state machine of RFC 4271 §8.2.2, sans-IO.
//!
//! [`Fsm::step`] takes the current time and one [`Input`] (an RFC 4271 §8.1
//! event) and returns the [`Action`]s the driver performs: connect,
//! disconnect, send, arm and disarm timers, hand over UPDATEs, report the
//! session up or down, and a [`Transition`] for every state change. The FSM
//! has no clock, no socket and no task; time is a [`Duration`] since any
//! epoch the driver likes, as long as it never goes backwards.
//!
//! One FSM drives one TCP connection, as RFC 4271 §8.2.1 says. A second
//! connection to the same peer (events 14, 16, 17 in OpenSent and later) is
//! the driver's: it gives it an FSM of its own and resolves the collision
//! with [`crate::collision`].
//!
//! OPEN message checking (§6.2) is [`crate::negotiate()`]: an
//! [`Input::BgpOpen`] that fails it is event 22 with the NOTIFICATION that
//! negotiation returned; one that passes moves to OpenConfirm with the
//! [`Negotiated`] result, whose codec context the driver reads from
//! [`Fsm::codec`].
//!
//! # Optional attributes (RFC 4271 §8.1.1)
//!
//! | attribute | here |
//! |---|---|
//! | AllowAutomaticStart / AllowAutomaticStop | yes (events 3, 5, 8) |
//! | DampPeerOscillations, IdleHoldTime | always on: [`crate::IdleHold`] back-off |
//! | DelayOpen, DelayOpenTime | [`FsmConfig::delay_open_time`] |
//! | PassiveTcpEstablishment | events 4 and 5 |
//! | SendNOTIFICATIONwithoutOPEN | [`FsmConfig::send_notification_without_open`] (default on) |
//! | CollisionDetectEstablishedState | off: an Established connection always wins |
//! | TrackTcpState | off: events 14 and 15 change nothing |
//!
//! # Where this FSM departs from the letter of §8.2.2, and why
//!
//! * **Automatic restart.** Every transition to Idle of a started session
//!   arms the IdleHoldTimer (back-off in [`crate::idle_hold`]); its expiry
//!   (event 13) restarts the session as the last start event did. The RFC
//!   leaves the damping method open and its Idle state would otherwise wait
//!   for an operator. ManualStop (event 2) stops for good; in Idle it
//!   cancels a pending restart (the RFC ignores it there because nothing is
//!   pending in its model).
//! * **Passive means passive.** After event 4 or 5 the ConnectRetryTimer is
//!   never armed, so we never initiate a connection (the RFC arms it and its
//!   expiry in Active would connect, which is not what operators mean by a
//!   passive neighbor).
//! * **Failed connection attempt.** TcpConnectionFails in Connect without
//!   DelayOpenTimer running goes to Active with the ConnectRetryTimer
//!   restarted (the RFC goes to Idle). We keep listening for the member's
//!   own connection and retry after ConnectRetryTime, as BIRD, FRR and
//!   OpenBGPD do, instead of refusing connections while in Idle.
//! * **Stale timer events.** An expiry for a timer this FSM has not armed
//!   raced with a StopTimer and is ignored. So the RFC's "any other event"
//!   rows never fire for timers (they could only be stale); if one did, it
//!   would get FSM Error / Unspecified (5/0).
//! * **Lazy HoldTimer.** In Established a KEEPALIVE, UPDATE or ROUTE-REFRESH
//!   moves the HoldTimer's deadline without an action; an expiry before the
//!   deadline re-arms the timer for the rest (see [`crate::timer`]).
//! * **RFC 6608 subcodes.** "Any other event" for a *message* in OpenSent,
//!   OpenConfirm or Established sends FSM Error with subcode 1, 2 or 3 and
//!   the message type as data (RFC 6608 §4). A second OPEN on the same
//!   connection in OpenConfirm is such a message; an OPEN in Established
//!   too (5/3), whether or not it decodes.
//! * **Header errors in Established** send the Message Header Error of §6.1
//!   (the §8.2.2 Established row lumps event 21 with FSM errors).
//! * **No NOTIFICATION in reply to a NOTIFICATION.** A NOTIFICATION received
//!   in OpenSent (event 25) closes the connection; the RFC's row would send
//!   an FSM Error back on a connection the peer is closing (§4.5).
//! * **ManualStop in Connect** sends a Cease when the DelayOpenTimer runs
//!   and SendNOTIFICATIONwithoutOPEN is set, as the Active row says (the
//!   Connect row forgets the case).
//! * **Timers that the RFC "sets to zero"** are simply disarmed; in Idle
//!   every timer but the IdleHoldTimer is disarmed.
//! * **KeepaliveTimer** is not restarted when an UPDATE is *sent*: the FSM
//!   does not see exports, and a KEEPALIVE among UPDATEs is harmless.
//!   Jitter (§10) is applied by the driver when it arms ConnectRetryTimer
//!   and KeepaliveTimer.

use condor_wire::message::MessageType;
use condor_wire::notification::codes;
use condor_wire::{Context, Notification, Open};
use std::time::Duration;

use crate::event::is_version_error;
use crate::timer::Deadlines;
use crate::{
    collision, negotiate, Action, Event, IdleHold, Input, Negotiated, Outgoing, PeerPolicy,
    PolicyError, Reason,
};
use crate::{State, Timer, Transition};

/// Per-session FSM settings (RFC 4271 §8.1.1 attributes and §10 timers).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FsmConfig {
    /// ConnectRetryTime (RFC 4271 §10 suggests 120 s).
    pub connect_retry_time: Duration,
    /// The "large value" the HoldTimer gets in OpenSent (§8.2.2: 4 minutes).
    pub open_sent_hold_time: Duration,
    /// DelayOpenTime; `None` is DelayOpen = FALSE.
    pub delay_open_time: Option<Duration>,
    /// SendNOTIFICATIONwithoutOPEN: tell the peer why we close even before
    /// our OPEN was sent (only possible with DelayOpen).
    pub send_notification_without_open: bool,
    /// IdleHoldTimer back-off.
    pub idle_hold: IdleHold,
}

impl Default for FsmConfig {
    fn default() -> Self {
        FsmConfig {
            connect_retry_time: Duration::from_secs(120),
            open_sent_hold_time: Duration::from_secs(240),
            delay_open_time: None,
            send_notification_without_open: true,
            idle_hold: IdleHold::default(),
        }
    }
}

/// An FSM configuration that cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FsmConfigError {
    /// A timer duration is zero.
    #[error("{0} must be longer than zero")]
    ZeroDuration(&'static str),
    /// The back-off cap is below its start.
    #[error("IdleHold maximum {max:?} is below its initial value {initial:?}")]
    IdleHoldMax {
        /// Initial IdleHoldTime.
        initial: Duration,
        /// Maximum IdleHoldTime.
        max: Duration,
    },
    /// The negotiation policy is unusable.
    #[error(transparent)]
    Policy(#[from] PolicyError),
}

impl FsmConfig {
    /// Checks that every timer is armed with a positive duration.
    pub fn validate(&self) -> Result<(), FsmConfigError> {
        let positive = [
            ("ConnectRetryTime", Some(self.connect_retry_time)),
            ("OpenSent hold time", Some(self.open_sent_hold_time)),
            ("DelayOpenTime", self.delay_open_time),
            ("IdleHoldTime", Some(self.idle_hold.initial)),
        ];
        for (name, d) in positive {
            if d == Some(Duration::ZERO) {
                return Err(FsmConfigError::ZeroDuration(name));
            }
        }
        if self.idle_hold.max < self.idle_hold.initial {
            return Err(FsmConfigError::IdleHoldMax {
                initial: self.idle_hold.initial,
                max: self.idle_hold.max,
            });
        }
        Ok(())
    }
}

/// The TCP connection this FSM drives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Conn {
    /// None.
    None,
    /// Our outgoing attempt is in progress.
    Connecting,
    /// Established; messages can be sent.
    Up,
}

/// How a transition to Idle counts for ConnectRetryCounter and damping.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Close {
    /// A failure: "increments the ConnectRetryCounter by 1" and "performs
    /// peer oscillation damping".
    Failure,
    /// Neither (the RFC's version-error and ManualStop rows).
    Quiet,
    /// ManualStop: counters to zero, no restart.
    Stop,
}

/// The BGP FSM of one connection. See the module documentation.
#[derive(Clone, Debug)]
pub struct Fsm {
    config: FsmConfig,
    policy: PeerPolicy,
    local_open: Open,
    state: State,
    /// A start event came and no ManualStop since: Idle restarts by itself.
    started: bool,
    /// The last start was passive (event 4 or 5).
    passive: bool,
    conn: Conn,
    connect_retry_counter: u32,
    /// Consecutive failures, for the IdleHold back-off.
    failures: u32,
    timers: Deadlines,
    negotiated: Option<Box<Negotiated>>,
    established_at: Option<Duration>,
}

impl Fsm {
    /// An FSM in Idle for a neighbor, sending `policy.open()`.
    pub fn new(config: FsmConfig, policy: PeerPolicy) -> Result<Fsm, FsmConfigError> {
        config.validate()?;
        policy.validate()?;
        let local_open = policy.open();
        Ok(Fsm {
            config,
            policy,
            local_open,
            state: State::Idle,
            started: false,
            passive: false,
            conn: Conn::None,
            connect_retry_counter: 0,
            failures: 0,
            timers: Deadlines::default(),
            negotiated: None,
            established_at: None,
        })
    }

    /// The current state.
    pub fn state(&self) -> State {
        self.state
    }

    /// The negotiation result, in OpenConfirm and Established.
    pub fn negotiated(&self) -> Option<&Negotiated> {
        self.negotiated.as_deref()
    }

    /// The codec context for the next received message: the negotiated one
    /// from OpenConfirm on, the default (2-octet AS, 4096-octet messages,
    /// no ADD-PATH) before.
    pub fn codec(&self) -> Context {
        self.negotiated
            .as_ref()
            .map(|n| n.codec)
            .unwrap_or_default()
    }

    /// True when the FSM holds an established TCP connection.
    pub fn has_connection(&self) -> bool {
        self.conn == Conn::Up
    }

    /// True when the driver may hand this FSM an incoming connection
    /// (TcpConnectionConfirmed): in Connect and Active without one. In Idle
    /// connections are refused (§8.2.2); from OpenSent on a new connection
    /// gets its own FSM and collision detection.
    pub fn accepts_connections(&self) -> bool {
        matches!(self.state, State::Connect | State::Active) && self.conn != Conn::Up
    }

    /// ConnectRetryCounter (RFC 4271 §8): failed attempts since the last
    /// ManualStart, AutomaticStart or ManualStop.
    pub fn connect_retry_counter(&self) -> u32 {
        self.connect_retry_counter
    }

    /// Consecutive failures counted by the IdleHold back-off.
    pub fn consecutive_failures(&self) -> u32 {
        self.failures
    }

    /// True after a start event and until a ManualStop.
    pub fn is_started(&self) -> bool {
        self.started
    }

    /// The deadline of `timer`, if armed.
    pub fn timer_deadline(&self, timer: Timer) -> Option<Duration> {
        self.timers.get(timer)
    }

    /// The OPEN we send.
    pub fn local_open(&self) -> &Open {
        &self.local_open
    }

    /// The negotiation policy.
    pub fn policy(&self) -> &PeerPolicy {
        &self.policy
    }

    /// The FSM settings.
    pub fn config(&self) -> &FsmConfig {
        &self.config
    }

    /// Processes one input at time `now` and returns the actions to perform,
    /// in order.
    pub fn step(&mut self, now: Duration, input: Input) -> Vec<Action> {
        let mut out = Vec::new();
        self.step_into(now, input, &mut out);
        out
    }

    /// As [`Fsm::step`], appending the actions to `out` (so a driver can
    /// reuse one buffer).
    pub fn step_into(&mut self, now: Duration, input: Input, out: &mut Vec<Action>) {
        if let Some(t) = input.timer() {
            match self.timers.get(t) {
                // Stale: raced with a StopTimer.
                None => return,
                // The lazy HoldTimer moved on since it was armed.
                Some(deadline) if t == Timer::Hold && deadline > now => {
                    out.push(Action::StartTimer(t, deadline - now));
                    return;
                }
                Some(_) => {
                    self.timers.clear(t);
                }
            }
        }
        let mut s = Step { now, out };
        match self.state {
            State::Idle => self.idle(&mut s, input),
            State::Connect | State::Active => self.connect_or_active(&mut s, input),
            State::OpenSent => self.open_sent(&mut s, input),
            State::OpenConfirm => self.open_confirm(&mut s, input),
            State::Established => self.established(&mut s, input),
        }
    }

    // ----- Idle -----

    fn idle(&mut self, s: &mut Step<'_>, input: Input) {
        let event = input.event();
        match input {
            // Events 1 and 4: start now, whatever the back-off says.
            Input::ManualStart | Input::ManualStartPassive => {
                self.passive = input == Input::ManualStartPassive;
                self.started = true;
                self.connect_retry_counter = 0;
                self.failures = 0;
                self.stop_timer(s, Timer::IdleHold);
                self.start(s, event);
            }
            // Events 3 and 5 (and 6/7: they wait for a running IdleHoldTimer).
            Input::AutomaticStart | Input::AutomaticStartPassive => {
                self.passive = input == Input::AutomaticStartPassive;
                self.started = true;
                self.connect_retry_counter = 0;
                if !self.timers.armed(Timer::IdleHold) {
                    self.start(s, event);
                }
            }
            // Event 13: the back-off is over.
            Input::IdleHoldTimerExpires if self.started => self.start(s, event),
            // Event 2: no restart.
            Input::ManualStop(_) => {
                self.started = false;
                self.connect_retry_counter = 0;
                self.failures = 0;
                self.stop_timer(s, Timer::IdleHold);
            }
            // Events 8-12, 14-28: no change in Idle.
            _ => {}
        }
    }

    /// Idle → Connect (connect and listen) or Active (listen only).
    fn start(&mut self, s: &mut Step<'_>, event: Event) {
        if self.passive {
            self.enter(s, State::Active, event, Reason::Progress);
        } else {
            self.start_timer(s, Timer::ConnectRetry, self.config.connect_retry_time);
            s.out.push(Action::Connect);
            self.conn = Conn::Connecting;
            self.enter(s, State::Connect, event, Reason::Progress);
        }
    }

    // ----- Connect and Active -----

    fn connect_or_active(&mut self, s: &mut Step<'_>, input: Input) {
        let event = input.event();
        let delay_open_running = self.timers.armed(Timer::DelayOpen);
        match input {
            // Events 1, 3-7: ignored.
            Input::ManualStart
            | Input::AutomaticStart
            | Input::ManualStartPassive
            | Input::AutomaticStartPassive => {}
            // Event 2.
            Input::ManualStop(n) => {
                let reason = if delay_open_running && self.config.send_notification_without_open {
                    self.send_notification(s, n)
                } else {
                    Reason::NotSent(n)
                };
                self.close(s, event, reason, Close::Stop);
            }
            // Event 9: drop any connection, connect again.
            Input::ConnectRetryTimerExpires => {
                self.drop_connection(s);
                self.stop_timer(s, Timer::DelayOpen);
                self.start_timer(s, Timer::ConnectRetry, self.config.connect_retry_time);
                s.out.push(Action::Connect);
                self.conn = Conn::Connecting;
                self.enter(s, State::Connect, event, Reason::Progress);
            }
            // Event 12.
            Input::DelayOpenTimerExpires => {
                self.stop_timer(s, Timer::ConnectRetry);
                self.send_open(s, event);
            }
            // Events 14, 15: nothing to track.
            Input::TcpConnectionValid | Input::TcpCrInvalid => {}
            // Events 16, 17.
            Input::TcpCrAcked | Input::TcpConnectionConfirmed => {
                if self.conn == Conn::Up {
                    // A second connection: the driver's (collision).
                    return;
                }
                self.conn = Conn::Up;
                self.stop_timer(s, Timer::ConnectRetry);
                match self.config.delay_open_time {
                    Some(d) => self.start_timer(s, Timer::DelayOpen, d),
                    None => self.send_open(s, event),
                }
            }
            // Event 18.
            Input::TcpConnectionFails => {
                if self.state == State::Connect {
                    // With DelayOpenTimer running as the RFC says; without
                    // it, Active instead of Idle (see the module doc).
                    self.stop_timer(s, Timer::DelayOpen);
                    self.drop_connection(s);
                    self.start_timer(s, Timer::ConnectRetry, self.config.connect_retry_time);
                    self.enter(s, State::Active, event, Reason::ConnectionFailed);
                } else {
                    self.close(s, event, Reason::ConnectionFailed, Close::Failure);
                }
            }
            // Event 20 (or 22 when OPEN checking fails).
            Input::BgpOpen(open) if delay_open_running => {
                match negotiate(&self.local_open, &open, &self.policy) {
                    Ok(n) => {
                        self.stop_timer(s, Timer::ConnectRetry);
                        self.stop_timer(s, Timer::DelayOpen);
                        self.send(s, Outgoing::Open(Box::new(self.local_open.clone())));
                        self.open_received(s, n, Event::BgpOpenWithDelayOpenTimerRunning);
                    }
                    Err(n) => self.fail_before_open(s, Event::BgpOpenMsgErr, n),
                }
            }
            // Events 21, 22.
            Input::BgpHeaderErr(n) | Input::BgpOpenMsgErr(n) => self.fail_before_open(s, event, n),
            // Event 24 with DelayOpenTimer running: no damping.
            Input::NotifMsg(n) if is_version_error(&n) && delay_open_running => {
                self.close(s, event, Reason::Received(n), Close::Quiet);
            }
            // Event 24 without it, and event 25 (an "other event").
            Input::NotifMsg(n) => self.close(s, event, Reason::Received(n), Close::Failure),
            // Event 8.
            Input::AutomaticStop(n) => self.close(s, event, Reason::NotSent(n), Close::Failure),
            // Events 10-11, 13, 19 (DelayOpenTimer not running), 23, 26-28, ROUTE-REFRESH.
            Input::HoldTimerExpires
            | Input::KeepaliveTimerExpires
            | Input::IdleHoldTimerExpires
            | Input::BgpOpen(_)
            | Input::OpenCollisionDump
            | Input::KeepAliveMsg
            | Input::UpdateMsg(_)
            | Input::UpdateMsgErr(_)
            | Input::RouteRefreshMsg(_) => self.close(s, event, Reason::Unexpected, Close::Failure),
        }
    }

    /// Events 21 and 22 before our OPEN: a NOTIFICATION only with
    /// SendNOTIFICATIONwithoutOPEN.
    fn fail_before_open(&mut self, s: &mut Step<'_>, event: Event, n: Notification) {
        let reason = if self.config.send_notification_without_open {
            self.send_notification(s, n)
        } else {
            Reason::NotSent(n)
        };
        self.close(s, event, reason, Close::Failure);
    }

    // ----- OpenSent -----

    fn open_sent(&mut self, s: &mut Step<'_>, input: Input) {
        let event = input.event();
        match input {
            Input::ManualStart
            | Input::AutomaticStart
            | Input::ManualStartPassive
            | Input::AutomaticStartPassive => {}
            Input::ManualStop(n) => self.fail_with(s, event, n, Close::Stop),
            Input::AutomaticStop(n) => self.fail_with(s, event, n, Close::Failure),
            Input::HoldTimerExpires => {
                self.fail_with(s, event, hold_timer_expired(), Close::Failure)
            }
            // A second connection is tracked by the driver.
            Input::TcpConnectionValid
            | Input::TcpCrInvalid
            | Input::TcpCrAcked
            | Input::TcpConnectionConfirmed => {}
            Input::TcpConnectionFails => {
                self.stop_timer(s, Timer::Hold);
                self.drop_connection(s);
                if !self.passive {
                    self.start_timer(s, Timer::ConnectRetry, self.config.connect_retry_time);
                }
                self.enter(s, State::Active, event, Reason::ConnectionFailed);
            }
            // Event 19 (or 22).
            Input::BgpOpen(open) => match negotiate(&self.local_open, &open, &self.policy) {
                Ok(n) => {
                    self.stop_timer(s, Timer::DelayOpen);
                    self.stop_timer(s, Timer::ConnectRetry);
                    self.open_received(s, n, event);
                }
                Err(n) => self.fail_with(s, Event::BgpOpenMsgErr, n, Close::Failure),
            },
            Input::BgpHeaderErr(n) | Input::BgpOpenMsgErr(n) => {
                self.fail_with(s, event, n, Close::Failure)
            }
            Input::OpenCollisionDump => {
                self.fail_with(s, event, collision::notification(), Close::Failure)
            }
            Input::NotifMsg(n) if is_version_error(&n) => {
                self.close(s, event, Reason::Received(n), Close::Quiet)
            }
            Input::NotifMsg(n) => self.close(s, event, Reason::Received(n), Close::Failure),
            Input::KeepAliveMsg
            | Input::UpdateMsg(_)
            | Input::UpdateMsgErr(_)
            | Input::RouteRefreshMsg(_) => {
                let n = unexpected(codes::FSM_UNEXPECTED_IN_OPENSENT, &input);
                self.fail_with(s, event, n, Close::Failure);
            }
            Input::ConnectRetryTimerExpires
            | Input::KeepaliveTimerExpires
            | Input::DelayOpenTimerExpires
            | Input::IdleHoldTimerExpires => {
                self.fail_with(s, event, fsm_unspecified(), Close::Failure)
            }
        }
    }

    /// A valid OPEN: KEEPALIVE, negotiated timers, OpenConfirm.
    fn open_received(&mut self, s: &mut Step<'_>, n: Negotiated, event: Event) {
        self.send(s, Outgoing::Keepalive);
        if n.hold_time > 0 {
            self.start_timer(s, Timer::Keepalive, n.keepalive_duration());
            self.start_timer(s, Timer::Hold, n.hold_duration());
        } else {
            self.stop_timer(s, Timer::Keepalive);
            self.stop_timer(s, Timer::Hold);
        }
        self.negotiated = Some(Box::new(n));
        self.enter(s, State::OpenConfirm, event, Reason::Progress);
    }

    // ----- OpenConfirm -----

    fn open_confirm(&mut self, s: &mut Step<'_>, input: Input) {
        let event = input.event();
        match input {
            Input::ManualStart
            | Input::AutomaticStart
            | Input::ManualStartPassive
            | Input::AutomaticStartPassive => {}
            Input::ManualStop(n) => self.fail_with(s, event, n, Close::Stop),
            Input::AutomaticStop(n) => self.fail_with(s, event, n, Close::Failure),
            Input::HoldTimerExpires => {
                self.fail_with(s, event, hold_timer_expired(), Close::Failure)
            }
            Input::KeepaliveTimerExpires => self.keepalive(s),
            Input::TcpConnectionValid
            | Input::TcpCrInvalid
            | Input::TcpCrAcked
            | Input::TcpConnectionConfirmed => {}
            Input::TcpConnectionFails => {
                self.close(s, event, Reason::ConnectionFailed, Close::Failure)
            }
            Input::NotifMsg(n) if is_version_error(&n) => {
                self.close(s, event, Reason::Received(n), Close::Quiet)
            }
            Input::NotifMsg(n) => self.close(s, event, Reason::Received(n), Close::Failure),
            Input::BgpHeaderErr(n) | Input::BgpOpenMsgErr(n) => {
                self.fail_with(s, event, n, Close::Failure)
            }
            Input::OpenCollisionDump => {
                self.fail_with(s, event, collision::notification(), Close::Failure)
            }
            // Event 26: the session is up.
            Input::KeepAliveMsg => {
                if let Some(n) = self.negotiated.as_deref() {
                    let (hold, up) = (n.hold_duration(), Box::new(n.clone()));
                    if !hold.is_zero() {
                        self.start_timer(s, Timer::Hold, hold);
                    }
                    self.established_at = Some(s.now);
                    s.out.push(Action::SessionUp(up));
                    self.enter(s, State::Established, event, Reason::Progress);
                }
            }
            // A second OPEN on this connection, UPDATE, ROUTE-REFRESH: RFC 6608.
            Input::BgpOpen(_)
            | Input::UpdateMsg(_)
            | Input::UpdateMsgErr(_)
            | Input::RouteRefreshMsg(_) => {
                let n = unexpected(codes::FSM_UNEXPECTED_IN_OPENCONFIRM, &input);
                self.fail_with(s, event, n, Close::Failure);
            }
            Input::ConnectRetryTimerExpires
            | Input::DelayOpenTimerExpires
            | Input::IdleHoldTimerExpires => {
                self.fail_with(s, event, fsm_unspecified(), Close::Failure)
            }
        }
    }

    // ----- Established -----

    fn established(&mut self, s: &mut Step<'_>, input: Input) {
        let event = input.event();
        match input {
            Input::ManualStart
            | Input::AutomaticStart
            | Input::ManualStartPassive
            | Input::AutomaticStartPassive => {}
            Input::ManualStop(n) => self.fail_with(s, event, n, Close::Stop),
            Input::AutomaticStop(n) => self.fail_with(s, event, n, Close::Failure),
            Input::HoldTimerExpires => {
                self.fail_with(s, event, hold_timer_expired(), Close::Failure)
            }
            Input::KeepaliveTimerExpires => self.keepalive(s),
            Input::TcpConnectionValid
            | Input::TcpCrInvalid
            | Input::TcpCrAcked
            | Input::TcpConnectionConfirmed => {}
            Input::OpenCollisionDump => {
                self.fail_with(s, event, collision::notification(), Close::Failure)
            }
            // Events 24 and 25 alike here.
            Input::NotifMsg(n) => self.close(s, event, Reason::Received(n), Close::Failure),
            Input::TcpConnectionFails => {
                self.close(s, event, Reason::ConnectionFailed, Close::Failure)
            }
            Input::KeepAliveMsg => self.refresh_hold(s.now),
            Input::UpdateMsg(bytes) => {
                self.refresh_hold(s.now);
                s.out.push(Action::DeliverUpdate(bytes));
            }
            Input::RouteRefreshMsg(rr) => {
                self.refresh_hold(s.now);
                s.out.push(Action::DeliverRouteRefresh(rr));
            }
            Input::UpdateMsgErr(n) | Input::BgpHeaderErr(n) => {
                self.fail_with(s, event, n, Close::Failure)
            }
            Input::BgpOpen(_) | Input::BgpOpenMsgErr(_) => {
                let n = unexpected(codes::FSM_UNEXPECTED_IN_ESTABLISHED, &input);
                self.fail_with(s, event, n, Close::Failure);
            }
            Input::ConnectRetryTimerExpires
            | Input::DelayOpenTimerExpires
            | Input::IdleHoldTimerExpires => {
                self.fail_with(s, event, fsm_unspecified(), Close::Failure)
            }
        }
    }

    /// Event 11 in OpenConfirm and Established.
    fn keepalive(&mut self, s: &mut Step<'_>) {
        self.send(s, Outgoing::Keepalive);
        if let Some(d) = self.negotiated.as_ref().map(|n| n.keepalive_duration()) {
            if !d.is_zero() {
                self.start_timer(s, Timer::Keepalive, d);
            }
        }
    }

    /// Moves the lazy HoldTimer's deadline (Established).
    fn refresh_hold(&mut self, now: Duration) {
        if let (true, Some(n)) = (self.timers.armed(Timer::Hold), self.negotiated.as_deref()) {
            self.timers
                .set(Timer::Hold, now.saturating_add(n.hold_duration()));
        }
    }

    // ----- helpers -----

    /// Sends our OPEN, arms the large HoldTimer, enters OpenSent.
    fn send_open(&mut self, s: &mut Step<'_>, event: Event) {
        self.send(s, Outgoing::Open(Box::new(self.local_open.clone())));
        self.start_timer(s, Timer::Hold, self.config.open_sent_hold_time);
        self.enter(s, State::OpenSent, event, Reason::Progress);
    }

    /// Sends `n` (if there is a connection) and goes to Idle.
    fn fail_with(&mut self, s: &mut Step<'_>, event: Event, n: Notification, how: Close) {
        let reason = self.send_notification(s, n);
        self.close(s, event, reason, how);
    }

    /// Sends a NOTIFICATION if there is a connection; the reason to report.
    fn send_notification(&mut self, s: &mut Step<'_>, n: Notification) -> Reason {
        if self.conn == Conn::Up {
            s.out.push(Action::Send(Outgoing::Notification(n.clone())));
            Reason::Sent(n)
        } else {
            Reason::NotSent(n)
        }
    }

    fn send(&mut self, s: &mut Step<'_>, m: Outgoing) {
        if self.conn == Conn::Up {
            s.out.push(Action::Send(m));
        }
    }

    fn drop_connection(&mut self, s: &mut Step<'_>) {
        if self.conn != Conn::None {
            s.out.push(Action::Disconnect);
            self.conn = Conn::None;
        }
    }

    /// Goes to Idle: disarms the timers, drops the connection, reports the
    /// session down, counts the failure and arms the IdleHoldTimer.
    fn close(&mut self, s: &mut Step<'_>, event: Event, reason: Reason, how: Close) {
        for t in [
            Timer::ConnectRetry,
            Timer::Hold,
            Timer::Keepalive,
            Timer::DelayOpen,
        ] {
            self.stop_timer(s, t);
        }
        self.drop_connection(s);
        // A peer that closes an Established session with a Cease (an
        // operator's reset, a reconfiguration, a reboot) did nothing wrong:
        // it may come back at once, as with BIRD, FRR and OpenBGPD. Only
        // errors count towards the back-off.
        let peer_cease = self.state == State::Established
            && matches!(&reason, Reason::Received(n) if n.code == condor_wire::notification::codes::CEASE);
        if self.state == State::Established {
            s.out.push(Action::SessionDown(reason.clone()));
            if let Some(at) = self.established_at.take() {
                if s.now.saturating_sub(at) >= self.config.idle_hold.forget_after {
                    self.failures = 0;
                }
            }
        }
        self.negotiated = None;
        match how {
            Close::Failure if peer_cease => {}
            Close::Failure => {
                self.connect_retry_counter = self.connect_retry_counter.saturating_add(1);
                self.failures = self.failures.saturating_add(1);
            }
            Close::Quiet => {}
            Close::Stop => {
                self.started = false;
                self.connect_retry_counter = 0;
                self.failures = 0;
            }
        }
        if self.started {
            let d = if peer_cease && self.failures == 0 {
                Duration::ZERO
            } else {
                self.config.idle_hold.delay(self.failures)
            };
            self.start_timer(s, Timer::IdleHold, d);
        } else {
            self.stop_timer(s, Timer::IdleHold);
        }
        self.enter(s, State::Idle, event, reason);
    }

    fn start_timer(&mut self, s: &mut Step<'_>, t: Timer, d: Duration) {
        self.timers.set(t, s.now.saturating_add(d));
        s.out.push(Action::StartTimer(t, d));
    }

    fn stop_timer(&mut self, s: &mut Step<'_>, t: Timer) {
        if self.timers.clear(t) {
            s.out.push(Action::StopTimer(t));
        }
    }

    fn enter(&mut self, s: &mut Step<'_>, to: State, event: Event, reason: Reason) {
        if to != self.state {
            s.out.push(Action::Transition(Transition {
                from: self.state,
                to,
                event,
                reason,
            }));
            self.state = to;
        }
    }
}

/// The time and output buffer of one step.
struct Step<'a> {
    now: Duration,
    out: &'a mut Vec<Action>,
}

/// NOTIFICATION Hold Timer Expired (4/0).
fn hold_timer_expired() -> Notification {
    Notification::new(codes::HOLD_TIMER_EXPIRED, 0, Vec::new())
}

/// NOTIFICATION FSM Error / Unspecified (5/0), for an event that is not a message.
fn fsm_unspecified() -> Notification {
    Notification::new(codes::FSM, 0, Vec::new())
}

/// NOTIFICATION FSM Error with an RFC 6608 subcode and the unexpected
/// message's type as data.
fn unexpected(subcode: u8, input: &Input) -> Notification {
    let t = match input {
        Input::BgpOpen(_) | Input::BgpOpenMsgErr(_) => MessageType::Open,
        Input::UpdateMsg(_) | Input::UpdateMsgErr(_) => MessageType::Update,
        Input::NotifMsg(_) => MessageType::Notification,
        Input::KeepAliveMsg => MessageType::Keepalive,
        _ => MessageType::RouteRefresh,
    };
    Notification::new(codes::FSM, subcode, vec![t as u8])
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod invariants;
