//! Which daemons the harness drives, where their programs are, whether they
//! are installed, and the test gate [`require`].

use std::fmt;
use std::path::{Path, PathBuf};

use crate::config::MemberConfig;
use crate::daemon::RunningDaemon;
use crate::error::{Error, Result};

/// A BGP daemon the harness can run as an IXP member.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DaemonKind {
    /// BIRD 2 (`bird`, `birdc`).
    Bird,
    /// FRRouting's bgpd without zebra (`/usr/lib/frr/bgpd -Z`, `vtysh`).
    Frr,
    /// GoBGP (`gobgpd`, `gobgp`).
    Gobgp,
    /// OpenBGPD portable (`bgpd`, `bgpctl`).
    Openbgpd,
    /// ExaBGP 4 (`exabgp`), driven through its process API.
    Exabgp,
}

impl DaemonKind {
    /// Every kind, in a stable order.
    pub const ALL: [DaemonKind; 5] = [
        DaemonKind::Bird,
        DaemonKind::Frr,
        DaemonKind::Gobgp,
        DaemonKind::Openbgpd,
        DaemonKind::Exabgp,
    ];

    /// A short lowercase name (`bird`, `frr`, `gobgp`, `openbgpd`, `exabgp`).
    pub fn name(self) -> &'static str {
        match self {
            DaemonKind::Bird => "bird",
            DaemonKind::Frr => "frr",
            DaemonKind::Gobgp => "gobgp",
            DaemonKind::Openbgpd => "openbgpd",
            DaemonKind::Exabgp => "exabgp",
        }
    }

    /// The Debian package that ships it.
    pub fn package(self) -> &'static str {
        match self {
            DaemonKind::Bird => "bird2",
            DaemonKind::Frr => "frr",
            DaemonKind::Gobgp => "gobgpd",
            DaemonKind::Openbgpd => "openbgpd",
            DaemonKind::Exabgp => "exabgp",
        }
    }

    /// The programs it needs, as (program name, candidate paths).
    fn programs(self) -> &'static [(&'static str, &'static [&'static str])] {
        match self {
            DaemonKind::Bird => &[
                ("bird", &["/usr/sbin/bird"]),
                ("birdc", &["/usr/sbin/birdc"]),
            ],
            // FRR's bgpd is not on PATH, and PATH's `bgpd` is OpenBGPD's.
            DaemonKind::Frr => &[
                ("bgpd", &["/usr/lib/frr/bgpd"]),
                ("vtysh", &["/usr/bin/vtysh"]),
            ],
            DaemonKind::Gobgp => &[
                ("gobgpd", &["/usr/bin/gobgpd"]),
                ("gobgp", &["/usr/bin/gobgp"]),
            ],
            DaemonKind::Openbgpd => &[
                ("bgpd", &["/usr/sbin/bgpd"]),
                ("bgpctl", &["/usr/sbin/bgpctl"]),
            ],
            DaemonKind::Exabgp => &[
                ("exabgp", &["/usr/sbin/exabgp", "/usr/bin/exabgp"]),
                ("python3", &["/usr/bin/python3"]),
            ],
        }
    }

    /// The path of one of its programs (by the name in [`Self::programs`]).
    pub(crate) fn program(self, name: &str) -> Result<PathBuf> {
        let (_, candidates) = self
            .programs()
            .iter()
            .find(|(n, _)| *n == name)
            .ok_or_else(|| Error::NotInstalled {
                daemon: self.name(),
                detail: format!("unknown program {name}"),
            })?;
        candidates
            .iter()
            .map(Path::new)
            .find(|p| is_executable(p))
            .map(Path::to_path_buf)
            .ok_or_else(|| Error::NotInstalled {
                daemon: self.name(),
                detail: format!("{name} not found at {}", candidates.join(" or ")),
            })
    }

    /// `Ok` when every program it needs is installed, else which is missing.
    pub fn available(self) -> Result<(), String> {
        for (name, _) in self.programs() {
            self.program(name).map_err(|e| e.to_string())?;
        }
        Ok(())
    }

    /// The daemon's version line, from its own `--version`.
    pub fn version(self) -> Result<String> {
        let (prog, arg) = match self {
            DaemonKind::Bird => ("bird", "--version"),
            DaemonKind::Frr => ("bgpd", "--version"),
            DaemonKind::Gobgp => ("gobgpd", "--version"),
            DaemonKind::Openbgpd => ("bgpd", "-V"),
            DaemonKind::Exabgp => ("exabgp", "--version"),
        };
        let out = crate::process::run_raw(
            &self.program(prog)?,
            &[arg.to_string()],
            &[],
            crate::process::CLI_TIMEOUT,
        )?;
        let text = format!("{}{}", out.stdout, out.stderr);
        Ok(text
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("")
            .trim()
            .to_string())
    }

    /// Starts this daemon with `config` in a fresh temporary directory.
    pub fn start(self, config: MemberConfig) -> Result<RunningDaemon> {
        RunningDaemon::start(self, config)
    }
}

impl fmt::Display for DaemonKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    p.metadata()
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

/// Test gate: `true` when `kind` is installed. When it is not, prints
/// `SKIPPED: <daemon> not installed (run scripts/install-interop-deps.sh)`
/// and returns `false` — unless the environment variable `CI` is `true`,
/// where a missing daemon is a test failure (panic).
pub fn require(kind: DaemonKind) -> bool {
    let ci = std::env::var("CI").map(|v| v == "true").unwrap_or(false);
    gate(kind, kind.available(), ci)
}

/// [`require`] with its inputs spelled out.
fn gate(kind: DaemonKind, available: Result<(), String>, ci: bool) -> bool {
    match available {
        Ok(()) => true,
        Err(why) => {
            let msg = format!(
                "SKIPPED: {} not installed (run scripts/install-interop-deps.sh): {why}",
                kind.name()
            );
            if ci {
                panic!("{msg} — CI=true requires every interop daemon");
            }
            println!("{msg}");
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_distinct() {
        let mut names: Vec<_> = DaemonKind::ALL.iter().map(|k| k.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), 5);
    }

    #[test]
    fn gate_skips_outside_ci() {
        assert!(gate(DaemonKind::Bird, Ok(()), true));
        assert!(!gate(DaemonKind::Bird, Err("bird not found".into()), false));
    }

    #[test]
    #[should_panic(expected = "SKIPPED: exabgp not installed")]
    fn gate_fails_in_ci() {
        gate(DaemonKind::Exabgp, Err("exabgp not found".into()), true);
    }

    #[test]
    fn unknown_program_is_an_error() {
        assert!(DaemonKind::Bird.program("nope").is_err());
        assert!(!is_executable(Path::new("/nonexistent/bird")));
        assert!(is_executable(Path::new("/bin/sh")));
    }
}
