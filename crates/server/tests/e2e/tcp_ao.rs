//! TCP-AO (RFC 5925) between two daemons, or, where the kernel lacks it,
//! a clear start-up error naming the neighbor.
//!
//! ```text
//!   condor A AS64115 127.0.0.1:pA ══TCP-AO══ condor B AS64116 127.0.0.5:pB
//! ```

use crate::support::*;
use condor_session::socket::{probe_tcp_ao, AoUnsupported};
use std::net::SocketAddr;

fn ao(send_id: u8, recv_id: u8, secret: &str) -> String {
    format!(
        "[neighbor.tcp_ao]\nsend_id = {send_id}\nrecv_id = {recv_id}\nalgorithm = \"hmac(sha1)\"\nsecret = \"{secret}\"\n"
    )
}

/// A and B, each with the other as an active TCP-AO neighbor (A sends
/// key id 1 and expects 2, B the reverse).
fn ao_pair(pa: SocketAddr, pb: SocketAddr) -> (ConfigBuilder, ConfigBuilder) {
    let a = ConfigBuilder::new(lo(1)).neighbor(
        NeighborCfg::member(lo(5), 64116)
            .active(pb.port(), lo(1))
            .extra("internal = true\n")
            .extra(&ao(1, 2, "ao-pair-secret")),
    );
    let b = ConfigBuilder::new(lo(5)).asn(64116).neighbor(
        NeighborCfg::member(lo(1), RS_ASN)
            .active(pa.port(), lo(5))
            .extra("internal = true\n")
            .extra(&ao(2, 1, "ao-pair-secret")),
    );
    (a, b)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tcp_ao_sessions_or_a_clear_error() {
    init_logging();
    match probe_tcp_ao() {
        Err(AoUnsupported::KernelLacksAo { errno }) => {
            let cfg = ConfigBuilder::new(lo(1)).neighbor(
                NeighborCfg {
                    name: "AO peer".into(),
                    ..NeighborCfg::member(lo(5), 64116)
                }
                .extra(&ao(1, 1, "ao-secret")),
            );
            let err = match condor_server::start(cfg.build()).await {
                Ok(_) => panic!(
                    "start with a TCP-AO neighbor succeeded on a kernel without TCP-AO ({errno})"
                ),
                Err(e) => format!("{e:#}"),
            };
            assert!(
                err.contains("127.0.0.5") && err.contains("AO peer"),
                "the error must name the neighbor: {err}"
            );
            assert!(
                err.contains("kernel lacks TCP-AO"),
                "the error must say the kernel lacks TCP-AO: {err}"
            );
            // The pair's configuration is valid all the same.
            let (cfg_a, cfg_b) = ao_pair(
                "127.0.0.1:1790".parse().expect("literal"),
                "127.0.0.5:1790".parse().expect("literal"),
            );
            assert!(cfg_a.build().neighbors[0].tcp_ao.is_some());
            assert!(cfg_b.build().neighbors[0].tcp_ao.is_some());
            println!("SKIPPED: Condor↔Condor TCP-AO session (kernel lacks TCP-AO, {errno})");
        }
        Err(AoUnsupported::ProbeFailed { reason }) => {
            panic!("TCP-AO probe failed without an answer: {reason}")
        }
        Ok(()) => {
            let a = ConfigBuilder::new(lo(1)).start().await;
            let b = ConfigBuilder::new(lo(5)).asn(64116).start().await;
            let (cfg_a, cfg_b) = ao_pair(listen_addr(&a), listen_addr(&b));
            let (ra, rb) = tokio::join!(a.reload(cfg_a.build()), b.reload(cfg_b.build()));
            ra.expect("reload A");
            rb.expect("reload B");
            wait_established(&a, lo(5), TIMEOUT).await;
            wait_established(&b, lo(1), TIMEOUT).await;
        }
    }
}
