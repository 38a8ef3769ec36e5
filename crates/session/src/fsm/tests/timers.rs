//! Stale timers and the IdleHold back-off sequence.

use super::*;

#[test]
fn stale_timer_events_are_ignored_in_every_state() {
    let builders: [fn() -> Fsm; 6] = [
        || fsm(FsmConfig::default()),
        || connect(FsmConfig::default()),
        || active_passive(FsmConfig::default()),
        open_sent,
        open_confirm,
        established,
    ];
    let mut seen = 0;
    for build in builders {
        for t in Timer::ALL {
            let mut f = build();
            if f.timers.armed(t) {
                continue;
            }
            let state = f.state();
            check(&mut f, T0 + secs(1), Input::timer_expired(t), state, vec![]);
            seen += 1;
        }
    }
    assert!(seen >= 20, "only {seen} stale cases");
}

#[test]
fn unexpected_timer_events_would_be_fsm_error_unspecified() {
    // Only reachable if a timer were armed in a state that never arms it.
    let mut f = established();
    f.timers.set(Timer::DelayOpen, T0);
    let got = f.step(T0, Input::DelayOpenTimerExpires);
    assert_eq!(got[0], send_n(n(5, 0, &[])));
    assert_eq!(f.state(), State::Idle);
}

/// Drives a started FSM through one failed attempt (OPEN sent, peer closes
/// with a Cease) and returns the IdleHoldTime it armed, then lets it expire.
fn fail_once(f: &mut Fsm, now: &mut Duration) -> Duration {
    feed(f, *now, [Input::TcpCrAcked, Input::NotifMsg(cease())]);
    assert_eq!(f.state(), State::Idle);
    let deadline = f
        .timer_deadline(Timer::IdleHold)
        .expect("IdleHoldTimer armed");
    let delay = deadline - *now;
    *now = deadline;
    feed(f, *now, [Input::IdleHoldTimerExpires]);
    assert_eq!(f.state(), State::Connect);
    delay
}

#[test]
fn idle_hold_back_off_doubles_to_the_cap() {
    let mut f = connect(FsmConfig::default());
    let mut now = T0;
    let delays: Vec<u64> = (0..9)
        .map(|_| fail_once(&mut f, &mut now).as_secs())
        .collect();
    assert_eq!(delays, [5, 10, 20, 40, 80, 160, 300, 300, 300]);
    assert_eq!(f.connect_retry_counter(), 9);
}

#[test]
fn idle_hold_back_off_resets_after_a_stable_session() {
    let mut f = connect(FsmConfig::default());
    let mut now = T0;
    for _ in 0..3 {
        fail_once(&mut f, &mut now);
    }
    assert_eq!(f.consecutive_failures(), 3);
    // A short session does not reset the count: 4th failure → 40 s.
    feed(
        &mut f,
        now,
        [
            Input::TcpCrAcked,
            Input::BgpOpen(Box::new(member_open())),
            Input::KeepAliveMsg,
        ],
    );
    assert_eq!(f.state(), State::Established);
    now += secs(299);
    feed(&mut f, now, [Input::TcpConnectionFails]);
    assert_eq!(f.timer_deadline(Timer::IdleHold), Some(now + secs(40)));
    now += secs(40);
    feed(&mut f, now, [Input::IdleHoldTimerExpires]);
    // Established for 300 s: the count starts over, 5 s.
    feed(
        &mut f,
        now,
        [
            Input::TcpCrAcked,
            Input::BgpOpen(Box::new(member_open())),
            Input::KeepAliveMsg,
        ],
    );
    now += secs(300);
    feed(
        &mut f,
        now,
        [Input::KeepAliveMsg, Input::TcpConnectionFails],
    );
    assert_eq!(f.consecutive_failures(), 1);
    assert_eq!(f.timer_deadline(Timer::IdleHold), Some(now + secs(5)));
}

#[test]
fn a_cease_from_the_peer_restarts_at_once_without_counting_a_failure() {
    let mut f = connect(FsmConfig::default());
    let mut now = T0;
    let up = [
        Input::TcpCrAcked,
        Input::BgpOpen(Box::new(member_open())),
        Input::KeepAliveMsg,
    ];
    feed(&mut f, now, up.clone());
    assert_eq!(f.state(), State::Established);
    now += secs(10);
    feed(&mut f, now, [Input::NotifMsg(cease())]);
    assert_eq!(f.consecutive_failures(), 0);
    assert_eq!(f.timer_deadline(Timer::IdleHold), Some(now));
    // After an error, the back-off applies again.
    feed(&mut f, now, [Input::IdleHoldTimerExpires]);
    feed(&mut f, now, up);
    assert_eq!(f.state(), State::Established);
    feed(&mut f, now, [Input::TcpConnectionFails]);
    assert_eq!(f.consecutive_failures(), 1);
    assert_eq!(f.timer_deadline(Timer::IdleHold), Some(now + secs(5)));
}

#[test]
fn manual_stop_and_start_reset_the_back_off() {
    let mut f = connect(FsmConfig::default());
    let mut now = T0;
    for _ in 0..4 {
        fail_once(&mut f, &mut now);
    }
    feed(&mut f, now, [Input::manual_stop()]);
    assert_eq!(
        (f.consecutive_failures(), f.connect_retry_counter()),
        (0, 0)
    );
    feed(&mut f, now, [Input::ManualStart]);
    assert_eq!(fail_once(&mut f, &mut now), secs(5));
}
