//! Codec benchmark on real UPDATE streams: condor-wire decode (with every
//! field policy reads touched, since condor's accessors are lazy and bgpkit
//! materialises everything), condor-wire decode alone, condor-wire encode,
//! and bgpkit-parser decode of the same message octets.
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
//! one line per file with messages/s, prefixes/s and the condor/bgpkit ratio.

use bgpkit_parser::models::{AsnLength, BgpMessage};
use bytes::Bytes;
use condor_mrt::{open_path, RecordBody};
use condor_wire::{decode_message, decode_message_bytes, Context, Message};
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

/// Decodes every message with condor and reads every field bgpkit
/// materialises; returns a checksum so nothing is optimised away.
fn condor_decode_touch(c: &Corpus) -> u64 {
    let mut sum = 0u64;
    for (msg, ctx, _, _) in &c.messages {
        let Ok(Message::Update(u)) = decode_message_bytes(msg, ctx) else {
            continue;
        };
        sum += u.announced().count() as u64 + u.withdrawals().count() as u64;
        let a = &u.attrs;
        sum += a.origin().map_or(0, |o| o as u64);
        sum += a.as_path_len().map_or(0, |l| l as u64);
        a.for_each_asn(|_, asn| sum += u64::from(asn.0));
        sum += a.next_hop().map_or(0, |n| u32::from(n) as u64);
        sum += u
            .mp_reach
            .as_ref()
            .map_or(0, |r| r.next_hop.encoded_len() as u64);
        sum += u64::from(a.med().unwrap_or(0)) + u64::from(a.local_pref().unwrap_or(0));
        sum += u64::from(a.atomic_aggregate());
        sum += a.aggregator().map_or(0, |(asn, _)| u64::from(asn.0));
        sum += a.communities().map(|c| u64::from(c.0)).sum::<u64>();
        sum += a.ext_communities().count() as u64;
        sum += a
            .large_communities()
            .map(|l| u64::from(l.local2))
            .sum::<u64>();
        sum += a.otc().map_or(0, |o| u64::from(o.0));
    }
    sum
}

/// Decodes every message with condor, reading nothing.
fn condor_decode_only(c: &Corpus) -> u64 {
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

fn summary(corpora: &[Corpus]) {
    for c in corpora {
        let n = c.messages.len() as f64;
        let p = c.prefixes as f64;
        let touch = best_of(5, || condor_decode_touch(c));
        let only = best_of(5, || condor_decode_only(c));
        let mut out = Vec::with_capacity(65_536);
        let enc = best_of(5, || condor_encode(c, &mut out));
        let bgpkit = best_of(5, || bgpkit_decode(c));
        println!(
            "{}: {} UPDATEs, {} prefixes | condor decode+read all: {:.0} msg/s, {:.0} prefixes/s | condor decode only: {:.0} msg/s | condor encode: {:.0} msg/s | bgpkit decode: {:.0} msg/s, {:.0} prefixes/s | ratio condor/bgpkit (decode+read all): {:.2}x",
            c.name,
            c.messages.len(),
            c.prefixes,
            n / touch,
            p / touch,
            n / only,
            n / enc,
            n / bgpkit,
            p / bgpkit,
            bgpkit / touch
        );
    }
}

fn main() {
    let corpora: Vec<Corpus> = FILES.iter().filter_map(|f| load(f)).collect();
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
    }
    if std::env::args().any(|a| a == "--summary") {
        summary(&corpora);
    } else {
        criterion_benches(&corpora);
    }
}
