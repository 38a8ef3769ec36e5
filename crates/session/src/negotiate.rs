//! OPEN negotiation: the peer's OPEN checked against our policy and
//! combined with our OPEN into what the session runs with ([`Negotiated`],
//! including the codec [`Context`]).
//!
//! Checks, in the order of RFC 4271 §6.2, each with its NOTIFICATION:
//!
//! | check | RFC | NOTIFICATION |
//! |---|---|---|
//! | version is 4 | 4271 §6.2 | 2/1 Unsupported Version Number, data `0x0004` |
//! | the peer's ASN (from the 4-octet AS capability when present, RFC 6793 §3) is the configured one | 4271 §6.2 | 2/2 Bad Peer AS |
//! | My Autonomous System agrees with the 4-octet AS capability (the ASN, or AS_TRANS when it needs 4 octets) | 6793 §3 | 2/2 Bad Peer AS |
//! | hold time is 0 (if accepted) or at least 3 and at least our minimum | 4271 §4.2, §6.2 | 2/6 Unacceptable Hold Time |
//! | BGP identifier non-zero, and not ours when the peer is internal (for an external peer an equal identifier is allowed) | 6286 §2.2 | 2/3 Bad BGP Identifier |
//! | BGP roles (when we have one): all Role capabilities agree, the pair is allowed, and in strict mode a role is present | 9234 §4.2 | 2/11 Role Mismatch |
//! | at least one family in common | 5492 §3 | 2/7 Unsupported Capability, data = our Multiprotocol capabilities |
//!
//! Role pairs allowed by RFC 9234 §4.2 (ours, theirs): provider–customer,
//! customer–provider, rs–rs-client, rs-client–rs, peer–peer. A route server
//! announces `rs`, so its members must announce `rs-client`.
//!
//! No common family: RFC 5492 §3 lets a speaker end the session with
//! Unsupported Capability when the peer lacks a capability it needs, the
//! data being "the capability or capabilities that cause the speaker to send
//! the message": here, our Multiprotocol capabilities. FRR does the same
//! (2/7 when the configured families and the received ones do not overlap);
//! a Cease would tell the member nothing about what to fix.
//!
//! Results:
//!
//! * hold time = min(ours, theirs); 0 means no HoldTimer and no KEEPALIVEs;
//!   keepalive interval = hold time / 3 (RFC 4271 §4.4, §10);
//! * families = our Multiprotocol families ∩ theirs (IPv4 unicast is implied
//!   by an OPEN without any, RFC 4760 §1);
//! * ADD-PATH (RFC 7911 §4), per negotiated family: we receive path
//!   identifiers when we offered to receive and the peer to send, and send
//!   them when we offered to send and the peer to receive. Only the families
//!   the codec can mark (IPv4/IPv6 unicast/multicast,
//!   [`Context::add_path_bit`]) take part;
//! * 4-octet AS, extended messages, route refresh and enhanced route
//!   refresh: when both sides announced them;
//! * graceful restart (RFC 4724): when we are helper (and announced it) and
//!   the peer announced the capability: its restart time, R and N bits
//!   (N only if we set it too, RFC 8538 §2) and the families among the
//!   negotiated ones with their F bit.

use condor_wire::capability::Role;
use condor_wire::notification::codes;
use condor_wire::open::BGP_VERSION;
use condor_wire::{Afi, Asn, Capability, Context, Family, Notification, Open};
use std::net::Ipv4Addr;
use std::time::Duration;

use crate::PeerPolicy;

/// What OPEN × OPEN decided for a session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Negotiated {
    /// The peer's ASN.
    pub remote_asn: Asn,
    /// The peer's BGP identifier.
    pub remote_id: Ipv4Addr,
    /// True for an internal peer (same ASN as ours).
    pub internal: bool,
    /// Negotiated hold time in seconds; 0 = no HoldTimer, no KEEPALIVEs.
    pub hold_time: u16,
    /// Seconds between our KEEPALIVEs (hold time / 3); 0 = none.
    pub keepalive: u16,
    /// Families both sides announced, in our order.
    pub families: Vec<Family>,
    /// Both sides speak 4-octet AS (RFC 6793).
    pub four_octet_as: bool,
    /// Both sides announced Route Refresh (RFC 2918).
    pub route_refresh: bool,
    /// Both sides announced Enhanced Route Refresh (RFC 7313).
    pub enhanced_route_refresh: bool,
    /// Both sides announced Extended Message (RFC 8654).
    pub extended_messages: bool,
    /// Families whose received NLRI carry path identifiers (RFC 7911).
    pub add_path_rx: Vec<Family>,
    /// Families whose sent NLRI carry path identifiers (RFC 7911).
    pub add_path_tx: Vec<Family>,
    /// (NLRI family, next hop AFI) pairs both sides announced (RFC 8950).
    pub extended_next_hop: Vec<(Family, Afi)>,
    /// The peer's graceful restart parameters, when we help it (RFC 4724).
    pub graceful_restart: Option<PeerGracefulRestart>,
    /// The peer's BGP role (RFC 9234), if announced.
    pub remote_role: Option<Role>,
    /// What the codec uses for this session.
    pub codec: Context,
}

impl Negotiated {
    /// The negotiated hold time (zero when there is none).
    pub fn hold_duration(&self) -> Duration {
        Duration::from_secs(u64::from(self.hold_time))
    }

    /// The keepalive interval (zero when there is none).
    pub fn keepalive_duration(&self) -> Duration {
        Duration::from_secs(u64::from(self.keepalive))
    }
}

/// The peer's Graceful Restart capability as it applies to this session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PeerGracefulRestart {
    /// Restart Time: how long to keep its routes (as stale) after the session drops.
    pub restart_time: u16,
    /// Restart State (R) bit: the peer has just restarted.
    pub restarted: bool,
    /// Graceful Notification (N) bit set by both sides (RFC 8538).
    pub notification: bool,
    /// Negotiated families the peer preserves state for, with the Forwarding State (F) bit.
    pub families: Vec<(Family, bool)>,
}

fn open_error(subcode: u8, data: Vec<u8>) -> Notification {
    Notification::new(codes::OPEN_MESSAGE, subcode, data)
}

/// True when RFC 9234 §4.2 allows the pair (our role, the peer's role).
pub fn roles_match(local: Role, remote: Role) -> bool {
    matches!(
        (local, remote),
        (Role::Provider, Role::Customer)
            | (Role::Customer, Role::Provider)
            | (Role::RouteServer, Role::RouteServerClient)
            | (Role::RouteServerClient, Role::RouteServer)
            | (Role::Peer, Role::Peer)
    )
}

/// Checks the peer's OPEN (`remote`) against `policy` and combines it with
/// ours (`local`, what we sent). `Err` is the NOTIFICATION to send (see the
/// module documentation for the checks and their order).
pub fn negotiate(
    local: &Open,
    remote: &Open,
    policy: &PeerPolicy,
) -> Result<Negotiated, Notification> {
    // Version (RFC 4271 §6.2). The decoder refuses other versions already;
    // an OPEN built in code is checked here too.
    if remote.version != BGP_VERSION {
        return Err(open_error(
            codes::OPEN_UNSUPPORTED_VERSION,
            u16::from(BGP_VERSION).to_be_bytes().to_vec(),
        ));
    }

    // Peer AS (RFC 4271 §6.2; RFC 6793 §3: the 4-octet AS capability carries
    // the real ASN, `Open::asn` already holds it).
    if remote.asn != policy.remote_asn || !remote.asn_field_consistent() {
        return Err(open_error(codes::OPEN_BAD_PEER_AS, Vec::new()));
    }

    // Hold time (RFC 4271 §4.2: zero or at least three seconds; §6.2: an
    // implementation may refuse others).
    let acceptable = match remote.hold_time {
        0 => policy.accept_zero_hold_time,
        t => t >= policy.effective_min_hold_time(),
    };
    if !acceptable {
        return Err(open_error(codes::OPEN_UNACCEPTABLE_HOLD_TIME, Vec::new()));
    }

    // BGP identifier (RFC 6286 §2.2).
    let internal = remote.asn == policy.local_asn;
    if remote.bgp_id.is_unspecified() || (internal && remote.bgp_id == policy.local_id) {
        return Err(open_error(codes::OPEN_BAD_BGP_ID, Vec::new()));
    }

    // BGP role (RFC 9234 §4.2).
    let remote_role = remote.role();
    if let Some(ours) = policy.local_role {
        let mut roles = remote.capabilities.iter().filter_map(|c| match c {
            Capability::Role(r) => Some(*r),
            _ => None,
        });
        let consistent = roles.all(|r| Some(r) == remote_role);
        let ok = match remote_role {
            Some(theirs) => consistent && roles_match(ours, theirs),
            None => !policy.strict_role,
        };
        if !ok {
            return Err(open_error(codes::OPEN_ROLE_MISMATCH, Vec::new()));
        }
    }

    // Families (RFC 4760, RFC 5492 §3).
    let ours = local.families();
    let theirs = remote.families();
    let families: Vec<Family> = ours
        .iter()
        .copied()
        .filter(|f| theirs.contains(f))
        .collect();
    if families.is_empty() {
        let mut data = Vec::new();
        for f in &ours {
            Capability::Multiprotocol(*f).encode(&mut data);
        }
        return Err(open_error(codes::OPEN_UNSUPPORTED_CAPABILITY, data));
    }

    // ADD-PATH (RFC 7911 §4).
    let mut add_path_rx = Vec::new();
    let mut add_path_tx = Vec::new();
    let mut codec = Context::default();
    for f in &families {
        let bit = Context::add_path_bit(*f);
        let (Some(l), Some(r)) = (local.add_path(*f), remote.add_path(*f)) else {
            continue;
        };
        if bit == 0 {
            continue;
        }
        if l.can_receive() && r.can_send() {
            add_path_rx.push(*f);
            codec.add_path_rx |= bit;
        }
        if l.can_send() && r.can_receive() {
            add_path_tx.push(*f);
            codec.add_path_tx |= bit;
        }
    }

    let four_octet_as = local.four_octet_as().is_some() && remote.four_octet_as().is_some();
    let extended_messages = local.extended_messages() && remote.extended_messages();
    codec.four_octet_as = four_octet_as;
    codec.extended_messages = extended_messages;

    let remote_enh = remote.extended_next_hop();
    let extended_next_hop = local
        .extended_next_hop()
        .into_iter()
        .filter(|e| remote_enh.contains(e) && families.contains(&e.0))
        .collect();

    let graceful_restart = match (
        policy.graceful_restart_helper,
        local.graceful_restart(),
        remote.graceful_restart(),
    ) {
        (true, Some(l), Some(r)) => Some(PeerGracefulRestart {
            restart_time: r.restart_time,
            restarted: r.restart_state,
            notification: r.notification && l.notification,
            families: r
                .families
                .iter()
                .copied()
                .filter(|(f, _)| families.contains(f))
                .collect(),
        }),
        _ => None,
    };

    let hold_time = local.hold_time.min(remote.hold_time);
    Ok(Negotiated {
        remote_asn: remote.asn,
        remote_id: remote.bgp_id,
        internal,
        hold_time,
        keepalive: hold_time / 3,
        families,
        four_octet_as,
        route_refresh: local.route_refresh() && remote.route_refresh(),
        enhanced_route_refresh: local.enhanced_route_refresh() && remote.enhanced_route_refresh(),
        extended_messages,
        add_path_rx,
        add_path_tx,
        extended_next_hop,
        graceful_restart,
        remote_role,
        codec,
    })
}

#[cfg(test)]
mod tests;
