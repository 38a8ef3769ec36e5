//! Measures snapshot build, route origin validation and change computation on
//! a synthetic VRP set the size of today's global one (about 500 000 VRPs):
//! `cargo run -p condor-rtr --example rov_speed [VRPS]`.

use std::net::{Ipv4Addr, Ipv6Addr};
use std::time::Instant;

use condor_rtr::{RpkiChange, RpkiSnapshot, Vrp};
use condor_wire::{Asn, Prefix};

/// A small deterministic generator (xorshift), so runs compare.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(500_000);
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut vrps = Vec::with_capacity(n);
    for i in 0..n {
        let r = rng.next();
        let asn = Asn((r >> 40) as u32 % 400_000 + 1);
        let vrp = if i % 4 == 3 {
            let len = 32 + (r % 17) as u8; // /32../48
            let addr =
                Ipv6Addr::from(((0x2000u128 + (r as u128 % 0x1000)) << 112) | ((r as u128) << 64));
            let Ok(prefix) = Prefix::new(addr.into(), len) else {
                continue;
            };
            Vrp {
                prefix,
                max_len: 48,
                asn,
            }
        } else {
            let len = 16 + (r % 9) as u8; // /16../24
            let Ok(prefix) = Prefix::new(Ipv4Addr::from((r >> 8) as u32).into(), len) else {
                continue;
            };
            Vrp {
                prefix,
                max_len: 24,
                asn,
            }
        };
        vrps.push(vrp);
    }
    let t = Instant::now();
    let snap = RpkiSnapshot::new(vrps.iter().copied(), []);
    let build = t.elapsed();

    let lookups = 1_000_000;
    let mut states = [0usize; 3];
    let t = Instant::now();
    for i in 0..lookups {
        let r = rng.next();
        let (prefix, origin) = if i % 2 == 0 {
            // Half hit a VRP's space with its AS or a neighbour's.
            let v = vrps[(r % vrps.len() as u64) as usize];
            (v.prefix, Asn(v.asn.0 + (r >> 63) as u32))
        } else {
            let Ok(p) = Prefix::new(Ipv4Addr::from((r >> 16) as u32).into(), 24) else {
                continue;
            };
            (p, Asn(64500))
        };
        states[snap.rov(&prefix, Some(origin)) as usize] += 1;
    }
    let rov = t.elapsed();

    let mut changed = snap.vrps().to_vec();
    changed[n / 2].max_len = changed[n / 2].max_len.saturating_add(1);
    let next = RpkiSnapshot::new(changed, []);
    let t = Instant::now();
    let change = RpkiChange::between(&snap, &next, 2);
    let diff = t.elapsed();

    println!("{} VRPs: build {build:?}", snap.vrps().len());
    println!(
        "{lookups} ROV lookups in {rov:?} ({:.0} ns each): valid {} invalid {} not-found {}",
        rov.as_nanos() as f64 / lookups as f64,
        states[0],
        states[1],
        states[2]
    );
    println!(
        "diff of two snapshots: {diff:?} ({} added, {} removed)",
        change.vrps_added.len(),
        change.vrps_removed.len()
    );
}
