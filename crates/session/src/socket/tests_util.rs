//! Helpers for the loopback socket tests: every wait is bounded.

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::{connect, set_md5, BgpListener, ConnectOptions, Secret, SocketError};

/// How long a connection that must fail is given (the kernel retransmits
/// the dropped SYN after 1 s, so this covers two SYNs).
pub(crate) const NO_CONNECT_WAIT: Duration = Duration::from_millis(2000);
/// Bound on connections that must succeed.
pub(crate) const CONNECT_WAIT: Duration = Duration::from_secs(5);

pub(crate) fn secret(s: &str) -> Secret {
    s.parse().expect("test key is valid")
}

pub(crate) fn addr(s: &str) -> SocketAddr {
    s.parse().expect("test address literal")
}

/// `None` if TCP-MD5 can be set by this process; otherwise prints why the
/// test is skipped and returns the reason.
pub(crate) fn md5_unavailable() -> Option<String> {
    let s =
        socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).expect("socket");
    let reason = match set_md5(&s, "127.0.0.1".parse().expect("ip"), Some(&secret("probe"))) {
        Ok(()) => return None,
        Err(SocketError::Md5Unsupported { errno }) => format!("kernel lacks TCP-MD5 ({errno})"),
        Err(SocketError::Sockopt { source, .. }) if source.raw_os_error() == Some(libc::EPERM) => {
            "TCP_MD5SIG needs privileges here (EPERM)".to_string()
        }
        Err(e) => panic!("unexpected TCP-MD5 probe error: {e}"),
    };
    println!("SKIPPED: {reason}");
    Some(reason)
}

/// Whether `::1` can be bound (IPv6 may be disabled in a container).
pub(crate) fn ipv6_loopback_unavailable() -> bool {
    match std::net::TcpListener::bind("[::1]:0") {
        Ok(_) => false,
        Err(e) => {
            println!("SKIPPED: IPv6 loopback unavailable ({e})");
            true
        }
    }
}

/// Connects, accepts on `listener`, and checks that bytes flow both ways.
/// Returns the peer address the listener saw.
pub(crate) async fn expect_connected(
    listener: &BgpListener,
    peer: SocketAddr,
    opts: &ConnectOptions<'_>,
) -> SocketAddr {
    let opts = ConnectOptions {
        timeout: CONNECT_WAIT,
        ..opts.clone()
    };
    let (client, accepted) = tokio::join!(
        connect(peer, &opts),
        tokio::time::timeout(CONNECT_WAIT, listener.accept())
    );
    let mut client = client.expect("connection should be established");
    let (mut server, seen_peer, seen_local) =
        accepted.expect("accept timed out").expect("accept failed");
    assert_eq!(seen_local.port(), peer.port());
    exchange(&mut client, &mut server).await;
    seen_peer
}

async fn exchange(client: &mut TcpStream, server: &mut TcpStream) {
    let io = async {
        client.write_all(b"OPEN").await?;
        let mut buf = [0u8; 4];
        server.read_exact(&mut buf).await?;
        assert_eq!(&buf, b"OPEN");
        server.write_all(b"KEEP").await?;
        client.read_exact(&mut buf).await?;
        assert_eq!(&buf, b"KEEP");
        Ok::<_, io::Error>(())
    };
    tokio::time::timeout(CONNECT_WAIT, io)
        .await
        .expect("data exchange timed out")
        .expect("data exchange failed");
}

/// Asserts that no connection comes up within [`NO_CONNECT_WAIT`] and
/// that the listener has nothing to accept.
pub(crate) async fn expect_no_connection(
    listener: &BgpListener,
    peer: SocketAddr,
    opts: &ConnectOptions<'_>,
) {
    let opts = ConnectOptions {
        timeout: NO_CONNECT_WAIT,
        ..opts.clone()
    };
    let (client, accepted) = tokio::join!(
        connect(peer, &opts),
        tokio::time::timeout(NO_CONNECT_WAIT, listener.accept())
    );
    match client {
        Err(e) => assert_eq!(e.kind(), io::ErrorKind::TimedOut, "{e}"),
        Ok(s) => panic!("connection unexpectedly established: {:?}", s.local_addr()),
    }
    assert!(
        accepted.is_err(),
        "listener unexpectedly accepted a connection"
    );
}
