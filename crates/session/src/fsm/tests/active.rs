//! Active state rows of RFC 4271 §8.2.2.

use super::*;

#[test]
fn active_ignores_start_events() {
    for input in starts() {
        let mut f = active_passive(FsmConfig::default());
        check(&mut f, T0, input, State::Active, vec![]);
    }
}

#[test]
fn active_manual_stop() {
    let mut f = active_passive(FsmConfig::default());
    check(
        &mut f,
        T0,
        Input::manual_stop(),
        State::Idle,
        vec![tr(
            State::Active,
            State::Idle,
            Event::ManualStop,
            Reason::NotSent(cease()),
        )],
    );
    assert!(!f.is_started());
    // DelayOpenTimer running and SendNOTIFICATIONwithoutOPEN: a Cease.
    let mut f = active_delaying();
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
                State::Active,
                State::Idle,
                Event::ManualStop,
                Reason::Sent(cease()),
            ),
        ],
    );
}

#[test]
fn active_connect_retry_timer_expiry_connects() {
    let mut f = active_retrying();
    check(
        &mut f,
        T0 + secs(120),
        Input::ConnectRetryTimerExpires,
        State::Connect,
        vec![
            StartTimer(Timer::ConnectRetry, secs(120)),
            Connect,
            tr(
                State::Active,
                State::Connect,
                Event::ConnectRetryTimerExpires,
                Reason::Progress,
            ),
        ],
    );
}

#[test]
fn active_delay_open_timer_expiry_sends_open() {
    let mut f = active_delaying();
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
                State::Active,
                State::OpenSent,
                Event::DelayOpenTimerExpires,
                Reason::Progress,
            ),
        ],
    );
}

#[test]
fn active_tcp_request_events_change_nothing() {
    for input in [Input::TcpConnectionValid, Input::TcpCrInvalid] {
        let mut f = active_passive(FsmConfig::default());
        check(&mut f, T0, input, State::Active, vec![]);
    }
}

#[test]
fn active_tcp_success_sends_open_or_delays_it() {
    let mut f = active_passive(FsmConfig::default());
    let open = our_open(&f);
    check(
        &mut f,
        T0,
        Input::TcpConnectionConfirmed,
        State::OpenSent,
        vec![
            open.clone(),
            StartTimer(Timer::Hold, secs(240)),
            tr(
                State::Active,
                State::OpenSent,
                Event::TcpConnectionConfirmed,
                Reason::Progress,
            ),
        ],
    );
    // After a failed attempt the ConnectRetryTimer runs and is stopped.
    let mut f = active_retrying();
    check(
        &mut f,
        T0,
        Input::TcpConnectionConfirmed,
        State::OpenSent,
        vec![
            StopTimer(Timer::ConnectRetry),
            open,
            StartTimer(Timer::Hold, secs(240)),
            tr(
                State::Active,
                State::OpenSent,
                Event::TcpConnectionConfirmed,
                Reason::Progress,
            ),
        ],
    );
    let mut f = active_passive(delay_open());
    check(
        &mut f,
        T0,
        Input::TcpConnectionConfirmed,
        State::Active,
        vec![StartTimer(Timer::DelayOpen, secs(5))],
    );
}

#[test]
fn active_tcp_failure_goes_idle() {
    let mut f = active_delaying();
    check(
        &mut f,
        T0,
        Input::TcpConnectionFails,
        State::Idle,
        vec![
            StopTimer(Timer::DelayOpen),
            Disconnect,
            StartTimer(Timer::IdleHold, secs(5)),
            tr(
                State::Active,
                State::Idle,
                Event::TcpConnectionFails,
                Reason::ConnectionFailed,
            ),
        ],
    );
    assert_eq!(f.connect_retry_counter(), 1);
}

#[test]
fn active_open_while_delaying_goes_open_confirm() {
    let mut f = active_delaying();
    let open = our_open(&f);
    check(
        &mut f,
        T0,
        Input::BgpOpen(Box::new(member_open())),
        State::OpenConfirm,
        vec![
            StopTimer(Timer::DelayOpen),
            open,
            keepalive(),
            StartTimer(Timer::Keepalive, secs(30)),
            StartTimer(Timer::Hold, secs(90)),
            tr(
                State::Active,
                State::OpenConfirm,
                Event::BgpOpenWithDelayOpenTimerRunning,
                Reason::Progress,
            ),
        ],
    );
}

#[test]
fn active_header_and_open_errors_go_idle() {
    for (input, event, x) in [
        (
            Input::BgpHeaderErr(n(1, 1, &[])),
            Event::BgpHeaderErr,
            n(1, 1, &[]),
        ),
        (
            Input::BgpOpenMsgErr(n(2, 4, &[])),
            Event::BgpOpenMsgErr,
            n(2, 4, &[]),
        ),
        (
            Input::BgpOpen(Box::new(bad_open())),
            Event::BgpOpenMsgErr,
            n(2, 2, &[]),
        ),
    ] {
        let mut f = active_delaying();
        check(
            &mut f,
            T0,
            input,
            State::Idle,
            vec![
                send_n(x.clone()),
                StopTimer(Timer::DelayOpen),
                Disconnect,
                StartTimer(Timer::IdleHold, secs(5)),
                tr(State::Active, State::Idle, event, Reason::Sent(x)),
            ],
        );
    }
}

#[test]
fn active_version_error_notification() {
    let ver = n(2, 1, &[0, 4]);
    let mut f = active_delaying();
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
                State::Active,
                State::Idle,
                Event::NotifMsgVerErr,
                Reason::Received(ver.clone()),
            ),
        ],
    );
    assert_eq!(f.connect_retry_counter(), 0);
    let mut f = active_retrying();
    check(
        &mut f,
        T0,
        Input::NotifMsg(ver.clone()),
        State::Idle,
        vec![
            StopTimer(Timer::ConnectRetry),
            StartTimer(Timer::IdleHold, secs(5)),
            tr(
                State::Active,
                State::Idle,
                Event::NotifMsgVerErr,
                Reason::Received(ver),
            ),
        ],
    );
    assert_eq!(f.connect_retry_counter(), 1);
}

#[test]
fn active_other_events_go_idle_with_damping() {
    for (input, event, reason) in other_events() {
        let mut f = active_passive(FsmConfig::default());
        check(
            &mut f,
            T0,
            input,
            State::Idle,
            vec![
                StartTimer(Timer::IdleHold, secs(5)),
                tr(State::Active, State::Idle, event, reason),
            ],
        );
        assert_eq!(f.connect_retry_counter(), 1);
    }
}
