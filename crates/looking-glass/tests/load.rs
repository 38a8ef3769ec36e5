//! A load harness, not run by default (`#[ignore]`): a daemon with a large
//! table behind the looking glass, kept up while a load tool (`wrk`) is
//! pointed at it. Sizes and duration from the environment:
//!
//! ```text
//! LG_LOAD_PREFIXES=500000 LG_LOAD_SECS=120 \
//!   cargo test -p condor-looking-glass --test load -- --ignored --nocapture
//! ```
//!
//! Two members announce the same `LG_LOAD_PREFIXES` prefixes (so the table
//! holds twice as many paths); the URL of the looking glass is printed once
//! the table is complete. `docs/looking-glass.md` has the figures.

#![allow(clippy::unwrap_used)] // test helpers panic on failure by design

mod common;

use common::support::*;
use common::*;
use std::time::{Duration, Instant};

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "load harness: run by hand with a load tool"]
async fn serve_a_large_table() {
    let n = env("LG_LOAD_PREFIXES", 100_000) as usize;
    let secs = env("LG_LOAD_SECS", 60);
    let (a, b) = (ip(24, 2), ip(24, 3));
    let d = ConfigBuilder::new(ip(24, 1))
        .neighbor(NeighborCfg::member(a, 262589))
        .neighbor(NeighborCfg::member(b, 6147))
        .start()
        .await;
    let rs = listen_addr(&d);
    let mut opts = options();
    opts.counts_ttl = Duration::from_secs(5);
    // One load tool from one address: the per-client rate limit would
    // answer most of its requests with 429 and measure nothing else.
    opts.rate_per_second = 1e9;
    opts.burst = 1e9;
    let backend = std::sync::Arc::new(condor_server::control::Handler {
        daemon: d.clone(),
        config_file: None,
    });
    let lg = condor_looking_glass::spawn(
        "127.0.24.1:18080".parse().unwrap(),
        condor_looking_glass::LookingGlass::new(backend, opts),
    )
    .await
    .unwrap();
    let c = Client::new(lg);
    let mut sa = Speaker::establish(SpeakerCfg::new(a, 262589), rs).await;
    let mut sb = Speaker::establish(SpeakerCfg::new(b, 6147), rs).await;
    let prefixes = many_prefixes(20, n);
    let t = Instant::now();
    for chunk in prefixes.chunks(50_000) {
        sa.announce(chunk, &[262589], a, None).await;
        sb.announce(chunk, &[6147, 3356], b, None).await;
        sa.keepalive().await;
        sb.keepalive().await;
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs(600);
    loop {
        let st = c.get("/api/v1/status").await.json();
        if st["server"]["paths"] == 2 * n as u64 {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "table not complete: {st}"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    // Members read what the route server sends them, as real ones do.
    async fn drain(s: &mut Speaker) -> usize {
        let mut n = 0;
        loop {
            let deadline = tokio::time::Instant::now() + Duration::from_millis(300);
            match s.next_message(deadline).await {
                Ok(Some(_)) => n += 1,
                _ => return n,
            }
        }
    }
    let (ra, rb) = (drain(&mut sa).await, drain(&mut sb).await);
    eprintln!(
        "members read {ra} and {rb} messages; {} paths in {:?}; looking glass at http://{lg}/ for {secs} s",
        2 * n,
        t.elapsed()
    );
    let end = tokio::time::Instant::now() + Duration::from_secs(secs);
    while tokio::time::Instant::now() < end {
        // The speakers read nothing; KEEPALIVEs keep their sessions up.
        sa.keepalive().await;
        sb.keepalive().await;
        drain(&mut sa).await;
        drain(&mut sb).await;
        tokio::time::sleep(Duration::from_secs(5)).await;
    }
    drop((sa, sb));
}
