//! Connection collision detection (RFC 4271 §6.8, with the tie-break of
//! RFC 6286 §2.3), as a pure function.
//!
//! When both speakers connect at once, a peer has two connections: the one
//! we initiated ([`Direction::Outbound`]) and the one we accepted
//! ([`Direction::Inbound`]), each with its own FSM. Once an OPEN has told us
//! the peer's BGP identifier the driver calls [`resolve`]; the loser's FSM
//! gets OpenCollisionDump (event 23) and sends Cease / Connection Collision
//! Resolution ([`notification`]).
//!
//! The rules, as RFC 4271 §6.8 states them:
//!
//! * a connection in Established always wins: "If a connection collision
//!   occurs with an existing BGP connection that is in the Established
//!   state, the BGP speaker unconditionally closes off the newly created
//!   connection" (we never set CollisionDetectEstablishedState);
//! * otherwise the identifiers are compared "by converting them to host byte
//!   order and treating them as 4-octet unsigned integers". If ours is
//!   lower, we close the connection we initiated and keep the one the peer
//!   initiated; if ours is higher, we keep ours. In short: the connection
//!   initiated by the speaker with the higher identifier survives;
//! * equal identifiers (allowed between external peers, RFC 6286 §2.2): "the
//!   connection initiated by the BGP speaker with the larger AS number is
//!   preserved" (RFC 6286 §2.3). Equal identifiers *and* ASNs cannot get this
//!   far (negotiation refuses an internal peer with our identifier); we then
//!   keep the outbound connection.
//!
//! A collision is detected between connections that have both received an
//! OPEN (OpenConfirm or Established), which is what RFC 4271 §6.8 requires.
//! It allows also examining connections in OpenSent when the peer's
//! identifier is known by other means; [`Collision::examine_open_sent`]
//! turns that on (the identifier is then the one from the other
//! connection's OPEN).

use condor_wire::notification::codes;
use condor_wire::{Asn, Notification};
use std::net::Ipv4Addr;

use crate::State;

/// Which side initiated a connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Direction {
    /// We initiated it (our port is ephemeral, theirs 179).
    Outbound,
    /// The peer initiated it and we accepted it.
    Inbound,
}

impl Direction {
    /// The other direction.
    pub fn other(self) -> Direction {
        match self {
            Direction::Outbound => Direction::Inbound,
            Direction::Inbound => Direction::Outbound,
        }
    }
}

/// Two connections to one peer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Collision {
    /// State of the connection we initiated.
    pub outbound: State,
    /// State of the connection we accepted.
    pub inbound: State,
    /// Our BGP identifier.
    pub local_id: Ipv4Addr,
    /// The peer's BGP identifier (from its OPEN).
    pub remote_id: Ipv4Addr,
    /// Our ASN.
    pub local_asn: Asn,
    /// The peer's ASN.
    pub remote_asn: Asn,
    /// Also resolve when a connection is still in OpenSent (RFC 4271 §6.8
    /// allows it when the identifier is known by other means).
    pub examine_open_sent: bool,
}

/// What to do about two connections.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resolution {
    /// No collision to resolve (yet): keep both.
    NoCollision,
    /// Close this connection (OpenCollisionDump) and keep the other.
    Close(Direction),
}

/// The NOTIFICATION the losing connection sends: Cease / Connection
/// Collision Resolution (RFC 4486 §4, subcode 7).
pub fn notification() -> Notification {
    Notification::new(codes::CEASE, codes::CEASE_COLLISION, Vec::new())
}

/// The connection that survives when neither is Established: the one
/// initiated by the speaker with the higher identifier, or on equal
/// identifiers with the larger ASN (see the module documentation).
pub fn survivor(
    local_id: Ipv4Addr,
    remote_id: Ipv4Addr,
    local_asn: Asn,
    remote_asn: Asn,
) -> Direction {
    let (ours, theirs) = (u32::from(local_id), u32::from(remote_id));
    if ours > theirs {
        Direction::Outbound
    } else if ours < theirs {
        Direction::Inbound
    } else if local_asn >= remote_asn {
        Direction::Outbound
    } else {
        Direction::Inbound
    }
}

/// Decides which of two connections to close (RFC 4271 §6.8).
pub fn resolve(c: &Collision) -> Resolution {
    let opened = |s: State| match s {
        State::OpenConfirm | State::Established => true,
        State::OpenSent => c.examine_open_sent,
        State::Idle | State::Connect | State::Active => false,
    };
    if !opened(c.outbound) || !opened(c.inbound) {
        return Resolution::NoCollision;
    }
    match (
        c.outbound == State::Established,
        c.inbound == State::Established,
    ) {
        (true, false) => Resolution::Close(Direction::Inbound),
        (false, true) => Resolution::Close(Direction::Outbound),
        // Neither (or, impossibly, both): compare identifiers.
        _ => {
            Resolution::Close(survivor(c.local_id, c.remote_id, c.local_asn, c.remote_asn).other())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collision(
        outbound: State,
        inbound: State,
        local_id: [u8; 4],
        remote_id: [u8; 4],
    ) -> Collision {
        Collision {
            outbound,
            inbound,
            local_id: Ipv4Addr::from(local_id),
            remote_id: Ipv4Addr::from(remote_id),
            local_asn: Asn(64500),
            remote_asn: Asn(64511),
            examine_open_sent: false,
        }
    }

    #[test]
    fn higher_local_identifier_keeps_the_connection_we_initiated() {
        let c = collision(
            State::OpenConfirm,
            State::OpenConfirm,
            [192, 0, 2, 10],
            [192, 0, 2, 9],
        );
        assert_eq!(resolve(&c), Resolution::Close(Direction::Inbound));
    }

    #[test]
    fn lower_local_identifier_keeps_the_connection_the_peer_initiated() {
        let c = collision(
            State::OpenConfirm,
            State::OpenConfirm,
            [192, 0, 2, 9],
            [192, 0, 2, 10],
        );
        assert_eq!(resolve(&c), Resolution::Close(Direction::Outbound));
    }

    #[test]
    fn identifiers_compare_as_host_order_integers() {
        // 10.0.0.1 > 9.255.255.255 as integers although "1" < "255" in the
        // last octet; and 128.0.0.0 > 127.255.255.255 (no sign issue).
        let c = collision(
            State::OpenConfirm,
            State::OpenConfirm,
            [10, 0, 0, 1],
            [9, 255, 255, 255],
        );
        assert_eq!(resolve(&c), Resolution::Close(Direction::Inbound));
        let c = collision(
            State::OpenConfirm,
            State::OpenConfirm,
            [127, 255, 255, 255],
            [128, 0, 0, 0],
        );
        assert_eq!(resolve(&c), Resolution::Close(Direction::Outbound));
    }

    #[test]
    fn equal_identifiers_prefer_the_larger_asn_rfc_6286() {
        let mut c = collision(
            State::OpenConfirm,
            State::OpenConfirm,
            [192, 0, 2, 1],
            [192, 0, 2, 1],
        );
        // Peer's ASN larger: its connection (inbound) survives.
        assert_eq!(resolve(&c), Resolution::Close(Direction::Outbound));
        c.local_asn = Asn(65000);
        assert_eq!(resolve(&c), Resolution::Close(Direction::Inbound));
        // Both sides computing with mirrored inputs agree on one connection:
        // our outbound is their inbound.
        let ours = survivor(c.local_id, c.remote_id, c.local_asn, c.remote_asn);
        let theirs = survivor(c.remote_id, c.local_id, c.remote_asn, c.local_asn);
        assert_eq!(ours, theirs.other());
    }

    #[test]
    fn established_always_wins() {
        // Even when the identifiers would pick the other connection.
        let c = collision(
            State::Established,
            State::OpenConfirm,
            [192, 0, 2, 1],
            [192, 0, 2, 200],
        );
        assert_eq!(resolve(&c), Resolution::Close(Direction::Inbound));
        let c = collision(
            State::OpenConfirm,
            State::Established,
            [192, 0, 2, 200],
            [192, 0, 2, 1],
        );
        assert_eq!(resolve(&c), Resolution::Close(Direction::Outbound));
    }

    #[test]
    fn no_collision_before_both_have_an_open() {
        for other in [State::Idle, State::Connect, State::Active, State::OpenSent] {
            let c = collision(State::OpenConfirm, other, [192, 0, 2, 1], [192, 0, 2, 2]);
            assert_eq!(resolve(&c), Resolution::NoCollision, "inbound in {other}");
            let c = collision(other, State::Established, [192, 0, 2, 1], [192, 0, 2, 2]);
            assert_eq!(resolve(&c), Resolution::NoCollision, "outbound in {other}");
        }
    }

    #[test]
    fn open_sent_counts_when_asked() {
        let mut c = collision(
            State::OpenSent,
            State::OpenConfirm,
            [192, 0, 2, 1],
            [192, 0, 2, 2],
        );
        assert_eq!(resolve(&c), Resolution::NoCollision);
        c.examine_open_sent = true;
        assert_eq!(resolve(&c), Resolution::Close(Direction::Outbound));
        // Established still wins over an OpenSent connection.
        c.inbound = State::Established;
        c.local_id = Ipv4Addr::new(192, 0, 2, 250);
        assert_eq!(resolve(&c), Resolution::Close(Direction::Outbound));
    }

    #[test]
    fn loser_sends_cease_collision_resolution() {
        let n = notification();
        assert_eq!((n.code, n.subcode), (6, 7));
        assert_eq!(
            n.to_string(),
            "Cease / Connection Collision Resolution (6/7)"
        );
    }
}
