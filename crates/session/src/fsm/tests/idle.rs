//! Idle state rows of RFC 4271 §8.2.2.

use super::*;

#[test]
fn idle_manual_start_connects_and_listens() {
    let mut f = fsm(FsmConfig::default());
    check(
        &mut f,
        T0,
        Input::ManualStart,
        State::Connect,
        vec![
            StartTimer(Timer::ConnectRetry, secs(120)),
            Connect,
            tr(
                State::Idle,
                State::Connect,
                Event::ManualStart,
                Reason::Progress,
            ),
        ],
    );
    assert!(f.is_started());
    assert!(f.accepts_connections());
}

#[test]
fn idle_automatic_start_connects_and_listens() {
    let mut f = fsm(FsmConfig::default());
    check(
        &mut f,
        T0,
        Input::AutomaticStart,
        State::Connect,
        vec![
            StartTimer(Timer::ConnectRetry, secs(120)),
            Connect,
            tr(
                State::Idle,
                State::Connect,
                Event::AutomaticStart,
                Reason::Progress,
            ),
        ],
    );
}

#[test]
fn idle_passive_starts_only_listen() {
    for (input, event) in [
        (
            Input::ManualStartPassive,
            Event::ManualStartWithPassiveTcpEstablishment,
        ),
        (
            Input::AutomaticStartPassive,
            Event::AutomaticStartWithPassiveTcpEstablishment,
        ),
    ] {
        let mut f = fsm(FsmConfig::default());
        // No ConnectRetryTimer: a passive neighbor is never connected to.
        check(
            &mut f,
            T0,
            input,
            State::Active,
            vec![tr(State::Idle, State::Active, event, Reason::Progress)],
        );
        assert!(f.accepts_connections());
    }
}

#[test]
fn idle_ignores_stops_and_other_events() {
    let inputs = vec![
        Input::manual_stop(),
        Input::AutomaticStop(cease()),
        Input::TcpConnectionValid,
        Input::TcpCrInvalid,
        Input::TcpCrAcked,
        Input::TcpConnectionConfirmed,
        Input::TcpConnectionFails,
        Input::BgpOpen(Box::new(member_open())),
        Input::BgpHeaderErr(n(1, 1, &[])),
        Input::BgpOpenMsgErr(n(2, 0, &[])),
        Input::OpenCollisionDump,
        Input::NotifMsg(cease()),
        Input::NotifMsg(n(2, 1, &[0, 4])),
        Input::KeepAliveMsg,
        Input::UpdateMsg(update()),
        Input::UpdateMsgErr(n(3, 1, &[])),
        Input::RouteRefreshMsg(RouteRefresh::new(Family::IPV4_UNICAST)),
    ];
    for input in inputs {
        let mut f = fsm(FsmConfig::default());
        check(&mut f, T0, input, State::Idle, vec![]);
        assert!(!f.accepts_connections());
    }
}

#[test]
fn idle_hold_timer_expiry_restarts_as_the_last_start_did() {
    let mut f = open_sent();
    feed(&mut f, T0, [Input::NotifMsg(cease())]);
    assert_eq!(f.state(), State::Idle);
    assert_eq!(f.timer_deadline(Timer::IdleHold), Some(T0 + secs(5)));
    check(
        &mut f,
        T0 + secs(5),
        Input::IdleHoldTimerExpires,
        State::Connect,
        vec![
            StartTimer(Timer::ConnectRetry, secs(120)),
            Connect,
            tr(
                State::Idle,
                State::Connect,
                Event::IdleHoldTimerExpires,
                Reason::Progress,
            ),
        ],
    );

    // Passive: back to listening.
    let mut f = active_passive(FsmConfig::default());
    feed(
        &mut f,
        T0,
        [Input::TcpConnectionConfirmed, Input::NotifMsg(cease())],
    );
    check(
        &mut f,
        T0 + secs(5),
        Input::IdleHoldTimerExpires,
        State::Active,
        vec![tr(
            State::Idle,
            State::Active,
            Event::IdleHoldTimerExpires,
            Reason::Progress,
        )],
    );
}

#[test]
fn idle_automatic_start_waits_for_the_idle_hold_timer() {
    // Events 6/7 (AutomaticStart with DampPeerOscillations).
    let mut f = open_sent();
    feed(&mut f, T0, [Input::NotifMsg(cease())]);
    check(
        &mut f,
        T0 + secs(1),
        Input::AutomaticStart,
        State::Idle,
        vec![],
    );
    check(
        &mut f,
        T0 + secs(5),
        Input::IdleHoldTimerExpires,
        State::Connect,
        vec![
            StartTimer(Timer::ConnectRetry, secs(120)),
            Connect,
            tr(
                State::Idle,
                State::Connect,
                Event::IdleHoldTimerExpires,
                Reason::Progress,
            ),
        ],
    );
}

#[test]
fn idle_manual_start_bypasses_and_clears_the_back_off() {
    let mut f = open_sent();
    feed(&mut f, T0, [Input::NotifMsg(cease())]);
    assert_eq!(f.consecutive_failures(), 1);
    check(
        &mut f,
        T0 + secs(1),
        Input::ManualStart,
        State::Connect,
        vec![
            StopTimer(Timer::IdleHold),
            StartTimer(Timer::ConnectRetry, secs(120)),
            Connect,
            tr(
                State::Idle,
                State::Connect,
                Event::ManualStart,
                Reason::Progress,
            ),
        ],
    );
    assert_eq!(
        (f.consecutive_failures(), f.connect_retry_counter()),
        (0, 0)
    );
}

#[test]
fn idle_manual_stop_cancels_a_pending_restart() {
    let mut f = open_sent();
    feed(&mut f, T0, [Input::NotifMsg(cease())]);
    check(
        &mut f,
        T0 + secs(1),
        Input::manual_stop(),
        State::Idle,
        vec![StopTimer(Timer::IdleHold)],
    );
    assert!(!f.is_started());
    // The expiry that raced with the stop is stale.
    check(
        &mut f,
        T0 + secs(5),
        Input::IdleHoldTimerExpires,
        State::Idle,
        vec![],
    );
}
