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
        let auth = token
            .map(|t| format!("Authorization: Bearer {t}\r\n"))
            .unwrap_or_default();
        self.send("GET", path, &auth, None).await
    }

    /// A POST with a JSON body.
    pub async fn post(&self, path: &str, body: &serde_json::Value) -> Resp {
        self.send("POST", path, "", Some(body.to_string())).await
    }

    /// A DELETE.
    pub async fn delete(&self, path: &str) -> Resp {
        self.send("DELETE", path, "", None).await
    }

    async fn send(&self, method: &str, path: &str, extra: &str, body: Option<String>) -> Resp {
        let fut = async {
            let mut s = TcpStream::connect(self.server).await.expect("connect");
            let content = body
                .as_ref()
                .map(|b| {
                    format!(
                        "Content-Type: application/json\r\nContent-Length: {}\r\n",
                        b.len()
                    )
                })
                .unwrap_or_default();
            let req = format!(
                "{method} {path} HTTP/1.1\r\nHost: {}\r\n{extra}{content}Connection: close\r\n\r\n{}",
                self.server,
                body.as_deref().unwrap_or("")
            );
            s.write_all(req.as_bytes()).await.expect("write");
            read_response(&mut s).await
        };
        let raw = tokio::time::timeout(Duration::from_secs(60), fut)
            .await
            .expect("HTTP answer within 60 s");
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

/// Reads one response: to its Content-Length, its last chunk, or EOF.
async fn read_response(s: &mut TcpStream) -> Vec<u8> {
    let mut raw = Vec::new();
    let mut buf = vec![0u8; 65536];
    loop {
        let n = s.read(&mut buf).await.expect("read");
        if n == 0 {
            return raw;
        }
        raw.extend_from_slice(&buf[..n]);
        let Some(split) = raw.windows(4).position(|w| w == b"\r\n\r\n") else {
            continue;
        };
        let head = String::from_utf8_lossy(&raw[..split]).to_ascii_lowercase();
        let body = raw.len() - split - 4;
        if let Some(len) = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .and_then(|v| v.trim().parse::<usize>().ok())
        {
            if body >= len {
                return raw;
            }
        } else if head.contains("transfer-encoding: chunked") && raw.ends_with(b"0\r\n\r\n") {
            return raw;
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
