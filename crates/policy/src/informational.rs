//! Informational communities: what the route server tells members about a
//! route it passes on, as large communities (RFC 8092) of its own ASN —
//! the RPKI origin validation state (`RS:1000:1` valid, `RS:1000:2` not
//! found, `RS:1000:3` invalid) and the IRR state (`RS:1001:1` valid,
//! `RS:1001:2` accepted because RPKI-valid, `RS:1001:3` invalid). The codes
//! are those of [`Verdict::large_communities`]; `RS:1101:code` (rejection
//! reasons) only ever describes routes that are not passed on.
//!
//! Opt-in (`[filters] informational_communities`): a route server that adds
//! communities is less transparent (RFC 7947 §2.2), and the tags depend on
//! data (RPKI, IRR) that change while the route stays. When on, a member's
//! own communities in these ranges are removed at import, so that nobody
//! can claim a state the route server did not find.

use crate::verdict::Verdict;
use condor_wire::{Asn, LargeCommunity, PathAttributes};

/// `local1` values of the route server's informational and reason codes.
const CODES: [u32; 3] = [1000, 1001, 1101];

fn is_ours(c: &LargeCommunity, rs: Asn) -> bool {
    c.global == rs.0 && CODES.contains(&c.local1)
}

/// `attrs` without the informational communities of route server `rs` that
/// a member sent; `None` when it carries none.
pub fn scrub(attrs: &PathAttributes, rs: Asn) -> Option<PathAttributes> {
    if !attrs.large_communities().any(|c| is_ours(&c, rs)) {
        return None;
    }
    Some(attrs.with_large_communities(attrs.large_communities().filter(|c| !is_ours(c, rs))))
}

/// The validation states of `v` that are tagged (RPKI and IRR, when
/// checked), as a key: equal keys give equal tags.
pub fn states(v: Verdict) -> Verdict {
    let mut s = Verdict::ACCEPTED;
    s.set_rov(v.rov());
    s.set_irr(v.irr());
    s
}

/// `attrs` tagged with the states of `v` by route server `rs`; `None` when
/// nothing was checked (no tag to add).
pub fn tag(attrs: &PathAttributes, v: Verdict, rs: Asn) -> Option<PathAttributes> {
    let add = states(v).large_communities(rs);
    if add.is_empty() {
        return None;
    }
    Some(attrs.with_large_communities(attrs.large_communities().chain(add)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verdict::{Irr, Rov};

    const RS: Asn = Asn(64115);

    fn attrs(large: &[(u32, u32, u32)]) -> PathAttributes {
        let v: Vec<u8> = large
            .iter()
            .flat_map(|(a, b, c)| [a.to_be_bytes(), b.to_be_bytes(), c.to_be_bytes()].concat())
            .collect();
        PathAttributes::from_parts(&[(0x40, 1, &[0]), (0xc0, 32, &v)], true).expect("attrs")
    }

    fn large(a: &PathAttributes) -> Vec<(u32, u32, u32)> {
        a.large_communities()
            .map(|c| (c.global, c.local1, c.local2))
            .collect()
    }

    #[test]
    fn a_members_claims_are_removed_others_kept() {
        let a = attrs(&[
            (64115, 1000, 1),
            (64115, 1101, 9),
            (64115, 0, 64500),
            (65000, 1000, 1),
        ]);
        let s = scrub(&a, RS).expect("scrubbed");
        assert_eq!(large(&s), vec![(64115, 0, 64500), (65000, 1000, 1)]);
        assert!(scrub(&s, RS).is_none(), "nothing left to remove");
        let only = attrs(&[(64115, 1001, 1)]);
        let s = scrub(&only, RS).expect("scrubbed");
        assert_eq!(s.large_communities().count(), 0);
        assert!(
            s.iter().all(|x| x.type_code != 32),
            "empty attribute removed"
        );
    }

    #[test]
    fn tags_follow_the_checked_states() {
        let a = attrs(&[(65000, 1, 2)]);
        let mut v = Verdict::ACCEPTED;
        assert!(tag(&a, v, RS).is_none(), "nothing checked, nothing added");
        v.set_rov(Rov::Valid);
        v.set_irr(Irr::AcceptedByRpki);
        let t = tag(&a, v, RS).expect("tagged");
        assert_eq!(
            large(&t),
            vec![(65000, 1, 2), (64115, 1000, 1), (64115, 1001, 2)]
        );
        let mut w = Verdict::ACCEPTED;
        w.set_rov(Rov::NotFound);
        assert_eq!(large(&tag(&a, w, RS).expect("tagged"))[1], (64115, 1000, 2));
        assert_eq!(states(v), states(t_verdict(v)));
    }

    /// A verdict with a blackhole mark and a reason: its states are the same.
    fn t_verdict(mut v: Verdict) -> Verdict {
        v.set_blackhole();
        v
    }
}
