//! A connection from an address that is not a configured neighbor is
//! closed without a single BGP octet sent.
//!
//! ```text
//!   127.0.0.99 (not configured) ──TCP──► condor 127.0.0.1:port   (neighbor: 127.0.0.2)
//! ```

use crate::support::*;
use tokio::io::AsyncReadExt;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_source_address_is_closed_without_a_word() {
    init_logging();
    let d = ConfigBuilder::new(lo(1))
        .neighbor(NeighborCfg::member(lo(2), 64501).password("key-a"))
        .start()
        .await;
    let mut stream = tcp_connect(lo(99), listen_addr(&d), None)
        .await
        .expect("the kernel completes the TCP handshake; the daemon decides");
    let mut got = Vec::new();
    let read = tokio::time::timeout(TIMEOUT, stream.read_to_end(&mut got)).await;
    match read {
        Err(_) => panic!("connection from 127.0.0.99 still open after {TIMEOUT:?}"),
        // A reset is a close too; nothing may have been read before it.
        Ok(Ok(_)) | Ok(Err(_)) => assert!(
            got.is_empty(),
            "the daemon sent {} octets to an unknown address: {:02x?}",
            got.len(),
            &got[..got.len().min(32)]
        ),
    }
    let n = status(&d, lo(2)).await;
    assert_eq!(
        n.session.updates_received, 0,
        "the configured neighbor is untouched"
    );
}
