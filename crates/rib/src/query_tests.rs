//! Tests of the read queries: pages and cursors, filters, chunk budgets,
//! lookups (exact, longest match, per-client answer) and counts.

use super::*;
use crate::peer::OutQueue;
use crate::rib::RouteUpdate;
use condor_policy::{MemberImport, Reason};
use condor_wire::{AsPath, Context, NextHop, Nlri, PathAttributes};
use std::sync::Arc;

fn up(rib: &mut Rib, id: PeerId, asn: u32) -> crate::peer::OutReader {
    up_with(rib, id, asn, MemberImport::permissive(Asn(asn)))
}

/// A member whose routes go through the import filters (bogons etc.).
fn filtered(rib: &mut Rib, id: PeerId, asn: u32) -> crate::peer::OutReader {
    let import = MemberImport {
        asn: Asn(asn),
        addresses: vec![
            addr(id as u8),
            format!("2803:cd60:6411:5::{id}").parse().unwrap(),
        ],
        transparent: false,
        irr: None,
        filters: Arc::new(condor_policy::Filters::default()),
    };
    up_with(rib, id, asn, import)
}

fn up_with(rib: &mut Rib, id: PeerId, asn: u32, import: MemberImport) -> crate::peer::OutReader {
    let (spec, rx) = spec(id, asn, import);
    rib.peer_up(spec);
    rx
}

fn spec(id: PeerId, asn: u32, import: MemberImport) -> (PeerSpec, crate::peer::OutReader) {
    let fams = vec![Family::IPV4_UNICAST, Family::IPV6_UNICAST];
    let (out, rx) = OutQueue::new(id, fams.clone());
    let spec = PeerSpec {
        id,
        name: format!("AS{asn}"),
        asn: Asn(asn),
        addr: format!("45.183.47.{id}").parse().unwrap(),
        router_id: format!("10.0.0.{id}").parse().unwrap(),
        tx: Context::four_octet(),
        families: fams,
        max_prefix: None,
        out,
        import: Arc::new(import),
        receive_blackhole: false,
    };
    (spec, rx)
}

fn announce(rib: &mut Rib, id: PeerId, path: &[u32], prefixes: &[String]) {
    let mut v = Vec::new();
    AsPath::from_sequence(path.iter().copied()).encode(true, &mut v);
    let attrs = PathAttributes::from_parts(
        &[
            (0x40, 1, &[0]),
            (0x40, 2, &v),
            (0x40, 3, &[45, 183, 47, id as u8]),
        ],
        true,
    )
    .unwrap();
    let mut v4 = Vec::new();
    let mut v6 = Vec::new();
    for p in prefixes {
        let n = Nlri::new(p.parse().unwrap());
        if n.prefix.is_ipv4() {
            v4.push(n)
        } else {
            v6.push(n)
        }
    }
    let mut announce = vec![(NextHop::V4(format!("45.183.47.{id}").parse().unwrap()), v4)];
    if !v6.is_empty() {
        announce.push((
            NextHop::V6 {
                global: format!("2803:cd60:6411:5::{id}").parse().unwrap(),
                link_local: None,
            },
            v6,
        ));
    }
    rib.routes(
        id,
        RouteUpdate {
            attrs,
            announce,
            ..Default::default()
        },
    );
    rib.end_batch();
}

fn addr(id: u8) -> IpAddr {
    format!("45.183.47.{id}").parse().unwrap()
}

fn q(id: u8, view: RouteView) -> RoutesQuery {
    RoutesQuery {
        neighbor: addr(id),
        view,
        family: None,
        within: None,
        after: None,
        limit: 1000,
    }
}

fn prefixes(c: &RoutesChunk) -> Vec<String> {
    c.routes.iter().map(|r| r.prefix.to_string()).collect()
}

/// Three members: 1 and 2 announce overlapping routes, 2 has a filtered
/// bogon, 3 only receives.
fn sample() -> (Rib, Vec<crate::peer::OutReader>) {
    let mut rib = Rib::new();
    let readers = vec![
        up(&mut rib, 1, 64501),
        filtered(&mut rib, 2, 262589),
        up(&mut rib, 3, 64503),
    ];
    announce(
        &mut rib,
        1,
        &[64501],
        &[
            "200.48.0.0/16".into(),
            "198.51.100.0/24".into(),
            "2001:db8::/32".into(),
        ],
    );
    announce(
        &mut rib,
        2,
        &[262589, 6147],
        &["200.48.0.0/16".into(), "200.48.128.0/17".into()],
    );
    announce(&mut rib, 2, &[262589], &["10.0.0.0/8".into()]);
    (rib, readers)
}

#[test]
fn received_accepted_filtered_and_exported() {
    let (rib, _r) = sample();
    let all = rib.routes_chunk(&q(2, RouteView::Received), 100).unwrap();
    assert_eq!(
        prefixes(&all),
        ["10.0.0.0/8", "200.48.0.0/16", "200.48.128.0/17"]
    );
    assert_eq!(all.end, ChunkEnd::End);
    let acc = rib.routes_chunk(&q(2, RouteView::Accepted), 100).unwrap();
    assert_eq!(prefixes(&acc), ["200.48.0.0/16", "200.48.128.0/17"]);
    let fil = rib.routes_chunk(&q(2, RouteView::Filtered), 100).unwrap();
    assert_eq!(prefixes(&fil), ["10.0.0.0/8"]);
    assert!(fil.routes[0].path.verdict.has(Reason::BogonPrefix));
    // 200.48.0.0/16: member 1's path is shorter, the best overall.
    assert!(!acc.routes[0].best);
    // Member 3 receives everything accepted; the bogon never.
    let exp = rib.routes_chunk(&q(3, RouteView::Exported), 100).unwrap();
    assert_eq!(
        prefixes(&exp),
        [
            "198.51.100.0/24",
            "200.48.0.0/16",
            "200.48.128.0/17",
            "2001:db8::/32"
        ]
    );
    assert!(exp.routes.iter().all(|r| r.best));
    assert_eq!(exp.routes[1].from.as_ref().unwrap().asn, Asn(64501));
    // Member 1 gets member 2's /24: not the overall best (its own path is).
    let exp1 = rib.routes_chunk(&q(1, RouteView::Exported), 100).unwrap();
    assert_eq!(prefixes(&exp1), ["200.48.0.0/16", "200.48.128.0/17"]);
    assert!(
        !exp1.routes[0].best,
        "client 1 receives other than the overall best"
    );
    assert_eq!(exp1.routes[0].from.as_ref().unwrap().asn, Asn(262589));
    assert_eq!(
        rib.routes_chunk(&q(9, RouteView::Received), 100)
            .unwrap_err(),
        QueryError::NotUp(addr(9))
    );
}

#[test]
fn filters_family_and_within() {
    let (rib, _r) = sample();
    let mut v6 = q(1, RouteView::Received);
    v6.family = Some(Family::IPV6_UNICAST);
    assert_eq!(
        prefixes(&rib.routes_chunk(&v6, 100).unwrap()),
        ["2001:db8::/32"]
    );
    let mut v4 = q(1, RouteView::Received);
    v4.family = Some(Family::IPV4_UNICAST);
    assert_eq!(
        prefixes(&rib.routes_chunk(&v4, 100).unwrap()),
        ["198.51.100.0/24", "200.48.0.0/16"]
    );
    let mut w = q(3, RouteView::Exported);
    w.within = Some("200.48.0.0/16".parse().unwrap());
    assert_eq!(
        prefixes(&rib.routes_chunk(&w, 100).unwrap()),
        ["200.48.0.0/16", "200.48.128.0/17"]
    );
    w.within = Some("200.48.128.0/17".parse().unwrap());
    assert_eq!(
        prefixes(&rib.routes_chunk(&w, 100).unwrap()),
        ["200.48.128.0/17"]
    );
}

#[test]
fn pages_and_budget_resume_without_gaps() {
    let mut rib = Rib::new();
    let _a = up(&mut rib, 1, 64501);
    let _b = up(&mut rib, 2, 64502);
    let all: Vec<String> = (0..2500u32)
        .map(|i| format!("100.{}.{}.0/24", 64 + i / 256, i % 256))
        .collect();
    announce(&mut rib, 1, &[64501], &all);
    let mut got = Vec::new();
    let mut query = q(2, RouteView::Exported);
    query.limit = 700;
    let mut chunks = 0;
    loop {
        // A budget smaller than the page: chunks resume where they stopped.
        let c = rib.routes_chunk(&query, 300).unwrap();
        chunks += 1;
        assert!(c.routes.len() <= 700);
        got.extend(prefixes(&c));
        if c.end == ChunkEnd::End {
            break;
        }
        query.after = c.last;
    }
    let mut want = all.clone();
    want.sort_by_key(|p| p.parse::<Prefix>().unwrap());
    assert_eq!(got, want);
    assert_eq!(chunks, 9, "2500 prefixes in chunks of 300");
}

#[test]
fn lookup_exact_longest_and_per_client() {
    let (rib, _r) = sample();
    let exact = rib.lookup(&LookupQuery {
        prefix: "200.48.0.0/16".parse().unwrap(),
        longest: false,
        client: Some(addr(1)),
    });
    assert_eq!(exact.prefix.unwrap().to_string(), "200.48.0.0/16");
    assert_eq!(exact.candidates.len(), 2);
    let best: Vec<_> = exact
        .candidates
        .iter()
        .map(|c| (c.from.as_ref().unwrap().asn.0, c.best, c.for_client))
        .collect();
    assert!(best.contains(&(64501, true, false)));
    assert!(best.contains(&(262589, false, true)));
    // An address: the most specific covering prefix.
    let lm = rib.lookup(&LookupQuery {
        prefix: "200.48.200.1/32".parse().unwrap(),
        longest: true,
        client: None,
    });
    assert_eq!(lm.prefix.unwrap().to_string(), "200.48.128.0/17");
    let lm = rib.lookup(&LookupQuery {
        prefix: "200.48.1.1/32".parse().unwrap(),
        longest: true,
        client: None,
    });
    assert_eq!(lm.prefix.unwrap().to_string(), "200.48.0.0/16");
    // Not in the table exactly; a filtered-only prefix has no best.
    assert!(rib
        .lookup(&LookupQuery {
            prefix: "200.48.1.1/32".parse().unwrap(),
            longest: false,
            client: None
        })
        .prefix
        .is_none());
    let bogon = rib.lookup(&LookupQuery {
        prefix: "10.1.2.3/32".parse().unwrap(),
        longest: true,
        client: None,
    });
    assert_eq!(bogon.candidates.len(), 1);
    assert!(!bogon.candidates[0].best);
}

#[test]
fn counts_match_the_pages() {
    let (rib, _r) = sample();
    for budget in [1, 2, 1000] {
        let mut scan = CountScan::default();
        let mut n = 0;
        while !scan.done {
            rib.count_chunk(&mut scan, budget);
            n += 1;
            assert!(n < 100);
        }
        let counts = scan.result(&rib);
        assert_eq!(counts.len(), 3);
        for (peer, c) in &counts {
            let id = peer.id as u8;
            let len = |v| rib.routes_chunk(&q(id, v), 1000).unwrap().routes.len() as u64;
            assert_eq!(c.received, len(RouteView::Received), "{peer:?}");
            assert_eq!(c.accepted, len(RouteView::Accepted), "{peer:?}");
            assert_eq!(c.filtered, len(RouteView::Filtered), "{peer:?}");
            assert_eq!(
                c.exported,
                len(RouteView::Exported),
                "{peer:?} budget {budget}"
            );
        }
        assert_eq!(
            counts[1].1,
            PeerCounts {
                received: 3,
                accepted: 2,
                filtered: 1,
                exported: 3
            }
        );
    }
}

#[tokio::test]
async fn handle_chains_chunks() {
    let (notices, _n) = tokio::sync::mpsc::unbounded_channel();
    let rib = crate::spawn(notices);
    assert!(rib.counts().await.unwrap().is_empty());
    let page = rib.routes(q(1, RouteView::Received)).await.unwrap();
    assert_eq!(page.unwrap_err(), QueryError::NotUp(addr(1)));
}

#[tokio::test]
async fn a_sparse_page_ends_on_its_budget_with_a_cursor() {
    let (notices, _n) = tokio::sync::mpsc::unbounded_channel();
    let rib = crate::spawn(notices);
    let (spec, _rx) = spec(1, 64501, MemberImport::permissive(Asn(64501)));
    rib.tx.send(crate::RibInput::PeerUp(spec)).await.unwrap();
    // More prefixes than one page may examine, none of them filtered.
    let n = MAX_CHUNKS_PER_PAGE * CHUNK_PREFIXES + 500;
    let all: Vec<Prefix> = (0..n as u32)
        .map(|i| Prefix::new(std::net::Ipv4Addr::from((20 << 24) + (i << 8)).into(), 24).unwrap())
        .collect();
    let mut v = Vec::new();
    AsPath::from_sequence([64501]).encode(true, &mut v);
    let attrs = PathAttributes::from_parts(
        &[(0x40, 1, &[0]), (0x40, 2, &v), (0x40, 3, &[45, 183, 47, 1])],
        true,
    )
    .unwrap();
    for chunk in all.chunks(10_000) {
        let u = RouteUpdate {
            attrs: attrs.clone(),
            announce: vec![(
                NextHop::V4("45.183.47.1".parse().unwrap()),
                chunk.iter().map(|p| Nlri::new(*p)).collect(),
            )],
            ..Default::default()
        };
        rib.tx.send(crate::RibInput::Routes(1, u)).await.unwrap();
    }
    let mut query = q(1, RouteView::Filtered);
    let first = rib.routes(query.clone()).await.unwrap().unwrap();
    assert!(first.routes.is_empty());
    assert_eq!(
        first.next,
        Some(all[MAX_CHUNKS_PER_PAGE * CHUNK_PREFIXES - 1]),
        "the page stopped on its budget and says where to go on"
    );
    query.after = first.next;
    let second = rib.routes(query).await.unwrap().unwrap();
    assert!(second.routes.is_empty());
    assert_eq!(second.next, None, "the rest of the table fits one page");
    // The dense view of the same table fills its page at once.
    let received = rib
        .routes(q(1, RouteView::Received))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(received.routes.len(), 1000);
    assert_eq!(received.next, Some(all[999]));
}

#[test]
fn peering_matrix_matches_every_clients_answer() {
    let (mut rib, _r) = sample();
    let _d = up(&mut rib, 4, 64504);
    // Member 4's route may not go to member 3 (action community).
    let mut v = Vec::new();
    AsPath::from_sequence([64504]).encode(true, &mut v);
    let attrs = PathAttributes::from_parts(
        &[(0x40, 1, &[0]), (0x40, 2, &v), (0x40, 3, &[45, 183, 47, 4])],
        true,
    )
    .unwrap();
    rib.routes(
        4,
        RouteUpdate {
            attrs,
            announce: vec![(
                NextHop::V4("45.183.47.4".parse().unwrap()),
                vec![Nlri::new("190.12.0.0/16".parse().unwrap())],
            )],
            export: Some(condor_policy::ExportControl {
                to_none: false,
                to: vec![],
                not_to: vec![Asn(64503)],
                ..Default::default()
            }),
            ..Default::default()
        },
    );
    rib.end_batch();
    // What every client receives, prefix by prefix.
    let mut want: std::collections::BTreeMap<(IpAddr, IpAddr), u64> = Default::default();
    let specs: Vec<_> = rib
        .peer_specs()
        .map(|s| (s.id, s.addr, s.families.clone()))
        .collect();
    let prefixes: Vec<Prefix> = rib.table().iter().map(|(p, _)| p).collect();
    for p in &prefixes {
        for (id, addr, fams) in &specs {
            if !fams.contains(&family_of(p)) {
                continue;
            }
            if let Some(a) = rib.answer_for(*id, p) {
                let src = specs.iter().find(|s| s.0 == a.peer).unwrap().1;
                *want.entry((*addr, src)).or_default() += 1;
            }
        }
    }
    for budget in [1, 3, 1000] {
        let mut scan = crate::matrix::MatrixScan::default();
        while !scan.done {
            rib.matrix_chunk(&mut scan, budget);
        }
        let got: std::collections::BTreeMap<(IpAddr, IpAddr), u64> = scan
            .result(&rib)
            .iter()
            .map(|c| ((c.client.addr, c.source.addr), c.prefixes))
            .collect();
        assert_eq!(got, want, "budget {budget}");
    }
    // Member 3 gets nothing from member 4; member 1 does.
    assert!(!want.contains_key(&(addr(3), addr(4))));
    assert_eq!(want[&(addr(1), addr(4))], 1);
    // Member 1 receives 200.48.0.0/16 and its /17 from member 2.
    assert_eq!(want[&(addr(1), addr(2))], 2);
}
