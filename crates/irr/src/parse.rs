//! Parsers for IRR data: the JSON that bgpq4 and bgpq3 print with `-j`
//! (prefix lists, and with `-t` origin ASN lists), and a plain text format
//! for operators. `P/L le N` means what RFC 2622 §2's range operator
//! `P/L^L-N` means; the formats themselves are bgpq's and Condor's.
//!
//! bgpq JSON: one object whose values are arrays; an array item is either
//! `{"prefix": "193.0.0.0/21", "exact": true}` (optionally with
//! `"greater-equal"` / `"less-equal"` when `exact` is false) or an ASN
//! (`3333` or `"AS3333"`).
//!
//! Plain text, one item per line, `#` starts a comment:
//! `193.0.0.0/21`, `193.0.0.0/21 le 24`, `2001:67c:2e8::/48`, `AS3333`.

use std::net::IpAddr;

use condor_wire::{Asn, Prefix};
use serde_json::Value;

use crate::set::IrrSetBuilder;

/// A parse error with the 1-based line it is on (0: unknown / whole input).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ParseError {
    pub line: usize,
    pub message: String,
}

fn err(line: usize, message: impl Into<String>) -> ParseError {
    ParseError {
        line,
        message: message.into(),
    }
}

/// Parses a prefix, refusing host bits beyond the length (a likely typo).
fn parse_prefix(s: &str) -> Result<Prefix, String> {
    let p: Prefix = s.parse().map_err(|e| format!("{e}"))?;
    let given: IpAddr = s
        .split('/')
        .next()
        .and_then(|a| a.parse().ok())
        .ok_or_else(|| format!("invalid prefix {s:?}"))?;
    if given != p.addr() {
        return Err(format!(
            "{s}: host bits set beyond the prefix length (did you mean {p}?)"
        ));
    }
    if !s.contains('/') {
        return Err(format!("{s}: missing /length"));
    }
    Ok(p)
}

fn width(p: &Prefix) -> u8 {
    if p.is_ipv4() {
        32
    } else {
        128
    }
}

fn check_range(p: &Prefix, ge: u8, le: u8) -> Result<(), String> {
    if ge < p.len() || le < ge || le > width(p) {
        return Err(format!(
            "{p}: range {ge}..{le} must lie within {}..{}",
            p.len(),
            width(p)
        ));
    }
    Ok(())
}

fn parse_asn(s: &str) -> Option<Asn> {
    let t = s.trim();
    let digits = t
        .strip_prefix("AS")
        .or_else(|| t.strip_prefix("as"))
        .or_else(|| t.strip_prefix("As"))?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok().map(Asn)
}

/// The first line of `text` holding `needle` (in plain or JSON-escaped form).
fn line_of(text: &str, needle: &str) -> usize {
    let escaped = needle.replace('/', "\\/");
    text.lines()
        .position(|l| l.contains(needle) || l.contains(&escaped))
        .map_or(0, |i| i + 1)
}

/// Parses bgpq4/bgpq3 JSON into `b`; returns (prefixes, origins) read.
pub(crate) fn parse_bgpq_json(
    text: &str,
    b: &mut IrrSetBuilder,
) -> Result<(usize, usize), ParseError> {
    let v: Value = serde_json::from_str(text).map_err(|e| err(e.line(), e.to_string()))?;
    let Value::Object(map) = v else {
        return Err(err(1, "expected a JSON object such as {\"NN\": [...]}"));
    };
    let (mut np, mut no) = (0, 0);
    for (key, list) in &map {
        let Value::Array(items) = list else {
            return Err(err(
                line_of(text, key),
                format!("{key:?}: expected an array"),
            ));
        };
        for item in items {
            match item {
                Value::Number(n) => {
                    let asn = n
                        .as_u64()
                        .and_then(|v| u32::try_from(v).ok())
                        .ok_or_else(|| {
                            err(line_of(text, &n.to_string()), format!("{n}: not an ASN"))
                        })?;
                    b.add_origin(Asn(asn));
                    no += 1;
                }
                Value::String(s) => {
                    let asn = parse_asn(s)
                        .ok_or_else(|| err(line_of(text, s), format!("{s:?}: not an ASN")))?;
                    b.add_origin(asn);
                    no += 1;
                }
                Value::Object(o) => {
                    let raw = o.get("prefix").and_then(Value::as_str).ok_or_else(|| {
                        err(0, format!("item without a \"prefix\" string: {item}"))
                    })?;
                    // Found only on error: a scan per item would be quadratic.
                    let line = || line_of(text, raw);
                    let p = parse_prefix(raw).map_err(|m| err(line(), m))?;
                    let num = |k: &str| -> Result<Option<u8>, ParseError> {
                        match o.get(k) {
                            None => Ok(None),
                            Some(v) => v
                                .as_u64()
                                .and_then(|n| u8::try_from(n).ok())
                                .map(Some)
                                .ok_or_else(|| {
                                    err(line(), format!("{raw}: {k:?} is not a length"))
                                }),
                        }
                    };
                    let exact = o.get("exact").and_then(Value::as_bool).unwrap_or(false);
                    let (ge, le) = (num("greater-equal")?, num("less-equal")?);
                    let range = if exact || (ge.is_none() && le.is_none()) {
                        None
                    } else {
                        let ge = ge.unwrap_or(p.len());
                        let le = le.unwrap_or(width(&p));
                        check_range(&p, ge, le).map_err(|m| err(line(), m))?;
                        Some((ge, le))
                    };
                    b.add_prefix(p, range);
                    np += 1;
                }
                other => return Err(err(0, format!("unexpected item {other}"))),
            }
        }
    }
    Ok((np, no))
}

/// Parses the plain text format into `b`; returns (prefixes, origins) read.
pub(crate) fn parse_text(text: &str, b: &mut IrrSetBuilder) -> Result<(usize, usize), ParseError> {
    let (mut np, mut no) = (0, 0);
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let content = raw.split('#').next().unwrap_or("").trim();
        if content.is_empty() {
            continue;
        }
        let words: Vec<&str> = content.split_whitespace().collect();
        if let Some(asn) = parse_asn(words[0]) {
            if words.len() > 1 {
                return Err(err(
                    line,
                    format!("unexpected {:?} after {}", words[1], words[0]),
                ));
            }
            b.add_origin(asn);
            no += 1;
            continue;
        }
        let p = parse_prefix(words[0])
            .map_err(|m| err(line, format!("expected a prefix or an ASN (AS123): {m}")))?;
        let range = match words[1..] {
            [] => None,
            ["le", n] => {
                let le: u8 = n
                    .parse()
                    .map_err(|_| err(line, format!("le {n:?}: not a length")))?;
                check_range(&p, p.len(), le).map_err(|m| err(line, m))?;
                Some((p.len(), le))
            }
            _ => {
                return Err(err(
                    line,
                    format!("expected `{p}` or `{p} le N`, found {content:?}"),
                ))
            }
        };
        b.add_prefix(p, range);
        np += 1;
    }
    Ok((np, no))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::set::{IrrSource, MaxLen};
    use std::time::SystemTime;

    fn build(f: impl FnOnce(&mut IrrSetBuilder)) -> crate::IrrSet {
        let mut b = IrrSetBuilder::new(MaxLen::default());
        f(&mut b);
        b.build(
            "T",
            IrrSource::File { path: "t".into() },
            SystemTime::UNIX_EPOCH,
        )
    }

    fn p(s: &str) -> Prefix {
        s.parse().unwrap()
    }

    #[test]
    fn bgpq4_json_prefixes_ranges_and_origins() {
        let text = r#"{ "NN": [
    { "prefix": "193.0.0.0\/20", "exact": false, "less-equal": 24 },
    { "prefix": "193.0.12.0\/25", "exact": true },
    { "prefix": "10.0.0.0\/8", "exact": false, "greater-equal": 16, "less-equal": 16 }
] }"#;
        let s = build(|b| assert_eq!(parse_bgpq_json(text, b).unwrap(), (3, 0)));
        assert!(s.check_prefix(&p("193.0.15.0/24")));
        assert!(s.check_prefix(&p("193.0.12.0/25")));
        assert!(!s.check_prefix(&p("193.0.12.0/26")));
        assert!(s.check_prefix(&p("10.9.0.0/16")));
        assert!(!s.check_prefix(&p("10.0.0.0/8")));
        let s = build(|b| {
            assert_eq!(
                parse_bgpq_json("{\"NN\": [\n  2128,3333\n]}", b).unwrap(),
                (0, 2)
            )
        });
        assert_eq!(s.origins(), &[Asn(2128), Asn(3333)]);
    }

    #[test]
    fn bgpq_json_errors_carry_the_line() {
        let mut b = IrrSetBuilder::new(MaxLen::default());
        let text = "{ \"NN\": [\n { \"prefix\": \"193.0.0.0\\/20\", \"exact\": true },\n { \"prefix\": \"193.0.0.1\\/20\", \"exact\": true }\n] }";
        let e = parse_bgpq_json(text, &mut b).unwrap_err();
        assert_eq!(e.line, 3, "{e:?}");
        assert!(e.message.contains("host bits"), "{e:?}");
        let e = parse_bgpq_json("{ \"NN\": [\n 1,\n", &mut b).unwrap_err();
        assert!(e.line >= 2, "{e:?}");
        let e = parse_bgpq_json("[1, 2]", &mut b).unwrap_err();
        assert!(e.message.contains("object"), "{e:?}");
        let text =
            "{\"NN\": [\n{\"prefix\": \"193.0.0.0/20\", \"exact\": false, \"less-equal\": 33}]}";
        let e = parse_bgpq_json(text, &mut b).unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.message.contains("range"), "{e:?}");
    }

    #[test]
    fn text_format_with_comments_ranges_and_origins() {
        let text = "# AS-EXAMPLE, operator supplied\n\
                    193.0.0.0/21          # main block\n\
                    193.0.12.0/24 le 24\n\
                    \n\
                    2001:67c:2e8::/48 le 64\n\
                    AS3333\n\
                    as2128  # lower case\n";
        let s = build(|b| assert_eq!(parse_text(text, b).unwrap(), (3, 2)));
        assert!(s.check_prefix(&p("193.0.1.0/24")));
        assert!(!s.check_prefix(&p("193.0.12.0/25")));
        assert!(s.check_prefix(&p("2001:67c:2e8:ff00::/56")));
        assert!(s.check_prefix(&p("2001:67c:2e8::/64")));
        assert!(!s.check_prefix(&p("2001:67c:2e8::/65")));
        assert_eq!(s.origins(), &[Asn(2128), Asn(3333)]);
    }

    #[test]
    fn text_format_errors_name_the_line() {
        let cases = [
            ("193.0.0.0/21\nbogus\n", 2, "expected a prefix or an ASN"),
            ("# c\n\n193.0.0.0/21 le 20\n", 3, "range"),
            ("193.0.0.0/21 le x\n", 1, "not a length"),
            ("193.0.0.0/21 ge 22\n", 1, "le N"),
            ("AS3333 AS2128\n", 1, "unexpected"),
            ("10.1.2.3/8\n", 1, "host bits"),
            ("10.0.0.0\n", 1, "missing /length"),
            ("ASX\n", 1, "expected a prefix or an ASN"),
        ];
        for (text, line, what) in cases {
            let mut b = IrrSetBuilder::new(MaxLen::default());
            let e = parse_text(text, &mut b).unwrap_err();
            assert_eq!(e.line, line, "{text:?}: {e:?}");
            assert!(e.message.contains(what), "{text:?}: {e:?}");
        }
    }

    #[test]
    fn hundred_thousand_items_parse_in_linear_time() {
        let mut json = String::from("{ \"NN\": [\n");
        let mut text = String::new();
        for i in 0..100_000u32 {
            let (a, b, c) = (20 + i / 65536, (i / 256) % 256, i % 256);
            json.push_str(&format!(
                "  {{ \"prefix\": \"{a}.{b}.{c}.0\\/24\", \"exact\": true }},\n"
            ));
            text.push_str(&format!("{a}.{b}.{c}.0/24\n"));
        }
        json.push_str("  3333\n] }\n");
        let t = std::time::Instant::now();
        let s = build(|b| assert_eq!(parse_bgpq_json(&json, b).unwrap(), (100_000, 1)));
        let j = t.elapsed();
        assert_eq!(s.counts().v4, 100_000);
        let t = std::time::Instant::now();
        let s = build(|b| assert_eq!(parse_text(&text, b).unwrap(), (100_000, 0)));
        let x = t.elapsed();
        assert!(s.check_prefix(&p("21.134.159.0/24")));
        eprintln!("100k items: JSON {j:?}, text {x:?}");
        let bound = std::time::Duration::from_secs(10);
        assert!(j < bound && x < bound, "JSON {j:?}, text {x:?}");
    }
}
