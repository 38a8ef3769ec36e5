//! The `[rpki]` table: where RPKI data come from (RTR caches, a JSON file)
//! and how long they are kept when every cache is lost. What is done with
//! the validation results is in `[filters]` (`rpki`, `aspa`).

use crate::irr::RawDuration;
use serde::Deserialize;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Duration;
use toml::Spanned;

/// One RTR cache.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RtrCache {
    /// `host:port`.
    pub address: String,
    /// Lower is preferred (RFC 8210 §10).
    pub preference: u8,
}

/// RPKI data sources.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RpkiSettings {
    /// RTR caches (RFC 8210), in preference order.
    pub caches: Vec<RtrCache>,
    /// A JSON file (rpki-client, Routinator, StayRTR formats; VRPs and/or ASPA).
    pub file: Option<PathBuf>,
    /// How often the file is checked for changes.
    pub file_poll: Duration,
    /// How long the last set is kept when every cache is lost.
    pub expiry: Duration,
    /// First RTR version offered (the client falls back to what the cache speaks).
    pub rtr_version: u8,
    /// Upper bound on the wait before reconnecting to a cache.
    pub reconnect_max: Duration,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCache {
    address: Spanned<String>,
    #[serde(default)]
    preference: Option<Spanned<i64>>,
}

/// `[rpki]` as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRpki {
    #[serde(default)]
    cache: Vec<RawCache>,
    #[serde(default)]
    file: Option<String>,
    #[serde(default)]
    file_poll: Option<Spanned<RawDuration>>,
    #[serde(default)]
    expiry: Option<Spanned<RawDuration>>,
    #[serde(default)]
    rtr_version: Option<Spanned<i64>>,
    #[serde(default)]
    reconnect_max: Option<Spanned<RawDuration>>,
}

type Err<'a> = &'a mut dyn FnMut(std::ops::Range<usize>, String);

fn duration(
    v: &Option<Spanned<RawDuration>>,
    field: &str,
    min: u64,
    max: u64,
    default: u64,
    err: Err<'_>,
) -> Duration {
    let Some(v) = v else {
        return Duration::from_secs(default);
    };
    match v.get_ref().seconds() {
        Some(s) if (min..=max).contains(&s) => Duration::from_secs(s),
        _ => {
            err(
                v.span(),
                format!("rpki.{field}: not a duration of {min} to {max} seconds"),
            );
            Duration::from_secs(default)
        }
    }
}

impl RawRpki {
    pub(crate) fn build(&self, err: Err<'_>) -> RpkiSettings {
        let mut caches = Vec::new();
        for (i, c) in self.cache.iter().enumerate() {
            let a = c.address.get_ref();
            let ok = a
                .rsplit_once(':')
                .is_some_and(|(h, p)| !h.is_empty() && p.parse::<u16>().is_ok_and(|p| p > 0));
            if !ok {
                err(
                    c.address.span(),
                    format!("rpki.cache[{i}].address: {a:?} is not host:port"),
                );
            }
            let preference = match &c.preference {
                None => 1,
                Some(p) if (0..=255).contains(p.get_ref()) => *p.get_ref() as u8,
                Some(p) => {
                    err(
                        p.span(),
                        format!(
                            "rpki.cache[{i}].preference: {} is out of range (0 to 255)",
                            p.get_ref()
                        ),
                    );
                    1
                }
            };
            caches.push(RtrCache {
                address: a.clone(),
                preference,
            });
        }
        let rtr_version = match &self.rtr_version {
            None => 1,
            Some(v) if (0..=2).contains(v.get_ref()) => *v.get_ref() as u8,
            Some(v) => {
                err(
                    v.span(),
                    format!("rpki.rtr_version: {} is not 0, 1 or 2", v.get_ref()),
                );
                1
            }
        };
        RpkiSettings {
            caches,
            file: self.file.as_ref().map(PathBuf::from),
            file_poll: duration(&self.file_poll, "file_poll", 1, 3600, 5, err),
            expiry: duration(&self.expiry, "expiry", 60, 7 * 86400, 7200, err),
            rtr_version,
            reconnect_max: duration(&self.reconnect_max, "reconnect_max", 1, 3600, 60, err),
        }
    }
}

/// The `[rpki]` table in canonical form.
pub(crate) fn print(s: &RpkiSettings, o: &mut String) {
    let _ = writeln!(o, "\n[rpki]");
    if let Some(f) = &s.file {
        let _ = writeln!(o, "file = {:?}", f.display().to_string());
    }
    let _ = writeln!(o, "file_poll = {}", s.file_poll.as_secs());
    let _ = writeln!(o, "expiry = {}", s.expiry.as_secs());
    let _ = writeln!(o, "rtr_version = {}", s.rtr_version);
    let _ = writeln!(o, "reconnect_max = {}", s.reconnect_max.as_secs());
    for c in &s.caches {
        let _ = writeln!(
            o,
            "\n[[rpki.cache]]\naddress = {:?}\npreference = {}",
            c.address, c.preference
        );
    }
}
