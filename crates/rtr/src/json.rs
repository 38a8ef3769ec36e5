//! Loads VRPs and ASPA records from the JSON files that RPKI validators write:
//! rpki-client (`roas`, `aspas` with `customer_asid`, or the older
//! `provider_authorizations` by family), Routinator (`roas`, `aspas` with
//! `customer`), GoRTR/StayRTR/OctoRPKI (`roas` with `"AS123"` or `123`).
//! Entries whose `expires` (Unix seconds) lies in the past are skipped, as the
//! validators would no longer serve them. Router keys and metadata are ignored.

use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use condor_wire::{Asn, Prefix};
use serde_json::Value;

use crate::error::LoadError;
use crate::model::{Aspa, Vrp};
use crate::snapshot::RpkiSnapshot;

/// Reads and parses a VRP/ASPA JSON file, skipping entries expired now.
/// Any malformed entry fails the whole file.
pub fn load_file(path: impl AsRef<Path>) -> Result<RpkiSnapshot, LoadError> {
    let path = path.as_ref();
    parse_json(&read(path)?, path, unix_now())
}

/// Like [`load_file`], but a malformed entry is skipped and reported instead
/// of failing the file (as a validator drops an invalid ROA). Errors about
/// the file as a whole (I/O, syntax, no `roas`) still fail.
pub fn load_file_lenient(
    path: impl AsRef<Path>,
) -> Result<(RpkiSnapshot, Vec<LoadError>), LoadError> {
    let path = path.as_ref();
    let mut skipped = Vec::new();
    let snap = parse(&read(path)?, path, unix_now(), Some(&mut skipped))?;
    Ok((snap, skipped))
}

fn read(path: &Path) -> Result<Vec<u8>, LoadError> {
    std::fs::read(path).map_err(|source| LoadError::Io {
        file: path.to_path_buf(),
        source,
    })
}

/// Seconds since the Unix epoch.
pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Parses the JSON text of a VRP/ASPA file; `file` only names it in errors;
/// entries with `expires` < `now` (Unix seconds) are skipped.
pub fn parse_json(bytes: &[u8], file: &Path, now: u64) -> Result<RpkiSnapshot, LoadError> {
    parse(bytes, file, now, None)
}

/// With `skipped`, bad entries go there instead of failing the parse.
fn parse(
    bytes: &[u8],
    file: &Path,
    now: u64,
    mut skipped: Option<&mut Vec<LoadError>>,
) -> Result<RpkiSnapshot, LoadError> {
    let doc: Value = serde_json::from_slice(bytes).map_err(|source| LoadError::Syntax {
        file: file.to_path_buf(),
        source,
    })?;
    let Some(roas) = doc.get("roas").and_then(Value::as_array) else {
        return Err(LoadError::Format {
            file: file.to_path_buf(),
            reason: "no top-level \"roas\" array".into(),
        });
    };
    let entry_err = |section: &str, index: usize, reason: String| LoadError::Entry {
        file: file.to_path_buf(),
        section: section.to_string(),
        index,
        reason,
    };
    let mut vrps = Vec::with_capacity(roas.len());
    for (i, roa) in roas.iter().enumerate() {
        if expired(roa, now) {
            continue;
        }
        match parse_roa(roa) {
            Ok(v) => vrps.push(v),
            Err(r) => bad(&mut skipped, entry_err("roas", i, r))?,
        }
    }
    let mut aspas = Vec::new();
    if let Some(list) = doc.get("aspas") {
        let list = list
            .as_array()
            .ok_or_else(|| entry_err("aspas", 0, "\"aspas\" is not an array".into()))?;
        for (i, a) in list.iter().enumerate() {
            if expired(a, now) {
                continue;
            }
            match parse_aspa(a) {
                Ok(v) => aspas.push(v),
                Err(r) => bad(&mut skipped, entry_err("aspas", i, r))?,
            }
        }
    }
    if let Some(pa) = doc.get("provider_authorizations") {
        for family in ["ipv4", "ipv6"] {
            let section = format!("provider_authorizations.{family}");
            let Some(list) = pa.get(family) else { continue };
            let list = list
                .as_array()
                .ok_or_else(|| entry_err(&section, 0, "not an array".into()))?;
            for (i, a) in list.iter().enumerate() {
                if expired(a, now) {
                    continue;
                }
                match parse_aspa(a) {
                    Ok(v) => aspas.push(v),
                    Err(r) => bad(&mut skipped, entry_err(&section, i, r))?,
                }
            }
        }
    }
    Ok(RpkiSnapshot::new(vrps, aspas))
}

/// Records a bad entry when skipping, else fails with it.
fn bad(skipped: &mut Option<&mut Vec<LoadError>>, e: LoadError) -> Result<(), LoadError> {
    match skipped {
        Some(list) => {
            list.push(e);
            Ok(())
        }
        None => Err(e),
    }
}

fn expired(entry: &Value, now: u64) -> bool {
    entry
        .get("expires")
        .and_then(Value::as_u64)
        .is_some_and(|e| e < now)
}

fn parse_roa(v: &Value) -> Result<Vrp, String> {
    let text = v
        .get("prefix")
        .and_then(Value::as_str)
        .ok_or("missing or non-text \"prefix\"")?;
    let (addr, _) = text
        .split_once('/')
        .ok_or_else(|| format!("prefix {text:?} has no length"))?;
    let prefix: Prefix = text.parse().map_err(|e| format!("{e}"))?;
    if addr.parse().ok() != Some(prefix.addr()) {
        return Err(format!("prefix {text:?} has host bits set"));
    }
    let width = if prefix.is_ipv4() { 32 } else { 128 };
    let max_len = match v.get("maxLength") {
        None | Some(Value::Null) => prefix.len(),
        Some(m) => m
            .as_u64()
            .filter(|&m| m <= width)
            .ok_or_else(|| format!("bad \"maxLength\" {m}"))? as u8,
    };
    if max_len < prefix.len() {
        return Err(format!(
            "maxLength {max_len} is shorter than prefix {prefix}"
        ));
    }
    let asn = parse_asn(v.get("asn").ok_or("missing \"asn\"")?)?;
    Ok(Vrp {
        prefix,
        max_len,
        asn,
    })
}

fn parse_aspa(v: &Value) -> Result<Aspa, String> {
    let customer = v
        .get("customer")
        .or_else(|| v.get("customer_asid"))
        .ok_or("missing \"customer\"/\"customer_asid\"")?;
    let customer = parse_asn(customer)?;
    let providers = v
        .get("providers")
        .ok_or("missing \"providers\"")?
        .as_array()
        .ok_or("\"providers\" is not an array")?
        .iter()
        .map(parse_asn)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Aspa::new(customer, providers))
}

/// `123`, `"123"`, `"AS123"` (any case).
fn parse_asn(v: &Value) -> Result<Asn, String> {
    match v {
        Value::Number(n) => n
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .map(Asn)
            .ok_or_else(|| format!("bad AS number {n}")),
        Value::String(s) => {
            let t = s
                .strip_prefix("AS")
                .or_else(|| s.strip_prefix("as"))
                .unwrap_or(s);
            t.parse::<u32>()
                .map(Asn)
                .map_err(|_| format!("bad AS number {s:?}"))
        }
        other => Err(format!("bad AS number {other}")),
    }
}
