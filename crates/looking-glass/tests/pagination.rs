//! Pagination over a large table: one member announces 50,000 prefixes,
//! another 10,000 of the same; the looking glass pages through both
//! members' received and exported routes with the cursor, and every page
//! is within the cap, in order, without gaps or repeats. Also: the looking
//! glass over the control socket (`SocketBackend`) answers the same.
//!
//! ```text
//!   AS262589 127.0.22.2 ──┐
//!                          ├── condor AS64115 127.0.22.1 ── looking glass (in process, and via the socket)
//!   AS6147   127.0.22.3 ──┘
//! ```

#![allow(clippy::unwrap_used)] // test helpers panic on failure by design

mod common;

use common::support::*;
use common::*;
use condor_looking_glass::{LookingGlass, Options};
use std::collections::BTreeSet;
use std::sync::Arc;

async fn walk(c: &Client, base: &str, limit: u32) -> (Vec<String>, usize) {
    let mut all = Vec::new();
    let mut after: Option<String> = None;
    let mut pages = 0;
    loop {
        let url = match &after {
            Some(a) => format!("{base}?limit={limit}&after={a}"),
            None => format!("{base}?limit={limit}"),
        };
        let r = c.get(&url).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let v = r.json();
        let routes = v["routes"].as_array().unwrap();
        assert!(routes.len() <= 1000, "page within the cap");
        pages += 1;
        all.extend(
            routes
                .iter()
                .map(|x| x["prefix"].as_str().unwrap().to_string()),
        );
        match v["next"].as_str() {
            Some(n) => after = Some(n.to_string()),
            None => return (all, pages),
        }
        assert!(pages < 1000);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_through_fifty_thousand_paths() {
    init_logging();
    let (a, b) = (ip(22, 2), ip(22, 3));
    let d = ConfigBuilder::new(ip(22, 1))
        .filters(&filters())
        .neighbor(NeighborCfg::member(a, 262589))
        .neighbor(NeighborCfg::member(b, 6147))
        .start()
        .await;
    let rs = listen_addr(&d);
    let mut opts = options();
    opts.max_page = 1000;
    let lg = start_lg(&d, ip(22, 1), opts).await;
    let c = Client::new(lg);
    let mut sa = Speaker::establish(SpeakerCfg::new(a, 262589), rs).await;
    let mut sb = Speaker::establish(SpeakerCfg::new(b, 6147), rs).await;
    let big = many_prefixes(20, 50_000);
    sa.announce(&big, &[262589], a, None).await;
    sb.announce(&big[..10_000], &[6147, 3356], b, None).await;
    let (a_s, b_s) = (a.to_string(), b.to_string());
    wait_for(&c, "60,000 paths", |v| {
        neighbor(v, &a_s).is_some_and(|x| x["received"] == 50_000)
            && neighbor(v, &b_s).is_some_and(|x| x["received"] == 10_000)
    })
    .await;

    let t = std::time::Instant::now();
    let (got, pages) = walk(
        &c,
        &format!("/api/v1/neighbors/{a_s}/routes/received"),
        1000,
    )
    .await;
    eprintln!("50,000 routes in {pages} pages in {:?}", t.elapsed());
    assert!(
        pages == 50 || pages == 51,
        "50 full pages (and the cursor may lead to an empty last one): {pages}"
    );
    let mut want: Vec<_> = big.clone();
    want.sort();
    let want: Vec<String> = want.iter().map(|p| p.to_string()).collect();
    assert_eq!(got, want, "every route once, in prefix order");

    // Bravo receives Alpha's 50,000: 10,000 of them where its own path
    // loses, i.e. the overall best is Alpha's anyway.
    let (got, _) = walk(&c, &format!("/api/v1/neighbors/{b_s}/routes/exported"), 777).await;
    assert_eq!(got.len(), 50_000);
    assert_eq!(
        got.iter().collect::<BTreeSet<_>>().len(),
        50_000,
        "no repeats"
    );
    // Alpha receives Bravo's 10,000, none of them the overall best.
    let r = c
        .get(&format!(
            "/api/v1/neighbors/{a_s}/routes/exported?limit=1000"
        ))
        .await
        .json();
    let routes = r["routes"].as_array().unwrap();
    assert_eq!(routes.len(), 1000);
    assert!(routes
        .iter()
        .all(|x| x["best"] == false && x["from"]["asn"] == 6147));
    // The cap: a larger limit is cut to the server's page size.
    let r = c
        .get(&format!(
            "/api/v1/neighbors/{a_s}/routes/received?limit=100000"
        ))
        .await
        .json();
    assert_eq!(r["routes"].as_array().unwrap().len(), 1000);
    // Within a covering prefix.
    let r = c
        .get(&format!(
            "/api/v1/neighbors/{a_s}/routes/received?within=20.1.0.0/16"
        ))
        .await
        .json();
    assert_eq!(r["routes"].as_array().unwrap().len(), 256);
    assert!(r["next"].is_null());

    // The same over the control socket.
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("condor.sock");
    condor_server::control::serve(
        d.clone(),
        condor_server::control::ControlOptions {
            socket: socket.clone(),
            config_file: None,
        },
    )
    .unwrap();
    let remote = LookingGlass::new(
        Arc::new(condor_control::SocketBackend { socket }),
        Options::default(),
    );
    let addr = condor_looking_glass::spawn("127.0.22.1:0".parse().unwrap(), remote)
        .await
        .unwrap();
    let rc = Client::new(addr);
    let st = rc.get("/api/v1/status").await.json();
    assert_eq!(st["server"]["paths"], 60_000);
    let p = rc
        .get(&format!("/api/v1/neighbors/{a_s}/routes/received?limit=10"))
        .await
        .json();
    assert_eq!(p["routes"].as_array().unwrap().len(), 10);
    assert_eq!(p["next"], "20.0.9.0/24");
    drop((sa, sb));
}
