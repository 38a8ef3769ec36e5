//! Loopback tests of TCP-AO (RFC 5925). They run where the kernel has
//! TCP-AO and report themselves skipped (after checking that the probe
//! and the API say "unsupported" consistently) where it does not.

use std::io;
use std::net::IpAddr;
use std::time::Duration;

use super::tests_util::{addr, expect_connected, expect_no_connection, secret};
use super::{
    ao_counters, probe_tcp_ao, AoAlgorithm, AoKey, AoUnsupported, BgpListener, ConnectOptions,
    SocketError,
};

const TEST_BOUND: Duration = Duration::from_secs(30);

fn key(send_id: u8, recv_id: u8, algorithm: AoAlgorithm, s: &str) -> AoKey {
    AoKey {
        send_id,
        recv_id,
        algorithm,
        secret: secret(s),
    }
}

#[tokio::test]
async fn socket_ao_matching_keys_connect_mismatching_do_not() {
    let localhost: IpAddr = "127.0.0.1".parse().expect("ip");
    match probe_tcp_ao() {
        Ok(()) => {}
        Err(reason) => {
            println!("SKIPPED: {reason}");
            assert!(
                matches!(reason, AoUnsupported::KernelLacksAo { .. }),
                "probe must say the kernel lacks TCP-AO, not fail: {reason}"
            );
            // The API agrees: an AO connection is refused as unsupported.
            let k = key(1, 2, AoAlgorithm::HmacSha1, "ao-secret");
            let opts = ConnectOptions {
                ao: Some(&k),
                timeout: Duration::from_secs(1),
                ..ConnectOptions::default()
            };
            let err = super::connect(addr("127.0.0.1:9"), &opts)
                .await
                .expect_err("no TCP-AO");
            assert_eq!(err.kind(), io::ErrorKind::Unsupported, "{err}");
            let l = BgpListener::bind(&[addr("127.0.0.1:0")]).expect("bind");
            let e = l.add_neighbor_ao_key(localhost, &k).expect_err("no TCP-AO");
            assert!(matches!(e, SocketError::AoUnsupported(_)), "{e}");
            return;
        }
    }
    let run = async {
        let l = BgpListener::bind(&[addr("127.0.0.1:0")]).expect("bind");
        let server = l.local_addrs()[0];
        // The listener sends with id 100 and expects 200; the client the
        // other way round (RFC 5925 §3.1).
        let server_key = key(100, 200, AoAlgorithm::HmacSha1, "ao-shared");
        l.add_neighbor_ao_key(localhost, &server_key)
            .expect("listener key");

        let good = key(200, 100, AoAlgorithm::HmacSha1, "ao-shared");
        let opts = ConnectOptions {
            ao: Some(&good),
            ..ConnectOptions::default()
        };
        expect_connected(&l, server, &opts).await;

        let wrong_secret = key(200, 100, AoAlgorithm::HmacSha1, "ao-other");
        let opts = ConnectOptions {
            ao: Some(&wrong_secret),
            ..ConnectOptions::default()
        };
        expect_no_connection(&l, server, &opts).await;

        let wrong_ids = key(201, 101, AoAlgorithm::HmacSha1, "ao-shared");
        let opts = ConnectOptions {
            ao: Some(&wrong_ids),
            ..ConnectOptions::default()
        };
        expect_no_connection(&l, server, &opts).await;

        // Unsigned SYNs from a peer with an MKT are dropped too.
        expect_no_connection(&l, server, &ConnectOptions::default()).await;

        // MD5 and AO cannot share a peer.
        let e = l
            .set_neighbor_key(localhost, Some(&secret("md5")))
            .expect_err("AO key present");
        assert!(matches!(e, SocketError::KeyConflict { .. }), "{e}");

        // After removal the peer connects without keys.
        l.remove_neighbor_ao_key(localhost, 100, 200)
            .expect("remove");
        let plain = ConnectOptions {
            timeout: Duration::from_secs(5),
            ..ConnectOptions::default()
        };
        let (client, accepted) = tokio::join!(
            super::connect(server, &plain),
            tokio::time::timeout(Duration::from_secs(5), l.accept())
        );
        let client = client.expect("unsigned after removal");
        accepted.expect("bounded").expect("accept");
        assert_eq!(ao_counters(&client).expect("counters").good, 0);
    };
    tokio::time::timeout(TEST_BOUND, run)
        .await
        .expect("bounded");
}
