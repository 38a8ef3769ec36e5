//! The prefix table: every prefix's candidate paths, in prefix order (the
//! order `Prefix` derives: IPv4 before IPv6, then address, then length).
//!
//! It is an ordered map specialised for the RIB's access pattern, not a
//! general one (ADR 0040): entries live in sorted *chunks* of at most
//! [`CHUNK`] keys, with the keys apart from the values so that a binary
//! search reads few cache lines, and the first key of every chunk in one
//! array. A member announcing its prefixes in order — what routers do —
//! fills chunks completely (a full chunk receiving a key past its end starts
//! a new chunk instead of splitting), where a B-tree leaves its nodes about
//! half full. IPv4 keys are 8-octet integers. Against `BTreeMap<Prefix, _>`
//! this halves the memory per prefix and makes lookups cheaper.

use crate::rib::Paths;
use condor_wire::Prefix;
use std::net::Ipv4Addr;
use std::ops::Bound;

/// Keys per chunk at most.
pub const CHUNK: usize = 64;

/// One sorted run of entries.
#[derive(Debug, Default, Clone)]
struct Chunk<K, V> {
    keys: Vec<K>,
    vals: Vec<V>,
}

impl<K, V> Chunk<K, V> {
    fn with(keys: Vec<K>, vals: Vec<V>) -> Chunk<K, V> {
        Chunk { keys, vals }
    }
}

fn run<T>(first: T) -> Vec<T> {
    let mut v = Vec::with_capacity(CHUNK);
    v.push(first);
    v
}

/// An ordered map of sorted chunks.
#[derive(Debug, Clone)]
pub struct Chunked<K, V> {
    chunks: Vec<Chunk<K, V>>,
    /// `firsts[i]` is the first key of `chunks[i]`; no chunk is empty.
    firsts: Vec<K>,
    len: usize,
}

impl<K, V> Default for Chunked<K, V> {
    fn default() -> Self {
        Chunked {
            chunks: Vec::new(),
            firsts: Vec::new(),
            len: 0,
        }
    }
}

/// Where a key is, or would go.
#[derive(Clone, Copy, Debug)]
struct Pos {
    chunk: usize,
    idx: usize,
    found: bool,
}

impl<K: Ord + Copy, V> Chunked<K, V> {
    /// Entries held.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when nothing is held.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn locate(&self, k: &K) -> Pos {
        let chunk = match self.firsts.binary_search(k) {
            Ok(c) => {
                return Pos {
                    chunk: c,
                    idx: 0,
                    found: true,
                }
            }
            Err(0) => 0,
            Err(c) => c - 1,
        };
        match self.chunks.get(chunk) {
            None => Pos {
                chunk: 0,
                idx: 0,
                found: false,
            },
            Some(c) => match c.keys.binary_search(k) {
                Ok(idx) => Pos {
                    chunk,
                    idx,
                    found: true,
                },
                Err(idx) => Pos {
                    chunk,
                    idx,
                    found: false,
                },
            },
        }
    }

    /// The value of `k`.
    pub fn get(&self, k: &K) -> Option<&V> {
        let p = self.locate(k);
        p.found.then(|| &self.chunks[p.chunk].vals[p.idx])
    }

    /// The value of `k`, mutable.
    pub fn get_mut(&mut self, k: &K) -> Option<&mut V> {
        let p = self.locate(k);
        p.found.then(|| &mut self.chunks[p.chunk].vals[p.idx])
    }

    /// The value of `k`, or where it would be inserted.
    pub fn entry(&mut self, k: K) -> Result<&mut V, Vacant<'_, K, V>> {
        let pos = self.locate(&k);
        if pos.found {
            Ok(&mut self.chunks[pos.chunk].vals[pos.idx])
        } else {
            Err(Vacant {
                map: self,
                pos,
                key: k,
            })
        }
    }

    fn insert_at(&mut self, pos: Pos, k: K, v: V) {
        self.len += 1;
        let Some(c) = self.chunks.get_mut(pos.chunk) else {
            self.chunks.push(Chunk::with(run(k), run(v)));
            self.firsts.push(k);
            return;
        };
        if c.keys.len() < CHUNK {
            c.keys.insert(pos.idx, k);
            c.vals.insert(pos.idx, v);
            if pos.idx == 0 {
                self.firsts[pos.chunk] = k;
            }
            return;
        }
        // Full. A key before the first of chunk 0 goes to the front of a
        // new chunk; past the end, to the next chunk if it has room, or a
        // new chunk after it (in-order arrivals keep chunks full).
        if pos.idx == 0 && pos.chunk == 0 {
            self.chunks.insert(0, Chunk::with(run(k), run(v)));
            self.firsts.insert(0, k);
            return;
        }
        let next_room = self
            .chunks
            .get(pos.chunk + 1)
            .is_some_and(|n| n.keys.len() < CHUNK);
        if pos.idx == CHUNK {
            if next_room {
                let n = &mut self.chunks[pos.chunk + 1];
                n.keys.insert(0, k);
                n.vals.insert(0, v);
                self.firsts[pos.chunk + 1] = k;
            } else {
                self.chunks
                    .insert(pos.chunk + 1, Chunk::with(run(k), run(v)));
                self.firsts.insert(pos.chunk + 1, k);
            }
            return;
        }
        // Inside: make room by passing an end entry to a neighbour that has
        // some (chunks stay fuller than after a split), else split in halves.
        let prev_room = pos.chunk > 0 && self.chunks[pos.chunk - 1].keys.len() < CHUNK;
        if next_room {
            let (left, right) = self.chunks.split_at_mut(pos.chunk + 1);
            let (c, n) = (&mut left[pos.chunk], &mut right[0]);
            if let (Some(lk), Some(lv)) = (c.keys.pop(), c.vals.pop()) {
                n.keys.insert(0, lk);
                n.vals.insert(0, lv);
                self.firsts[pos.chunk + 1] = lk;
            }
            c.keys.insert(pos.idx, k);
            c.vals.insert(pos.idx, v);
            return;
        }
        if prev_room {
            let (left, right) = self.chunks.split_at_mut(pos.chunk);
            let (p, c) = (&mut left[pos.chunk - 1], &mut right[0]);
            p.keys.push(c.keys.remove(0));
            p.vals.push(c.vals.remove(0));
            // `pos.idx` > 0 here (a key inside the chunk).
            c.keys.insert(pos.idx - 1, k);
            c.vals.insert(pos.idx - 1, v);
            self.firsts[pos.chunk] = c.keys[0];
            return;
        }
        let c = &mut self.chunks[pos.chunk];
        let half = CHUNK / 2;
        let mut keys = Vec::with_capacity(CHUNK);
        keys.extend(c.keys.drain(half..));
        let mut vals = Vec::with_capacity(CHUNK);
        vals.extend(c.vals.drain(half..));
        let mut right = Chunk::with(keys, vals);
        if pos.idx <= half {
            c.keys.insert(pos.idx, k);
            c.vals.insert(pos.idx, v);
            if pos.idx == 0 {
                self.firsts[pos.chunk] = k;
            }
        } else {
            right.keys.insert(pos.idx - half, k);
            right.vals.insert(pos.idx - half, v);
        }
        self.firsts.insert(pos.chunk + 1, right.keys[0]);
        self.chunks.insert(pos.chunk + 1, right);
    }

    /// Removes `k`, returning its value.
    pub fn remove(&mut self, k: &K) -> Option<V> {
        let p = self.locate(k);
        if !p.found {
            return None;
        }
        self.len -= 1;
        let c = &mut self.chunks[p.chunk];
        c.keys.remove(p.idx);
        let v = c.vals.remove(p.idx);
        if c.keys.is_empty() {
            self.chunks.remove(p.chunk);
            self.firsts.remove(p.chunk);
        } else {
            if p.idx == 0 {
                self.firsts[p.chunk] = c.keys[0];
            }
            // A chunk that shrank to a quarter gives its allocation back.
            if c.keys.len() < CHUNK / 4 && c.keys.capacity() == CHUNK {
                c.keys.shrink_to(CHUNK / 4);
                c.vals.shrink_to(CHUNK / 4);
            }
        }
        Some(v)
    }

    /// The position of the first key inside `start`.
    fn lower(&self, start: Bound<&K>) -> (usize, usize) {
        let (k, excluded) = match start {
            Bound::Unbounded => return (0, 0),
            Bound::Included(k) => (k, false),
            Bound::Excluded(k) => (k, true),
        };
        let p = self.locate(k);
        if self.chunks.is_empty() {
            return (0, 0);
        }
        // `locate` answers chunk 0 for a key before everything.
        let idx = if p.found && excluded {
            p.idx + 1
        } else {
            p.idx
        };
        (p.chunk, idx)
    }

    /// Entries from `start` to `end`, in order.
    pub fn range(&self, start: Bound<&K>, end: Bound<K>) -> Range<'_, K, V> {
        let (chunk, idx) = self.lower(start);
        Range {
            map: self,
            chunk,
            idx,
            end,
        }
    }

    /// Calls `f` on every entry from `start` to `end`, in order, with
    /// mutable values, until `f` answers false; entries left empty by `f`
    /// (`empty` answers) are removed. Returns the last key visited when `f`
    /// stopped the walk.
    pub fn for_each_mut(
        &mut self,
        start: Bound<&K>,
        end: Bound<K>,
        mut f: impl FnMut(&K, &mut V) -> bool,
        empty: impl Fn(&V) -> bool,
    ) -> Option<K> {
        let (mut ci, mut idx) = self.lower(start);
        let mut emptied = Vec::new();
        let mut stopped = None;
        'walk: while let Some(c) = self.chunks.get_mut(ci) {
            while idx < c.keys.len() {
                let k = c.keys[idx];
                if !within(&k, &end) {
                    break 'walk;
                }
                let go_on = f(&k, &mut c.vals[idx]);
                if empty(&c.vals[idx]) {
                    emptied.push(k);
                }
                if !go_on {
                    stopped = Some(k);
                    break 'walk;
                }
                idx += 1;
            }
            ci += 1;
            idx = 0;
        }
        for k in emptied {
            self.remove(&k);
        }
        stopped
    }
}

fn within<K: Ord>(k: &K, end: &Bound<K>) -> bool {
    match end {
        Bound::Unbounded => true,
        Bound::Included(e) => k <= e,
        Bound::Excluded(e) => k < e,
    }
}

/// A key's place, free: [`Vacant::insert`] puts it there.
#[derive(Debug)]
pub struct Vacant<'a, K, V> {
    map: &'a mut Chunked<K, V>,
    pos: Pos,
    key: K,
}

impl<K: Ord + Copy, V> Vacant<'_, K, V> {
    /// Inserts the key with `v`.
    pub fn insert(self, v: V) {
        self.map.insert_at(self.pos, self.key, v);
    }
}

/// An in-order walk of [`Chunked`] entries.
#[derive(Debug)]
pub struct Range<'a, K, V> {
    map: &'a Chunked<K, V>,
    chunk: usize,
    idx: usize,
    end: Bound<K>,
}

impl<'a, K: Ord + Copy, V> Iterator for Range<'a, K, V> {
    type Item = (K, &'a V);

    fn next(&mut self) -> Option<(K, &'a V)> {
        loop {
            let c = self.map.chunks.get(self.chunk)?;
            if self.idx < c.keys.len() {
                let k = c.keys[self.idx];
                if !within(&k, &self.end) {
                    self.chunk = self.map.chunks.len();
                    return None;
                }
                let v = &c.vals[self.idx];
                self.idx += 1;
                return Some((k, v));
            }
            self.chunk += 1;
            self.idx = 0;
        }
    }
}

/// An IPv4 prefix as an integer key with the same order.
fn v4_key(a: Ipv4Addr, len: u8) -> u64 {
    (u64::from(u32::from(a)) << 8) | u64::from(len)
}

fn v4_prefix(k: u64) -> Prefix {
    // Keys are made from prefixes only: the address fits 32 bits.
    Prefix::V4(Ipv4Addr::from((k >> 8) as u32), (k & 0xff) as u8)
}

/// The candidates of every prefix, IPv4 and IPv6, in prefix order.
#[derive(Debug, Default)]
pub struct Table {
    v4: Chunked<u64, Paths>,
    v6: Chunked<Prefix, Paths>,
}

/// The IPv4 part of a bound, if the bound leaves any.
fn v4_bound(b: Bound<&Prefix>, is_start: bool) -> Option<Bound<u64>> {
    match b {
        Bound::Unbounded => Some(Bound::Unbounded),
        Bound::Included(Prefix::V4(a, l)) => Some(Bound::Included(v4_key(*a, *l))),
        Bound::Excluded(Prefix::V4(a, l)) => Some(Bound::Excluded(v4_key(*a, *l))),
        // IPv6 comes after IPv4: a start there leaves no IPv4, an end there
        // leaves all of it.
        Bound::Included(Prefix::V6(..)) | Bound::Excluded(Prefix::V6(..)) => {
            (!is_start).then_some(Bound::Unbounded)
        }
    }
}

/// The IPv6 part of a bound, if the bound leaves any.
fn v6_bound(b: Bound<&Prefix>, is_start: bool) -> Option<Bound<Prefix>> {
    match b {
        Bound::Unbounded => Some(Bound::Unbounded),
        Bound::Included(p @ Prefix::V6(..)) => Some(Bound::Included(*p)),
        Bound::Excluded(p @ Prefix::V6(..)) => Some(Bound::Excluded(*p)),
        Bound::Included(Prefix::V4(..)) | Bound::Excluded(Prefix::V4(..)) => {
            is_start.then_some(Bound::Unbounded)
        }
    }
}

fn as_ref<T>(b: &Bound<T>) -> Bound<&T> {
    match b {
        Bound::Unbounded => Bound::Unbounded,
        Bound::Included(x) => Bound::Included(x),
        Bound::Excluded(x) => Bound::Excluded(x),
    }
}

impl Table {
    /// Prefixes held.
    pub fn len(&self) -> usize {
        self.v4.len() + self.v6.len()
    }

    /// True when no prefix is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The candidates of `p`.
    pub fn get(&self, p: &Prefix) -> Option<&Paths> {
        match *p {
            Prefix::V4(a, l) => self.v4.get(&v4_key(a, l)),
            Prefix::V6(..) => self.v6.get(p),
        }
    }

    /// The candidates of `p`, mutable.
    pub fn get_mut(&mut self, p: &Prefix) -> Option<&mut Paths> {
        match *p {
            Prefix::V4(a, l) => self.v4.get_mut(&v4_key(a, l)),
            Prefix::V6(..) => self.v6.get_mut(p),
        }
    }

    /// The candidates of `p`, or its free place.
    pub fn entry(&mut self, p: Prefix) -> Result<&mut Paths, TableVacant<'_>> {
        match p {
            Prefix::V4(a, l) => self.v4.entry(v4_key(a, l)).map_err(TableVacant::V4),
            Prefix::V6(..) => self.v6.entry(p).map_err(TableVacant::V6),
        }
    }

    /// Removes `p`.
    pub fn remove(&mut self, p: &Prefix) -> Option<Paths> {
        match *p {
            Prefix::V4(a, l) => self.v4.remove(&v4_key(a, l)),
            Prefix::V6(..) => self.v6.remove(p),
        }
    }

    /// Prefixes from `start` to `end`, in order.
    pub fn range(
        &self,
        start: Bound<&Prefix>,
        end: Bound<&Prefix>,
    ) -> impl Iterator<Item = (Prefix, &Paths)> + '_ {
        let v4 = match (v4_bound(start, true), v4_bound(end, false)) {
            (Some(s), Some(e)) => Some(self.v4.range(as_ref(&s), e)),
            _ => None,
        };
        let v6 = match (v6_bound(start, true), v6_bound(end, false)) {
            (Some(s), Some(e)) => Some(self.v6.range(as_ref(&s), e)),
            _ => None,
        };
        v4.into_iter()
            .flatten()
            .map(|(k, v)| (v4_prefix(k), v))
            .chain(v6.into_iter().flatten())
    }

    /// Every prefix, in order.
    pub fn iter(&self) -> impl Iterator<Item = (Prefix, &Paths)> + '_ {
        self.range(Bound::Unbounded, Bound::Unbounded)
    }

    /// Calls `f` on every prefix of `family` (`None`: both), with its
    /// candidates mutable; prefixes left without candidates are removed.
    pub fn for_each_mut(&mut self, ipv4: Option<bool>, mut f: impl FnMut(Prefix, &mut Paths)) {
        let start = match ipv4 {
            Some(false) => Bound::Included(Prefix::V6(0u128.into(), 0)),
            _ => Bound::Unbounded,
        };
        let end = match ipv4 {
            Some(true) => Bound::Excluded(Prefix::V6(0u128.into(), 0)),
            _ => Bound::Unbounded,
        };
        self.walk_mut(start.as_ref(), end.as_ref(), |p, v| {
            f(p, v);
            true
        });
    }

    /// Calls `f` on the prefixes from `start` to `end`, in order, with their
    /// candidates mutable, until `f` answers false; prefixes left without
    /// candidates are removed. Returns the prefix where `f` stopped.
    pub fn walk_mut(
        &mut self,
        start: Bound<&Prefix>,
        end: Bound<&Prefix>,
        mut f: impl FnMut(Prefix, &mut Paths) -> bool,
    ) -> Option<Prefix> {
        if let (Some(s), Some(e)) = (v4_bound(start, true), v4_bound(end, false)) {
            let stopped =
                self.v4
                    .for_each_mut(as_ref(&s), e, |k, v| f(v4_prefix(*k), v), |v| v.is_empty());
            if let Some(k) = stopped {
                return Some(v4_prefix(k));
            }
        }
        if let (Some(s), Some(e)) = (v6_bound(start, true), v6_bound(end, false)) {
            return self
                .v6
                .for_each_mut(as_ref(&s), e, |k, v| f(*k, v), |v| v.is_empty());
        }
        None
    }
}

/// A free place in the [`Table`].
#[derive(Debug)]
pub enum TableVacant<'a> {
    /// In the IPv4 part.
    V4(Vacant<'a, u64, Paths>),
    /// In the IPv6 part.
    V6(Vacant<'a, Prefix, Paths>),
}

impl TableVacant<'_> {
    /// Inserts the prefix with `paths`.
    pub fn insert(self, paths: Paths) {
        match self {
            TableVacant::V4(v) => v.insert(paths),
            TableVacant::V6(v) => v.insert(paths),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    #[derive(Debug, Clone)]
    enum Op {
        Insert(u16),
        Remove(u16),
        Range(u16, u16),
        Retain(u16),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            4 => any::<u16>().prop_map(|k| Op::Insert(k % 2000)),
            2 => any::<u16>().prop_map(|k| Op::Remove(k % 2000)),
            1 => (any::<u16>(), any::<u16>()).prop_map(|(a, b)| Op::Range(a % 2100, b % 2100)),
            1 => any::<u16>().prop_map(|m| Op::Retain(m % 7 + 2)),
        ]
    }

    proptest! {
        /// The chunked map answers exactly as `BTreeMap` for any sequence
        /// of insertions, removals, range walks and in-place removals.
        #[test]
        fn behaves_as_a_btreemap(ops in proptest::collection::vec(op(), 1..600)) {
            let mut c: Chunked<u32, u32> = Chunked::default();
            let mut b: BTreeMap<u32, u32> = BTreeMap::new();
            for (n, o) in ops.into_iter().enumerate() {
                let n = n as u32;
                match o {
                    Op::Insert(k) => {
                        let k = u32::from(k);
                        match c.entry(k) {
                            Ok(v) => *v = n,
                            Err(vac) => vac.insert(n),
                        }
                        b.insert(k, n);
                    }
                    Op::Remove(k) => {
                        let k = u32::from(k);
                        prop_assert_eq!(c.remove(&k), b.remove(&k));
                    }
                    Op::Range(x, y) => {
                        let (x, y) = (u32::from(x), u32::from(y));
                        let got: Vec<_> = c.range(Bound::Excluded(&x), Bound::Included(y)).map(|(k, v)| (k, *v)).collect();
                        let want: Vec<_> = if x < y {
                            b.range((Bound::Excluded(x), Bound::Included(y))).map(|(k, v)| (*k, *v)).collect()
                        } else {
                            Vec::new()
                        };
                        prop_assert_eq!(got, want);
                        let got: Vec<_> = c.range(Bound::Included(&x), Bound::Unbounded).map(|(k, _)| k).collect();
                        let want: Vec<_> = b.range(x..).map(|(k, _)| *k).collect();
                        prop_assert_eq!(got, want);
                    }
                    Op::Retain(m) => {
                        let m = u32::from(m);
                        let mut gone = Vec::new();
                        c.for_each_mut(Bound::Unbounded, Bound::Unbounded, |k, v| {
                            if k % m == 0 {
                                *v = u32::MAX;
                                gone.push(*k);
                            }
                            true
                        }, |v| *v == u32::MAX);
                        for k in gone {
                            b.remove(&k);
                        }
                    }
                }
                prop_assert_eq!(c.len(), b.len());
                for (i, ch) in c.chunks.iter().enumerate() {
                    prop_assert!(!ch.keys.is_empty() && ch.keys.len() <= CHUNK);
                    prop_assert_eq!(c.firsts[i], ch.keys[0]);
                    prop_assert!(ch.keys.windows(2).all(|w| w[0] < w[1]));
                }
                prop_assert!(c.firsts.windows(2).all(|w| w[0] < w[1]));
            }
            let all: Vec<_> = c.range(Bound::Unbounded, Bound::Unbounded).map(|(k, v)| (k, *v)).collect();
            let want: Vec<_> = b.iter().map(|(k, v)| (*k, *v)).collect();
            prop_assert_eq!(all, want);
        }
    }

    #[test]
    fn in_order_arrivals_fill_chunks() {
        let mut c: Chunked<u32, u8> = Chunked::default();
        for k in 0..10 * CHUNK as u32 {
            if let Err(v) = c.entry(k) {
                v.insert(0);
            }
        }
        assert_eq!(c.chunks.len(), 10, "every chunk full");
    }

    #[test]
    fn interleaved_runs_keep_chunks_mostly_full() {
        // 200 members announcing 100 prefixes each, in order, their
        // UPDATEs interleaved: what the route server sees at start-up.
        let mut c: Chunked<u32, u8> = Chunked::default();
        for i in 0..100u32 {
            for member in 0..200u32 {
                if let Err(v) = c.entry(member * 1000 + i) {
                    v.insert(0);
                }
            }
        }
        let fill = c.len() as f64 / (c.chunks.len() * CHUNK) as f64;
        assert!(fill > 0.8, "chunks {:.1} % full", fill * 100.0);
    }

    #[test]
    fn table_orders_ipv4_before_ipv6_and_maps_bounds() {
        let mut t = Table::default();
        let ps: Vec<Prefix> = [
            "2001:db8::/32",
            "10.0.0.0/8",
            "10.0.0.0/16",
            "192.0.2.0/24",
            "::/0",
        ]
        .iter()
        .map(|s| s.parse().unwrap())
        .collect();
        for p in &ps {
            if let Err(v) = t.entry(*p) {
                v.insert(Paths::default());
            }
        }
        let mut sorted = ps.clone();
        sorted.sort();
        assert_eq!(t.iter().map(|(p, _)| p).collect::<Vec<_>>(), sorted);
        let from = sorted[1];
        let tail: Vec<Prefix> = t
            .range(Bound::Excluded(&from), Bound::Unbounded)
            .map(|(p, _)| p)
            .collect();
        assert_eq!(tail, sorted[2..].to_vec());
        let v6: Prefix = "::/0".parse().unwrap();
        let only_v4: Vec<Prefix> = t
            .range(Bound::Unbounded, Bound::Excluded(&v6))
            .map(|(p, _)| p)
            .collect();
        assert_eq!(only_v4, sorted[..3].to_vec());
        assert_eq!(t.len(), 5);
        assert!(t.remove(&sorted[0]).is_some());
        assert!(t.get(&sorted[0]).is_none());
        assert_eq!(t.len(), 4);
        // A walk stopped on the third prefix resumes after it.
        let mut seen = Vec::new();
        let stop = t.walk_mut(Bound::Unbounded, Bound::Unbounded, |p, _| {
            seen.push(p);
            seen.len() < 3
        });
        assert_eq!(stop, Some(sorted[3]));
        let rest = t.walk_mut(Bound::Excluded(&sorted[3]), Bound::Unbounded, |p, _| {
            seen.push(p);
            true
        });
        assert_eq!((rest, &seen[..]), (None, &sorted[1..]));
        assert!(
            t.is_empty(),
            "the walk removed the prefixes left without candidates"
        );
    }
}
