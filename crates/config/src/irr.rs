//! The `[irr]` table (how members' AS-SETs are expanded: bgpq4, IRR server,
//! cache, refresh) and the checks of a neighbor's `as_set`.

use serde::Deserialize;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Duration;
use toml::Spanned;

/// IRR settings shared by every member.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IrrSettings {
    /// The bgpq4 program.
    pub bgpq4: PathBuf,
    /// IRR server (`host` or `host:port`); bgpq4's default when `None`.
    pub host: Option<String>,
    /// IRR sources in order of preference (bgpq4 `-S`).
    pub sources: Option<String>,
    /// Where expanded sets are cached (the daemon starts from the cache).
    pub cache_dir: Option<PathBuf>,
    /// Refresh interval.
    pub refresh: Duration,
    /// Delay before retrying a failed refresh.
    pub retry: Duration,
    /// Bound on one bgpq4 run.
    pub timeout: Duration,
    /// Longest IPv4 more-specific of a route object accepted.
    pub max_len_v4: u8,
    /// Longest IPv6 more-specific of a route6 object accepted.
    pub max_len_v6: u8,
}

impl Default for IrrSettings {
    fn default() -> Self {
        IrrSettings {
            bgpq4: PathBuf::from("bgpq4"),
            host: None,
            sources: None,
            cache_dir: None,
            refresh: Duration::from_secs(6 * 3600),
            retry: Duration::from_secs(15 * 60),
            timeout: Duration::from_secs(120),
            max_len_v4: 24,
            max_len_v6: 48,
        }
    }
}

/// A duration as seconds or as a string with a unit (`"90s"`, `"15m"`, `"6h"`, `"1d"`).
#[derive(Deserialize, Clone)]
#[serde(untagged)]
pub(crate) enum RawDuration {
    Secs(i64),
    Text(String),
}

impl RawDuration {
    pub(crate) fn seconds(&self) -> Option<u64> {
        match self {
            RawDuration::Secs(n) => u64::try_from(*n).ok(),
            RawDuration::Text(t) => {
                let t = t.trim();
                let (num, unit) =
                    t.split_at(t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len()));
                let n: u64 = num.parse().ok()?;
                let mult = match unit {
                    "" | "s" => 1,
                    "m" => 60,
                    "h" => 3600,
                    "d" => 86400,
                    _ => return None,
                };
                n.checked_mul(mult)
            }
        }
    }
}

/// `[irr]` as written.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawIrr {
    #[serde(default)]
    bgpq4: Option<String>,
    #[serde(default)]
    host: Option<String>,
    #[serde(default)]
    sources: Option<String>,
    #[serde(default)]
    cache_dir: Option<String>,
    #[serde(default)]
    refresh: Option<Spanned<RawDuration>>,
    #[serde(default)]
    retry: Option<Spanned<RawDuration>>,
    #[serde(default)]
    timeout: Option<Spanned<RawDuration>>,
    #[serde(default)]
    max_len_v4: Option<Spanned<i64>>,
    #[serde(default)]
    max_len_v6: Option<Spanned<i64>>,
}

type Err<'a> = &'a mut dyn FnMut(std::ops::Range<usize>, String);

fn duration(
    v: &Option<Spanned<RawDuration>>,
    field: &str,
    min: u64,
    default: Duration,
    err: Err<'_>,
) -> Duration {
    let Some(v) = v else {
        return default;
    };
    match v.get_ref().seconds() {
        Some(s) if s >= min && s <= 30 * 86400 => Duration::from_secs(s),
        _ => {
            err(
                v.span(),
                format!("irr.{field}: not a duration of {min} s to 30 days (seconds, or \"90s\", \"15m\", \"6h\", \"1d\")"),
            );
            default
        }
    }
}

fn max_len(
    v: &Option<Spanned<i64>>,
    field: &str,
    range: std::ops::RangeInclusive<i64>,
    default: u8,
    err: Err<'_>,
) -> u8 {
    match v {
        None => default,
        Some(v) if range.contains(v.get_ref()) => *v.get_ref() as u8,
        Some(v) => {
            err(
                v.span(),
                format!(
                    "irr.{field}: {} is out of range ({} to {})",
                    v.get_ref(),
                    range.start(),
                    range.end()
                ),
            );
            default
        }
    }
}

impl RawIrr {
    pub(crate) fn build(&self, err: Err<'_>) -> IrrSettings {
        let d = IrrSettings::default();
        IrrSettings {
            bgpq4: self.bgpq4.as_ref().map_or(d.bgpq4, PathBuf::from),
            host: self.host.clone(),
            sources: self.sources.clone(),
            cache_dir: self.cache_dir.as_ref().map(PathBuf::from),
            refresh: duration(&self.refresh, "refresh", 60, d.refresh, err),
            retry: duration(&self.retry, "retry", 10, d.retry, err),
            timeout: duration(&self.timeout, "timeout", 1, d.timeout, err),
            max_len_v4: max_len(&self.max_len_v4, "max_len_v4", 8..=32, d.max_len_v4, err),
            max_len_v6: max_len(&self.max_len_v6, "max_len_v6", 16..=128, d.max_len_v6, err),
        }
    }
}

/// True when `name` is an ASN (`AS3333`) or an AS-SET as RPSL spells it
/// (`AS-EXAMPLE`, `AS3333:AS-CUSTOMERS`, `RIPE::AS-FOO`).
pub(crate) fn valid_as_set(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    let last = upper.rsplit("::").next().unwrap_or("");
    !name.is_empty()
        && name.len() <= 128
        && last.starts_with("AS")
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':' | '.'))
}

/// The `[irr]` table in canonical form.
pub(crate) fn print(s: &IrrSettings, o: &mut String) {
    let _ = writeln!(o, "\n[irr]");
    let _ = writeln!(o, "bgpq4 = {:?}", s.bgpq4.display().to_string());
    if let Some(h) = &s.host {
        let _ = writeln!(o, "host = {h:?}");
    }
    if let Some(x) = &s.sources {
        let _ = writeln!(o, "sources = {x:?}");
    }
    if let Some(c) = &s.cache_dir {
        let _ = writeln!(o, "cache_dir = {:?}", c.display().to_string());
    }
    let _ = writeln!(o, "refresh = {}", s.refresh.as_secs());
    let _ = writeln!(o, "retry = {}", s.retry.as_secs());
    let _ = writeln!(o, "timeout = {}", s.timeout.as_secs());
    let _ = writeln!(o, "max_len_v4 = {}", s.max_len_v4);
    let _ = writeln!(o, "max_len_v6 = {}", s.max_len_v6);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_names() {
        assert_eq!(RawDuration::Text("6h".into()).seconds(), Some(21600));
        assert_eq!(RawDuration::Text("15m".into()).seconds(), Some(900));
        assert_eq!(RawDuration::Secs(90).seconds(), Some(90));
        assert_eq!(RawDuration::Text("6 weeks".into()).seconds(), None);
        for ok in [
            "AS-EXAMPLE",
            "AS3333",
            "AS3333:AS-CUSTOMERS",
            "RIPE::AS-FOO",
            "as-lower",
        ] {
            assert!(valid_as_set(ok), "{ok}");
        }
        for bad in ["", "-h evil", "EXAMPLE", "AS-FOO; rm", "AS FOO"] {
            assert!(!valid_as_set(bad), "{bad}");
        }
    }
}
