//! Every file of the shared RPKI data folder either loads with the expected
//! content or fails with the expected error, naming the file (and the entry).

use std::path::{Path, PathBuf};

use condor_rtr::{load_file, load_file_lenient, parse_json, LoadError, RovState, RpkiSnapshot};
use condor_wire::{Asn, Prefix};

fn dir() -> Option<PathBuf> {
    let d = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/04-rpki-vrps"
    ));
    if d.is_dir() {
        Some(d)
    } else {
        eprintln!(
            "skipped: {} is absent (shared data not checked out)",
            d.display()
        );
        None
    }
}

/// What a file must give: Ok(VRPs, ASPA customers), or the error kind.
#[derive(Debug)]
enum Want {
    Ok(usize, usize),
    Syntax,
    Format,
    Entry(&'static str, usize),
}

fn expected(name: &str) -> Want {
    use Want::*;
    match name {
        "arouteserver__rpki_aspas_invalid.json" => Entry("aspas", 1),
        "arouteserver__rpki_aspas_ntt.json" => Ok(1, 2), // AS666's ASPA expired
        "arouteserver__rpki_aspas_ripe.json" => Ok(1, 4),
        "arouteserver__rpki_roas_octorpki-validity.json" => Ok(1, 0),
        "arouteserver__rpki_roas_rpki-client_expired.json" => Ok(0, 0),
        "arouteserver__scenario-global-ripe-rpki-cache.json" => Ok(14, 0),
        "gortr__test.rpki.json" => Ok(2, 0),
        // AS26695's maxLength 64 on an IPv4 prefix.
        "manrs-ixp__roa_test.json" => Entry("roas", 2),
        "routinator-output__111.csv"
        | "routinator-output__111.csvext"
        | "routinator-output__111.openbgpd"
        | "routinator-output__111.summary" => Syntax,
        "routinator-output__111.json" | "routinator-output__111.jsonext" => Ok(1, 1),
        "rtrtr__vrps-metadata.json" | "rtrtr__vrps.json" => Ok(2, 0),
        "rtrtr__vrps.rpki-client.json" | "stayrtr__smalltest.rpki.json" => Ok(0, 0), // expired
        "stayrtr__test.rpki.json" => Ok(19, 2),
        // SLURM files and validator input: not VRP sets.
        _ => Format,
    }
}

#[test]
fn every_file_in_the_data_folder() {
    let Some(dir) = dir() else { return };
    let mut checked = 0;
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .expect("test input")
        .map(|e| e.expect("test input").path())
        .collect();
    entries.sort();
    for path in entries {
        let name = path
            .file_name()
            .expect("test input")
            .to_str()
            .expect("test input")
            .to_string();
        if name.ends_with(".txt") || name.ends_with(".md") {
            continue; // licence texts
        }
        let got = load_file(&path);
        let want = expected(&name);
        match (&want, &got) {
            (Want::Ok(v, a), Ok(s)) => {
                assert_eq!((s.vrps().len(), s.aspas().len()), (*v, *a), "{name}");
            }
            (Want::Syntax, Err(LoadError::Syntax { file, .. }))
            | (Want::Format, Err(LoadError::Format { file, .. })) => assert_eq!(file, &path),
            (
                Want::Entry(sec, idx),
                Err(
                    e @ LoadError::Entry {
                        file,
                        section,
                        index,
                        ..
                    },
                ),
            ) => {
                assert_eq!(
                    (section.as_str(), *index, file),
                    (*sec, *idx, &path),
                    "{name}"
                );
                let text = e.to_string();
                assert!(
                    text.contains(&name) && text.contains(&format!("{sec}[{idx}]")),
                    "{text}"
                );
            }
            _ => panic!("{name}: want {want:?}, got {got:?}"),
        }
        checked += 1;
    }
    assert!(checked >= 25, "only {checked} files checked");
}

#[test]
fn content_of_dialects() {
    let Some(dir) = dir() else { return };
    let p = |s: &str| s.parse::<Prefix>().expect("test input");
    // StayRTR/rpki-client: numeric ASNs, ASPA by family merged per customer.
    let s = load_file(dir.join("stayrtr__test.rpki.json")).expect("test input");
    assert_eq!(s.rov(&p("2800:38::/48"), Some(Asn(27808))), RovState::Valid);
    assert_eq!(s.rov(&p("1.0.4.0/24"), Some(Asn(38803))), RovState::Valid);
    assert_eq!(s.rov(&p("1.0.4.0/23"), Some(Asn(38803))), RovState::Invalid);
    assert_eq!(
        s.providers(Asn(15562)).expect("test input"),
        &[Asn(2914), Asn(8283), Asn(51088), Asn(206238)]
    );
    // Routinator: "AS" strings, "customer", empty provider set kept.
    let s = load_file(dir.join("arouteserver__rpki_aspas_ripe.json")).expect("test input");
    assert_eq!(s.providers(Asn(3335)), Some(&[][..]));
    assert_eq!(s.providers(Asn(3334)), Some(&[Asn(1103)][..]));
    // GoRTR: "AS65000".
    let s = load_file(dir.join("gortr__test.rpki.json")).expect("test input");
    assert_eq!(s.rov(&p("10.0.0.0/26"), Some(Asn(65000))), RovState::Valid);
    // Expired entries count when the clock says they are not yet expired.
    let bytes = std::fs::read(dir.join("stayrtr__smalltest.rpki.json")).expect("test input");
    let s = parse_json(&bytes, Path::new("smalltest"), 0).expect("test input");
    assert_eq!(s.vrps().len(), 2);
    let s = parse_json(&bytes, Path::new("smalltest"), 1627570000).expect("test input");
    assert_eq!(
        s.vrps().len(),
        1,
        "one expires at 1627568318, the other later"
    );
}

fn parse(text: &str) -> Result<RpkiSnapshot, LoadError> {
    parse_json(text.as_bytes(), Path::new("inline.json"), 0)
}

#[test]
fn bad_entries_are_named() {
    let cases = [
        (
            r#"{"roas":[{"prefix":"10.0.0.0/8","maxLength":8,"asn":1},{"prefix":"10.0.0.1/8","maxLength":8,"asn":1}]}"#,
            "roas[1]",
            "host bits",
        ),
        (
            r#"{"roas":[{"prefix":"10.0.0.0/16","maxLength":8,"asn":1}]}"#,
            "roas[0]",
            "shorter",
        ),
        (
            r#"{"roas":[{"prefix":"10.0.0.0/16","maxLength":16,"asn":"AS4294967296"}]}"#,
            "roas[0]",
            "AS number",
        ),
        (
            r#"{"roas":[{"prefix":"10.0.0.0","maxLength":16,"asn":1}]}"#,
            "roas[0]",
            "no length",
        ),
        (
            r#"{"roas":[{"maxLength":16,"asn":1}]}"#,
            "roas[0]",
            "prefix",
        ),
        (
            r#"{"roas":[],"aspas":[{"customer":1,"providers":"AS2"}]}"#,
            "aspas[0]",
            "not an array",
        ),
    ];
    for (text, at, what) in cases {
        let e = parse(text).unwrap_err().to_string();
        assert!(
            e.starts_with("inline.json: ") && e.contains(at) && e.contains(what),
            "{e}"
        );
    }
    // maxLength absent: the prefix length.
    let s = parse(r#"{"roas":[{"prefix":"2001:DB8::/32","asn":"as7"}]}"#).expect("test input");
    assert_eq!(s.vrps()[0].max_len, 32);
}

#[test]
fn lenient_loading_skips_and_reports_bad_entries() {
    let Some(dir) = dir() else { return };
    let p = |s: &str| s.parse::<Prefix>().expect("prefix");
    // The MANRS IXP test set pairs with the NL-IX route-server MRT; its
    // 185.186.11.0/24 entry has maxLength 64 on an IPv4 prefix.
    let (s, skipped) = load_file_lenient(dir.join("manrs-ixp__roa_test.json")).expect("lenient");
    assert_eq!(s.vrps().len(), 5);
    assert_eq!(skipped.len(), 1);
    assert!(skipped[0].to_string().contains("roas[2]"), "{}", skipped[0]);
    assert_eq!(
        s.rov(&p("185.186.79.0/24"), Some(Asn(64496))),
        RovState::Valid
    );
    assert_eq!(
        s.rov(&p("185.186.79.0/25"), Some(Asn(64497))),
        RovState::Invalid
    );
    assert_eq!(
        s.rov(&p("185.186.11.0/24"), Some(Asn(26695))),
        RovState::NotFound
    );
    assert_eq!(
        s.rov(&p("192.0.2.0/24"), Some(Asn(64496))),
        RovState::Invalid
    ); // AS0
       // The malformed ASPA file keeps its one good record.
    let (s, skipped) =
        load_file_lenient(dir.join("arouteserver__rpki_aspas_invalid.json")).expect("lenient");
    assert_eq!(s.aspas().len(), 1);
    assert_eq!(s.providers(Asn(43)), Some(&[Asn(293)][..]));
    assert_eq!(skipped.len(), 5);
    // File-level problems still fail.
    assert!(matches!(
        load_file_lenient(dir.join("stayrtr__test.slurm.json")),
        Err(LoadError::Format { .. })
    ));
}
