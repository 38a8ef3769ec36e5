//! NOTIFICATION message (RFC 4271 §4.5, §6) with the error code registry, the
//! Cease subcodes (RFC 4486) and the shutdown communication (RFC 8203 / 9003).

use std::fmt;

/// A NOTIFICATION: error code, subcode and data.
#[derive(Clone, PartialEq, Eq)]
pub struct Notification {
    /// Error code (RFC 4271 §4.5).
    pub code: u8,
    /// Error subcode; meaning depends on `code`.
    pub subcode: u8,
    /// Data field, as the error's definition says.
    pub data: Vec<u8>,
}

/// NOTIFICATION error codes and subcodes (IANA "BGP Error (Notification) Codes").
pub mod codes {
    /// Message Header Error.
    pub const MESSAGE_HEADER: u8 = 1;
    /// OPEN Message Error.
    pub const OPEN_MESSAGE: u8 = 2;
    /// UPDATE Message Error.
    pub const UPDATE_MESSAGE: u8 = 3;
    /// Hold Timer Expired.
    pub const HOLD_TIMER_EXPIRED: u8 = 4;
    /// Finite State Machine Error.
    pub const FSM: u8 = 5;
    /// Cease.
    pub const CEASE: u8 = 6;
    /// ROUTE-REFRESH Message Error (RFC 7313).
    pub const ROUTE_REFRESH: u8 = 7;

    /// Header subcode: Connection Not Synchronized.
    pub const HDR_NOT_SYNCHRONIZED: u8 = 1;
    /// Header subcode: Bad Message Length.
    pub const HDR_BAD_LENGTH: u8 = 2;
    /// Header subcode: Bad Message Type.
    pub const HDR_BAD_TYPE: u8 = 3;

    /// OPEN subcode: Unsupported Version Number.
    pub const OPEN_UNSUPPORTED_VERSION: u8 = 1;
    /// OPEN subcode: Bad Peer AS.
    pub const OPEN_BAD_PEER_AS: u8 = 2;
    /// OPEN subcode: Bad BGP Identifier.
    pub const OPEN_BAD_BGP_ID: u8 = 3;
    /// OPEN subcode: Unsupported Optional Parameter.
    pub const OPEN_UNSUPPORTED_PARAM: u8 = 4;
    /// OPEN subcode: Unacceptable Hold Time.
    pub const OPEN_UNACCEPTABLE_HOLD_TIME: u8 = 6;
    /// OPEN subcode: Unsupported Capability (RFC 5492).
    pub const OPEN_UNSUPPORTED_CAPABILITY: u8 = 7;
    /// OPEN subcode: Role Mismatch (RFC 9234).
    pub const OPEN_ROLE_MISMATCH: u8 = 11;

    /// UPDATE subcode: Malformed Attribute List.
    pub const UPD_MALFORMED_ATTR_LIST: u8 = 1;
    /// UPDATE subcode: Unrecognized Well-known Attribute.
    pub const UPD_UNRECOGNIZED_WELL_KNOWN: u8 = 2;
    /// UPDATE subcode: Missing Well-known Attribute.
    pub const UPD_MISSING_WELL_KNOWN: u8 = 3;
    /// UPDATE subcode: Attribute Flags Error.
    pub const UPD_ATTR_FLAGS: u8 = 4;
    /// UPDATE subcode: Attribute Length Error.
    pub const UPD_ATTR_LENGTH: u8 = 5;
    /// UPDATE subcode: Invalid ORIGIN Attribute.
    pub const UPD_INVALID_ORIGIN: u8 = 6;
    /// UPDATE subcode: Invalid NEXT_HOP Attribute.
    pub const UPD_INVALID_NEXT_HOP: u8 = 8;
    /// UPDATE subcode: Optional Attribute Error.
    pub const UPD_OPTIONAL_ATTR: u8 = 9;
    /// UPDATE subcode: Invalid Network Field.
    pub const UPD_INVALID_NETWORK: u8 = 10;
    /// UPDATE subcode: Malformed AS_PATH.
    pub const UPD_MALFORMED_AS_PATH: u8 = 11;

    /// FSM subcode: Receive Unexpected Message in OpenSent (RFC 6608).
    pub const FSM_UNEXPECTED_IN_OPENSENT: u8 = 1;
    /// FSM subcode: Receive Unexpected Message in OpenConfirm (RFC 6608).
    pub const FSM_UNEXPECTED_IN_OPENCONFIRM: u8 = 2;
    /// FSM subcode: Receive Unexpected Message in Established (RFC 6608).
    pub const FSM_UNEXPECTED_IN_ESTABLISHED: u8 = 3;

    /// Cease subcode: Maximum Number of Prefixes Reached (RFC 4486).
    pub const CEASE_MAX_PREFIXES: u8 = 1;
    /// Cease subcode: Administrative Shutdown.
    pub const CEASE_ADMIN_SHUTDOWN: u8 = 2;
    /// Cease subcode: Peer De-configured.
    pub const CEASE_PEER_DECONFIGURED: u8 = 3;
    /// Cease subcode: Administrative Reset.
    pub const CEASE_ADMIN_RESET: u8 = 4;
    /// Cease subcode: Connection Rejected.
    pub const CEASE_CONNECTION_REJECTED: u8 = 5;
    /// Cease subcode: Other Configuration Change.
    pub const CEASE_OTHER_CONFIG_CHANGE: u8 = 6;
    /// Cease subcode: Connection Collision Resolution.
    pub const CEASE_COLLISION: u8 = 7;
    /// Cease subcode: Out of Resources.
    pub const CEASE_OUT_OF_RESOURCES: u8 = 8;
    /// Cease subcode: Hard Reset (RFC 8538).
    pub const CEASE_HARD_RESET: u8 = 9;
    /// Cease subcode: BFD Down (RFC 9384).
    pub const CEASE_BFD_DOWN: u8 = 10;
}

/// Longest shutdown communication in octets (RFC 9003 raised 128 to 255).
pub const MAX_SHUTDOWN_COMMUNICATION: usize = 255;

impl Notification {
    /// Builds a NOTIFICATION.
    pub fn new(code: u8, subcode: u8, data: impl Into<Vec<u8>>) -> Notification {
        Notification {
            code,
            subcode,
            data: data.into(),
        }
    }

    /// A Cease with a shutdown communication (RFC 8203/9003): Administrative
    /// Shutdown or Reset. The text is cut at a UTF-8 boundary to 255 octets.
    pub fn shutdown(subcode: u8, message: &str) -> Notification {
        let mut end = message.len().min(MAX_SHUTDOWN_COMMUNICATION);
        while !message.is_char_boundary(end) {
            end -= 1;
        }
        let text = &message.as_bytes()[..end];
        let mut data = Vec::with_capacity(1 + text.len());
        data.push(text.len() as u8);
        data.extend_from_slice(text);
        Notification::new(codes::CEASE, subcode, data)
    }

    /// A Cease "Maximum Number of Prefixes Reached" with the RFC 4486 data:
    /// AFI (2 octets), SAFI (1 octet), the upper bound (4 octets).
    pub fn max_prefixes(family: crate::Family, limit: u32) -> Notification {
        let mut data = Vec::with_capacity(7);
        data.extend_from_slice(&family.afi.0.to_be_bytes());
        data.push(family.safi.0);
        data.extend_from_slice(&limit.to_be_bytes());
        Notification::new(codes::CEASE, codes::CEASE_MAX_PREFIXES, data)
    }

    /// The shutdown communication of an Administrative Shutdown/Reset Cease,
    /// if present and valid UTF-8 (RFC 8203 §2).
    pub fn shutdown_communication(&self) -> Option<&str> {
        if self.code != codes::CEASE
            || !matches!(
                self.subcode,
                codes::CEASE_ADMIN_SHUTDOWN | codes::CEASE_ADMIN_RESET
            )
        {
            return None;
        }
        let (&len, rest) = self.data.split_first()?;
        let text = rest.get(..len as usize)?;
        std::str::from_utf8(text).ok()
    }

    /// Decodes a NOTIFICATION body (the octets after the 19-octet header).
    pub fn decode(body: &[u8]) -> Result<Notification, crate::MessageError> {
        if body.len() < 2 {
            return Err(crate::MessageError::new(
                crate::HEADER_LEN,
                "NOTIFICATION shorter than its 2 fixed octets",
                Notification::new(
                    codes::MESSAGE_HEADER,
                    codes::HDR_BAD_LENGTH,
                    ((crate::HEADER_LEN + body.len()) as u16).to_be_bytes(),
                ),
            ));
        }
        Ok(Notification::new(body[0], body[1], &body[2..]))
    }

    /// Appends the NOTIFICATION body (without header).
    pub fn encode_body(&self, out: &mut Vec<u8>) {
        out.push(self.code);
        out.push(self.subcode);
        out.extend_from_slice(&self.data);
    }

    /// The error code in words.
    pub fn code_name(&self) -> &'static str {
        match self.code {
            codes::MESSAGE_HEADER => "Message Header Error",
            codes::OPEN_MESSAGE => "OPEN Message Error",
            codes::UPDATE_MESSAGE => "UPDATE Message Error",
            codes::HOLD_TIMER_EXPIRED => "Hold Timer Expired",
            codes::FSM => "Finite State Machine Error",
            codes::CEASE => "Cease",
            codes::ROUTE_REFRESH => "ROUTE-REFRESH Message Error",
            _ => "Unknown error code",
        }
    }

    /// The subcode in words.
    pub fn subcode_name(&self) -> &'static str {
        use codes::*;
        match (self.code, self.subcode) {
            (MESSAGE_HEADER, 1) => "Connection Not Synchronized",
            (MESSAGE_HEADER, 2) => "Bad Message Length",
            (MESSAGE_HEADER, 3) => "Bad Message Type",
            (OPEN_MESSAGE, 1) => "Unsupported Version Number",
            (OPEN_MESSAGE, 2) => "Bad Peer AS",
            (OPEN_MESSAGE, 3) => "Bad BGP Identifier",
            (OPEN_MESSAGE, 4) => "Unsupported Optional Parameter",
            (OPEN_MESSAGE, 6) => "Unacceptable Hold Time",
            (OPEN_MESSAGE, 7) => "Unsupported Capability",
            (OPEN_MESSAGE, 11) => "Role Mismatch",
            (UPDATE_MESSAGE, 1) => "Malformed Attribute List",
            (UPDATE_MESSAGE, 2) => "Unrecognized Well-known Attribute",
            (UPDATE_MESSAGE, 3) => "Missing Well-known Attribute",
            (UPDATE_MESSAGE, 4) => "Attribute Flags Error",
            (UPDATE_MESSAGE, 5) => "Attribute Length Error",
            (UPDATE_MESSAGE, 6) => "Invalid ORIGIN Attribute",
            (UPDATE_MESSAGE, 8) => "Invalid NEXT_HOP Attribute",
            (UPDATE_MESSAGE, 9) => "Optional Attribute Error",
            (UPDATE_MESSAGE, 10) => "Invalid Network Field",
            (UPDATE_MESSAGE, 11) => "Malformed AS_PATH",
            (FSM, 0) => "Unspecified Error",
            (FSM, 1) => "Receive Unexpected Message in OpenSent State",
            (FSM, 2) => "Receive Unexpected Message in OpenConfirm State",
            (FSM, 3) => "Receive Unexpected Message in Established State",
            (CEASE, 1) => "Maximum Number of Prefixes Reached",
            (CEASE, 2) => "Administrative Shutdown",
            (CEASE, 3) => "Peer De-configured",
            (CEASE, 4) => "Administrative Reset",
            (CEASE, 5) => "Connection Rejected",
            (CEASE, 6) => "Other Configuration Change",
            (CEASE, 7) => "Connection Collision Resolution",
            (CEASE, 8) => "Out of Resources",
            (CEASE, 9) => "Hard Reset",
            (CEASE, 10) => "BFD Down",
            (ROUTE_REFRESH, 1) => "Invalid Message Length",
            (_, 0) => "Unspecific",
            _ => "Unknown subcode",
        }
    }
}

impl fmt::Display for Notification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} / {} ({}/{})",
            self.code_name(),
            self.subcode_name(),
            self.code,
            self.subcode
        )?;
        if let Some(text) = self.shutdown_communication() {
            write!(f, ": \"{}\"", text.escape_debug())?;
        } else if !self.data.is_empty() {
            write!(f, ", data ")?;
            for b in self.data.iter().take(32) {
                write!(f, "{b:02x}")?;
            }
            if self.data.len() > 32 {
                write!(f, "…")?;
            }
        }
        Ok(())
    }
}

impl fmt::Debug for Notification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Notification({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shutdown_communication_round_trip_and_truncation() {
        let n = Notification::shutdown(
            codes::CEASE_ADMIN_SHUTDOWN,
            "maintenance, back at 10:00 UTC",
        );
        assert_eq!(
            n.shutdown_communication(),
            Some("maintenance, back at 10:00 UTC")
        );
        let mut body = Vec::new();
        n.encode_body(&mut body);
        assert_eq!(Notification::decode(&body).unwrap(), n);
        assert_eq!(
            n.to_string(),
            "Cease / Administrative Shutdown (6/2): \"maintenance, back at 10:00 UTC\""
        );
        // 300 two-octet characters: truncated on a character boundary.
        let long = "ñ".repeat(300);
        let n = Notification::shutdown(codes::CEASE_ADMIN_RESET, &long);
        assert_eq!(n.data[0], 254);
        assert_eq!(n.shutdown_communication().unwrap().chars().count(), 127);
    }

    #[test]
    fn max_prefix_data() {
        let n = Notification::max_prefixes(crate::Family::IPV6_UNICAST, 1000);
        assert_eq!(n.data, vec![0, 2, 1, 0, 0, 3, 0xe8]);
        assert_eq!(n.subcode_name(), "Maximum Number of Prefixes Reached");
    }

    #[test]
    fn short_notification_is_an_error() {
        assert!(Notification::decode(&[6]).is_err());
    }
}
