//! Test support for the looking glass: a daemon with raw BGP speakers
//! (from the server's test support), the looking glass in process on
//! loopback, and a small HTTP/1.1 client that keeps every body it read so
//! a test can search all of them (for secrets).

#![allow(dead_code)]

#[path = "../../../server/tests/support/mod.rs"]
pub mod support;

use condor_looking_glass::{LookingGlass, Options};
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The operator token of the tests.
pub const TOKEN: &str = "operator-token-for-tests-0815";

/// Import filters: permissive but bogon prefixes, so a route can be filtered.
pub fn filters() -> String {
    support::PERMISSIVE_FILTERS.replace("bogon_prefixes = false", "bogon_prefixes = true")
}

/// A response.
#[derive(Debug, Clone)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Resp {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// An HTTP client from one loopback address, recording every body.
#[derive(Clone)]
pub struct Client {
    pub server: SocketAddr,
    pub seen: Arc<Mutex<Vec<String>>>,
}

impl Client {
    pub fn new(server: SocketAddr) -> Client {
        Client {
            server,
            seen: Arc::new(Mutex::new(Vec::new())),
        }
    }

    pub async fn get(&self, path: &str) -> Resp {
        self.request(path, None).await
    }

    pub async fn get_as_operator(&self, path: &str, token: &str) -> Resp {
        self.request(path, Some(token)).await
    }

    async fn request(&self, path: &str, token: Option<&str>) -> Resp {
        let fut = async {
            let mut s = TcpStream::connect(self.server).await.expect("connect");
            let auth = token
                .map(|t| format!("Authorization: Bearer {t}\r\n"))
                .unwrap_or_default();
            let req = format!(
                "GET {path} HTTP/1.1\r\nHost: {}\r\n{auth}Connection: close\r\n\r\n",
                self.server
            );
            s.write_all(req.as_bytes()).await.expect("write");
            let mut raw = Vec::new();
            s.read_to_end(&mut raw).await.expect("read");
            raw
        };
        let raw = tokio::time::timeout(Duration::from_secs(30), fut)
            .await
            .expect("HTTP answer within 30 s");
        let split = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("end of headers");
        let head = String::from_utf8_lossy(&raw[..split]).to_string();
        let mut lines = head.lines();
        let status: u16 = lines
            .next()
            .and_then(|l| l.split(' ').nth(1))
            .and_then(|s| s.parse().ok())
            .expect("status line");
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
            .collect();
        let mut body = raw[split + 4..].to_vec();
        let chunked = headers
            .iter()
            .any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
        if chunked {
            body = dechunk(&body);
        }
        let body = String::from_utf8(body).expect("UTF-8 body");
        self.seen
            .lock()
            .unwrap()
            .push(format!("{head}\r\n\r\n{body}"));
        Resp {
            status,
            headers,
            body,
        }
    }
}

fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(eol) = b.windows(2).position(|w| w == b"\r\n") else {
            return out;
        };
        let size = usize::from_str_radix(
            std::str::from_utf8(&b[..eol])
                .unwrap()
                .split(';')
                .next()
                .unwrap()
                .trim(),
            16,
        )
        .expect("chunk size");
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&b[eol + 2..eol + 2 + size]);
        b = &b[eol + 2 + size + 2..];
    }
}

/// 127.0.`net`.`host`.
pub fn ip(net: u8, host: u8) -> Ipv4Addr {
    Ipv4Addr::new(127, 0, net, host)
}

/// Starts the looking glass on `ip:0` in process, reading `daemon` directly.
pub async fn start_lg(
    daemon: &condor_server::Daemon,
    at: Ipv4Addr,
    options: Options,
) -> SocketAddr {
    let backend = Arc::new(condor_server::control::Handler {
        daemon: daemon.clone(),
        config_file: None,
    });
    let lg = LookingGlass::new(backend, options);
    condor_looking_glass::spawn(SocketAddr::new(at.into(), 0), lg)
        .await
        .expect("looking glass binds")
}

/// Options of the tests: the operator token, counts never cached.
pub fn options() -> Options {
    Options {
        operator_token: Some(condor_config::Secret::new(TOKEN)),
        counts_ttl: Duration::ZERO,
        rate_per_second: 10_000.0,
        burst: 10_000.0,
        ..Options::default()
    }
}

/// Polls `cond` on the neighbors list (operator view) until it holds.
pub async fn wait_for(c: &Client, what: &str, cond: impl Fn(&serde_json::Value) -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let r = c.get_as_operator("/api/v1/neighbors", TOKEN).await;
        if r.status == 200 && cond(&r.json()) {
            return;
        }
        if tokio::time::Instant::now() > deadline {
            panic!("timed out waiting for {what}: {}", r.body);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The neighbor with this address in a neighbors answer.
pub fn neighbor<'a>(v: &'a serde_json::Value, addr: &str) -> Option<&'a serde_json::Value> {
    v["neighbors"]
        .as_array()?
        .iter()
        .find(|n| n["address"] == addr)
}
