//! OpenSent state rows of RFC 4271 §8.2.2.

use super::*;

#[test]
fn open_sent_ignores_start_events_and_second_connections() {
    let mut inputs = starts().to_vec();
    inputs.extend([
        Input::TcpConnectionValid,
        Input::TcpCrInvalid,
        Input::TcpCrAcked,
        Input::TcpConnectionConfirmed,
    ]);
    for input in inputs {
        let mut f = open_sent();
        check(&mut f, T0, input, State::OpenSent, vec![]);
    }
}

#[test]
fn open_sent_manual_stop_sends_cease() {
    let mut f = open_sent();
    check(
        &mut f,
        T0,
        Input::manual_stop(),
        State::Idle,
        vec![
            send_n(cease()),
            StopTimer(Timer::Hold),
            Disconnect,
            tr(
                State::OpenSent,
                State::Idle,
                Event::ManualStop,
                Reason::Sent(cease()),
            ),
        ],
    );
    assert_eq!(f.connect_retry_counter(), 0);
    assert!(!f.is_started());
}

#[test]
fn open_sent_automatic_stop_sends_its_cease_and_restarts_later() {
    let mut f = open_sent();
    let max = n(6, 1, &[0, 1, 1, 0, 0, 0, 100]);
    check(
        &mut f,
        T0,
        Input::AutomaticStop(max.clone()),
        State::Idle,
        vec![
            send_n(max.clone()),
            StopTimer(Timer::Hold),
            Disconnect,
            StartTimer(Timer::IdleHold, secs(5)),
            tr(
                State::OpenSent,
                State::Idle,
                Event::AutomaticStop,
                Reason::Sent(max),
            ),
        ],
    );
    assert_eq!(f.connect_retry_counter(), 1);
    assert!(f.is_started());
}

#[test]
fn open_sent_hold_timer_expiry_sends_4_0() {
    let mut f = open_sent();
    check(
        &mut f,
        T0 + secs(240),
        Input::HoldTimerExpires,
        State::Idle,
        vec![
            send_n(n(4, 0, &[])),
            Disconnect,
            StartTimer(Timer::IdleHold, secs(5)),
            tr(
                State::OpenSent,
                State::Idle,
                Event::HoldTimerExpires,
                Reason::Sent(n(4, 0, &[])),
            ),
        ],
    );
}

#[test]
fn open_sent_tcp_failure_goes_active() {
    let mut f = open_sent();
    check(
        &mut f,
        T0,
        Input::TcpConnectionFails,
        State::Active,
        vec![
            StopTimer(Timer::Hold),
            Disconnect,
            StartTimer(Timer::ConnectRetry, secs(120)),
            tr(
                State::OpenSent,
                State::Active,
                Event::TcpConnectionFails,
                Reason::ConnectionFailed,
            ),
        ],
    );
    // Passive: listen again, never connect.
    let mut f = active_passive(FsmConfig::default());
    feed(&mut f, T0, [Input::TcpConnectionConfirmed]);
    check(
        &mut f,
        T0,
        Input::TcpConnectionFails,
        State::Active,
        vec![
            StopTimer(Timer::Hold),
            Disconnect,
            tr(
                State::OpenSent,
                State::Active,
                Event::TcpConnectionFails,
                Reason::ConnectionFailed,
            ),
        ],
    );
}

#[test]
fn open_sent_valid_open_goes_open_confirm() {
    let mut f = open_sent();
    assert_eq!(f.codec(), Context::default());
    check(
        &mut f,
        T0,
        Input::BgpOpen(Box::new(member_open())),
        State::OpenConfirm,
        vec![
            keepalive(),
            StartTimer(Timer::Keepalive, secs(30)),
            StartTimer(Timer::Hold, secs(90)),
            tr(
                State::OpenSent,
                State::OpenConfirm,
                Event::BgpOpen,
                Reason::Progress,
            ),
        ],
    );
    assert!(
        f.codec().four_octet_as,
        "the negotiated codec applies from OpenConfirm on"
    );
}

#[test]
fn open_sent_zero_hold_time_arms_no_timers() {
    let mut f = open_sent();
    let mut o = member_open();
    o.hold_time = 0;
    check(
        &mut f,
        T0,
        Input::BgpOpen(Box::new(o)),
        State::OpenConfirm,
        vec![
            keepalive(),
            StopTimer(Timer::Hold),
            tr(
                State::OpenSent,
                State::OpenConfirm,
                Event::BgpOpen,
                Reason::Progress,
            ),
        ],
    );
    // KEEPALIVE: Established without a HoldTimer.
    let got = f.step(T0, Input::KeepAliveMsg);
    assert_eq!(f.state(), State::Established);
    assert!(!got.iter().any(|a| matches!(a, StartTimer(..))));
    assert!(!f.timers.armed(Timer::Hold) && !f.timers.armed(Timer::Keepalive));
}

#[test]
fn open_sent_errors_send_their_notification() {
    for (input, event, x) in [
        (
            Input::BgpOpen(Box::new(bad_open())),
            Event::BgpOpenMsgErr,
            n(2, 2, &[]),
        ),
        (
            Input::BgpHeaderErr(n(1, 3, &[9])),
            Event::BgpHeaderErr,
            n(1, 3, &[9]),
        ),
        (
            Input::BgpOpenMsgErr(n(2, 4, &[])),
            Event::BgpOpenMsgErr,
            n(2, 4, &[]),
        ),
        (
            Input::OpenCollisionDump,
            Event::OpenCollisionDump,
            n(6, 7, &[]),
        ),
        // RFC 6608: unexpected messages, with their type as data.
        (Input::KeepAliveMsg, Event::KeepAliveMsg, n(5, 1, &[4])),
        (Input::UpdateMsg(update()), Event::UpdateMsg, n(5, 1, &[2])),
        (
            Input::UpdateMsgErr(n(3, 1, &[])),
            Event::UpdateMsgErr,
            n(5, 1, &[2]),
        ),
        (
            Input::RouteRefreshMsg(RouteRefresh::new(Family::IPV4_UNICAST)),
            Event::RouteRefreshMsg,
            n(5, 1, &[5]),
        ),
    ] {
        let mut f = open_sent();
        check(
            &mut f,
            T0,
            input,
            State::Idle,
            vec![
                send_n(x.clone()),
                StopTimer(Timer::Hold),
                Disconnect,
                StartTimer(Timer::IdleHold, secs(5)),
                tr(State::OpenSent, State::Idle, event, Reason::Sent(x)),
            ],
        );
        assert_eq!(f.connect_retry_counter(), 1);
    }
}

#[test]
fn open_sent_notifications_close_without_reply() {
    let ver = n(2, 1, &[0, 4]);
    for (x, event, counted) in [
        (ver, Event::NotifMsgVerErr, 0),
        (cease(), Event::NotifMsg, 1),
    ] {
        let mut f = open_sent();
        check(
            &mut f,
            T0,
            Input::NotifMsg(x.clone()),
            State::Idle,
            vec![
                StopTimer(Timer::Hold),
                Disconnect,
                StartTimer(Timer::IdleHold, secs(5)),
                tr(State::OpenSent, State::Idle, event, Reason::Received(x)),
            ],
        );
        assert_eq!(f.connect_retry_counter(), counted);
    }
}
