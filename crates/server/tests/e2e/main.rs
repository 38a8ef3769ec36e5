//! End-to-end tests of the route-server daemon, in-process: real sockets on
//! loopback (TCP-MD5 included), one `condor_server::start` per daemon, raw
//! BGP speakers from `support` as members. Each module tests one behaviour
//! and draws its topology in its header. Set `RUST_LOG=debug` to see the
//! daemon's log.

#[path = "../support/mod.rs"]
mod support;

mod admin_shutdown;
mod arouteserver;
mod ars_bird_diff;
mod condor_pair;
mod filters;
mod malformed;
mod max_prefix;
mod reload;
mod rpki;
mod tcp_ao;
mod transparency;
mod unknown_source;
