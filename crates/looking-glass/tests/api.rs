//! API tests against a real daemon: `condor_server` in process on
//! loopback, members as raw BGP speakers on TCP-MD5 sessions, the looking
//! glass reading the daemon through its request handler. Every endpoint of
//! the JSON API, the birdwatcher set and the pages is asked; at the end
//! every response is searched for the MD5 passwords and the operator token.
//!
//! ```text
//!   Alpha   AS262589 127.0.20.2 ──┐  (announces a bogon: filtered)
//!   Bravo   AS6147   127.0.20.3 ──┼── condor AS64115 127.0.20.1 ── looking glass http://127.0.20.1:port
//!   Monitor AS12252  127.0.20.4 ──┘  (internal: hidden from the public view)
//! ```

#![allow(clippy::unwrap_used)] // test helpers panic on failure by design

mod common;

use common::support::*;
use common::*;
use serde_json::Value;

const PW: [&str; 3] = ["md5-alpha-Zq81x7", "md5-bravo-Lp02k4", "md5-monitor-Wt55c9"];

fn names(v: &Value, key: &str) -> Vec<String> {
    v[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["prefix"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_endpoint_against_a_real_daemon() {
    init_logging();
    let (a, b, m) = (ip(20, 2), ip(20, 3), ip(20, 4));
    let d = ConfigBuilder::new(ip(20, 1))
        .filters(&filters())
        .neighbor({
            let mut n = NeighborCfg::member(a, 262589).password(PW[0]);
            n.name = "Alpha <script>alert(1)</script> & Co".into();
            n
        })
        .neighbor(NeighborCfg::member(b, 6147).password(PW[1]))
        .neighbor(
            NeighborCfg::member(m, 12252)
                .password(PW[2])
                .extra("internal = true\n"),
        )
        .start()
        .await;
    let rs = listen_addr(&d);
    let lg = start_lg(&d, ip(20, 1), options()).await;
    let c = Client::new(lg);

    let mut sa = Speaker::establish(SpeakerCfg::new(a, 262589).md5(PW[0]), rs).await;
    let mut sb = Speaker::establish(SpeakerCfg::new(b, 6147).md5(PW[1]), rs).await;
    let mut sm = Speaker::establish(SpeakerCfg::new(m, 12252).md5(PW[2]), rs).await;
    sa.announce(
        &[
            pfx("200.48.0.0/16"),
            pfx("200.49.0.0/16"),
            pfx("10.0.0.0/8"),
        ],
        &[262589],
        a,
        None,
    )
    .await;
    sb.announce(&[pfx("200.48.0.0/16")], &[6147, 3356], b, None)
        .await;
    sm.announce(&[pfx("181.65.0.0/16")], &[12252], m, None)
        .await;
    wait_for(&c, "every route counted", |v| {
        [(a, 3), (b, 1), (m, 1)]
            .iter()
            .all(|(ad, n)| neighbor(v, &ad.to_string()).is_some_and(|x| x["received"] == *n))
    })
    .await;
    let (a_s, b_s, m_s) = (a.to_string(), b.to_string(), m.to_string());

    // Status.
    let st = c.get("/api/v1/status").await;
    assert_eq!(st.status, 200, "{}", st.body);
    let st = st.json();
    assert_eq!(st["server"]["asn"], 64115);
    assert_eq!(st["server"]["prefixes"], 4);
    assert_eq!(
        st["neighbors"], 2,
        "the internal neighbor is not counted publicly"
    );
    assert_eq!(st["established"], 2);
    assert_eq!(st["view"], "public");

    // Neighbors: public view hides the monitor and the session details.
    let ns = c.get("/api/v1/neighbors").await.json();
    assert_eq!(ns["neighbors"].as_array().unwrap().len(), 2);
    assert!(neighbor(&ns, &m_s).is_none());
    let na = neighbor(&ns, &a_s).unwrap();
    assert_eq!(
        (
            na["received"].clone(),
            na["accepted"].clone(),
            na["filtered"].clone()
        ),
        (3.into(), 2.into(), 1.into())
    );
    assert_eq!(
        na["exported"], 2,
        "Bravo's 200.48.0.0/16 and the monitor's route"
    );
    assert!(na.get("internal").is_none() && na.get("updates_received").is_none());
    let op = c.get_as_operator("/api/v1/neighbors", TOKEN).await.json();
    assert_eq!(op["neighbors"].as_array().unwrap().len(), 3);
    assert_eq!(neighbor(&op, &m_s).unwrap()["internal"], true);
    assert!(
        neighbor(&op, &a_s).unwrap()["updates_received"]
            .as_u64()
            .unwrap()
            >= 1
    );
    assert_eq!(
        c.get_as_operator("/api/v1/neighbors", "wrong-token-wrong-token")
            .await
            .status,
        401
    );
    assert_eq!(c.get(&format!("/api/v1/neighbors/{m_s}")).await.status, 404);
    assert_eq!(
        c.get_as_operator(&format!("/api/v1/neighbors/{m_s}"), TOKEN)
            .await
            .status,
        200
    );
    assert_eq!(
        c.get(&format!("/api/v1/neighbors/{a_s}")).await.json()["asn"],
        262589
    );
    assert_eq!(c.get("/api/v1/neighbors/not-an-ip").await.status, 400);

    // Routes of Alpha.
    let r = |view: &str| format!("/api/v1/neighbors/{a_s}/routes/{view}");
    let rec = c.get(&r("received")).await.json();
    assert_eq!(
        names(&rec, "routes"),
        ["10.0.0.0/8", "200.48.0.0/16", "200.49.0.0/16"]
    );
    assert!(rec["next"].is_null());
    let acc = c.get(&r("accepted")).await.json();
    assert_eq!(names(&acc, "routes"), ["200.48.0.0/16", "200.49.0.0/16"]);
    assert_eq!(acc["routes"][0]["best"], true, "Alpha's path is shorter");
    let fil = c.get(&r("filtered")).await.json();
    assert_eq!(names(&fil, "routes"), ["10.0.0.0/8"]);
    assert_eq!(fil["routes"][0]["accepted"], false);
    assert_eq!(fil["routes"][0]["reasons"][0]["key"], "bogon-prefix");
    assert_eq!(fil["routes"][0]["reasons"][0]["code"], 3);
    let exp = c.get(&r("exported")).await.json();
    assert_eq!(
        names(&exp, "routes"),
        ["200.48.0.0/16"],
        "the monitor's route is hidden publicly"
    );
    assert_eq!(
        exp["routes"][0]["best"], false,
        "Alpha receives other than the overall best"
    );
    assert_eq!(exp["routes"][0]["from"]["asn"], 6147);
    assert_eq!(exp["routes"][0]["as_path"], "6147 3356");
    let exp_op = c.get_as_operator(&r("exported"), TOKEN).await.json();
    assert_eq!(names(&exp_op, "routes"), ["181.65.0.0/16", "200.48.0.0/16"]);
    // Filters and cursor.
    let page = c.get(&format!("{}?limit=1", r("received"))).await.json();
    assert_eq!(names(&page, "routes"), ["10.0.0.0/8"]);
    assert_eq!(page["next"], "10.0.0.0/8");
    let page = c
        .get(&format!("{}?limit=1&after=10.0.0.0/8", r("received")))
        .await
        .json();
    assert_eq!(names(&page, "routes"), ["200.48.0.0/16"]);
    let w = c
        .get(&format!("{}?within=200.49.0.0/16", r("received")))
        .await
        .json();
    assert_eq!(names(&w, "routes"), ["200.49.0.0/16"]);
    let v6 = c
        .get(&format!("{}?family=ipv6", r("received")))
        .await
        .json();
    assert!(v6["routes"].as_array().unwrap().is_empty());
    assert_eq!(
        c.get(&format!("{}?family=ipx", r("received"))).await.status,
        400
    );
    assert_eq!(
        c.get(&format!("{}?after=bogus", r("received")))
            .await
            .status,
        400
    );
    assert_eq!(c.get(&r("stolen")).await.status, 404);
    assert_eq!(
        c.get(&format!("/api/v1/neighbors/{m_s}/routes/received"))
            .await
            .status,
        404
    );

    // Lookup: an address (longest match), exact, per client.
    let l = c.get("/api/v1/lookup?q=200.48.7.9").await.json();
    assert_eq!(l["prefix"], "200.48.0.0/16");
    let cands = l["candidates"].as_array().unwrap();
    assert_eq!(cands.len(), 2);
    let best: Vec<_> = cands.iter().filter(|x| x["best"] == true).collect();
    assert_eq!(best.len(), 1);
    assert_eq!(best[0]["from"]["asn"], 262589);
    let l = c
        .get(&format!("/api/v1/lookup?q=200.48.0.0/16&client={a_s}"))
        .await
        .json();
    let mine: Vec<_> = l["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["for_client"] == true)
        .collect();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0]["from"]["asn"], 6147);
    assert!(c
        .get("/api/v1/lookup?q=200.48.0.0/24&exact=true")
        .await
        .json()["prefix"]
        .is_null());
    let bogon = c.get("/api/v1/lookup?q=10.1.1.1").await.json();
    assert_eq!(bogon["candidates"][0]["reasons"][0]["key"], "bogon-prefix");
    assert!(
        c.get("/api/v1/lookup?q=181.65.0.1").await.json()["candidates"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert_eq!(c.get("/api/v1/lookup?q=not-a-prefix").await.status, 400);

    // Communities and the OpenAPI document.
    let cm = c.get("/api/v1/communities").await.json();
    assert_eq!(cm["asn"], 64115);
    let all: Vec<&str> = cm["communities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["community"].as_str().unwrap())
        .collect();
    assert!(
        all.contains(&"64115:1101:3") && all.contains(&"0:64115"),
        "{all:?}"
    );
    let oa = c.get("/api/v1/openapi.json").await.json();
    assert!(oa["openapi"].as_str().unwrap().starts_with("3."));
    for p in [
        "/api/v1/status",
        "/api/v1/neighbors",
        "/api/v1/neighbors/{address}",
        "/api/v1/neighbors/{address}/routes/{view}",
        "/api/v1/lookup",
        "/api/v1/communities",
        "/api/v1/matrix",
        "/api/v1/rpki",
        "/api/v1/irr",
    ] {
        assert!(oa["paths"].get(p).is_some(), "{p} in the OpenAPI document");
    }

    // Pages: escaped, with reasons in words and the not-best note.
    let home = c.get("/").await;
    assert_eq!(home.status, 200);
    assert!(home
        .header("content-type")
        .unwrap()
        .starts_with("text/html"));
    assert!(home
        .body
        .contains("Alpha &lt;script&gt;alert(1)&lt;/script&gt; &amp; Co"));
    assert!(!home.body.contains("<script>"), "no unescaped markup");
    assert!(!home.body.contains("AS12252"), "internal neighbor hidden");
    let member = c.get(&format!("/member/{a_s}")).await;
    assert_eq!(member.status, 200);
    assert!(member
        .body
        .contains("prefix is in a special-purpose (bogon) range"));
    assert!(member
        .body
        .contains("receives this instead of the overall best path"));
    assert!(!member.body.contains("<script>"));
    let more = c
        .get(&format!("/member/{a_s}?view=received&after=10.0.0.0/8"))
        .await;
    assert!(more.body.contains("200.49.0.0/16") && !more.body.contains(">10.0.0.0/8<"));
    assert_eq!(c.get(&format!("/member/{m_s}")).await.status, 404);
    let s = c.get(&format!("/search?q=200.48.7.9&client={b_s}")).await;
    assert!(
        s.body.contains("200.48.0.0/16 — 2 candidate path(s)"),
        "{}",
        s.body
    );
    assert!(s.body.contains("best overall") && s.body.contains("receives the overall best path"));
    let s = c.get("/search?q=%3Cb%3E").await;
    assert_eq!(s.status, 200);
    assert!(
        s.body
            .contains("&quot;&lt;b&gt;&quot; is neither a prefix nor an address"),
        "{}",
        s.body
    );
    let mx = c.get("/matrix").await;
    assert!(
        mx.body
            .contains("AS6147 receives 2 prefixes from Alpha &lt;script&gt;"),
        "{}",
        mx.body
    );
    let cells = |v: &Value| -> Vec<(String, String, u64)> {
        v["cells"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| {
                (
                    x["client"]["address"].as_str().unwrap().to_string(),
                    x["source"]["address"].as_str().unwrap().to_string(),
                    x["prefixes"].as_u64().unwrap(),
                )
            })
            .collect()
    };
    let m = cells(&c.get("/api/v1/matrix").await.json());
    assert_eq!(
        m,
        [(a_s.clone(), b_s.clone(), 1), (b_s.clone(), a_s.clone(), 2)]
    );
    let m = cells(&c.get_as_operator("/api/v1/matrix", TOKEN).await.json());
    assert_eq!(
        m,
        [
            (a_s.clone(), b_s.clone(), 1),
            (a_s.clone(), m_s.clone(), 1),
            (b_s.clone(), a_s.clone(), 2),
            (b_s.clone(), m_s.clone(), 1),
            (m_s.clone(), a_s.clone(), 2),
        ]
    );
    assert!(c
        .get("/assets/style.css")
        .await
        .body
        .contains("prefers-color-scheme: dark"));

    // Birdwatcher (Alice-LG) endpoints, with the time formats Alice-LG is
    // configured to parse (servertime RFC 3339, servertime_short/_ext).
    let rfc3339 = |v: &Value| {
        let t = v.as_str().unwrap_or_default();
        t.len() == 20 && &t[10..11] == "T" && t.ends_with('Z') && t[..4].parse::<u32>().is_ok()
    };
    let short = |v: &Value| {
        let t = v.as_str().unwrap_or_default();
        t.len() == 19 && &t[10..11] == " " && &t[13..14] == ":" && t[..4].parse::<u32>().is_ok()
    };
    let bw = c.get("/status").await.json();
    assert!(rfc3339(&bw["ttl"]), "{bw}");
    assert!(
        rfc3339(&bw["api"]["cache_status"]["cached_at"]["date"]),
        "{bw}"
    );
    assert!(
        short(&bw["status"]["current_server"])
            && short(&bw["status"]["last_reboot"])
            && short(&bw["status"]["last_reconfig"]),
        "{bw}"
    );
    assert_eq!(bw["status"]["router_id"], "127.0.20.1");
    assert_eq!(bw["api"]["result_from_cache"], false);
    assert!(bw["api"]["Version"].is_string() && bw["ttl"].is_string());
    let protos = c.get("/protocols/bgp").await.json();
    let ps = protos["protocols"].as_object().unwrap();
    assert_eq!(ps.len(), 2);
    let pa = &ps["R127_0_20_2"];
    assert_eq!(pa["neighbor_address"], a_s);
    assert_eq!(pa["neighbor_as"], 262589);
    assert_eq!(pa["state"], "up");
    assert!(short(&pa["state_changed"]), "{pa}");
    assert_eq!(
        pa["description"], "Alpha <script>alert(1)</script> & Co",
        "JSON is not HTML-escaped"
    );
    assert_eq!(
        (
            pa["routes"]["imported"].clone(),
            pa["routes"]["filtered"].clone()
        ),
        (2.into(), 1.into())
    );
    let pr = c.get("/routes/protocol/R127_0_20_2").await.json();
    let nets: Vec<&str> = pr["routes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["network"].as_str().unwrap())
        .collect();
    assert_eq!(nets, ["200.48.0.0/16", "200.49.0.0/16"]);
    assert_eq!(
        pr["routes"][0]["bgp"]["as_path"],
        serde_json::json!(["262589"])
    );
    assert_eq!(pr["routes"][0]["from_protocol"], "R127_0_20_2");
    let route = &pr["routes"][0];
    assert!(short(&route["age"]), "{route}");
    assert_eq!(route["gateway"], a_s);
    assert_eq!(route["learnt_from"], a_s);
    assert!(
        route["bgp"]["med"].is_string() && route["bgp"]["local_pref"].is_string(),
        "{route}"
    );
    assert!(route["bgp"]["communities"].is_array() && route["bgp"]["ext_communities"].is_array());
    assert_eq!(route["bgp"]["origin"], "IGP");
    let pf = c.get("/routes/filtered/R127_0_20_2").await.json();
    assert_eq!(pf["routes"][0]["network"], "10.0.0.0/8");
    assert_eq!(
        pf["routes"][0]["bgp"]["large_communities"],
        serde_json::json!([[64115, 1101, 3]])
    );
    assert_eq!(
        c.get("/routes/noexport/R127_0_20_2").await.json()["routes"],
        serde_json::json!([])
    );
    assert_eq!(
        c.get("/routes/count/protocol/R127_0_20_2").await.json()["routes"],
        2
    );
    let pp = c.get("/routes/prefix?prefix=200.48.0.0/16").await.json();
    assert_eq!(pp["routes"].as_array().unwrap().len(), 2);
    assert_eq!(
        c.get(&format!("/routes/peer/{a_s}")).await.json()["routes"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        c.get("/routes/protocol/R127_0_20_4").await.status,
        404,
        "internal: not a public protocol"
    );

    // RPKI and IRR data: off in this daemon, answered all the same.
    let r = c.get("/api/v1/rpki").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["enabled"], false);
    let i = c.get("/api/v1/irr").await;
    assert_eq!(i.status, 200);
    assert_eq!(i.json()["sets"], serde_json::json!([]));

    // No response ever carried a password or the operator token.
    let seen = c.seen.lock().unwrap().clone();
    assert!(seen.len() > 40, "{} responses", seen.len());
    for body in &seen {
        for secret in PW.iter().chain([&TOKEN]) {
            assert!(
                !body.contains(secret),
                "a response contains a secret: {body}"
            );
        }
    }
    drop((sa, sb, sm));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limited_per_client_with_429() {
    let d = ConfigBuilder::new(ip(21, 1)).start().await;
    let mut opts = options();
    opts.rate_per_second = 0.01;
    opts.burst = 3.0;
    let lg = start_lg(&d, ip(21, 1), opts).await;
    let c = Client::new(lg);
    for _ in 0..3 {
        assert_eq!(c.get("/api/v1/status").await.status, 200);
    }
    let r = c.get("/api/v1/status").await;
    assert_eq!(r.status, 429);
    assert!(r.header("retry-after").unwrap().parse::<u64>().unwrap() >= 1);
}
