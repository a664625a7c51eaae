//! Sign-in, device enrolment, sign-out, and the extractor that turns a bearer token into
//! the signed-in user.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use super::{ApiJson, AppError, AppResult, AppState};
use crate::db::now_ms;
use crate::store::users::User;

/// The user a request's bearer token belongs to, and the device it was issued to.
pub struct CurrentUser {
    pub user: User,
    pub device_id: String,
    token: String,
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(AppError::Unauthenticated)?;
        let found = state.db.user_for_token(token).await.map_err(internal)?;
        let (user, device_id) = found.ok_or(AppError::TokenInvalid)?;
        Ok(CurrentUser { user, device_id, token: token.to_owned() })
    }
}

/// The socket peer's address, where the server runs on a real socket (absent in tests
/// that call the router directly).
pub struct Peer(Option<SocketAddr>);

impl<S: Send + Sync> FromRequestParts<S> for Peer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Peer(parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0)))
    }
}

pub(super) fn internal(e: crate::store::StoreError) -> AppError {
    match e {
        crate::store::StoreError::Sqlx(e) => e.into(),
        other => AppError::Internal(other.to_string()),
    }
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/auth/sign-in", post(sign_in))
        .route("/auth/enroll", post(enroll))
        .route("/auth/sign-out", post(sign_out))
        .route("/me", get(me))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SignIn {
    username: String,
    password: String,
    device_id: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Enroll {
    code: String,
    device_id: String,
}

#[derive(Serialize)]
pub struct Session {
    token: String,
    user: User,
}

/// Failed sign-ins allowed per username, and per client address, in [`WINDOW_MS`].
const MAX_FAILURES_PER_USER: i64 = 5;
const MAX_FAILURES_PER_ADDRESS: i64 = 20;
const WINDOW_MS: i64 = 15 * 60 * 1000;

/// The client's address: the socket peer, or the proxy's `X-Forwarded-For` when trusted.
fn client_address(parts_headers: &HeaderMap, peer: Option<SocketAddr>, trust_proxy: bool) -> String {
    let forwarded = parts_headers
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok())
        // The proxy appends the address it saw; entries to its left are the client's to write.
        .and_then(|v| v.rsplit(',').next())
        .map(|v| v.trim().to_owned());
    match (trust_proxy, forwarded, peer) {
        (true, Some(addr), _) => addr,
        (_, _, Some(peer)) => peer.ip().to_string(),
        _ => "unknown".to_owned(),
    }
}

async fn check_rate(state: &AppState, keys: &[(String, i64)]) -> AppResult<()> {
    for (key, max) in keys {
        let failures = state.db.sign_in_failures_since(key, now_ms() - WINDOW_MS).await.map_err(internal)?;
        if failures >= *max {
            return Err(AppError::TooManyAttempts { retry_after_secs: (WINDOW_MS / 1000) as u64 });
        }
    }
    Ok(())
}

fn valid_device_id(id: &str) -> AppResult<()> {
    if id.is_empty() || id.len() > 100 {
        return Err(AppError::bad_request(
            "invalid_device_id",
            "Mã thiết bị không hợp lệ.",
            "device_id must be 1–100 characters.",
        ));
    }
    Ok(())
}

async fn sign_in(
    State(state): State<AppState>,
    Peer(peer): Peer,
    headers: HeaderMap,
    ApiJson(body): ApiJson<SignIn>,
) -> AppResult<Json<Session>> {
    valid_device_id(&body.device_id)?;
    let address = client_address(&headers, peer, state.settings.trust_proxy);
    let keys = [
        (format!("user:{}", body.username), MAX_FAILURES_PER_USER),
        (format!("addr:{address}"), MAX_FAILURES_PER_ADDRESS),
    ];
    check_rate(&state, &keys).await?;
    let Some(user) = state.db.check_password(&body.username, &body.password).await.map_err(internal)? else {
        for (key, _) in &keys {
            state.db.note_sign_in_failure(key).await.map_err(internal)?;
        }
        return Err(AppError::BadCredentials);
    };
    let token = state.db.issue_token(user.id, &body.device_id).await.map_err(internal)?;
    tracing::info!(user = %user.username, device = %body.device_id, "signed in");
    Ok(Json(Session { token, user }))
}

async fn enroll(
    State(state): State<AppState>,
    Peer(peer): Peer,
    headers: HeaderMap,
    ApiJson(body): ApiJson<Enroll>,
) -> AppResult<Json<Session>> {
    valid_device_id(&body.device_id)?;
    let address = client_address(&headers, peer, state.settings.trust_proxy);
    let keys = [(format!("addr:{address}"), MAX_FAILURES_PER_ADDRESS)];
    check_rate(&state, &keys).await?;
    match state.db.redeem_enrollment(&body.code, &body.device_id).await.map_err(internal)? {
        Some((user, token)) => {
            tracing::info!(user = %user.username, device = %body.device_id, "device enrolled");
            Ok(Json(Session { token, user }))
        }
        None => {
            state.db.note_sign_in_failure(&keys[0].0).await.map_err(internal)?;
            Err(AppError::EnrollmentInvalid)
        }
    }
}

async fn sign_out(State(state): State<AppState>, current: CurrentUser) -> AppResult<Json<serde_json::Value>> {
    state.db.revoke_token(&current.token).await.map_err(internal)?;
    Ok(Json(serde_json::json!({ "signed_out": true })))
}

async fn me(current: CurrentUser) -> Json<User> {
    Json(current.user)
}
