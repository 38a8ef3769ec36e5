//! The web pages, rendered on the server (no script at all): the overview
//! (route server, sessions, prefix counts), a member page (sessions,
//! routes received / filtered with the reasons in words / what it
//! receives, saying where that is not the overall best), the prefix search
//! and the peering matrix. Every value from the daemon or the request is
//! escaped ([`crate::html::esc`]). The style sheet is built into the
//! binary; light and dark follow `prefers-color-scheme`.

use crate::api::Operator;
use crate::data::{LgError, NeighborView};
use crate::html::{esc, page, url, STYLE};
use crate::LookingGlass;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use condor_control::{RouteInfo, RouteView};
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;
use utoipa::ToSchema;

/// Routes per section of a member page.
const SECTION: u32 = 100;

/// Largest peering matrix drawn (neighbors per side).
const MATRIX_MAX: usize = 200;

/// One community of the scheme.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CommunityEntry {
    /// The community, with `peer` for a member's ASN and `code`/`x` for a value.
    pub community: String,
    /// `action` (members set it) or `informational` (the route server sets it).
    pub kind: String,
    /// What it means.
    pub meaning: String,
}

/// The community scheme (from `docs/communities.md` and the filter reasons).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CommunityScheme {
    /// The route server's ASN (`RS`).
    pub asn: u32,
    /// Every community.
    pub communities: Vec<CommunityEntry>,
}

impl CommunityScheme {
    /// The scheme of a route server with ASN `rs`.
    pub fn of(rs: u32) -> CommunityScheme {
        let mut c = Vec::new();
        let mut add = |community: String, kind: &str, meaning: &str| {
            c.push(CommunityEntry {
                community,
                kind: kind.into(),
                meaning: meaning.into(),
            })
        };
        add(
            "0:peer".into(),
            "action",
            "do not announce to member AS peer",
        );
        add(
            format!("{rs}:0:peer"),
            "action",
            "do not announce to member AS peer",
        );
        add(format!("0:{rs}"), "action", "do not announce to any member");
        add(
            format!("{rs}:0:0"),
            "action",
            "do not announce to any member",
        );
        add(
            format!("{rs}:peer"),
            "action",
            "announce to member AS peer (with \"to no member\": only to the listed members)",
        );
        add(
            format!("{rs}:1:peer"),
            "action",
            "announce to member AS peer (with \"to no member\": only to the listed members)",
        );
        for (x, what) in [(1, "valid"), (2, "not found"), (3, "invalid")] {
            add(
                format!("{rs}:1000:{x}"),
                "informational",
                &format!("RPKI origin validation: {what}"),
            );
        }
        for (x, what) in [
            (1, "valid"),
            (2, "not in the IRR, accepted as RPKI-valid"),
            (3, "invalid"),
        ] {
            add(
                format!("{rs}:1001:{x}"),
                "informational",
                &format!("IRR: {what}"),
            );
        }
        for r in condor_policy::Reason::ALL {
            add(
                format!("{rs}:1101:{}", r.code()),
                "informational",
                &format!("filtered: {}", r.description()),
            );
        }
        CommunityScheme {
            asn: rs,
            communities: c,
        }
    }
}

fn error_page(e: LgError) -> Response {
    let status = match e {
        LgError::BadRequest(_) => StatusCode::BAD_REQUEST,
        LgError::NotFound(_) => StatusCode::NOT_FOUND,
        LgError::Unauthorized => StatusCode::UNAUTHORIZED,
        LgError::Backend(_) => StatusCode::BAD_GATEWAY,
    };
    let body = format!(
        "<p class=\"error\" role=\"alert\">{}</p>",
        esc(&e.to_string())
    );
    (status, Html(page("Error", "Condor looking glass", &body))).into_response()
}

fn uptime(s: Option<u64>) -> String {
    match s {
        None => "–".into(),
        Some(s) if s >= 86400 => format!("{}d {}h", s / 86400, s / 3600 % 24),
        Some(s) => format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60),
    }
}

fn member_link(n: &NeighborView) -> String {
    format!(
        "<a href=\"/member/{}\">{}</a>",
        url(&n.address),
        esc(&n.name)
    )
}

fn state_badge(state: &str) -> String {
    let class = if state == "Established" { "up" } else { "down" };
    format!("<span class=\"state {class}\">{}</span>", esc(state))
}

async fn site(lg: &LookingGlass) -> Result<(String, condor_control::ServerStatus), LgError> {
    let s = lg.status().await?;
    Ok((format!("{} (AS{})", s.name, s.asn), s))
}

async fn overview(State(lg): State<LookingGlass>, Operator(op): Operator) -> Response {
    let r = async {
        let (site, s) = site(&lg).await?;
        let ns = lg.neighbors(op).await?;
        let up = ns.iter().filter(|n| n.state == "Established").count();
        let mut b = String::new();
        let _ = write!(
            b,
            "<section aria-labelledby=\"rs\"><h2 id=\"rs\">Route server</h2><dl class=\"facts\">\
<dt>Name</dt><dd>{}</dd><dt>ASN</dt><dd>AS{}</dd><dt>Router ID</dt><dd>{}</dd>\
<dt>Sessions up</dt><dd>{up} of {}</dd><dt>Prefixes</dt><dd>{}</dd><dt>Paths</dt><dd>{}</dd>\
<dt>Version</dt><dd>{}</dd></dl></section>",
            esc(&s.name),
            s.asn,
            esc(&s.router_id),
            ns.len(),
            s.prefixes,
            s.paths,
            esc(&s.version)
        );
        b.push_str(
            "<section aria-labelledby=\"ns\"><h2 id=\"ns\">Sessions</h2><div class=\"scroll\"><table>\
<caption>Neighbors of the route server and their prefix counts</caption><thead><tr>\
<th scope=\"col\">Member</th><th scope=\"col\">ASN</th><th scope=\"col\">Address</th>\
<th scope=\"col\">State</th><th scope=\"col\">Uptime</th><th scope=\"col\" class=\"num\">Received</th>\
<th scope=\"col\" class=\"num\">Accepted</th><th scope=\"col\" class=\"num\">Filtered</th>\
<th scope=\"col\" class=\"num\">Receives</th></tr></thead><tbody>",
        );
        for n in &ns {
            let _ = write!(
                b,
                "<tr><th scope=\"row\">{}</th><td>AS{}</td><td><code>{}</code></td><td>{}</td><td>{}</td>\
<td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num{}\">{}</td><td class=\"num\">{}</td></tr>",
                member_link(n),
                n.asn,
                esc(&n.address),
                state_badge(&n.state),
                uptime(n.uptime_s),
                n.received,
                n.accepted,
                if n.filtered > 0 { " warn" } else { "" },
                n.filtered,
                n.exported
            );
        }
        b.push_str("</tbody></table></div></section>");
        Ok::<_, LgError>(page("Overview", &site, &b))
    }
    .await;
    match r {
        Ok(h) => Html(h).into_response(),
        Err(e) => error_page(e),
    }
}

fn reasons_in_words(r: &RouteInfo) -> String {
    let words: Vec<String> = r
        .reasons
        .iter()
        .map(|x| format!("{} <small>(code {})</small>", esc(&x.description), x.code))
        .collect();
    words.join("; ")
}

fn routes_table(caption: &str, routes: &[RouteInfo], view: RouteView) -> String {
    let mut b = String::new();
    let _ = write!(
        b,
        "<div class=\"scroll\"><table><caption>{}</caption><thead><tr><th scope=\"col\">Prefix</th>\
<th scope=\"col\">Next hop</th><th scope=\"col\">AS path</th><th scope=\"col\">{}</th></tr></thead><tbody>",
        esc(caption),
        match view {
            RouteView::Filtered => "Why filtered",
            RouteView::Exported => "From / note",
            _ => "Status",
        }
    );
    for r in routes {
        let last = match view {
            RouteView::Filtered => reasons_in_words(r),
            RouteView::Exported => {
                let from = r
                    .from
                    .as_ref()
                    .map_or(String::new(), |f| format!("AS{} {}", f.asn, esc(&f.name)));
                if r.best {
                    from
                } else {
                    format!(
                        "{from} <span class=\"note\">receives this instead of the overall best path</span>"
                    )
                }
            }
            _ => {
                if r.accepted {
                    let mut s = String::from("accepted");
                    if r.best {
                        s.push_str(", best");
                    }
                    s
                } else {
                    format!(
                        "<span class=\"warn\">filtered:</span> {}",
                        reasons_in_words(r)
                    )
                }
            }
        };
        let _ = write!(
            b,
            "<tr><th scope=\"row\"><a href=\"/search?q={}\">{}</a></th><td><code>{}</code></td><td><code>{}</code></td><td>{}</td></tr>",
            url(&r.prefix),
            esc(&r.prefix),
            esc(&r.next_hop),
            esc(&r.as_path),
            last
        );
    }
    b.push_str("</tbody></table></div>");
    if routes.is_empty() {
        b.push_str("<p class=\"muted\">None.</p>");
    }
    b
}

/// Query of a member page.
#[derive(Deserialize, Debug, Default)]
struct MemberParams {
    view: Option<String>,
    after: Option<String>,
}

fn view_of(s: &str) -> Option<RouteView> {
    Some(match s {
        "received" => RouteView::Received,
        "accepted" => RouteView::Accepted,
        "filtered" => RouteView::Filtered,
        "exported" => RouteView::Exported,
        _ => return None,
    })
}

fn view_name(v: RouteView) -> &'static str {
    match v {
        RouteView::Received => "received",
        RouteView::Accepted => "accepted",
        RouteView::Filtered => "filtered",
        RouteView::Exported => "exported",
    }
}

async fn member(
    State(lg): State<LookingGlass>,
    Operator(op): Operator,
    Path(address): Path<String>,
    Query(p): Query<MemberParams>,
) -> Response {
    let r = async {
        let (site, _) = site(&lg).await?;
        let n = lg.neighbor(&address, op).await?;
        let mut b = String::new();
        let _ = write!(
            b,
            "<section aria-labelledby=\"sess\"><h2 id=\"sess\">Session</h2><dl class=\"facts\">\
<dt>ASN</dt><dd>AS{}</dd><dt>Address</dt><dd><code>{}</code></dd><dt>State</dt><dd>{}</dd>\
<dt>Uptime</dt><dd>{}</dd><dt>Families</dt><dd>{}</dd><dt>Received</dt><dd>{}</dd>\
<dt>Accepted</dt><dd>{}</dd><dt>Filtered</dt><dd>{}</dd><dt>Receives</dt><dd>{} prefixes</dd>",
            n.asn,
            esc(&n.address),
            state_badge(&n.state),
            uptime(n.uptime_s),
            esc(&n.families.join(", ")),
            n.received,
            n.accepted,
            n.filtered,
            n.exported
        );
        if let Some(e) = &n.last_error {
            let _ = write!(b, "<dt>Last error</dt><dd>{}</dd>", esc(e));
        }
        b.push_str("</dl></section>");
        let sections: Vec<(RouteView, &str)> = match p.view.as_deref().and_then(view_of) {
            Some(v) => vec![(v, "")],
            None => vec![
                (RouteView::Filtered, "Filtered routes, with the reason"),
                (RouteView::Accepted, "Accepted routes"),
                (
                    RouteView::Exported,
                    "What it receives from the route server",
                ),
            ],
        };
        for (v, title) in sections {
            let title = if title.is_empty() {
                match v {
                    RouteView::Received => "Routes received",
                    RouteView::Accepted => "Accepted routes",
                    RouteView::Filtered => "Filtered routes, with the reason",
                    RouteView::Exported => "What it receives from the route server",
                }
            } else {
                title
            };
            let after = if p.view.is_some() {
                p.after.clone()
            } else {
                None
            };
            let count = match v {
                RouteView::Received => n.received,
                RouteView::Accepted => n.accepted,
                RouteView::Filtered => n.filtered,
                RouteView::Exported => n.exported,
            };
            // Counted none (a few seconds ago): no walk of the table for nothing.
            let page = if count == 0 && after.is_none() {
                condor_control::RoutePage {
                    routes: Vec::new(),
                    next: None,
                }
            } else {
                lg.routes(&n.address, v, None, None, after, Some(SECTION), op)
                    .await?
            };
            let id = view_name(v);
            let _ = write!(
                b,
                "<section aria-labelledby=\"{id}\"><h2 id=\"{id}\">{}</h2>",
                esc(title)
            );
            b.push_str(&routes_table(title, &page.routes, v));
            if let Some(next) = &page.next {
                let _ = write!(
                    b,
                    "<p><a href=\"/member/{}?view={id}&amp;after={}\">More {id} routes (after {})</a></p>",
                    url(&n.address),
                    url(next),
                    esc(next)
                );
            }
            b.push_str("</section>");
        }
        Ok::<_, LgError>(page(&format!("{} (AS{})", n.name, n.asn), &site, &b))
    }
    .await;
    match r {
        Ok(h) => Html(h).into_response(),
        Err(e) => error_page(e),
    }
}

/// Query of the search page.
#[derive(Deserialize, Debug, Default)]
struct SearchParams {
    q: Option<String>,
    client: Option<String>,
}

async fn search(
    State(lg): State<LookingGlass>,
    Operator(op): Operator,
    Query(p): Query<SearchParams>,
) -> Response {
    let r = async {
        let (site, _) = site(&lg).await?;
        let q = p.q.clone().unwrap_or_default();
        let client = p.client.clone().filter(|c| !c.is_empty());
        let mut b = String::new();
        let _ = write!(
            b,
            "<form method=\"get\" action=\"/search\" role=\"search\"><label for=\"q\">Prefix or address</label>\
<input id=\"q\" name=\"q\" type=\"text\" value=\"{}\" placeholder=\"45.183.47.0/24 or 2803:cd60::1\" required>\
<label for=\"client\">As seen by member (address, optional)</label>\
<input id=\"client\" name=\"client\" type=\"text\" value=\"{}\"><button type=\"submit\">Search</button></form>",
            esc(&q),
            esc(client.as_deref().unwrap_or(""))
        );
        if !q.trim().is_empty() {
            match lg.lookup(&q, false, client.clone(), op).await {
                Err(LgError::BadRequest(m)) => {
                    let _ = write!(b, "<p class=\"error\" role=\"alert\">{}</p>", esc(&m));
                }
                Err(e) => return Err(e),
                Ok(res) => match &res.prefix {
                    None => {
                        let _ = write!(b, "<p role=\"status\">No route for {}.</p>", esc(&q));
                    }
                    Some(prefix) => {
                        let _ = write!(
                            b,
                            "<section aria-labelledby=\"res\"><h2 id=\"res\">{} — {} candidate path(s)</h2>",
                            esc(prefix),
                            res.candidates.len()
                        );
                        b.push_str(
                            "<div class=\"scroll\"><table><caption>Every path of the prefix</caption><thead><tr>\
<th scope=\"col\">From</th><th scope=\"col\">Next hop</th><th scope=\"col\">AS path</th>\
<th scope=\"col\">Status</th><th scope=\"col\">RPKI</th><th scope=\"col\">IRR</th><th scope=\"col\">Communities</th></tr></thead><tbody>",
                        );
                        for c in &res.candidates {
                            let from = c.from.as_ref().map_or("–".to_string(), |f| {
                                format!(
                                    "<a href=\"/member/{}\">{}</a> AS{}",
                                    url(&f.address),
                                    esc(&f.name),
                                    f.asn
                                )
                            });
                            let mut status = if c.accepted {
                                "accepted".to_string()
                            } else {
                                format!("<span class=\"warn\">filtered:</span> {}", reasons_in_words(c))
                            };
                            if c.best {
                                status.push_str(" <strong>· best overall</strong>");
                            }
                            if c.for_client {
                                status.push_str(" <strong>· what the member receives</strong>");
                            }
                            let comms: Vec<String> = c
                                .communities
                                .iter()
                                .chain(c.large_communities.iter())
                                .map(|x| esc(x))
                                .collect();
                            let _ = write!(
                                b,
                                "<tr><th scope=\"row\">{from}</th><td><code>{}</code></td><td><code>{}</code></td><td>{status}</td><td>{}</td><td>{}</td><td><code>{}</code></td></tr>",
                                esc(&c.next_hop),
                                esc(&c.as_path),
                                esc(&c.rpki),
                                esc(&c.irr),
                                comms.join(" ")
                            );
                        }
                        b.push_str("</tbody></table></div>");
                        if let Some(cl) = &res.client {
                            let chosen = res.candidates.iter().find(|c| c.for_client);
                            let msg = match chosen {
                                None => format!("{} receives no path for this prefix.", esc(&cl.name)),
                                Some(c) if c.best => {
                                    format!("{} receives the overall best path.", esc(&cl.name))
                                }
                                Some(_) => format!(
                                    "{} receives a path other than the overall best (the best is its own, or its announcer does not send it to this member).",
                                    esc(&cl.name)
                                ),
                            };
                            let _ = write!(b, "<p class=\"note\" role=\"status\">{msg}</p>");
                        }
                        b.push_str("</section>");
                    }
                },
            }
        }
        Ok(page("Prefix search", &site, &b))
    }
    .await;
    match r {
        Ok(h) => Html(h).into_response(),
        Err(e) => error_page(e),
    }
}

async fn matrix(State(lg): State<LookingGlass>, Operator(op): Operator) -> Response {
    let r = async {
        let (site, _) = site(&lg).await?;
        let ns: Vec<NeighborView> = lg
            .neighbors(op)
            .await?
            .into_iter()
            .filter(|n| n.state == "Established")
            .collect();
        let cells: std::collections::HashMap<(String, String), u64> = lg
            .matrix(op)
            .await?
            .into_iter()
            .map(|c| ((c.client.address, c.source.address), c.prefixes))
            .collect();
        let count = |client: &str, source: &str| {
            cells
                .get(&(client.to_string(), source.to_string()))
                .copied()
                .unwrap_or(0)
        };
        let mut b = String::from(
            "<p>Each cell is the number of prefixes the member of the row receives from the member of \
the column through the route server (its per-member best path, action communities applied).</p>",
        );
        if ns.len() > MATRIX_MAX {
            let _ = write!(
                b,
                "<p class=\"note\">{} sessions: the matrix shows the first {MATRIX_MAX}; \
<a href=\"/api/v1/matrix\">the API</a> has them all.</p>",
                ns.len()
            );
        }
        let ns = &ns[..ns.len().min(MATRIX_MAX)];
        b.push_str("<div class=\"scroll\"><table class=\"matrix\"><caption>Prefixes received by the row from the column</caption><thead><tr><td></td>");
        for c in ns {
            let _ = write!(
                b,
                "<th scope=\"col\"><span title=\"{}\">AS{}</span></th>",
                esc(&c.name),
                c.asn
            );
        }
        b.push_str("</tr></thead><tbody>");
        for r in ns {
            let _ = write!(b, "<tr><th scope=\"row\">{} AS{}</th>", member_link(r), r.asn);
            for c in ns {
                let n = if r.address == c.address { 0 } else { count(&r.address, &c.address) };
                let label = format!("{} receives {n} prefixes from {}", r.name, c.name);
                let _ = write!(
                    b,
                    "<td class=\"{}\" title=\"{}\"><span class=\"sr\">{}</span>{}</td>",
                    if n > 0 { "on" } else { "off" },
                    esc(&label),
                    esc(&label),
                    if n > 0 { n.to_string() } else { String::new() }
                );
            }
            b.push_str("</tr>");
        }
        b.push_str("</tbody></table></div>");
        Ok::<_, LgError>(page("Peering matrix", &site, &b))
    }
    .await;
    match r {
        Ok(h) => Html(h).into_response(),
        Err(e) => error_page(e),
    }
}

async fn style() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        STYLE,
    )
}

/// The pages' routes.
pub fn router(lg: LookingGlass) -> Router {
    Router::new()
        .route("/", get(overview))
        .route("/member/{address}", get(member))
        .route("/search", get(search))
        .route("/matrix", get(matrix))
        .route("/assets/style.css", get(style))
        .with_state(lg)
}
