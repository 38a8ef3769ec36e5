//! Routes as the harness sees them: the prefix, communities and announcements
//! it configures, the routes it reads back from a daemon's CLI, and the BGP
//! session state (RFC 4271 §8.2.2 state names).

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use crate::error::{Error, Result};

/// An IP prefix, `address/length`, with the host bits zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Prefix {
    addr: IpAddr,
    len: u8,
}

impl Prefix {
    /// A prefix; fails when `len` is too long for the family or host bits are set.
    pub fn new(addr: IpAddr, len: u8) -> Result<Self> {
        let max = if addr.is_ipv4() { 32 } else { 128 };
        if len > max {
            return Err(Error::parse(
                "prefix",
                format!("{addr}/{len}: length over {max}"),
            ));
        }
        let bits: u128 = match addr {
            IpAddr::V4(a) => u128::from(u32::from(a)) << 96,
            IpAddr::V6(a) => u128::from(a),
        };
        let host = if len == 0 { bits } else { bits << len };
        if host != 0 {
            return Err(Error::parse(
                "prefix",
                format!("{addr}/{len}: host bits set"),
            ));
        }
        Ok(Self { addr, len })
    }

    /// The network address.
    pub fn addr(&self) -> IpAddr {
        self.addr
    }

    /// The prefix length.
    pub fn prefix_len(&self) -> u8 {
        self.len
    }

    /// Whether this is an IPv4 prefix.
    pub fn is_ipv4(&self) -> bool {
        self.addr.is_ipv4()
    }
}

impl FromStr for Prefix {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        let (addr, len) = s
            .trim()
            .split_once('/')
            .ok_or_else(|| Error::parse("prefix", format!("{s:?}: no '/'")))?;
        let addr: IpAddr = addr
            .parse()
            .map_err(|e| Error::parse("prefix", format!("{s:?}: {e}")))?;
        let len: u8 = len
            .parse()
            .map_err(|e| Error::parse("prefix", format!("{s:?}: {e}")))?;
        Self::new(addr, len)
    }
}

impl fmt::Display for Prefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.len)
    }
}

/// An RFC 1997 community, `asn:value`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Community(pub u16, pub u16);

impl Community {
    /// From the 32-bit wire value (high half is the AS).
    pub fn from_u32(v: u32) -> Self {
        Self((v >> 16) as u16, (v & 0xffff) as u16)
    }
}

impl fmt::Display for Community {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.0, self.1)
    }
}

impl FromStr for Community {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        let bad = |e: &dyn fmt::Display| Error::parse("community", format!("{s:?}: {e}"));
        let (a, b) = s.trim().split_once(':').ok_or_else(|| bad(&"no ':'"))?;
        Ok(Self(
            a.trim().parse().map_err(|e| bad(&e))?,
            b.trim().parse().map_err(|e| bad(&e))?,
        ))
    }
}

/// An RFC 8092 large community, `global:local1:local2`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LargeCommunity(pub u32, pub u32, pub u32);

impl fmt::Display for LargeCommunity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.0, self.1, self.2)
    }
}

impl FromStr for LargeCommunity {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        let bad = |e: &dyn fmt::Display| Error::parse("large community", format!("{s:?}: {e}"));
        let mut it = s.trim().split(':');
        let mut next = || -> Result<u32> {
            it.next()
                .ok_or_else(|| bad(&"need three parts"))?
                .trim()
                .parse()
                .map_err(|e| bad(&e))
        };
        let v = Self(next()?, next()?, next()?);
        if it.next().is_some() {
            return Err(bad(&"more than three parts"));
        }
        Ok(v)
    }
}

/// A route a daemon announces as its own (config or run time).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Announcement {
    /// The prefix.
    pub prefix: Prefix,
    /// The NEXT_HOP to send (an attribute value only; see the crate docs for
    /// which ranges the daemons accept).
    pub next_hop: IpAddr,
    /// Communities to attach.
    pub communities: Vec<Community>,
    /// Large communities to attach.
    pub large_communities: Vec<LargeCommunity>,
    /// An AS path to send as is (ExaBGP only, which then plays a transparent
    /// route server or a member with a downstream); empty means the daemon
    /// originates the route with its own AS. Other daemons refuse a
    /// non-empty path.
    pub as_path: Vec<u32>,
}

impl Announcement {
    /// An announcement without communities.
    pub fn new(prefix: Prefix, next_hop: IpAddr) -> Self {
        Self {
            prefix,
            next_hop,
            communities: Vec::new(),
            large_communities: Vec::new(),
            as_path: Vec::new(),
        }
    }

    /// Parses `prefix` and `next_hop`; for tests, where the strings are literals.
    pub fn parse(prefix: &str, next_hop: &str) -> Result<Self> {
        let next_hop = next_hop
            .parse()
            .map_err(|e| Error::parse("next hop", format!("{next_hop:?}: {e}")))?;
        Ok(Self::new(prefix.parse()?, next_hop))
    }

    /// Adds a community.
    pub fn with_community(mut self, c: Community) -> Self {
        self.communities.push(c);
        self
    }

    /// Adds a large community.
    pub fn with_large_community(mut self, c: LargeCommunity) -> Self {
        self.large_communities.push(c);
        self
    }

    /// Sets the AS path to send as is (ExaBGP only).
    pub fn with_as_path(mut self, path: Vec<u32>) -> Self {
        self.as_path = path;
        self
    }
}

/// A route received from a peer, as the daemon's CLI shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// The prefix.
    pub prefix: Prefix,
    /// The AS path, leftmost (nearest) AS first; AS_SET members are listed in
    /// place, flattened.
    pub as_path: Vec<u32>,
    /// The NEXT_HOP (or the MP_REACH next hop), when the CLI shows one.
    pub next_hop: Option<IpAddr>,
    /// Communities, in the order the CLI lists them.
    pub communities: Vec<Community>,
    /// Large communities, in the order the CLI lists them.
    pub large_communities: Vec<LargeCommunity>,
}

impl Route {
    /// A route with only a prefix; parsers fill in the rest.
    pub(crate) fn bare(prefix: Prefix) -> Self {
        Self {
            prefix,
            as_path: Vec::new(),
            next_hop: None,
            communities: Vec::new(),
            large_communities: Vec::new(),
        }
    }
}

impl fmt::Display for Route {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} path [", self.prefix)?;
        for (i, asn) in self.as_path.iter().enumerate() {
            write!(f, "{}{asn}", if i == 0 { "" } else { " " })?;
        }
        write!(f, "]")?;
        match self.next_hop {
            Some(nh) => write!(f, " via {nh}")?,
            None => write!(f, " via ?")?,
        }
        for c in &self.communities {
            write!(f, " {c}")?;
        }
        for c in &self.large_communities {
            write!(f, " {c}")?;
        }
        Ok(())
    }
}

/// A BGP session's state (RFC 4271 §8.2.2), as the daemon reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionState {
    /// Idle.
    Idle,
    /// Connect.
    Connect,
    /// Active.
    Active,
    /// OpenSent.
    OpenSent,
    /// OpenConfirm.
    OpenConfirm,
    /// Established.
    Established,
    /// Anything else the daemon said (e.g. BIRD's "Down", ExaBGP's "connected").
    Other(String),
}

impl SessionState {
    /// Whether the session is Established.
    pub fn is_established(&self) -> bool {
        *self == Self::Established
    }

    /// Maps a daemon's state word (any case, `BGP_FSM_` prefix ignored).
    pub fn from_name(name: &str) -> Self {
        let n = name.trim();
        let lower = n.to_ascii_lowercase();
        let lower = lower.strip_prefix("bgp_fsm_").unwrap_or(&lower);
        match lower {
            "idle" => Self::Idle,
            "connect" => Self::Connect,
            "active" => Self::Active,
            "opensent" => Self::OpenSent,
            "openconfirm" => Self::OpenConfirm,
            "established" => Self::Established,
            _ => Self::Other(n.to_string()),
        }
    }
}

impl fmt::Display for SessionState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Idle => f.write_str("Idle"),
            Self::Connect => f.write_str("Connect"),
            Self::Active => f.write_str("Active"),
            Self::OpenSent => f.write_str("OpenSent"),
            Self::OpenConfirm => f.write_str("OpenConfirm"),
            Self::Established => f.write_str("Established"),
            Self::Other(s) => f.write_str(s),
        }
    }
}

/// Parses a whitespace-separated AS path such as `65001 65002 {65003,65004}`;
/// set members are flattened in place.
pub(crate) fn parse_as_path(s: &str) -> Result<Vec<u32>> {
    s.split(|c: char| c.is_whitespace() || matches!(c, '{' | '}' | ',' | '(' | ')'))
        .filter(|t| !t.is_empty())
        .map(|t| {
            t.strip_prefix("AS")
                .unwrap_or(t)
                .parse::<u32>()
                .map_err(|e| Error::parse("AS path", format!("{s:?}: {t:?}: {e}")))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_parses_and_rejects_host_bits() {
        let p: Prefix = "45.183.44.0/22".parse().unwrap();
        assert_eq!(p.to_string(), "45.183.44.0/22");
        assert!(p.is_ipv4());
        assert!("45.183.44.1/22".parse::<Prefix>().is_err());
        assert!("45.183.44.0/33".parse::<Prefix>().is_err());
        assert!("45.183.44.0".parse::<Prefix>().is_err());
        let p6: Prefix = "2001:db8:3::/48".parse().unwrap();
        assert_eq!(p6.prefix_len(), 48);
        assert!(!p6.is_ipv4());
        assert!("2001:db8::1/64".parse::<Prefix>().is_err());
        assert!("0.0.0.0/0".parse::<Prefix>().is_ok());
    }

    #[test]
    fn communities_parse() {
        assert_eq!("65002:5".parse::<Community>().unwrap(), Community(65002, 5));
        assert_eq!(Community::from_u32(4260036615), Community(65003, 7));
        assert!("70000:1".parse::<Community>().is_err());
        let l: LargeCommunity = "65002:1:1".parse().unwrap();
        assert_eq!(l, LargeCommunity(65002, 1, 1));
        assert!("1:2".parse::<LargeCommunity>().is_err());
        assert!("1:2:3:4".parse::<LargeCommunity>().is_err());
    }

    #[test]
    fn as_paths_parse() {
        assert_eq!(parse_as_path("65004 65002").unwrap(), vec![65004, 65002]);
        assert_eq!(parse_as_path("").unwrap(), Vec::<u32>::new());
        assert_eq!(parse_as_path("1 {2,3}").unwrap(), vec![1, 2, 3]);
        assert!(parse_as_path("1 x").is_err());
    }

    #[test]
    fn state_names_map() {
        assert!(SessionState::from_name("Established").is_established());
        assert!(SessionState::from_name("BGP_FSM_ESTABLISHED").is_established());
        assert_eq!(SessionState::from_name("Active"), SessionState::Active);
        assert_eq!(
            SessionState::from_name("Down"),
            SessionState::Other("Down".into())
        );
    }
}
