//! Running programs: a supervised daemon in its own process group (stopped
//! with SIGTERM, then SIGKILL after a grace period), and a one-shot CLI call
//! with a deadline.
//!
//! Only processes this module started are ever signalled, by their process
//! group id. The daemon's process is not reaped until it is stopped, so its
//! pid (and so its process group id) cannot be reused by another process
//! while the harness may still signal it.

use std::ffi::OsStr;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use crate::error::{Error, Result};

/// How long a daemon gets between SIGTERM and SIGKILL.
pub(crate) const STOP_GRACE: Duration = Duration::from_secs(5);

/// A daemon process started by the harness, leader of its own process group.
#[derive(Debug)]
pub(crate) struct Supervised {
    child: Child,
    program: PathBuf,
    status: Option<ExitStatus>,
}

impl Supervised {
    /// Starts `program args` in `dir`, stdout and stderr appended to `log`,
    /// stdin closed, in a new process group.
    pub(crate) fn spawn<I, S>(
        program: &Path,
        args: I,
        dir: &Path,
        log: &Path,
        env: &[(&str, &str)],
    ) -> Result<Self>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        use std::os::unix::process::CommandExt;
        let out = File::options()
            .create(true)
            .append(true)
            .open(log)
            .map_err(|e| Error::io(format!("open {}", log.display()), e))?;
        let err = out
            .try_clone()
            .map_err(|e| Error::io(format!("dup {}", log.display()), e))?;
        let mut cmd = Command::new(program);
        cmd.args(args)
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .process_group(0);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = cmd.spawn().map_err(|source| Error::Spawn {
            program: program.to_path_buf(),
            source,
        })?;
        Ok(Self {
            child,
            program: program.to_path_buf(),
            status: None,
        })
    }

    /// The leader's pid (also the process group id).
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// `None` while the daemon runs, else a description of how it ended.
    /// Looks at `/proc` without reaping, so the pid stays reserved.
    pub(crate) fn exited(&self) -> Option<String> {
        if let Some(s) = self.status {
            return Some(s.to_string());
        }
        let stat = match std::fs::read_to_string(format!("/proc/{}/stat", self.pid())) {
            Ok(s) => s,
            Err(_) => return Some("gone".into()),
        };
        // The state letter follows the parenthesised command name.
        let state = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().next())
            .unwrap_or("?");
        matches!(state, "Z" | "X").then(|| format!("exited (state {state})"))
    }

    /// Stops the whole process group: SIGTERM, up to `grace` for the leader
    /// to exit, then SIGKILL to whatever of the group is left; reaps the
    /// leader. Idempotent.
    pub(crate) fn stop(&mut self, grace: Duration) {
        if self.status.is_some() {
            return;
        }
        let group = format!("-{}", self.pid());
        signal("TERM", &group);
        let deadline = Instant::now() + grace;
        while self.exited().is_none() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        // The leader is a zombie or still alive: the group id is still ours.
        signal("KILL", &group);
        match self.child.wait() {
            Ok(s) => self.status = Some(s),
            Err(e) => {
                eprintln!(
                    "condor-interop: waiting for {} (pid {}): {e}",
                    self.program.display(),
                    self.pid()
                );
            }
        }
    }
}

impl Drop for Supervised {
    fn drop(&mut self) {
        self.stop(STOP_GRACE);
    }
}

/// Sends `sig` to `target` (a pid, or `-pgid` for a group) with kill(1);
/// errors (e.g. the group is already empty) are ignored.
fn signal(sig: &str, target: &str) {
    let _ = Command::new("kill")
        .args(["-s", sig, "--", target])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

/// What a CLI call printed.
#[derive(Debug)]
pub(crate) struct CliOutput {
    /// Exit status.
    pub(crate) status: ExitStatus,
    /// Standard output.
    pub(crate) stdout: String,
    /// Standard error.
    pub(crate) stderr: String,
}

/// Default deadline for one CLI call.
pub(crate) const CLI_TIMEOUT: Duration = Duration::from_secs(15);

/// Runs `program args` to completion (killed at `timeout`) and returns its
/// output, whatever the exit status.
pub(crate) fn run_raw(
    program: &Path,
    args: &[String],
    env: &[(&str, &str)],
    timeout: Duration,
) -> Result<CliOutput> {
    let command = command_line(program, args);
    let mut cmd = Command::new(program);
    cmd.args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().map_err(|source| Error::Spawn {
        program: program.to_path_buf(),
        source,
    })?;
    let out = child.stdout.take().map(reader);
    let err = child.stderr.take().map(reader);
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break s,
            Ok(None) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(10));
            }
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(Error::Cli {
                    command,
                    detail: format!("no answer within {timeout:?}"),
                });
            }
            Err(e) => return Err(Error::io(format!("wait for `{command}`"), e)),
        }
    };
    let join = |h: Option<std::thread::JoinHandle<String>>| {
        h.and_then(|h| h.join().ok()).unwrap_or_default()
    };
    Ok(CliOutput {
        status,
        stdout: join(out),
        stderr: join(err),
    })
}

/// Like [`run_raw`], but a non-zero exit status is an error.
pub(crate) fn run(program: &Path, args: &[String], env: &[(&str, &str)]) -> Result<String> {
    let out = run_raw(program, args, env, CLI_TIMEOUT)?;
    if !out.status.success() {
        return Err(Error::Cli {
            command: command_line(program, args),
            detail: format!("{}: {}{}", out.status, out.stdout.trim(), out.stderr.trim()),
        });
    }
    Ok(out.stdout)
}

fn reader<R: Read + Send + 'static>(mut r: R) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = r.read_to_end(&mut buf);
        String::from_utf8_lossy(&buf).into_owned()
    })
}

/// `program arg arg` for messages.
pub(crate) fn command_line(program: &Path, args: &[String]) -> String {
    let mut s = program.display().to_string();
    for a in args {
        s.push(' ');
        s.push_str(a);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_output_status_and_timeout() {
        let sh = Path::new("/bin/sh");
        let out = run(sh, &["-c".into(), "echo hi".into()], &[]).unwrap();
        assert_eq!(out, "hi\n");
        let err = run(sh, &["-c".into(), "echo no >&2; exit 3".into()], &[]).unwrap_err();
        assert!(err.to_string().contains("no"), "{err}");
        let t0 = Instant::now();
        let slow = run_raw(
            sh,
            &["-c".into(), "exec sleep 5".into()],
            &[],
            Duration::from_millis(200),
        );
        assert!(slow.is_err());
        assert!(t0.elapsed() < Duration::from_secs(3));
    }

    #[test]
    fn supervised_process_group_is_stopped() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("log");
        // A leader that ignores SIGTERM and a child in the same group.
        let mut p = Supervised::spawn(
            Path::new("/bin/sh"),
            ["-c", "trap '' TERM; sleep 30 & echo started; wait"],
            dir.path(),
            &log,
            &[],
        )
        .unwrap();
        let deadline = Instant::now() + Duration::from_secs(5);
        while !std::fs::read_to_string(&log).unwrap().contains("started") {
            assert!(Instant::now() < deadline, "child did not start");
            std::thread::sleep(Duration::from_millis(10));
        }
        assert!(p.exited().is_none());
        let pgid = p.pid();
        let t0 = Instant::now();
        p.stop(Duration::from_millis(300));
        assert!(t0.elapsed() < Duration::from_secs(3));
        assert!(p.exited().is_some());
        // Nothing of the group is left (orphans are reaped by init shortly).
        let deadline = Instant::now() + Duration::from_secs(3);
        loop {
            let ps = ["-e".into(), "-o".into(), "pgid=,stat=".into()];
            let out = run(Path::new("/bin/ps"), &ps, &[]).unwrap();
            let left = out.lines().any(|l| {
                let mut f = l.split_whitespace();
                f.next() == Some(&pgid.to_string()) && !f.next().unwrap_or("").starts_with('Z')
            });
            if !left {
                break;
            }
            assert!(Instant::now() < deadline, "group {pgid} left:\n{out}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}
