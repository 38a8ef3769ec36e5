//! Crash-safe file replacement: the new content goes to a temporary file in
//! the same directory (created with the final permissions), which is
//! fsync'ed, then renamed over the target (rename(2) is atomic within a file
//! system), then the directory is fsync'ed so the rename itself is durable.
//! A reader, or a crash at any instant, sees the old file or the new one,
//! never a partial one. The previous content is kept as `FILE.bak` (itself
//! replaced the same way).

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

/// `FILE.bak`, the previous content of `FILE`.
pub fn backup_path(path: &Path) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(".bak");
    PathBuf::from(s)
}

fn temp_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.tmp.{}", std::process::id()))
}

fn dir_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

fn replace(path: &Path, content: &[u8], mode: u32) -> io::Result<()> {
    let tmp = temp_path(path);
    // A temporary file left by a writer killed earlier (same pid reused) goes.
    let _ = fs::remove_file(&tmp);
    let result = (|| {
        let mut f = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(mode)
            .open(&tmp)?;
        f.write_all(content)?;
        f.sync_all()?;
        drop(f);
        fs::rename(&tmp, path)?;
        File::open(dir_of(path))?.sync_all()
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Replaces `path` with `content` atomically, with permissions `mode` (for a
/// new file; umask applies). When `path` exists, its current content is first
/// saved as `path.bak` (atomically too).
pub fn write_atomic(path: &Path, content: &[u8], mode: u32) -> io::Result<()> {
    match fs::read(path) {
        Ok(old) => replace(&backup_path(path), &old, mode)?,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    replace(path, content, mode)
}
