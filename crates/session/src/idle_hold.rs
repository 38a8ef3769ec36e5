//! Peer oscillation damping: the IdleHoldTimer with exponential back-off
//! (RFC 4271 §8.1.1 `DampPeerOscillations`, `IdleHoldTime`; the method is
//! left to implementations by §8.2.2, Idle state).
//!
//! Every time a session attempt fails (the RFC's "increments the
//! ConnectRetryCounter" and "performs peer oscillation damping" steps) the
//! FSM counts one more consecutive failure and waits in Idle before
//! restarting:
//!
//! | consecutive failures | IdleHoldTime |
//! |---:|---:|
//! | 0 (stopped without an error) | 5 s |
//! | 1 | 5 s |
//! | 2 | 10 s |
//! | 3 | 20 s |
//! | 4 | 40 s |
//! | 5 | 80 s |
//! | 6 | 160 s |
//! | 7 and more | 300 s (cap) |
//!
//! A session that the peer closes with a Cease while Established (an
//! operator's reset, a reconfiguration, a reboot) is not a failure: the FSM
//! restarts at once (IdleHoldTime 0) unless failures are already counted,
//! so a member that reconnects right away is accepted right away.
//!
//! The count goes back to zero when a session that had been Established for
//! at least [`IdleHold::forget_after`] (300 s, the cap: a member that flaps
//! more slowly than we would retry is not oscillating) goes down, and on a
//! ManualStart or ManualStop (an operator's decision). So a member whose
//! router resets the session in a loop costs us one attempt per 5 minutes
//! after 7 failures, never a spin.

use std::time::Duration;

/// Back-off parameters of the IdleHoldTimer. See the module documentation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IdleHold {
    /// IdleHoldTime after the first failure (and after a stop without one).
    pub initial: Duration,
    /// Largest IdleHoldTime.
    pub max: Duration,
    /// A session Established at least this long resets the failure count
    /// when it goes down.
    pub forget_after: Duration,
}

impl Default for IdleHold {
    fn default() -> Self {
        IdleHold {
            initial: Duration::from_secs(5),
            max: Duration::from_secs(300),
            forget_after: Duration::from_secs(300),
        }
    }
}

impl IdleHold {
    /// The IdleHoldTime after `failures` consecutive failures:
    /// `initial · 2^(failures − 1)`, at most `max` (and `initial` for zero).
    pub fn delay(&self, failures: u32) -> Duration {
        let doublings = failures.saturating_sub(1);
        let factor = 1u32.checked_shl(doublings).unwrap_or(u32::MAX);
        self.initial.saturating_mul(factor).min(self.max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn back_off_doubles_from_5_s_to_the_300_s_cap() {
        let h = IdleHold::default();
        let secs: Vec<u64> = (0..10).map(|n| h.delay(n).as_secs()).collect();
        assert_eq!(secs, [5, 5, 10, 20, 40, 80, 160, 300, 300, 300]);
    }

    #[test]
    fn huge_failure_counts_saturate_at_the_cap() {
        let h = IdleHold::default();
        assert_eq!(h.delay(31), Duration::from_secs(300));
        assert_eq!(h.delay(32), Duration::from_secs(300));
        assert_eq!(h.delay(u32::MAX), Duration::from_secs(300));
        let slow = IdleHold {
            initial: Duration::from_secs(u64::MAX / 2),
            max: Duration::MAX,
            ..h
        };
        assert_eq!(
            slow.delay(3),
            Duration::MAX,
            "saturates instead of overflowing"
        );
    }
}
