//! BGP transport sockets: listeners and connectors with TCP-MD5
//! (RFC 2385), TCP-AO (RFC 5925 / RFC 5926) and GTSM (RFC 5082), on
//! tokio, for the session driver (RFC 4271 §8.2.1 TCP connection
//! handling).
//!
//! - [`Secret`] — a key password/master key, redacted in all output.
//! - [`set_md5`] — per-peer RFC 2385 key on any socket.
//! - [`probe_tcp_ao`], [`set_ao_key`], [`del_ao_key`] — RFC 5925 MKTs,
//!   with a run-time check for kernel support ([`AoUnsupported`]).
//! - [`set_gtsm`], [`set_ttl`] — RFC 5082 TTL security / multihop TTL.
//! - [`BgpListener`] — listening sockets with per-neighbor keys managed
//!   at run time; see its module for the dual-stack rule.
//! - [`connect`] — outgoing connection with every option set before SYN.
//!
//! Linux only. All `unsafe` code (socket options with kernel structures)
//! is in `sys.rs`.

mod ao;
mod connect;
mod error;
mod family;
mod listener;
mod md5;
mod secret;
mod sys;
mod ttl;

#[cfg(test)]
mod tests_ao;
#[cfg(test)]
mod tests_gtsm;
#[cfg(test)]
mod tests_md5;
#[cfg(test)]
mod tests_util;

pub use ao::{
    ao_counters, del_ao_key, probe_tcp_ao, set_ao_key, AoAlgorithm, AoCounters, AoKey,
    UnknownAoAlgorithm, AO_MAC_LEN,
};
pub use connect::{connect, connect_socket, ConnectOptions, TtlPolicy, DEFAULT_CONNECT_TIMEOUT};
pub use error::{AoUnsupported, SocketError};
pub use family::IpFamily;
pub use listener::{BgpListener, LISTEN_BACKLOG};
pub use md5::set_md5;
pub use secret::{Md5Key, Secret, SecretError, MAX_KEY_LEN};
pub use ttl::{gtsm_min_ttl, min_ttl, set_gtsm, set_ttl, ttl, GTSM_TTL};
