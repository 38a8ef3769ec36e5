//! Loopback tests of TCP-MD5 (RFC 2385) on [`BgpListener`] and
//! [`connect`]: the kernel must drop SYNs that are unsigned or signed with
//! the wrong key (RFC 2385 §4), so "no connection" is checked with a
//! bounded wait.

use std::net::IpAddr;
use std::time::Duration;

use super::tests_util::{
    addr, expect_connected, expect_no_connection, ipv6_loopback_unavailable, md5_unavailable,
    secret,
};
use super::{BgpListener, ConnectOptions, SocketError};

const TEST_BOUND: Duration = Duration::from_secs(30);

async fn bounded<F: std::future::Future<Output = ()>>(f: F) {
    tokio::time::timeout(TEST_BOUND, f)
        .await
        .expect("test exceeded its time bound");
}

fn ip(s: &str) -> IpAddr {
    s.parse().expect("ip literal")
}

#[tokio::test]
async fn socket_md5_same_key_connects_and_bytes_flow() {
    if md5_unavailable().is_some() {
        return;
    }
    bounded(async {
        let l = BgpListener::bind(&[addr("127.0.0.1:0")]).expect("bind");
        let server = l.local_addrs()[0];
        let key = secret("same-key");
        l.set_neighbor_key(ip("127.0.0.1"), Some(&key))
            .expect("listener key");
        let opts = ConnectOptions {
            md5: Some(&key),
            ..ConnectOptions::default()
        };
        let seen = expect_connected(&l, server, &opts).await;
        assert_eq!(seen.ip(), ip("127.0.0.1"));
    })
    .await;
}

#[tokio::test]
async fn socket_md5_unsigned_client_is_dropped() {
    if md5_unavailable().is_some() {
        return;
    }
    bounded(async {
        let l = BgpListener::bind(&[addr("127.0.0.1:0")]).expect("bind");
        let server = l.local_addrs()[0];
        l.set_neighbor_key(ip("127.0.0.1"), Some(&secret("listener-only")))
            .expect("listener key");
        expect_no_connection(&l, server, &ConnectOptions::default()).await;
    })
    .await;
}

#[tokio::test]
async fn socket_md5_wrong_key_is_dropped() {
    if md5_unavailable().is_some() {
        return;
    }
    bounded(async {
        let l = BgpListener::bind(&[addr("127.0.0.1:0")]).expect("bind");
        let server = l.local_addrs()[0];
        l.set_neighbor_key(ip("127.0.0.1"), Some(&secret("right-key")))
            .expect("listener key");
        let wrong = secret("wrong-key");
        let opts = ConnectOptions {
            md5: Some(&wrong),
            ..ConnectOptions::default()
        };
        expect_no_connection(&l, server, &opts).await;
    })
    .await;
}

#[tokio::test]
async fn socket_md5_key_removed_at_run_time_other_neighbor_unaffected() {
    if md5_unavailable().is_some() {
        return;
    }
    bounded(async {
        let l = BgpListener::bind(&[addr("127.0.0.1:0")]).expect("bind");
        let server = l.local_addrs()[0];
        let (k2, k3) = (secret("neighbor-two"), secret("neighbor-three"));
        l.set_neighbor_key(ip("127.0.0.2"), Some(&k2))
            .expect("key .2");
        l.set_neighbor_key(ip("127.0.0.3"), Some(&k3))
            .expect("key .3");
        let from2 = ConnectOptions {
            local: Some(addr("127.0.0.2:0")),
            ..ConnectOptions::default()
        };
        let from3 = ConnectOptions {
            local: Some(addr("127.0.0.3:0")),
            ..ConnectOptions::default()
        };

        // Both keyed: unsigned SYNs from either are dropped.
        expect_no_connection(&l, server, &from2).await;

        // Remove .2's key: unsigned from .2 now works ...
        l.set_neighbor_key(ip("127.0.0.2"), None)
            .expect("remove .2");
        let seen = expect_connected(&l, server, &from2).await;
        assert_eq!(seen.ip(), ip("127.0.0.2"));

        // ... while .3 still needs its key.
        expect_no_connection(&l, server, &from3).await;
        let from3_signed = ConnectOptions {
            md5: Some(&k3),
            ..from3.clone()
        };
        let seen = expect_connected(&l, server, &from3_signed).await;
        assert_eq!(seen.ip(), ip("127.0.0.3"));

        // Changing .3's key takes effect for the next connection.
        let k3_new = secret("neighbor-three-rotated");
        l.set_neighbor_key(ip("127.0.0.3"), Some(&k3_new))
            .expect("rekey");
        expect_no_connection(&l, server, &from3_signed).await;
        let from3_new = ConnectOptions {
            md5: Some(&k3_new),
            ..from3
        };
        expect_connected(&l, server, &from3_new).await;
    })
    .await;
}

#[tokio::test]
async fn socket_md5_ipv6_loopback() {
    if md5_unavailable().is_some() || ipv6_loopback_unavailable() {
        return;
    }
    bounded(async {
        let l = BgpListener::bind(&[addr("[::1]:0")]).expect("bind");
        let server = l.local_addrs()[0];
        let key = secret("v6-key");
        l.set_neighbor_key(ip("::1"), Some(&key))
            .expect("listener key");
        expect_no_connection(&l, server, &ConnectOptions::default()).await;
        let opts = ConnectOptions {
            md5: Some(&key),
            ..ConnectOptions::default()
        };
        let seen = expect_connected(&l, server, &opts).await;
        assert_eq!(seen.ip(), ip("::1"));
    })
    .await;
}

#[tokio::test]
async fn socket_md5_ipv4_client_on_dual_stack_listener() {
    if md5_unavailable().is_some() || ipv6_loopback_unavailable() {
        return;
    }
    bounded(async {
        // Only [::] configured: one dual-stack socket.
        let l = BgpListener::bind(&[addr("[::]:0")]).expect("bind");
        assert_eq!(l.dual_stack(), vec![true]);
        let port = l.local_addrs()[0].port();
        let server = addr(&format!("127.0.0.1:{port}"));
        let key = secret("mapped-key");
        // Keyed under ::ffff:127.0.0.1 by the listener.
        l.set_neighbor_key(ip("127.0.0.1"), Some(&key))
            .expect("mapped key");
        expect_no_connection(&l, server, &ConnectOptions::default()).await;
        let opts = ConnectOptions {
            md5: Some(&key),
            ..ConnectOptions::default()
        };
        let seen = expect_connected(&l, server, &opts).await;
        assert_eq!(
            seen.ip(),
            ip("127.0.0.1"),
            "mapped peer is reported as IPv4"
        );
    })
    .await;
}

#[tokio::test]
async fn socket_listener_v4_and_v6_sockets_do_not_collide() {
    if ipv6_loopback_unavailable() {
        return;
    }
    let l = BgpListener::bind(&[addr("0.0.0.0:0"), addr("[::]:0")]).expect("bind both");
    let a = l.local_addrs();
    assert_eq!(a[0].port(), a[1].port(), "second socket reuses the port");
    assert_eq!(l.dual_stack(), vec![false, false], "[::] is IPv6-only here");
    // An IPv6 peer has no IPv4 socket, but does have the IPv6 one.
    if md5_unavailable().is_none() {
        l.set_neighbor_key(ip("::1"), Some(&secret("k")))
            .expect("v6 key");
        l.set_neighbor_key(ip("127.0.0.1"), Some(&secret("k")))
            .expect("v4 key");
    }
    let v4_only = BgpListener::bind(&[addr("127.0.0.1:0")]).expect("bind");
    let err = v4_only
        .set_neighbor_key(ip("::1"), Some(&secret("hidden-key")))
        .expect_err("no IPv6 socket");
    assert!(matches!(err, SocketError::NoListener { .. }), "{err}");
}

#[tokio::test]
async fn socket_secrets_never_appear_in_output() {
    let key = secret("very-secret-password");
    let ao = super::AoKey {
        send_id: 1,
        recv_id: 2,
        algorithm: super::AoAlgorithm::CmacAes128,
        secret: key.clone(),
    };
    let opts = ConnectOptions {
        md5: Some(&key),
        ao: Some(&ao),
        ..ConnectOptions::default()
    };
    let v4_only = BgpListener::bind(&[addr("127.0.0.1:0")]).expect("bind");
    let mut shown = vec![
        format!("{key} {key:?} {ao:?} {opts:?}"),
        format!(
            "{:?}",
            super::connect_socket(addr("127.0.0.1:179"), &opts).err()
        ),
    ];
    let err = v4_only
        .set_neighbor_key(ip("::1"), Some(&key))
        .expect_err("no v6 socket");
    shown.push(format!("{err} {err:?}"));
    let io_err = super::connect(addr("127.0.0.1:179"), &opts)
        .await
        .expect_err("md5+ao rejected");
    shown.push(format!("{io_err} {io_err:?}"));
    for s in &shown {
        assert!(!s.contains("very-secret"), "secret leaked: {s}");
    }
    assert!(shown[0].contains("<redacted>"));
}
