//! Condor ↔ Condor over TCP-MD5 with both sides active: the connection
//! collision (RFC 4271 §6.8) must leave exactly one session, and routes
//! flow member → A → B → member.
//!
//! ```text
//!   AS64501 127.0.0.2 ── condor A AS64115 127.0.0.1:pA ══MD5══ condor B AS64116 127.0.0.5:pB ── AS64506 127.0.0.6
//! ```
//!
//! Both daemons start with their member only; then both are reloaded at
//! the same moment with the other as an active neighbor (`local_address`
//! set so the source address matches the other's configuration), so both
//! connect at once; this is repeated over a few rounds, as the collision
//! is a race. Each daemon has the other as an `internal` neighbor, which
//! announces no RFC 9234 role (rs × rs would be a Role Mismatch, 2/11).
//! With mismatched passwords the session never comes up.

use crate::support::*;
use condor_server::Daemon;
use condor_session::State;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

/// Sockets in state ESTABLISHED of connections between the daemons, from
/// `/proc/net/tcp`: one end is a daemon's listen address (the connection
/// was accepted there) and the other the other daemon's address. Both ends
/// live in this process, so one connection counts two.
fn established_sockets_between(a: SocketAddr, b: SocketAddr) -> Option<usize> {
    let text = std::fs::read_to_string("/proc/net/tcp").ok()?;
    let hex_ip = |s: SocketAddr| match s.ip() {
        IpAddr::V4(ip) => format!("{:08X}", u32::from_le_bytes(ip.octets())),
        IpAddr::V6(_) => String::new(),
    };
    let hex_addr = |s: SocketAddr| format!("{}:{:04X}", hex_ip(s), s.port());
    let (la, lb) = (hex_addr(a), hex_addr(b));
    let (ia, ib) = (format!("{}:", hex_ip(a)), format!("{}:", hex_ip(b)));
    let between =
        |x: &str, y: &str| (x == la && y.starts_with(&ib)) || (x == lb && y.starts_with(&ia));
    let n = text
        .lines()
        .skip(1)
        .filter(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            f.len() > 3 && f[3] == "01" && (between(f[1], f[2]) || between(f[2], f[1]))
        })
        .count();
    Some(n)
}

struct Pair {
    a: Daemon,
    b: Daemon,
    /// A's configuration with its member only, and with B too.
    a_alone: ConfigBuilder,
    a_with_b: ConfigBuilder,
    b_alone: ConfigBuilder,
    b_with_a: ConfigBuilder,
}

impl Pair {
    /// Starts A and B with their members only.
    async fn start(password_a: &str, password_b: &str) -> Pair {
        let a_alone = ConfigBuilder::new(lo(1)).neighbor(NeighborCfg::member(lo(2), 64501));
        let b_alone = ConfigBuilder::new(lo(5))
            .asn(64116)
            .neighbor(NeighborCfg::member(lo(6), 64506));
        let a = a_alone.start().await;
        let b = b_alone.start().await;
        let (pa, pb) = (listen_addr(&a), listen_addr(&b));
        let a_with_b = a_alone.clone().neighbor(
            NeighborCfg::member(lo(5), 64116)
                .password(password_a)
                .active(pb.port(), lo(1))
                .extra("internal = true\n"),
        );
        let b_with_a = b_alone.clone().neighbor(
            NeighborCfg::member(lo(1), RS_ASN)
                .password(password_b)
                .active(pa.port(), lo(5))
                .extra("internal = true\n"),
        );
        Pair {
            a,
            b,
            a_alone,
            a_with_b,
            b_alone,
            b_with_a,
        }
    }

    /// Reloads both at the same moment so that each has the other as an
    /// active neighbor: both connect at once.
    async fn connect_both(&self) {
        let (da, db) = tokio::join!(
            self.a.reload(self.a_with_b.build()),
            self.b.reload(self.b_with_a.build())
        );
        let (da, db) = (da.expect("reload A"), db.expect("reload B"));
        assert_eq!(da.added, vec![lo(5)], "A's reload adds B");
        assert_eq!(db.added, vec![lo(1)], "B's reload adds A");
    }

    /// Reloads both without the other.
    async fn disconnect_both(&self) {
        let (da, db) = tokio::join!(
            self.a.reload(self.a_alone.build()),
            self.b.reload(self.b_alone.build())
        );
        assert_eq!(da.expect("reload A").removed, vec![lo(5)]);
        assert_eq!(db.expect("reload B").removed, vec![lo(1)]);
    }
}

/// Rounds of "both connect at once" (the collision is a race; several
/// rounds make each outcome likely to be met).
const ROUNDS: usize = 4;

/// A collision resolves in milliseconds on loopback; a session torn down
/// and retried would take the 5 s IdleHold back-off at least.
const RESOLVE: Duration = Duration::from_secs(4);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn condor_pair_md5_both_active_one_session_and_routes_flow() {
    init_logging();
    let p = Pair::start("rs-pair-secret", "rs-pair-secret").await;
    let (pa, pb): (SocketAddr, SocketAddr) = (listen_addr(&p.a), listen_addr(&p.b));
    for round in 1..=ROUNDS {
        p.connect_both().await;
        let sa = wait_established(&p.a, lo(5), RESOLVE).await;
        let sb = wait_established(&p.b, lo(1), RESOLVE).await;
        // The collision is over: one TCP connection (two sockets, both
        // ends here), and neither session flaps afterwards.
        tokio::time::sleep(Duration::from_millis(500)).await;
        if let Some(n) = established_sockets_between(pa, pb) {
            assert_eq!(
                n, 2,
                "round {round}: expected exactly one TCP connection between A and B (2 sockets), found {n} sockets"
            );
        }
        let sa2 = status(&p.a, lo(5)).await;
        let sb2 = status(&p.b, lo(1)).await;
        assert_eq!(
            (sa2.session.state, sa2.session.established_since),
            (State::Established, sa.session.established_since),
            "round {round}: A's session to B changed after the collision settled: {:?}, {:?}",
            sa2.session.last_transition,
            sa2.session.last_error
        );
        assert_eq!(
            (sb2.session.state, sb2.session.established_since),
            (State::Established, sb.session.established_since),
            "round {round}: B's session to A changed after the collision settled: {:?}, {:?}",
            sb2.session.last_transition,
            sb2.session.last_error
        );
        if round < ROUNDS {
            p.disconnect_both().await;
        }
    }

    // A route from A's member reaches B's member unchanged.
    let mut m1 = Speaker::establish(SpeakerCfg::new(lo(2), 64501), pa).await;
    let mut m6 = Speaker::establish(SpeakerCfg::new(lo(6), 64506), pb).await;
    m1.expect("End-of-RIB", |s| s.eor).await;
    m6.expect("End-of-RIB", |s| s.eor).await;
    let nh = Ipv4Addr::new(198, 18, 0, 2);
    m1.announce(&[pfx("198.51.100.0/24")], &[64501], nh, None)
        .await;
    m6.expect("the route of A's member, via A and B", |s| {
        s.routes.contains_key(&pfx("198.51.100.0/24"))
    })
    .await;
    let r = &m6.routes[&pfx("198.51.100.0/24")];
    assert_eq!(&*r.as_path, &[64501], "AS_PATH through two route servers");
    assert_eq!(r.next_hop, Some(nh), "NEXT_HOP through two route servers");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn condor_pair_mismatched_passwords_never_establish() {
    init_logging();
    let p = Pair::start("password-on-a", "password-on-b").await;
    p.connect_both().await;
    let until = tokio::time::Instant::now() + Duration::from_secs(5);
    while tokio::time::Instant::now() < until {
        let sa = status(&p.a, lo(5)).await;
        let sb = status(&p.b, lo(1)).await;
        assert_ne!(
            sa.session.state,
            State::Established,
            "A established with B despite mismatched MD5 passwords"
        );
        assert_ne!(
            sb.session.state,
            State::Established,
            "B established with A despite mismatched MD5 passwords"
        );
        assert!(
            !matches!(sa.session.state, State::OpenSent | State::OpenConfirm)
                && !matches!(sb.session.state, State::OpenSent | State::OpenConfirm),
            "a TCP connection came up despite mismatched MD5 passwords: A {}, B {}",
            sa.session.state,
            sb.session.state
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
