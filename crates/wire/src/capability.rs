//! BGP capabilities (RFC 5492), as carried in the OPEN message's Capability
//! optional parameter, with the capabilities a route server negotiates:
//!
//! | code | capability | RFC |
//! |---:|---|---|
//! | 1 | Multiprotocol Extensions | 4760 §8 |
//! | 2 | Route Refresh | 2918 §3 |
//! | 5 | Extended Next Hop Encoding | 8950 §3 |
//! | 6 | Extended Message | 8654 §3 |
//! | 9 | BGP Role | 9234 §4.1 |
//! | 64 | Graceful Restart (with the N bit of RFC 8538 §3) | 4724 §3 |
//! | 65 | Support for 4-octet AS number | 6793 §3 |
//! | 69 | ADD-PATH | 7911 §4 |
//! | 70 | Enhanced Route Refresh | 7313 §3.1 |
//! | 71 | Long-Lived Graceful Restart (kept raw) | 9494 |
//! | 73 | FQDN (hostname) | draft-walton-bgp-hostname-capability |
//!
//! Every other code (Cisco's pre-standard route refresh 128, ORF 3/130,
//! software version 75, link-local next hop 77, …) is kept as
//! [`Capability::Unknown`] with its raw value and re-encoded byte for byte.
//!
//! # Malformed values
//!
//! RFC 4271 §6.2 says a recognized optional parameter that is malformed gets
//! NOTIFICATION OPEN Message Error / subcode 0 (Unspecific); RFC 5492 adds
//! nothing more specific. BIRD and FRR do the same for capabilities, so:
//!
//! * a capability with a fixed layout whose length is wrong (Multiprotocol
//!   not 4 octets, Route Refresh / Enhanced Route Refresh / Extended Message
//!   not empty, Role not 1, 4-octet AS not 4, Graceful Restart not 2 + 4·n,
//!   ADD-PATH not 4·n, Extended Next Hop not 6·n or with a SAFI above 255) is a
//!   [`MessageError`] carrying NOTIFICATION 2/0 with empty data. These
//!   capabilities change how UPDATEs are parsed, so guessing would risk
//!   misreading every later message;
//! * an ADD-PATH capability with a Send/Receive value other than 1, 2 or 3 is
//!   "treated as not understood and ignored" (RFC 7911 §4): it is kept as
//!   [`Capability::Unknown`];
//! * a malformed FQDN capability is kept as [`Capability::Unknown`]: it is
//!   informational only and never worth a session. Its strings are decoded as
//!   lossy UTF-8 (hostnames are ASCII in practice);
//! * reserved bits (Multiprotocol's reserved octet, Graceful Restart's other
//!   flag bits) are ignored as the RFCs say, and encoded as zero.
//!
//! # Size limits
//!
//! A capability value is at most 255 octets (its length field is one octet).
//! Decoding cannot exceed that; when encoding a capability built in code with
//! more, whole entries that do not fit are left out (63 Graceful Restart or
//! ADD-PATH families, 42 Extended Next Hop entries), FQDN strings are cut at a
//! character boundary and raw values are cut at 255 octets.

use crate::notification::codes;
use crate::{Afi, Asn, Family, MessageError, Notification, Safi};
use std::fmt;

/// Capability codes (IANA "Capability Codes" registry).
pub mod code {
    /// Multiprotocol Extensions (RFC 4760).
    pub const MULTIPROTOCOL: u8 = 1;
    /// Route Refresh (RFC 2918).
    pub const ROUTE_REFRESH: u8 = 2;
    /// Outbound Route Filtering (RFC 5291).
    pub const ORF: u8 = 3;
    /// Extended Next Hop Encoding (RFC 8950).
    pub const EXTENDED_NEXT_HOP: u8 = 5;
    /// Extended Message (RFC 8654).
    pub const EXTENDED_MESSAGE: u8 = 6;
    /// BGP Role (RFC 9234).
    pub const ROLE: u8 = 9;
    /// Graceful Restart (RFC 4724).
    pub const GRACEFUL_RESTART: u8 = 64;
    /// Support for 4-octet AS number (RFC 6793).
    pub const FOUR_OCTET_AS: u8 = 65;
    /// ADD-PATH (RFC 7911).
    pub const ADD_PATH: u8 = 69;
    /// Enhanced Route Refresh (RFC 7313).
    pub const ENHANCED_ROUTE_REFRESH: u8 = 70;
    /// Long-Lived Graceful Restart (RFC 9494).
    pub const LONG_LIVED_GRACEFUL_RESTART: u8 = 71;
    /// FQDN (draft-walton-bgp-hostname-capability).
    pub const FQDN: u8 = 73;
    /// Software version (draft-abraitis-bgp-version-capability).
    pub const SOFTWARE_VERSION: u8 = 75;
    /// Cisco's pre-standard Route Refresh.
    pub const ROUTE_REFRESH_CISCO: u8 = 128;
}

/// Largest capability value: its length field is one octet.
pub const MAX_VALUE_LEN: usize = 255;

/// A BGP role (RFC 9234 §4.1): what the speaker is to its peer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    /// Provider (0).
    Provider,
    /// Route server (1).
    RouteServer,
    /// Route server client (2).
    RouteServerClient,
    /// Customer (3).
    Customer,
    /// Lateral peer (4).
    Peer,
    /// A value RFC 9234 does not define.
    Unknown(u8),
}

impl Role {
    /// The role for a wire value.
    pub fn from_u8(v: u8) -> Role {
        match v {
            0 => Role::Provider,
            1 => Role::RouteServer,
            2 => Role::RouteServerClient,
            3 => Role::Customer,
            4 => Role::Peer,
            other => Role::Unknown(other),
        }
    }

    /// The wire value.
    pub fn to_u8(self) -> u8 {
        match self {
            Role::Provider => 0,
            Role::RouteServer => 1,
            Role::RouteServerClient => 2,
            Role::Customer => 3,
            Role::Peer => 4,
            Role::Unknown(v) => v,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Role::Provider => f.write_str("provider"),
            Role::RouteServer => f.write_str("rs"),
            Role::RouteServerClient => f.write_str("rs-client"),
            Role::Customer => f.write_str("customer"),
            Role::Peer => f.write_str("peer"),
            Role::Unknown(v) => write!(f, "unknown({v})"),
        }
    }
}

/// What a speaker offers for a family in the ADD-PATH capability (RFC 7911 §4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AddPathMode {
    /// Able to receive multiple paths (1).
    Receive,
    /// Able to send multiple paths (2).
    Send,
    /// Both (3).
    Both,
}

impl AddPathMode {
    /// The mode for a wire value; `None` for values RFC 7911 does not define.
    pub fn from_u8(v: u8) -> Option<AddPathMode> {
        match v {
            1 => Some(AddPathMode::Receive),
            2 => Some(AddPathMode::Send),
            3 => Some(AddPathMode::Both),
            _ => None,
        }
    }

    /// The wire value.
    pub fn to_u8(self) -> u8 {
        match self {
            AddPathMode::Receive => 1,
            AddPathMode::Send => 2,
            AddPathMode::Both => 3,
        }
    }

    /// True when the speaker can receive multiple paths.
    pub fn can_receive(self) -> bool {
        matches!(self, AddPathMode::Receive | AddPathMode::Both)
    }

    /// True when the speaker can send multiple paths.
    pub fn can_send(self) -> bool {
        matches!(self, AddPathMode::Send | AddPathMode::Both)
    }
}

impl fmt::Display for AddPathMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AddPathMode::Receive => "receive",
            AddPathMode::Send => "send",
            AddPathMode::Both => "send/receive",
        })
    }
}

/// One capability from an OPEN message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Capability {
    /// Multiprotocol Extensions for one family (code 1, RFC 4760 §8).
    Multiprotocol(Family),
    /// Route Refresh (code 2, RFC 2918).
    RouteRefresh,
    /// Extended Next Hop Encoding (code 5, RFC 8950): NLRI family and the
    /// next hop AFI it may use.
    ExtendedNextHop(Vec<(Family, Afi)>),
    /// Extended Message (code 6, RFC 8654).
    ExtendedMessage,
    /// BGP Role (code 9, RFC 9234).
    Role(Role),
    /// Graceful Restart (code 64, RFC 4724; N bit from RFC 8538).
    GracefulRestart {
        /// Restart State (R) bit: the speaker has restarted.
        restart_state: bool,
        /// Graceful Notification (N) bit (RFC 8538).
        notification: bool,
        /// Restart Time in seconds (12 bits, 0..=4095).
        restart_time: u16,
        /// Families, each with its Forwarding State (F) bit.
        families: Vec<(Family, bool)>,
    },
    /// Support for 4-octet AS number (code 65, RFC 6793): the speaker's ASN.
    FourOctetAs(Asn),
    /// ADD-PATH (code 69, RFC 7911).
    AddPath(Vec<(Family, AddPathMode)>),
    /// Enhanced Route Refresh (code 70, RFC 7313).
    EnhancedRouteRefresh,
    /// Long-Lived Graceful Restart (code 71, RFC 9494), raw value.
    LongLivedGracefulRestart(Vec<u8>),
    /// FQDN (code 73, draft-walton-bgp-hostname-capability).
    Fqdn {
        /// Host name.
        hostname: String,
        /// Domain name.
        domain: String,
    },
    /// Any other capability, kept raw.
    Unknown {
        /// Capability code.
        code: u8,
        /// Capability value as received.
        value: Vec<u8>,
    },
}

/// A borrowed view of a Graceful Restart capability (see [`Capability::GracefulRestart`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GracefulRestartView<'a> {
    /// Restart State (R) bit.
    pub restart_state: bool,
    /// Graceful Notification (N) bit (RFC 8538).
    pub notification: bool,
    /// Restart Time in seconds.
    pub restart_time: u16,
    /// Families with their Forwarding State (F) bit.
    pub families: &'a [(Family, bool)],
}

/// Graceful Restart: Restart State flag (in the first octet).
const GR_RESTART_STATE: u8 = 0x80;
/// Graceful Restart: Graceful Notification flag (RFC 8538).
const GR_NOTIFICATION: u8 = 0x40;
/// Graceful Restart: Forwarding State flag of a family.
const GR_FORWARDING: u8 = 0x80;
/// Largest Restart Time (12 bits).
pub const MAX_RESTART_TIME: u16 = 0x0fff;

fn malformed(offset: usize, what: &str, why: impl fmt::Display) -> MessageError {
    MessageError::new(
        offset,
        format!("malformed {what} capability: {why}"),
        Notification::new(codes::OPEN_MESSAGE, 0, Vec::new()),
    )
}

fn family_at(v: &[u8]) -> Family {
    Family::new(u16::from_be_bytes([v[0], v[1]]), v[2])
}

impl Capability {
    /// The capability code.
    pub fn code(&self) -> u8 {
        match self {
            Capability::Multiprotocol(_) => code::MULTIPROTOCOL,
            Capability::RouteRefresh => code::ROUTE_REFRESH,
            Capability::ExtendedNextHop(_) => code::EXTENDED_NEXT_HOP,
            Capability::ExtendedMessage => code::EXTENDED_MESSAGE,
            Capability::Role(_) => code::ROLE,
            Capability::GracefulRestart { .. } => code::GRACEFUL_RESTART,
            Capability::FourOctetAs(_) => code::FOUR_OCTET_AS,
            Capability::AddPath(_) => code::ADD_PATH,
            Capability::EnhancedRouteRefresh => code::ENHANCED_ROUTE_REFRESH,
            Capability::LongLivedGracefulRestart(_) => code::LONG_LIVED_GRACEFUL_RESTART,
            Capability::Fqdn { .. } => code::FQDN,
            Capability::Unknown { code, .. } => *code,
        }
    }

    /// Decodes one capability from its code and value. `offset` is where the
    /// capability (its code octet) starts, from the start of the message; it
    /// is reported in errors. See the module documentation for what is an
    /// error and what is kept as [`Capability::Unknown`].
    pub fn decode(code: u8, value: &[u8], offset: usize) -> Result<Capability, MessageError> {
        let len = value.len();
        let exact = |name: &str, want: usize| {
            if len == want {
                Ok(())
            } else {
                Err(malformed(
                    offset,
                    name,
                    format_args!("length {len}, expected {want}"),
                ))
            }
        };
        let multiple = |name: &str, fixed: usize, entry: usize| {
            if len >= fixed && (len - fixed) % entry == 0 {
                Ok(())
            } else if fixed == 0 {
                Err(malformed(
                    offset,
                    name,
                    format_args!("length {len} is not a multiple of {entry}"),
                ))
            } else {
                Err(malformed(
                    offset,
                    name,
                    format_args!("length {len} is not {fixed} + {entry}·n"),
                ))
            }
        };
        Ok(match code {
            code::MULTIPROTOCOL => {
                exact("multiprotocol", 4)?;
                // value[2] is reserved: ignored (RFC 4760 §8).
                Capability::Multiprotocol(Family::new(
                    u16::from_be_bytes([value[0], value[1]]),
                    value[3],
                ))
            }
            code::ROUTE_REFRESH => {
                exact("route refresh", 0)?;
                Capability::RouteRefresh
            }
            code::EXTENDED_NEXT_HOP => {
                multiple("extended next hop", 0, 6)?;
                let mut entries = Vec::with_capacity(len / 6);
                for e in value.chunks_exact(6) {
                    let safi = u16::from_be_bytes([e[2], e[3]]);
                    let Ok(safi) = u8::try_from(safi) else {
                        return Err(malformed(
                            offset,
                            "extended next hop",
                            format_args!("SAFI {safi} above 255"),
                        ));
                    };
                    let family = Family {
                        afi: Afi(u16::from_be_bytes([e[0], e[1]])),
                        safi: Safi(safi),
                    };
                    entries.push((family, Afi(u16::from_be_bytes([e[4], e[5]]))));
                }
                Capability::ExtendedNextHop(entries)
            }
            code::EXTENDED_MESSAGE => {
                exact("extended message", 0)?;
                Capability::ExtendedMessage
            }
            code::ROLE => {
                exact("role", 1)?;
                Capability::Role(Role::from_u8(value[0]))
            }
            code::GRACEFUL_RESTART => {
                multiple("graceful restart", 2, 4)?;
                let families = value[2..]
                    .chunks_exact(4)
                    .map(|e| (family_at(e), e[3] & GR_FORWARDING != 0))
                    .collect();
                Capability::GracefulRestart {
                    restart_state: value[0] & GR_RESTART_STATE != 0,
                    notification: value[0] & GR_NOTIFICATION != 0,
                    restart_time: u16::from_be_bytes([value[0], value[1]]) & MAX_RESTART_TIME,
                    families,
                }
            }
            code::FOUR_OCTET_AS => {
                exact("4-octet AS", 4)?;
                Capability::FourOctetAs(Asn(u32::from_be_bytes([
                    value[0], value[1], value[2], value[3],
                ])))
            }
            code::ADD_PATH => {
                multiple("ADD-PATH", 0, 4)?;
                let entries: Option<Vec<_>> = value
                    .chunks_exact(4)
                    .map(|e| Some((family_at(e), AddPathMode::from_u8(e[3])?)))
                    .collect();
                match entries {
                    Some(entries) => Capability::AddPath(entries),
                    // RFC 7911 §4: treated as not understood and ignored.
                    None => Capability::Unknown {
                        code,
                        value: value.to_vec(),
                    },
                }
            }
            code::ENHANCED_ROUTE_REFRESH => {
                exact("enhanced route refresh", 0)?;
                Capability::EnhancedRouteRefresh
            }
            code::LONG_LIVED_GRACEFUL_RESTART => {
                Capability::LongLivedGracefulRestart(value.to_vec())
            }
            code::FQDN => match decode_fqdn(value) {
                Some((hostname, domain)) => Capability::Fqdn { hostname, domain },
                None => Capability::Unknown {
                    code,
                    value: value.to_vec(),
                },
            },
            _ => Capability::Unknown {
                code,
                value: value.to_vec(),
            },
        })
    }

    /// Appends the capability (code, length, value) to `out`. Values longer
    /// than 255 octets are shortened as the module documentation says.
    pub fn encode(&self, out: &mut Vec<u8>) {
        out.push(self.code());
        let len_at = out.len();
        out.push(0);
        self.encode_value(out);
        // Each arm of encode_value keeps within MAX_VALUE_LEN.
        let len = out.len() - len_at - 1;
        out[len_at] = len.min(MAX_VALUE_LEN) as u8;
    }

    fn encode_value(&self, out: &mut Vec<u8>) {
        fn family(out: &mut Vec<u8>, f: Family) {
            out.extend_from_slice(&f.afi.0.to_be_bytes());
            out.push(f.safi.0);
        }
        match self {
            Capability::Multiprotocol(f) => {
                out.extend_from_slice(&f.afi.0.to_be_bytes());
                out.push(0);
                out.push(f.safi.0);
            }
            Capability::RouteRefresh
            | Capability::ExtendedMessage
            | Capability::EnhancedRouteRefresh => {}
            Capability::ExtendedNextHop(entries) => {
                for (f, nh) in entries.iter().take(MAX_VALUE_LEN / 6) {
                    out.extend_from_slice(&f.afi.0.to_be_bytes());
                    out.extend_from_slice(&u16::from(f.safi.0).to_be_bytes());
                    out.extend_from_slice(&nh.0.to_be_bytes());
                }
            }
            Capability::Role(r) => out.push(r.to_u8()),
            Capability::GracefulRestart {
                restart_state,
                notification,
                restart_time,
                families,
            } => {
                let mut head = restart_time.min(&MAX_RESTART_TIME).to_be_bytes();
                if *restart_state {
                    head[0] |= GR_RESTART_STATE;
                }
                if *notification {
                    head[0] |= GR_NOTIFICATION;
                }
                out.extend_from_slice(&head);
                for (f, forwarding) in families.iter().take((MAX_VALUE_LEN - 2) / 4) {
                    family(out, *f);
                    out.push(if *forwarding { GR_FORWARDING } else { 0 });
                }
            }
            Capability::FourOctetAs(asn) => out.extend_from_slice(&asn.0.to_be_bytes()),
            Capability::AddPath(entries) => {
                for (f, mode) in entries.iter().take(MAX_VALUE_LEN / 4) {
                    family(out, *f);
                    out.push(mode.to_u8());
                }
            }
            Capability::LongLivedGracefulRestart(raw) | Capability::Unknown { value: raw, .. } => {
                out.extend_from_slice(&raw[..raw.len().min(MAX_VALUE_LEN)]);
            }
            Capability::Fqdn { hostname, domain } => {
                let host = truncate_utf8(hostname, MAX_VALUE_LEN - 2);
                let dom = truncate_utf8(domain, MAX_VALUE_LEN - 2 - host.len());
                out.push(host.len() as u8);
                out.extend_from_slice(host.as_bytes());
                out.push(dom.len() as u8);
                out.extend_from_slice(dom.as_bytes());
            }
        }
    }
}

/// Parses an FQDN value: hostname length, hostname, domain length, domain,
/// nothing after. `None` when the lengths do not add up.
fn decode_fqdn(value: &[u8]) -> Option<(String, String)> {
    let (&hl, rest) = value.split_first()?;
    let host = rest.get(..hl as usize)?;
    let rest = &rest[hl as usize..];
    let (&dl, rest) = rest.split_first()?;
    if rest.len() != dl as usize {
        return None;
    }
    Some((
        String::from_utf8_lossy(host).into_owned(),
        String::from_utf8_lossy(rest).into_owned(),
    ))
}

/// The longest prefix of `s` of at most `max` octets that ends on a character boundary.
fn truncate_utf8(s: &str, max: usize) -> &str {
    let mut end = s.len().min(max);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

impl fmt::Display for Capability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Capability::Multiprotocol(fam) => write!(f, "multiprotocol {fam}"),
            Capability::RouteRefresh => f.write_str("route-refresh"),
            Capability::ExtendedNextHop(entries) => {
                f.write_str("extended-next-hop")?;
                for (fam, nh) in entries {
                    write!(f, " {fam}/afi{}", nh.0)?;
                }
                Ok(())
            }
            Capability::ExtendedMessage => f.write_str("extended-message"),
            Capability::Role(r) => write!(f, "role {r}"),
            Capability::GracefulRestart {
                restart_state,
                notification,
                restart_time,
                families,
            } => {
                write!(f, "graceful-restart time {restart_time}")?;
                if *restart_state {
                    f.write_str(" restarted")?;
                }
                if *notification {
                    f.write_str(" notification")?;
                }
                for (fam, fwd) in families {
                    write!(f, " {fam}{}", if *fwd { "(forwarding)" } else { "" })?;
                }
                Ok(())
            }
            Capability::FourOctetAs(asn) => write!(f, "4-octet-as {asn}"),
            Capability::AddPath(entries) => {
                f.write_str("add-path")?;
                for (fam, mode) in entries {
                    write!(f, " {fam} {mode}")?;
                }
                Ok(())
            }
            Capability::EnhancedRouteRefresh => f.write_str("enhanced-route-refresh"),
            Capability::LongLivedGracefulRestart(v) => {
                write!(f, "long-lived-graceful-restart ({} octets)", v.len())
            }
            Capability::Fqdn { hostname, domain } => {
                write!(f, "fqdn {hostname:?} {domain:?}")
            }
            Capability::Unknown { code, value } => {
                write!(f, "capability {code} (")?;
                for b in value.iter().take(32) {
                    write!(f, "{b:02x}")?;
                }
                if value.len() > 32 {
                    f.write_str("…")?;
                }
                f.write_str(")")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc(c: &Capability) -> Vec<u8> {
        let mut v = Vec::new();
        c.encode(&mut v);
        v
    }

    fn dec(bytes: &[u8]) -> Result<Capability, MessageError> {
        assert_eq!(bytes[1] as usize, bytes.len() - 2, "test vector length");
        Capability::decode(bytes[0], &bytes[2..], 40)
    }

    #[test]
    fn each_capability_round_trips_through_its_wire_form() {
        let v4 = Family::IPV4_UNICAST;
        let v6 = Family::IPV6_UNICAST;
        let cases: Vec<(Capability, Vec<u8>)> = vec![
            (Capability::Multiprotocol(v6), vec![1, 4, 0, 2, 0, 1]),
            (Capability::RouteRefresh, vec![2, 0]),
            (
                Capability::ExtendedNextHop(vec![(v4, Afi::IPV6)]),
                vec![5, 6, 0, 1, 0, 1, 0, 2],
            ),
            (Capability::ExtendedMessage, vec![6, 0]),
            (Capability::Role(Role::RouteServer), vec![9, 1, 1]),
            (Capability::Role(Role::Unknown(7)), vec![9, 1, 7]),
            (
                Capability::GracefulRestart {
                    restart_state: true,
                    notification: true,
                    restart_time: 4095,
                    families: vec![(v4, true), (v6, false)],
                },
                vec![64, 10, 0xcf, 0xff, 0, 1, 1, 0x80, 0, 2, 1, 0],
            ),
            (
                Capability::FourOctetAs(Asn(4_200_000_001)),
                vec![65, 4, 0xfa, 0x56, 0xea, 0x01],
            ),
            (
                Capability::AddPath(vec![(v4, AddPathMode::Receive), (v6, AddPathMode::Both)]),
                vec![69, 8, 0, 1, 1, 1, 0, 2, 1, 3],
            ),
            (Capability::EnhancedRouteRefresh, vec![70, 0]),
            (
                Capability::LongLivedGracefulRestart(vec![0, 1, 1, 0x80, 0, 0, 60]),
                vec![71, 7, 0, 1, 1, 0x80, 0, 0, 60],
            ),
            (
                Capability::Fqdn {
                    hostname: "rs1".into(),
                    domain: "ix.example".into(),
                },
                {
                    let mut v = vec![73, 15, 3];
                    v.extend_from_slice(b"rs1");
                    v.push(10);
                    v.extend_from_slice(b"ix.example");
                    v
                },
            ),
            (
                Capability::Unknown {
                    code: 128,
                    value: vec![],
                },
                vec![128, 0],
            ),
            (
                Capability::Unknown {
                    code: 75,
                    value: b"\x03abc".to_vec(),
                },
                vec![75, 4, 3, b'a', b'b', b'c'],
            ),
        ];
        for (cap, wire) in cases {
            assert_eq!(enc(&cap), wire, "encoding {cap}");
            assert_eq!(dec(&wire).unwrap(), cap, "decoding {wire:02x?}");
        }
    }

    #[test]
    fn reserved_bits_are_ignored() {
        // Multiprotocol reserved octet set; GR reserved flag bits set.
        assert_eq!(
            dec(&[1, 4, 0, 1, 0xff, 1]).unwrap(),
            Capability::Multiprotocol(Family::IPV4_UNICAST)
        );
        let gr = dec(&[64, 6, 0x30, 0x78, 0, 1, 1, 0x7f]).unwrap();
        assert_eq!(
            gr,
            Capability::GracefulRestart {
                restart_state: false,
                notification: false,
                restart_time: 120,
                families: vec![(Family::IPV4_UNICAST, false)],
            }
        );
    }

    #[test]
    fn malformed_fixed_layout_capabilities_are_open_error_unspecific() {
        for bad in [
            &[1u8, 3, 0, 1, 0][..],
            &[1, 5, 0, 1, 0, 1, 0],
            &[2, 1, 0],
            &[5, 5, 0, 1, 0, 1, 0],
            &[5, 6, 0, 1, 1, 0, 0, 2], // SAFI 256
            &[6, 1, 0],
            &[9, 0],
            &[9, 2, 0, 0],
            &[64, 1, 0],
            &[64, 4, 0, 0, 0, 1],
            &[65, 2, 0, 1],
            &[65, 5, 0, 0, 0, 1, 0],
            &[69, 3, 0, 1, 1],
            &[70, 2, 0, 0],
        ] {
            let e = dec(bad).unwrap_err();
            assert_eq!(
                (e.notification.code, e.notification.subcode),
                (2, 0),
                "{bad:?}"
            );
            assert!(e.notification.data.is_empty());
            assert_eq!(e.offset, 40);
        }
    }

    #[test]
    fn soft_failures_are_kept_as_unknown() {
        // ADD-PATH with Send/Receive 4: not understood, ignored (RFC 7911 §4).
        assert_eq!(
            dec(&[69, 4, 0, 1, 1, 4]).unwrap(),
            Capability::Unknown {
                code: 69,
                value: vec![0, 1, 1, 4]
            }
        );
        // FQDN whose hostname length overruns, or with trailing octets.
        for bad in [&[73u8, 2, 5, b'a'][..], &[73, 4, 1, b'a', 0, 9], &[73, 0]] {
            let c = dec(bad).unwrap();
            assert_eq!(
                c,
                Capability::Unknown {
                    code: 73,
                    value: bad[2..].to_vec()
                }
            );
            assert_eq!(enc(&c), bad);
        }
        // FQDN with invalid UTF-8 is decoded lossily.
        let c = dec(&[73, 4, 1, 0xff, 1, b'x']).unwrap();
        assert_eq!(
            c,
            Capability::Fqdn {
                hostname: "\u{fffd}".into(),
                domain: "x".into()
            }
        );
    }

    #[test]
    fn oversized_values_are_shortened_to_whole_entries() {
        let many = vec![(Family::IPV4_UNICAST, AddPathMode::Both); 100];
        let wire = enc(&Capability::AddPath(many));
        assert_eq!(wire[1], 252);
        assert_eq!(wire.len(), 254);
        let Capability::AddPath(back) = dec(&wire).unwrap() else {
            panic!("not ADD-PATH")
        };
        assert_eq!(back.len(), 63);

        let gr = Capability::GracefulRestart {
            restart_state: false,
            notification: false,
            restart_time: 9999,
            families: vec![(Family::IPV6_UNICAST, true); 70],
        };
        let wire = enc(&gr);
        assert_eq!(wire[1] as usize, 2 + 63 * 4);
        assert_eq!(
            &wire[2..4],
            &[0x0f, 0xff],
            "restart time clamped to 12 bits"
        );

        let wire = enc(&Capability::ExtendedNextHop(vec![
            (
                Family::IPV4_UNICAST,
                Afi::IPV6
            );
            50
        ]));
        assert_eq!(wire[1] as usize, 42 * 6);

        let wire = enc(&Capability::Unknown {
            code: 200,
            value: vec![7; 300],
        });
        assert_eq!(wire.len(), 257);
        assert_eq!(wire[1], 255);

        let wire = enc(&Capability::Fqdn {
            hostname: "é".repeat(200),
            domain: "d".repeat(200),
        });
        assert_eq!(wire[1], 255);
        let Capability::Fqdn { hostname, domain } = dec(&wire).unwrap() else {
            panic!("not FQDN")
        };
        assert_eq!(hostname, "é".repeat(126));
        assert_eq!(domain.len(), 1);
    }

    #[test]
    fn display_is_readable() {
        assert_eq!(
            Capability::Multiprotocol(Family::IPV6_UNICAST).to_string(),
            "multiprotocol ipv6-unicast"
        );
        assert_eq!(
            Capability::Role(Role::RouteServerClient).to_string(),
            "role rs-client"
        );
        assert_eq!(
            Capability::AddPath(vec![(Family::IPV4_UNICAST, AddPathMode::Both)]).to_string(),
            "add-path ipv4-unicast send/receive"
        );
        assert_eq!(
            Capability::Unknown {
                code: 128,
                value: vec![]
            }
            .to_string(),
            "capability 128 ()"
        );
    }
}
