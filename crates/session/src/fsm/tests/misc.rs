//! Configuration checks, transition lines, message encoding.

use super::*;

#[test]
fn invalid_configurations_are_refused() {
    let zero = FsmConfig {
        connect_retry_time: Duration::ZERO,
        ..FsmConfig::default()
    };
    assert_eq!(
        Fsm::new(zero, policy()).unwrap_err(),
        FsmConfigError::ZeroDuration("ConnectRetryTime")
    );
    let zero = FsmConfig {
        delay_open_time: Some(Duration::ZERO),
        ..FsmConfig::default()
    };
    assert_eq!(
        Fsm::new(zero, policy()).unwrap_err(),
        FsmConfigError::ZeroDuration("DelayOpenTime")
    );
    let inverted = FsmConfig {
        idle_hold: IdleHold {
            max: secs(1),
            ..IdleHold::default()
        },
        ..FsmConfig::default()
    };
    assert!(matches!(
        Fsm::new(inverted, policy()),
        Err(FsmConfigError::IdleHoldMax { .. })
    ));
    let mut p = policy();
    p.hold_time = 1;
    assert_eq!(
        Fsm::new(FsmConfig::default(), p).unwrap_err(),
        FsmConfigError::Policy(PolicyError::HoldTime(1))
    );
}

#[test]
fn transitions_read_as_one_line() {
    let mut f = open_sent();
    let got = f.step(T0 + secs(240), Input::HoldTimerExpires);
    let Some(Action::Transition(t)) = got.last() else {
        panic!("no transition: {got:?}")
    };
    assert_eq!(t.to_string(), "OpenSent → Idle on HoldTimer_Expires (event 10): sent NOTIFICATION Hold Timer Expired / Unspecific (4/0)");
    let mut f = established();
    let got = f.step(T0, Input::NotifMsg(Notification::shutdown(2, "bye")));
    let Some(Action::Transition(t)) = got.last() else {
        panic!("no transition: {got:?}")
    };
    assert_eq!(
        t.to_string(),
        "Established → Idle on NotifMsg (event 25): received NOTIFICATION Cease / Administrative Shutdown (6/2): \"bye\""
    );
    let mut f = fsm(FsmConfig::default());
    let got = f.step(T0, Input::ManualStart);
    let Some(Action::Transition(t)) = got.last() else {
        panic!("no transition: {got:?}")
    };
    assert_eq!(t.to_string(), "Idle → Connect on ManualStart (event 1)");
}

#[test]
fn outgoing_messages_encode_to_valid_bgp() {
    let f = fsm(FsmConfig::default());
    let ctx = Context::default();
    for (m, want) in [
        (
            Outgoing::Open(Box::new(f.local_open().clone())),
            condor_wire::Message::Open(f.local_open().clone()),
        ),
        (Outgoing::Keepalive, condor_wire::Message::Keepalive),
        (
            Outgoing::Notification(n(6, 7, &[])),
            condor_wire::Message::Notification(n(6, 7, &[])),
        ),
    ] {
        let mut bytes = Vec::new();
        m.encode(&mut bytes);
        assert_eq!(condor_wire::decode_message(&bytes, &ctx).unwrap(), want);
        assert_eq!(m.to_message(), want);
    }
    // An oversized NOTIFICATION is cut to fit 4096 octets rather than lost.
    let mut bytes = Vec::new();
    Outgoing::Notification(n(3, 1, &[7; 5000])).encode(&mut bytes);
    assert_eq!(bytes.len(), 4096);
    let condor_wire::Message::Notification(back) =
        condor_wire::decode_message(&bytes, &ctx).unwrap()
    else {
        panic!("not a NOTIFICATION")
    };
    assert_eq!(
        (back.code, back.subcode, back.data.len()),
        (3, 1, 4096 - 21)
    );
}
