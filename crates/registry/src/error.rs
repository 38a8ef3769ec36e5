//! The registry's errors; each names the file or member concerned.

use crate::validate::Problem;
use condor_wire::Asn;
use std::path::PathBuf;

/// Anything that can go wrong reading, checking or writing the registry.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    /// A file could not be read or written.
    #[error("{}: {cause}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why (in the message, not a separate source, so it is printed once).
        cause: std::io::Error,
    },
    /// The file is not valid TOML or has a field of the wrong type.
    #[error("{}:{line}:{column}: {message}", path.display())]
    Syntax {
        /// The file.
        path: PathBuf,
        /// 1-based line (0 when unknown).
        line: usize,
        /// 1-based column (0 when unknown).
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// The registry is well-formed but wrong; every problem is listed.
    #[error("{}: {} problem(s):\n  {}", path.display(), problems.len(), problems.iter().map(|p| p.to_string()).collect::<Vec<_>>().join("\n  "))]
    Invalid {
        /// The file.
        path: PathBuf,
        /// The problems.
        problems: Vec<Problem>,
    },
    /// Another writer holds the lock.
    #[error("{}: another writer is changing the registry (lock {} is held); nothing written, try again when it is done", path.display(), path.display().to_string() + ".lock")]
    Locked {
        /// The registry file.
        path: PathBuf,
    },
    /// The file changed on disk since it was read (edited by hand meanwhile).
    #[error("{}: the file changed since it was read; nothing written, run the command again", path.display())]
    Changed {
        /// The file.
        path: PathBuf,
    },
    /// No member has this ASN.
    #[error("no member with AS{0}")]
    NoMember(Asn),
    /// A member with this ASN exists already.
    #[error("AS{0} is already a member")]
    MemberExists(Asn),
    /// No route server has this name.
    #[error("no route server named {0:?} in the registry")]
    NoRouteServer(String),
    /// The secret store can be read by others than its owner.
    #[error("{}: the secret store must not be readable by group or others (mode {mode:o}); run chmod 600", path.display())]
    SecretsPermissions {
        /// The file.
        path: PathBuf,
        /// Its mode bits.
        mode: u32,
    },
    /// An IX-F file could not be imported.
    #[error("{file}: {cause}")]
    Ixf {
        /// The IX-F file.
        file: String,
        /// Why (in the message, not a separate source, so it is printed once).
        cause: crate::ixf::IxfError,
    },
    /// The random source failed.
    #[error("random source: {0}")]
    Random(String),
}

/// Result of registry operations.
pub type Result<T> = std::result::Result<T, RegistryError>;

pub(crate) fn io_err(path: &std::path::Path) -> impl FnOnce(std::io::Error) -> RegistryError + '_ {
    move |cause| RegistryError::Io {
        path: path.to_path_buf(),
        cause,
    }
}
