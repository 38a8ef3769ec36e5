//! The secret store: members' TCP-MD5 passwords, in a TOML file of its own
//! beside the registry (`registry.secrets.toml` for `registry.toml`), mode
//! 0600 from the moment it is created, replaced atomically like the registry
//! and behind the same kind of writers' lock. The registry itself stays
//! shareable; only the route-server daemons and the onboarding command read
//! this file. A store readable by group or others is refused.

use crate::atomic::write_atomic;
use crate::error::{io_err, RegistryError, Result};
use crate::lock::{try_lock, TryLock, WriteLock};
use crate::password::Password;
use condor_wire::Asn;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// Mode of the secret store.
pub const MODE: u32 = 0o600;

/// The store beside `registry`: `NAME.secrets.toml` for `NAME.toml`.
pub fn secrets_path(registry: &Path) -> PathBuf {
    let stem = registry
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "registry".into());
    registry.with_file_name(format!("{stem}.secrets.toml"))
}

#[derive(Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStore {
    #[serde(default)]
    md5: BTreeMap<String, String>,
}

/// The passwords, by member ASN.
#[derive(Default)]
pub struct SecretStore {
    md5: BTreeMap<u32, Password>,
}

impl std::fmt::Debug for SecretStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SecretStore({} passwords)", self.md5.len())
    }
}

impl SecretStore {
    /// Reads the store at `path`; a missing file is an empty store.
    pub fn load(path: &Path) -> Result<SecretStore> {
        let meta = match std::fs::metadata(path) {
            Ok(m) => m,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(SecretStore::default()),
            Err(e) => return Err(io_err(path)(e)),
        };
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(RegistryError::SecretsPermissions {
                path: path.to_path_buf(),
                mode,
            });
        }
        let text = std::fs::read_to_string(path).map_err(io_err(path))?;
        // The TOML error text is dropped on purpose: it may quote a password.
        let raw: RawStore = toml::from_str(&text).map_err(|_| RegistryError::Syntax {
            path: path.to_path_buf(),
            line: 0,
            column: 0,
            message: "not a valid secret store (TOML table [md5] of ASN = \"password\")".into(),
        })?;
        let mut md5 = BTreeMap::new();
        for (k, v) in raw.md5 {
            let asn = k.parse::<u32>().map_err(|_| RegistryError::Syntax {
                path: path.to_path_buf(),
                line: 0,
                column: 0,
                message: format!("md5: key {k:?} is not an ASN"),
            })?;
            md5.insert(asn, Password::new(v));
        }
        Ok(SecretStore { md5 })
    }

    /// The password of a member.
    pub fn md5(&self, asn: Asn) -> Option<&Password> {
        self.md5.get(&asn.0)
    }

    /// Sets a member's password.
    pub fn set_md5(&mut self, asn: Asn, password: Password) {
        self.md5.insert(asn.0, password);
    }

    /// Forgets a member's password.
    pub fn remove_md5(&mut self, asn: Asn) -> bool {
        self.md5.remove(&asn.0).is_some()
    }

    /// Number of passwords.
    pub fn len(&self) -> usize {
        self.md5.len()
    }

    /// True when it holds no password.
    pub fn is_empty(&self) -> bool {
        self.md5.is_empty()
    }

    fn to_toml(&self) -> String {
        let mut s = String::from(
            "# Condor secret store: TCP-MD5 passwords (RFC 2385) by member ASN.\n\
             # Keep it mode 0600; `condor members rotate-password ASN` changes one.\n\n[md5]\n",
        );
        for (asn, p) in &self.md5 {
            // Passwords are from the store's alphabet or set by the operator;
            // write them as TOML basic strings with escapes.
            s.push_str(&format!("{asn} = {}\n", toml_string(p.expose())));
        }
        s
    }
}

fn toml_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The secret store opened for a change: holds its writers' lock until dropped.
#[derive(Debug)]
pub struct SecretFile {
    path: PathBuf,
    _lock: WriteLock,
    /// The passwords; change them, then [`SecretFile::save`].
    pub store: SecretStore,
}

impl SecretFile {
    /// Takes the lock and reads the store (empty when absent).
    pub fn open(path: &Path) -> Result<SecretFile> {
        let lock = match try_lock(path).map_err(io_err(path))? {
            TryLock::Held(l) => l,
            TryLock::Busy => {
                return Err(RegistryError::Locked {
                    path: path.to_path_buf(),
                })
            }
        };
        Ok(SecretFile {
            path: path.to_path_buf(),
            _lock: lock,
            store: SecretStore::load(path)?,
        })
    }

    /// Writes the store atomically with mode 0600.
    pub fn save(&self) -> Result<()> {
        write_atomic(&self.path, self.store.to_toml().as_bytes(), MODE)
            .map_err(io_err(&self.path))?;
        // The mode given at creation is filtered by the umask; make sure.
        std::fs::set_permissions(&self.path, std::fs::Permissions::from_mode(MODE))
            .map_err(io_err(&self.path))
    }
}
