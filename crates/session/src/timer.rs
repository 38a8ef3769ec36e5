//! The five FSM timers of RFC 4271 §8 (and their suggested values, §10).
//!
//! The FSM owns no clock. It tells the driver to arm a timer for a duration
//! ([`crate::Action::StartTimer`]) or to disarm it
//! ([`crate::Action::StopTimer`]); the driver feeds the expiry back as the
//! matching input (events 9–13). The FSM remembers each armed timer's
//! deadline (in the caller's time base, see [`crate::Fsm::step`]) so that:
//!
//! * an expiry for a timer it has not armed (one that raced with a stop) is
//!   recognised as stale and ignored;
//! * the HoldTimer is *lazy* in Established: receiving a KEEPALIVE or UPDATE
//!   moves the deadline without an action per message, and an expiry that
//!   arrives before the moved deadline just re-arms the timer for the rest.

use std::fmt;
use std::time::Duration;

/// One of the FSM's timers (RFC 4271 §8.1.1 and §8.1.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Timer {
    /// ConnectRetryTimer: time between outgoing connection attempts.
    ConnectRetry,
    /// HoldTimer: longest silence accepted from the peer.
    Hold,
    /// KeepaliveTimer: when we send the next KEEPALIVE.
    Keepalive,
    /// DelayOpenTimer: how long we wait for the peer's OPEN before sending ours.
    DelayOpen,
    /// IdleHoldTimer: how long we stay in Idle before restarting (peer
    /// oscillation damping, see [`crate::IdleHold`]).
    IdleHold,
}

impl Timer {
    /// All timers, in a fixed order.
    pub const ALL: [Timer; 5] = [
        Timer::ConnectRetry,
        Timer::Hold,
        Timer::Keepalive,
        Timer::DelayOpen,
        Timer::IdleHold,
    ];

    fn index(self) -> usize {
        match self {
            Timer::ConnectRetry => 0,
            Timer::Hold => 1,
            Timer::Keepalive => 2,
            Timer::DelayOpen => 3,
            Timer::IdleHold => 4,
        }
    }
}

impl fmt::Display for Timer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Timer::ConnectRetry => "ConnectRetryTimer",
            Timer::Hold => "HoldTimer",
            Timer::Keepalive => "KeepaliveTimer",
            Timer::DelayOpen => "DelayOpenTimer",
            Timer::IdleHold => "IdleHoldTimer",
        })
    }
}

/// The deadline of each armed timer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Deadlines([Option<Duration>; 5]);

impl Deadlines {
    /// The deadline of `t`, if armed.
    pub(crate) fn get(&self, t: Timer) -> Option<Duration> {
        self.0[t.index()]
    }

    /// True when `t` is armed.
    pub(crate) fn armed(&self, t: Timer) -> bool {
        self.get(t).is_some()
    }

    /// Arms (or re-arms) `t`.
    pub(crate) fn set(&mut self, t: Timer, deadline: Duration) {
        self.0[t.index()] = Some(deadline);
    }

    /// Disarms `t`, returning whether it was armed.
    pub(crate) fn clear(&mut self, t: Timer) -> bool {
        self.0[t.index()].take().is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deadlines_track_each_timer_separately() {
        let mut d = Deadlines::default();
        for t in Timer::ALL {
            assert!(!d.armed(t));
        }
        d.set(Timer::Hold, Duration::from_secs(90));
        d.set(Timer::IdleHold, Duration::from_secs(5));
        assert_eq!(d.get(Timer::Hold), Some(Duration::from_secs(90)));
        assert!(!d.armed(Timer::Keepalive));
        assert!(d.clear(Timer::Hold));
        assert!(!d.clear(Timer::Hold));
        assert!(d.armed(Timer::IdleHold));
        assert_eq!(Timer::DelayOpen.to_string(), "DelayOpenTimer");
    }
}
