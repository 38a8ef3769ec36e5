//! The data set one RTR cache has sent us, kept up to date from its Cache
//! Response / Serial Notify cycles (RFC 8210 §5, §8) through the `rpki`
//! crate's `PayloadTarget` interface. IPv4/IPv6 Prefix PDUs become [`Vrp`]s,
//! ASPA PDUs (RTR v2, draft-ietf-sidrops-8210bis) become [`Aspa`] records;
//! router keys are ignored (no BGPsec).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use condor_wire::{Asn, Prefix};
use rpki::rtr::client::{PayloadError, PayloadTarget, PayloadUpdate};
use rpki::rtr::{Action, Payload, Timing};
use tokio::sync::mpsc;

use crate::model::{Aspa, Vrp};
use crate::snapshot::RpkiSnapshot;

/// A fully applied update of one cache.
#[derive(Debug)]
pub(crate) struct Synced {
    /// Index of the cache in the configuration.
    pub idx: usize,
    /// The cache's whole data set after the update.
    pub snapshot: Arc<RpkiSnapshot>,
    /// The timers of its last End of Data PDU (RFC 8210 §5.8, §6).
    pub timing: Timing,
    /// True for a full reload (Reset Query), false for a Serial Query delta.
    pub reset: bool,
}

/// What a cache task reports to the coordinator, in order on one channel
/// (so that a loss is never overtaken by the update before it).
#[derive(Debug)]
pub(crate) enum Event {
    /// An update was applied.
    Synced(Synced),
    /// The connection to cache `idx` was lost or could not be made.
    Down(usize),
}

/// One Cache Response's worth of changes, applied at End of Data.
#[derive(Debug, Default)]
pub(crate) struct Batch {
    reset: bool,
    items: Vec<(Action, Payload)>,
}

impl PayloadUpdate for Batch {
    fn push_update(&mut self, action: Action, payload: Payload) -> Result<(), PayloadError> {
        self.items.push((action, payload));
        Ok(())
    }
}

/// The per-cache payload set.
#[derive(Debug)]
pub(crate) struct CacheData {
    idx: usize,
    vrps: BTreeSet<Vrp>,
    aspas: BTreeMap<Asn, Vec<Asn>>,
    tx: mpsc::UnboundedSender<Event>,
    timing: Timing,
    /// Updates applied (End of Data reached) since creation.
    applied: u64,
}

impl CacheData {
    pub(crate) fn new(idx: usize, tx: mpsc::UnboundedSender<Event>) -> CacheData {
        CacheData {
            idx,
            vrps: BTreeSet::new(),
            aspas: BTreeMap::new(),
            tx,
            timing: Timing::default(),
            applied: 0,
        }
    }

    /// How many updates (each closed by an End of Data PDU) were applied.
    pub(crate) fn applied(&self) -> u64 {
        self.applied
    }

    /// The timers of the last End of Data PDU (the RFC 8210 §6 defaults before one).
    pub(crate) fn timing(&self) -> Timing {
        self.timing
    }

    /// Tells the coordinator the connection is gone.
    pub(crate) fn report_down(&self) {
        let _ = self.tx.send(Event::Down(self.idx));
    }
}

impl PayloadTarget for CacheData {
    type Update = Batch;

    fn start(&mut self, reset: bool) -> Batch {
        Batch {
            reset,
            items: Vec::new(),
        }
    }

    fn apply(&mut self, update: Batch, timing: Timing) -> Result<(), PayloadError> {
        self.timing = timing;
        self.applied += 1;
        let reset = update.reset;
        if update.reset {
            self.vrps.clear();
            self.aspas.clear();
        }
        for (action, payload) in update.items {
            match payload {
                Payload::Origin(o) => {
                    let (addr, len) = (o.prefix.addr(), o.prefix.prefix_len());
                    let Ok(prefix) = Prefix::new(addr, len) else {
                        return Err(PayloadError::Corrupt);
                    };
                    let vrp = Vrp {
                        prefix,
                        max_len: o.prefix.resolved_max_len(),
                        asn: Asn(o.asn.into_u32()),
                    };
                    // Lenient on duplicate announcements and unknown
                    // withdrawals: the set stays right either way.
                    match action {
                        Action::Announce => {
                            self.vrps.insert(vrp);
                        }
                        Action::Withdraw => {
                            self.vrps.remove(&vrp);
                        }
                    }
                }
                Payload::Aspa(a) => {
                    let customer = Asn(a.customer.into_u32());
                    // An ASPA PDU replaces the customer's whole record (an
                    // empty set says "no providers"); a withdrawal removes it.
                    if action == Action::Announce {
                        let providers = a.providers.iter().map(|p| Asn(p.into_u32())).collect();
                        self.aspas
                            .insert(customer, Aspa::new(customer, providers).providers);
                    } else {
                        self.aspas.remove(&customer);
                    }
                }
                Payload::RouterKey(_) => {}
            }
        }
        let snapshot = RpkiSnapshot::new(
            self.vrps.iter().copied(),
            self.aspas.iter().map(|(c, p)| Aspa::new(*c, p.clone())),
        );
        let _ = self.tx.send(Event::Synced(Synced {
            idx: self.idx,
            snapshot: Arc::new(snapshot),
            timing,
            reset,
        }));
        Ok(())
    }
}
