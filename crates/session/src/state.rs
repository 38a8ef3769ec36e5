//! The six session states of RFC 4271 §8.2.2.

use std::fmt;

/// A BGP FSM state (RFC 4271 §8.2.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum State {
    /// Refuses connections; waits for a start event (or the IdleHoldTimer).
    Idle,
    /// Waits for our outgoing TCP connection to complete (and listens).
    Connect,
    /// Listens for the peer's connection.
    Active,
    /// Our OPEN is sent; waits for the peer's.
    OpenSent,
    /// OPENs exchanged; waits for the peer's KEEPALIVE.
    OpenConfirm,
    /// The session is up: UPDATE, KEEPALIVE, NOTIFICATION (and ROUTE-REFRESH) flow.
    Established,
}

impl State {
    /// All states, in RFC order.
    pub const ALL: [State; 6] = [
        State::Idle,
        State::Connect,
        State::Active,
        State::OpenSent,
        State::OpenConfirm,
        State::Established,
    ];

    /// The RFC's name of the state.
    pub fn name(self) -> &'static str {
        match self {
            State::Idle => "Idle",
            State::Connect => "Connect",
            State::Active => "Active",
            State::OpenSent => "OpenSent",
            State::OpenConfirm => "OpenConfirm",
            State::Established => "Established",
        }
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
