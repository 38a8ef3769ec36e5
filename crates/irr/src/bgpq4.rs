//! Expanding an AS-SET (or ASN) by running the real `bgpq4` against an IRR
//! server (the IRRd `!`-command query protocol): three bounded runs, in
//! parallel, with JSON output (`-j`): IPv4 prefixes (`-4 -R max_len_v4`),
//! IPv6 prefixes (`-6 -R max_len_v6`), origin ASNs (`-t`).
//!
//! No aggregation (`-A` is not passed): every entry stays a registered
//! route/route6 object, or a covering object with its more-specifics range
//! up to the configured length (`-R`), which is what the route server
//! accepts. The RPSL objects are those of RFC 2622 (route, as-set) and
//! RFC 4012 (route6).

use std::io::Read;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use crate::error::IrrError;
use crate::parse::parse_bgpq_json;
use crate::set::{IrrSet, IrrSetBuilder, IrrSource, MaxLen};

/// How to run bgpq4.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bgpq4Config {
    /// The program (default `bgpq4`, looked up in `PATH`).
    pub program: PathBuf,
    /// IRR server, `host` or `host:port` (`-h`); bgpq4's default when `None`.
    pub host: Option<String>,
    /// Comma-separated IRR sources in order of preference (`-S`).
    pub sources: Option<String>,
    /// Bound on each bgpq4 run; it is killed when exceeded.
    pub timeout: Duration,
    /// Longest more-specifics accepted (`-R`).
    pub max_len: MaxLen,
}

impl Default for Bgpq4Config {
    fn default() -> Self {
        Bgpq4Config {
            program: PathBuf::from("bgpq4"),
            host: None,
            sources: None,
            timeout: Duration::from_secs(120),
            max_len: MaxLen::default(),
        }
    }
}

/// True when `name` is an ASN (`AS3333`) or an AS-SET name as RPSL spells
/// them (`AS-EXAMPLE`, `AS3333:AS-CUSTOMERS`, `RIPE::AS-FOO`). Names
/// starting with `-` are refused: bgpq4 would read them as options.
pub fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 255
        && name.as_bytes()[0].is_ascii_alphanumeric()
        && name
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b':'))
}

const V4: &str = "IPv4 prefixes";
const V6: &str = "IPv6 prefixes";
const ORIGINS: &str = "origin ASNs";

/// Expands `as_set` with bgpq4 (blocking; up to three processes at once,
/// each bounded by `cfg.timeout`). An empty expansion is an error.
pub fn fetch(cfg: &Bgpq4Config, as_set: &str) -> Result<IrrSet, IrrError> {
    if !valid_name(as_set) {
        return Err(IrrError::BadName(as_set.to_string()));
    }
    let fetched_at = SystemTime::now();
    let v4 = [
        "-4".to_string(),
        "-R".to_string(),
        cfg.max_len.v4.to_string(),
    ];
    let v6 = [
        "-6".to_string(),
        "-R".to_string(),
        cfg.max_len.v6.to_string(),
    ];
    let t = ["-t".to_string()];
    let (r4, r6, rt) = std::thread::scope(|s| {
        let h4 = s.spawn(|| run(cfg, as_set, V4, &v4));
        let h6 = s.spawn(|| run(cfg, as_set, V6, &v6));
        let rt = run(cfg, as_set, ORIGINS, &t);
        (join(h4, as_set, V4), join(h6, as_set, V6), rt)
    });
    let mut b = IrrSetBuilder::new(cfg.max_len);
    let mut total = 0;
    let mut warnings: Vec<String> = Vec::new();
    for (query, (out, err)) in [(V4, r4?), (V6, r6?), (ORIGINS, rt?)] {
        for line in err.lines().map(str::trim).filter(|l| !l.is_empty()) {
            if !warnings.iter().any(|w| w == line) {
                warnings.push(line.to_string());
            }
        }
        let (np, no) = parse_bgpq_json(&out, &mut b).map_err(|e| IrrError::Bgpq4Output {
            as_set: as_set.to_string(),
            query,
            message: format!("line {}: {}", e.line, e.message),
        })?;
        total += np + no;
    }
    if total == 0 {
        return Err(IrrError::Empty {
            as_set: as_set.to_string(),
        });
    }
    let source = IrrSource::Bgpq4 {
        host: cfg.host.clone(),
        sources: cfg.sources.clone(),
    };
    Ok(b.build(as_set, source, fetched_at).with_warnings(warnings))
}

fn join(
    h: std::thread::ScopedJoinHandle<'_, Result<(String, String), IrrError>>,
    as_set: &str,
    query: &'static str,
) -> Result<(String, String), IrrError> {
    h.join().unwrap_or_else(|_| {
        Err(IrrError::Bgpq4Output {
            as_set: as_set.to_string(),
            query,
            message: "the runner thread panicked".to_string(),
        })
    })
}

/// Runs one bgpq4 query and returns its standard output and error.
fn run(
    cfg: &Bgpq4Config,
    as_set: &str,
    query: &'static str,
    args: &[String],
) -> Result<(String, String), IrrError> {
    let mut cmd = Command::new(&cfg.program);
    cmd.arg("-j").args(args).args(["-l", "NN"]);
    if let Some(h) = &cfg.host {
        cmd.args(["-h", h]);
    }
    if let Some(s) = &cfg.sources {
        cmd.args(["-S", s]);
    }
    cmd.arg(as_set)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().map_err(|source| IrrError::Spawn {
        as_set: as_set.to_string(),
        program: cfg.program.clone(),
        source,
    })?;
    let out = reader(&mut child, true);
    let err = reader(&mut child, false);
    let deadline = Instant::now() + cfg.timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(st)) => break Some(st),
            Ok(None) if Instant::now() >= deadline => {
                // Killing closes its pipes, so the readers finish.
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(IrrError::Spawn {
                    as_set: as_set.to_string(),
                    program: cfg.program.clone(),
                    source: e,
                });
            }
        }
    };
    let stdout = out.join().unwrap_or_default();
    let stderr = err.join().unwrap_or_default().trim().to_string();
    match status {
        None => Err(IrrError::Bgpq4Timeout {
            as_set: as_set.to_string(),
            query,
            timeout: cfg.timeout,
            stderr,
        }),
        Some(st) if !st.success() => Err(IrrError::Bgpq4Failed {
            as_set: as_set.to_string(),
            query,
            status: st.to_string(),
            stderr,
        }),
        Some(_) => Ok((stdout, stderr)),
    }
}

/// Drains the child's stdout (or stderr) on a thread, so a full pipe never
/// blocks it.
fn reader(child: &mut Child, stdout: bool) -> std::thread::JoinHandle<String> {
    let mut pipe: Box<dyn Read + Send> = if stdout {
        match child.stdout.take() {
            Some(p) => Box::new(p),
            None => Box::new(std::io::empty()),
        }
    } else {
        match child.stderr.take() {
            Some(p) => Box::new(p),
            None => Box::new(std::io::empty()),
        }
    };
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = pipe.read_to_end(&mut buf);
        String::from_utf8_lossy(&buf).into_owned()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        for ok in [
            "AS-EXAMPLE",
            "AS3333",
            "AS3333:AS-CUSTOMERS",
            "RIPE::AS-FOO",
            "as-lower_x",
        ] {
            assert!(valid_name(ok), "{ok}");
        }
        for bad in ["", "-h", "AS-X Y", "AS-X;rm", "AS-X\n", "/etc/passwd"] {
            assert!(!valid_name(bad), "{bad:?}");
        }
    }

    #[test]
    fn option_like_names_are_refused_before_running_anything() {
        let cfg = Bgpq4Config {
            program: "/nonexistent/bgpq4".into(),
            ..Default::default()
        };
        assert!(matches!(fetch(&cfg, "-h"), Err(IrrError::BadName(_))));
        let e = fetch(&cfg, "AS-EXAMPLE").unwrap_err();
        assert!(matches!(e, IrrError::Spawn { .. }), "{e}");
        assert!(e.to_string().contains("AS-EXAMPLE"), "{e}");
    }
}
