//! The `[registry]` table: the route server's neighbors taken from the
//! member registry (`condor-registry`), one per member address in a family
//! this route server serves, with the member's ASN, TCP-MD5 password (RFC
//! 2385) from the secret store, prefix limit and AS-SET. The registry is
//! read with the configuration, so a reload re-reads it: a member added
//! appears as a new neighbor, a member removed disappears, and the reload
//! diff touches only those. A registry neighbor whose address is also a
//! `[[neighbor]]` entry is an error naming both.

use crate::model::{MaxPrefix, MaxPrefixAction, Neighbor, RegistrySource};
use crate::parse::{Ctx, RawRegistry, BGP_PORT, MAX_MD5_KEY_LEN};
use crate::secret::Secret;
use condor_wire::Family;
use std::path::{Path, PathBuf};
use std::time::Duration;
use toml::Spanned;

/// Default restart delay after a max-prefix shutdown, as for `[[neighbor]]`.
const RESTART_AFTER: Duration = Duration::from_secs(900);

/// The registry's path: relative paths are taken from the configuration
/// file's directory, and made absolute (the canonical printer shows it so).
fn resolve(config_file: &str, path: &str) -> PathBuf {
    let p = Path::new(path);
    let joined = match Path::new(config_file).parent() {
        _ if p.is_absolute() => p.to_path_buf(),
        Some(dir) if !dir.as_os_str().is_empty() => dir.join(p),
        _ => p.to_path_buf(),
    };
    std::path::absolute(&joined).unwrap_or(joined)
}

/// Reads the registry named by `raw` and appends its neighbors.
pub(crate) fn add_neighbors(
    cx: &mut Ctx<'_>,
    raw: &Spanned<RawRegistry>,
    neighbors: &mut Vec<Neighbor>,
) -> RegistrySource {
    let span = raw.span();
    let r = raw.get_ref();
    let source = RegistrySource {
        path: resolve(cx.file, &r.path),
        route_server: r.route_server.clone(),
        ttl_security: r
            .ttl_security
            .as_ref()
            .and_then(|t| cx.int::<u8>("registry.ttl_security", t, 1, 254)),
        passive: r.passive.unwrap_or(true),
    };
    let reg = match condor_registry::load(&source.path) {
        Ok(reg) => reg,
        Err(e) => {
            cx.err(span, format!("registry.path: {e}"));
            return source;
        }
    };
    let secrets_file = condor_registry::secrets_path(&source.path);
    let secrets = match condor_registry::SecretStore::load(&secrets_file) {
        Ok(s) => s,
        Err(e) => {
            cx.err(span, format!("registry: {e}"));
            return source;
        }
    };
    let sessions =
        match condor_registry::route_server_sessions(&reg, &source.route_server, &secrets) {
            Ok(s) => s,
            Err(e) => {
                cx.err(
                    span.clone(),
                    format!("registry.route_server: {}: {e}", source.path.display()),
                );
                return source;
            }
        };
    for s in sessions {
        if let Some(prev) = neighbors.iter().find(|n| n.address == s.address) {
            cx.err(
                span.clone(),
                format!(
                    "registry: member AS{} ({}) at {} in {} is also [[neighbor]] {} (AS{}); remove one of them",
                    s.asn,
                    s.name,
                    s.address,
                    source.path.display(),
                    prev.name,
                    prev.asn
                ),
            );
            continue;
        }
        let password = match s.password {
            Some(p) if p.expose().is_empty() || p.expose().len() > MAX_MD5_KEY_LEN => {
                cx.err(
                    span.clone(),
                    format!(
                        "registry: the password of AS{} in {} must be 1 to {MAX_MD5_KEY_LEN} octets long",
                        s.asn,
                        secrets_file.display()
                    ),
                );
                None
            }
            Some(p) => Some(Secret::new(p.expose())),
            None => None,
        };
        let v4 = s.address.is_ipv4();
        neighbors.push(Neighbor {
            name: s.name,
            address: s.address,
            asn: s.asn,
            password,
            tcp_ao: None,
            port: BGP_PORT,
            local_address: None,
            passive: source.passive,
            families: vec![if v4 {
                Family::IPV4_UNICAST
            } else {
                Family::IPV6_UNICAST
            }],
            hold_time: None,
            ttl_security: source.ttl_security,
            multihop: None,
            max_prefix: s.max_prefix.map(|limit| MaxPrefix {
                ipv4: v4.then_some(limit),
                ipv6: (!v4).then_some(limit),
                action: MaxPrefixAction::Shutdown,
                restart_after: RESTART_AFTER,
            }),
            role_strict: false,
            add_path_send: false,
            shutdown: s.shutdown,
            internal: false,
            transparent: false,
            receive_blackhole: false,
            filters: None,
            next_hops: Vec::new(),
            as_set: s.as_set,
            irr_file: None,
            from_registry: true,
        });
    }
    source
}
