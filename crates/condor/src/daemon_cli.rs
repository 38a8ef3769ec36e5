//! `condor serve`, `check`, `show`, `reload`, `stop`: the daemon and the
//! commands that talk to it over its control socket.

use crate::cli::{
    CheckArgs, ServeArgs, ShowArgs, ShowCommand, ShowLookupArgs, ShowRoutesArgs, SocketArgs,
    StopArgs,
};
use crate::output;
use anyhow::{bail, Context as _};
use condor_control::{Reply, Request, RouteView};
use std::io::Write;
use std::path::Path;

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

fn init_logs(level: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level));
    use std::io::IsTerminal;
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(false)
        .try_init();
}

/// `condor serve`: runs until SIGINT/SIGTERM; SIGHUP reloads.
pub fn serve(args: &ServeArgs) -> anyhow::Result<()> {
    crate::malloc::one_arena();
    init_logs(&args.log_level);
    let config = condor_config::load(&args.config).map_err(|e| anyhow::anyhow!("{e}"))?;
    let socket = args
        .socket
        .clone()
        .unwrap_or_else(|| config.server.control_socket.clone());
    let rt = runtime()?;
    rt.block_on(async move {
        let lg = config.looking_glass.clone();
        let daemon = condor_server::start(config).await?;
        if let Some(lg) = lg {
            let addr = start_looking_glass(&daemon, &lg, Some(args.config.clone())).await?;
            tracing::info!(url = %format!("http://{addr}/"), "looking glass ready");
        }
        condor_server::control::serve(
            daemon.clone(),
            condor_server::control::ControlOptions { socket: socket.clone(), config_file: Some(args.config.clone()) },
        )
        .with_context(|| format!("control socket {}", socket.display()))?;
        tracing::info!(socket = %socket.display(), "control socket ready");
        use tokio::signal::unix::{signal, SignalKind};
        let mut hup = signal(SignalKind::hangup())?;
        let mut term = signal(SignalKind::terminate())?;
        let mut int = signal(SignalKind::interrupt())?;
        loop {
            tokio::select! {
                _ = hup.recv() => match condor_config::load(&args.config) {
                    Ok(c) => {
                        let d = daemon.reload(c).await?;
                        tracing::info!(added = d.added.len(), removed = d.removed.len(), changed = d.changed.len(), "configuration reloaded");
                    }
                    Err(e) => tracing::error!("configuration not reloaded: {e}"),
                },
                _ = term.recv() => break,
                _ = int.recv() => break,
                _ = daemon.stopped() => {
                    tracing::info!("stopped over the control socket");
                    let _ = std::fs::remove_file(&socket);
                    return Ok(());
                }
            }
        }
        tracing::info!("shutting down");
        daemon.shutdown("route server shutting down").await?;
        let _ = std::fs::remove_file(&socket);
        Ok(())
    })
}

/// Starts the looking glass in this process, reading the daemon through its
/// request handler (no socket hop). Returns the bound address.
pub async fn start_looking_glass(
    daemon: &condor_server::Daemon,
    lg: &condor_config::LookingGlass,
    config_file: Option<std::path::PathBuf>,
) -> anyhow::Result<std::net::SocketAddr> {
    let backend = std::sync::Arc::new(condor_server::control::Handler {
        daemon: daemon.clone(),
        config_file,
    });
    let glass = condor_looking_glass::LookingGlass::new(
        backend,
        condor_looking_glass::Options {
            operator_token: lg.operator_token.clone(),
            ..Default::default()
        },
    );
    condor_looking_glass::spawn(lg.listen, glass)
        .await
        .with_context(|| format!("looking glass on {}", lg.listen))
}

/// `condor check`: exit code 1 (with every error) when invalid.
pub fn check(args: &CheckArgs, out: &mut output::Out) -> anyhow::Result<()> {
    let config = condor_config::load(&args.config)
        .map_err(|e| anyhow::anyhow!("invalid configuration:\n{e}"))?;
    if args.print {
        write!(out, "{}", condor_config::to_canonical_toml(&config))?;
    } else {
        let from_registry = config.neighbors.iter().filter(|n| n.from_registry).count();
        let registry = if config.registry.is_some() {
            format!(", {from_registry} from the registry")
        } else {
            String::new()
        };
        output::line(
            out,
            &format!(
                "{}: valid ({} neighbors{registry})",
                args.config.display(),
                config.neighbors.len()
            ),
        )?;
    }
    Ok(())
}

/// One request to the daemon's control socket.
pub(crate) fn call(socket: &Path, req: Request) -> anyhow::Result<Reply> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let reply = rt.block_on(condor_control::call(socket, &req))?;
    if let Reply::Error { message } = &reply {
        bail!("{message}");
    }
    Ok(reply)
}

/// `condor show …`
pub fn show(cmd: &ShowCommand, out: &mut output::Out) -> anyhow::Result<()> {
    match cmd {
        ShowCommand::Neighbors(a) => show_neighbors(a, out),
        ShowCommand::Rib(a) => match call(&a.socket.socket, Request::RibStats)? {
            Reply::RibStats { counters } if a.json => {
                output::line(out, &serde_json::to_string(&counters)?)
            }
            Reply::RibStats { counters: c } => output::line(
                out,
                &format!(
                    "prefixes {}\npaths {}\nattribute sets {}\nmessages queued {} (shared {})",
                    c.prefixes, c.paths, c.attr_sets, c.messages_queued, c.messages_shared
                ),
            ),
            other => bail!("unexpected reply {other:?}"),
        },
        ShowCommand::Routes(a) => show_routes(a, out),
        ShowCommand::Lookup(a) => show_lookup(a, out),
        ShowCommand::Rpki(a) => match call(&a.socket.socket, Request::Rpki)? {
            Reply::Rpki { status } if a.json => output::line(out, &serde_json::to_string(&status)?),
            Reply::Rpki { status: s } if !s.enabled => {
                output::line(out, "RPKI: off (no [rpki] in the configuration)")
            }
            Reply::Rpki { status: s } => {
                let mut text = format!(
                    "VRPs {}
ASPA records {}
changes since start {}",
                    s.vrps, s.aspas, s.serial
                );
                if let Some(f) = &s.file {
                    text.push_str(&format!(
                        "
file {f}"
                    ));
                }
                for c in &s.caches {
                    text.push_str(&format!(
                        "
cache {} (preference {}){}: {}, {} VRPs, {} full loads, {} serial updates",
                        c.address,
                        c.preference,
                        if c.active { " in use" } else { "" },
                        if c.synced { "in sync" } else { "not in sync" },
                        c.vrps,
                        c.resets,
                        c.serial_updates
                    ));
                }
                output::line(out, &text)
            }
            other => bail!("unexpected reply {other:?}"),
        },
        ShowCommand::Irr(a) => match call(&a.socket.socket, Request::Irr)? {
            Reply::Irr { sets } if a.json => output::line(out, &serde_json::to_string(&sets)?),
            Reply::Irr { sets } if sets.is_empty() => {
                output::line(out, "no IRR sets (no neighbor has as_set or irr_file)")
            }
            Reply::Irr { sets } => {
                let mut text =
                    String::from("SET  SOURCE  AGE  IPv4  IPv6  ORIGINS  NEXT REFRESH  ERROR");
                for s in &sets {
                    text.push_str(&format!(
                        "
{}  {}  {}  {}  {}  {}  in {} s{}  {}",
                        s.name,
                        s.source.as_deref().unwrap_or("-"),
                        s.age_s.map_or("-".to_string(), |a| format!("{a} s")),
                        s.prefixes_v4,
                        s.prefixes_v6,
                        s.origins,
                        s.next_refresh_s,
                        if s.from_cache { " (from cache)" } else { "" },
                        s.last_error.as_deref().unwrap_or("-")
                    ));
                }
                output::line(out, &text)
            }
            other => bail!("unexpected reply {other:?}"),
        },
    }
}

fn route_line(r: &condor_control::RouteInfo) -> String {
    let from = r
        .from
        .as_ref()
        .map_or("-".to_string(), |f| format!("AS{} {}", f.asn, f.address));
    let mut flags = String::new();
    if r.best {
        flags.push('*');
    }
    if r.for_client {
        flags.push('>');
    }
    let mut line = format!(
        "{:<2} {:<20} {:<24} {:<28} {}",
        flags, r.prefix, r.next_hop, from, r.as_path
    );
    if !r.accepted {
        let why: Vec<&str> = r.reasons.iter().map(|x| x.description.as_str()).collect();
        line.push_str(&format!("\n     filtered: {}", why.join("; ")));
    }
    line
}

fn show_routes(a: &ShowRoutesArgs, out: &mut output::Out) -> anyhow::Result<()> {
    let view = match a.view.as_str() {
        "received" => RouteView::Received,
        "accepted" => RouteView::Accepted,
        "filtered" => RouteView::Filtered,
        "exported" => RouteView::Exported,
        v => bail!("unknown view {v:?} (received, accepted, filtered, exported)"),
    };
    let req = Request::Routes(condor_control::RoutesRequest {
        neighbor: a.neighbor.clone(),
        view,
        family: a.family.clone(),
        within: a.within.clone(),
        after: a.after.clone(),
        limit: a.limit,
    });
    let Reply::Routes { page } = call(&a.show.socket.socket, req)? else {
        bail!("unexpected reply")
    };
    if a.show.json {
        return output::line(out, &serde_json::to_string(&page)?);
    }
    output::line(
        out,
        &format!(
            "{:<2} {:<20} {:<24} {:<28} {}",
            "", "PREFIX", "NEXT HOP", "FROM", "AS PATH"
        ),
    )?;
    for r in &page.routes {
        output::line(out, &route_line(r))?;
    }
    if let Some(n) = &page.next {
        output::line(out, &format!("(more: --after {n})"))?;
    }
    output::line(out, "* best overall")
}

fn show_lookup(a: &ShowLookupArgs, out: &mut output::Out) -> anyhow::Result<()> {
    let req = Request::Lookup(condor_control::LookupRequest {
        target: a.target.clone(),
        exact: a.exact,
        client: a.client.clone(),
    });
    let Reply::Lookup { result } = call(&a.show.socket.socket, req)? else {
        bail!("unexpected reply")
    };
    if a.show.json {
        return output::line(out, &serde_json::to_string(&result)?);
    }
    let Some(p) = &result.prefix else {
        return output::line(out, &format!("{}: no route", a.target));
    };
    output::line(
        out,
        &format!("{p}: {} candidate(s)", result.candidates.len()),
    )?;
    for r in &result.candidates {
        output::line(out, &route_line(r))?;
    }
    output::line(out, "* best overall  > what the client receives")
}

fn show_neighbors(a: &ShowArgs, out: &mut output::Out) -> anyhow::Result<()> {
    let Reply::Neighbors { neighbors } = call(&a.socket.socket, Request::Neighbors)? else {
        bail!("unexpected reply")
    };
    if a.json {
        return output::line(out, &serde_json::to_string(&neighbors)?);
    }
    output::line(
        out,
        &format!(
            "{:<40} {:<11} {:<12} {:>10} {:>8}  {}",
            "NEIGHBOR", "ASN", "STATE", "UPTIME", "UPDATES", "NAME"
        ),
    )?;
    for n in neighbors {
        let up = n.uptime_s.map_or("-".to_string(), |s| {
            format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
        });
        output::line(
            out,
            &format!(
                "{:<40} {:<11} {:<12} {:>10} {:>8}  {}",
                n.address,
                format!("AS{}", n.asn),
                n.state,
                up,
                n.updates_received,
                n.name
            ),
        )?;
        if n.state != "Established" {
            if let Some(e) = &n.last_error {
                output::line(out, &format!("    last error: {e}"))?;
            }
        }
    }
    Ok(())
}

/// `condor reload`
pub fn reload(args: &SocketArgs, out: &mut output::Out) -> anyhow::Result<()> {
    match call(&args.socket, Request::Reload)? {
        Reply::Reloaded { summary } => {
            output::line(
                out,
                &format!(
                    "reloaded: {} added, {} removed, {} changed",
                    summary.added.len(),
                    summary.removed.len(),
                    summary.changed.len()
                ),
            )?;
            for a in &summary.added {
                output::line(out, &format!("  + {a}"))?;
            }
            for r in &summary.removed {
                output::line(out, &format!("  - {r}"))?;
            }
            for c in &summary.changed {
                output::line(out, &format!("  ~ {c}"))?;
            }
            Ok(())
        }
        other => bail!("unexpected reply {other:?}"),
    }
}

/// `condor stop`
pub fn stop(args: &StopArgs, out: &mut output::Out) -> anyhow::Result<()> {
    call(
        &args.socket.socket,
        Request::Shutdown {
            message: args.message.clone(),
        },
    )?;
    output::line(out, "stopped")
}

/// `condor bench`: the benchmark, with this very binary as the Condor under test.
pub fn bench(mut opts: condor_bench::BenchOptions) -> anyhow::Result<()> {
    if opts.condor_bin.is_none() {
        opts.condor_bin = Some(std::env::current_exe().context("cannot find the condor binary")?);
    }
    runtime()?.block_on(condor_bench::run(opts))?;
    Ok(())
}

/// `condor demo`.
pub fn demo(opts: condor_bench::demo::DemoOptions, out: &mut output::Out) -> anyhow::Result<()> {
    init_logs("warn");
    runtime()?.block_on(condor_bench::demo::run(opts, out))
}
