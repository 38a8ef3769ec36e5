//! TOML → [`Config`]: serde with unknown fields denied, then validation that
//! reports every problem with its file, line and field.

use crate::error::{line_col, ConfigError, ConfigErrors};
use crate::model::*;
use crate::secret::Secret;
use condor_wire::{Asn, Family};
use serde::Deserialize;
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::Duration;
use toml::Spanned;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    server: Spanned<RawServer>,
    #[serde(default)]
    neighbor: Vec<Spanned<RawNeighbor>>,
    #[serde(default)]
    filters: crate::filters::RawFilters,
    #[serde(default)]
    looking_glass: Option<RawLookingGlass>,
    #[serde(default)]
    irr: crate::irr::RawIrr,
    #[serde(default)]
    rpki: Option<crate::rpki::RawRpki>,
    #[serde(default)]
    blackhole: Option<crate::filters::RawBlackhole>,
    #[serde(default)]
    registry: Option<Spanned<RawRegistry>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRegistry {
    pub(crate) path: String,
    pub(crate) route_server: String,
    #[serde(default)]
    pub(crate) ttl_security: Option<Spanned<i64>>,
    #[serde(default)]
    pub(crate) passive: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLookingGlass {
    listen: Spanned<String>,
    #[serde(default)]
    operator_token: Option<Spanned<String>>,
}

/// Shortest operator token accepted (a guessable token is no protection).
pub const MIN_OPERATOR_TOKEN_LEN: usize = 16;

/// An ASN written as a number or as `"AS64500"`.
#[derive(Deserialize, Clone)]
#[serde(untagged)]
enum RawAsn {
    Num(i64),
    Text(String),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawServer {
    #[serde(default)]
    name: Option<String>,
    asn: Spanned<RawAsn>,
    router_id: Spanned<String>,
    #[serde(default)]
    listen: Option<Spanned<Vec<String>>>,
    #[serde(default)]
    hold_time: Option<Spanned<i64>>,
    #[serde(default)]
    connect_retry: Option<Spanned<i64>>,
    #[serde(default)]
    control_socket: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMaxPrefix {
    #[serde(default)]
    ipv4: Option<Spanned<i64>>,
    #[serde(default)]
    ipv6: Option<Spanned<i64>>,
    #[serde(default)]
    action: Option<Spanned<String>>,
    #[serde(default)]
    restart_after: Option<Spanned<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTcpAo {
    send_id: Spanned<i64>,
    recv_id: Spanned<i64>,
    #[serde(default)]
    algorithm: Option<String>,
    secret: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNeighbor {
    #[serde(default)]
    name: Option<String>,
    address: Spanned<String>,
    asn: Spanned<RawAsn>,
    #[serde(default)]
    password: Option<Spanned<String>>,
    #[serde(default)]
    tcp_ao: Option<Spanned<RawTcpAo>>,
    #[serde(default)]
    port: Option<Spanned<i64>>,
    #[serde(default)]
    local_address: Option<Spanned<String>>,
    #[serde(default)]
    passive: bool,
    #[serde(default)]
    families: Option<Spanned<Vec<String>>>,
    #[serde(default)]
    hold_time: Option<Spanned<i64>>,
    #[serde(default)]
    ttl_security: Option<Spanned<i64>>,
    #[serde(default)]
    multihop: Option<Spanned<i64>>,
    #[serde(default)]
    max_prefix: Option<RawMaxPrefix>,
    #[serde(default)]
    role_strict: bool,
    #[serde(default)]
    add_path_send: bool,
    #[serde(default)]
    shutdown: bool,
    #[serde(default)]
    internal: bool,
    #[serde(default)]
    transparent: bool,
    #[serde(default)]
    receive_blackhole: bool,
    #[serde(default)]
    filters: Option<crate::filters::RawFilters>,
    #[serde(default)]
    as_set: Option<Spanned<String>>,
    #[serde(default)]
    irr_file: Option<Spanned<String>>,
    #[serde(default)]
    next_hops: Option<Spanned<Vec<String>>>,
}

/// Longest TCP MD5 key the kernel takes (TCP_MD5SIG_MAXKEYLEN).
pub const MAX_MD5_KEY_LEN: usize = 80;
/// Default BGP port.
pub const BGP_PORT: u16 = 179;

pub(crate) struct Ctx<'a> {
    pub(crate) file: &'a str,
    text: &'a str,
    errors: Vec<ConfigError>,
}

impl Ctx<'_> {
    pub(crate) fn err(&mut self, span: std::ops::Range<usize>, message: impl Into<String>) {
        let (line, column) = line_col(self.text, span.start);
        self.errors.push(ConfigError {
            file: self.file.to_string(),
            line,
            column,
            message: message.into(),
        });
    }

    fn asn(&mut self, field: &str, v: &Spanned<RawAsn>) -> Asn {
        let parsed = match v.get_ref() {
            RawAsn::Num(n) => u32::try_from(*n).ok().map(Asn),
            RawAsn::Text(s) => s.parse::<Asn>().ok(),
        };
        match parsed {
            Some(a) if a.0 != 0 && a != Asn::TRANS && a.0 != u32::MAX => a,
            Some(a) => {
                self.err(
                    v.span(),
                    format!("{field}: AS{a} is reserved and cannot be used"),
                );
                Asn(0)
            }
            None => {
                self.err(
                    v.span(),
                    format!("{field}: not an AS number (1 to 4294967294, or \"AS64500\")"),
                );
                Asn(0)
            }
        }
    }

    pub(crate) fn int<T: TryFrom<i64>>(
        &mut self,
        field: &str,
        v: &Spanned<i64>,
        min: i64,
        max: i64,
    ) -> Option<T> {
        let n = *v.get_ref();
        if n < min || n > max {
            self.err(
                v.span(),
                format!("{field}: {n} is out of range ({min} to {max})"),
            );
            return None;
        }
        T::try_from(n).ok()
    }

    fn ip(&mut self, field: &str, v: &Spanned<String>) -> Option<IpAddr> {
        match v.get_ref().parse() {
            Ok(a) => Some(a),
            Err(_) => {
                self.err(
                    v.span(),
                    format!("{field}: {:?} is not an IP address", v.get_ref()),
                );
                None
            }
        }
    }

    fn hold_time(&mut self, field: &str, v: &Spanned<i64>) -> Option<u16> {
        let h: u16 = self.int(field, v, 0, 65535)?;
        if h == 1 || h == 2 {
            self.err(
                v.span(),
                format!("{field}: must be 0 or at least 3 seconds (RFC 4271 §4.2)"),
            );
            return None;
        }
        Some(h)
    }
}

fn parse_family(s: &str) -> Option<Family> {
    match s {
        "ipv4-unicast" | "ipv4" => Some(Family::IPV4_UNICAST),
        "ipv6-unicast" | "ipv6" => Some(Family::IPV6_UNICAST),
        _ => None,
    }
}

/// Parses configuration text. `file` names it in errors.
pub fn parse(file: &str, text: &str) -> Result<Config, ConfigErrors> {
    let raw: RawConfig = toml::from_str(text).map_err(|e| {
        let (line, column) = e.span().map(|s| line_col(text, s.start)).unwrap_or((0, 0));
        ConfigErrors(vec![ConfigError {
            file: file.to_string(),
            line,
            column,
            message: e.message().trim().to_string(),
        }])
    })?;
    let mut cx = Ctx {
        file,
        text,
        errors: Vec::new(),
    };

    let s = raw.server.get_ref();
    let asn = cx.asn("server.asn", &s.asn);
    let router_id = match s.router_id.get_ref().parse::<Ipv4Addr>() {
        Ok(a) if !a.is_unspecified() => a,
        _ => {
            cx.err(
                s.router_id.span(),
                "server.router_id: must be a non-zero IPv4 address (RFC 6286)",
            );
            Ipv4Addr::UNSPECIFIED
        }
    };
    let mut listen = Vec::new();
    match &s.listen {
        Some(l) => {
            for a in l.get_ref() {
                match a
                    .parse::<SocketAddr>()
                    .or_else(|_| a.parse::<IpAddr>().map(|ip| SocketAddr::new(ip, BGP_PORT)))
                {
                    Ok(sa) => listen.push(sa),
                    Err(_) => cx.err(
                        l.span(),
                        format!("server.listen: {a:?} is not an address or address:port"),
                    ),
                }
            }
        }
        None => {
            listen = vec![
                "0.0.0.0:179".parse().expect("literal"),
                "[::]:179".parse().expect("literal"),
            ]
        }
    }
    let hold_time = s
        .hold_time
        .as_ref()
        .and_then(|h| cx.hold_time("server.hold_time", h))
        .unwrap_or(90);
    let connect_retry = s
        .connect_retry
        .as_ref()
        .and_then(|c| cx.int::<u64>("server.connect_retry", c, 1, 3600))
        .unwrap_or(30);
    let server = Server {
        name: s.name.clone().unwrap_or_else(|| format!("condor AS{asn}")),
        asn,
        router_id,
        listen,
        hold_time,
        connect_retry: Duration::from_secs(connect_retry),
        control_socket: PathBuf::from(
            s.control_socket
                .clone()
                .unwrap_or_else(|| "/run/condor/condor.sock".into()),
        ),
    };

    let mut filters = raw.filters.build(
        &condor_policy::Filters::default(),
        server.asn,
        &mut |span, msg| cx.err(span, msg),
    );
    filters.blackhole = raw
        .blackhole
        .as_ref()
        .and_then(|b| b.build(&mut |span, msg| cx.err(span, msg)));

    let mut neighbors = Vec::new();
    let mut seen: HashMap<IpAddr, usize> = HashMap::new();
    for (i, sn) in raw.neighbor.iter().enumerate() {
        let n = sn.get_ref();
        let f = |x: &str| format!("neighbor[{i}].{x}");
        let Some(address) = cx.ip(&f("address"), &n.address) else {
            continue;
        };
        if let Some(prev) = seen.insert(address, i) {
            cx.err(
                n.address.span(),
                format!("{}: {address} is already neighbor[{prev}]", f("address")),
            );
        }
        let nasn = cx.asn(&f("asn"), &n.asn);
        let password = n.password.as_ref().and_then(|p| {
            let v = p.get_ref();
            if v.is_empty() || v.len() > MAX_MD5_KEY_LEN {
                cx.err(
                    p.span(),
                    format!(
                        "{}: must be 1 to {MAX_MD5_KEY_LEN} octets long",
                        f("password")
                    ),
                );
                None
            } else {
                Some(Secret::new(v.clone()))
            }
        });
        let tcp_ao = n.tcp_ao.as_ref().and_then(|ao| {
            let a = ao.get_ref();
            let send_id = cx.int::<u8>(&f("tcp_ao.send_id"), &a.send_id, 0, 255)?;
            let recv_id = cx.int::<u8>(&f("tcp_ao.recv_id"), &a.recv_id, 0, 255)?;
            if a.secret.get_ref().is_empty() || a.secret.get_ref().len() > MAX_MD5_KEY_LEN {
                cx.err(
                    a.secret.span(),
                    format!(
                        "{}: must be 1 to {MAX_MD5_KEY_LEN} octets long",
                        f("tcp_ao.secret")
                    ),
                );
                return None;
            }
            Some(TcpAo {
                send_id,
                recv_id,
                algorithm: a.algorithm.clone().unwrap_or_else(|| "hmac(sha1)".into()),
                secret: Secret::new(a.secret.get_ref().clone()),
            })
        });
        if let (Some(_), Some(ao)) = (&password, &n.tcp_ao) {
            cx.err(
                ao.span(),
                format!(
                    "{}: a neighbor uses either a password (TCP MD5) or tcp_ao, not both",
                    f("tcp_ao")
                ),
            );
        }
        let port = n
            .port
            .as_ref()
            .and_then(|p| cx.int::<u16>(&f("port"), p, 1, 65535))
            .unwrap_or(BGP_PORT);
        let local_address = n
            .local_address
            .as_ref()
            .and_then(|a| cx.ip(&f("local_address"), a));
        if let Some(l) = local_address {
            if l.is_ipv4() != address.is_ipv4() {
                cx.err(
                    n.local_address.as_ref().map_or(0..0, |a| a.span()),
                    format!(
                        "{}: {l} is not of the same family as {address}",
                        f("local_address")
                    ),
                );
            }
        }
        let families = match &n.families {
            Some(fs) => {
                let mut out = Vec::new();
                for s in fs.get_ref() {
                    match parse_family(s) {
                        Some(fam) if !out.contains(&fam) => out.push(fam),
                        Some(_) => cx.err(
                            fs.span(),
                            format!("{}: {s:?} is listed twice", f("families")),
                        ),
                        None => cx.err(
                            fs.span(),
                            format!(
                                "{}: unknown family {s:?} (ipv4-unicast, ipv6-unicast)",
                                f("families")
                            ),
                        ),
                    }
                }
                if fs.get_ref().is_empty() {
                    cx.err(
                        fs.span(),
                        format!("{}: at least one family is needed", f("families")),
                    );
                }
                out
            }
            None if address.is_ipv4() => vec![Family::IPV4_UNICAST],
            None => vec![Family::IPV6_UNICAST],
        };
        let hold = n
            .hold_time
            .as_ref()
            .and_then(|h| cx.hold_time(&f("hold_time"), h));
        let ttl_security = n
            .ttl_security
            .as_ref()
            .and_then(|t| cx.int::<u8>(&f("ttl_security"), t, 1, 254));
        let multihop = n
            .multihop
            .as_ref()
            .and_then(|t| cx.int::<u8>(&f("multihop"), t, 1, 255));
        if let (Some(_), Some(m)) = (ttl_security, &n.multihop) {
            cx.err(
                m.span(),
                format!(
                    "{}: cannot be combined with ttl_security (GTSM)",
                    f("multihop")
                ),
            );
        }
        let as_set = n.as_set.as_ref().and_then(|s| {
            if crate::irr::valid_as_set(s.get_ref()) {
                Some(s.get_ref().clone())
            } else {
                cx.err(
                    s.span(),
                    format!(
                        "{}: {:?} is not an ASN or AS-SET name (e.g. \"AS-EXAMPLE\", \"AS64500\")",
                        f("as_set"),
                        s.get_ref()
                    ),
                );
                None
            }
        });
        if let (Some(s), Some(_)) = (&n.as_set, &n.irr_file) {
            cx.err(
                s.span(),
                format!("{}: give either as_set or irr_file, not both", f("as_set")),
            );
        }
        if let Some(p) = &n.irr_file {
            if !Path::new(p.get_ref()).is_file() {
                cx.err(
                    p.span(),
                    format!(
                        "{}: {:?} does not exist or is not a file",
                        f("irr_file"),
                        p.get_ref()
                    ),
                );
            }
        }
        let next_hops = match &n.next_hops {
            None => Vec::new(),
            Some(v) => v
                .get_ref()
                .iter()
                .filter_map(|a| match a.parse::<IpAddr>() {
                    Ok(ip) => Some(ip),
                    Err(_) => {
                        cx.err(
                            v.span(),
                            format!("{}: {a:?} is not an IP address", f("next_hops")),
                        );
                        None
                    }
                })
                .collect(),
        };
        let max_prefix = n.max_prefix.as_ref().map(|m| {
            let action = match m.action.as_ref().map(|a| (a.get_ref().as_str(), a.span())) {
                None | Some(("shutdown", _)) => MaxPrefixAction::Shutdown,
                Some(("warn", _)) => MaxPrefixAction::Warn,
                Some(("drop-new", _)) => MaxPrefixAction::DropNew,
                Some((other, span)) => {
                    cx.err(
                        span,
                        format!(
                            "{}: unknown action {other:?} (warn, drop-new, shutdown)",
                            f("max_prefix.action")
                        ),
                    );
                    MaxPrefixAction::Shutdown
                }
            };
            MaxPrefix {
                ipv4: m
                    .ipv4
                    .as_ref()
                    .and_then(|v| cx.int(&f("max_prefix.ipv4"), v, 1, u32::MAX as i64)),
                ipv6: m
                    .ipv6
                    .as_ref()
                    .and_then(|v| cx.int(&f("max_prefix.ipv6"), v, 1, u32::MAX as i64)),
                action,
                restart_after: Duration::from_secs(
                    m.restart_after
                        .as_ref()
                        .and_then(|v| {
                            cx.int::<u64>(&f("max_prefix.restart_after"), v, 0, 86400 * 7)
                        })
                        .unwrap_or(900),
                ),
            }
        });
        neighbors.push(Neighbor {
            name: n.name.clone().unwrap_or_else(|| format!("AS{nasn}")),
            address,
            asn: nasn,
            password,
            tcp_ao,
            port,
            local_address,
            passive: n.passive,
            families,
            hold_time: hold,
            ttl_security,
            multihop,
            max_prefix,
            role_strict: n.role_strict,
            add_path_send: n.add_path_send,
            shutdown: n.shutdown,
            internal: n.internal,
            transparent: n.transparent,
            receive_blackhole: n.receive_blackhole,
            filters: n.filters.as_ref().map(|o| {
                o.build(&filters, server.asn, &mut |span, msg| {
                    cx.err(span, format!("{}: {msg}", f("filters")))
                })
            }),
            next_hops,
            as_set,
            irr_file: n.irr_file.as_ref().map(|p| PathBuf::from(p.get_ref())),
            from_registry: false,
        });
    }
    let looking_glass = raw.looking_glass.as_ref().and_then(|lg| {
        let listen = match lg.listen.get_ref().parse::<SocketAddr>() {
            Ok(a) => Some(a),
            Err(_) => {
                cx.err(
                    lg.listen.span(),
                    format!(
                        "looking_glass.listen: {:?} is not an address:port",
                        lg.listen.get_ref()
                    ),
                );
                None
            }
        };
        let token = lg.operator_token.as_ref().and_then(|t| {
            let v = t.get_ref();
            if v.len() < MIN_OPERATOR_TOKEN_LEN || v.chars().any(|c| c.is_whitespace() || c.is_control()) {
                cx.err(
                    t.span(),
                    format!(
                        "looking_glass.operator_token: at least {MIN_OPERATOR_TOKEN_LEN} characters, no spaces"
                    ),
                );
                None
            } else {
                Some(Secret::new(v.clone()))
            }
        });
        listen.map(|listen| LookingGlass {
            listen,
            operator_token: token,
        })
    });
    let irr = raw.irr.build(&mut |span, msg| cx.err(span, msg));
    let rpki = raw
        .rpki
        .as_ref()
        .map(|r| r.build(&mut |span, msg| cx.err(span, msg)));
    let registry = raw
        .registry
        .as_ref()
        .map(|r| crate::registry::add_neighbors(&mut cx, r, &mut neighbors));
    if cx.errors.is_empty() {
        Ok(Config {
            server,
            neighbors,
            filters,
            looking_glass,
            irr,
            rpki,
            registry,
        })
    } else {
        Err(ConfigErrors(cx.errors))
    }
}

/// Reads and parses a configuration file.
pub fn load(path: &Path) -> Result<Config, ConfigErrors> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| {
        ConfigErrors(vec![ConfigError {
            file: name.clone(),
            line: 0,
            column: 0,
            message: format!("cannot read: {e}"),
        }])
    })?;
    parse(&name, &text)
}
