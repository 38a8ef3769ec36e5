//! OpenConfirm state rows of RFC 4271 §8.2.2.

use super::*;

#[test]
fn open_confirm_ignores_start_events_and_second_connections() {
    let mut inputs = starts().to_vec();
    inputs.extend([
        Input::TcpConnectionValid,
        Input::TcpCrInvalid,
        Input::TcpCrAcked,
        Input::TcpConnectionConfirmed,
    ]);
    for input in inputs {
        let mut f = open_confirm();
        check(&mut f, T0, input, State::OpenConfirm, vec![]);
    }
}

#[test]
fn open_confirm_stops() {
    let mut f = open_confirm();
    check(
        &mut f,
        T0,
        Input::manual_stop(),
        State::Idle,
        vec![
            send_n(cease()),
            StopTimer(Timer::Hold),
            StopTimer(Timer::Keepalive),
            Disconnect,
            tr(
                State::OpenConfirm,
                State::Idle,
                Event::ManualStop,
                Reason::Sent(cease()),
            ),
        ],
    );
    assert_eq!(f.connect_retry_counter(), 0);
    let mut f = open_confirm();
    check(
        &mut f,
        T0,
        Input::AutomaticStop(cease()),
        State::Idle,
        vec![
            send_n(cease()),
            StopTimer(Timer::Hold),
            StopTimer(Timer::Keepalive),
            Disconnect,
            StartTimer(Timer::IdleHold, secs(5)),
            tr(
                State::OpenConfirm,
                State::Idle,
                Event::AutomaticStop,
                Reason::Sent(cease()),
            ),
        ],
    );
    assert_eq!(f.connect_retry_counter(), 1);
    assert!(f.negotiated().is_none());
    assert_eq!(f.codec(), Context::default());
}

#[test]
fn open_confirm_hold_timer_expiry_sends_4_0() {
    let mut f = open_confirm();
    check(
        &mut f,
        T0 + secs(90),
        Input::HoldTimerExpires,
        State::Idle,
        vec![
            send_n(n(4, 0, &[])),
            StopTimer(Timer::Keepalive),
            Disconnect,
            StartTimer(Timer::IdleHold, secs(5)),
            tr(
                State::OpenConfirm,
                State::Idle,
                Event::HoldTimerExpires,
                Reason::Sent(n(4, 0, &[])),
            ),
        ],
    );
}

#[test]
fn open_confirm_keepalive_timer_sends_keepalive() {
    let mut f = open_confirm();
    check(
        &mut f,
        T0 + secs(30),
        Input::KeepaliveTimerExpires,
        State::OpenConfirm,
        vec![keepalive(), StartTimer(Timer::Keepalive, secs(30))],
    );
}

#[test]
fn open_confirm_tcp_failure_and_notifications_go_idle() {
    let ver = n(2, 1, &[0, 4]);
    for (input, event, reason, counted) in [
        (
            Input::TcpConnectionFails,
            Event::TcpConnectionFails,
            Reason::ConnectionFailed,
            1,
        ),
        (
            Input::NotifMsg(cease()),
            Event::NotifMsg,
            Reason::Received(cease()),
            1,
        ),
        (
            Input::NotifMsg(ver.clone()),
            Event::NotifMsgVerErr,
            Reason::Received(ver),
            0,
        ),
    ] {
        let mut f = open_confirm();
        check(
            &mut f,
            T0,
            input,
            State::Idle,
            vec![
                StopTimer(Timer::Hold),
                StopTimer(Timer::Keepalive),
                Disconnect,
                StartTimer(Timer::IdleHold, secs(5)),
                tr(State::OpenConfirm, State::Idle, event, reason),
            ],
        );
        assert_eq!(f.connect_retry_counter(), counted);
    }
}

#[test]
fn open_confirm_errors_send_their_notification() {
    for (input, event, x) in [
        (
            Input::OpenCollisionDump,
            Event::OpenCollisionDump,
            n(6, 7, &[]),
        ),
        (
            Input::BgpHeaderErr(n(1, 2, &[0, 5])),
            Event::BgpHeaderErr,
            n(1, 2, &[0, 5]),
        ),
        (
            Input::BgpOpenMsgErr(n(2, 0, &[])),
            Event::BgpOpenMsgErr,
            n(2, 0, &[]),
        ),
        // RFC 6608: a second OPEN, an UPDATE, a ROUTE-REFRESH.
        (
            Input::BgpOpen(Box::new(member_open())),
            Event::BgpOpen,
            n(5, 2, &[1]),
        ),
        (Input::UpdateMsg(update()), Event::UpdateMsg, n(5, 2, &[2])),
        (
            Input::UpdateMsgErr(n(3, 3, &[])),
            Event::UpdateMsgErr,
            n(5, 2, &[2]),
        ),
        (
            Input::RouteRefreshMsg(RouteRefresh::new(Family::IPV6_UNICAST)),
            Event::RouteRefreshMsg,
            n(5, 2, &[5]),
        ),
    ] {
        let mut f = open_confirm();
        check(
            &mut f,
            T0,
            input,
            State::Idle,
            vec![
                send_n(x.clone()),
                StopTimer(Timer::Hold),
                StopTimer(Timer::Keepalive),
                Disconnect,
                StartTimer(Timer::IdleHold, secs(5)),
                tr(State::OpenConfirm, State::Idle, event, Reason::Sent(x)),
            ],
        );
    }
}

#[test]
fn open_confirm_keepalive_establishes_the_session() {
    let mut f = open_confirm();
    let negotiated = f.negotiated().cloned().unwrap();
    check(
        &mut f,
        T0 + secs(1),
        Input::KeepAliveMsg,
        State::Established,
        vec![
            StartTimer(Timer::Hold, secs(90)),
            SessionUp(Box::new(negotiated)),
            tr(
                State::OpenConfirm,
                State::Established,
                Event::KeepAliveMsg,
                Reason::Progress,
            ),
        ],
    );
}
