//! Real-data tests of the reader, writer and summary: every MRT file of the
//! shared data is read record by record and written back, which must give
//! the decompressed file octet for octet; summaries of a few files must
//! show the counts their provenance notes (shared/data/MANIFEST.md) state.

mod common;

use common::*;
use condor_mrt::{decompress, open_path, MrtWriter, Summary};
use std::io::Read;

#[test]
fn every_file_is_rewritten_octet_for_octet() {
    let Some(files) = mrt_files() else { return };
    let mut records = 0;
    for path in &files {
        let mut original = Vec::new();
        decompress(std::fs::File::open(path).expect("open"))
            .expect("decompress")
            .read_to_end(&mut original)
            .expect("read");
        let mut w = MrtWriter::new(Vec::new());
        for rec in open_path(path).expect("open") {
            let rec = rec.unwrap_or_else(|e| panic!("{}: {e}", short_name(path)));
            w.write_record(&rec)
                .unwrap_or_else(|e| panic!("{} @ {}: {e}", short_name(path), rec.offset));
            records += 1;
        }
        let written = w.into_inner().expect("flush");
        assert!(
            written == original,
            "{}: rewritten stream differs",
            short_name(path)
        );
    }
    println!(
        "{records} records of {} files rewritten identically",
        files.len()
    );
    assert!(records > 500_000);
}

fn summary(name: &str) -> Option<Summary> {
    let path = data_dir().join("01-mrt").join(name);
    if !path.exists() {
        println!("SKIPPED: {} is absent", path.display());
        return None;
    }
    Some(Summary::from_records(open_path(&path).expect("open")))
}

#[test]
fn summaries_match_the_manifest() {
    // "BGP4MP_ET: 89,686 records, 89,679 UPDATEs, 577,737 IPv4 NLRI announced, 1 peer."
    let Some(s) = summary("bgpdump__updates.et-header.2015.gz") else {
        return;
    };
    println!("{s}");
    assert_eq!(s.records, 89_686);
    assert_eq!(s.errors, 0);
    assert_eq!(s.bgp_messages.get("UPDATE"), Some(&89_679));
    assert_eq!(s.announced.get("ipv4-unicast"), Some(&577_737));
    assert_eq!(s.peers.len(), 1);

    // "94,824 records, 155 peers, 93,808 IPv4 NLRI + 76,565 IPv6 MP_REACH"
    let name = "dnas__rrc01.updates.20241001.0055.gz";
    let Some(s) = summary(name) else { return };
    println!("{s}");
    assert_eq!(s.records, 94_824);
    assert_eq!(s.announced.get("ipv4-unicast"), Some(&93_808));
    assert_eq!(s.announced.get("ipv6-unicast"), Some(&76_565));
    // The manifest's 155 are the peers that sent a BGP message; the summary
    // also counts peers seen only in state changes.
    let senders: std::collections::BTreeSet<_> = open_path(data_dir().join("01-mrt").join(name))
        .expect("open")
        .filter_map(|r| match r.ok()?.body {
            condor_mrt::RecordBody::Bgp4mpMessage(m) => Some(m.peer_ip),
            _ => None,
        })
        .collect();
    assert_eq!(senders.len(), 155);
    assert_eq!(s.peers.len(), 220);

    // "TABLE_DUMP (v1) AFI_IPv4: 115,521 entries from 36 peers"
    let Some(s) = summary("bgpdump__bview.20020722.2337.gz") else {
        return;
    };
    assert_eq!(s.rib_entries.get("ipv4-unicast"), Some(&115_521));
    assert_eq!(s.peers.len(), 36);

    // Legacy type 5 records are kept raw, counted, and are not errors.
    let Some(s) = summary("bgpkit__rrc00-updates.19990903.1041.legacy-bgp-type5.gz") else {
        return;
    };
    assert_eq!(s.errors, 0);
    assert_eq!(s.record_types.get("BGP/1"), Some(&24_216));
}
