//! Operator-supplied IRR files: bgpq4/bgpq3 JSON (`-j` output, detected by
//! a leading `{`) or the plain text format of [`crate::parse`]. Errors
//! name the file and line. The data stands for RPSL route/route6 objects
//! and AS-SET members (RFC 2622 §4, §5.1; RFC 4012 §3).

use std::path::Path;
use std::time::SystemTime;

use crate::error::IrrError;
use crate::parse::{parse_bgpq_json, parse_text};
use crate::set::{IrrSet, IrrSetBuilder, IrrSource, MaxLen};

/// Reads `path` into a set called `name`; `fetched_at` is the file's
/// modification time. A file without any prefix or ASN is an error.
pub fn load_file(path: &Path, name: &str, max_len: MaxLen) -> Result<IrrSet, IrrError> {
    let read_err = |source| IrrError::FileRead {
        path: path.to_path_buf(),
        source,
    };
    let text = std::fs::read_to_string(path).map_err(read_err)?;
    let fetched_at = std::fs::metadata(path)
        .and_then(|m| m.modified())
        .unwrap_or_else(|_| SystemTime::now());
    let mut b = IrrSetBuilder::new(max_len);
    let parsed = if text.trim_start().starts_with('{') {
        parse_bgpq_json(&text, &mut b)
    } else {
        parse_text(&text, &mut b)
    };
    let (np, no) = parsed.map_err(|e| IrrError::FileParse {
        path: path.to_path_buf(),
        line: e.line,
        message: e.message,
    })?;
    if np + no == 0 {
        return Err(IrrError::FileParse {
            path: path.to_path_buf(),
            line: 0,
            message: "no prefix and no ASN in the file".to_string(),
        });
    }
    let source = IrrSource::File {
        path: path.to_path_buf(),
    };
    Ok(b.build(name, source, fetched_at))
}

#[cfg(test)]
mod tests {
    use super::*;
    use condor_wire::{Asn, Prefix};

    #[test]
    fn text_and_json_files_and_their_errors() {
        let dir = tempfile::tempdir().unwrap();
        let t = dir.path().join("as-example.txt");
        std::fs::write(&t, "# AS-EXAMPLE\n193.0.0.0/21\nAS3333\n").unwrap();
        let s = load_file(&t, "AS-EXAMPLE", MaxLen::default()).unwrap();
        assert!(s.check_prefix(&"193.0.1.0/24".parse::<Prefix>().unwrap()));
        assert!(s.check_origin(Asn(3333)));
        assert_eq!(s.source(), &IrrSource::File { path: t.clone() });

        let j = dir.path().join("as-example.json");
        std::fs::write(
            &j,
            "{ \"NN\": [\n  { \"prefix\": \"2001:67c:2e8::\\/48\", \"exact\": true }\n] }\n",
        )
        .unwrap();
        let s = load_file(&j, "AS-EXAMPLE", MaxLen::default()).unwrap();
        assert_eq!(s.counts().v6, 1);

        std::fs::write(&t, "193.0.0.0/21\n193.0.0.0/33\n").unwrap();
        let e = load_file(&t, "AS-EXAMPLE", MaxLen::default()).unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains("as-example.txt:2:"), "{msg}");

        std::fs::write(&t, "# nothing\n").unwrap();
        let e = load_file(&t, "AS-EXAMPLE", MaxLen::default()).unwrap_err();
        assert!(e.to_string().contains("no prefix"), "{e}");

        let e = load_file(&dir.path().join("missing"), "X", MaxLen::default()).unwrap_err();
        assert!(matches!(e, IrrError::FileRead { .. }), "{e}");
        assert!(e.to_string().contains("missing"), "{e}");
    }
}
