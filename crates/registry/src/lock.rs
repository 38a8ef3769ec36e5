//! The writers' lock: an advisory `flock(2)` on `FILE.lock`, taken without
//! waiting. A second writer is refused at once with an error naming the file,
//! instead of queueing behind (or overwriting) the first. The lock goes with
//! the process: a writer killed mid-write leaves no stale lock.

use rustix::fs::{flock, FlockOperation};
use std::fs::{File, OpenOptions};
use std::io;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

/// `FILE.lock`.
pub fn lock_path(path: &Path) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(".lock");
    PathBuf::from(s)
}

/// A held writer's lock; released when dropped.
#[derive(Debug)]
pub struct WriteLock {
    _file: File,
}

/// Result of trying to take the lock.
pub enum TryLock {
    /// Taken.
    Held(WriteLock),
    /// Another process holds it.
    Busy,
}

/// Takes the lock on `path` (the file being protected) without waiting.
pub fn try_lock(path: &Path) -> io::Result<TryLock> {
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(lock_path(path))?;
    match flock(&file, FlockOperation::NonBlockingLockExclusive) {
        Ok(()) => Ok(TryLock::Held(WriteLock { _file: file })),
        Err(e) if e == rustix::io::Errno::WOULDBLOCK => Ok(TryLock::Busy),
        Err(e) => Err(e.into()),
    }
}
