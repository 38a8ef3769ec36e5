//! One test per transition RFC 4271 §8.2.2 lists for each state (rows that
//! list several events are table-driven), each asserting the resulting
//! state and the exact actions; then the IdleHold back-off sequence, stale
//! timers and the documented deviations.

use super::*;
use crate::Action::{
    Connect, DeliverRouteRefresh, DeliverUpdate, Disconnect, SessionDown, SessionUp, StartTimer,
    StopTimer,
};
use bytes::Bytes;
use condor_wire::capability::Role;
use condor_wire::{Asn, Capability, Family, RouteRefresh};
use std::net::Ipv4Addr;

const T0: Duration = Duration::from_secs(1_000);

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

fn policy() -> PeerPolicy {
    PeerPolicy::route_server(Asn(64500), Ipv4Addr::new(192, 0, 2, 1), Asn(64511))
}

fn member_open() -> Open {
    Open::new(Asn(64511), 180, Ipv4Addr::new(198, 51, 100, 7))
        .with(Capability::Multiprotocol(Family::IPV4_UNICAST))
        .with(Capability::Multiprotocol(Family::IPV6_UNICAST))
        .with(Capability::RouteRefresh)
        .with(Capability::Role(Role::RouteServerClient))
}

/// An OPEN from the wrong AS: negotiation answers 2/2.
fn bad_open() -> Open {
    Open::new(Asn(64999), 180, Ipv4Addr::new(198, 51, 100, 7))
        .with(Capability::Multiprotocol(Family::IPV4_UNICAST))
}

fn cease() -> Notification {
    Notification::new(6, 2, Vec::new())
}

fn n(code: u8, subcode: u8, data: &[u8]) -> Notification {
    Notification::new(code, subcode, data.to_vec())
}

fn delay_open() -> FsmConfig {
    FsmConfig {
        delay_open_time: Some(secs(5)),
        ..FsmConfig::default()
    }
}

fn fsm(config: FsmConfig) -> Fsm {
    Fsm::new(config, policy()).unwrap()
}

fn tr(from: State, to: State, event: Event, reason: Reason) -> Action {
    Action::Transition(Transition {
        from,
        to,
        event,
        reason,
    })
}

fn send_n(x: Notification) -> Action {
    Action::Send(Outgoing::Notification(x))
}

fn keepalive() -> Action {
    Action::Send(Outgoing::Keepalive)
}

fn our_open(f: &Fsm) -> Action {
    Action::Send(Outgoing::Open(Box::new(f.local_open().clone())))
}

#[track_caller]
fn check(f: &mut Fsm, now: Duration, input: Input, state: State, expected: Vec<Action>) {
    let got = f.step(now, input);
    assert_eq!(got, expected);
    assert_eq!(f.state(), state);
}

/// Steps without checking.
fn feed(f: &mut Fsm, now: Duration, inputs: impl IntoIterator<Item = Input>) {
    for i in inputs {
        f.step(now, i);
    }
}

/// Connect, our outgoing attempt in progress (ConnectRetryTimer armed).
fn connect(config: FsmConfig) -> Fsm {
    let mut f = fsm(config);
    feed(&mut f, T0, [Input::ManualStart]);
    assert_eq!(f.state(), State::Connect);
    f
}

/// Connect with the connection up and the DelayOpenTimer running.
fn connect_delaying() -> Fsm {
    let mut f = connect(delay_open());
    feed(&mut f, T0, [Input::TcpCrAcked]);
    assert!(f.timers.armed(Timer::DelayOpen) && f.has_connection());
    f
}

/// Active after a passive start: listening, nothing armed.
fn active_passive(config: FsmConfig) -> Fsm {
    let mut f = fsm(config);
    feed(&mut f, T0, [Input::ManualStartPassive]);
    assert_eq!(f.state(), State::Active);
    f
}

/// Active with an accepted connection and the DelayOpenTimer running.
fn active_delaying() -> Fsm {
    let mut f = active_passive(delay_open());
    feed(&mut f, T0, [Input::TcpConnectionConfirmed]);
    assert!(f.timers.armed(Timer::DelayOpen) && f.has_connection());
    f
}

/// Active after a failed outgoing attempt: ConnectRetryTimer armed.
fn active_retrying() -> Fsm {
    let mut f = connect(FsmConfig::default());
    feed(&mut f, T0, [Input::TcpConnectionFails]);
    assert_eq!(f.state(), State::Active);
    assert!(f.timers.armed(Timer::ConnectRetry));
    f
}

fn open_sent() -> Fsm {
    let mut f = connect(FsmConfig::default());
    feed(&mut f, T0, [Input::TcpCrAcked]);
    assert_eq!(f.state(), State::OpenSent);
    f
}

fn open_confirm() -> Fsm {
    let mut f = open_sent();
    feed(&mut f, T0, [Input::BgpOpen(Box::new(member_open()))]);
    assert_eq!(f.state(), State::OpenConfirm);
    f
}

fn established() -> Fsm {
    let mut f = open_confirm();
    feed(&mut f, T0, [Input::KeepAliveMsg]);
    assert_eq!(f.state(), State::Established);
    f
}

fn starts() -> [Input; 4] {
    [
        Input::ManualStart,
        Input::AutomaticStart,
        Input::ManualStartPassive,
        Input::AutomaticStartPassive,
    ]
}

fn update() -> Bytes {
    Bytes::from_static(&[0xff; 23])
}

/// The "any other event" row of Connect and Active (events 8, 10-11, 13,
/// 19, 23, 25-28; timer events there are stale, see `stale_timer_events_*`).
fn other_events() -> Vec<(Input, Event, Reason)> {
    vec![
        (
            Input::AutomaticStop(n(6, 1, &[])),
            Event::AutomaticStop,
            Reason::NotSent(n(6, 1, &[])),
        ),
        (
            Input::BgpOpen(Box::new(member_open())),
            Event::BgpOpen,
            Reason::Unexpected,
        ),
        (
            Input::OpenCollisionDump,
            Event::OpenCollisionDump,
            Reason::Unexpected,
        ),
        (
            Input::NotifMsg(cease()),
            Event::NotifMsg,
            Reason::Received(cease()),
        ),
        (Input::KeepAliveMsg, Event::KeepAliveMsg, Reason::Unexpected),
        (
            Input::UpdateMsg(update()),
            Event::UpdateMsg,
            Reason::Unexpected,
        ),
        (
            Input::UpdateMsgErr(n(3, 1, &[])),
            Event::UpdateMsgErr,
            Reason::Unexpected,
        ),
        (
            Input::RouteRefreshMsg(RouteRefresh::new(Family::IPV4_UNICAST)),
            Event::RouteRefreshMsg,
            Reason::Unexpected,
        ),
    ]
}

mod active;
mod connect;
mod established;
mod idle;
mod misc;
mod open_confirm;
mod open_sent;
mod timers;
