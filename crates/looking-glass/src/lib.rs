//! # condor-looking-glass
//!
//! Condor's looking glass: a read-only HTTP server with
//!
//! * a JSON API under `/api/v1/` described by an OpenAPI document at
//!   `/api/v1/openapi.json` ([`api`]),
//! * a birdwatcher-compatible endpoint set so an existing Alice-LG can use
//!   Condor as a source ([`birdwatcher`]),
//! * server-rendered web pages: overview, member page, prefix search and
//!   peering matrix ([`pages`]).
//!
//! It reads the daemon only through the control protocol's types
//! ([`condor_control::Backend`]): in process (the daemon's own request
//! handler) or over the control socket. Neighbors marked `internal` are
//! hidden from the public view; an operator bearer token shows them and
//! their session details. Every client address is rate limited (token
//! bucket, HTTP 429) and pages are capped in size.

pub mod api;
pub mod birdwatcher;
mod data;
mod html;
pub mod pages;
pub mod ratelimit;

use axum::Router;
use condor_control::Backend;
use std::net::SocketAddr;
use std::sync::Arc;

pub use data::{LgError, NeighborView};

/// Settings of the looking glass.
#[derive(Clone, Debug)]
pub struct Options {
    /// Bearer token of the operator view (`None`: public view only).
    pub operator_token: Option<condor_config::Secret>,
    /// Requests per second each client address may sustain.
    pub rate_per_second: f64,
    /// Requests a client may send in a burst.
    pub burst: f64,
    /// Largest page of routes served (at most 1000).
    pub max_page: u32,
    /// How long route counts are reused before being recounted.
    pub counts_ttl: std::time::Duration,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            operator_token: None,
            rate_per_second: 20.0,
            burst: 100.0,
            max_page: 250,
            counts_ttl: std::time::Duration::from_secs(5),
        }
    }
}

/// The looking glass's shared state (cheap to clone).
#[derive(Clone)]
pub struct LookingGlass {
    inner: Arc<data::Inner>,
}

impl LookingGlass {
    /// A looking glass reading from `backend`.
    pub fn new(backend: Arc<dyn Backend>, options: Options) -> LookingGlass {
        LookingGlass {
            inner: Arc::new(data::Inner::new(backend, options)),
        }
    }

    /// The HTTP application: API, birdwatcher endpoints and pages, rate
    /// limited per client address — serve it with
    /// `into_make_service_with_connect_info::<SocketAddr>()` (as [`serve`]
    /// does), the limiter reads the peer address from it.
    pub fn router(&self) -> Router {
        let limiter = ratelimit::RateLimiter::new(
            self.inner.options.rate_per_second,
            self.inner.options.burst,
        );
        api::router(self.clone())
            .merge(birdwatcher::router(self.clone()))
            .merge(pages::router(self.clone()))
            .layer(axum::middleware::from_fn_with_state(
                Arc::new(limiter),
                ratelimit::limit,
            ))
    }
}

/// Serves the looking glass on `listener` until the task is dropped.
pub async fn serve(listener: tokio::net::TcpListener, lg: LookingGlass) -> std::io::Result<()> {
    axum::serve(
        listener,
        lg.router()
            .into_make_service_with_connect_info::<SocketAddr>(),
    )
    .await
}

/// Binds `addr` and serves in the background; returns the bound address.
pub async fn spawn(addr: SocketAddr, lg: LookingGlass) -> std::io::Result<SocketAddr> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    tokio::spawn(async move {
        if let Err(e) = serve(listener, lg).await {
            tracing::error!(error = %e, "looking glass stopped");
        }
    });
    Ok(local)
}
