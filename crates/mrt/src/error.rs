//! Errors of the MRT reader and writer. Every error names the octet offset of
//! the record concerned in the (decompressed) stream, so a bad file can be
//! inspected with a hex dump.

/// An MRT record that could not be read or decoded.
#[derive(Debug, thiserror::Error)]
pub enum MrtError {
    /// The underlying reader failed.
    #[error("I/O error at offset {offset}: {source}")]
    Io {
        /// Offset of the record being read.
        offset: u64,
        /// The error from the reader.
        #[source]
        source: std::io::Error,
    },
    /// The stream ended inside a record (header or body). Iteration stops.
    #[error("truncated record at offset {offset}: expected {expected} octets, got {got}")]
    Truncated {
        /// Offset of the record.
        offset: u64,
        /// Octets the header (12) or the length field announced.
        expected: u64,
        /// Octets actually present.
        got: u64,
    },
    /// The record's length field exceeds the reader's limit. Iteration stops:
    /// such a length is almost always a corrupt or misaligned stream.
    #[error("record at offset {offset} claims {length} octets, more than the limit of {limit}")]
    TooLong {
        /// Offset of the record.
        offset: u64,
        /// The length field.
        length: u64,
        /// The limit in force.
        limit: u64,
    },
    /// The record was framed correctly but its body is malformed. Iteration
    /// goes on with the next record.
    #[error("malformed {kind} record at offset {offset}: {reason}")]
    Malformed {
        /// Offset of the record.
        offset: u64,
        /// Record type and subtype, in words.
        kind: String,
        /// What was wrong.
        reason: String,
    },
    /// A value cannot be represented in MRT (writer only).
    #[error("cannot encode {what}: {reason}")]
    Encode {
        /// What was being written.
        what: &'static str,
        /// Why it does not fit.
        reason: String,
    },
}

impl MrtError {
    /// True when the reader cannot go on after this error (truncation, I/O,
    /// absurd length); false for a malformed body, after which the next
    /// record is read normally.
    pub fn is_fatal(&self) -> bool {
        !matches!(self, MrtError::Malformed { .. })
    }
}
