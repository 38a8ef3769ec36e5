//! Errors of the codec. Every error names what was wrong and where (octet
//! offset from the start of the message), and carries the NOTIFICATION that
//! RFC 4271 §6 (as revised by RFC 7606) prescribes when it ends the session.

use crate::Notification;
use std::fmt;

/// A message that cannot be processed: the session must be reset with `notification`.
#[derive(Clone, PartialEq, Eq)]
pub struct MessageError {
    /// Offset in octets from the start of the message (header included).
    pub offset: usize,
    /// What was wrong, in words.
    pub reason: String,
    /// The NOTIFICATION to send.
    pub notification: Notification,
}

impl MessageError {
    /// Builds an error.
    pub fn new(
        offset: usize,
        reason: impl Into<String>,
        notification: Notification,
    ) -> MessageError {
        MessageError {
            offset,
            reason: reason.into(),
            notification,
        }
    }
}

impl fmt::Display for MessageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} at offset {} (sending {})",
            self.reason, self.offset, self.notification
        )
    }
}

impl fmt::Debug for MessageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl std::error::Error for MessageError {}

/// How an UPDATE error is handled (RFC 7606 §2), from mildest to strongest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rfc7606Action {
    /// The malformed attribute is dropped; the UPDATE is otherwise processed.
    AttributeDiscard,
    /// The UPDATE's announced routes are handled as withdrawals.
    TreatAsWithdraw,
    /// The session is reset with a NOTIFICATION.
    SessionReset,
}

impl fmt::Display for Rfc7606Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Rfc7606Action::AttributeDiscard => "attribute-discard",
            Rfc7606Action::TreatAsWithdraw => "treat-as-withdraw",
            Rfc7606Action::SessionReset => "session-reset",
        })
    }
}

/// A non-fatal problem found in an UPDATE (fatal ones are a [`MessageError`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UpdateProblem {
    /// What RFC 7606 says to do about it.
    pub action: Rfc7606Action,
    /// The attribute type code concerned, if any.
    pub attr_type: Option<u8>,
    /// Offset in octets from the start of the message.
    pub offset: usize,
    /// What was wrong, in words.
    pub reason: String,
}

impl fmt::Display for UpdateProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.attr_type {
            Some(t) => write!(
                f,
                "{} ({}, attribute {} at offset {})",
                self.reason,
                self.action,
                crate::attr::type_name(t),
                self.offset
            ),
            None => write!(
                f,
                "{} ({}, at offset {})",
                self.reason, self.action, self.offset
            ),
        }
    }
}
