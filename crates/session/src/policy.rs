//! What we expect of one neighbor and what we offer it: the configuration
//! side of OPEN negotiation (RFC 4271 §4.2 and §6.2, RFC 5492, RFC 9234 §4)
//! and the OPEN we send.

use condor_wire::capability::{AddPathMode, Role};
use condor_wire::{Asn, Capability, Family, Open};
use std::net::Ipv4Addr;

/// Restart Time we announce in a helper-only Graceful Restart capability
/// (RFC 4724 §3: no families, so the value only bounds how long the peer
/// keeps *our* routes; 120 s is the RFC's example default).
pub const HELPER_RESTART_TIME: u16 = 120;

/// Per-neighbor negotiation policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PeerPolicy {
    /// Our ASN.
    pub local_asn: Asn,
    /// Our BGP identifier.
    pub local_id: Ipv4Addr,
    /// The ASN the neighbor must announce (RFC 4271 §6.2 Bad Peer AS).
    pub remote_asn: Asn,
    /// The hold time we propose (0, or at least 3 seconds).
    pub hold_time: u16,
    /// The smallest non-zero hold time we accept from the neighbor; values
    /// below 3 are taken as 3 (RFC 4271 §4.2 forbids 1 and 2).
    pub min_hold_time: u16,
    /// Whether we accept a proposed hold time of 0 (no keepalives at all).
    pub accept_zero_hold_time: bool,
    /// Our BGP role (RFC 9234); a route server announces
    /// [`Role::RouteServer`]. `None` sends no role and checks none.
    pub local_role: Option<Role>,
    /// RFC 9234 §4.2 strict mode: a neighbor without a role is refused.
    pub strict_role: bool,
    /// The families we offer (Multiprotocol capabilities, RFC 4760).
    pub families: Vec<Family>,
    /// Families for which we offer to send several paths (RFC 7911).
    pub add_path_send: Vec<Family>,
    /// Families for which we offer to receive several paths (RFC 7911).
    pub add_path_receive: Vec<Family>,
    /// Whether we offer extended messages (RFC 8654).
    pub extended_messages: bool,
    /// Whether we act as graceful restart helper (RFC 4724 receiving
    /// speaker): we announce a Graceful Restart capability with no family.
    pub graceful_restart_helper: bool,
}

impl PeerPolicy {
    /// The policy of a route server towards a member: role `rs` (not
    /// strict), IPv4 and IPv6 unicast, hold time 90 s (RFC 4271 §10's
    /// suggestion) accepting 3 s and more or 0, extended messages, graceful
    /// restart helper, no ADD-PATH.
    pub fn route_server(local_asn: Asn, local_id: Ipv4Addr, remote_asn: Asn) -> PeerPolicy {
        PeerPolicy {
            local_asn,
            local_id,
            remote_asn,
            hold_time: 90,
            min_hold_time: 3,
            accept_zero_hold_time: true,
            local_role: Some(Role::RouteServer),
            strict_role: false,
            families: vec![Family::IPV4_UNICAST, Family::IPV6_UNICAST],
            add_path_send: Vec::new(),
            add_path_receive: Vec::new(),
            extended_messages: true,
            graceful_restart_helper: true,
        }
    }

    /// Checks the policy itself (the config crate reports these with file
    /// and line; the FSM refuses to start with them).
    pub fn validate(&self) -> Result<(), PolicyError> {
        if matches!(self.hold_time, 1 | 2) {
            return Err(PolicyError::HoldTime(self.hold_time));
        }
        if self.local_id.is_unspecified() {
            return Err(PolicyError::ZeroIdentifier);
        }
        if self.local_asn.0 == 0 || self.remote_asn.0 == 0 {
            return Err(PolicyError::ZeroAsn);
        }
        if self.families.is_empty() {
            return Err(PolicyError::NoFamily);
        }
        Ok(())
    }

    /// The smallest non-zero hold time we accept, at least 3.
    pub fn effective_min_hold_time(&self) -> u16 {
        self.min_hold_time.max(3)
    }

    /// The OPEN we send: 4-octet AS (always, RFC 6793), one Multiprotocol
    /// capability per family, Route Refresh and Enhanced Route Refresh,
    /// then as configured Extended Message, Role, Graceful Restart (helper
    /// only) and ADD-PATH.
    pub fn open(&self) -> Open {
        let mut open = Open::new(self.local_asn, self.hold_time, self.local_id);
        for f in &self.families {
            open = open.with(Capability::Multiprotocol(*f));
        }
        open = open
            .with(Capability::RouteRefresh)
            .with(Capability::EnhancedRouteRefresh);
        if self.extended_messages {
            open = open.with(Capability::ExtendedMessage);
        }
        if let Some(role) = self.local_role {
            open = open.with(Capability::Role(role));
        }
        if self.graceful_restart_helper {
            open = open.with(Capability::GracefulRestart {
                restart_state: false,
                notification: false,
                restart_time: HELPER_RESTART_TIME,
                families: Vec::new(),
            });
        }
        let add_path: Vec<(Family, AddPathMode)> = self
            .families
            .iter()
            .filter_map(|f| {
                let send = self.add_path_send.contains(f);
                let receive = self.add_path_receive.contains(f);
                let mode = match (send, receive) {
                    (true, true) => AddPathMode::Both,
                    (true, false) => AddPathMode::Send,
                    (false, true) => AddPathMode::Receive,
                    (false, false) => return None,
                };
                Some((*f, mode))
            })
            .collect();
        if !add_path.is_empty() {
            open = open.with(Capability::AddPath(add_path));
        }
        open
    }
}

/// A policy that cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    /// RFC 4271 §4.2: a hold time of 1 or 2 seconds must not be proposed.
    #[error("hold time {0} s is not allowed: use 0 or at least 3 s (RFC 4271 §4.2)")]
    HoldTime(u16),
    /// RFC 6286 §2.1: the BGP identifier is non-zero.
    #[error("BGP identifier 0.0.0.0 is not allowed (RFC 6286 §2.1)")]
    ZeroIdentifier,
    /// RFC 7607: AS 0 is never a peer's or our ASN.
    #[error("AS 0 is not allowed (RFC 7607)")]
    ZeroAsn,
    /// No family to offer.
    #[error("no address family configured")]
    NoFamily,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rs() -> PeerPolicy {
        PeerPolicy::route_server(Asn(64500), Ipv4Addr::new(192, 0, 2, 1), Asn(64511))
    }

    #[test]
    fn route_server_open_announces_what_the_policy_says() {
        let mut p = rs();
        p.add_path_send = vec![Family::IPV4_UNICAST];
        p.add_path_receive = vec![
            Family::IPV4_UNICAST,
            Family::IPV6_UNICAST,
            Family::new(1, 2),
        ];
        let o = p.open();
        assert_eq!(o.asn, Asn(64500));
        assert_eq!(o.hold_time, 90);
        assert_eq!(o.four_octet_as(), Some(Asn(64500)));
        assert_eq!(
            o.families(),
            vec![Family::IPV4_UNICAST, Family::IPV6_UNICAST]
        );
        assert!(o.route_refresh() && o.enhanced_route_refresh() && o.extended_messages());
        assert_eq!(o.role(), Some(Role::RouteServer));
        let gr = o.graceful_restart().expect("helper GR capability");
        assert!(gr.families.is_empty());
        assert_eq!(gr.restart_time, HELPER_RESTART_TIME);
        assert_eq!(o.add_path(Family::IPV4_UNICAST), Some(AddPathMode::Both));
        assert_eq!(o.add_path(Family::IPV6_UNICAST), Some(AddPathMode::Receive));
        // A family we do not offer gets no ADD-PATH entry.
        assert_eq!(o.add_path(Family::new(1, 2)), None);
    }

    #[test]
    fn options_off_leave_capabilities_out() {
        let mut p = rs();
        p.local_role = None;
        p.extended_messages = false;
        p.graceful_restart_helper = false;
        let o = p.open();
        assert_eq!(o.role(), None);
        assert!(!o.extended_messages());
        assert!(o.graceful_restart().is_none());
        assert_eq!(o.add_path(Family::IPV4_UNICAST), None);
    }

    #[test]
    fn validation_rejects_unusable_policies() {
        assert_eq!(rs().validate(), Ok(()));
        let mut p = rs();
        p.hold_time = 2;
        assert_eq!(p.validate(), Err(PolicyError::HoldTime(2)));
        let mut p = rs();
        p.local_id = Ipv4Addr::UNSPECIFIED;
        assert_eq!(p.validate(), Err(PolicyError::ZeroIdentifier));
        let mut p = rs();
        p.remote_asn = Asn(0);
        assert_eq!(p.validate(), Err(PolicyError::ZeroAsn));
        let mut p = rs();
        p.families.clear();
        assert_eq!(p.validate(), Err(PolicyError::NoFamily));
        let mut p = rs();
        p.min_hold_time = 0;
        assert_eq!(p.effective_min_hold_time(), 3);
    }
}
