//! ADD-PATH send (RFC 7911) to route-server clients: a client that
//! negotiated to receive path identifiers for a family gets **every** path
//! of each prefix that it may have — not its own, allowed by the sender's
//! action communities, a blackhole route only if it opted in: the filter of
//! the per-client best path of RFC 7947 §2.3.2, without the choice of one —
//! each under a stable path identifier. Changes go out incrementally: a new
//! or changed path is announced under its identifier (which replaces what
//! the client held under it, RFC 7911 §3), a path that is gone is withdrawn
//! by its identifier.
//!
//! Such clients are few (looking glasses, collectors, some members), so
//! their changes are computed for each alone, never through the shared
//! stream, and the shared stream does no work for them (ADR 0041,
//! `docs/decisions/0041-add-path-send-per-client.md`).
//! As for the other clients there is no Adj-RIB-Out: what a client holds is
//! a function of the candidates, so the change of a batch is the difference
//! between its view of the old candidates (kept by the batch) and of the new
//! ones. A slow client's coalescing backlog keeps, per prefix, the
//! candidates as they were when it last received that prefix; the table
//! walk (initial table, route refresh) announces its view of each prefix;
//! during a route refresh the client already holds paths ahead of the walk,
//! so changes there go to the backlog too, which withdraws what left.
//!
//! For a family without ADD-PATH, the same client's view of a prefix is its
//! single per-client best path, sent without identifier.

use super::{answer, family_of, may_have, push_group, queue_groups};
use super::{FastMap, Group, GroupKey, Paths, PeerState, BACKLOG_CHUNK};
use crate::path::Path;
use crate::peer::{PeerId, PeerSpec};
use crate::table::Table;
use condor_wire::{Family, Nlri, Prefix};
use smallvec::SmallVec;
use std::collections::HashMap;
use std::ops::Bound;

/// What an ADD-PATH client needs beyond the state of every client.
#[derive(Debug, Default)]
pub(super) struct AddPathState {
    /// Coalescing backlog: prefix → the candidates as they were when the
    /// client last received that prefix's state (its view of them is what
    /// it holds). Bounded by the number of prefixes, like the backlog of
    /// the other clients.
    backlog: FastMap<Prefix, Paths>,
}

impl AddPathState {
    /// The state for a client that receives path identifiers for at least
    /// one of its families; `None` for the others.
    pub(super) fn for_client(spec: &PeerSpec) -> Option<AddPathState> {
        spec.families
            .iter()
            .any(|f| spec.tx.add_path_rx(*f))
            .then(AddPathState::default)
    }
}

/// True when the client has no ADD-PATH backlog (or is no ADD-PATH client).
pub(super) fn backlog_empty(s: &PeerState) -> bool {
    s.add_path.as_ref().is_none_or(|a| a.backlog.is_empty())
}

/// First identifier handed out for a path received with an identifier of
/// its own (see [`PathIds`]).
const FIRST_ALLOCATED: u32 = 1 << 31;

/// The path identifiers Condor sends.
///
/// A path in the table is known by (member, identifier the member sent, 0
/// without ADD-PATH). The identifier sent for it is:
///
/// * the member's [`PeerId`] when it came without identifier (0): members
///   announce one path per prefix to the route server (Condor does not offer
///   them ADD-PATH receive), and peer ids are small numbers given once per
///   neighbor for the life of the process, so the identifier is stable for
///   the path's life — a new best or changed attributes from the same
///   member keep it — and unique per prefix; it also names the member the
///   same way in every prefix;
/// * for a path received with identifier `r` ≠ 0, a number from 2³¹ up,
///   given on first sight of (member, `r`) and kept for the life of the
///   process, so again stable and never shared. These are remembered (eight
///   octets each), one per distinct pair ever exported.
///
/// RFC 7911 §3 asks only that an identifier be unique per prefix and
/// session; these are unique per prefix for every session at once, so one
/// computation serves all clients.
#[derive(Debug, Default)]
pub(super) struct PathIds {
    received: FastMap<(PeerId, u32), u32>,
    next: u32,
}

impl PathIds {
    /// The identifier sent for `p`.
    pub(super) fn id(&mut self, p: &Path) -> u32 {
        if p.path_id == 0 {
            return p.peer;
        }
        let next = &mut self.next;
        *self.received.entry((p.peer, p.path_id)).or_insert_with(|| {
            let id = FIRST_ALLOCATED | (*next & !FIRST_ALLOCATED);
            *next = next.wrapping_add(1);
            id
        })
    }
}

/// A client's view of a prefix: (identifier, path), ordered by identifier.
type View<'a> = SmallVec<[(u32, &'a Path); 4]>;

/// What `c` holds of a prefix of `family` whose candidates are `paths`:
/// every path it may have under its identifier with ADD-PATH, else its
/// per-client best path (identifier 0, not sent).
fn view<'a>(paths: &'a [Path], c: &PeerSpec, family: Family, ids: &mut PathIds) -> View<'a> {
    if !c.tx.add_path_rx(family) {
        return answer(paths, c).map(|p| (0, p)).into_iter().collect();
    }
    let mut v: View<'a> = paths
        .iter()
        .filter(|p| p.verdict.is_accepted() && may_have(p, c))
        .map(|p| (ids.id(p), p))
        .collect();
    v.sort_unstable_by_key(|e| e.0);
    v
}

/// Queues into `groups` what turns a client's view `old` of `prefix` into
/// `new`: announcements of the identifiers new or changed, withdrawals of
/// those gone.
fn diff(
    groups: &mut FastMap<GroupKey, Group>,
    prefix: Prefix,
    family: Family,
    old: &View<'_>,
    new: &View<'_>,
    client: condor_wire::Asn,
) {
    let nlri = |id| Nlri {
        path_id: Some(id),
        prefix,
    };
    let mut o = old.iter().peekable();
    for &(id, p) in new {
        while let Some(&&(gone, _)) = o.peek().filter(|e| e.0 < id) {
            push_group(groups, nlri(gone), family, None, client);
            o.next();
        }
        match o.peek() {
            Some(&&(held, q)) if held == id => {
                o.next();
                if !q.same_route(p) {
                    push_group(groups, nlri(id), family, Some(p), client);
                }
            }
            _ => push_group(groups, nlri(id), family, Some(p), client),
        }
    }
    for &(gone, _) in o {
        push_group(groups, nlri(gone), family, None, client);
    }
}

/// The ADD-PATH clients' part of one batch's export.
pub(super) struct Batch {
    /// Clients in sync (no backlog, no walk, room in their queue), with
    /// their messages of this batch.
    in_sync: Vec<(PeerId, FastMap<GroupKey, Group>)>,
    /// Clients that record changes in their backlog instead.
    backlogged: Vec<PeerId>,
}

impl Batch {
    /// Sorts the ADD-PATH clients among `peers` for this batch.
    pub(super) fn new(peers: &HashMap<PeerId, PeerState>) -> Batch {
        let mut b = Batch {
            in_sync: Vec::new(),
            backlogged: Vec::new(),
        };
        for (id, s) in peers.iter().filter(|(_, s)| s.add_path.is_some()) {
            if s.in_sync() && s.spec.out.has_room() {
                b.in_sync.push((*id, FastMap::default()));
            } else {
                b.backlogged.push(*id);
            }
        }
        b
    }

    /// True when there is no ADD-PATH client: nothing to do per prefix.
    pub(super) fn is_empty(&self) -> bool {
        self.in_sync.is_empty() && self.backlogged.is_empty()
    }

    /// The change of `prefix` from candidates `old` to `new`.
    pub(super) fn prefix(
        &mut self,
        peers: &mut HashMap<PeerId, PeerState>,
        ids: &mut PathIds,
        prefix: Prefix,
        old: &Paths,
        new: &[Path],
    ) {
        let family = family_of(&prefix);
        for (id, groups) in &mut self.in_sync {
            let Some(s) = peers.get(id).filter(|s| s.wants(&prefix)) else {
                continue;
            };
            let o = view(old, &s.spec, family, ids);
            let n = view(new, &s.spec, family, ids);
            diff(groups, prefix, family, &o, &n, s.spec.asn);
        }
        for id in &self.backlogged {
            let Some(s) = peers.get_mut(id).filter(|s| s.wants(&prefix)) else {
                continue;
            };
            let pending = s.dump_pending(&prefix);
            let Some(a) = s.add_path.as_mut() else {
                continue;
            };
            if !pending && !a.backlog.contains_key(&prefix) {
                a.backlog.insert(prefix, old.clone());
            }
        }
    }

    /// Queues the messages of the clients in sync; returns how many.
    pub(super) fn finish(self, peers: &HashMap<PeerId, PeerState>) -> u64 {
        self.in_sync
            .into_iter()
            .filter(|(_, g)| !g.is_empty())
            .map(|(id, groups)| peers.get(&id).map_or(0, |s| queue_groups(s, groups)))
            .sum()
    }
}

/// Flushes a bounded chunk of an ADD-PATH client's backlog, then continues
/// its table walk with what is left of the chunk. Returns the messages
/// queued and whether the client is in sync now (End-of-RIB sent if owed).
pub(super) fn flush(s: &mut PeerState, table: &Table, ids: &mut PathIds) -> (u64, bool) {
    let mut groups: FastMap<GroupKey, Group> = FastMap::default();
    let PeerState {
        spec,
        add_path,
        dump,
        ..
    } = s;
    let Some(a) = add_path.as_mut() else {
        return (0, true);
    };
    let chunk: Vec<Prefix> = a.backlog.keys().take(BACKLOG_CHUNK).copied().collect();
    let mut budget = BACKLOG_CHUNK - chunk.len();
    for prefix in chunk {
        let last = a.backlog.remove(&prefix).unwrap_or_default();
        let now = table.get(&prefix).map_or(&[][..], |v| v.as_slice());
        let family = family_of(&prefix);
        let o = view(&last, spec, family, ids);
        let n = view(now, spec, family, ids);
        diff(&mut groups, prefix, family, &o, &n, spec.asn);
    }
    if budget > 0 {
        if let Some(d) = dump.as_mut() {
            let start = match d.after {
                Some(a) => Bound::Excluded(a),
                None => Bound::Unbounded,
            };
            let mut finished = true;
            for (prefix, paths) in table.range(start.as_ref(), Bound::Unbounded) {
                if budget == 0 {
                    finished = false;
                    break;
                }
                budget -= 1;
                d.after = Some(prefix);
                let family = family_of(&prefix);
                if !d.families.contains(&family) {
                    continue;
                }
                let n = view(paths, spec, family, ids);
                diff(&mut groups, prefix, family, &View::new(), &n, spec.asn);
            }
            if finished {
                *dump = None;
            }
        }
    }
    let n = queue_groups(s, groups);
    let in_sync = s.in_sync();
    if in_sync {
        s.send_owed_end_of_rib();
    }
    (n, in_sync)
}
