//! Property test: random sequences of inputs, at random times, never break
//! the FSM's invariants (checked after every step against a model of what
//! a driver would know from the actions alone).

use super::*;
use bytes::Bytes;
use condor_wire::capability::Role;
use condor_wire::{Asn, Capability, Family, RouteRefresh};
use proptest::prelude::*;
use std::collections::BTreeSet;
use std::net::Ipv4Addr;

fn member_open(hold_time: u16) -> Open {
    let mut o = Open::new(Asn(64511), hold_time, Ipv4Addr::new(198, 51, 100, 7))
        .with(Capability::Multiprotocol(Family::IPV4_UNICAST))
        .with(Capability::Role(Role::RouteServerClient));
    o.hold_time = hold_time;
    o
}

/// The inputs a peer, an operator or the system can produce.
fn menu() -> Vec<Input> {
    let cease = Notification::new(6, 2, Vec::new());
    vec![
        Input::ManualStart,
        Input::manual_stop(),
        Input::AutomaticStart,
        Input::ManualStartPassive,
        Input::AutomaticStartPassive,
        Input::AutomaticStop(Notification::new(6, 1, Vec::new())),
        Input::TcpConnectionValid,
        Input::TcpCrInvalid,
        Input::TcpCrAcked,
        Input::TcpConnectionConfirmed,
        Input::TcpConnectionFails,
        Input::BgpOpen(Box::new(member_open(180))),
        Input::BgpOpen(Box::new(member_open(3))),
        Input::BgpOpen(Box::new(member_open(0))),
        Input::BgpOpen(Box::new(member_open(2))),
        Input::BgpOpen(Box::new(Open::new(
            Asn(65000),
            90,
            Ipv4Addr::new(198, 51, 100, 8),
        ))),
        Input::BgpHeaderErr(Notification::new(1, 2, vec![0, 18])),
        Input::BgpOpenMsgErr(Notification::new(2, 0, Vec::new())),
        Input::OpenCollisionDump,
        Input::NotifMsg(cease),
        Input::NotifMsg(Notification::new(2, 1, vec![0, 4])),
        Input::KeepAliveMsg,
        Input::KeepAliveMsg,
        Input::UpdateMsg(Bytes::from_static(&[0xff; 23])),
        Input::UpdateMsgErr(Notification::new(3, 1, Vec::new())),
        Input::RouteRefreshMsg(RouteRefresh::new(Family::IPV4_UNICAST)),
    ]
}

#[derive(Clone, Debug)]
enum Op {
    /// Feed an input after some milliseconds.
    Input(u64, Input),
    /// Advance to a timer's deadline (if armed) and feed its expiry.
    Fire(Timer),
    /// Advance to the earliest armed deadline and feed that expiry.
    FireNext,
    /// Feed, after some milliseconds, the input that makes progress in the
    /// current state (see [`advance`]).
    Advance(u64, u8),
}

/// The input that moves a session in `state` towards Established (and
/// keeps it there): what a well-behaved peer and driver would produce.
fn advance(state: State, k: u8) -> Input {
    match state {
        State::Idle if k % 2 == 0 => Input::ManualStart,
        State::Idle => Input::AutomaticStartPassive,
        State::Connect => Input::TcpCrAcked,
        State::Active => Input::TcpConnectionConfirmed,
        State::OpenSent => Input::BgpOpen(Box::new(member_open(if k % 3 == 0 { 3 } else { 180 }))),
        State::OpenConfirm | State::Established if k % 2 == 0 => Input::KeepAliveMsg,
        State::OpenConfirm => Input::DelayOpenTimerExpires,
        State::Established => Input::UpdateMsg(Bytes::from_static(&[0xff; 23])),
    }
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0u64..5_000, any::<u8>()).prop_map(|(ms, k)| Op::Advance(ms, k)),
        2 => (0u64..5_000, prop::sample::select(menu())).prop_map(|(ms, i)| Op::Input(ms, i)),
        1 => prop::sample::select(Timer::ALL.to_vec()).prop_map(Op::Fire),
        2 => Just(Op::FireNext),
    ]
}

fn config() -> impl Strategy<Value = FsmConfig> {
    (prop::option::of(1u64..10), any::<bool>()).prop_map(|(delay, without_open)| FsmConfig {
        delay_open_time: delay.map(Duration::from_secs),
        send_notification_without_open: without_open,
        ..FsmConfig::default()
    })
}

/// What a driver knows from the actions alone.
#[derive(Default)]
struct Model {
    armed: BTreeSet<Timer>,
    up: bool,
    /// Our OPEN was sent on the current connection.
    open_sent: bool,
}

fn check_step(
    f: &Fsm,
    m: &mut Model,
    before: State,
    had_conn: bool,
    input: &Input,
    actions: &[Action],
) {
    let after = f.state();
    let tcp_up = matches!(input, Input::TcpCrAcked | Input::TcpConnectionConfirmed);
    // A message can be sent on the connection the FSM had, or on the one
    // this input hands it; never after a Disconnect.
    let mut conn = had_conn || tcp_up;
    let mut disconnected = false;
    let mut transitions = 0;
    let mut session_up_here = false;
    for (i, a) in actions.iter().enumerate() {
        match a {
            Action::Send(msg) => {
                assert!(conn, "send without a connection: {actions:?}");
                if matches!(msg, Outgoing::Open(_)) {
                    m.open_sent = true;
                }
            }
            Action::Disconnect => {
                conn = false;
                disconnected = true;
                m.open_sent = false;
            }
            Action::Connect => assert_eq!(after, State::Connect),
            Action::StartTimer(t, d) => {
                // Only the IdleHoldTimer may be zero: an immediate restart
                // after the peer's Cease.
                assert!(
                    (!d.is_zero() || *t == Timer::IdleHold) && *d <= Duration::from_secs(65_535),
                    "{t} armed for {d:?}"
                );
                m.armed.insert(*t);
            }
            Action::StopTimer(t) => assert!(m.armed.remove(t), "{t} stopped but not armed"),
            Action::SessionUp(n) => {
                assert!(!m.up, "two SessionUp without SessionDown");
                assert!(n.hold_time == 0 || n.hold_time >= 3);
                m.up = true;
                session_up_here = true;
            }
            Action::SessionDown(_) => {
                assert!(m.up, "SessionDown without SessionUp");
                m.up = false;
            }
            Action::DeliverUpdate(_) | Action::DeliverRouteRefresh(_) => {
                assert_eq!(before, State::Established)
            }
            Action::Transition(t) => {
                transitions += 1;
                assert_eq!(i, actions.len() - 1, "the transition comes last");
                assert_eq!((t.from, t.to), (before, after));
                if t.to == State::OpenConfirm {
                    assert!(
                        matches!(input, Input::BgpOpen(_)),
                        "OpenConfirm without an OPEN"
                    );
                    assert!(m.open_sent, "OpenConfirm before our OPEN was sent");
                }
                if t.to == State::Established {
                    assert_eq!(t.from, State::OpenConfirm);
                    assert_eq!(*input, Input::KeepAliveMsg);
                    assert!(session_up_here);
                }
            }
        }
    }
    assert_eq!(
        transitions,
        usize::from(before != after),
        "one transition per state change"
    );
    if f.has_connection() {
        assert!(
            (had_conn && !disconnected) || tcp_up,
            "a connection from nowhere"
        );
    } else if had_conn {
        assert!(
            disconnected,
            "the FSM forgot its connection without a Disconnect"
        );
    }
    if !f.has_connection() {
        m.open_sent = false;
    }
    assert_eq!(m.up, after == State::Established);
    let armed: BTreeSet<Timer> = Timer::ALL
        .into_iter()
        .filter(|t| f.timers.armed(*t))
        .collect();
    assert_eq!(armed, m.armed, "driver and FSM disagree on armed timers");
    if after == State::Idle {
        assert!(!f.has_connection());
        assert!(
            armed.iter().all(|t| *t == Timer::IdleHold),
            "timers left in Idle: {armed:?}"
        );
        // A started session is never stuck in Idle.
        assert_eq!(f.is_started(), armed.contains(&Timer::IdleHold));
    } else {
        assert!(f.is_started());
        assert!(!armed.contains(&Timer::IdleHold));
    }
    if matches!(after, State::OpenConfirm | State::Established) {
        assert!(f.negotiated().is_some());
    } else {
        assert!(f.negotiated().is_none());
        assert_eq!(f.codec(), Context::default());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1024, ..ProptestConfig::default() })]

    #[test]
    fn random_inputs_keep_the_invariants(config in config(), ops in prop::collection::vec(op(), 1..120)) {
        let policy = PeerPolicy::route_server(Asn(64500), Ipv4Addr::new(192, 0, 2, 1), Asn(64511));
        let mut f = Fsm::new(config, policy).unwrap();
        let mut m = Model::default();
        let mut now = Duration::from_secs(10);
        for op in ops {
            let input = match op {
                Op::Input(ms, i) => {
                    now += Duration::from_millis(ms);
                    i
                }
                Op::Advance(ms, k) => {
                    now += Duration::from_millis(ms);
                    advance(f.state(), k)
                }
                Op::FireNext => {
                    let next = Timer::ALL.into_iter().filter_map(|t| Some((f.timer_deadline(t)?, t))).min();
                    let Some((d, t)) = next else { continue };
                    now = now.max(d);
                    m.armed.remove(&t);
                    Input::timer_expired(t)
                }
                Op::Fire(t) => {
                    if let Some(d) = f.timer_deadline(t) {
                        now = now.max(d);
                    }
                    // The driver forgets a timer that fired; a stale one was not armed.
                    m.armed.remove(&t);
                    Input::timer_expired(t)
                }
            };
            let (before, had_conn) = (f.state(), f.has_connection());
            let actions = f.step(now, input.clone());
            check_step(&f, &mut m, before, had_conn, &input, &actions);
        }
    }
}
