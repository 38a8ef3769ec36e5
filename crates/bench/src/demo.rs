//! `condor demo`: a route server and its simulated members, on loopback, in
//! one process. The route server is the real daemon (`condor-server`) with
//! a generated configuration modelled on Perú IX's (AS64115, TCP sessions
//! from each member's own address); the members are this crate's simulated
//! BGP speakers, each announcing its own prefixes and checking what it
//! receives (transparency: the originating AS first, the original next hop,
//! never its own routes back).
//!
//! The looking glass (issue 7) will attach to the same control socket; until
//! then the demo prints the sessions and routes itself, and `condor show
//! neighbors --socket PATH` works while it runs.

use crate::peer::{self, Clock, PeerCmd, PeerConfig, PeerStats};
use crate::plan::{Layout, Plan};
use crate::target::{SERVER_ADDRESS, SERVER_ASN};
use anyhow::Context as _;
use bytes::Bytes;
use std::fmt::Write as _;
use std::io::Write;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, Semaphore};

/// What the demo runs.
#[derive(Clone, Debug, clap::Args)]
pub struct DemoOptions {
    /// Simulated members (2–1000).
    #[arg(long, default_value_t = 12)]
    pub members: u32,
    /// Prefixes each member announces.
    #[arg(long, default_value_t = 250)]
    pub prefixes: u32,
    /// Stop after this many seconds (default: run until Ctrl-C).
    #[arg(long, value_name = "SECONDS")]
    pub duration: Option<u64>,
    /// Address of the looking glass (another free port when this one is taken).
    #[arg(long, value_name = "ADDRESS:PORT", default_value = "127.0.0.1:8080")]
    pub looking_glass: std::net::SocketAddr,
}

/// Writes the demo's policy data into `dir` (an RPKI file, one IRR file per
/// member; see [`crate::demo_data`]).
pub fn write_data(plan: &Plan, dir: &std::path::Path) -> std::io::Result<()> {
    std::fs::write(dir.join("vrps.json"), crate::demo_data::vrp_json(plan))?;
    for i in 0..plan.peers() {
        std::fs::write(
            dir.join(format!("irr-member-{}.txt", i + 1)),
            crate::demo_data::irr_file(plan, i),
        )?;
    }
    std::fs::write(dir.join("irr-member-v6.txt"), crate::demo_v6::irr_file())?;
    Ok(())
}

/// The route server's configuration for the demo's members, with the data
/// [`write_data`] put in `dir`: the default import filters (next hop and
/// private-ASN checks aside: the simulated members use private 32-bit ASNs
/// and next hops in 198.18.0.0/15), RPKI from the file, IRR per member.
pub fn config(plan: &Plan, control_socket: &std::path::Path, dir: &std::path::Path) -> String {
    let mut c = String::new();
    let _ = writeln!(
        c,
        "# condor demo: a Perú IX-style route server (AS{SERVER_ASN}) with {} simulated members.",
        plan.peers()
    );
    let _ = writeln!(c, "[server]\nname = \"Demo IX route server 1\"\nasn = {SERVER_ASN}\nrouter_id = \"{SERVER_ADDRESS}\"");
    let _ = writeln!(
        c,
        "listen = [\"{SERVER_ADDRESS}:0\", \"[::1]:0\"]\nhold_time = 90"
    );
    let _ = writeln!(c, "control_socket = \"{}\"", control_socket.display());
    // Simulated members: private 32-bit ASNs, next hops in 198.18.0.0/15.
    c.push_str("\n[filters]\nnext_hop = \"any\"\nbogon_asns = false\n");
    let _ = writeln!(
        c,
        "\n[rpki]\nfile = \"{}\"",
        dir.join("vrps.json").display()
    );
    for i in 0..plan.peers() {
        let _ = write!(
            c,
            "\n[[neighbor]]\nname = \"Demo member {}\"\naddress = \"{}\"\nasn = {}\npassive = true\nirr_file = \"{}\"\n[neighbor.max_prefix]\nipv4 = {}\n",
            i + 1,
            Plan::address(i),
            Plan::asn(i),
            dir.join(format!("irr-member-{}.txt", i + 1)).display(),
            plan.prefixes() * 2
        );
    }
    c.push_str(&crate::demo_v6::neighbor(&dir.join("irr-member-v6.txt")));
    c
}

/// Runs the demo, printing to `out`, until Ctrl-C or the duration.
pub async fn run(opts: DemoOptions, out: &mut dyn Write) -> anyhow::Result<()> {
    let plan = Arc::new(
        Plan::new(opts.members, opts.prefixes, Layout::Disjoint)
            .map_err(|e| anyhow::anyhow!("{e}"))?,
    );
    crate::limits::ensure_files(opts.members).map_err(|e| anyhow::anyhow!("{e}"))?;
    let dir = tempfile::tempdir().context("temporary directory")?;
    let socket = dir.path().join("condor.sock");
    write_data(&plan, dir.path()).context("demo data")?;
    let text = config(&plan, &socket, dir.path());
    let cfg = condor_config::parse("demo.toml", &text)
        .map_err(|e| anyhow::anyhow!("demo configuration: {e}"))?;
    let daemon = condor_server::start(cfg).await?;
    condor_server::control::serve(
        daemon.clone(),
        condor_server::control::ControlOptions {
            socket: socket.clone(),
            config_file: None,
        },
    )?;
    let server = *daemon
        .listen
        .iter()
        .find(|a| a.is_ipv4())
        .context("the route server listens on no IPv4 address")?;
    let server_v6 = daemon.listen.iter().find(|a| a.is_ipv6()).copied();
    let glass = condor_looking_glass::LookingGlass::new(
        Arc::new(condor_server::control::Handler {
            daemon: daemon.clone(),
            config_file: None,
        }),
        condor_looking_glass::Options::default(),
    );
    let lg = match condor_looking_glass::spawn(opts.looking_glass, glass.clone()).await {
        Ok(a) => a,
        Err(_) => {
            let mut any = opts.looking_glass;
            any.set_port(0);
            condor_looking_glass::spawn(any, glass)
                .await
                .context("looking glass")?
        }
    };

    writeln!(
        out,
        "Condor demo: route server AS{SERVER_ASN} on {server}, {} members × {} prefixes",
        plan.peers(),
        plan.prefixes()
    )?;
    writeln!(
        out,
        "  sessions:  condor show neighbors --socket {}",
        socket.display()
    )?;
    writeln!(
        out,
        "  RIB:       condor show rib --socket {}",
        socket.display()
    )?;
    writeln!(
        out,
        "  looking glass: http://{lg}/  (API: http://{lg}/api/v1/openapi.json)"
    )?;
    writeln!(out, "  stop:      Ctrl-C")?;
    let _v6 = match server_v6 {
        Some(a) => Some(crate::demo_v6::start(a)?),
        None => None,
    };
    writeln!(out, "example routes (look them up in the looking glass):")?;
    for i in 0..plan.peers() {
        for e in crate::demo_data::examples(i, plan.peers()) {
            writeln!(
                out,
                "  member {:>2}  {:<18} {}",
                i + 1,
                format!("{}/{}", e.prefix.addr(), e.prefix.len()),
                e.outcome
            )?;
        }
    }
    for (p, outcome) in crate::demo_v6::routes()
        .into_iter()
        .filter(|(_, o)| *o != "accepted")
    {
        let prefix = format!("{}/{}", p.addr(), p.len());
        writeln!(out, "  IPv6 member {prefix:<22} {outcome}")?;
    }
    out.flush()?;

    let clock = Clock::start();
    let gate = Arc::new(Semaphore::new(8));
    let mut txs = Vec::new();
    let mut stats = Vec::new();
    for i in 0..plan.peers() {
        let mut bytes = plan.announcement(i).map_err(|e| anyhow::anyhow!("{e}"))?;
        bytes.extend(crate::demo_data::example_updates(i, plan.peers()));
        let announcement = Bytes::from(bytes);
        let cfg = PeerConfig {
            index: i,
            server,
            plan: plan.clone(),
            announcement,
            gate: gate.clone(),
            clock,
        };
        let st = Arc::new(PeerStats::default());
        let (tx, rx) = mpsc::unbounded_channel();
        tokio::spawn(peer::run(cfg, st.clone(), rx));
        let _ = tx.send(PeerCmd::Connect);
        txs.push(tx);
        stats.push(st);
    }

    let started = Instant::now();
    let deadline = opts.duration.map(|d| started + Duration::from_secs(d));
    let expected = plan.routes_per_client();
    let mut announced = false;
    let mut converged = false;
    let mut last_line = String::new();
    let mut tick = tokio::time::interval(Duration::from_millis(250));
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = tokio::signal::ctrl_c() => break,
        }
        let up = stats
            .iter()
            .filter(|s| s.established_ns.load(Ordering::Relaxed) > 0)
            .count();
        if !announced && up == stats.len() {
            for tx in &txs {
                let _ = tx.send(PeerCmd::Announce);
            }
            announced = true;
        }
        let held: u64 = stats.iter().map(|s| s.held.load(Ordering::Relaxed)).sum();
        let violations: u64 = stats.iter().map(|s| s.violations().total()).sum();
        let rib = daemon.rib.stats().await.unwrap_or_default();
        let line = format!(
            "[{:>5.1}s] sessions {up}/{} | RIB {} prefixes, {} paths | members hold {held}/{} routes | transparency violations {violations}",
            started.elapsed().as_secs_f64(),
            stats.len(),
            rib.prefixes,
            rib.paths,
            expected * u64::from(plan.peers()),
        );
        if line[9..] != *last_line.get(9..).unwrap_or("") {
            writeln!(out, "{line}")?;
            out.flush()?;
            last_line = line;
        }
        if !converged && announced && held == expected * u64::from(plan.peers()) {
            converged = true;
            writeln!(out, "converged: every member holds all {expected} routes of the others, {violations} transparency violations")?;
            out.flush()?;
        }
        if deadline.is_some_and(|d| Instant::now() >= d) {
            break;
        }
    }
    writeln!(
        out,
        "stopping: Cease / Administrative Shutdown to every member"
    )?;
    daemon.shutdown("condor demo finished").await?;
    drop(txs);
    Ok(())
}
