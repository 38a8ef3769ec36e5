//! From a configured neighbor to what its session needs: the OPEN policy,
//! FSM timers, keys and TTL handling.

use anyhow::Context as _;
use condor_config::{Neighbor, Secret, Server, TcpAo};
use condor_session::driver::{SessionConfig, SEND_HOLD_TIME};
use condor_session::socket::{self, AoKey, TtlPolicy};
use condor_session::{FsmConfig, PeerPolicy};

/// The kernel's form of a TCP-MD5 password.
pub(crate) fn md5_secret(s: &Secret) -> anyhow::Result<socket::Secret> {
    socket::Secret::new(s.expose().as_bytes().to_vec())
        .map_err(|e| anyhow::anyhow!("password: {e}"))
}

/// The kernel's form of a TCP-AO key.
pub(crate) fn ao_key(ao: &TcpAo) -> anyhow::Result<AoKey> {
    Ok(AoKey {
        send_id: ao.send_id,
        recv_id: ao.recv_id,
        algorithm: ao
            .algorithm
            .parse()
            .map_err(|e| anyhow::anyhow!("tcp_ao.algorithm: {e}"))?,
        secret: socket::Secret::new(ao.secret.expose().as_bytes().to_vec())
            .map_err(|e| anyhow::anyhow!("tcp_ao.secret: {e}"))?,
    })
}

/// The session configuration of a neighbor of this route server.
pub fn session_config(server: &Server, n: &Neighbor) -> anyhow::Result<SessionConfig> {
    let mut policy = PeerPolicy::route_server(server.asn, server.router_id, n.asn);
    policy.hold_time = n.effective_hold_time(server);
    policy.strict_role = n.role_strict;
    if n.internal {
        // Internal neighbors (collectors, other route servers, monitoring)
        // are not route-server clients: announcing `rs` to another route
        // server is a pair RFC 9234 §4.2 forbids (2/11 Role Mismatch), so
        // no role is announced or checked on these sessions.
        policy.local_role = None;
    }
    policy.families = n.families.clone();
    if n.add_path_send {
        policy.add_path_send = n.families.clone();
    }
    policy.validate().map_err(|e| anyhow::anyhow!("{e}"))?;
    let fsm = FsmConfig {
        connect_retry_time: server.connect_retry,
        ..FsmConfig::default()
    };
    let ttl = match (n.ttl_security, n.multihop) {
        (Some(h), _) => TtlPolicy::Gtsm { hops: h },
        (None, Some(m)) => TtlPolicy::Ttl(m),
        (None, None) => TtlPolicy::KernelDefault,
    };
    let hold = u64::from(policy.hold_time);
    Ok(SessionConfig {
        name: n.name.clone(),
        peer: n.address,
        port: n.port,
        local: n.local_address,
        passive: n.passive,
        md5: n
            .password
            .as_ref()
            .map(md5_secret)
            .transpose()
            .context("TCP-MD5")?,
        ao: n
            .tcp_ao
            .as_ref()
            .map(ao_key)
            .transpose()
            .context("TCP-AO")?,
        ttl,
        policy,
        fsm,
        send_hold_time: SEND_HOLD_TIME.max(std::time::Duration::from_secs(2 * hold)),
    })
}

/// The import policy of a neighbor under the route server's filters.
pub(crate) fn member_import(
    n: &condor_config::Neighbor,
    filters: &std::sync::Arc<condor_policy::Filters>,
    irr: &std::collections::HashMap<String, std::sync::Arc<dyn condor_policy::IrrCheck>>,
) -> condor_policy::MemberImport {
    // A member with an AS-SET whose data are not loaded yet: nothing is
    // covered (held as filtered until the data arrive, never relayed unchecked).
    let irr = crate::irr::key(n).map(|k| {
        irr.get(&k)
            .cloned()
            .unwrap_or_else(|| std::sync::Arc::new(crate::irr::NotLoaded))
    });
    let mut addresses = vec![n.address];
    addresses.extend(n.next_hops.iter().copied().filter(|a| *a != n.address));
    condor_policy::MemberImport {
        asn: n.asn,
        addresses,
        transparent: n.transparent,
        irr,
        filters: match &n.filters {
            Some(own) => std::sync::Arc::new(own.clone()),
            None => filters.clone(),
        },
    }
}
