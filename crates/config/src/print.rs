//! The canonical printer: every field in a fixed order with defaults made
//! explicit, secrets replaced by `"<redacted>"`. `condor check --print` shows
//! it; golden files test it.

use crate::model::*;
use std::fmt::Write;

fn q(s: &str) -> String {
    // TOML basic string: escape backslash, quote and control characters.
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Prints `config` as canonical TOML with secrets hidden.
pub fn to_canonical_toml(config: &Config) -> String {
    let mut o = String::new();
    let s = &config.server;
    let _ = writeln!(o, "[server]");
    let _ = writeln!(o, "name = {}", q(&s.name));
    let _ = writeln!(o, "asn = {}", s.asn);
    let _ = writeln!(o, "router_id = {}", q(&s.router_id.to_string()));
    let listen: Vec<String> = s.listen.iter().map(|a| q(&a.to_string())).collect();
    let _ = writeln!(o, "listen = [{}]", listen.join(", "));
    let _ = writeln!(o, "hold_time = {}", s.hold_time);
    let _ = writeln!(o, "connect_retry = {}", s.connect_retry.as_secs());
    let _ = writeln!(
        o,
        "control_socket = {}",
        q(&s.control_socket.display().to_string())
    );
    if let Some(lg) = &config.looking_glass {
        let _ = writeln!(o, "\n[looking_glass]");
        let _ = writeln!(o, "listen = {}", q(&lg.listen.to_string()));
        if lg.operator_token.is_some() {
            let _ = writeln!(o, "operator_token = \"<redacted>\"");
        }
    }
    crate::filters::print(&config.filters, &mut o);
    if let Some(b) = &config.filters.blackhole {
        crate::filters::print_blackhole(b, &mut o);
    }
    crate::irr::print(&config.irr, &mut o);
    if let Some(r) = &config.rpki {
        crate::rpki::print(r, &mut o);
    }
    if let Some(r) = &config.registry {
        let _ = writeln!(o, "\n[registry]");
        let _ = writeln!(o, "path = {}", q(&r.path.display().to_string()));
        let _ = writeln!(o, "route_server = {}", q(&r.route_server));
        if let Some(t) = r.ttl_security {
            let _ = writeln!(o, "ttl_security = {t}");
        }
        let _ = writeln!(o, "passive = {}", r.passive);
    }
    // Neighbors from the registry come from the [registry] table above.
    for n in config.neighbors.iter().filter(|n| !n.from_registry) {
        let _ = writeln!(o, "\n[[neighbor]]");
        let _ = writeln!(o, "name = {}", q(&n.name));
        let _ = writeln!(o, "address = {}", q(&n.address.to_string()));
        let _ = writeln!(o, "asn = {}", n.asn);
        if n.password.is_some() {
            let _ = writeln!(o, "password = \"<redacted>\"");
        }
        let _ = writeln!(o, "port = {}", n.port);
        if let Some(l) = n.local_address {
            let _ = writeln!(o, "local_address = {}", q(&l.to_string()));
        }
        let _ = writeln!(o, "passive = {}", n.passive);
        let fams: Vec<String> = n.families.iter().map(|f| q(&f.to_string())).collect();
        let _ = writeln!(o, "families = [{}]", fams.join(", "));
        if let Some(h) = n.hold_time {
            let _ = writeln!(o, "hold_time = {h}");
        }
        if let Some(t) = n.ttl_security {
            let _ = writeln!(o, "ttl_security = {t}");
        }
        if let Some(m) = n.multihop {
            let _ = writeln!(o, "multihop = {m}");
        }
        let _ = writeln!(o, "role_strict = {}", n.role_strict);
        let _ = writeln!(o, "add_path_send = {}", n.add_path_send);
        let _ = writeln!(o, "shutdown = {}", n.shutdown);
        let _ = writeln!(o, "internal = {}", n.internal);
        let _ = writeln!(o, "transparent = {}", n.transparent);
        let _ = writeln!(o, "receive_blackhole = {}", n.receive_blackhole);
        if let Some(a) = &n.as_set {
            let _ = writeln!(o, "as_set = {}", q(a));
        }
        if let Some(p) = &n.irr_file {
            let _ = writeln!(o, "irr_file = {}", q(&p.display().to_string()));
        }
        if !n.next_hops.is_empty() {
            let nh: Vec<String> = n.next_hops.iter().map(|a| q(&a.to_string())).collect();
            let _ = writeln!(o, "next_hops = [{}]", nh.join(", "));
        }
        if let Some(ao) = &n.tcp_ao {
            let _ = writeln!(o, "tcp_ao = {{ send_id = {}, recv_id = {}, algorithm = {}, secret = \"<redacted>\" }}", ao.send_id, ao.recv_id, q(&ao.algorithm));
        }
        if let Some(m) = &n.max_prefix {
            let action = match m.action {
                MaxPrefixAction::Warn => "warn",
                MaxPrefixAction::DropNew => "drop-new",
                MaxPrefixAction::Shutdown => "shutdown",
            };
            let _ = writeln!(o, "[neighbor.max_prefix]");
            if let Some(v) = m.ipv4 {
                let _ = writeln!(o, "ipv4 = {v}");
            }
            if let Some(v) = m.ipv6 {
                let _ = writeln!(o, "ipv6 = {v}");
            }
            let _ = writeln!(o, "action = {}", q(action));
            let _ = writeln!(o, "restart_after = {}", m.restart_after.as_secs());
        }
        if let Some(f) = &n.filters {
            crate::filters::print_table(f, "neighbor.filters", &mut o);
        }
    }
    o
}
