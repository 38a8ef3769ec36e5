//! Basic BGP value types: AS numbers, address families, prefixes, NLRI,
//! communities (RFC 1997, 4360, 8092) and ORIGIN.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

/// An autonomous system number, always held as 4 octets (RFC 6793).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Asn(pub u32);

impl Asn {
    /// AS_TRANS (RFC 6793 §9): stands in for a 4-octet ASN towards 2-octet speakers.
    pub const TRANS: Asn = Asn(23456);

    /// True when the ASN fits in two octets.
    pub fn is_two_octet(self) -> bool {
        self.0 <= u16::MAX as u32
    }

    /// The value a 2-octet speaker sees: the ASN itself, or AS_TRANS.
    pub fn to_two_octet(self) -> u16 {
        if self.is_two_octet() {
            self.0 as u16
        } else {
            Asn::TRANS.0 as u16
        }
    }
}

impl fmt::Display for Asn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl From<u32> for Asn {
    fn from(v: u32) -> Self {
        Asn(v)
    }
}

impl FromStr for Asn {
    type Err = std::num::ParseIntError;
    /// Accepts `64115`, `AS64115` and `as64115`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s
            .strip_prefix("AS")
            .or_else(|| s.strip_prefix("as"))
            .unwrap_or(s);
        t.parse().map(Asn)
    }
}

/// Address Family Identifier (IANA registry).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Afi(pub u16);

impl Afi {
    /// IPv4.
    pub const IPV4: Afi = Afi(1);
    /// IPv6.
    pub const IPV6: Afi = Afi(2);
}

/// Subsequent Address Family Identifier (IANA registry).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Safi(pub u8);

impl Safi {
    /// Unicast forwarding.
    pub const UNICAST: Safi = Safi(1);
    /// Multicast RPF (same NLRI encoding as unicast).
    pub const MULTICAST: Safi = Safi(2);
}

/// An (AFI, SAFI) pair.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Family {
    /// Address family.
    pub afi: Afi,
    /// Subsequent address family.
    pub safi: Safi,
}

impl Family {
    /// IPv4 unicast.
    pub const IPV4_UNICAST: Family = Family {
        afi: Afi::IPV4,
        safi: Safi::UNICAST,
    };
    /// IPv6 unicast.
    pub const IPV6_UNICAST: Family = Family {
        afi: Afi::IPV6,
        safi: Safi::UNICAST,
    };

    /// Builds a family from raw numbers.
    pub const fn new(afi: u16, safi: u8) -> Family {
        Family {
            afi: Afi(afi),
            safi: Safi(safi),
        }
    }

    /// True for the families whose NLRI is a plain prefix (unicast, multicast of IPv4/IPv6).
    pub fn has_prefix_nlri(self) -> bool {
        matches!(self.afi, Afi::IPV4 | Afi::IPV6)
            && matches!(self.safi, Safi::UNICAST | Safi::MULTICAST)
    }
}

impl fmt::Display for Family {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.afi, self.safi) {
            (Afi::IPV4, Safi::UNICAST) => f.write_str("ipv4-unicast"),
            (Afi::IPV6, Safi::UNICAST) => f.write_str("ipv6-unicast"),
            (Afi::IPV4, Safi::MULTICAST) => f.write_str("ipv4-multicast"),
            (Afi::IPV6, Safi::MULTICAST) => f.write_str("ipv6-multicast"),
            (a, s) => write!(f, "afi{}-safi{}", a.0, s.0),
        }
    }
}

/// An IPv4 or IPv6 prefix with its host bits cleared.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Prefix {
    /// IPv4 prefix (length 0..=32).
    V4(Ipv4Addr, u8),
    /// IPv6 prefix (length 0..=128).
    V6(Ipv6Addr, u8),
}

/// Error parsing or building a prefix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PrefixError {
    /// The length exceeds the address width.
    #[error("prefix length {0} is too long for the address family")]
    Length(u8),
    /// The text is not `address/length`.
    #[error("invalid prefix syntax: {0:?}")]
    Syntax(String),
}

// `len` is the prefix length, not a collection size: no `is_empty` twin.
#[allow(clippy::len_without_is_empty)]
impl Prefix {
    /// Builds a prefix, clearing host bits beyond `len`.
    pub fn new(addr: IpAddr, len: u8) -> Result<Prefix, PrefixError> {
        match addr {
            IpAddr::V4(a) => {
                if len > 32 {
                    return Err(PrefixError::Length(len));
                }
                Ok(Prefix::V4(Ipv4Addr::from(u32::from(a) & mask32(len)), len))
            }
            IpAddr::V6(a) => {
                if len > 128 {
                    return Err(PrefixError::Length(len));
                }
                Ok(Prefix::V6(
                    Ipv6Addr::from(u128::from(a) & mask128(len)),
                    len,
                ))
            }
        }
    }

    /// The network address.
    pub fn addr(&self) -> IpAddr {
        match *self {
            Prefix::V4(a, _) => IpAddr::V4(a),
            Prefix::V6(a, _) => IpAddr::V6(a),
        }
    }

    /// The prefix length in bits.
    pub fn len(&self) -> u8 {
        match *self {
            Prefix::V4(_, l) | Prefix::V6(_, l) => l,
        }
    }

    /// True for the zero-length (default) prefix.
    pub fn is_default(&self) -> bool {
        self.len() == 0
    }

    /// True for IPv4.
    pub fn is_ipv4(&self) -> bool {
        matches!(self, Prefix::V4(..))
    }

    /// The AFI of this prefix.
    pub fn afi(&self) -> Afi {
        if self.is_ipv4() {
            Afi::IPV4
        } else {
            Afi::IPV6
        }
    }

    /// True when `other` lies within this prefix (or equals it).
    pub fn contains(&self, other: &Prefix) -> bool {
        match (*self, *other) {
            (Prefix::V4(a, l), Prefix::V4(b, m)) => {
                m >= l && (u32::from(b) & mask32(l)) == u32::from(a)
            }
            (Prefix::V6(a, l), Prefix::V6(b, m)) => {
                m >= l && (u128::from(b) & mask128(l)) == u128::from(a)
            }
            _ => false,
        }
    }

    /// True when the address lies within this prefix.
    pub fn contains_addr(&self, addr: IpAddr) -> bool {
        match (*self, addr) {
            (Prefix::V4(a, l), IpAddr::V4(b)) => (u32::from(b) & mask32(l)) == u32::from(a),
            (Prefix::V6(a, l), IpAddr::V6(b)) => (u128::from(b) & mask128(l)) == u128::from(a),
            _ => false,
        }
    }

    /// The significant octets of the address, as NLRI encodes them.
    pub fn significant_octets(&self) -> PrefixOctets {
        let n = (self.len() as usize).div_ceil(8);
        let mut buf = [0u8; 16];
        match self {
            Prefix::V4(a, _) => buf[..4].copy_from_slice(&a.octets()),
            Prefix::V6(a, _) => buf = a.octets(),
        }
        PrefixOctets { buf, len: n as u8 }
    }
}

/// The significant octets of a prefix (at most 16), as a slice.
#[derive(Clone, Copy)]
pub struct PrefixOctets {
    buf: [u8; 16],
    len: u8,
}

impl std::ops::Deref for PrefixOctets {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.buf[..self.len as usize]
    }
}

pub(crate) fn mask32(len: u8) -> u32 {
    if len == 0 {
        0
    } else {
        u32::MAX << (32 - len as u32)
    }
}

pub(crate) fn mask128(len: u8) -> u128 {
    if len == 0 {
        0
    } else {
        u128::MAX << (128 - len as u32)
    }
}

impl fmt::Display for Prefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Prefix::V4(a, l) => write!(f, "{a}/{l}"),
            Prefix::V6(a, l) => write!(f, "{a}/{l}"),
        }
    }
}

impl fmt::Debug for Prefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl FromStr for Prefix {
    type Err = PrefixError;
    /// Parses `address/length`; a bare address is a host prefix.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (a, l) = match s.split_once('/') {
            Some((a, l)) => (a, Some(l)),
            None => (s, None),
        };
        let addr: IpAddr = a.parse().map_err(|_| PrefixError::Syntax(s.to_string()))?;
        let len = match l {
            Some(l) => l.parse().map_err(|_| PrefixError::Syntax(s.to_string()))?,
            None if addr.is_ipv4() => 32,
            None => 128,
        };
        Prefix::new(addr, len)
    }
}

/// One NLRI entry: a prefix with its ADD-PATH path identifier (RFC 7911) if the
/// session negotiated ADD-PATH for the family in this direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Nlri {
    /// Path identifier, present only with ADD-PATH.
    pub path_id: Option<u32>,
    /// The prefix.
    pub prefix: Prefix,
}

impl Nlri {
    /// An NLRI without a path identifier.
    pub fn new(prefix: Prefix) -> Nlri {
        Nlri {
            path_id: None,
            prefix,
        }
    }
}

/// ORIGIN attribute value (RFC 4271 §5.1.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Origin {
    /// Learned from an IGP.
    Igp = 0,
    /// Learned from EGP.
    Egp = 1,
    /// Learned some other way.
    Incomplete = 2,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Origin::Igp => "IGP",
            Origin::Egp => "EGP",
            Origin::Incomplete => "INCOMPLETE",
        })
    }
}

/// A standard community (RFC 1997), `ASN:value`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Community(pub u32);

impl Community {
    /// NO_EXPORT (RFC 1997).
    pub const NO_EXPORT: Community = Community(0xFFFF_FF01);
    /// NO_ADVERTISE (RFC 1997).
    pub const NO_ADVERTISE: Community = Community(0xFFFF_FF02);
    /// GRACEFUL_SHUTDOWN (RFC 8326).
    pub const GRACEFUL_SHUTDOWN: Community = Community(0xFFFF_0000);
    /// BLACKHOLE (RFC 7999).
    pub const BLACKHOLE: Community = Community(0xFFFF_029A);

    /// Builds `high:low`.
    pub const fn new(high: u16, low: u16) -> Community {
        Community(((high as u32) << 16) | low as u32)
    }
    /// The high 16 bits (by convention an ASN).
    pub fn high(self) -> u16 {
        (self.0 >> 16) as u16
    }
    /// The low 16 bits.
    pub fn low(self) -> u16 {
        self.0 as u16
    }
}

impl fmt::Display for Community {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.high(), self.low())
    }
}

/// An extended community (RFC 4360): eight octets, type first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ExtCommunity(pub [u8; 8]);

impl fmt::Display for ExtCommunity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let b = self.0;
        match b[0] & 0x3f {
            // Two-octet AS specific.
            0x00 => write!(
                f,
                "{}:{}:{}",
                b[1],
                u16::from_be_bytes([b[2], b[3]]),
                u32::from_be_bytes([b[4], b[5], b[6], b[7]])
            ),
            // IPv4 address specific.
            0x01 => write!(
                f,
                "{}:{}.{}.{}.{}:{}",
                b[1],
                b[2],
                b[3],
                b[4],
                b[5],
                u16::from_be_bytes([b[6], b[7]])
            ),
            // Four-octet AS specific.
            0x02 => write!(
                f,
                "{}:{}:{}",
                b[1],
                u32::from_be_bytes([b[2], b[3], b[4], b[5]]),
                u16::from_be_bytes([b[6], b[7]])
            ),
            _ => write!(
                f,
                "0x{}",
                b.iter().map(|x| format!("{x:02x}")).collect::<String>()
            ),
        }
    }
}

/// A large community (RFC 8092), `global:local1:local2`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LargeCommunity {
    /// Global administrator (an ASN).
    pub global: u32,
    /// First local data part.
    pub local1: u32,
    /// Second local data part.
    pub local2: u32,
}

impl LargeCommunity {
    /// Builds `global:local1:local2`.
    pub const fn new(global: u32, local1: u32, local2: u32) -> LargeCommunity {
        LargeCommunity {
            global,
            local1,
            local2,
        }
    }
}

impl fmt::Display for LargeCommunity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.global, self.local1, self.local2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_masks_host_bits_and_parses() {
        let p: Prefix = "192.0.2.77/24".parse().unwrap();
        assert_eq!(p.to_string(), "192.0.2.0/24");
        assert_eq!(&*p.significant_octets(), &[192, 0, 2]);
        let q: Prefix = "2001:db8::1/32".parse().unwrap();
        assert_eq!(q.to_string(), "2001:db8::/32");
        assert!("10.0.0.0/33".parse::<Prefix>().is_err());
        assert!("nonsense".parse::<Prefix>().is_err());
        let d: Prefix = "0.0.0.0/0".parse().unwrap();
        assert!(d.is_default());
        assert!(d.significant_octets().is_empty());
    }

    #[test]
    fn prefix_containment() {
        let p: Prefix = "45.183.44.0/22".parse().unwrap();
        assert!(p.contains(&"45.183.47.0/24".parse().unwrap()));
        assert!(!p.contains(&"45.183.48.0/24".parse().unwrap()));
        assert!(!p.contains(&"45.183.0.0/16".parse().unwrap()));
        assert!(!p.contains(&"2803:cd60::/32".parse().unwrap()));
        assert!(p.contains_addr("45.183.47.1".parse().unwrap()));
    }

    #[test]
    fn asn_parsing_and_two_octet_view() {
        assert_eq!("AS64115".parse::<Asn>().unwrap(), Asn(64115));
        assert_eq!(Asn(64115).to_two_octet(), 64115);
        assert_eq!(Asn(4_200_000_000).to_two_octet(), 23456);
    }

    #[test]
    fn community_display() {
        assert_eq!(Community::new(65535, 666), Community::BLACKHOLE);
        assert_eq!(Community::BLACKHOLE.to_string(), "65535:666");
        assert_eq!(LargeCommunity::new(64115, 0, 1).to_string(), "64115:0:1");
        assert_eq!(
            ExtCommunity([0, 2, 0xfb, 0x13, 0, 0, 0, 7]).to_string(),
            "2:64275:7"
        );
    }
}
