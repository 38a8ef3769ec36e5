//! Interning: one shared copy of each distinct attribute set, and of each
//! distinct [`Route`] (attributes, next hop, action communities, decision
//! keys). At an exchange most members announce all their prefixes with a
//! handful of attribute sets, so paths cost a pointer, not a copy.

use crate::path::Route;
use condor_wire::PathAttributes;
use std::collections::HashSet;
use std::sync::Arc;

type Set<T> = HashSet<T, foldhash::fast::RandomState>;

/// The interning tables, owned by the RIB.
#[derive(Default)]
pub struct Interner {
    attrs: Set<Arc<PathAttributes>>,
    routes: Set<Arc<Route>>,
    /// Size after the last collection; the next runs when it doubles.
    watermark: usize,
}

impl Interner {
    /// The shared copy of `a`.
    pub fn attrs(&mut self, a: PathAttributes) -> Arc<PathAttributes> {
        if let Some(x) = self.attrs.get(&a) {
            return x.clone();
        }
        let x = Arc::new(a);
        self.attrs.insert(x.clone());
        x
    }

    /// The shared copy of `r` (whose attributes are already interned).
    pub fn route(&mut self, r: Route) -> Arc<Route> {
        if let Some(x) = self.routes.get(&r) {
            return x.clone();
        }
        let x = Arc::new(r);
        self.routes.insert(x.clone());
        x
    }

    /// Distinct attribute sets held.
    pub fn len(&self) -> usize {
        self.attrs.len()
    }

    /// True when nothing is interned.
    pub fn is_empty(&self) -> bool {
        self.attrs.is_empty()
    }

    /// Drops entries no path uses any more, when the tables have doubled
    /// since the last collection (amortised O(1) per insertion).
    pub fn maybe_collect(&mut self) {
        let size = self.attrs.len() + self.routes.len();
        if size < 1024 || size < self.watermark * 2 {
            return;
        }
        // Routes first: they hold attribute sets.
        self.routes.retain(|r| Arc::strong_count(r) > 1);
        self.attrs.retain(|a| Arc::strong_count(a) > 1);
        self.watermark = self.attrs.len() + self.routes.len();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_sets_share_one_copy_and_unused_ones_are_collected() {
        let mut i = Interner::default();
        let a = PathAttributes::from_parts(&[(0x40, 1, &[0])], true).unwrap();
        let x = i.attrs(a.clone());
        let y = i.attrs(a);
        assert!(Arc::ptr_eq(&x, &y));
        assert_eq!(i.len(), 1);
        drop((x, y));
        for n in 0..2000u32 {
            let v = n.to_be_bytes();
            let _ = i.attrs(PathAttributes::from_parts(&[(0x80, 4, &v)], true).unwrap());
        }
        i.maybe_collect();
        assert_eq!(i.len(), 0, "nothing references them any more");
    }
}
