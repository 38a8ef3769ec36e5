//! Export control by members, with communities (the convention of Euro-IX
//! route servers; `RS` is the route server's ASN, `peer` a member's ASN):
//!
//! | action | standard | large |
//! |---|---|---|
//! | do not announce to `peer` | `0:peer` | `RS:0:peer` |
//! | announce to `peer` (with "to none": only to the listed) | `RS:peer` | `RS:1:peer` |
//! | do not announce to any member | `0:RS` | `RS:0:0` |
//!
//! A member with a 4-byte ASN can only be named in the large forms. The
//! action communities are removed before the route is passed on (they are
//! instructions to the route server, not information for the members);
//! every other community is kept, as RFC 7947 transparency asks.

use condor_wire::{Asn, Community, LargeCommunity, PathAttributes};

/// Which members may receive a path.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExportControl {
    /// `0:RS` / `RS:0:0`: announce to no member, except the ones in `to`.
    pub to_none: bool,
    /// `RS:peer` / `RS:1:peer`: members named to receive it.
    pub to: Vec<Asn>,
    /// `0:peer` / `RS:0:peer`: members that must not receive it.
    pub not_to: Vec<Asn>,
    /// Prepends of the announcing member's ASN: `(member, times)`, member
    /// `Asn(0)` meaning every member (`6550n:RS` / `RS:10n:0`;
    /// `6551n:peer` / `RS:10n:peer`, n = 1..3).
    pub prepend: Vec<(Asn, u8)>,
}

impl ExportControl {
    /// True when the member with ASN `client` may receive the path.
    pub fn allows(&self, client: Asn) -> bool {
        if self.not_to.contains(&client) {
            return false;
        }
        !self.to_none || self.to.contains(&client)
    }

    /// True when the control restricts and changes nothing.
    pub fn is_unrestricted(&self) -> bool {
        !self.to_none && self.not_to.is_empty() && self.prepend.is_empty()
    }

    /// How many times the announcing member's ASN is prepended for member
    /// `client` (a prepend naming it wins over one for every member).
    pub fn prepend_for(&self, client: Asn) -> u8 {
        let named = self
            .prepend
            .iter()
            .filter(|(a, _)| *a == client)
            .map(|(_, n)| *n)
            .max();
        named.unwrap_or_else(|| {
            self.prepend
                .iter()
                .filter(|(a, _)| a.0 == 0)
                .map(|(_, n)| *n)
                .max()
                .unwrap_or(0)
        })
    }
}

/// The result of reading a path's action communities.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParsedActions {
    /// Who may receive it; `None` when nobody is excluded.
    pub control: Option<ExportControl>,
    /// The attributes with the action communities removed, when there were any.
    pub stripped: Option<PathAttributes>,
}

fn is_action(c: Community, rs: Asn) -> bool {
    let rs16 = rs.is_two_octet().then_some(rs.0 as u16);
    c.high() == 0
        || Some(c.high()) == rs16
        || matches!(c.high(), 65511..=65513)
        || (matches!(c.high(), 65501..=65503) && Some(c.low()) == rs16)
}

fn is_large_action(l: LargeCommunity, rs: Asn) -> bool {
    l.global == rs.0 && (l.local1 <= 1 || (101..=103).contains(&l.local1))
}

/// Reads the action communities of a path received by route server `rs`.
pub fn parse_actions(attrs: &PathAttributes, rs: Asn) -> ParsedActions {
    let mut ctl = ExportControl::default();
    let mut std_actions = 0;
    let mut large_actions = 0;
    let rs16 = rs.is_two_octet().then_some(rs.0 as u16);
    for c in attrs.communities() {
        if !is_action(c, rs) {
            continue;
        }
        std_actions += 1;
        match (c.high(), c.low()) {
            (0, low) if Some(low) == rs16 => ctl.to_none = true,
            (0, peer) => ctl.not_to.push(Asn(u32::from(peer))),
            (h @ 65501..=65503, _) => ctl.prepend.push((Asn(0), (h - 65500) as u8)),
            (h @ 65511..=65513, peer) => {
                ctl.prepend.push((Asn(u32::from(peer)), (h - 65510) as u8))
            }
            (_, peer) => ctl.to.push(Asn(u32::from(peer))),
        }
    }
    for l in attrs.large_communities() {
        if !is_large_action(l, rs) {
            continue;
        }
        large_actions += 1;
        match (l.local1, l.local2) {
            (0, 0) => ctl.to_none = true,
            (0, peer) => ctl.not_to.push(Asn(peer)),
            (n @ 101..=103, peer) => ctl.prepend.push((Asn(peer), (n - 100) as u8)),
            (_, peer) => ctl.to.push(Asn(peer)),
        }
    }
    if std_actions == 0 && large_actions == 0 {
        return ParsedActions {
            control: None,
            stripped: None,
        };
    }
    let mut out = attrs.clone();
    if std_actions > 0 {
        out = out.with_communities(attrs.communities().filter(|c| !is_action(*c, rs)));
    }
    if large_actions > 0 {
        out = out.with_large_communities(
            attrs
                .large_communities()
                .filter(|l| !is_large_action(*l, rs)),
        );
    }
    let control = (!ctl.is_unrestricted()).then_some(ctl);
    ParsedActions {
        control,
        stripped: Some(out),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use condor_wire::attr::types;

    const RS: Asn = Asn(64115);

    fn attrs(std: &[(u16, u16)], large: &[(u32, u32, u32)]) -> PathAttributes {
        let c: Vec<u8> = std
            .iter()
            .flat_map(|(h, l)| Community::new(*h, *l).0.to_be_bytes())
            .collect();
        let l: Vec<u8> = large
            .iter()
            .flat_map(|(g, a, b)| [g.to_be_bytes(), a.to_be_bytes(), b.to_be_bytes()].concat())
            .collect();
        let mut parts: Vec<(u8, u8, &[u8])> =
            vec![(0x40, 1, &[0]), (0x40, 2, &[2, 1, 0, 0, 0xfb, 0xf5])];
        if !c.is_empty() {
            parts.push((0xc0, 8, &c));
        }
        if !l.is_empty() {
            parts.push((0xc0, 32, &l));
        }
        PathAttributes::from_parts(&parts, true).unwrap()
    }

    #[test]
    fn no_action_communities_change_nothing() {
        let a = attrs(&[(64501, 100)], &[(64501, 1, 2)]);
        assert_eq!(
            parse_actions(&a, RS),
            ParsedActions {
                control: None,
                stripped: None
            }
        );
    }

    #[test]
    fn do_not_announce_to_peer_standard_and_large() {
        let a = attrs(
            &[(0, 64502), (64501, 100)],
            &[(64115, 0, 4_200_000_001), (64501, 7, 7)],
        );
        let p = parse_actions(&a, RS);
        let c = p.control.unwrap();
        assert!(!c.allows(Asn(64502)));
        assert!(
            !c.allows(Asn(4_200_000_001)),
            "4-byte ASNs via the large form"
        );
        assert!(c.allows(Asn(64503)));
        let s = p.stripped.unwrap();
        assert_eq!(
            s.communities().collect::<Vec<_>>(),
            vec![Community::new(64501, 100)],
            "action communities stripped, others kept"
        );
        assert_eq!(
            s.large_communities().collect::<Vec<_>>(),
            vec![LargeCommunity::new(64501, 7, 7)]
        );
    }

    #[test]
    fn announce_only_to_the_listed() {
        let p = parse_actions(
            &attrs(&[(0, 64115), (64115, 64503)], &[(64115, 1, 4_200_000_001)]),
            RS,
        );
        let c = p.control.unwrap();
        assert!(c.allows(Asn(64503)) && c.allows(Asn(4_200_000_001)));
        assert!(!c.allows(Asn(64502)));
        let s = p.stripped.unwrap();
        assert_eq!(s.communities().count(), 0);
        assert!(
            s.get(types::COMMUNITIES).is_none(),
            "an emptied attribute is removed, not sent empty"
        );
        // Large form of "to none".
        let c = parse_actions(&attrs(&[], &[(64115, 0, 0)]), RS)
            .control
            .unwrap();
        assert!(!c.allows(Asn(64502)));
    }

    #[test]
    fn announce_to_alone_restricts_nothing_but_is_stripped() {
        let p = parse_actions(&attrs(&[(64115, 64503)], &[]), RS);
        assert_eq!(p.control, None);
        assert!(p.stripped.is_some());
    }

    #[test]
    fn four_byte_route_server_has_only_large_forms() {
        let rs = Asn(4_200_000_100);
        let p = parse_actions(&attrs(&[(0, 64502)], &[(4_200_000_100, 0, 64503)]), rs);
        let c = p.control.unwrap();
        assert!(!c.allows(Asn(64502)), "0:peer needs no RS ASN");
        assert!(!c.allows(Asn(64503)));
    }

    #[test]
    fn prepend_to_one_member_or_to_all() {
        // 65512:64502 = prepend twice to AS64502; 65501:64115 = once to all;
        // RS:103:4200000001 = three times to a 4-byte member.
        let p = parse_actions(
            &attrs(
                &[(65512, 64502), (65501, 64115), (65000, 1)],
                &[(64115, 103, 4_200_000_001)],
            ),
            RS,
        );
        let c = p.control.unwrap();
        assert_eq!(c.prepend_for(Asn(64502)), 2, "the named prepend wins");
        assert_eq!(c.prepend_for(Asn(4_200_000_001)), 3);
        assert_eq!(
            c.prepend_for(Asn(64999)),
            1,
            "everyone else: the prepend to all"
        );
        assert!(c.allows(Asn(64502)), "prepending restricts nobody");
        let kept: Vec<Community> = p.stripped.unwrap().communities().collect();
        assert_eq!(
            kept,
            vec![Community::new(65000, 1)],
            "only the action communities go"
        );
        // 65501:x for another x is not ours: kept, no action.
        let other = parse_actions(&attrs(&[(65501, 3356)], &[]), RS);
        assert_eq!(other.control, None);
        assert!(other.stripped.is_none());
    }
}
