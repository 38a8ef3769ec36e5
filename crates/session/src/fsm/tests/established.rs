//! Established state rows of RFC 4271 §8.2.2.

use super::*;

#[test]
fn established_ignores_start_events_and_second_connections() {
    let mut inputs = starts().to_vec();
    inputs.extend([
        Input::TcpConnectionValid,
        Input::TcpCrInvalid,
        Input::TcpCrAcked,
        Input::TcpConnectionConfirmed,
    ]);
    for input in inputs {
        let mut f = established();
        check(&mut f, T0, input, State::Established, vec![]);
    }
}

#[test]
fn established_stops_report_the_session_down() {
    let shutdown = Notification::shutdown(2, "maintenance");
    let mut f = established();
    check(
        &mut f,
        T0,
        Input::ManualStop(shutdown.clone()),
        State::Idle,
        vec![
            send_n(shutdown.clone()),
            StopTimer(Timer::Hold),
            StopTimer(Timer::Keepalive),
            Disconnect,
            SessionDown(Reason::Sent(shutdown.clone())),
            tr(
                State::Established,
                State::Idle,
                Event::ManualStop,
                Reason::Sent(shutdown),
            ),
        ],
    );
    let mut f = established();
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
            SessionDown(Reason::Sent(cease())),
            StartTimer(Timer::IdleHold, secs(5)),
            tr(
                State::Established,
                State::Idle,
                Event::AutomaticStop,
                Reason::Sent(cease()),
            ),
        ],
    );
}

#[test]
fn established_hold_timer_expiry_sends_4_0() {
    let mut f = established();
    check(
        &mut f,
        T0 + secs(90),
        Input::HoldTimerExpires,
        State::Idle,
        vec![
            send_n(n(4, 0, &[])),
            StopTimer(Timer::Keepalive),
            Disconnect,
            SessionDown(Reason::Sent(n(4, 0, &[]))),
            StartTimer(Timer::IdleHold, secs(5)),
            tr(
                State::Established,
                State::Idle,
                Event::HoldTimerExpires,
                Reason::Sent(n(4, 0, &[])),
            ),
        ],
    );
}

#[test]
fn established_hold_timer_is_restarted_lazily() {
    let mut f = established();
    // KEEPALIVE and UPDATE restart the HoldTimer without an action each.
    check(
        &mut f,
        T0 + secs(40),
        Input::KeepAliveMsg,
        State::Established,
        vec![],
    );
    check(
        &mut f,
        T0 + secs(60),
        Input::UpdateMsg(update()),
        State::Established,
        vec![DeliverUpdate(update())],
    );
    // The expiry at the old deadline re-arms for the rest.
    check(
        &mut f,
        T0 + secs(90),
        Input::HoldTimerExpires,
        State::Established,
        vec![StartTimer(Timer::Hold, secs(60))],
    );
    // A ROUTE-REFRESH counts as well.
    let rr = RouteRefresh::new(Family::IPV4_UNICAST);
    check(
        &mut f,
        T0 + secs(100),
        Input::RouteRefreshMsg(rr.clone()),
        State::Established,
        vec![DeliverRouteRefresh(rr)],
    );
    check(
        &mut f,
        T0 + secs(150),
        Input::HoldTimerExpires,
        State::Established,
        vec![StartTimer(Timer::Hold, secs(40))],
    );
    // Silence: it really expires.
    let got = f.step(T0 + secs(190), Input::HoldTimerExpires);
    assert_eq!(f.state(), State::Idle);
    assert_eq!(got[0], send_n(n(4, 0, &[])));
}

#[test]
fn established_keepalive_timer_sends_keepalive() {
    let mut f = established();
    check(
        &mut f,
        T0 + secs(30),
        Input::KeepaliveTimerExpires,
        State::Established,
        vec![keepalive(), StartTimer(Timer::Keepalive, secs(30))],
    );
}

#[test]
fn established_notification_and_tcp_failure_go_idle() {
    let ver = n(2, 1, &[0, 4]);
    for (input, event, reason) in [
        (
            Input::NotifMsg(cease()),
            Event::NotifMsg,
            Reason::Received(cease()),
        ),
        (
            Input::NotifMsg(ver.clone()),
            Event::NotifMsgVerErr,
            Reason::Received(ver),
        ),
        (
            Input::TcpConnectionFails,
            Event::TcpConnectionFails,
            Reason::ConnectionFailed,
        ),
    ] {
        let is_cease = matches!(&input, Input::NotifMsg(n) if n.code == 6);
        let mut f = established();
        check(
            &mut f,
            T0,
            input,
            State::Idle,
            vec![
                StopTimer(Timer::Hold),
                StopTimer(Timer::Keepalive),
                Disconnect,
                SessionDown(reason.clone()),
                // A Cease from the peer is no error: immediate restart,
                // no failure counted. Errors back off.
                StartTimer(Timer::IdleHold, if is_cease { secs(0) } else { secs(5) }),
                tr(State::Established, State::Idle, event, reason),
            ],
        );
        assert_eq!(f.connect_retry_counter(), if is_cease { 0 } else { 1 });
    }
}

#[test]
fn established_delivers_updates_and_route_refreshes() {
    let mut f = established();
    check(
        &mut f,
        T0,
        Input::UpdateMsg(update()),
        State::Established,
        vec![DeliverUpdate(update())],
    );
    let rr = RouteRefresh::begin(Family::IPV6_UNICAST);
    check(
        &mut f,
        T0,
        Input::RouteRefreshMsg(rr.clone()),
        State::Established,
        vec![DeliverRouteRefresh(rr)],
    );
}

#[test]
fn established_errors_send_their_notification() {
    for (input, event, x) in [
        (
            Input::UpdateMsgErr(n(3, 1, &[])),
            Event::UpdateMsgErr,
            n(3, 1, &[]),
        ),
        (
            Input::BgpHeaderErr(n(1, 1, &[])),
            Event::BgpHeaderErr,
            n(1, 1, &[]),
        ),
        (
            Input::OpenCollisionDump,
            Event::OpenCollisionDump,
            n(6, 7, &[]),
        ),
        // RFC 6608: an OPEN, decodable or not.
        (
            Input::BgpOpen(Box::new(member_open())),
            Event::BgpOpen,
            n(5, 3, &[1]),
        ),
        (
            Input::BgpOpenMsgErr(n(2, 0, &[])),
            Event::BgpOpenMsgErr,
            n(5, 3, &[1]),
        ),
    ] {
        let mut f = established();
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
                SessionDown(Reason::Sent(x.clone())),
                StartTimer(Timer::IdleHold, secs(5)),
                tr(State::Established, State::Idle, event, Reason::Sent(x)),
            ],
        );
    }
}
