//! ASPA path verification (draft-ietf-sidrops-aspa-verification): the hop
//! check, upstream verification as a route server applies it to routes from
//! its clients, and downstream verification, on hand-made ASPA sets shaped
//! like the draft's cases (valley-free paths, leaks, missing attestations).

use condor_rtr::{Aspa, AspaState, Hop, PathForAspa, RpkiSnapshot};
use condor_wire::{AsPath, AsSegment, Asn, SegmentKind};

/// The topology: 64501 and 64502 are stubs buying transit from 64510, which
/// buys from 64520 (a tier-1 with no provider, ASPA {AS0}); 64511 buys from
/// 64520; 64503 attests it has no provider at all (empty set); 64599 and
/// 64598 publish no ASPA.
fn topology() -> RpkiSnapshot {
    let a = |c: u32, p: &[u32]| Aspa::new(Asn(c), p.iter().map(|&x| Asn(x)).collect());
    RpkiSnapshot::new(
        [],
        [
            a(64501, &[64510]),
            a(64502, &[64510]),
            a(64510, &[64520]),
            a(64511, &[64520]),
            a(64520, &[0]),
            a(64503, &[]),
        ],
    )
}

fn path(asns: &[u32]) -> PathForAspa {
    PathForAspa::from_sequence(&asns.iter().map(|&a| Asn(a)).collect::<Vec<_>>())
}

fn up(s: &RpkiSnapshot, asns: &[u32]) -> AspaState {
    s.aspa_upstream(&path(asns), Asn(asns.first().copied().unwrap_or(0)))
}

#[test]
fn hop_check() {
    let s = topology();
    assert_eq!(s.hop(Asn(64501), Asn(64510)), Hop::ProviderPlus);
    assert_eq!(s.hop(Asn(64501), Asn(64520)), Hop::NotProviderPlus);
    assert_eq!(s.hop(Asn(64599), Asn(64510)), Hop::NoAttestation);
    assert_eq!(s.hop(Asn(64503), Asn(64510)), Hop::NotProviderPlus);
    // {AS0}: AS0 never appears in a path (RFC 7607), so every real AS is
    // Not Provider+ for a customer that attests only AS0.
    assert_eq!(s.hop(Asn(64520), Asn(64510)), Hop::NotProviderPlus);
    assert_eq!(s.hop(Asn(64520), Asn(64511)), Hop::NotProviderPlus);
}

#[test]
fn upstream_valid_paths() {
    let s = topology();
    // A client announcing its own route (N = 1) is always valid.
    assert_eq!(up(&s, &[64501]), AspaState::Valid);
    assert_eq!(up(&s, &[64599]), AspaState::Valid);
    // A client announcing its customer cone, all hops attested.
    assert_eq!(up(&s, &[64510, 64501]), AspaState::Valid);
    assert_eq!(up(&s, &[64520, 64510, 64501]), AspaState::Valid);
    // Prepending collapses.
    assert_eq!(
        up(&s, &[64510, 64510, 64510, 64501, 64501]),
        AspaState::Valid
    );
}

#[test]
fn upstream_leaks_are_invalid() {
    let s = topology();
    // 64510 re-announces a route learnt from its provider 64520 to the RS:
    // hop 64520 -> 64510 is not customer-to-provider.
    assert_eq!(up(&s, &[64510, 64520, 64511]), AspaState::Invalid);
    // Stub 64502 leaks its provider's route learnt via 64510 from 64501.
    assert_eq!(up(&s, &[64502, 64510, 64501]), AspaState::Invalid);
    // 64503 says it has no provider: anything above it is a leak or forgery.
    assert_eq!(up(&s, &[64599, 64503]), AspaState::Invalid);
    // A forged origin's hop nP+ anywhere in the chain decides Invalid even
    // with unattested hops after it.
    assert_eq!(up(&s, &[64598, 64599, 64520, 64501]), AspaState::Invalid);
}

#[test]
fn upstream_unknown_when_attestations_are_missing() {
    let s = topology();
    assert_eq!(up(&s, &[64510, 64599]), AspaState::Unknown);
    assert_eq!(up(&s, &[64599, 64510, 64501]), AspaState::Invalid); // 64510 attests, 64599 not in it
    assert_eq!(up(&s, &[64598, 64599]), AspaState::Unknown);
    assert_eq!(up(&s, &[64598, 64599, 64501]), AspaState::Invalid); // 64501 -> 64599 nP+
                                                                    // 64510 attests, and 64598 is not its provider: Invalid however the
                                                                    // rest is attested.
    assert_eq!(up(&s, &[64599, 64598, 64510, 64501]), AspaState::Invalid);
    assert_eq!(up(&s, &[64510, 64598, 64599]), AspaState::Unknown);
}

#[test]
fn malformed_paths_are_invalid() {
    let s = topology();
    // Neighbor check: the nearest AS must be the client's AS.
    assert_eq!(
        s.aspa_upstream(&path(&[64510, 64501]), Asn(64501)),
        AspaState::Invalid
    );
    assert_eq!(s.aspa_upstream(&path(&[]), Asn(64501)), AspaState::Invalid);
    let with_set = AsPath {
        segments: vec![
            AsSegment {
                kind: SegmentKind::Sequence,
                asns: vec![Asn(64510)],
            },
            AsSegment {
                kind: SegmentKind::Set,
                asns: vec![Asn(64501), Asn(64502)],
            },
        ],
    };
    let p = PathForAspa::from_as_path(&with_set);
    assert_eq!(p, PathForAspa::HasSet);
    assert_eq!(s.aspa_upstream(&p, Asn(64510)), AspaState::Invalid);
}

#[test]
fn route_server_is_transparent() {
    let s = topology();
    // Perú IX's route server (AS64115) is not in the path a client sends;
    // verification runs with the client as neighbor.
    let decoded = AsPath {
        segments: vec![AsSegment {
            kind: SegmentKind::Sequence,
            asns: vec![Asn(64510), Asn(64510), Asn(64501)],
        }],
    };
    let p = PathForAspa::from_as_path(&decoded);
    assert_eq!(p, path(&[64510, 64501]));
    assert_eq!(s.aspa_upstream(&p, Asn(64510)), AspaState::Valid);
    // If a non-transparent RS had inserted its AS, the neighbor check fails.
    assert_eq!(
        s.aspa_upstream(&path(&[64115, 64510, 64501]), Asn(64510)),
        AspaState::Invalid
    );
}

#[test]
fn downstream_up_then_down() {
    let s = topology();
    let down = |asns: &[u32]| s.aspa_downstream(&path(asns), Asn(asns[0]));
    // 64501 -> 64510 -> 64520 (up), 64520 -> 64511 (down) -> us.
    assert_eq!(down(&[64511, 64520, 64510, 64501]), AspaState::Valid);
    // A pure up path is also valid downstream.
    assert_eq!(down(&[64520, 64510, 64501]), AspaState::Valid);
    // 64510 -> 64511 -> 64520: 64511 is not 64510's provider (up ramp 1)
    // and not 64520's provider either (down ramp 1): 1 + 1 < 3.
    assert_eq!(down(&[64520, 64511, 64510]), AspaState::Invalid);
    // Unattested middle: cannot prove or disprove.
    assert_eq!(down(&[64511, 64520, 64599, 64598]), AspaState::Unknown);
    // The same path upstream (from a client) is a leak.
    assert_eq!(up(&s, &[64511, 64520, 64510, 64501]), AspaState::Invalid);
}
