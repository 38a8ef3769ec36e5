//! File descriptor limit: each simulated peer holds one socket, and the
//! server under test (which inherits our limits) one per neighbor plus its
//! own files, so 1000 peers need well over 2000 descriptors. The soft
//! `RLIMIT_NOFILE` is raised towards the hard limit at start (setrlimit(2)).

use rustix::process::{getrlimit, setrlimit, Resource, Rlimit};

/// Descriptors to keep beyond two per peer (logs, control sockets, runtime).
const SLACK: u64 = 256;

/// Descriptors needed for `peers` peers.
pub fn needed(peers: u32) -> u64 {
    2 * u64::from(peers) + SLACK
}

/// Error when the limit cannot be raised far enough.
#[derive(Debug, thiserror::Error)]
#[error(
    "{peers} peers need {needed} file descriptors but RLIMIT_NOFILE allows {soft} (hard limit {hard}); \
     raise it (ulimit -n {needed}, or LimitNOFILE= in a systemd unit) or run fewer peers"
)]
pub struct LimitError {
    /// Peers asked for.
    pub peers: u32,
    /// Descriptors needed.
    pub needed: u64,
    /// Soft limit in force.
    pub soft: u64,
    /// Hard limit in force.
    pub hard: u64,
}

/// Raises the soft limit on open files so that `peers` peers fit; returns
/// the soft limit now in force.
pub fn ensure_files(peers: u32) -> Result<u64, LimitError> {
    let need = needed(peers);
    let cur = getrlimit(Resource::Nofile);
    let soft = cur.current.unwrap_or(u64::MAX);
    let hard = cur.maximum.unwrap_or(u64::MAX);
    if soft >= need {
        return Ok(soft);
    }
    if hard >= need {
        // Raise to the hard limit (capped: a huge soft limit slows programs
        // that close every descriptor at fork).
        let target = hard.min(need.max(65536));
        if setrlimit(
            Resource::Nofile,
            Rlimit {
                current: Some(target),
                maximum: cur.maximum,
            },
        )
        .is_ok()
        {
            return Ok(target);
        }
    }
    Err(LimitError {
        peers,
        needed: need,
        soft,
        hard,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_runs_fit_and_absurd_ones_are_refused_clearly() {
        assert!(ensure_files(2).expect("a few descriptors") >= needed(2));
        let hard = getrlimit(Resource::Nofile).maximum;
        if let Some(hard) = hard {
            let peers = u32::try_from(hard)
                .unwrap_or(u32::MAX / 2)
                .min(u32::MAX / 2);
            let e = ensure_files(peers).expect_err("beyond the hard limit");
            assert!(e.to_string().contains("RLIMIT_NOFILE"), "{e}");
        }
    }
}
