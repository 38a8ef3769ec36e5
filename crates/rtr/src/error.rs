//! The errors of the RPKI sources.

use std::path::PathBuf;

/// Loading a VRP/ASPA JSON file failed.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file could not be read.
    #[error("{file}: {source}")]
    Io {
        /// The file.
        file: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The file is not JSON.
    #[error("{file}: not JSON: {source}")]
    Syntax {
        /// The file.
        file: PathBuf,
        /// The parser's error (with line and column).
        #[source]
        source: serde_json::Error,
    },
    /// The JSON is not a VRP file (no `roas` array at the top level).
    #[error("{file}: not a VRP file: {reason}")]
    Format {
        /// The file.
        file: PathBuf,
        /// What is missing.
        reason: String,
    },
    /// One entry is malformed.
    #[error("{file}: {section}[{index}]: {reason}")]
    Entry {
        /// The file.
        file: PathBuf,
        /// The array holding the entry (`roas`, `aspas`, …).
        section: String,
        /// The entry's index in that array (from 0).
        index: usize,
        /// What is wrong.
        reason: String,
    },
}
