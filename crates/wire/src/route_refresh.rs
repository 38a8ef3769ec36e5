//! ROUTE-REFRESH message (RFC 2918 §3), with the Message Subtype of Enhanced
//! Route Refresh (RFC 7313 §3.2: Begin-of-RIB-Route-Refresh and
//! End-of-RIB-Route-Refresh) and its length error (RFC 7313 §5).
//!
//! Body: AFI (2 octets), Message Subtype (1 octet, "Reserved" in RFC 2918),
//! SAFI (1 octet), then, for a normal request only, ORF entries (RFC 5291 §4)
//! that are kept raw in [`RouteRefresh::orf`].
//!
//! Errors, both NOTIFICATION 7/1 ROUTE-REFRESH Message Error / Invalid
//! Message Length with the complete message as data (RFC 7313 §5):
//! a body shorter than its 4 fixed octets, and a BoRR or EoRR whose body is
//! not exactly 4 octets. A subtype other than 0, 1 or 2 decodes as
//! [`RouteRefreshSubtype::Other`]; RFC 7313 §5 says to ignore such a message,
//! which is the session's job.

use crate::message::{write_header, MessageType, HEADER_LEN};
use crate::notification::codes;
use crate::{Family, MessageError, Notification};

/// Octets of a ROUTE-REFRESH body before any ORF entries.
pub const FIXED_LEN: usize = 4;

/// ROUTE-REFRESH Message Error subcode: Invalid Message Length (RFC 7313 §5).
pub const INVALID_MESSAGE_LENGTH: u8 = 1;

/// The Message Subtype of a ROUTE-REFRESH (RFC 7313 §3.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RouteRefreshSubtype {
    /// A route refresh request (0; RFC 2918).
    Normal,
    /// Begin-of-RIB-Route-Refresh, BoRR (1).
    BeginOfRR,
    /// End-of-RIB-Route-Refresh, EoRR (2).
    EndOfRR,
    /// Any other value (3..=255): the message is to be ignored.
    Other(u8),
}

impl RouteRefreshSubtype {
    /// The subtype for a wire value.
    pub fn from_u8(v: u8) -> RouteRefreshSubtype {
        match v {
            0 => RouteRefreshSubtype::Normal,
            1 => RouteRefreshSubtype::BeginOfRR,
            2 => RouteRefreshSubtype::EndOfRR,
            other => RouteRefreshSubtype::Other(other),
        }
    }

    /// The wire value.
    pub fn to_u8(self) -> u8 {
        match self {
            RouteRefreshSubtype::Normal => 0,
            RouteRefreshSubtype::BeginOfRR => 1,
            RouteRefreshSubtype::EndOfRR => 2,
            RouteRefreshSubtype::Other(v) => v,
        }
    }
}

/// A ROUTE-REFRESH message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RouteRefresh {
    /// The family to refresh (or whose refresh begins/ends).
    pub family: Family,
    /// Message Subtype.
    pub subtype: RouteRefreshSubtype,
    /// Raw ORF entries (RFC 5291) after the 4 fixed octets; normally empty.
    pub orf: Vec<u8>,
}

impl RouteRefresh {
    /// A route refresh request for `family`.
    pub fn new(family: Family) -> RouteRefresh {
        RouteRefresh {
            family,
            subtype: RouteRefreshSubtype::Normal,
            orf: Vec::new(),
        }
    }

    /// A Begin-of-RIB-Route-Refresh marker for `family` (RFC 7313 §4).
    pub fn begin(family: Family) -> RouteRefresh {
        RouteRefresh {
            subtype: RouteRefreshSubtype::BeginOfRR,
            ..RouteRefresh::new(family)
        }
    }

    /// An End-of-RIB-Route-Refresh marker for `family` (RFC 7313 §4).
    pub fn end(family: Family) -> RouteRefresh {
        RouteRefresh {
            subtype: RouteRefreshSubtype::EndOfRR,
            ..RouteRefresh::new(family)
        }
    }

    /// Decodes a ROUTE-REFRESH body (the message without its 19-octet header).
    pub fn decode(body: &[u8]) -> Result<RouteRefresh, MessageError> {
        let [a0, a1, subtype, safi, ref orf @ ..] = *body else {
            return Err(invalid_length(
                body,
                format!("ROUTE-REFRESH body of {} octets, 4 needed", body.len()),
            ));
        };
        let subtype = RouteRefreshSubtype::from_u8(subtype);
        if matches!(
            subtype,
            RouteRefreshSubtype::BeginOfRR | RouteRefreshSubtype::EndOfRR
        ) && !orf.is_empty()
        {
            return Err(invalid_length(
                body,
                format!(
                    "{subtype:?} ROUTE-REFRESH body of {} octets, must be 4 (RFC 7313 §5)",
                    body.len()
                ),
            ));
        }
        Ok(RouteRefresh {
            family: Family::new(u16::from_be_bytes([a0, a1]), safi),
            subtype,
            orf: orf.to_vec(),
        })
    }

    /// Appends the ROUTE-REFRESH body (without header) to `out`.
    pub fn encode_body(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.family.afi.0.to_be_bytes());
        out.push(self.subtype.to_u8());
        out.push(self.family.safi.0);
        out.extend_from_slice(&self.orf);
    }
}

/// NOTIFICATION 7/1 with the complete message (header rebuilt) as data.
fn invalid_length(body: &[u8], reason: String) -> MessageError {
    let mut data = Vec::with_capacity(HEADER_LEN + body.len());
    write_header(&mut data, MessageType::RouteRefresh, body.len());
    data.extend_from_slice(body);
    MessageError::new(
        16,
        reason,
        Notification::new(codes::ROUTE_REFRESH, INVALID_MESSAGE_LENGTH, data),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::{decode_message, Context, Message};

    fn whole(body: &[u8]) -> Vec<u8> {
        let mut m = vec![0xff; 16];
        m.extend_from_slice(&((HEADER_LEN + body.len()) as u16).to_be_bytes());
        m.push(5);
        m.extend_from_slice(body);
        m
    }

    #[test]
    fn normal_borr_eorr_round_trip() {
        let cases = [
            (RouteRefresh::new(Family::IPV6_UNICAST), [0u8, 2, 0, 1]),
            (RouteRefresh::begin(Family::IPV4_UNICAST), [0, 1, 1, 1]),
            (RouteRefresh::end(Family::IPV4_UNICAST), [0, 1, 2, 1]),
            (
                RouteRefresh {
                    family: Family::new(1, 2),
                    subtype: RouteRefreshSubtype::Other(255),
                    orf: vec![],
                },
                [0, 1, 255, 2],
            ),
        ];
        let ctx = Context::default();
        for (rr, body) in cases {
            assert_eq!(RouteRefresh::decode(&body).unwrap(), rr);
            let mut out = Vec::new();
            rr.encode_body(&mut out);
            assert_eq!(out, body);
            let msg = whole(&body);
            assert_eq!(
                decode_message(&msg, &ctx).unwrap(),
                Message::RouteRefresh(rr.clone())
            );
            assert_eq!(Message::RouteRefresh(rr).to_bytes(&ctx).unwrap(), msg);
        }
    }

    #[test]
    fn orf_entries_are_kept_raw() {
        // Normal request for IPv4 unicast with one address-prefix ORF (RFC 5292):
        // when-to-refresh IMMEDIATE, type 64, length 7, one entry.
        let body = [0, 1, 0, 1, 1, 64, 0, 7, 0, 0, 0, 0, 10, 0x18, 192];
        let rr = RouteRefresh::decode(&body).unwrap();
        assert_eq!(rr.subtype, RouteRefreshSubtype::Normal);
        assert_eq!(rr.family, Family::IPV4_UNICAST);
        assert_eq!(rr.orf, &body[4..]);
        let mut out = Vec::new();
        rr.encode_body(&mut out);
        assert_eq!(out, body);
        // An unknown subtype keeps what follows too.
        let rr = RouteRefresh::decode(&[0, 2, 7, 1, 9]).unwrap();
        assert_eq!(
            (rr.subtype, rr.orf),
            (RouteRefreshSubtype::Other(7), vec![9])
        );
    }

    #[test]
    fn short_body_is_7_1_with_the_whole_message() {
        for body in [&[][..], &[0], &[0, 1, 0]] {
            let e = RouteRefresh::decode(body).unwrap_err();
            assert_eq!((e.notification.code, e.notification.subcode), (7, 1));
            assert_eq!(e.notification.data, whole(body));
        }
    }

    #[test]
    fn borr_and_eorr_longer_than_4_are_7_1() {
        for subtype in [1u8, 2] {
            let body = [0, 2, subtype, 1, 0];
            let e = RouteRefresh::decode(&body).unwrap_err();
            assert_eq!((e.notification.code, e.notification.subcode), (7, 1));
            assert_eq!(e.notification.data, whole(&body));
            assert_eq!(&e.notification.data[16..19], &[0, 24, 5]);
        }
    }

    #[test]
    fn route_refreshes_in_real_captures_round_trip() {
        let dir = std::path::Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/data/05-bgp-pcap-vectors"
        ));
        if !dir.is_dir() {
            println!("skipping: {} is absent", dir.display());
            return;
        }
        let ctx = Context::default();
        let mut seen = Vec::new();
        for name in [
            "packetlife__BGP_soft_reset.cap",
            "packetlife__bgp-add-path.cap",
            "packetlife__bgp_orf_prefix_advertisement.pcapng.cap",
        ] {
            let data = std::fs::read(dir.join(name)).unwrap();
            let mut i = 0;
            while i + HEADER_LEN <= data.len() {
                let len = u16::from_be_bytes([data[i + 16], data[i + 17]]) as usize;
                let is_rr = data[i..i + 16].iter().all(|&b| b == 0xff)
                    && data[i + 18] == 5
                    && len >= HEADER_LEN;
                if let (true, Some(msg)) = (is_rr, data.get(i..i + len)) {
                    let Message::RouteRefresh(rr) = decode_message(msg, &ctx).unwrap() else {
                        panic!("not RR")
                    };
                    assert_eq!(
                        Message::RouteRefresh(rr.clone()).to_bytes(&ctx).unwrap(),
                        msg,
                        "{name}"
                    );
                    seen.push((rr.subtype, rr.orf.is_empty()));
                    i += len;
                } else {
                    i += 1;
                }
            }
        }
        use RouteRefreshSubtype::*;
        assert!(seen.contains(&(Normal, true)), "{seen:?}");
        assert!(seen.contains(&(Normal, false)), "an ORF request: {seen:?}");
        assert!(
            seen.contains(&(BeginOfRR, true)) && seen.contains(&(EndOfRR, true)),
            "{seen:?}"
        );
    }

    mod proptests {
        use super::*;
        use proptest::prelude::*;

        fn route_refresh() -> impl Strategy<Value = RouteRefresh> {
            (
                any::<u16>(),
                any::<u8>(),
                any::<u8>(),
                prop::collection::vec(any::<u8>(), 0..64),
            )
                .prop_map(|(afi, safi, subtype, orf)| {
                    let subtype = RouteRefreshSubtype::from_u8(subtype);
                    let orf = match subtype {
                        RouteRefreshSubtype::BeginOfRR | RouteRefreshSubtype::EndOfRR => Vec::new(),
                        _ => orf,
                    };
                    RouteRefresh {
                        family: Family::new(afi, safi),
                        subtype,
                        orf,
                    }
                })
        }

        proptest! {
            #[test]
            fn encode_then_decode_is_identity(rr in route_refresh()) {
                let mut body = Vec::new();
                rr.encode_body(&mut body);
                prop_assert_eq!(RouteRefresh::decode(&body).map_err(|e| TestCaseError::fail(e.to_string()))?, rr);
            }

            #[test]
            fn decode_never_panics(body in prop::collection::vec(any::<u8>(), 0..40)) {
                let _ = RouteRefresh::decode(&body);
            }
        }
    }
}
