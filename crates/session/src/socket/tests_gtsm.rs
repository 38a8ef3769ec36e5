//! Loopback tests of GTSM (RFC 5082): options read back with
//! `getsockopt`, and the kernel really drops SYNs below the minimum TTL
//! (loopback does not decrement the TTL, so the sender's TTL arrives).

use std::time::Duration;

use super::tests_util::{addr, expect_connected, expect_no_connection, ipv6_loopback_unavailable};
use super::{min_ttl, ttl, BgpListener, ConnectOptions, IpFamily, TtlPolicy};

const TEST_BOUND: Duration = Duration::from_secs(30);

#[tokio::test]
async fn socket_gtsm_listener_drops_low_ttl_and_accepts_255() {
    let run = async {
        let l = BgpListener::bind(&[addr("127.0.0.1:0")]).expect("bind");
        let server = l.local_addrs()[0];
        l.set_gtsm(1).expect("gtsm");

        let low = ConnectOptions {
            ttl: TtlPolicy::Ttl(254),
            ..ConnectOptions::default()
        };
        expect_no_connection(&l, server, &low).await;

        let gtsm = ConnectOptions {
            ttl: TtlPolicy::Gtsm { hops: 1 },
            ..ConnectOptions::default()
        };
        let sock = super::connect_socket(server, &gtsm).expect("socket");
        assert_eq!(ttl(&sock, IpFamily::V4).expect("ttl"), 255);
        assert_eq!(min_ttl(&sock, IpFamily::V4).expect("minttl"), 255);
        drop(sock);
        expect_connected(&l, server, &gtsm).await;

        // Two hops allowed: TTL 254 passes, 253 does not.
        l.set_gtsm(2).expect("gtsm 2");
        expect_connected(&l, server, &low).await;
        let lower = ConnectOptions {
            ttl: TtlPolicy::Ttl(253),
            ..ConnectOptions::default()
        };
        expect_no_connection(&l, server, &lower).await;
    };
    tokio::time::timeout(TEST_BOUND, run)
        .await
        .expect("bounded");
}

#[tokio::test]
async fn socket_gtsm_accepted_stream_inherits_min_ttl() {
    let run = async {
        let l = BgpListener::bind(&[addr("127.0.0.1:0")]).expect("bind");
        let server = l.local_addrs()[0];
        l.set_gtsm(1).expect("gtsm");
        let gtsm = ConnectOptions {
            ttl: TtlPolicy::Gtsm { hops: 1 },
            timeout: Duration::from_secs(5),
            ..ConnectOptions::default()
        };
        let (client, accepted) = tokio::join!(super::connect(server, &gtsm), l.accept());
        let client = client.expect("connect");
        let (stream, _, _) = accepted.expect("accept");
        for s in [&client, &stream] {
            assert_eq!(ttl(s, IpFamily::V4).expect("ttl"), 255);
            assert_eq!(min_ttl(s, IpFamily::V4).expect("minttl"), 255);
        }
    };
    tokio::time::timeout(TEST_BOUND, run)
        .await
        .expect("bounded");
}

#[tokio::test]
async fn socket_gtsm_ipv6_and_dual_stack() {
    if ipv6_loopback_unavailable() {
        return;
    }
    let run = async {
        let l = BgpListener::bind(&[addr("[::]:0")]).expect("bind");
        let port = l.local_addrs()[0].port();
        l.set_gtsm(1).expect("gtsm");
        let low = ConnectOptions {
            ttl: TtlPolicy::Ttl(200),
            ..ConnectOptions::default()
        };
        let gtsm = ConnectOptions {
            ttl: TtlPolicy::Gtsm { hops: 1 },
            ..ConnectOptions::default()
        };
        let v6 = addr(&format!("[::1]:{port}"));
        let v4 = addr(&format!("127.0.0.1:{port}"));
        expect_no_connection(&l, v6, &low).await;
        expect_connected(&l, v6, &gtsm).await;
        // IPv4 through the dual-stack socket obeys IP_MINTTL.
        expect_no_connection(&l, v4, &low).await;
        expect_connected(&l, v4, &gtsm).await;
    };
    tokio::time::timeout(TEST_BOUND, run)
        .await
        .expect("bounded");
}
