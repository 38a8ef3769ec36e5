//! # condor-interop
//!
//! Test support for Condor: starts real BGP daemons from Debian's packages —
//! BIRD 2, FRR, GoBGP, OpenBGPD and ExaBGP — as "IXP members" on loopback,
//! reads their sessions and received routes through each daemon's own CLI,
//! changes their announcements at run time, and stops them. Used by Condor's
//! interop tests (as a dev-dependency); `tests/daemons_peer.rs` proves it by
//! peering the daemons with each other, with TCP MD5 (RFC 2385).
//!
//! ```no_run
//! use condor_interop::*;
//! # fn main() -> Result<()> {
//! if !require(DaemonKind::Bird) || !require(DaemonKind::Gobgp) {
//!     return Ok(());
//! }
//! let (a, b) = (loopback_v4(), loopback_v4());
//! let (pa, pb) = (free_port(a.into())?, free_port(b.into())?);
//! let bird = DaemonKind::Bird.start(
//!     MemberConfig::new(65001, a.into())
//!         .with_listen_port(pa)
//!         .with_peer(PeerSpec::new(b.into(), pb, 65002).with_md5("s3cret"))
//!         .with_route(Announcement::parse("45.183.44.0/24", "198.18.0.1")?),
//! )?;
//! let gobgp = DaemonKind::Gobgp.start(
//!     MemberConfig::new(65002, b.into())
//!         .with_listen_port(pb)
//!         .with_peer(PeerSpec::new(a.into(), pa, 65001).with_md5("s3cret")),
//! )?;
//! gobgp.wait_established(a.into(), DEFAULT_TIMEOUT)?;
//! let route = gobgp.wait_route(a.into(), "45.183.44.0/24".parse()?, DEFAULT_TIMEOUT)?;
//! assert_eq!(route.as_path, vec![65001]);
//! # drop(bird);
//! # Ok(())
//! # }
//! ```
//!
//! ## Isolation
//! Every daemon gets its own temporary directory (config, pid file, control
//! socket, logs; kept when `CONDOR_INTEROP_KEEP` is set), its own loopback
//! address ([`loopback_v4`]: all of 127.0.0.0/8 reaches `lo` on Linux) and a
//! port from [`free_port`] (20000–32000, below the ephemeral range). It runs
//! in its own process group, which is sent SIGTERM and, after 5 s, SIGKILL
//! when the [`RunningDaemon`] is dropped; nothing else is ever signalled.
//! IPv6 uses `::1` only, so each daemon can have one IPv6 peer there (the
//! daemons key neighbors by address).
//!
//! ## What each member exports and accepts
//! A member announces only its own routes (never re-exports what it learned)
//! and accepts everything, including paths whose first AS is not the peer's
//! (a transparent route server's: OpenBGPD `enforce neighbor-as no`, FRR
//! `no neighbor A enforce-first-as`). Each session carries the family of its
//! transport. Only ExaBGP can announce an explicit AS path
//! ([`Announcement::with_as_path`]), so it can stand in for a route server.
//!
//! ## TCP MD5
//! The kernel signs and checks on loopback like anywhere else. BIRD, FRR,
//! GoBGP and ExaBGP put the key on their listening and their connecting
//! sockets: with a password on one side only, or different ones, the session
//! never comes up. OpenBGPD 7.7 (portable, Linux) sets `TCP_MD5SIG` only on
//! the sockets it connects from, never on its listening socket: it signs the
//! connections it opens (so MD5 sessions with it come up, in that direction)
//! but accepts an unsigned incoming connection even from a neighbor it has a
//! password for. `tests/daemons_peer.rs` keeps a canary test for that.
//!
//! ## Next hops and prefixes that work
//! Announce NEXT_HOPs from 198.18.0.0/15 (IPv4) and 2001:db8::/32 (IPv6):
//! every daemon here accepts them as plain attribute values (they need not be
//! reachable: BIRD marks such routes unreachable but keeps and shows them,
//! OpenBGPD marks them invalid but lists them in its Adj-RIB-In, FRR without
//! zebra treats every next hop as reachable). Do not use 127.0.0.0/8 next
//! hops: GoBGP treats the UPDATE as a withdrawal and FRR answers with a
//! NOTIFICATION (3/8, "Martian nexthop"). That is also why every member keeps
//! the announced next hop on eBGP instead of writing its own 127.x address
//! (FRR `attribute-unchanged next-hop`, OpenBGPD `set nexthop no-modify`,
//! BIRD `next hop keep`; GoBGP and ExaBGP keep a next hop given with the
//! route). Prefixes: documentation or benchmark space, or real space such as
//! sub-prefixes of 45.183.44.0/22 (Perú IX's) as test data.
//!
//! ## Per daemon
//! | daemon | started as | state / routes from | run-time changes |
//! |---|---|---|---|
//! | BIRD 2 | `bird -f -c … -s … -P …`; `strict bind yes`, `multihop` (BIRD refuses a 127/8 neighbor as directly connected) | `birdc show protocols all peerN`, `birdc show route all protocol peerN` | rewrite static routes, `birdc configure` |
//! | FRR | `bgpd -Z -S --vty_socket DIR -P 0 -p PORT -l ADDR` (no zebra) | `vtysh --vty_socket DIR -d bgpd`: `show bgp neighbors A json`, `show bgp AFI unicast json detail` | `network P route-map …` / `no network P` |
//! | GoBGP | `gobgpd -f … --api-hosts unix://DIR/api.sock --pprof-disable` | `gobgp -j neighbor A`, `gobgp -j neighbor A adj-in -a AFI` | `gobgp global rib add/del` |
//! | OpenBGPD | `bgpd -d -v -f …`; `listen on ADDR port N`, `socket "DIR/bgpd.sock"`, `fib-update no` | `bgpctl -j show neighbor A`, `bgpctl -j show rib in neighbor A` | `bgpctl network add/delete` |
//! | ExaBGP | `exabgp --env DIR/exabgp.env …` (root, no privilege drop) | JSON events of its API process | API commands via the relay process |
//!
//! OpenBGPD's privilege-separated processes chroot to `/run/openbgpd`; the
//! harness creates that empty directory when it is missing.

mod config;
mod daemon;
mod daemons;
mod error;
mod kind;
mod net;
mod process;
mod route;
mod stayrtr;

pub use config::{MemberConfig, PeerSpec};
pub use daemon::{diagnostics, RunningDaemon, DEFAULT_TIMEOUT, KEEP_ENV};
pub use error::{Error, Result};
pub use kind::{require, DaemonKind};
pub use net::{free_port, loopback_v4, loopback_v6};
pub use route::{Announcement, Community, LargeCommunity, Prefix, Route, SessionState};
pub use stayrtr::{require_stayrtr, vrp_json, StayRtr};
