//! Fuzz target: the path attribute block of an MRT RIB entry (TABLE_DUMP,
//! TABLE_DUMP_V2; RFC 6396 §4.2, §4.3.4), as `condor-mrt` hands it over.
//!
//! The first input byte chooses the context: bit 0 `four_octet_as`
//! (TABLE_DUMP_V2 blocks are 4-octet, TABLE_DUMP v1 blocks 2-octet), bit 1
//! `collector`. The rest is the block.
//!
//! Checked: nothing panics, whatever the block; on a block accepted without
//! RFC 7606 problems, every lazy accessor of an attribute that is present
//! answers (the decoder validated eagerly, so reading cannot fail later).

#![no_main]

use condor_wire::attr::{decode_rib_attributes, types};
use condor_wire::Context;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&flags, block)) = data.split_first() else {
        return;
    };
    let ctx = Context {
        four_octet_as: flags & 0x01 != 0,
        collector: flags & 0x02 != 0,
        ..Context::default()
    };
    let Ok(rib) = decode_rib_attributes(block, &ctx) else {
        return;
    };
    let a = &rib.attrs;
    // Walk everything, whatever the problems: must not panic.
    let walked = a.iter().count();
    let _ = (a.as_path(), a.aggregator(), a.otc(), a.originator_id());
    let _ = a.communities().count() + a.ext_communities().count() + a.large_communities().count();
    let _ = a.cluster_list().count();
    if !rib.problems.is_empty() {
        return;
    }
    assert!(
        walked <= block.len() / 3,
        "{walked} attributes in a {}-octet block",
        block.len()
    );
    if a.has(types::ORIGIN) {
        assert!(a.origin().is_some(), "ORIGIN accepted but unreadable");
    }
    if a.has(types::AS_PATH) {
        assert!(a.as_path().is_some(), "AS_PATH accepted but unreadable");
    }
    if a.has(types::NEXT_HOP) {
        assert!(a.next_hop().is_some(), "NEXT_HOP accepted but unreadable");
    }
    if a.has(types::MED) {
        assert!(a.med().is_some(), "MULTI_EXIT_DISC accepted but unreadable");
    }
    if a.has(types::LOCAL_PREF) {
        assert!(
            a.local_pref().is_some(),
            "LOCAL_PREF accepted but unreadable"
        );
    }
    if a.has(types::AGGREGATOR) {
        assert!(
            a.aggregator().is_some(),
            "AGGREGATOR accepted but unreadable"
        );
    }
});
