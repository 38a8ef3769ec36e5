//! Onboarding errors: templates, SMTP, the records database, the registry.

use std::path::PathBuf;

/// Anything that can go wrong rendering, sending or recording.
#[derive(Debug, thiserror::Error)]
pub enum OnboardError {
    /// The registry or secret store.
    #[error(transparent)]
    Registry(#[from] condor_registry::RegistryError),
    /// A template could not be read or rendered.
    #[error("template {0}")]
    Template(String),
    /// A file could not be read.
    #[error("{}: {cause}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        cause: std::io::Error,
    },
    /// The records database.
    #[error("{}: {cause}", path.display())]
    Records {
        /// The database file.
        path: PathBuf,
        /// Why.
        cause: rusqlite::Error,
    },
    /// The mail settings.
    #[error("{}: {message}", path.display())]
    MailSettings {
        /// The settings file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// Something the operator asked cannot be done (named in the message).
    #[error("{0}")]
    Refused(String),
}

/// Result of onboarding operations.
pub type Result<T> = std::result::Result<T, OnboardError>;
