//! A birdwatcher-compatible endpoint set, so that an Alice-LG configured
//! with a `birdwatcher` source of type `single_table` can read Condor.
//!
//! Shapes follow what Alice-LG's birdwatcher source reads: every answer
//! carries an `api` object (`Version`, `result_from_cache`,
//! `cache_status.cached_at.date`) and a `ttl`; neighbors are "protocols"
//! keyed by an id; routes carry `network`, `gateway`, `from_protocol`,
//! `learnt_from`, `age`, `primary` and a `bgp` object (AS path as strings,
//! communities as number lists, MED and LOCAL_PREF as strings). Times use
//! UTC: configure Alice-LG with `timezone = UTC`,
//! `servertime = 2006-01-02T15:04:05Z07:00` and
//! `servertime_short = servertime_ext = 2006-01-02 15:04:05`.
//!
//! | endpoint | answer |
//! |---|---|
//! | `/status` | the route server |
//! | `/protocols/bgp` | every (public) neighbor with route counts |
//! | `/routes/protocol/{id}`, `/routes/peer/{address}` | its accepted routes |
//! | `/routes/filtered/{id}` | its filtered routes, with the reason as a large community `RS:1101:code` |
//! | `/routes/noexport/{id}` | always empty: Condor has no export filter on a member's own routes |
//! | `/routes/count/protocol/{id}` | the number of accepted routes |
//! | `/routes/prefix?prefix=` | every accepted path of the longest match |
//!
//! The public view applies: internal neighbors are not listed. A route list
//! is capped at [`MAX_ROUTES`] routes.

use crate::data::{LgError, NeighborView};
use crate::LookingGlass;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use condor_control::{RouteInfo, RouteView};
use serde::Deserialize;
use serde_json::{json, Value};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Largest route list one answer holds.
pub const MAX_ROUTES: usize = 250_000;

/// Seconds since the epoch as `YYYY-MM-DD HH:MM:SS` (UTC).
pub fn short_time(secs: u64) -> String {
    let t = std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs);
    let s = humantime::format_rfc3339_seconds(t).to_string();
    s.trim_end_matches('Z').replacen('T', " ", 1)
}

/// As [`short_time`], in RFC 3339 form with `Z`.
pub fn rfc3339(secs: u64) -> String {
    let s = short_time(secs);
    format!("{}T{}Z", &s[..10], &s[11..])
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .as_secs()
}

fn envelope(mut body: serde_json::Map<String, Value>) -> Json<Value> {
    let t = now();
    body.insert(
        "api".into(),
        json!({
            "Version": concat!("condor-", env!("CARGO_PKG_VERSION")),
            "result_from_cache": false,
            "cache_status": {"cached_at": {"date": rfc3339(t), "timezone_type": "UTC"}},
        }),
    );
    body.insert("ttl".into(), json!(rfc3339(t + 60)));
    Json(Value::Object(body))
}

fn err(e: LgError) -> Response {
    let status = match e {
        LgError::NotFound(_) => StatusCode::NOT_FOUND,
        LgError::BadRequest(_) => StatusCode::BAD_REQUEST,
        LgError::Unauthorized => StatusCode::UNAUTHORIZED,
        LgError::Backend(_) => StatusCode::BAD_GATEWAY,
    };
    (status, Json(json!({"error": e.to_string()}))).into_response()
}

/// The protocol id of a neighbor: its address with `.` and `:` as `_`.
pub fn protocol_id(address: &str) -> String {
    let mut id = String::from("R");
    id.extend(
        address
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }),
    );
    id
}

async fn neighbor_by_id(lg: &LookingGlass, id: &str) -> Result<NeighborView, LgError> {
    lg.neighbors(false)
        .await?
        .into_iter()
        .find(|n| protocol_id(&n.address) == id)
        .ok_or_else(|| LgError::NotFound(format!("no protocol {id}")))
}

async fn status(State(lg): State<LookingGlass>) -> Response {
    match lg.status().await {
        Err(e) => err(e),
        Ok(s) => {
            let t = now();
            let mut m = serde_json::Map::new();
            m.insert(
                "status".into(),
                json!({
                    "current_server": short_time(t),
                    "last_reboot": short_time(s.started_unix),
                    "last_reconfig": short_time(s.started_unix),
                    "message": format!("Condor route server {} (AS{}) is up", s.name, s.asn),
                    "router_id": s.router_id,
                    "server_time": rfc3339(t),
                    "version": s.version,
                }),
            );
            envelope(m).into_response()
        }
    }
}

async fn protocols(State(lg): State<LookingGlass>) -> Response {
    let ns = match lg.neighbors(false).await {
        Ok(n) => n,
        Err(e) => return err(e),
    };
    let t = now();
    let mut protos = serde_json::Map::new();
    for n in ns {
        let id = protocol_id(&n.address);
        let up = n.state == "Established";
        let changed = t.saturating_sub(n.uptime_s.unwrap_or(0));
        protos.insert(
            id.clone(),
            json!({
                "bird_protocol": id,
                "protocol": id,
                "table": "master",
                "state": if up { "up" } else { "down" },
                "connection": n.state,
                "neighbor_address": n.address,
                "neighbor_as": n.asn,
                "description": n.name,
                "state_changed": short_time(changed),
                "routes": {
                    "imported": n.accepted,
                    "filtered": n.filtered,
                    "exported": n.exported,
                    "preferred": n.accepted,
                },
            }),
        );
    }
    let mut m = serde_json::Map::new();
    m.insert("protocols".into(), Value::Object(protos));
    envelope(m).into_response()
}

fn route_json(r: &RouteInfo, rs: u32, id: &str) -> Value {
    let split = |c: &str| -> Vec<u64> { c.split(':').filter_map(|x| x.parse().ok()).collect() };
    let mut large: Vec<Vec<u64>> = r.large_communities.iter().map(|c| split(c)).collect();
    for reason in &r.reasons {
        large.push(vec![u64::from(rs), 1101, u64::from(reason.code)]);
    }
    let from = r.from.as_ref();
    json!({
        "network": r.prefix,
        "gateway": r.next_hop,
        "from_protocol": id,
        "learnt_from": from.map(|f| f.address.clone()).unwrap_or_default(),
        "interface": "",
        "metric": 100,
        "age": short_time(now()),
        "primary": r.best,
        "type": ["BGP", "univ"],
        "bgp": {
            "origin": r.origin,
            "as_path": r.asns.iter().map(|a| a.to_string()).collect::<Vec<_>>(),
            "next_hop": r.next_hop,
            "med": r.med.unwrap_or(0).to_string(),
            "local_pref": "100",
            "communities": r.communities.iter().map(|c| split(c)).collect::<Vec<_>>(),
            "large_communities": large,
            "ext_communities": [],
        },
    })
}

async fn all_routes(
    lg: &LookingGlass,
    n: &NeighborView,
    view: RouteView,
) -> Result<Vec<RouteInfo>, LgError> {
    let mut out = Vec::new();
    let mut after = None;
    loop {
        let page = lg
            .routes(&n.address, view, None, None, after, Some(1000), false)
            .await?;
        out.extend(page.routes);
        match page.next {
            Some(next) if out.len() < MAX_ROUTES => after = Some(next),
            _ => break,
        }
    }
    out.truncate(MAX_ROUTES);
    Ok(out)
}

/// `{"routes": [...]}` in birdwatcher's envelope, or the error.
fn routes_response(r: Result<Vec<Value>, LgError>) -> Response {
    match r {
        Err(e) => err(e),
        Ok(routes) => {
            let mut m = serde_json::Map::new();
            m.insert("routes".into(), Value::Array(routes));
            envelope(m).into_response()
        }
    }
}

async fn routes_of(lg: LookingGlass, id: String, view: RouteView) -> Response {
    let r = async {
        let n = neighbor_by_id(&lg, &id).await?;
        let rs = lg.status().await?.asn;
        let routes = all_routes(&lg, &n, view).await?;
        Ok::<_, LgError>(
            routes
                .iter()
                .map(|r| route_json(r, rs, &id))
                .collect::<Vec<_>>(),
        )
    }
    .await;
    routes_response(r)
}

async fn routes_protocol(State(lg): State<LookingGlass>, Path(id): Path<String>) -> Response {
    routes_of(lg, id, RouteView::Accepted).await
}

async fn routes_filtered(State(lg): State<LookingGlass>, Path(id): Path<String>) -> Response {
    routes_of(lg, id, RouteView::Filtered).await
}

async fn routes_peer(State(lg): State<LookingGlass>, Path(addr): Path<String>) -> Response {
    routes_of(lg, protocol_id(&addr), RouteView::Accepted).await
}

async fn routes_noexport(State(lg): State<LookingGlass>, Path(id): Path<String>) -> Response {
    match neighbor_by_id(&lg, &id).await {
        Err(e) => err(e),
        Ok(_) => {
            let mut m = serde_json::Map::new();
            m.insert("routes".into(), json!([]));
            envelope(m).into_response()
        }
    }
}

async fn routes_count(State(lg): State<LookingGlass>, Path(id): Path<String>) -> Response {
    match neighbor_by_id(&lg, &id).await {
        Err(e) => err(e),
        Ok(n) => {
            let mut m = serde_json::Map::new();
            m.insert("routes".into(), json!(n.accepted));
            m.insert("protocol".into(), json!(id));
            envelope(m).into_response()
        }
    }
}

/// `?prefix=`
#[derive(Deserialize)]
struct PrefixParams {
    prefix: String,
}

async fn routes_prefix(State(lg): State<LookingGlass>, Query(p): Query<PrefixParams>) -> Response {
    let r = async {
        let rs = lg.status().await?.asn;
        let res = lg.lookup(&p.prefix, false, None, false).await?;
        Ok::<_, LgError>(
            res.candidates
                .iter()
                .filter(|c| c.accepted)
                .map(|c| {
                    let id = c
                        .from
                        .as_ref()
                        .map(|f| protocol_id(&f.address))
                        .unwrap_or_default();
                    route_json(c, rs, &id)
                })
                .collect::<Vec<_>>(),
        )
    }
    .await;
    routes_response(r)
}

/// The birdwatcher endpoints.
pub fn router(lg: LookingGlass) -> Router {
    Router::new()
        .route("/status", get(status))
        .route("/protocols/bgp", get(protocols))
        .route("/routes/protocol/{id}", get(routes_protocol))
        .route("/routes/filtered/{id}", get(routes_filtered))
        .route("/routes/noexport/{id}", get(routes_noexport))
        .route("/routes/peer/{address}", get(routes_peer))
        .route("/routes/count/protocol/{id}", get(routes_count))
        .route("/routes/prefix", get(routes_prefix))
        .with_state(lg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_and_ids() {
        assert_eq!(short_time(0), "1970-01-01 00:00:00");
        assert_eq!(short_time(951_782_400), "2000-02-29 00:00:00");
        assert_eq!(rfc3339(1_764_031_845), "2025-11-25T00:50:45Z");
        assert_eq!(protocol_id("45.183.47.10"), "R45_183_47_10");
        assert_eq!(protocol_id("2803:cd60:6411:5::1"), "R2803_cd60_6411_5__1");
    }
}
