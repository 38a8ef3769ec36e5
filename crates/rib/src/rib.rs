//! The RIB owner: Adj-RIB-In of every client, the per-prefix candidates, the
//! per-client best path of RFC 7947 §2.3 (no path hiding: a client for whom
//! the overall best is not allowed gets the best path that is), and export.
//!
//! Work comes in batches ([`Rib::apply`] many inputs, then [`Rib::end_batch`]).
//! For every prefix a batch touched, the old candidate list is kept, so the
//! change each client must see is known without storing an Adj-RIB-Out per
//! client:
//!
//! * clients that are **in sync** (no backlog, room in their queue) get the
//!   *shared stream*: for each prefix whose overall best changed, the new best
//!   (or a withdrawal) is grouped with others of the same attributes, encoded
//!   once per encoding class and the same bytes are queued to every client of
//!   the class — except the owners of the old and new best, whose answers
//!   differ and are computed for them alone;
//! * clients that are **backlogged** (slow) keep a coalescing map prefix →
//!   what they last received; when they have room again, the map is flushed
//!   in bounded chunks against the current table. Its size is bounded by the
//!   number of prefixes, not by churn;
//! * a client receiving its initial table (or a route refresh) walks the
//!   table in prefix order from a cursor — one prefix of state — and changes
//!   to prefixes the walk has not reached yet need no record at all;
//! * clients that negotiated **ADD-PATH** receive (RFC 7911) get every path
//!   they may have, each under its identifier, computed for each alone
//!   (module `add_path`); they never take the shared stream.

mod add_path;
mod reevaluate;

pub use reevaluate::Scope;

use crate::intern::Interner;
use crate::path::{best, Path, Rank, Route};
use crate::peer::{MaxPrefixAction, PeerId, PeerSpec, SharedBatch, SharedMsg};
use crate::table::Table;
use bytes::Bytes;
use condor_policy::{ExportControl, PathCheck, RpkiCheck};
use condor_wire::{Context, Family, NextHop, Nlri, PathAttributes, Prefix, Update, UpdateBuilder};
use std::collections::{HashMap, HashSet};
use std::ops::Bound;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub use crate::path::Paths;

type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;
type FastSet<K> = HashSet<K, foldhash::fast::RandomState>;

/// Routes from one UPDATE, digested by the session task (which decodes in
/// parallel with other sessions): attributes normalized to the 4-octet form
/// without MP attributes, announcements grouped by next hop, withdrawals.
#[derive(Clone, Debug, Default)]
pub struct RouteUpdate {
    /// Attributes shared by every announcement.
    pub attrs: PathAttributes,
    /// Announced NLRI by next hop.
    pub announce: Vec<(NextHop, Vec<Nlri>)>,
    /// Withdrawn NLRI (any family).
    pub withdraw: Vec<Nlri>,
    /// The UPDATE was an End-of-RIB marker for this family (RFC 4724 §2).
    pub end_of_rib: Option<Family>,
    /// Which members may receive these routes (the member's action
    /// communities, already removed from `attrs`); `None`: every member.
    pub export: Option<ExportControl>,
}

impl RouteUpdate {
    /// Digests a decoded UPDATE received by route server `rs`: RFC 7606
    /// treat-as-withdraw turns the announcements into withdrawals, and the
    /// member's action communities become an [`ExportControl`].
    pub fn from_update(u: Update, rs: condor_wire::Asn) -> RouteUpdate {
        if let Some(f) = u.end_of_rib() {
            return RouteUpdate {
                end_of_rib: Some(f),
                ..RouteUpdate::default()
            };
        }
        let taw = u.treat_as_withdraw();
        let mut withdraw = u.withdrawn;
        if let Some(m) = u.mp_unreach {
            withdraw.extend_from_slice(m.nlri.prefixes());
        }
        let mut announce = Vec::new();
        if !u.nlri.is_empty() {
            match u.attrs.next_hop() {
                Some(nh) if !taw => announce.push((NextHop::V4(nh), u.nlri)),
                _ => withdraw.extend(u.nlri),
            }
        }
        if let Some(m) = u.mp_reach {
            let prefixes = m.nlri.prefixes().to_vec();
            if !prefixes.is_empty() {
                if taw || matches!(m.next_hop, NextHop::Other(_)) {
                    withdraw.extend(prefixes);
                } else {
                    announce.push((m.next_hop, prefixes));
                }
            }
        }
        let (attrs, export) = if announce.is_empty() {
            (PathAttributes::default(), None)
        } else {
            let attrs = u.attrs.normalized();
            let actions = condor_policy::parse_actions(&attrs, rs);
            (actions.stripped.unwrap_or(attrs), actions.control)
        };
        RouteUpdate {
            attrs,
            announce,
            withdraw,
            end_of_rib: None,
            export,
        }
    }
}

/// Something the RIB asks of the rest of the daemon.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RibNotice {
    /// The peer exceeded its prefix limit and must be shut down (Cease/1).
    MaxPrefixShutdown {
        /// The peer.
        peer: PeerId,
        /// The family whose limit was exceeded.
        family: Family,
        /// The limit.
        limit: u32,
    },
}

/// Counters for metrics and benchmarks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RibStats {
    /// Prefixes with at least one path.
    pub prefixes: usize,
    /// Paths in all Adj-RIB-Ins.
    pub paths: usize,
    /// Distinct attribute sets interned.
    pub attr_sets: usize,
    /// Paths held that import policy rejected (counted in `paths`).
    pub paths_filtered: usize,
    /// UPDATE messages queued to clients.
    pub messages_queued: u64,
    /// Of which encoded once and shared by several clients.
    pub messages_shared: u64,
}

struct PeerState {
    spec: PeerSpec,
    /// Paths this peer has in the table per family (IPv4, IPv6), for
    /// max-prefix and statistics. Its Adj-RIB-In is the table itself: a
    /// path is found by (prefix, peer, path id), and the peer's paths by a
    /// walk when its session goes down (ADR 0040).
    count: [u32; 2],
    over_limit_warned: bool,
    /// Coalescing backlog: prefix → the answer the client last received.
    backlog: FastMap<Prefix, Option<Path>>,
    /// A walk of the table in prefix order sending the current answers: the
    /// initial table after the session comes up, or a route refresh. It
    /// costs one prefix of state per client, whatever the table size.
    dump: Option<Dump>,
    /// Families still owed an End-of-RIB after the initial table.
    eor_pending: Vec<Family>,
    builder: UpdateBuilder,
    /// Graceful restart (RFC 4724): paths kept from the previous session,
    /// not yet announced again, and until when they may stay.
    stale: Option<Stale>,
    /// ADD-PATH send (RFC 7911): the client gets every path it may have,
    /// computed for it alone ([`add_path`]); `None` for the others.
    add_path: Option<add_path::AddPathState>,
}

/// The removal of the paths of lost sessions, resumable.
#[derive(Debug)]
struct DownWalk {
    /// The peers, sorted, with the families whose paths stay as stale.
    peers: Vec<(PeerId, Vec<Family>)>,
    /// The last prefix walked.
    after: Option<Prefix>,
}

/// A resumable walk of the table for one client.
#[derive(Debug, Clone)]
struct Dump {
    /// The last prefix sent (or passed); the walk resumes after it.
    after: Option<Prefix>,
    /// The families walked.
    families: Vec<Family>,
    /// A route refresh: the client already holds routes ahead of the walk.
    refresh: bool,
}

impl PeerState {
    /// True while the initial table walk has yet to reach `prefix`: the
    /// walk will send its state then, and the client holds nothing there,
    /// so a change now needs no backlog entry. Not during a route refresh:
    /// the walk only announces, so what the client holds ahead of it and
    /// loses meanwhile must be recorded to be withdrawn.
    fn dump_pending(&self, prefix: &Prefix) -> bool {
        self.dump.as_ref().is_some_and(|d| {
            !d.refresh
                && d.families.contains(&family_of(prefix))
                && d.after.is_none_or(|a| *prefix > a)
        })
    }

    fn in_sync(&self) -> bool {
        self.backlog.is_empty() && self.dump.is_none() && add_path::backlog_empty(self)
    }

    /// Queues the End-of-RIB markers still owed after the initial table.
    fn send_owed_end_of_rib(&mut self) {
        for f in std::mem::take(&mut self.eor_pending) {
            self.spec.out.push(Bytes::from(self.builder.end_of_rib(f)));
        }
    }
}

/// Paths of a peer kept as stale across a restart (RFC 4724 §4.2); the
/// paths themselves carry the stale mark.
#[derive(Debug)]
struct Stale {
    families: Vec<Family>,
    deadline: Instant,
    /// Paths per family, for max-prefix.
    count: [u32; 2],
}

impl PeerState {
    fn wants(&self, prefix: &Prefix) -> bool {
        self.spec.families.contains(&family_of(prefix))
    }
}

/// Max-prefix (per family) for a path that is new to the table: counts it
/// and answers whether it may go in.
fn admit(state: &mut PeerState, notices: &mut Vec<RibNotice>, prefix: Prefix) -> bool {
    let fi = fam_index(&prefix);
    let limit = state
        .spec
        .max_prefix
        .as_ref()
        .and_then(|m| if fi == 0 { m.ipv4 } else { m.ipv6 }.map(|l| (l, m.action)));
    if let Some((limit, action)) = limit.filter(|(l, _)| state.count[fi] >= *l) {
        let id = state.spec.id;
        match action {
            MaxPrefixAction::Warn => {
                if !state.over_limit_warned {
                    tracing::warn!(peer = id, name = %state.spec.name, limit, "max-prefix limit exceeded (warn only)");
                    state.over_limit_warned = true;
                }
            }
            MaxPrefixAction::DropNew => {
                if !state.over_limit_warned {
                    tracing::warn!(peer = id, name = %state.spec.name, limit, "max-prefix limit reached: ignoring new prefixes");
                    state.over_limit_warned = true;
                }
                return false;
            }
            MaxPrefixAction::Shutdown => {
                if !state.over_limit_warned {
                    state.over_limit_warned = true;
                    notices.push(RibNotice::MaxPrefixShutdown {
                        peer: id,
                        family: family_of(&prefix),
                        limit,
                    });
                }
                return false;
            }
        }
    }
    state.count[fi] += 1;
    true
}

fn family_of(p: &Prefix) -> Family {
    if p.is_ipv4() {
        Family::IPV4_UNICAST
    } else {
        Family::IPV6_UNICAST
    }
}

fn fam_index(p: &Prefix) -> usize {
    usize::from(!p.is_ipv4())
}

/// [`fam_index`] of a family (IPv4 or IPv6 unicast).
fn family_index(f: Family) -> usize {
    usize::from(f != Family::IPV4_UNICAST)
}

fn same(a: Option<&Path>, b: Option<&Path>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => a.same_route(b),
        _ => false,
    }
}

/// Prefixes a batch touches at most (the RIB task ends a batch there; the
/// removal of lost sessions' paths stops there). The batch keeps the old
/// candidates of each until they are exported, so this bounds its memory.
pub const BATCH_PREFIXES: usize = 16_384;

/// How many backlog entries one client flushes per turn (fairness).
const BACKLOG_CHUNK: usize = 20_000;

/// Key of a group of prefixes encoded together.
#[derive(Clone, PartialEq, Eq, Hash)]
enum GroupKey {
    Announce {
        route: *const Route,
        /// The states the informational communities tag (see `Path::tags`).
        tags: condor_policy::Verdict,
        family: Family,
        /// Times the announcing member's ASN is prepended for this client.
        prepend: u8,
    },
    Withdraw {
        family: Family,
    },
}

/// Encoding classes: clients that receive byte-identical messages.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct ClassKey {
    four_octet: bool,
    extended: bool,
    add_path: u8,
}

struct Group {
    /// A path of the group (attributes and next hop), None for withdrawals.
    path: Option<Path>,
    nlri: Vec<Nlri>,
}

/// The RIB.
pub struct Rib {
    /// Candidates per prefix, ordered so that a walk can resume anywhere.
    table: Table,
    peers: HashMap<PeerId, PeerState>,
    interner: Interner,
    /// Old candidates of the prefixes touched in this batch.
    touched: FastMap<Prefix, Paths>,
    /// Peers whose session went down, with the families whose paths stay
    /// as stale (graceful restart): their paths leave the table in one walk,
    /// whatever the number of peers.
    pending_down: Vec<(PeerId, Vec<Family>)>,
    /// The walk removing them, if one is under way: it stops when a batch
    /// has touched [`BATCH_PREFIXES`] prefixes and goes on in the next, so a
    /// mass session loss does not snapshot the whole table at once.
    down_walk: Option<DownWalk>,
    /// Peers whose import policy changed: re-evaluated in one walk.
    pending_import: FastSet<PeerId>,
    notices: Vec<RibNotice>,
    stats: RibStats,
    /// Peers whose session is down but restarting (graceful restart helper).
    restarting: HashMap<PeerId, Stale>,
    /// RPKI data for import policy.
    rpki: Option<Arc<dyn RpkiCheck>>,
    /// Paths held that import policy rejected.
    filtered: usize,
    /// Path identifiers sent to ADD-PATH clients for paths received with one.
    path_ids: add_path::PathIds,
}

impl Default for Rib {
    fn default() -> Self {
        Rib::new()
    }
}

impl Rib {
    /// An empty RIB.
    pub fn new() -> Rib {
        Rib {
            table: Table::default(),
            peers: HashMap::new(),
            interner: Interner::default(),
            touched: FastMap::default(),
            pending_down: Vec::new(),
            down_walk: None,
            pending_import: FastSet::default(),
            notices: Vec::new(),
            stats: RibStats::default(),
            restarting: HashMap::new(),
            rpki: None,
            filtered: 0,
            path_ids: add_path::PathIds::default(),
        }
    }

    /// Counters.
    pub fn stats(&self) -> RibStats {
        RibStats {
            prefixes: self.table.len(),
            paths: self
                .peers
                .values()
                .map(|p| p.count)
                .chain(self.restarting.values().map(|s| s.count))
                .map(|[a, b]| a as usize + b as usize)
                .sum(),
            attr_sets: self.interner.len(),
            paths_filtered: self.filtered,
            ..self.stats
        }
    }

    /// Notices produced since the last call.
    pub fn take_notices(&mut self) -> Vec<RibNotice> {
        std::mem::take(&mut self.notices)
    }

    /// The candidates for a prefix, in a fixed order.
    pub fn candidates(&self, prefix: &Prefix) -> &[Path] {
        self.table.get(prefix).map_or(&[], |v| v.as_slice())
    }

    /// The path `peer` should have for `prefix` (its per-client best).
    pub fn answer_for(&self, peer: PeerId, prefix: &Prefix) -> Option<&Path> {
        let spec = &self.peers.get(&peer)?.spec;
        answer(self.candidates(prefix), spec)
    }

    /// The whole table, for the read queries of [`crate::query`].
    pub(crate) fn table(&self) -> &Table {
        &self.table
    }

    /// Prefixes touched since the batch began (the task ends a batch early
    /// when they are many, which bounds the batch's working memory).
    pub fn pending_prefixes(&self) -> usize {
        self.touched.len()
    }

    /// The spec of every peer whose session is up, for [`crate::query`].
    pub(crate) fn peer_specs(&self) -> impl Iterator<Item = &PeerSpec> {
        self.peers.values().map(|s| &s.spec)
    }

    /// Every client with its ASN and whether it takes IPv4 and IPv6
    /// unicast (indexed like `fam_index`), for the looking glass's scans.
    pub(crate) fn client_families(&self) -> Vec<(PeerId, condor_wire::Asn, [bool; 2])> {
        self.peer_specs()
            .map(|s| {
                let wants = [
                    s.families.contains(&Family::IPV4_UNICAST),
                    s.families.contains(&Family::IPV6_UNICAST),
                ];
                (s.id, s.asn, wants)
            })
            .collect()
    }

    fn touch(&mut self, prefix: Prefix) {
        if !self.touched.contains_key(&prefix) {
            let old = self.table.get(&prefix).cloned().unwrap_or_default();
            self.touched.insert(prefix, old);
        }
    }

    /// Carries out what was deferred to one walk of the table: the removal
    /// of the paths of peers whose sessions went down, and the
    /// re-evaluation of peers whose import policy changed. Runs before
    /// anything that reads the table or depends on it.
    pub fn settle(&mut self) {
        while self.down_walk_step(usize::MAX) {}
        self.reevaluate_pending_imports();
    }

    /// True while paths of lost sessions are still being removed (the task
    /// ends batches until they are gone).
    pub fn removal_pending(&self) -> bool {
        self.down_walk.is_some() || !self.pending_down.is_empty()
    }

    /// Goes on with the removal of lost sessions' paths until the batch has
    /// touched `limit` prefixes. Returns true when more remains.
    fn down_walk_step(&mut self, limit: usize) -> bool {
        let mut walk = match self.down_walk.take() {
            Some(w) => w,
            None if self.pending_down.is_empty() => return false,
            None => {
                let mut peers = std::mem::take(&mut self.pending_down);
                peers.sort_unstable_by_key(|d| d.0);
                DownWalk { peers, after: None }
            }
        };
        let peers = &walk.peers;
        let kept = |p: &Path, family: Family| -> Option<bool> {
            peers
                .binary_search_by_key(&p.peer, |d| d.0)
                .ok()
                .map(|i| peers[i].1.contains(&family))
        };
        // Without clients, nobody needs to be told: no snapshots.
        let record = !self.peers.is_empty();
        let touched = &mut self.touched;
        let filtered = &mut self.filtered;
        let start = walk.after.map_or(Bound::Unbounded, Bound::Excluded);
        let stopped = self
            .table
            .walk_mut(start.as_ref(), Bound::Unbounded, |prefix, paths| {
                let family = family_of(&prefix);
                if !paths.iter().any(|p| kept(p, family) == Some(false)) {
                    for p in paths.iter_mut() {
                        if kept(p, family) == Some(true) {
                            p.stale = true;
                        }
                    }
                    return true;
                }
                if record {
                    touched.entry(prefix).or_insert_with(|| paths.clone());
                }
                paths.retain(|p| match kept(p, family) {
                    None => true,
                    Some(true) => {
                        p.stale = true;
                        true
                    }
                    Some(false) => {
                        *filtered -= usize::from(!p.verdict.is_accepted());
                        false
                    }
                });
                touched.len() < limit
            });
        match stopped {
            Some(p) => {
                walk.after = Some(p);
                self.down_walk = Some(walk);
                true
            }
            None => !self.pending_down.is_empty(),
        }
    }

    /// A session came up: the client gets the whole table, then End-of-RIB.
    /// A peer back from a graceful restart keeps its stale paths until it
    /// announces them again or sends End-of-RIB.
    pub fn peer_up(&mut self, spec: PeerSpec) {
        if self.peers.contains_key(&spec.id) {
            self.peer_down(spec.id);
        }
        // The paths of its previous session leave before new ones come.
        self.settle();
        let dump = Some(Dump {
            after: None,
            families: spec.families.clone(),
            refresh: false,
        });
        // Its own stale paths are not sent back to it.
        let stale = self.restarting.remove(&spec.id);
        let count = stale.as_ref().map_or([0, 0], |st| st.count);
        let builder = UpdateBuilder::new(spec.tx);
        let eor_pending = spec.families.clone();
        let add_path = add_path::AddPathState::for_client(&spec);
        tracing::debug!(peer = spec.id, name = %spec.name, table = self.table.len(), stale = count[0] + count[1], "rib: client up");
        self.peers.insert(
            spec.id,
            PeerState {
                spec,
                count,
                over_limit_warned: false,
                backlog: FastMap::default(),
                dump,
                eor_pending,
                builder,
                stale,
                add_path,
            },
        );
    }

    /// A session went down but the peer announced graceful restart (RFC
    /// 4724 §4.2): its paths of `families` stay, marked stale, for
    /// `restart_time`; the others are withdrawn now.
    pub fn peer_down_graceful(
        &mut self,
        id: PeerId,
        restart_time: Duration,
        families: Vec<Family>,
        now: Instant,
    ) {
        let Some(state) = self.peers.remove(&id) else {
            return;
        };
        let mut count = [0, 0];
        for f in &families {
            let i = family_index(*f);
            count[i] = state.count[i];
        }
        tracing::debug!(
            peer = id,
            stale = count[0] + count[1],
            ?restart_time,
            "rib: client restarting, paths kept as stale"
        );
        self.pending_down.push((id, families.clone()));
        self.restarting.insert(
            id,
            Stale {
                families,
                deadline: now + restart_time,
                count,
            },
        );
    }

    /// When the next stale deadline falls, if any.
    pub fn next_stale_deadline(&self) -> Option<Instant> {
        let down = self.restarting.values().map(|s| s.deadline);
        let up = self
            .peers
            .values()
            .filter_map(|p| p.stale.as_ref().map(|s| s.deadline));
        down.chain(up).min()
    }

    /// Removes stale paths whose time is up.
    pub fn expire_stale(&mut self, now: Instant) {
        let gone: Vec<PeerId> = self
            .restarting
            .iter()
            .filter(|(_, s)| s.deadline <= now)
            .map(|(id, _)| *id)
            .collect();
        for id in gone {
            if let Some(st) = self.restarting.remove(&id) {
                tracing::info!(
                    peer = id,
                    paths = st.count[0] + st.count[1],
                    "graceful restart timer expired: stale paths removed"
                );
                self.pending_down.push((id, Vec::new()));
            }
        }
        let late: Vec<PeerId> = self
            .peers
            .iter()
            .filter(|(_, p)| p.stale.as_ref().is_some_and(|s| s.deadline <= now))
            .map(|(id, _)| *id)
            .collect();
        for id in late {
            let families = self.peers[&id]
                .stale
                .as_ref()
                .map(|s| s.families.clone())
                .unwrap_or_default();
            for f in families {
                self.sweep_stale(id, f);
            }
        }
    }

    /// End-of-RIB from a restarted peer: its paths of `family` that were not
    /// announced again are withdrawn (one walk of the family's part of the
    /// table).
    fn sweep_stale(&mut self, id: PeerId, family: Family) {
        let Some(state) = self.peers.get_mut(&id) else {
            return;
        };
        let Some(st) = state.stale.as_mut() else {
            return;
        };
        if !st.families.contains(&family) {
            return;
        }
        st.families.retain(|f| *f != family);
        if st.families.is_empty() {
            state.stale = None;
        }
        let mut removed = 0;
        let touched = &mut self.touched;
        let filtered = &mut self.filtered;
        self.table
            .for_each_mut(Some(family == Family::IPV4_UNICAST), |prefix, paths| {
                if !paths.iter().any(|p| p.peer == id && p.stale) {
                    return;
                }
                touched.entry(prefix).or_insert_with(|| paths.clone());
                paths.retain(|p| {
                    let gone = p.peer == id && p.stale;
                    if gone {
                        removed += 1;
                        *filtered -= usize::from(!p.verdict.is_accepted());
                    }
                    !gone
                });
            });
        if let Some(state) = self.peers.get_mut(&id) {
            let i = family_index(family);
            state.count[i] = state.count[i].saturating_sub(removed);
        }
    }

    /// A session went down: its paths are withdrawn from every client.
    pub fn peer_down(&mut self, id: PeerId) {
        if self.peers.remove(&id).is_none() {
            return;
        }
        self.pending_down.push((id, Vec::new()));
        tracing::debug!(peer = id, "rib: client down, paths withdrawn");
    }

    /// A client asked for the full Adj-RIB-Out of a family again (RFC 2918):
    /// the walk starts over (with the families still being walked).
    pub fn route_refresh(&mut self, id: PeerId, family: Family) {
        if let Some(state) = self.peers.get_mut(&id) {
            let mut families = state.dump.take().map(|d| d.families).unwrap_or_default();
            if !families.contains(&family) {
                families.push(family);
            }
            // The walk sends the current state of these prefixes; the
            // backlog, flushed first, also withdraws what the client holds
            // and is gone.
            state.dump = Some(Dump {
                after: None,
                families,
                refresh: true,
            });
        }
    }

    /// Applies the routes of one UPDATE from `id`.
    pub fn routes(&mut self, id: PeerId, update: RouteUpdate) {
        let Some(state) = self.peers.get(&id) else {
            return;
        };
        let router_id = state.spec.router_id;
        let peer_addr = state.spec.addr;
        let import = state.spec.import.clone();
        if let Some(f) = update.end_of_rib {
            self.sweep_stale(id, f);
            return;
        }
        for n in &update.withdraw {
            self.remove_path(id, n);
        }
        if update.announce.is_empty() {
            return;
        }
        let rpki = self.rpki.clone();
        let check = PathCheck::new(&update.attrs, &import, rpki.as_deref());
        // RFC 7999 §3.2: a blackhole route is passed on with NO_EXPORT added
        // and the IXP's blackhole next hop.
        let blackhole = import
            .filters
            .blackhole
            .as_ref()
            .filter(|_| check.is_blackhole());
        let mut received = update.attrs;
        if let Some(rs) = import
            .filters
            .otc_egress
            .filter(|_| received.otc().is_none())
        {
            received = received.with_attr(
                condor_wire::attr::flags::OPTIONAL | condor_wire::attr::flags::TRANSITIVE,
                condor_wire::attr::types::OTC,
                Some(&rs.0.to_be_bytes()),
            );
        }
        let informational = import.filters.informational;
        if let Some(s) =
            informational.and_then(|rs| condor_policy::informational::scrub(&received, rs))
        {
            received = s;
        }
        let attrs = match blackhole {
            Some(_) => self.interner.attrs(with_no_export(&received)),
            None => self.interner.attrs(received),
        };
        let export = update.export;
        let rank = Rank::of(&attrs, preference(&attrs), router_id, peer_addr);
        for (nh, nlri) in update.announce {
            let route = self.interner.route(Route {
                attrs: attrs.clone(),
                next_hop: nh,
                export: export.clone(),
                rank,
                informational,
            });
            for n in nlri {
                let route = match blackhole.and_then(|b| b.next_hop_for(&n.prefix)) {
                    Some(b) => self.interner.route(Route {
                        attrs: attrs.clone(),
                        next_hop: b,
                        export: export.clone(),
                        rank,
                        informational,
                    }),
                    None => route.clone(),
                };
                let verdict = check.route(&n.prefix, &route.next_hop, &import, rpki.as_deref());
                let path = Path {
                    peer: id,
                    path_id: n.path_id.unwrap_or(0),
                    route,
                    verdict,
                    stale: false,
                };
                self.insert_path(id, n.prefix, path);
            }
        }
    }

    fn remove_path(&mut self, id: PeerId, n: &Nlri) {
        let Some(v) = self.table.get_mut(&n.prefix) else {
            return;
        };
        let Ok(i) = v.position(id, n.path_id.unwrap_or(0)) else {
            return;
        };
        self.touched.entry(n.prefix).or_insert_with(|| v.clone());
        let old = v.remove(i);
        self.filtered -= usize::from(!old.verdict.is_accepted());
        if v.is_empty() {
            self.table.remove(&n.prefix);
        }
        if let Some(state) = self.peers.get_mut(&id) {
            let c = &mut state.count[fam_index(&n.prefix)];
            *c = c.saturating_sub(1);
        }
    }

    fn insert_path(&mut self, id: PeerId, prefix: Prefix, path: Path) {
        let Some(state) = self.peers.get_mut(&id) else {
            return;
        };
        let accepted = path.verdict.is_accepted();
        match self.table.entry(prefix) {
            Ok(v) => {
                let at = v.position(id, path.path_id);
                if at.is_err() && !admit(state, &mut self.notices, prefix) {
                    return;
                }
                self.touched.entry(prefix).or_insert_with(|| v.clone());
                match at {
                    Ok(i) => {
                        let old = std::mem::replace(&mut v[i], path);
                        self.filtered -= usize::from(!old.verdict.is_accepted());
                    }
                    Err(i) => v.insert(i, path),
                }
            }
            Err(e) => {
                if !admit(state, &mut self.notices, prefix) {
                    return;
                }
                self.touched.entry(prefix).or_default();
                e.insert(Paths::one(path));
            }
        }
        self.filtered += usize::from(!accepted);
    }

    /// Computes what every client must receive for the prefixes touched
    /// since the last call, and queues it. Then flushes backlogs.
    pub fn end_batch(&mut self) {
        self.down_walk_step(BATCH_PREFIXES);
        self.reevaluate_pending_imports();
        let mut touched = std::mem::take(&mut self.touched);
        if !touched.is_empty() {
            self.export_changes(touched.drain());
        }
        // The map is kept for the next batch (no regrowth), unless an
        // unusual batch (a mass session loss) made it large.
        if touched.capacity() <= 4 * BATCH_PREFIXES {
            self.touched = touched;
        }
        self.flush_backlogs();
    }

    fn export_changes(&mut self, touched: impl Iterator<Item = (Prefix, Paths)>) {
        // Who takes the shared stream in this batch.
        let in_sync: HashSet<PeerId> = self
            .peers
            .iter()
            .filter(|(_, s)| s.add_path.is_none() && s.in_sync() && s.spec.out.has_room())
            .map(|(id, _)| *id)
            .collect();
        let backlogged: Vec<PeerId> = self
            .peers
            .iter()
            .filter(|(id, s)| s.add_path.is_none() && !in_sync.contains(id))
            .map(|(id, _)| *id)
            .collect();
        // ADD-PATH clients: their changes are computed for each alone.
        let mut add_path = add_path::Batch::new(&self.peers);

        let mut shared: FastMap<(GroupKey, [Option<PeerId>; 2]), Group> = FastMap::default();
        let mut personal: FastMap<PeerId, FastMap<GroupKey, Group>> = FastMap::default();
        for (prefix, old) in touched {
            let new = self.table.get(&prefix).map_or(&[][..], |v| v.as_slice());
            let b_old = best(&old, |_| true);
            let b_new = best(new, |_| true);
            let family = family_of(&prefix);
            let owners = [b_old.map(|p| p.peer), b_new.map(|p| p.peer)];
            if !add_path.is_empty() {
                add_path.prefix(&mut self.peers, &mut self.path_ids, prefix, &old, new);
            }
            for id in &backlogged {
                let s = self.peers.get_mut(id).expect("listed above");
                if s.wants(&prefix) && !s.dump_pending(&prefix) && !s.backlog.contains_key(&prefix)
                {
                    let last = answer(&old, &s.spec).cloned();
                    s.backlog.insert(prefix, last);
                }
            }
            // A best path that members' action communities keep from some
            // clients or change for them, or a blackhole route: every
            // client's answer is its own (rare).
            let restricted =
                b_old.is_some_and(Path::restricted) || b_new.is_some_and(Path::restricted);
            let personal_ids: Vec<PeerId> = if restricted {
                in_sync.iter().copied().collect()
            } else {
                owners
                    .iter()
                    .flatten()
                    .filter(|id| in_sync.contains(id))
                    .copied()
                    .collect()
            };
            for id in &personal_ids {
                let Some(s) = self.peers.get(id).filter(|s| s.wants(&prefix)) else {
                    continue;
                };
                let o = answer(&old, &s.spec);
                let n = answer(new, &s.spec);
                if !same(o, n) {
                    push_group(
                        personal.entry(*id).or_default(),
                        Nlri::new(prefix),
                        family,
                        n,
                        s.spec.asn,
                    );
                }
            }
            if !restricted && !same(b_old, b_new) {
                let excl = if owners[0] == owners[1] {
                    [owners[0], None]
                } else {
                    owners
                };
                let (key, path) = group_key(family, b_new);
                let g = shared.entry((key, excl)).or_insert_with(|| Group {
                    path,
                    nlri: Vec::new(),
                });
                g.nlri.push(Nlri::new(prefix));
            }
        }

        // Shared groups: encode once per class, queue to every recipient.
        let mut recipients_by_class: HashMap<ClassKey, Vec<PeerId>> = HashMap::new();
        for id in &in_sync {
            let s = &self.peers[id];
            let c = ClassKey {
                four_octet: s.spec.tx.four_octet_as,
                extended: s.spec.tx.extended_messages,
                add_path: s.spec.tx.add_path_rx,
            };
            recipients_by_class.entry(c).or_default().push(*id);
        }
        // Encode each group once per class into the class's shared batch;
        // every recipient gets one queue entry for the whole batch.
        let mut batches: HashMap<ClassKey, SharedBatch> = HashMap::new();
        for ((key, excl), group) in shared {
            let family = key.family();
            for (class, members) in &recipients_by_class {
                let wanted = members.iter().any(|id| {
                    !excl.contains(&Some(*id)) && self.peers[id].spec.families.contains(&family)
                });
                if !wanted {
                    continue;
                }
                let msgs = encode_group(&self.peers[&members[0]].builder, family, &group);
                let batch = batches.entry(*class).or_default();
                batch.msgs.extend(msgs.into_iter().map(|bytes| SharedMsg {
                    bytes,
                    excluded: excl,
                    family,
                }));
            }
        }
        for (class, batch) in batches {
            let batch = Arc::new(batch);
            let mut takers = 0;
            for id in &recipients_by_class[&class] {
                let s = &self.peers[id];
                let (n, octets) = batch.count_for(*id, &s.spec.families);
                if n > 0 {
                    s.spec.out.push_shared(batch.clone(), octets);
                    self.stats.messages_queued += n as u64;
                    takers += 1;
                }
            }
            if takers > 1 {
                self.stats.messages_shared += batch.msgs.len() as u64;
            }
        }
        for (id, groups) in personal {
            self.stats.messages_queued += queue_groups(&self.peers[&id], groups);
        }
        self.stats.messages_queued += add_path.finish(&self.peers);
    }

    /// Flushes backlogged clients that have room, a bounded chunk each.
    /// Returns true when a client with room still has backlog (call again
    /// soon); clients without room wait for their XON.
    pub fn flush_backlogs(&mut self) -> bool {
        let mut more = false;
        let ids: Vec<PeerId> = self.peers.keys().copied().collect();
        for id in ids {
            let s = self.peers.get_mut(&id).expect("listed above");
            if s.in_sync() {
                s.send_owed_end_of_rib();
                continue;
            }
            if !s.spec.out.has_room() {
                // Waits for its XON.
                continue;
            }
            if s.add_path.is_some() {
                let (n, done) = add_path::flush(s, &self.table, &mut self.path_ids);
                self.stats.messages_queued += n;
                more |= !done;
                continue;
            }
            let mut groups: FastMap<GroupKey, Group> = FastMap::default();
            let chunk: Vec<Prefix> = s.backlog.keys().take(BACKLOG_CHUNK).copied().collect();
            let mut budget = BACKLOG_CHUNK - chunk.len();
            for prefix in chunk {
                let last = s.backlog.remove(&prefix).flatten();
                let now = answer(
                    self.table.get(&prefix).map_or(&[][..], |v| v.as_slice()),
                    &s.spec,
                );
                if !same(last.as_ref(), now) {
                    push_group(
                        &mut groups,
                        Nlri::new(prefix),
                        family_of(&prefix),
                        now,
                        s.spec.asn,
                    );
                }
            }
            if budget > 0 {
                if let Some(d) = s.dump.as_mut() {
                    let start = match d.after {
                        Some(a) => Bound::Excluded(a),
                        None => Bound::Unbounded,
                    };
                    let mut finished = true;
                    for (ref prefix, paths) in self.table.range(start.as_ref(), Bound::Unbounded) {
                        if budget == 0 {
                            finished = false;
                            break;
                        }
                        budget -= 1;
                        d.after = Some(*prefix);
                        if !d.families.contains(&family_of(prefix)) {
                            continue;
                        }
                        if let Some(p) = answer(paths, &s.spec) {
                            push_group(
                                &mut groups,
                                Nlri::new(*prefix),
                                family_of(prefix),
                                Some(p),
                                s.spec.asn,
                            );
                        }
                    }
                    if finished {
                        s.dump = None;
                    }
                }
            }
            self.stats.messages_queued += queue_groups(s, groups);
            if s.in_sync() {
                s.send_owed_end_of_rib();
            } else {
                more = true;
            }
        }
        self.interner.maybe_collect();
        more
    }
}

/// `attrs` with NO_EXPORT (RFC 1997) among its communities.
fn with_no_export(attrs: &PathAttributes) -> PathAttributes {
    use condor_wire::Community;
    if attrs.has_community(Community::NO_EXPORT) {
        return attrs.clone();
    }
    attrs.with_communities(attrs.communities().chain([Community::NO_EXPORT]))
}

/// Our degree of preference for a path (decision step 1): 100, or 0 for a
/// path tagged GRACEFUL_SHUTDOWN (RFC 8326 §4: the receiver lowers it so
/// that traffic moves before the session goes down).
fn preference(attrs: &PathAttributes) -> u32 {
    if attrs.has_community(condor_wire::Community::GRACEFUL_SHUTDOWN) {
        0
    } else {
        100
    }
}

/// The best path client `c` may have: not its own, allowed by the sender's
/// action communities, and a blackhole route only if it opted in (RFC 7947
/// §2.3: the best of the allowed, not nothing).
fn answer<'a>(paths: &'a [Path], c: &PeerSpec) -> Option<&'a Path> {
    best(paths, |p| may_have(p, c))
}

/// True when client `c` may receive `p` (if import accepted it): not its
/// own, allowed by the sender's action communities, and a blackhole route
/// only if it opted in.
fn may_have(p: &Path, c: &PeerSpec) -> bool {
    p.peer != c.id && p.allows(c.asn) && (c.receive_blackhole || !p.verdict.is_blackhole())
}

fn group_key(family: Family, p: Option<&Path>) -> (GroupKey, Option<Path>) {
    match p {
        Some(p) => (
            GroupKey::Announce {
                route: Arc::as_ptr(&p.route),
                tags: p.tags(),
                family,
                prepend: 0,
            },
            Some(p.clone()),
        ),
        None => (GroupKey::Withdraw { family }, None),
    }
}

/// `p` as sent to the member with ASN `client`: with the prepends the
/// announcing member asked for (its first AS, repeated).
fn with_prepends(p: &Path, client: condor_wire::Asn) -> (u8, Option<Path>) {
    let n = p.export().map_or(0, |e| e.prepend_for(client));
    if n == 0 {
        return (0, None);
    }
    let Some(mut path) = p.attrs().as_path() else {
        return (0, None);
    };
    let Some(first) = path.first_asn() else {
        return (0, None);
    };
    path.prepend(first, usize::from(n));
    let mut v = Vec::new();
    path.encode(true, &mut v);
    let attrs = p.attrs().with_attr(
        condor_wire::attr::flags::TRANSITIVE,
        condor_wire::attr::types::AS_PATH,
        Some(&v),
    );
    let mut out = p.clone();
    out.route = Arc::new(Route {
        attrs: Arc::new(attrs),
        next_hop: p.route.next_hop.clone(),
        export: p.route.export.clone(),
        rank: p.route.rank,
        informational: p.route.informational,
    });
    (n, Some(out))
}

impl GroupKey {
    fn family(&self) -> Family {
        match *self {
            GroupKey::Announce { family, .. } | GroupKey::Withdraw { family } => family,
        }
    }
}

/// Encodes `groups` for client `s` alone and queues them; returns how many
/// messages were queued.
fn queue_groups(s: &PeerState, groups: FastMap<GroupKey, Group>) -> u64 {
    let mut n = 0;
    for (key, group) in groups {
        for m in encode_group(&s.builder, key.family(), &group) {
            s.spec.out.push(m);
            n += 1;
        }
    }
    n
}

/// Adds `nlri` (with its path identifier for ADD-PATH clients) to the group
/// of `p` as sent to member `client`, or to the withdrawals when `p` is None.
fn push_group(
    groups: &mut FastMap<GroupKey, Group>,
    nlri: Nlri,
    family: Family,
    p: Option<&Path>,
    client: condor_wire::Asn,
) {
    let (mut key, mut path) = group_key(family, p);
    if let (GroupKey::Announce { prepend, .. }, Some(orig)) = (&mut key, p) {
        if orig.route.export.is_some() {
            let (n, changed) = with_prepends(orig, client);
            *prepend = n;
            if changed.is_some() {
                path = changed;
            }
        }
    }
    groups
        .entry(key)
        .or_insert_with(|| Group {
            path,
            nlri: Vec::new(),
        })
        .nlri
        .push(nlri);
}

fn encode_group(builder: &UpdateBuilder, family: Family, g: &Group) -> Vec<Bytes> {
    let mut out = Vec::new();
    let ctx: &Context = builder.context();
    let result = match &g.path {
        Some(p) => {
            // Every path of the group has the same tags (`GroupKey`).
            let tagged = p
                .route
                .informational
                .and_then(|rs| condor_policy::informational::tag(p.attrs(), p.verdict, rs));
            let base = tagged.as_ref().unwrap_or(p.attrs());
            let attrs = if ctx.four_octet_as {
                None
            } else {
                Some(base.to_two_octet())
            };
            builder.announce(
                attrs.as_ref().unwrap_or(base),
                p.next_hop(),
                family,
                &g.nlri,
                &mut out,
            )
        }
        None => builder.withdraw(family, &g.nlri, &mut out),
    };
    if let Err(e) = result {
        // Attributes too large for this client's maximum message size: the
        // prefixes cannot be sent with them (RFC 4271 has no other option).
        tracing::warn!(error = %e, prefixes = g.nlri.len(), "rib: cannot encode UPDATE for client");
    }
    out.into_iter().map(Bytes::from).collect()
}
