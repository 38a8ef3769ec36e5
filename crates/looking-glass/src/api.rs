//! The JSON API, `/api/v1/…`, and its OpenAPI document
//! (`/api/v1/openapi.json`, generated from the handlers with utoipa).
//!
//! Every endpoint is read-only. Without credentials the view is public:
//! internal neighbors (route collectors, other route servers, monitoring)
//! and the routes they announced are left out. With
//! `Authorization: Bearer <operator token>` they are shown, with session
//! details members should not see of each other; a wrong token is refused
//! with 401.

use crate::data::{LgError, NeighborView};
use crate::LookingGlass;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use condor_control::{LookupResult, RouteInfo, RoutePage, RouteView, ServerStatus};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use utoipa::{IntoParams, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The OpenAPI document's frame.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Condor looking glass API",
        description = "Read-only view of a Condor route server: neighbors, routes received, accepted, filtered (with the reasons) and exported, prefix lookups and the community scheme."
    ),
    components(schemas(RouteInfo, condor_control::PeerName, condor_control::ReasonInfo)),
    modifiers(&BearerScheme)
)]
struct ApiDoc;

struct BearerScheme;

impl utoipa::Modify for BearerScheme {
    fn modify(&self, api: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let c = api.components.get_or_insert_with(Default::default);
        c.add_security_scheme(
            "operator",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// An error, as JSON.
#[derive(Serialize, ToSchema)]
pub struct ApiError {
    /// What went wrong.
    pub error: String,
}

impl IntoResponse for LgError {
    fn into_response(self) -> Response {
        let status = match self {
            LgError::BadRequest(_) => StatusCode::BAD_REQUEST,
            LgError::NotFound(_) => StatusCode::NOT_FOUND,
            LgError::Unauthorized => StatusCode::UNAUTHORIZED,
            LgError::Backend(_) => StatusCode::BAD_GATEWAY,
        };
        (
            status,
            Json(ApiError {
                error: self.to_string(),
            }),
        )
            .into_response()
    }
}

/// Whether the request carries the operator token (extractor).
#[derive(Clone, Copy, Debug)]
pub struct Operator(pub bool);

impl FromRequestParts<LookingGlass> for Operator {
    type Rejection = LgError;

    async fn from_request_parts(
        parts: &mut Parts,
        lg: &LookingGlass,
    ) -> Result<Self, Self::Rejection> {
        let h = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok());
        lg.is_operator(h).map(Operator)
    }
}

/// The route server and a summary of its sessions.
#[derive(Serialize, ToSchema)]
pub struct StatusView {
    /// The route server.
    pub server: ServerStatus,
    /// Neighbors in this view.
    pub neighbors: usize,
    /// Of which with an established session.
    pub established: usize,
    /// The view: `public` or `operator`.
    pub view: String,
}

/// The route server's status.
#[utoipa::path(get, path = "/api/v1/status", tag = "status",
    responses((status = 200, body = StatusView), (status = 502, body = ApiError)))]
async fn status(
    State(lg): State<LookingGlass>,
    Operator(op): Operator,
) -> Result<Json<StatusView>, LgError> {
    let (server, ns) = tokio::join!(lg.status(), lg.neighbors(op));
    let ns = ns?;
    Ok(Json(StatusView {
        server: server?,
        established: ns.iter().filter(|n| n.state == "Established").count(),
        neighbors: ns.len(),
        view: if op { "operator" } else { "public" }.into(),
    }))
}

/// Neighbors of the route server.
#[derive(Serialize, ToSchema)]
pub struct NeighborsView {
    /// In address order.
    pub neighbors: Vec<NeighborView>,
}

/// Every neighbor with its session and route counts.
#[utoipa::path(get, path = "/api/v1/neighbors", tag = "neighbors",
    responses((status = 200, body = NeighborsView)),
    security((), ("operator" = [])))]
async fn neighbors(
    State(lg): State<LookingGlass>,
    Operator(op): Operator,
) -> Result<Json<NeighborsView>, LgError> {
    Ok(Json(NeighborsView {
        neighbors: lg.neighbors(op).await?,
    }))
}

/// One neighbor.
#[utoipa::path(get, path = "/api/v1/neighbors/{address}", tag = "neighbors",
    params(("address" = String, Path, description = "The neighbor's address")),
    responses((status = 200, body = NeighborView), (status = 404, body = ApiError)))]
async fn neighbor(
    State(lg): State<LookingGlass>,
    Operator(op): Operator,
    Path(address): Path<String>,
) -> Result<Json<NeighborView>, LgError> {
    Ok(Json(lg.neighbor(&address, op).await?))
}

/// Filters and cursor of a page of routes.
#[derive(Deserialize, IntoParams, Debug, Default)]
#[into_params(parameter_in = Query)]
pub struct RoutesParams {
    /// `ipv4` or `ipv6`.
    pub family: Option<String>,
    /// Only prefixes inside this one.
    pub within: Option<String>,
    /// The previous page's `next`.
    pub after: Option<String>,
    /// Routes per page (capped by the server).
    pub limit: Option<u32>,
}

/// A page of a neighbor's routes: `received`, `accepted`, `filtered` (with
/// the reasons) or `exported` (what the neighbor receives; `best` false
/// where it receives other than the overall best path).
#[utoipa::path(get, path = "/api/v1/neighbors/{address}/routes/{view}", tag = "routes",
    params(
        ("address" = String, Path, description = "The neighbor's address"),
        ("view" = RouteView, Path, description = "received, accepted, filtered or exported"),
        RoutesParams),
    responses((status = 200, body = RoutePage), (status = 400, body = ApiError), (status = 404, body = ApiError)))]
async fn routes(
    State(lg): State<LookingGlass>,
    Operator(op): Operator,
    Path((address, view)): Path<(String, String)>,
    Query(p): Query<RoutesParams>,
) -> Result<Json<RoutePage>, LgError> {
    let view = match view.as_str() {
        "received" => RouteView::Received,
        "accepted" => RouteView::Accepted,
        "filtered" => RouteView::Filtered,
        "exported" => RouteView::Exported,
        v => return Err(LgError::NotFound(format!("no route view {v:?}"))),
    };
    Ok(Json(
        lg.routes(&address, view, p.family, p.within, p.after, p.limit, op)
            .await?,
    ))
}

/// A lookup.
#[derive(Deserialize, IntoParams, Debug)]
#[into_params(parameter_in = Query)]
pub struct LookupParams {
    /// A prefix, or an address (longest match).
    pub q: String,
    /// The prefix itself only, no longest match.
    #[serde(default)]
    pub exact: bool,
    /// Also mark the path this neighbor (address) receives.
    pub client: Option<String>,
}

/// Every candidate path of a prefix (or of the longest match of an
/// address), with its import verdict, which one is the best overall and,
/// with `client`, which one that client receives.
#[utoipa::path(get, path = "/api/v1/lookup", tag = "routes", params(LookupParams),
    responses((status = 200, body = LookupResult), (status = 400, body = ApiError)))]
async fn lookup(
    State(lg): State<LookingGlass>,
    Operator(op): Operator,
    Query(p): Query<LookupParams>,
) -> Result<Json<LookupResult>, LgError> {
    Ok(Json(lg.lookup(&p.q, p.exact, p.client, op).await?))
}

/// The peering matrix.
#[derive(Serialize, ToSchema)]
pub struct MatrixView {
    /// Who receives how many prefixes from whom (cells with at least one).
    pub cells: Vec<condor_control::MatrixCell>,
}

/// Who exchanges routes with whom through the route server: for each
/// member, how many prefixes it receives from each other member.
#[utoipa::path(get, path = "/api/v1/matrix", tag = "neighbors",
    responses((status = 200, body = MatrixView)))]
async fn matrix(
    State(lg): State<LookingGlass>,
    Operator(op): Operator,
) -> Result<Json<MatrixView>, LgError> {
    Ok(Json(MatrixView {
        cells: lg.matrix(op).await?,
    }))
}

/// The community scheme of this route server.
#[utoipa::path(get, path = "/api/v1/communities", tag = "communities",
    responses((status = 200, body = crate::pages::CommunityScheme)))]
async fn communities(
    State(lg): State<LookingGlass>,
) -> Result<Json<crate::pages::CommunityScheme>, LgError> {
    let asn = lg.status().await?.asn;
    Ok(Json(crate::pages::CommunityScheme::of(asn)))
}

/// The RPKI data in use: VRP and ASPA counts, caches and their state
/// (their addresses in the operator view only).
#[utoipa::path(get, path = "/api/v1/rpki", tag = "policy",
    responses((status = 200, body = condor_control::RpkiStatus)),
    security((), ("operator" = [])))]
async fn rpki(
    State(lg): State<LookingGlass>,
    Operator(op): Operator,
) -> Result<Json<condor_control::RpkiStatus>, LgError> {
    Ok(Json(lg.rpki(op).await?))
}

/// Members' IRR data: each set's source, age and size.
#[derive(Serialize, ToSchema)]
pub struct IrrView {
    /// The sets, by name.
    pub sets: Vec<condor_control::IrrSetInfo>,
}

/// Members' IRR data (file paths and error texts in the operator view only).
#[utoipa::path(get, path = "/api/v1/irr", tag = "policy",
    responses((status = 200, body = IrrView)),
    security((), ("operator" = [])))]
async fn irr(
    State(lg): State<LookingGlass>,
    Operator(op): Operator,
) -> Result<Json<IrrView>, LgError> {
    Ok(Json(IrrView {
        sets: lg.irr(op).await?,
    }))
}

fn api_router() -> OpenApiRouter<LookingGlass> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(status))
        .routes(routes!(neighbors))
        .routes(routes!(neighbor))
        .routes(routes!(routes))
        .routes(routes!(lookup))
        .routes(routes!(communities))
        .routes(routes!(matrix))
        .routes(routes!(rpki))
        .routes(routes!(irr))
}

/// The OpenAPI document, as served at `/api/v1/openapi.json`.
pub fn openapi() -> utoipa::openapi::OpenApi {
    api_router().split_for_parts().1
}

/// The API's routes, with `/api/v1/openapi.json`.
pub fn router(lg: LookingGlass) -> Router {
    let (router, api) = api_router().split_for_parts();
    let doc = Arc::new(api.to_pretty_json().unwrap_or_else(|_| "{}".into()));
    router
        .route(
            "/api/v1/openapi.json",
            axum::routing::get(move || {
                let doc = doc.clone();
                async move { ([(header::CONTENT_TYPE, "application/json")], (*doc).clone()) }
            }),
        )
        .with_state(lg)
}
