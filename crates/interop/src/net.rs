//! Loopback addresses and TCP ports for test daemons, chosen so that tests
//! running in parallel processes (nextest runs one process per test) do not
//! collide.
//!
//! Linux routes all of 127.0.0.0/8 to `lo`, so any 127.x.y.z can be bound
//! without adding addresses. Each call of [`loopback_v4`] gives a new address
//! derived from the process id and a per-process counter. IPv6 has only
//! `::1` on `lo`; IPv6 tests share it and differ by port.
//!
//! Ports come from 20000..32000, below Linux's default ephemeral range
//! (32768–60999), so no outgoing connection's source port takes them; each
//! candidate is checked by binding it before it is returned.

use std::net::{IpAddr, Ipv4Addr, TcpListener};
use std::sync::atomic::{AtomicU32, Ordering};

use crate::error::{Error, Result};

static ADDR_COUNTER: AtomicU32 = AtomicU32::new(0);
static PORT_COUNTER: AtomicU32 = AtomicU32::new(0);

const PORT_BASE: u32 = 20000;
const PORT_SPAN: u32 = 12000;

/// A fresh IPv4 loopback address, `127.a.b.c`, distinct from every other
/// address this process got and (with high probability) from other
/// processes' ones; never `127.0.0.1`.
pub fn loopback_v4() -> Ipv4Addr {
    let pid = std::process::id();
    let n = ADDR_COUNTER.fetch_add(1, Ordering::Relaxed);
    v4_for(pid, n)
}

fn v4_for(pid: u32, n: u32) -> Ipv4Addr {
    let a = 1 + (pid % 251) as u8;
    let b = ((pid / 251) % 256) as u8;
    let c = 1 + (n % 254) as u8;
    Ipv4Addr::new(127, a, b, c)
}

/// The IPv6 loopback address `::1`.
pub fn loopback_v6() -> IpAddr {
    IpAddr::V6(std::net::Ipv6Addr::LOCALHOST)
}

/// A TCP port in 20000..32000 that is free on `addr` right now.
pub fn free_port(addr: IpAddr) -> Result<u16> {
    let pid = std::process::id();
    let mut last = None;
    for _ in 0..64 {
        let n = PORT_COUNTER.fetch_add(1, Ordering::Relaxed);
        let port = port_for(pid, n);
        match TcpListener::bind((addr, port)) {
            Ok(l) => {
                drop(l);
                return Ok(port);
            }
            Err(e) => last = Some(e),
        }
    }
    Err(Error::io(
        format!(
            "no free TCP port on {addr} in {PORT_BASE}..{}",
            PORT_BASE + PORT_SPAN
        ),
        last.unwrap_or_else(|| std::io::Error::other("no candidate")),
    ))
}

fn port_for(pid: u32, n: u32) -> u16 {
    // Spread processes over the span by a multiplicative hash of the pid,
    // then walk from there with the counter.
    let start = pid.wrapping_mul(2_654_435_761) % PORT_SPAN;
    (PORT_BASE + (start + n.wrapping_mul(7)) % PORT_SPAN) as u16
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_differ_per_call_and_avoid_127_0_0_1() {
        let a = loopback_v4();
        let b = loopback_v4();
        assert_ne!(a, b);
        for pid in [1, 250, 251, 32767, 4_194_303] {
            for n in 0..300 {
                let ip = v4_for(pid, n);
                assert_eq!(ip.octets()[0], 127);
                assert_ne!(ip, Ipv4Addr::new(127, 0, 0, 1));
                assert_ne!(ip.octets()[3], 0);
            }
        }
        assert_ne!(v4_for(100, 0), v4_for(101, 0));
    }

    #[test]
    fn ports_are_free_and_in_range() {
        let ip = IpAddr::V4(loopback_v4());
        let p = free_port(ip).unwrap();
        assert!((20000..32000).contains(&p));
        let _hold = TcpListener::bind((ip, p)).unwrap();
        let q = free_port(ip).unwrap();
        assert_ne!(p, q);
    }
}
