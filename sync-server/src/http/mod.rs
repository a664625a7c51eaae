//! The HTTP interface: [`app`] builds the whole router from its state, so tests drive it
//! without a socket. Handlers are grouped by resource; none holds state between requests
//! (everything lives in the database), so any number of processes can serve one database.

pub(crate) mod admin;
mod auth;
mod error;
mod health;
mod history;
pub mod photos;
mod pwa;
mod reports;
mod review;
mod sync;

use std::path::PathBuf;
use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, FromRequest, Request};
use axum::http::{header, HeaderName, HeaderValue};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Router;
use forms::Catalog;
use tower_http::compression::CompressionLayer;
use tower_http::decompression::RequestDecompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

pub use admin::enrollment_link;
pub use auth::CurrentUser;
pub use error::{AppError, AppResult};

use crate::catalog::Catalogs;
use crate::db::Db;
use crate::photos::PhotoStore;

/// Largest request body, after decompression. A full push batch of large records fits.
pub const BODY_LIMIT: usize = 8 * 1024 * 1024;

/// Content-Security-Policy for the PWA: only its own scripts (and WebAssembly), no inline
/// script, no framing.
const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data: blob:; connect-src 'self'; manifest-src 'self'; worker-src 'self'; object-src 'none'; \
     base-uri 'self'; frame-ancestors 'none'; form-action 'self'";

#[derive(Debug, Clone)]
pub struct Settings {
    /// Where devices reach this server (`https://…`), for enrolment links.
    pub public_url: String,
    /// Take the client address from `X-Forwarded-For` (only behind a trusted reverse proxy).
    pub trust_proxy: bool,
    /// The built PWA, served at `/`.
    pub pwa_dir: Option<PathBuf>,
    /// Answer cross-origin requests from anywhere (browser tests only).
    pub allow_any_origin: bool,
}

pub struct AppState {
    pub db: Db,
    /// The catalog this request reads: the current one when the state was cloned.
    pub catalog: Arc<Catalog>,
    /// What testers get instead, drafts included (taken with `catalog`).
    pub testing_catalog: Arc<Catalog>,
    /// The catalog as published, replaced when an admin publishes (`crate::catalog`).
    pub catalogs: Catalogs,
    pub settings: Arc<Settings>,
    /// Where evidence photos' bytes are kept (issue 16).
    pub photos: PhotoStore,
}

impl AppState {
    pub fn new(db: Db, catalogs: Catalogs, settings: Settings, photos: PhotoStore) -> AppState {
        let (catalog, testing_catalog) = catalogs.both();
        AppState { db, catalog, testing_catalog, catalogs, settings: Arc::new(settings), photos }
    }

    /// The catalog `user` fills forms from: with the drafts for testers.
    pub fn catalog_for(&self, user: &crate::store::users::User) -> &Arc<Catalog> {
        if user.tests_forms() {
            &self.testing_catalog
        } else {
            &self.catalog
        }
    }
}

/// axum clones the state for every request's `State` extractor: each clone takes the
/// catalog current at that moment, so a version published meanwhile is served from the
/// next request on, and one request never sees two catalogs.
impl Clone for AppState {
    fn clone(&self) -> Self {
        let (catalog, testing_catalog) = self.catalogs.both();
        AppState {
            db: self.db.clone(),
            catalog,
            testing_catalog,
            catalogs: self.catalogs.clone(),
            settings: self.settings.clone(),
            photos: self.photos.clone(),
        }
    }
}

/// JSON in, with every way a body can be wrong turned into a precise 4xx `AppError`.
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(AppError))]
pub struct ApiJson<T>(pub T);

pub fn app(state: AppState) -> Router {
    let api = Router::new()
        .merge(auth::routes())
        .merge(sync::routes())
        .merge(history::routes())
        .merge(photos::routes())
        .merge(review::routes())
        .merge(admin::routes())
        .merge(reports::routes())
        // Unknown API paths and methods answer in JSON, never with the PWA's index.html.
        .fallback(|| async { AppError::NotFound })
        .method_not_allowed_fallback(|| async { AppError::MethodNotAllowed })
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(RequestDecompressionLayer::new())
        .layer(middleware::from_fn(only_known_encodings));
    let x_request_id = HeaderName::from_static("x-request-id");
    let cors = state.settings.allow_any_origin.then(tower_http::cors::CorsLayer::very_permissive);
    Router::new()
        .nest("/api/v1", api)
        .merge(health::routes())
        .route("/api/{*rest}", any(|| async { AppError::NotFound }))
        .merge(pwa::routes(state.settings.pwa_dir.as_deref()))
        .with_state(state)
        .layer(middleware::from_fn(api_answers_are_not_stored))
        .layer(tower::util::option_layer(cors))
        .layer(CompressionLayer::new())
        .layer(SetResponseHeaderLayer::if_not_present(header::CONTENT_SECURITY_POLICY, unless_static_asset(CSP)))
        .layer(security_header(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(security_header(header::REFERRER_POLICY, "no-referrer"))
        .layer(SetResponseHeaderLayer::if_not_present(header::X_FRAME_OPTIONS, unless_static_asset("DENY")))
        .layer(PropagateRequestIdLayer::new(x_request_id.clone()))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
            let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
            tracing::info_span!("request", id = %id, method = %req.method(), path = %req.uri().path())
        }))
        .layer(SetRequestIdLayer::new(x_request_id, MakeRequestUuid))
}

/// Request bodies may be gzip-encoded; anything else is refused with the JSON error, before
/// the decompression layer would answer with an empty 415.
async fn only_known_encodings(request: Request, next: Next) -> Response {
    let known = request
        .headers()
        .get(header::CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|e| matches!(e.trim().to_ascii_lowercase().as_str(), "gzip" | "identity"));
    if known {
        next.run(request).await
    } else {
        AppError::UnsupportedMediaType.into_response()
    }
}

/// API answers carry people's records and names: no browser or proxy keeps a copy, unless
/// a handler says otherwise (the catalog: `no-cache` with an ETag). Every `/api` path,
/// errors and unknown paths included.
async fn api_answers_are_not_stored(request: Request, next: Next) -> Response {
    let api = request.uri().path().starts_with("/api/");
    let mut response = next.run(request).await;
    if api && !response.headers().contains_key(header::CACHE_CONTROL) {
        response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// A header only documents, workers and API answers need: the wasm, styles, images and
/// manifest ignore CSP and frame options, and on a phone's first visit those headers on
/// every asset (and its revalidation) would cost ~5 KB of a 300 KB budget.
fn unless_static_asset<B>(value: &'static str) -> impl Fn(&axum::http::Response<B>) -> Option<HeaderValue> + Clone {
    move |response| {
        let kind = response.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
        let asset = ["application/wasm", "image/", "text/css", "application/manifest+json"]
            .iter()
            .any(|prefix| kind.starts_with(prefix));
        (!asset).then(|| HeaderValue::from_static(value))
    }
}

fn security_header(name: HeaderName, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
}
