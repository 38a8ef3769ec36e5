//! A member that stops reading must not hold back the others or make the
//! daemon buffer without bound; its hold timer decides its fate.
//!
//! ```text
//!   AS64501 127.0.0.2 (announces 100k) ──┐
//!   AS64502 127.0.0.3 (announces 100k) ──┤
//!   AS64503 127.0.0.4 (reads)          ──┼── condor AS64115 127.0.0.1:port
//!   AS64505 127.0.0.5 (slow, hold 3 s) ──┤
//!   AS64506 127.0.0.6 (slow, hold 3 s) ──┘
//! ```
//!
//! The slow members complete the handshake and then neither read nor send
//! (no KEEPALIVE either). The others announce 200,000 prefixes in 50,000
//! UPDATEs (4 prefixes per attribute set, so the export is 50,000 messages
//! per receiver — far beyond the socket buffers of a member that does not
//! read, and beyond the RIB's high watermark of 4,096 queued messages).
//!
//! * The readers converge on the full table.
//! * The process's resident set (daemon and test speakers together) grows
//!   by less than [`RSS_BOUND_MIB`]. The RIB bounds what it keeps by the
//!   size of the table, not by the churn or by how fast members read:
//!   - the table: 200k prefixes × one path (≈ 40 MB) and 50k interned
//!     attribute sets of ≈ 1.1 KB (≈ 55 MB);
//!   - per member (5): a coalescing backlog of at most one entry per
//!     prefix (≈ 100 B × 200k ≈ 20 MB) and a write queue of at most 4,096
//!     messages plus one batch (≈ 8k × 1.1 KB ≈ 9 MB) — readers in a debug
//!     build are slower than the RIB, so they use theirs too: ≤ 145 MB;
//!   - the test speakers' own tables: ≈ 40 MB.
//!
//!   That is ≈ 280 MB at worst; 210–240 MB is measured. The bound leaves
//!   room for the allocator. It is a coarse guard (a queue that grew with
//!   every UPDATE for a member that never reads would add ≈ 55 MB per such
//!   member and per pass over the table, which the 3 s hold time cuts
//!   short); the blocked writer is checked directly below.
//! * The slow members' sessions end by the hold timer with Hold Timer
//!   Expired (4/0): one starts reading after that and receives the
//!   NOTIFICATION then the close; the other never reads, and the daemon
//!   must nevertheless let go of its TCP connection within a few seconds
//!   (not after the 8-minute send hold time).
//! * The readers' sessions keep their uptime.

mod support;

use condor_wire::attr::{flags, types};
use condor_wire::notification::codes;
use condor_wire::{decode_message, frame_length, Context, Message};
use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;
use support::*;
use tokio::io::AsyncReadExt;
use tokio::time::Instant;

/// See the module documentation.
const RSS_BOUND_MIB: u64 = 400;

/// Bound on convergence of the 200k-prefix table (debug build, 2 cores).
const CONVERGE: Duration = Duration::from_secs(90);

const PER_SPEAKER: usize = 100_000;

/// Large communities per attribute set: about 1 KB per UPDATE, so that the
/// 4,096 messages a slow member's queue may hold exceed what the kernel
/// buffers for a connection that is not read (about 4 MB on loopback) and
/// the daemon's writer really blocks.
const LARGE_COMMUNITIES: usize = 80;

/// UPDATEs for `prefixes`, 4 per attribute set (distinct MEDs).
fn bulk(s: &Speaker, first_octet: u8, nh: Ipv4Addr) -> Vec<u8> {
    let prefixes = many_prefixes(first_octet, PER_SPEAKER);
    let mut lc = Vec::with_capacity(LARGE_COMMUNITIES * 12);
    for i in 0..LARGE_COMMUNITIES as u32 {
        lc.extend_from_slice(&s.cfg.asn.to_be_bytes());
        lc.extend_from_slice(&i.to_be_bytes());
        lc.extend_from_slice(&0u32.to_be_bytes());
    }
    let extra = [(
        flags::OPTIONAL | flags::TRANSITIVE,
        types::LARGE_COMMUNITIES,
        &lc[..],
    )];
    let mut out = Vec::with_capacity(PER_SPEAKER / 4 * (lc.len() + 80));
    for (i, chunk) in prefixes.chunks(4).enumerate() {
        let path = [s.cfg.asn, 65000, 65001];
        for m in s.announce_msgs_with(chunk, &path, nh, Some(i as u32), &extra) {
            out.extend_from_slice(&m);
        }
    }
    out
}

/// State of the daemon-side socket of the connection from `peer` to `rs`
/// in `/proc/net/tcp` ("01" is ESTABLISHED), if it is still there.
fn daemon_socket_state(rs: SocketAddr, peer: Ipv4Addr) -> Option<String> {
    let text = std::fs::read_to_string("/proc/net/tcp").ok()?;
    let hex_ip = |a: Ipv4Addr| format!("{:08X}", u32::from_le_bytes(a.octets()));
    let SocketAddr::V4(rs4) = rs else { return None };
    let local = format!("{}:{:04X}", hex_ip(*rs4.ip()), rs.port());
    let remote_prefix = format!("{}:", hex_ip(peer));
    text.lines().skip(1).find_map(|l| {
        let f: Vec<&str> = l.split_whitespace().collect();
        (f.len() > 3 && f[1] == local && f[2].starts_with(&remote_prefix)).then(|| f[3].to_string())
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_peer_is_bounded_and_dropped_by_its_hold_timer() {
    init_logging();
    let d = ConfigBuilder::new(lo(1))
        .neighbor(NeighborCfg::member(lo(2), 64501))
        .neighbor(NeighborCfg::member(lo(3), 64502))
        .neighbor(NeighborCfg::member(lo(4), 64503))
        .neighbor(NeighborCfg::member(lo(5), 64505).hold_time(3))
        .neighbor(NeighborCfg::member(lo(6), 64506).hold_time(3))
        .start()
        .await;
    let rs = listen_addr(&d);
    let mut a = Speaker::establish(SpeakerCfg::new(lo(2), 64501), rs).await;
    let mut b = Speaker::establish(SpeakerCfg::new(lo(3), 64502), rs).await;
    let mut c = Speaker::establish(SpeakerCfg::new(lo(4), 64503), rs).await;
    let bulk_a = bulk(&a, 10, Ipv4Addr::new(198, 18, 0, 2));
    let bulk_b = bulk(&b, 40, Ipv4Addr::new(198, 18, 0, 3));
    for (s, addr) in [(&mut a, lo(2)), (&mut b, lo(3)), (&mut c, lo(4))] {
        s.expect("End-of-RIB", |s| s.eor).await;
        wait_established(&d, addr, TIMEOUT).await;
    }
    let mut since_v = Vec::new();
    for addr in [lo(2), lo(3), lo(4)] {
        since_v.push(established_since(&d, addr).await);
    }

    // The slow members: handshake, then silence (no read, no KEEPALIVE).
    let s1 = Speaker::establish(SpeakerCfg::new(lo(5), 64505), rs).await;
    let s2 = Speaker::establish(SpeakerCfg::new(lo(6), 64506), rs).await;
    let neg = wait_established(&d, lo(5), TIMEOUT).await;
    assert_eq!(
        neg.session.negotiated.as_ref().map(|n| n.hold_time),
        Some(3),
        "the slow member's hold time"
    );
    wait_established(&d, lo(6), TIMEOUT).await;
    let mut s1 = s1.into_stream();
    let _s2 = s2.into_stream();
    let rss_before = rss_kib();

    // 200k prefixes from A and B, read by A, B and C.
    let started = Instant::now();
    let total = 2 * PER_SPEAKER;
    let (ra, rb, rc) = tokio::join!(
        async {
            a.send_raw(&bulk_a).await.expect("A sends");
            a.pump_until(CONVERGE, |s| s.routes.len() == PER_SPEAKER)
                .await
        },
        async {
            b.send_raw(&bulk_b).await.expect("B sends");
            b.pump_until(CONVERGE, |s| s.routes.len() == PER_SPEAKER)
                .await
        },
        c.pump_until(CONVERGE, |s| s.routes.len() == total),
    );
    let took = started.elapsed();
    assert!(
        ra,
        "A did not converge on B's {PER_SPEAKER} routes: {}",
        a.describe()
    );
    assert!(
        rb,
        "B did not converge on A's {PER_SPEAKER} routes: {}",
        b.describe()
    );
    assert!(rc, "C did not converge on {total} routes: {}", c.describe());
    println!("converged on {total} prefixes in {took:?}");

    // Both slow members are dropped by their hold timer.
    for addr in [lo(5), lo(6)] {
        let s = wait_not_established(&d, addr, TIMEOUT).await;
        let err = s.session.last_error.unwrap_or_default();
        assert!(
            err.contains("Hold Timer Expired"),
            "{addr}: expected the session to end with Hold Timer Expired, last error {err:?}"
        );
    }
    let rss_after = rss_kib();

    // S1 reads now: what was queued, then the NOTIFICATION 4/0, then the close.
    let mut raw = Vec::new();
    let read = tokio::time::timeout(TIMEOUT, s1.read_to_end(&mut raw)).await;
    assert!(
        read.is_ok(),
        "S1: the daemon did not close the connection within {TIMEOUT:?}"
    );
    let ctx = Context::four_octet();
    let mut rest = &raw[..];
    let mut last = None;
    while let Ok(Some(len)) = frame_length(rest, &ctx) {
        if let Ok(m) = decode_message(&rest[..len], &ctx) {
            last = Some(m);
        }
        rest = &rest[len..];
    }
    match last {
        Some(Message::Notification(n)) => assert_eq!(
            (n.code, n.subcode),
            (codes::HOLD_TIMER_EXPIRED, 0),
            "S1: last message {n}"
        ),
        other => panic!(
            "S1: expected NOTIFICATION 4/0 as the last message of {} octets, got {other:?}",
            raw.len()
        ),
    }

    // S2 never reads: the daemon must still let go of the connection.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let st = daemon_socket_state(rs, lo(6));
        if st.as_deref() != Some("01") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the daemon still holds the ESTABLISHED connection of S2, which never reads, 10 s after its hold timer expired"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // The readers were never disturbed.
    for (addr, since) in [lo(2), lo(3), lo(4)].into_iter().zip(since_v) {
        let s = status(&d, addr).await;
        assert_eq!(
            s.session.established_since,
            Some(since),
            "{addr}'s session restarted (last transition {:?})",
            s.session.last_transition
        );
    }
    match (rss_before, rss_after) {
        (Some(before), Some(after)) => {
            let growth_mib = after.saturating_sub(before) / 1024;
            println!("VmRSS {before} kB -> {after} kB (+{growth_mib} MiB)");
            assert!(
                growth_mib < RSS_BOUND_MIB,
                "resident set grew by {growth_mib} MiB (bound {RSS_BOUND_MIB} MiB)"
            );
        }
        _ => println!("SKIPPED: RSS check (no /proc/self/status)"),
    }
}
