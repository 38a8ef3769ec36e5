//! Reading and writing the registry file. Readers just read (writes are
//! atomic, see [`crate::atomic`]). A writer opens the file with
//! [`RegistryFile::open`], which takes the writers' lock ([`crate::lock`])
//! and keeps the exact bytes it read; [`RegistryFile::save`] validates, then
//! refuses to write if the file on disk is no longer those bytes (changed by
//! hand meanwhile), so no update is ever lost.

use crate::atomic::write_atomic;
use crate::error::{io_err, RegistryError, Result};
use crate::lock::{try_lock, TryLock, WriteLock};
use crate::model::Registry;
use crate::validate::validate;
use std::io;
use std::path::{Path, PathBuf};

/// Default location of the registry.
pub const DEFAULT_PATH: &str = "/etc/condor/registry.toml";

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before.rfind('\n').map_or(offset, |nl| offset - nl - 1) + 1;
    (line, col)
}

/// Parses and validates registry text; `path` names it in errors.
pub fn parse(path: &Path, text: &str) -> Result<Registry> {
    let reg = Registry::from_toml(text).map_err(|e| {
        let (line, column) = e.span().map(|s| line_col(text, s.start)).unwrap_or((0, 0));
        RegistryError::Syntax {
            path: path.to_path_buf(),
            line,
            column,
            message: e.message().trim().to_string(),
        }
    })?;
    let problems = validate(&reg);
    if problems.is_empty() {
        Ok(reg)
    } else {
        Err(RegistryError::Invalid {
            path: path.to_path_buf(),
            problems,
        })
    }
}

/// Reads and validates the registry at `path`.
pub fn load(path: &Path) -> Result<Registry> {
    let text = std::fs::read_to_string(path).map_err(io_err(path))?;
    parse(path, &text)
}

/// The registry opened for a change: holds the writers' lock until dropped.
#[derive(Debug)]
pub struct RegistryFile {
    path: PathBuf,
    _lock: WriteLock,
    /// What was on disk when opened (`None`: no file yet).
    original: Option<Vec<u8>>,
    /// The registry; change it, then [`RegistryFile::save`].
    pub registry: Registry,
}

impl RegistryFile {
    /// Takes the writers' lock and reads the registry.
    pub fn open(path: &Path) -> Result<RegistryFile> {
        let lock = lock_or_refuse(path)?;
        let bytes = std::fs::read(path).map_err(io_err(path))?;
        let text = String::from_utf8_lossy(&bytes);
        let registry = parse(path, &text)?;
        Ok(RegistryFile {
            path: path.to_path_buf(),
            _lock: lock,
            original: Some(bytes),
            registry,
        })
    }

    /// Takes the writers' lock for a registry that does not exist yet.
    pub fn create(path: &Path, registry: Registry) -> Result<RegistryFile> {
        let lock = lock_or_refuse(path)?;
        if path.exists() {
            return Err(RegistryError::Io {
                path: path.to_path_buf(),
                cause: io::Error::new(io::ErrorKind::AlreadyExists, "the registry exists already"),
            });
        }
        Ok(RegistryFile {
            path: path.to_path_buf(),
            _lock: lock,
            original: None,
            registry,
        })
    }

    /// The registry's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Validates and writes the registry atomically (previous content in
    /// `FILE.bak`). Refused if the file changed on disk since it was read.
    pub fn save(&mut self) -> Result<()> {
        let problems = validate(&self.registry);
        if !problems.is_empty() {
            return Err(RegistryError::Invalid {
                path: self.path.clone(),
                problems,
            });
        }
        let now = match std::fs::read(&self.path) {
            Ok(b) => Some(b),
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(e) => return Err(io_err(&self.path)(e)),
        };
        if now != self.original {
            return Err(RegistryError::Changed {
                path: self.path.clone(),
            });
        }
        let text = self.registry.to_toml().map_err(|e| RegistryError::Syntax {
            path: self.path.clone(),
            line: 0,
            column: 0,
            message: format!("cannot write the registry as TOML: {e}"),
        })?;
        write_atomic(&self.path, text.as_bytes(), 0o644).map_err(io_err(&self.path))?;
        self.original = Some(text.into_bytes());
        Ok(())
    }
}

fn lock_or_refuse(path: &Path) -> Result<WriteLock> {
    match try_lock(path).map_err(io_err(path))? {
        TryLock::Held(l) => Ok(l),
        TryLock::Busy => Err(RegistryError::Locked {
            path: path.to_path_buf(),
        }),
    }
}
