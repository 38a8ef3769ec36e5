//! # condor-server
//!
//! The route-server daemon, wired: one listener ([`BgpListener`]) with every
//! neighbor's TCP-MD5/TCP-AO key, one session task per neighbor
//! ([`condor_session::driver`]), and the RIB task ([`condor_rib`]). The
//! daemon's own task owns the map of neighbors: it accepts connections and
//! hands each to its neighbor's session (unknown addresses are closed
//! without a BGP word), relays RIB notices (max-prefix) to sessions, and
//! applies reloads — only the neighbors a change concerns are touched.
//!
//! ```text
//!   listener ──accept──► daemon task ──Incoming──► session task (FSM, codec) ──Routes──► RIB task
//!                           ▲   │                        ▲ writer ◄── encoded UPDATEs ──────┘
//!        reload, shutdown ──┘   └── notices ◄────────────────────────────────── RIB notices
//! ```

pub mod control;
mod hooks;
mod irr;
mod neighbor;
pub mod query;
mod rpki;

use anyhow::Context as _;
use condor_config::{Config, Impact};
use condor_rib::{RibHandle, RibNotice};
use condor_session::driver::{SessionCommand, SessionHandle, SessionStatus};
use condor_session::socket::BgpListener;
use condor_wire::notification::codes;
use condor_wire::Notification;
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

pub use neighbor::session_config;

/// Requests to the running daemon.
#[derive(Debug)]
pub enum Request {
    /// Apply a new configuration.
    Reload(Box<Config>, oneshot::Sender<condor_config::ConfigDiff>),
    /// Every neighbor's status.
    Neighbors(oneshot::Sender<Vec<NeighborStatus>>),
    /// Stop every session with this shutdown communication, then exit.
    Shutdown(String, oneshot::Sender<()>),
    /// The RPKI data in use.
    RpkiStatus(oneshot::Sender<condor_control::RpkiStatus>),
}

/// A neighbor as the CLI and looking glass see it.
#[derive(Clone, Debug)]
pub struct NeighborStatus {
    /// Configured name.
    pub name: String,
    /// Address.
    pub address: IpAddr,
    /// ASN.
    pub asn: condor_wire::Asn,
    /// Hidden from the public looking glass.
    pub internal: bool,
    /// Session status.
    pub session: SessionStatus,
}

/// Handle to a running daemon.
#[derive(Clone, Debug)]
pub struct Daemon {
    requests: mpsc::Sender<Request>,
    /// Addresses the BGP listener is bound to (ports resolved).
    pub listen: Vec<SocketAddr>,
    /// The RIB.
    pub rib: RibHandle,
    /// This route server's settings at start.
    pub server: condor_config::Server,
    /// When the daemon started.
    pub started: std::time::SystemTime,
    stopped: tokio::sync::watch::Receiver<bool>,
    irr: irr::IrrService,
}

impl Daemon {
    /// The RPKI data in use (`enabled: false` without `[rpki]`).
    pub async fn rpki_status(&self) -> anyhow::Result<condor_control::RpkiStatus> {
        let (tx, rx) = oneshot::channel();
        self.requests
            .send(Request::RpkiStatus(tx))
            .await
            .context("daemon stopped")?;
        rx.await.context("daemon stopped")
    }

    /// Every configured IRR set (asked of the IRR task; an answer waits for
    /// a bgpq4 run in progress).
    pub async fn irr_status(&self) -> Vec<condor_control::IrrSetInfo> {
        self.irr.status().await
    }

    /// Applies a new configuration; returns what changed.
    pub async fn reload(&self, config: Config) -> anyhow::Result<condor_config::ConfigDiff> {
        let (tx, rx) = oneshot::channel();
        self.requests
            .send(Request::Reload(Box::new(config), tx))
            .await
            .context("daemon stopped")?;
        rx.await.context("daemon stopped")
    }

    /// Every neighbor's status.
    pub async fn neighbors(&self) -> anyhow::Result<Vec<NeighborStatus>> {
        let (tx, rx) = oneshot::channel();
        self.requests
            .send(Request::Neighbors(tx))
            .await
            .context("daemon stopped")?;
        rx.await.context("daemon stopped")
    }

    /// Waits until the daemon has stopped (after [`Daemon::shutdown`], from
    /// this handle or over the control socket).
    pub async fn stopped(&self) {
        let mut rx = self.stopped.clone();
        let _ = rx.wait_for(|s| *s).await;
    }

    /// Stops every session (Cease / Administrative Shutdown with `message`) and the daemon.
    pub async fn shutdown(&self, message: &str) -> anyhow::Result<()> {
        let (tx, rx) = oneshot::channel();
        self.requests
            .send(Request::Shutdown(message.to_string(), tx))
            .await
            .context("daemon stopped")?;
        rx.await.context("daemon stopped")
    }
}

struct Running {
    config: condor_config::Neighbor,
    id: condor_rib::PeerId,
    handle: SessionHandle,
    hooks: Arc<hooks::Hooks>,
}

struct State {
    config: Config,
    listener: Arc<BgpListener>,
    neighbors: HashMap<IpAddr, Running>,
    next_id: condor_rib::PeerId,
    rib: RibHandle,
    /// The filters of `config`, shared by every member's import policy.
    filters: Arc<condor_policy::Filters>,
    /// Members' IRR data by set name, as the IRR task delivered them.
    irr_data: HashMap<String, Arc<dyn condor_policy::IrrCheck>>,
    irr: irr::IrrService,
    rpki: Option<rpki::RpkiService>,
}

/// Starts the daemon: binds the listener, starts the RIB and one session per neighbor.
pub async fn start(config: Config) -> anyhow::Result<Daemon> {
    let listener = BgpListener::bind(&config.server.listen)
        .with_context(|| format!("cannot listen on {:?}", config.server.listen))?;
    let listen = listener.local_addrs();
    let (notice_tx, notice_rx) = mpsc::unbounded_channel();
    let rib = condor_rib::spawn(notice_tx);
    let (irr_tx, irr_rx) = mpsc::unbounded_channel();
    let irr = irr::spawn(&config, irr_tx);
    let irr_handle = irr.clone();
    let mut state = State {
        config: config.clone(),
        listener: Arc::new(listener),
        neighbors: HashMap::new(),
        next_id: 1,
        rib: rib.clone(),
        filters: Arc::new(config.filters.clone()),
        irr_data: HashMap::new(),
        irr,
        rpki: match &config.rpki {
            Some(r) => Some(rpki::start(r, rib.clone()).await.context("RPKI")?),
            None => None,
        },
    };
    for n in &config.neighbors {
        state
            .add(n.clone())
            .with_context(|| format!("neighbor {} ({})", n.address, n.name))?;
    }
    tracing::info!(asn = %config.server.asn, router_id = %config.server.router_id, listen = ?listen, neighbors = config.neighbors.len(), "route server started");
    let (req_tx, req_rx) = mpsc::channel(16);
    let (stopped_tx, stopped) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        state.run(req_rx, notice_rx, irr_rx).await;
        let _ = stopped_tx.send(true);
    });
    Ok(Daemon {
        requests: req_tx,
        listen,
        rib,
        server: config.server.clone(),
        started: std::time::SystemTime::now(),
        stopped,
        irr: irr_handle,
    })
}

impl State {
    fn add(&mut self, n: condor_config::Neighbor) -> anyhow::Result<()> {
        match &n.tcp_ao {
            Some(ao) => {
                let key = neighbor::ao_key(ao)?;
                self.listener
                    .add_neighbor_ao_key(n.address, &key)
                    .context("TCP-AO key on the listener")?;
            }
            None => {
                let key = n.password.as_ref().map(neighbor::md5_secret).transpose()?;
                self.listener
                    .set_neighbor_key(n.address, key.as_ref())
                    .context("TCP-MD5 key on the listener")?;
            }
        }
        let id = self.next_id;
        self.next_id += 1;
        let cfg = neighbor::session_config(&self.config.server, &n)?;
        let hooks = Arc::new(hooks::Hooks::new(
            id,
            &n,
            self.rib.clone(),
            self.config.server.asn,
            Arc::new(neighbor::member_import(&n, &self.filters, &self.irr_data)),
        ));
        let handle = condor_session::driver::spawn(cfg, hooks.clone())
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        if n.shutdown {
            let _ =
                handle
                    .commands
                    .try_send(SessionCommand::Stop(Box::new(Notification::shutdown(
                        codes::CEASE_ADMIN_SHUTDOWN,
                        "administratively down",
                    ))));
        }
        self.neighbors.insert(
            n.address,
            Running {
                config: n,
                id,
                handle,
                hooks,
            },
        );
        Ok(())
    }

    async fn remove(&mut self, addr: IpAddr, cease: Notification) {
        if let Some(r) = self.neighbors.remove(&addr) {
            let _ = r
                .handle
                .commands
                .send(SessionCommand::Stop(Box::new(cease)))
                .await;
            if let Some(ao) = &r.config.tcp_ao {
                if let Ok(k) = neighbor::ao_key(ao) {
                    let _ = self
                        .listener
                        .remove_neighbor_ao_key(addr, k.send_id, k.recv_id);
                }
            } else {
                let _ = self.listener.set_neighbor_key(addr, None);
            }
        }
    }

    async fn reload(&mut self, new: Config) -> condor_config::ConfigDiff {
        let diff = condor_config::diff(&self.config, &new);
        for addr in &diff.removed {
            tracing::info!(neighbor = %addr, "reload: neighbor removed");
            self.remove(
                *addr,
                Notification::new(codes::CEASE, codes::CEASE_PEER_DECONFIGURED, Vec::new()),
            )
            .await;
        }
        self.config = new.clone();
        self.irr.configure(&new);
        if diff.rpki {
            match &new.rpki {
                Some(r) => match rpki::start(r, self.rib.clone()).await {
                    Ok(s) => {
                        tracing::info!("reload: RPKI sources restarted");
                        self.rpki = Some(s);
                    }
                    Err(e) => {
                        tracing::error!(error = %format!("{e:#}"), "reload: RPKI sources unchanged")
                    }
                },
                None => {
                    tracing::info!("reload: RPKI off");
                    self.rpki = None;
                    let _ = self
                        .rib
                        .tx
                        .send(condor_rib::RibInput::SetRpki(
                            condor_rib::RpkiData(None),
                            condor_rib::Scope::All,
                        ))
                        .await;
                }
            }
        }
        if diff.filters {
            tracing::info!("reload: import filters changed; every path is re-evaluated");
            self.filters = Arc::new(new.filters.clone());
        }
        for c in &diff.changed {
            let Some(n) = new.neighbor(c.address).cloned() else {
                continue;
            };
            tracing::info!(neighbor = %c.address, fields = ?c.fields, impact = ?c.impact, "reload: neighbor changed");
            match c.impact {
                Impact::InPlace => {
                    let was_down = self
                        .neighbors
                        .get(&c.address)
                        .is_some_and(|r| r.config.shutdown);
                    if let Some(r) = self.neighbors.get_mut(&c.address) {
                        if n.shutdown && !was_down {
                            let _ = r
                                .handle
                                .commands
                                .send(SessionCommand::Stop(Box::new(Notification::shutdown(
                                    codes::CEASE_ADMIN_SHUTDOWN,
                                    "administratively down",
                                ))))
                                .await;
                        } else if !n.shutdown && was_down {
                            let _ = r.handle.commands.send(SessionCommand::Start).await;
                        }
                        if diff.filters
                            || r.config.transparent != n.transparent
                            || r.config.next_hops != n.next_hops
                            || r.config.filters != n.filters
                        {
                            r.hooks
                                .set_import(Arc::new(neighbor::member_import(
                                    &n,
                                    &self.filters,
                                    &self.irr_data,
                                )))
                                .await;
                        }
                        r.config = n;
                    }
                }
                Impact::Keys | Impact::Reset => {
                    self.remove(
                        c.address,
                        Notification::new(
                            codes::CEASE,
                            codes::CEASE_OTHER_CONFIG_CHANGE,
                            Vec::new(),
                        ),
                    )
                    .await;
                    if let Err(e) = self.add(n) {
                        tracing::error!(neighbor = %c.address, error = %format!("{e:#}"), "reload: cannot start neighbor");
                    }
                }
            }
        }
        for addr in &diff.added {
            if let Some(n) = new.neighbor(*addr).cloned() {
                tracing::info!(neighbor = %addr, "reload: neighbor added");
                if let Err(e) = self.add(n) {
                    tracing::error!(neighbor = %addr, error = %format!("{e:#}"), "reload: cannot start neighbor");
                }
            }
        }
        if diff.filters {
            // Neighbors changed in place got theirs above; the others now.
            let changed: Vec<IpAddr> = diff.changed.iter().map(|c| c.address).collect();
            for (addr, r) in &self.neighbors {
                if !changed.contains(addr) && !diff.added.contains(addr) {
                    r.hooks
                        .set_import(Arc::new(neighbor::member_import(
                            &r.config,
                            &self.filters,
                            &self.irr_data,
                        )))
                        .await;
                }
            }
        }
        if !diff.server_fields.is_empty() {
            tracing::warn!(fields = ?diff.server_fields, "reload: server settings changed; they apply to sessions started from now on (listen addresses need a restart)");
        }
        diff
    }

    async fn run(
        mut self,
        mut requests: mpsc::Receiver<Request>,
        mut notices: mpsc::UnboundedReceiver<RibNotice>,
        mut irr_updates: mpsc::UnboundedReceiver<irr::IrrUpdate>,
    ) {
        let listener = self.listener.clone();
        loop {
            tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok((stream, peer, _local)) => {
                        let ip = peer.ip().to_canonical();
                        match self.neighbors.get(&ip) {
                            Some(r) => {
                                if let Some(h) = r.config.ttl_security {
                                    let fam = condor_session::socket::IpFamily::of(ip);
                                    if let Err(e) = condor_session::socket::set_gtsm(&stream, fam, h) {
                                        tracing::warn!(peer = %ip, error = %e, "cannot set GTSM on the accepted connection");
                                    }
                                }
                                let _ = r.handle.commands.try_send(SessionCommand::Incoming(Box::new((stream, peer))));
                            }
                            None => tracing::debug!(peer = %peer, "connection from an unknown address closed"),
                        }
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "accept failed");
                        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                    }
                },
                n = notices.recv() => match n {
                    Some(RibNotice::MaxPrefixShutdown { peer, family, limit }) => {
                        if let Some(r) = self.neighbors.values().find(|r| r.id == peer) {
                            let restart = r.config.max_prefix.as_ref().map_or(std::time::Duration::from_secs(900), |m| m.restart_after);
                            tracing::warn!(neighbor = %r.config.address, name = %r.config.name, %family, limit, restart_after = ?restart, "max-prefix limit exceeded: closing the session");
                            let _ = r.handle.commands.send(SessionCommand::StopAndRestartAfter(Box::new(Notification::max_prefixes(family, limit)), restart)).await;
                        }
                    }
                    None => return,
                },
                Some(u) = irr_updates.recv() => {
                    tracing::info!(set = %u.name, "IRR data loaded");
                    let data: Arc<dyn condor_policy::IrrCheck> = Arc::new(irr::IrrData(u.set));
                    self.irr_data.insert(u.name.clone(), data);
                    for r in self.neighbors.values() {
                        if irr::key(&r.config).as_deref() == Some(u.name.as_str()) {
                            r.hooks.set_import(Arc::new(neighbor::member_import(&r.config, &self.filters, &self.irr_data))).await;
                        }
                    }
                }
                r = requests.recv() => match r {
                    Some(Request::Reload(c, tx)) => {
                        let d = self.reload(*c).await;
                        let _ = tx.send(d);
                    }
                    Some(Request::Neighbors(tx)) => {
                        let mut v: Vec<NeighborStatus> = self.neighbors.values().map(|r| NeighborStatus {
                            name: r.config.name.clone(),
                            address: r.config.address,
                            asn: r.config.asn,
                            internal: r.config.internal,
                            session: r.handle.status.borrow().clone(),
                        }).collect();
                        v.sort_by_key(|n| n.address);
                        let _ = tx.send(v);
                    }
                    Some(Request::RpkiStatus(tx)) => {
                        let _ = tx.send(self.rpki.as_ref().map(rpki::RpkiService::status).unwrap_or_default());
                    }
                    Some(Request::Shutdown(msg, tx)) => {
                        let addrs: Vec<IpAddr> = self.neighbors.keys().copied().collect();
                        for a in addrs {
                            self.remove(a, Notification::shutdown(codes::CEASE_ADMIN_SHUTDOWN, &msg)).await;
                        }
                        // Let the writers flush their NOTIFICATIONs.
                        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
                        let _ = tx.send(());
                        return;
                    }
                    None => return,
                },
            }
        }
    }
}
