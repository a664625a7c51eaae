//! Liveness, readiness and the API description.

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

use super::{AppError, AppResult, AppState};

/// The OpenAPI document, written by hand beside the code and checked against the router by
/// a test.
pub const OPENAPI: &str = include_str!("../../openapi.json");

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(|| async { Json(json!({ "status": "ok" })) }))
        .route("/readyz", get(ready))
        .route("/api/openapi.json", get(|| async { ([(header::CONTENT_TYPE, "application/json")], OPENAPI) }))
}

/// Ready when the database answers.
async fn ready(State(state): State<AppState>) -> AppResult<impl IntoResponse> {
    state.db.ping().await.map_err(|_| AppError::Unavailable)?;
    Ok(Json(json!({ "status": "ready", "catalog_version": state.catalog.version() })))
}
