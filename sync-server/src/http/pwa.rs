//! Serves the built PWA, and the province console under `/console/`. The service worker and
//! the page that registers it must never be cached by HTTP, or an update could not reach the
//! devices; other assets may be briefly.

use std::path::Path;

use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tower_http::services::{ServeDir, ServeFile};

use super::AppState;

pub fn routes(pwa_dir: Option<&Path>) -> Router<AppState> {
    let Some(dir) = pwa_dir else {
        return Router::new().route("/", get(not_built));
    };
    // `cargo xtask` writes brotli `.br` and zopfli `.gz` files beside the built ones: sent
    // as they are, brotli to browsers that accept it (all of them over HTTPS).
    let index = ServeFile::new(dir.join("index.html")).precompressed_br().precompressed_gzip();
    let serve = ServeDir::new(dir).precompressed_br().precompressed_gzip().fallback(index);
    // The province console, another app built into `console/` of the same folder: every
    // path under `/console/` that is not one of its files is one of its screens, answered
    // with its own page (never the PWA's).
    let console = dir.join("console");
    let console_index = ServeFile::new(console.join("index.html")).precompressed_br().precompressed_gzip();
    let console = ServeDir::new(console).precompressed_br().precompressed_gzip().fallback(console_index);
    Router::new().nest_service("/console", console).fallback_service(serve).layer(middleware::from_fn(cache_policy))
}

async fn cache_policy(request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let mut response = next.run(request).await;
    let html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html"));
    let never_cached = html || path == "/sw.js" || path.ends_with(".webmanifest");
    let policy = if never_cached { "no-cache" } else { "public, max-age=300, must-revalidate" };
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    response
}

/// Where the server runs without a PWA build, say so rather than serve nothing.
async fn not_built() -> impl IntoResponse {
    Html(
        "<!doctype html><meta charset=utf-8><title>sotay</title>\
         <p>Máy chủ sotay đang chạy; ứng dụng (PWA) chưa được dựng. \
         The sotay server is running; the PWA has not been built (run <code>cargo xtask start</code>).",
    )
}
