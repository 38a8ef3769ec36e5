//! Codec benchmark on real UPDATE streams: condor-wire decode (with every
//! field bgpkit materialises read — every prefix, every attribute, the MP
//! next hop — since condor's accessors are lazy and bgpkit materialises
//! everything), condor-wire decode alone, condor-wire encode, and
//! bgpkit-parser decode of the same message octets. Condor is measured
//! twice: the borrowed decoder (`decode_message_ref`, allocation-free, what
//! a receive loop digesting each UPDATE in place uses) and the owned
//! `Update` (`decode_message_bytes`); both must read the same checksum.
//!
//! The messages are read from MRT files of the shared data (through
//! condor-mrt) into memory before anything is timed:
//! - `bgpdump__updates.et-header.2015.gz`: one session's full-table load,
//!   89,679 UPDATEs, 577,737 IPv4 NLRI;
//! - `dnas__rrc01.updates.20241001.0055.gz`: 93,166 UPDATEs from 155 LINX
//!   peers, IPv4 and IPv6, large communities.
//!
//! `cargo bench -p condor-wire --bench codec` runs criterion (throughput in
//! messages/s); `cargo bench -p condor-wire --bench codec -- --summary` prints
//! one line per file with messages/s, prefixes/s and the condor/bgpkit ratio;
//! `-- --profile condor|condor-only|owned|bgpkit|load` runs one decoder 50
//! times over both files (for `perf record` / `perf stat`; `load` only
//! loads, to subtract).

use bgpkit_parser::models::{AsnLength, BgpMessage};
use bytes::Bytes;
use condor_mrt::{open_path, RecordBody};
use condor_wire::{
    decode_message, decode_message_bytes, decode_message_ref, AttrsRef, Context, Message,
    MessageRef, NextHop, Nlri, Prefix,
};
use criterion::{black_box, Criterion, Throughput};
use std::path::PathBuf;
use std::time::{Duration, Instant};

const FILES: &[&str] = &[
    "bgpdump__updates.et-header.2015.gz",
    "dnas__rrc01.updates.20241001.0055.gz",
];

/// The UPDATEs of one file, ready to decode.
struct Corpus {
    name: &'static str,
    /// (message, condor context, bgpkit ADD-PATH flag, bgpkit ASN width)
    messages: Vec<(Bytes, Context, bool, AsnLength)>,
    /// Prefixes announced and withdrawn, all families.
    prefixes: u64,
    /// Condor's decode, for the encode benchmark.
    decoded: Vec<(Message, Context)>,
}

fn data_dir() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/01-mrt"
    ))
}

fn load(name: &'static str) -> Option<Corpus> {
    let path = data_dir().join(name);
    if !path.exists() {
        return None;
    }
    let mut c = Corpus {
        name,
        messages: Vec::new(),
        prefixes: 0,
        decoded: Vec::new(),
    };
    for rec in open_path(&path).ok()? {
        let Ok(rec) = rec else { continue };
        let RecordBody::Bgp4mpMessage(m) = rec.body else {
            continue;
        };
        if m.message_type() != Some(2) {
            continue;
        }
        let ctx = m.context();
        let Ok(msg @ Message::Update(_)) = decode_message(&m.message, &ctx) else {
            continue;
        };
        if let Message::Update(u) = &msg {
            c.prefixes += (u.announced().count() + u.withdrawals().count()) as u64;
        }
        let asn_len = if m.four_octet_as {
            AsnLength::Bits32
        } else {
            AsnLength::Bits16
        };
        c.messages
            .push((m.message.clone(), ctx, m.add_path, asn_len));
        c.decoded.push((msg, ctx));
    }
    Some(c)
}

/// Folds one prefix (address, length, path id) into a checksum.
fn prefix_sum(n: Nlri) -> u64 {
    let p = match n.prefix {
        Prefix::V4(a, l) => u64::from(u32::from(a)) + u64::from(l),
        Prefix::V6(a, l) => (u128::from(a) >> 64) as u64 + u64::from(l),
    };
    p + u64::from(n.path_id.unwrap_or(0))
}

/// Folds a next hop (every address in it) into a checksum.
fn next_hop_sum(n: &NextHop) -> u64 {
    match n {
        NextHop::V4(a) => u64::from(u32::from(*a)),
        NextHop::V6 { global, link_local } => {
            (u128::from(*global) as u64) + link_local.map_or(0, |l| u128::from(l) as u64)
        }
        NextHop::Other(b) => b.len() as u64,
    }
}

/// Reads every field bgpkit materialises from an attribute block.
fn touch_attrs(a: AttrsRef<'_>) -> u64 {
    let mut sum = 0u64;
    sum += a.origin().map_or(0, |o| o as u64);
    sum += a.as_path_len().map_or(0, |l| l as u64);
    a.for_each_asn(|_, asn| sum += u64::from(asn.0));
    sum += a.next_hop().map_or(0, |n| u64::from(u32::from(n)));
    sum += u64::from(a.med().unwrap_or(0)) + u64::from(a.local_pref().unwrap_or(0));
    sum += u64::from(a.atomic_aggregate());
    sum += a
        .aggregator()
        .map_or(0, |(asn, id)| u64::from(asn.0) + u64::from(u32::from(id)));
    sum += a.communities().map(|c| u64::from(c.0)).sum::<u64>();
    sum += a
        .ext_communities()
        .map(|e| u64::from_be_bytes(e.0))
        .sum::<u64>();
    sum += a
        .large_communities()
        .map(|l| u64::from(l.global) + u64::from(l.local1) + u64::from(l.local2))
        .sum::<u64>();
    sum += a.otc().map_or(0, |o| u64::from(o.0));
    sum
}

/// Decodes every message with condor's borrowed decoder (what a receive
/// loop that digests each UPDATE in place uses) and reads every field
/// bgpkit materialises: every prefix, announced and withdrawn, every
/// attribute, the MP next hop. Returns a checksum so nothing is optimised
/// away.
fn condor_decode_touch(c: &Corpus) -> u64 {
    let mut sum = 0u64;
    for (msg, ctx, _, _) in &c.messages {
        let decoded = decode_message_ref(msg, ctx);
        let Ok(MessageRef::Update(u)) = &decoded else {
            continue;
        };
        sum += u.announced().map(prefix_sum).sum::<u64>();
        sum += u.withdrawals().map(prefix_sum).sum::<u64>();
        sum += u.mp_reach().map_or(0, |r| next_hop_sum(&r.next_hop()));
        sum += touch_attrs(u.attrs());
    }
    sum
}

/// The same with the owned [`Update`] (`decode_message_bytes`: vectors of
/// prefixes, attribute block sharing the message buffer).
fn condor_owned_decode_touch(c: &Corpus) -> u64 {
    let mut sum = 0u64;
    for (msg, ctx, _, _) in &c.messages {
        let Ok(Message::Update(u)) = decode_message_bytes(msg, ctx) else {
            continue;
        };
        sum += u.announced().copied().map(prefix_sum).sum::<u64>();
        sum += u.withdrawals().copied().map(prefix_sum).sum::<u64>();
        sum += u.mp_reach.as_ref().map_or(0, |r| next_hop_sum(&r.next_hop));
        sum += touch_attrs(u.attrs.view());
    }
    sum
}

/// Decodes every message with condor's borrowed decoder, reading nothing.
fn condor_decode_only(c: &Corpus) -> u64 {
    c.messages
        .iter()
        .filter(|(msg, ctx, _, _)| decode_message_ref(msg, ctx).is_ok())
        .count() as u64
}

/// Decodes every message into an owned [`Update`], reading nothing.
fn condor_owned_decode_only(c: &Corpus) -> u64 {
    c.messages
        .iter()
        .filter(|(msg, ctx, _, _)| decode_message_bytes(msg, ctx).is_ok())
        .count() as u64
}

/// Encodes every decoded message with condor.
fn condor_encode(c: &Corpus, out: &mut Vec<u8>) -> u64 {
    let mut n = 0;
    for (m, ctx) in &c.decoded {
        out.clear();
        if m.encode(ctx, out).is_ok() {
            n += out.len() as u64;
        }
    }
    n
}

/// Decodes every message with bgpkit-parser.
fn bgpkit_decode(c: &Corpus) -> u64 {
    let mut sum = 0u64;
    for (msg, _, add_path, asn_len) in &c.messages {
        let mut data = msg.clone();
        if let Ok(BgpMessage::Update(u)) =
            bgpkit_parser::parser::bgp::parse_bgp_message(&mut data, *add_path, asn_len)
        {
            sum += (u.announced_prefixes.len() + u.withdrawn_prefixes.len()) as u64;
            sum += black_box(&u).attributes.iter().count() as u64;
        }
    }
    sum
}

fn criterion_benches(corpora: &[Corpus]) {
    let mut crit = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4))
        .configure_from_args();
    for c in corpora {
        let mut g = crit.benchmark_group(c.name);
        g.throughput(Throughput::Elements(c.messages.len() as u64));
        g.bench_function("condor_decode_touch_all", |b| {
            b.iter(|| black_box(condor_decode_touch(c)))
        });
        g.bench_function("condor_decode_only", |b| {
            b.iter(|| black_box(condor_decode_only(c)))
        });
        g.bench_function("condor_owned_decode_touch_all", |b| {
            b.iter(|| black_box(condor_owned_decode_touch(c)))
        });
        g.bench_function("condor_owned_decode_only", |b| {
            b.iter(|| black_box(condor_owned_decode_only(c)))
        });
        let mut out = Vec::with_capacity(65_536);
        g.bench_function("condor_encode", |b| {
            b.iter(|| black_box(condor_encode(c, &mut out)))
        });
        g.bench_function("bgpkit_decode", |b| b.iter(|| black_box(bgpkit_decode(c))));
        g.finish();
    }
    crit.final_summary();
}

/// Best of `rounds` timings of `f`, in seconds.
fn best_of(rounds: usize, mut f: impl FnMut() -> u64) -> f64 {
    (0..rounds)
        .map(|_| {
            let t = Instant::now();
            black_box(f());
            t.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min)
}

/// Timed runs of each decoder in the summary.
const ROUNDS: usize = 9;

fn summary(corpora: &[Corpus]) {
    for c in corpora {
        let n = c.messages.len() as f64;
        let p = c.prefixes as f64;
        // Best of ROUNDS: the machine is shared, the best run is the one
        // least disturbed.
        let touch = best_of(ROUNDS, || condor_decode_touch(c));
        let only = best_of(ROUNDS, || condor_decode_only(c));
        let owned_touch = best_of(ROUNDS, || condor_owned_decode_touch(c));
        let owned_only = best_of(ROUNDS, || condor_owned_decode_only(c));
        let mut out = Vec::with_capacity(65_536);
        let enc = best_of(ROUNDS, || condor_encode(c, &mut out));
        let bgpkit = best_of(ROUNDS, || bgpkit_decode(c));
        println!(
            "{}: {} UPDATEs, {} prefixes | condor decode+read all: {:.0} msg/s, {:.0} prefixes/s | condor decode only: {:.0} msg/s | condor owned Update decode+read all: {:.0} msg/s | condor owned decode only: {:.0} msg/s | condor encode: {:.0} msg/s | bgpkit decode: {:.0} msg/s, {:.0} prefixes/s | ratio condor/bgpkit (decode+read all): {:.2}x (owned Update: {:.2}x)",
            c.name,
            c.messages.len(),
            c.prefixes,
            n / touch,
            p / touch,
            n / only,
            n / owned_touch,
            n / owned_only,
            n / enc,
            n / bgpkit,
            p / bgpkit,
            bgpkit / touch,
            bgpkit / owned_touch
        );
    }
}

/// Runs one decoder many times over every corpus, for `perf record`.
fn profile(corpora: &[Corpus], which: &str) {
    let f: fn(&Corpus) -> u64 = match which {
        "condor" => condor_decode_touch,
        "condor-only" => condor_decode_only,
        "owned" => condor_owned_decode_touch,
        "bgpkit" => bgpkit_decode,
        // Loading alone, to subtract from the others' counts.
        "load" => |_| 0,
        other => {
            println!("--profile takes condor, condor-only, owned, bgpkit or load, not {other:?}");
            return;
        }
    };
    let mut sum = 0u64;
    for _ in 0..50 {
        for c in corpora {
            sum = sum.wrapping_add(f(c));
        }
    }
    println!("{which}: checksum {sum}");
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
    };
    // `--only SUBSTRING` keeps the files whose name contains it.
    let only = arg("--only");
    let corpora: Vec<Corpus> = FILES
        .iter()
        .filter(|f| only.is_none_or(|o| f.contains(o.as_str())))
        .filter_map(|f| load(f))
        .collect();
    if corpora.is_empty() {
        println!("SKIPPED: {} holds none of {FILES:?}", data_dir().display());
        return;
    }
    // The checksums of the two condor decoders and bgpkit must agree on the
    // prefix count, or the comparison is not like for like.
    for c in &corpora {
        let bgpkit_prefixes: u64 = c
            .messages
            .iter()
            .filter_map(|(msg, _, ap, al)| {
                match bgpkit_parser::parser::bgp::parse_bgp_message(&mut msg.clone(), *ap, al) {
                    Ok(BgpMessage::Update(u)) => Some(
                        (u.announced_prefixes.len()
                            + u.withdrawn_prefixes.len()
                            + u.attributes
                                .get_reachable_nlri()
                                .map_or(0, |n| n.prefixes.len())
                            + u.attributes
                                .get_unreachable_nlri()
                                .map_or(0, |n| n.prefixes.len())) as u64,
                    ),
                    _ => None,
                }
            })
            .sum();
        assert_eq!(
            bgpkit_prefixes, c.prefixes,
            "{}: bgpkit and condor disagree on the prefixes",
            c.name
        );
        assert_eq!(
            condor_decode_touch(c),
            condor_owned_decode_touch(c),
            "{}: the borrowed and owned decoders read different values",
            c.name
        );
    }
    if let Some(which) = arg("--profile") {
        profile(&corpora, which);
    } else if args.iter().any(|a| a == "--summary") {
        summary(&corpora);
    } else {
        criterion_benches(&corpora);
    }
}
