//! Connect state rows of RFC 4271 §8.2.2.

use super::*;

#[test]
fn connect_ignores_start_events() {
    for input in starts() {
        let mut f = connect(FsmConfig::default());
        check(&mut f, T0, input, State::Connect, vec![]);
    }
}

#[test]
fn connect_manual_stop_drops_the_attempt() {
    let mut f = connect(FsmConfig::default());
    check(
        &mut f,
        T0,
        Input::manual_stop(),
        State::Idle,
        vec![
            StopTimer(Timer::ConnectRetry),
            Disconnect,
            tr(
                State::Connect,
                State::Idle,
                Event::ManualStop,
                Reason::NotSent(cease()),
            ),
        ],
    );
    assert!(!f.is_started());
    assert_eq!(f.connect_retry_counter(), 0);
}

#[test]
fn connect_manual_stop_while_delaying_open_sends_a_cease() {
    let mut f = connect_delaying();
    check(
        &mut f,
        T0,
        Input::manual_stop(),
        State::Idle,
        vec![
            send_n(cease()),
            StopTimer(Timer::DelayOpen),
            Disconnect,
            tr(
                State::Connect,
                State::Idle,
                Event::ManualStop,
                Reason::Sent(cease()),
            ),
        ],
    );
}

#[test]
fn connect_retry_timer_expiry_reconnects() {
    let mut f = connect(FsmConfig::default());
    check(
        &mut f,
        T0 + secs(120),
        Input::ConnectRetryTimerExpires,
        State::Connect,
        vec![
            Disconnect,
            StartTimer(Timer::ConnectRetry, secs(120)),
            Connect,
        ],
    );
    // With DelayOpenTimer running: that connection is dropped too.
    let mut f = connect_delaying();
    f.timers.set(Timer::ConnectRetry, T0 + secs(1));
    check(
        &mut f,
        T0 + secs(1),
        Input::ConnectRetryTimerExpires,
        State::Connect,
        vec![
            Disconnect,
            StopTimer(Timer::DelayOpen),
            StartTimer(Timer::ConnectRetry, secs(120)),
            Connect,
        ],
    );
    assert!(!f.has_connection());
}

#[test]
fn connect_delay_open_timer_expiry_sends_open() {
    let mut f = connect_delaying();
    let open = our_open(&f);
    check(
        &mut f,
        T0 + secs(5),
        Input::DelayOpenTimerExpires,
        State::OpenSent,
        vec![
            open,
            StartTimer(Timer::Hold, secs(240)),
            tr(
                State::Connect,
                State::OpenSent,
                Event::DelayOpenTimerExpires,
                Reason::Progress,
            ),
        ],
    );
}

#[test]
fn connect_tcp_request_events_change_nothing() {
    for input in [Input::TcpConnectionValid, Input::TcpCrInvalid] {
        let mut f = connect(FsmConfig::default());
        check(&mut f, T0, input, State::Connect, vec![]);
    }
}

#[test]
fn connect_tcp_success_without_delay_open_sends_open() {
    for (input, event) in [
        (Input::TcpCrAcked, Event::TcpCrAcked),
        (Input::TcpConnectionConfirmed, Event::TcpConnectionConfirmed),
    ] {
        let mut f = connect(FsmConfig::default());
        let open = our_open(&f);
        check(
            &mut f,
            T0,
            input,
            State::OpenSent,
            vec![
                StopTimer(Timer::ConnectRetry),
                open,
                StartTimer(Timer::Hold, secs(240)),
                tr(State::Connect, State::OpenSent, event, Reason::Progress),
            ],
        );
        assert!(f.has_connection());
        assert!(!f.accepts_connections());
    }
}

#[test]
fn connect_tcp_success_with_delay_open_waits() {
    for input in [Input::TcpCrAcked, Input::TcpConnectionConfirmed] {
        let mut f = connect(delay_open());
        check(
            &mut f,
            T0,
            input,
            State::Connect,
            vec![
                StopTimer(Timer::ConnectRetry),
                StartTimer(Timer::DelayOpen, secs(5)),
            ],
        );
    }
}

#[test]
fn connect_second_connection_while_delaying_is_left_to_the_driver() {
    let mut f = connect_delaying();
    check(
        &mut f,
        T0,
        Input::TcpConnectionConfirmed,
        State::Connect,
        vec![],
    );
}

#[test]
fn connect_tcp_failure_while_delaying_open_goes_active() {
    let mut f = connect_delaying();
    check(
        &mut f,
        T0,
        Input::TcpConnectionFails,
        State::Active,
        vec![
            StopTimer(Timer::DelayOpen),
            Disconnect,
            StartTimer(Timer::ConnectRetry, secs(120)),
            tr(
                State::Connect,
                State::Active,
                Event::TcpConnectionFails,
                Reason::ConnectionFailed,
            ),
        ],
    );
}

#[test]
fn connect_failed_attempt_goes_active_not_idle() {
    // Documented deviation: keep listening, retry after ConnectRetryTime.
    let mut f = connect(FsmConfig::default());
    check(
        &mut f,
        T0 + secs(3),
        Input::TcpConnectionFails,
        State::Active,
        vec![
            Disconnect,
            StartTimer(Timer::ConnectRetry, secs(120)),
            tr(
                State::Connect,
                State::Active,
                Event::TcpConnectionFails,
                Reason::ConnectionFailed,
            ),
        ],
    );
    assert_eq!(f.connect_retry_counter(), 0);
    assert!(f.accepts_connections());
}

#[test]
fn connect_open_while_delaying_goes_open_confirm() {
    // Event 20.
    let mut f = connect_delaying();
    let open = our_open(&f);
    check(
        &mut f,
        T0 + secs(1),
        Input::BgpOpen(Box::new(member_open())),
        State::OpenConfirm,
        vec![
            StopTimer(Timer::DelayOpen),
            open,
            keepalive(),
            StartTimer(Timer::Keepalive, secs(30)),
            StartTimer(Timer::Hold, secs(90)),
            tr(
                State::Connect,
                State::OpenConfirm,
                Event::BgpOpenWithDelayOpenTimerRunning,
                Reason::Progress,
            ),
        ],
    );
    assert_eq!(f.negotiated().map(|n| n.hold_time), Some(90));
}

#[test]
fn connect_bad_open_while_delaying_notifies_without_open() {
    let mut f = connect_delaying();
    check(
        &mut f,
        T0,
        Input::BgpOpen(Box::new(bad_open())),
        State::Idle,
        vec![
            send_n(n(2, 2, &[])),
            StopTimer(Timer::DelayOpen),
            Disconnect,
            StartTimer(Timer::IdleHold, secs(5)),
            tr(
                State::Connect,
                State::Idle,
                Event::BgpOpenMsgErr,
                Reason::Sent(n(2, 2, &[])),
            ),
        ],
    );
    assert_eq!(f.connect_retry_counter(), 1);

    // SendNOTIFICATIONwithoutOPEN off: close silently.
    let mut f = connect(FsmConfig {
        send_notification_without_open: false,
        ..delay_open()
    });
    feed(&mut f, T0, [Input::TcpCrAcked]);
    check(
        &mut f,
        T0,
        Input::BgpOpen(Box::new(bad_open())),
        State::Idle,
        vec![
            StopTimer(Timer::DelayOpen),
            Disconnect,
            StartTimer(Timer::IdleHold, secs(5)),
            tr(
                State::Connect,
                State::Idle,
                Event::BgpOpenMsgErr,
                Reason::NotSent(n(2, 2, &[])),
            ),
        ],
    );
}

#[test]
fn connect_header_and_open_errors_go_idle() {
    for (input, event, x) in [
        (
            Input::BgpHeaderErr(n(1, 2, &[0, 18])),
            Event::BgpHeaderErr,
            n(1, 2, &[0, 18]),
        ),
        (
            Input::BgpOpenMsgErr(n(2, 0, &[])),
            Event::BgpOpenMsgErr,
            n(2, 0, &[]),
        ),
    ] {
        let mut f = connect_delaying();
        check(
            &mut f,
            T0,
            input.clone(),
            State::Idle,
            vec![
                send_n(x.clone()),
                StopTimer(Timer::DelayOpen),
                Disconnect,
                StartTimer(Timer::IdleHold, secs(5)),
                tr(State::Connect, State::Idle, event, Reason::Sent(x.clone())),
            ],
        );
        // Without a connection nothing can be sent.
        let mut f = connect(FsmConfig::default());
        check(
            &mut f,
            T0,
            input,
            State::Idle,
            vec![
                StopTimer(Timer::ConnectRetry),
                Disconnect,
                StartTimer(Timer::IdleHold, secs(5)),
                tr(State::Connect, State::Idle, event, Reason::NotSent(x)),
            ],
        );
    }
}

#[test]
fn connect_version_error_notification() {
    let ver = n(2, 1, &[0, 4]);
    // DelayOpenTimer running: no damping, counter unchanged.
    let mut f = connect_delaying();
    check(
        &mut f,
        T0,
        Input::NotifMsg(ver.clone()),
        State::Idle,
        vec![
            StopTimer(Timer::DelayOpen),
            Disconnect,
            StartTimer(Timer::IdleHold, secs(5)),
            tr(
                State::Connect,
                State::Idle,
                Event::NotifMsgVerErr,
                Reason::Received(ver.clone()),
            ),
        ],
    );
    assert_eq!(
        (f.connect_retry_counter(), f.consecutive_failures()),
        (0, 0)
    );
    // Not running: counted.
    let mut f = connect(FsmConfig::default());
    check(
        &mut f,
        T0,
        Input::NotifMsg(ver.clone()),
        State::Idle,
        vec![
            StopTimer(Timer::ConnectRetry),
            Disconnect,
            StartTimer(Timer::IdleHold, secs(5)),
            tr(
                State::Connect,
                State::Idle,
                Event::NotifMsgVerErr,
                Reason::Received(ver),
            ),
        ],
    );
    assert_eq!(
        (f.connect_retry_counter(), f.consecutive_failures()),
        (1, 1)
    );
}

#[test]
fn connect_other_events_go_idle_with_damping() {
    for (input, event, reason) in other_events() {
        let mut f = connect(FsmConfig::default());
        check(
            &mut f,
            T0,
            input,
            State::Idle,
            vec![
                StopTimer(Timer::ConnectRetry),
                Disconnect,
                StartTimer(Timer::IdleHold, secs(5)),
                tr(State::Connect, State::Idle, event, reason),
            ],
        );
        assert_eq!(f.connect_retry_counter(), 1);
    }
}
