//! The bridge from a session to the RIB: what happens when a session comes
//! up, goes down, or receives routes.

use bytes::Bytes;
use condor_rib::{
    GracefulDown, MaxPrefix, MaxPrefixAction, OutQueue, OutReader, PeerId, PeerSpec, RibHandle,
    RibInput, RouteUpdate,
};
use condor_session::driver::{Outbound, OutboundSource, SessionHooks};

/// The RIB's queue reader as the writer's source.
struct RibOut(OutReader);

impl OutboundSource for RibOut {
    fn poll_next(&mut self, cx: &mut std::task::Context<'_>) -> std::task::Poll<Option<Bytes>> {
        self.0.poll_next(cx)
    }
    fn try_next(&mut self) -> Option<Bytes> {
        self.0.try_next()
    }
    fn is_idle(&self) -> bool {
        self.0.is_idle()
    }
}
use condor_policy::MemberImport;
use condor_session::{Negotiated, Reason};
use condor_wire::{RouteRefresh, RouteRefreshSubtype, Update};
use std::sync::Arc;

/// Hooks of one neighbor's session.
pub(crate) struct Hooks {
    id: PeerId,
    name: String,
    addr: std::net::IpAddr,
    max_prefix: Option<MaxPrefix>,
    rib: RibHandle,
    /// The route server's ASN (action communities name it).
    rs_asn: condor_wire::Asn,
    /// Import policy, replaced on reload. A lock, not a channel: it is read
    /// once per session start and written once per reload.
    import: std::sync::Mutex<Arc<MemberImport>>,
    /// The member opted in to receive blackhole routes.
    receive_blackhole: bool,
}

impl Hooks {
    pub(crate) fn new(
        id: PeerId,
        n: &condor_config::Neighbor,
        rib: RibHandle,
        rs_asn: condor_wire::Asn,
        import: Arc<MemberImport>,
    ) -> Hooks {
        let max_prefix = n.max_prefix.as_ref().map(|m| MaxPrefix {
            ipv4: m.ipv4,
            ipv6: m.ipv6,
            action: match m.action {
                condor_config::MaxPrefixAction::Warn => MaxPrefixAction::Warn,
                condor_config::MaxPrefixAction::DropNew => MaxPrefixAction::DropNew,
                condor_config::MaxPrefixAction::Shutdown => MaxPrefixAction::Shutdown,
            },
        });
        Hooks {
            id,
            name: n.name.clone(),
            addr: n.address,
            max_prefix,
            rib,
            rs_asn,
            import: std::sync::Mutex::new(import),
            receive_blackhole: n.receive_blackhole,
        }
    }

    /// Replaces the import policy and has the RIB re-evaluate the peer's paths.
    pub(crate) async fn set_import(&self, import: Arc<MemberImport>) {
        if let Ok(mut g) = self.import.lock() {
            *g = import.clone();
        }
        let _ = self.rib.tx.send(RibInput::SetImport(self.id, import)).await;
    }

    fn import(&self) -> Arc<MemberImport> {
        match self.import.lock() {
            Ok(g) => g.clone(),
            Err(p) => p.into_inner().clone(),
        }
    }
}

impl SessionHooks for Hooks {
    async fn up(&self, neg: &Negotiated) -> Outbound {
        let (out, rx) = OutQueue::new(self.id, neg.families.clone());
        let spec = PeerSpec {
            id: self.id,
            name: self.name.clone(),
            asn: neg.remote_asn,
            addr: self.addr,
            router_id: neg.remote_id,
            tx: neg.codec.reversed(),
            families: neg.families.clone(),
            max_prefix: self.max_prefix.clone(),
            out: out.clone(),
            import: self.import(),
            receive_blackhole: self.receive_blackhole,
        };
        let _ = self.rib.tx.send(RibInput::PeerUp(spec)).await;
        let xon = self.rib.xon.clone();
        let id = self.id;
        Outbound {
            rx: Box::new(RibOut(rx)),
            written: Box::new(move |octets| {
                if out.written(octets) {
                    let _ = xon.send(id);
                }
            }),
        }
    }

    async fn down(&self, reason: &Reason, negotiated: Option<&Negotiated>) {
        let _ = self
            .rib
            .tx
            .send(RibInput::PeerDown(self.id, graceful(reason, negotiated)))
            .await;
    }

    async fn update(&self, update: Update) {
        let routes = RouteUpdate::from_update(update, self.rs_asn);
        if routes.announce.is_empty() && routes.withdraw.is_empty() && routes.end_of_rib.is_none() {
            return;
        }
        let _ = self.rib.tx.send(RibInput::Routes(self.id, routes)).await;
    }

    async fn route_refresh(&self, r: RouteRefresh) {
        if r.subtype == RouteRefreshSubtype::Normal {
            let _ = self
                .rib
                .tx
                .send(RibInput::RouteRefresh(self.id, r.family))
                .await;
        }
    }
}

/// Whether a session that went down keeps its routes as stale (RFC 4724
/// §4.2, RFC 8538): the peer announced graceful restart for some families,
/// and the session ended by a TCP failure, or, with the N bit, by a
/// NOTIFICATION the peer sent (other than Hard Reset) or by our hold timer.
/// A NOTIFICATION we send for any other reason (shutdown, max-prefix, an
/// error of the peer's) ends it for good.
fn graceful(reason: &Reason, negotiated: Option<&Negotiated>) -> Option<GracefulDown> {
    use condor_wire::notification::codes;
    let gr = negotiated?.graceful_restart.as_ref()?;
    let families: Vec<_> = gr.families.iter().map(|(f, _)| *f).collect();
    if families.is_empty() || gr.restart_time == 0 {
        return None;
    }
    let applies = match reason {
        Reason::ConnectionFailed => true,
        Reason::Received(n) => {
            gr.notification && !(n.code == codes::CEASE && n.subcode == codes::CEASE_HARD_RESET)
        }
        Reason::Sent(n) => gr.notification && n.code == codes::HOLD_TIMER_EXPIRED,
        _ => false,
    };
    applies.then(|| GracefulDown {
        restart_time: std::time::Duration::from_secs(u64::from(gr.restart_time)),
        families,
    })
}
