//! RTR version negotiation and ASPA over RTR v2, against the `rpki` crate's
//! own RTR server (the same draft revision as its client) on loopback: with
//! version 2 the ASPA records arrive, with version 1 only the VRPs.

use std::sync::Arc;
use std::time::Duration;

use condor_rtr::{spawn_rtr, CacheConfig, RpkiStore, RtrConfig};
use condor_wire::Asn;
use rpki::resources::{Asn as RAsn, MaxLenPrefix, Prefix as RPrefix};
use rpki::rtr::payload::{Aspa as RAspa, RouteOrigin};
use rpki::rtr::pdu::ProviderAsns;
use rpki::rtr::server::{NotifySender, PayloadDiff, PayloadSet, PayloadSource};
use rpki::rtr::{Action, Payload, PayloadRef, Server, State, Timing};

/// A fixed data set, served in full (no diffs: a serial query gets a reset).
#[derive(Clone)]
struct Fixed {
    items: Arc<Vec<Payload>>,
    state: State,
}

struct Iter {
    items: Arc<Vec<Payload>>,
    pos: usize,
}

impl PayloadSet for Iter {
    fn next(&mut self) -> Option<PayloadRef<'_>> {
        let item = self.items.get(self.pos)?;
        self.pos += 1;
        Some(item.as_ref())
    }
}

struct NoDiff;

impl PayloadDiff for NoDiff {
    fn next(&mut self) -> Option<(PayloadRef<'_>, Action)> {
        None
    }
}

impl PayloadSource for Fixed {
    type Set = Iter;
    type Diff = NoDiff;
    fn ready(&self) -> bool {
        true
    }
    fn notify(&self) -> State {
        self.state
    }
    fn full(&self) -> (State, Iter) {
        (
            self.state,
            Iter {
                items: self.items.clone(),
                pos: 0,
            },
        )
    }
    fn diff(&self, state: State) -> Option<(State, NoDiff)> {
        (state.session() == self.state.session() && state.serial() == self.state.serial())
            .then_some((self.state, NoDiff))
    }
    fn timing(&self) -> Timing {
        Timing::default()
    }
}

/// Starts the server on a free loopback port; returns its address.
async fn serve(items: Vec<Payload>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr").to_string();
    let sockets = Box::pin(futures_util::stream::unfold(listener, |l| async move {
        let next = l.accept().await.map(|(s, _)| s);
        Some((next, l))
    }));
    let source = Fixed {
        items: Arc::new(items),
        state: State::new(),
    };
    tokio::spawn(Server::new(sockets, NotifySender::new(), source).run());
    addr
}

fn data() -> Vec<Payload> {
    let prefix = RPrefix::new("45.183.47.0".parse().expect("addr"), 24).expect("prefix");
    let origin = RouteOrigin::new(
        MaxLenPrefix::new(prefix, Some(24)).expect("max len"),
        RAsn::from_u32(64115),
    );
    let providers = ProviderAsns::try_from_iter([RAsn::from_u32(64510), RAsn::from_u32(64511)])
        .expect("providers");
    vec![
        Payload::Origin(origin),
        Payload::Aspa(RAspa::new(RAsn::from_u32(64501), providers)),
    ]
}

async fn sync(version: u8) -> Arc<condor_rtr::RpkiSnapshot> {
    let address = serve(data()).await;
    let store = Arc::new(RpkiStore::new());
    let config = RtrConfig {
        caches: vec![CacheConfig {
            address,
            preference: 1,
        }],
        initial_version: version,
        ..RtrConfig::default()
    };
    let rtr = spawn_rtr(config, store.clone());
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while store.snapshot().vrps().is_empty() {
        assert!(tokio::time::Instant::now() < deadline, "no sync");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(rtr.caches()[0].resets, 1);
    store.snapshot()
}

#[tokio::test]
async fn version_2_carries_aspa() {
    let s = sync(2).await;
    assert_eq!(s.vrps().len(), 1);
    assert_eq!(s.vrps()[0].asn, Asn(64115));
    assert_eq!(s.providers(Asn(64501)), Some(&[Asn(64510), Asn(64511)][..]));
}

#[tokio::test]
async fn version_1_carries_vrps_only() {
    let s = sync(1).await;
    assert_eq!(s.vrps().len(), 1);
    assert_eq!(s.vrps()[0].max_len, 24);
    assert!(s.aspas().is_empty());
}
