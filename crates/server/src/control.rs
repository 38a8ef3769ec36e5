//! The control socket: a Unix socket where the CLI and the looking glass ask
//! the daemon questions ([`condor_control::Request`]), one JSON line each.
//! Each connection is served by its own task and talks to the daemon through
//! its request channel, so a reader never blocks BGP work.

use crate::Daemon;
use condor_control::{NeighborInfo, Reply, Request, RibCounters, MAX_REQUEST_LEN};
use std::path::{Path, PathBuf};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{UnixListener, UnixStream};

/// Where `Reload` reads the configuration from.
#[derive(Clone, Debug)]
pub struct ControlOptions {
    /// The socket path (created; a stale socket file is replaced).
    pub socket: PathBuf,
    /// The configuration file, re-read on `Reload`.
    pub config_file: Option<PathBuf>,
}

/// Binds the control socket and serves it in the background.
pub fn serve(daemon: Daemon, opts: ControlOptions) -> std::io::Result<()> {
    if let Some(dir) = opts.socket.parent() {
        std::fs::create_dir_all(dir)?;
    }
    if opts.socket.exists() {
        // Only replace a socket nobody answers on.
        if std::os::unix::net::UnixStream::connect(&opts.socket).is_ok() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::AddrInUse,
                format!("{} is in use by a running daemon", opts.socket.display()),
            ));
        }
        std::fs::remove_file(&opts.socket)?;
    }
    let listener = UnixListener::bind(&opts.socket)?;
    // Operators only: the socket can stop the daemon.
    std::fs::set_permissions(
        &opts.socket,
        std::os::unix::fs::PermissionsExt::from_mode(0o660),
    )?;
    tokio::spawn(async move {
        loop {
            match listener.accept().await {
                Ok((stream, _)) => {
                    let d = daemon.clone();
                    let o = opts.clone();
                    tokio::spawn(async move {
                        if let Err(e) = connection(stream, d, &o).await {
                            tracing::debug!(error = %e, "control connection ended");
                        }
                    });
                }
                Err(e) => {
                    tracing::warn!(error = %e, "control socket accept failed");
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                }
            }
        }
    });
    Ok(())
}

async fn connection(
    stream: UnixStream,
    daemon: Daemon,
    opts: &ControlOptions,
) -> std::io::Result<()> {
    let (r, mut w) = stream.into_split();
    let mut reader = BufReader::new(r.take(MAX_REQUEST_LEN as u64 * 16));
    let mut line = String::new();
    loop {
        line.clear();
        let n = reader.read_line(&mut line).await?;
        if n == 0 {
            return Ok(());
        }
        let reply = if line.len() > MAX_REQUEST_LEN {
            Reply::Error {
                message: format!("request longer than {MAX_REQUEST_LEN} octets"),
            }
        } else {
            match serde_json::from_str::<Request>(&line) {
                Ok(req) => answer(req, &daemon, opts.config_file.as_deref()).await,
                Err(e) => Reply::Error {
                    message: format!("bad request: {e}"),
                },
            }
        };
        let mut out = serde_json::to_string(&reply)
            .unwrap_or_else(|_| r#"{"reply":"error","message":"encoding failed"}"#.into());
        out.push('\n');
        w.write_all(out.as_bytes()).await?;
    }
}

async fn answer(req: Request, daemon: &Daemon, config_file: Option<&Path>) -> Reply {
    match req {
        Request::Neighbors => match daemon.neighbors().await {
            Ok(ns) => Reply::Neighbors {
                neighbors: ns.iter().map(neighbor_info).collect(),
            },
            Err(e) => Reply::Error {
                message: format!("{e:#}"),
            },
        },
        Request::RibStats => match daemon.rib.stats().await {
            Some(s) => Reply::RibStats {
                counters: RibCounters {
                    prefixes: s.prefixes as u64,
                    paths: s.paths as u64,
                    attr_sets: s.attr_sets as u64,
                    messages_queued: s.messages_queued,
                    messages_shared: s.messages_shared,
                },
            },
            None => Reply::Error {
                message: "the RIB is not running".into(),
            },
        },
        Request::Reload => {
            let Some(path) = config_file else {
                return Reply::Error {
                    message: "the daemon runs on a built-in configuration; nothing to re-read"
                        .into(),
                };
            };
            match condor_config::load(path) {
                Err(e) => Reply::Error {
                    message: format!("configuration not reloaded:\n{e}"),
                },
                Ok(c) => match daemon.reload(c).await {
                    Ok(d) => Reply::Reloaded {
                        summary: condor_control::ReloadSummary {
                            added: d.added.iter().map(|a| a.to_string()).collect(),
                            removed: d.removed.iter().map(|a| a.to_string()).collect(),
                            changed: d
                                .changed
                                .iter()
                                .map(|c| {
                                    format!(
                                        "{} ({:?}: {})",
                                        c.address,
                                        c.impact,
                                        c.fields.join(", ")
                                    )
                                })
                                .collect(),
                        },
                    },
                    Err(e) => Reply::Error {
                        message: format!("{e:#}"),
                    },
                },
            }
        }
        Request::Shutdown { message } => match daemon.shutdown(&message).await {
            Ok(()) => Reply::Ok,
            Err(e) => Reply::Error {
                message: format!("{e:#}"),
            },
        },
        Request::Status => crate::query::status(daemon).await,
        Request::Routes(r) => crate::query::routes(daemon, r).await,
        Request::Lookup(r) => crate::query::lookup(daemon, r).await,
        Request::Counts => crate::query::counts(daemon).await,
        Request::Matrix => crate::query::matrix(daemon).await,
        Request::Rpki => match daemon.rpki_status().await {
            Ok(status) => Reply::Rpki { status },
            Err(e) => Reply::Error {
                message: format!("{e:#}"),
            },
        },
        Request::Irr => Reply::Irr {
            sets: daemon.irr_status().await,
        },
    }
}

/// The daemon's request handler as a [`condor_control::Backend`]: the
/// looking glass embedded in the daemon's process asks it directly, with
/// no socket in between.
#[derive(Clone, Debug)]
pub struct Handler {
    /// The daemon.
    pub daemon: Daemon,
    /// The configuration file `Reload` re-reads.
    pub config_file: Option<PathBuf>,
}

impl condor_control::Backend for Handler {
    fn call(
        &self,
        request: Request,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Reply> + Send + '_>> {
        Box::pin(answer(request, &self.daemon, self.config_file.as_deref()))
    }
}

/// The operator's view of a neighbor.
pub fn neighbor_info(n: &crate::NeighborStatus) -> NeighborInfo {
    let s = &n.session;
    NeighborInfo {
        name: n.name.clone(),
        address: n.address.to_string(),
        asn: n.asn.0,
        state: s.state.to_string(),
        uptime_s: s
            .established_since
            .and_then(|t| t.elapsed().ok())
            .map(|d| d.as_secs()),
        last_transition: s.last_transition.clone(),
        last_error: s.last_error.clone(),
        families: s
            .negotiated
            .as_ref()
            .map(|n| n.families.iter().map(|f| f.to_string()).collect())
            .unwrap_or_default(),
        updates_received: s.updates_received,
        internal: n.internal,
    }
}
