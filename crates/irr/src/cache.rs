//! The on-disk cache: one JSON file per AS-SET in a directory, holding the
//! expanded data and when it was fetched, so the daemon starts (and keeps
//! filtering) without reaching any IRR server.
//!
//! Writes are atomic: a temporary file in the same directory is written,
//! fsynced, renamed over the old file, and the directory is fsynced. A
//! reader therefore sees either the previous complete file or the new one.
//! Implements no RFC (a Condor file format, versioned by `format`).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, UNIX_EPOCH};

use condor_wire::{Asn, Prefix};
use serde::{Deserialize, Serialize};

use crate::error::IrrError;
use crate::set::{IrrSet, IrrSetBuilder, IrrSource, MaxLen};

const FORMAT: u32 = 1;

#[derive(Serialize, Deserialize)]
struct CacheFile {
    format: u32,
    name: String,
    source: IrrSource,
    fetched_at_unix_ms: u64,
    max_len: MaxLen,
    prefixes: Vec<CacheEntry>,
    origins: Vec<u32>,
}

#[derive(Serialize, Deserialize)]
struct CacheEntry {
    prefix: String,
    ge: u8,
    le: u8,
}

/// The cache file of `name` in `dir`: the name upper-cased (RPSL names are
/// case-insensitive), every byte other than a letter, digit or `-` written
/// `%XX`, then `.json` (`AS3333:AS-CUSTOMERS` → `AS3333%3AAS-CUSTOMERS.json`).
pub fn cache_path(dir: &Path, name: &str) -> PathBuf {
    let mut f = String::new();
    for b in name.to_ascii_uppercase().bytes() {
        if b.is_ascii_alphanumeric() || b == b'-' {
            f.push(b as char);
        } else {
            f.push_str(&format!("%{b:02X}"));
        }
    }
    f.push_str(".json");
    dir.join(f)
}

fn cache_err(path: &Path, message: impl std::fmt::Display) -> IrrError {
    IrrError::Cache {
        path: path.to_path_buf(),
        message: message.to_string(),
    }
}

/// Writes `set` to its cache file in `dir` (created if missing), atomically.
pub fn save(dir: &Path, set: &IrrSet) -> Result<PathBuf, IrrError> {
    let path = cache_path(dir, set.name());
    std::fs::create_dir_all(dir).map_err(|e| cache_err(dir, e))?;
    let file = CacheFile {
        format: FORMAT,
        name: set.name().to_string(),
        source: set.source().clone(),
        fetched_at_unix_ms: set
            .fetched_at()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_millis() as u64,
        max_len: set.max_len(),
        prefixes: set
            .entries()
            .into_iter()
            .map(|e| CacheEntry {
                prefix: e.prefix.to_string(),
                ge: e.ge,
                le: e.le,
            })
            .collect(),
        origins: set.origins().iter().map(|a| a.0).collect(),
    };
    let data = serde_json::to_vec(&file).map_err(|e| cache_err(&path, e))?;
    let tmp = path.with_extension(format!("json.tmp.{}", std::process::id()));
    let write = || -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(&data)?;
        f.sync_all()?;
        std::fs::rename(&tmp, &path)?;
        // The rename itself is durable once the directory is synced.
        std::fs::File::open(dir)?.sync_all()
    };
    write().map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        cache_err(&path, e)
    })?;
    Ok(path)
}

/// Reads the cached set of `name` from `dir`: `Ok(None)` when there is no
/// cache file, an error naming the file when it is unreadable or corrupt.
pub fn load(dir: &Path, name: &str) -> Result<Option<IrrSet>, IrrError> {
    let path = cache_path(dir, name);
    let data = match std::fs::read(&path) {
        Ok(d) => d,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(cache_err(&path, e)),
    };
    let file: CacheFile = serde_json::from_slice(&data).map_err(|e| cache_err(&path, e))?;
    if file.format != FORMAT {
        return Err(cache_err(&path, format!("unknown format {}", file.format)));
    }
    if !file.name.eq_ignore_ascii_case(name) {
        return Err(cache_err(
            &path,
            format!("holds {:?}, not {name:?}", file.name),
        ));
    }
    let mut b = IrrSetBuilder::new(file.max_len);
    for e in &file.prefixes {
        let p: Prefix = e
            .prefix
            .parse()
            .map_err(|err| cache_err(&path, format!("{}: {err}", e.prefix)))?;
        let width = if p.is_ipv4() { 32 } else { 128 };
        if e.ge < p.len() || e.le < e.ge || e.le > width {
            return Err(cache_err(
                &path,
                format!("{p}: bad range {}..{}", e.ge, e.le),
            ));
        }
        b.add_prefix(p, Some((e.ge, e.le)));
    }
    for a in &file.origins {
        b.add_origin(Asn(*a));
    }
    let fetched_at = UNIX_EPOCH + Duration::from_millis(file.fetched_at_unix_ms);
    Ok(Some(b.build(&file.name, file.source, fetched_at)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(name: &str) -> IrrSet {
        let mut b = IrrSetBuilder::new(MaxLen { v4: 23, v6: 48 });
        b.add_prefix("193.0.0.0/21".parse().unwrap(), None);
        b.add_prefix("193.0.0.0/21".parse().unwrap(), Some((24, 24)));
        b.add_prefix("2001:67c:2e8::/48".parse().unwrap(), None);
        b.add_origin(Asn(3333));
        b.add_origin(Asn(4_200_000_001));
        let src = IrrSource::Bgpq4 {
            host: Some("127.0.0.1:4343".into()),
            sources: Some("RIPE".into()),
        };
        b.build(
            name,
            src,
            UNIX_EPOCH + Duration::from_millis(1_764_000_000_123),
        )
    }

    #[test]
    fn round_trip_keeps_data_and_metadata() {
        let dir = tempfile::tempdir().unwrap();
        let s = sample("AS3333:AS-Customers");
        let path = save(dir.path(), &s).unwrap();
        assert_eq!(path.file_name().unwrap(), "AS3333%3AAS-CUSTOMERS.json");
        let back = load(dir.path(), "as3333:as-customers").unwrap().unwrap();
        assert_eq!(back.name(), s.name());
        assert_eq!(back.source(), s.source());
        assert_eq!(back.fetched_at(), s.fetched_at());
        assert_eq!(back.max_len(), s.max_len());
        assert_eq!(back.entries(), s.entries());
        assert_eq!(back.origins(), s.origins());
        assert_eq!(back.counts(), s.counts());
        // No temporary file is left behind.
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 1, "{names:?}");
        // Overwriting replaces the file.
        let mut b = IrrSetBuilder::new(MaxLen::default());
        b.add_origin(Asn(1));
        let s2 = b.build(s.name(), s.source().clone(), UNIX_EPOCH);
        save(dir.path(), &s2).unwrap();
        let back = load(dir.path(), s.name()).unwrap().unwrap();
        assert_eq!(back.counts().v4, 0);
        assert_eq!(back.origins(), &[Asn(1)]);
    }

    #[test]
    fn missing_is_none_and_corrupt_is_an_error_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        assert!(load(dir.path(), "AS-NONE").unwrap().is_none());
        let path = cache_path(dir.path(), "AS-BAD");
        for bad in [
            &b"{ truncated"[..],
            b"",
            br#"{"format":9,"name":"AS-BAD","source":{"kind":"file","path":"x"},"fetched_at_unix_ms":0,"max_len":{"v4":24,"v6":48},"prefixes":[],"origins":[]}"#,
            br#"{"format":1,"name":"AS-OTHER","source":{"kind":"file","path":"x"},"fetched_at_unix_ms":0,"max_len":{"v4":24,"v6":48},"prefixes":[],"origins":[]}"#,
            br#"{"format":1,"name":"AS-BAD","source":{"kind":"file","path":"x"},"fetched_at_unix_ms":0,"max_len":{"v4":24,"v6":48},"prefixes":[{"prefix":"10.0.0.0/8","ge":8,"le":40}],"origins":[]}"#,
        ] {
            std::fs::write(&path, bad).unwrap();
            let e = load(dir.path(), "AS-BAD").unwrap_err();
            assert!(matches!(e, IrrError::Cache { .. }), "{e}");
            assert!(e.to_string().contains("AS-BAD.json"), "{e}");
        }
    }
}
