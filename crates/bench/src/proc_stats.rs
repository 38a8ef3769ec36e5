//! Resource use of a process, read from Linux's `/proc` (proc(5)): resident
//! set size now (`VmRSS`) and at its peak (`VmHWM`, the high-water mark) from
//! `/proc/PID/status`, and CPU time (`utime + stime`, in clock ticks) from
//! `/proc/PID/stat`.

use std::path::PathBuf;

/// Error reading a process's statistics.
#[derive(Debug, thiserror::Error)]
pub enum ProcError {
    /// The file could not be read (the process is gone, or no `/proc`).
    #[error("reading {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The file did not have the expected content.
    #[error("{path}: {what}")]
    Format {
        /// The file.
        path: PathBuf,
        /// What was missing or malformed.
        what: &'static str,
    },
}

/// One reading of a process's resource use.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ProcSample {
    /// Resident set size now, bytes.
    pub rss_bytes: u64,
    /// Peak resident set size so far, bytes.
    pub peak_rss_bytes: u64,
    /// User plus system CPU time so far, seconds.
    pub cpu_s: f64,
}

/// Reads the resource use of process `pid`.
pub fn sample(pid: u32) -> Result<ProcSample, ProcError> {
    let status_path = PathBuf::from(format!("/proc/{pid}/status"));
    let status = std::fs::read_to_string(&status_path).map_err(|source| ProcError::Io {
        path: status_path.clone(),
        source,
    })?;
    let rss = status_kib(&status, "VmRSS:").ok_or(ProcError::Format {
        path: status_path.clone(),
        what: "no VmRSS line",
    })?;
    let hwm = status_kib(&status, "VmHWM:").ok_or(ProcError::Format {
        path: status_path,
        what: "no VmHWM line",
    })?;
    let stat_path = PathBuf::from(format!("/proc/{pid}/stat"));
    let stat = std::fs::read_to_string(&stat_path).map_err(|source| ProcError::Io {
        path: stat_path.clone(),
        source,
    })?;
    let ticks = stat_cpu_ticks(&stat).ok_or(ProcError::Format {
        path: stat_path,
        what: "no utime/stime fields",
    })?;
    let hz = rustix::param::clock_ticks_per_second().max(1);
    Ok(ProcSample {
        rss_bytes: rss * 1024,
        peak_rss_bytes: hwm * 1024,
        cpu_s: ticks as f64 / hz as f64,
    })
}

/// The value in kB of a `Key:   N kB` line of `/proc/PID/status`.
fn status_kib(status: &str, key: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with(key))?;
    let mut words = line[key.len()..].split_whitespace();
    let n = words.next()?.parse().ok()?;
    (words.next() == Some("kB")).then_some(n)
}

/// `utime + stime` from `/proc/PID/stat`. The command name (field 2) is in
/// parentheses and may itself hold spaces and parentheses, so fields are
/// counted from the last `)`: utime and stime are fields 14 and 15.
fn stat_cpu_ticks(stat: &str) -> Option<u64> {
    let rest = &stat[stat.rfind(')')? + 1..];
    let mut fields = rest.split_whitespace().skip(11);
    let utime: u64 = fields.next()?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some(utime + stime)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_this_process() {
        let before = sample(std::process::id()).expect("own /proc entry");
        assert!(before.rss_bytes > 100 * 1024, "{before:?}");
        assert!(before.peak_rss_bytes >= before.rss_bytes);
        // Touch 64 MiB: the peak must grow by about that much.
        let mut v = vec![1u8; 64 << 20];
        for i in (0..v.len()).step_by(4096) {
            v[i] = (i % 251) as u8;
        }
        // Burn some CPU so its counter moves.
        let t = std::time::Instant::now();
        let mut x = 0u64;
        while t.elapsed().as_millis() < 300 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(v[x as usize % v.len()] as u64);
        }
        std::hint::black_box(x);
        let after = sample(std::process::id()).expect("own /proc entry");
        assert!(
            after.peak_rss_bytes >= before.peak_rss_bytes + (60 << 20),
            "{before:?} {after:?}"
        );
        assert!(after.cpu_s >= before.cpu_s + 0.1, "{before:?} {after:?}");
        drop(v);
    }

    #[test]
    fn parses_stat_with_odd_command_names() {
        let stat =
            "1234 (a) b (c)) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 75 0 0 20 0 1 0 5 1000 100";
        assert_eq!(stat_cpu_ticks(stat), Some(325));
        assert_eq!(stat_cpu_ticks("garbage"), None);
    }

    #[test]
    fn parses_status_lines() {
        let s = "Name:\tbird\nVmHWM:\t   2048 kB\nVmRSS:\t    1024 kB\n";
        assert_eq!(status_kib(s, "VmRSS:"), Some(1024));
        assert_eq!(status_kib(s, "VmHWM:"), Some(2048));
        assert_eq!(status_kib(s, "VmSwap:"), None);
    }

    #[test]
    fn missing_process_is_an_error() {
        assert!(matches!(sample(u32::MAX), Err(ProcError::Io { .. })));
    }
}
