//! Sign-in, device enrolment, sign-out, and the extractor that turns a bearer token into
//! the signed-in user.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts, OptionalFromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use super::{ApiJson, AppError, AppResult, AppState};
use crate::db::now_ms;
use crate::store::audit::Actor;
use crate::store::auth::{throttle_key, Limit};
use crate::store::passwords;
use crate::store::users::{valid_username, User};

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
        let found = state.db.user_for_token(token).await?;
        let (user, device_id) = found.ok_or(AppError::TokenInvalid)?;
        Ok(CurrentUser { user, device_id, token: token.to_owned() })
    }
}

/// The signed-in user where a request may come without one (the catalog): no token, or
/// one that is no longer valid, is nobody rather than a refusal.
impl OptionalFromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Option<Self>, Self::Rejection> {
        match <CurrentUser as FromRequestParts<AppState>>::from_request_parts(parts, state).await {
            Ok(user) => Ok(Some(user)),
            Err(AppError::Unauthenticated | AppError::TokenInvalid) => Ok(None),
            Err(e) => Err(e),
        }
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

/// The client's address as [`client_address`] finds it: what the audit log and the sign-in
/// throttle record. `None` when the server has no socket to ask (tests on the router).
pub struct ClientAddress(pub Option<String>);

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let Peer(peer) = Peer::from_request_parts(parts, state).await?;
        Ok(ClientAddress(client_address(&parts.headers, peer, state.settings.trust_proxy)))
    }
}

impl CurrentUser {
    /// The signed-in user acting from `address`, for the audit log.
    pub fn actor(&self, ClientAddress(address): ClientAddress) -> Actor {
        Actor::user(&self.user, address)
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
    /// `console` for the province console in a desktop browser: its sessions are not
    /// phones, so they are not listed among the devices. Absent: a phone.
    #[serde(default)]
    client: Client,
}

#[derive(Deserialize, Default, PartialEq, Eq, Clone, Copy)]
#[serde(rename_all = "snake_case")]
enum Client {
    #[default]
    Phone,
    Console,
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

/// The throttle (README, "Security policy"): failed attempts allowed in [`WINDOW_MS`]
/// per username from one address, and per address over all usernames. Past either, that
/// pair or address gets 429 until the window has moved on. A username's failures from
/// every address together never lock it out (anyone could lock out `admin` that way): past
/// [`SLOW_DOWN_AFTER`] each attempt for it waits [`SLOW_DOWN`] first.
const MAX_FAILURES_PER_USER_AND_ADDRESS: i64 = 5;
const MAX_FAILURES_PER_ADDRESS: i64 = 20;
const SLOW_DOWN_AFTER: i64 = 10;
const SLOW_DOWN: std::time::Duration = std::time::Duration::from_secs(2);
const WINDOW_MS: i64 = 15 * 60 * 1000;

/// The client's address: the socket peer, or the proxy's `X-Forwarded-For` when trusted.
fn client_address(parts_headers: &HeaderMap, peer: Option<SocketAddr>, trust_proxy: bool) -> Option<String> {
    let forwarded = parts_headers
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok())
        // The proxy appends the address it saw; entries to its left are the client's to write.
        .and_then(|v| v.rsplit(',').next())
        .map(|v| v.trim().to_owned());
    match (trust_proxy, forwarded, peer) {
        (true, Some(addr), _) => Some(addr),
        (_, _, Some(peer)) => Some(peer.ip().to_string()),
        _ => None,
    }
}

/// What the throttle counts requests without an address under (there is no socket only
/// when tests drive the router directly).
const UNKNOWN_ADDRESS: &str = "unknown";

fn too_many() -> AppError {
    AppError::TooManyAttempts { retry_after_secs: (WINDOW_MS / 1000) as u64 }
}

/// A device id is what the device made up (the PWA: a UUID): 1–100 characters of
/// `A–Z a–z 0–9 . _ : -`. Nothing else reaches the database or the log.
pub(super) fn valid_device_id(id: &str) -> AppResult<()> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | ':' | '-');
    if id.is_empty() || id.len() > 100 || !id.chars().all(allowed) {
        return Err(AppError::bad_request(
            "invalid_device_id",
            "Mã thiết bị không hợp lệ.",
            "device_id must be 1–100 characters of A–Z, a–z, 0–9, '.', '_', ':', '-'.",
        ));
    }
    Ok(())
}

/// Refuses, before anything is written or hashed, a username no account can have and a
/// password longer than any account's.
fn plausible_credentials(username: &str, password: &str) -> AppResult<()> {
    if !valid_username(username) {
        return Err(AppError::bad_request(
            "invalid_username",
            "Tên đăng nhập gồm 3–64 ký tự: chữ thường không dấu a–z, số 0–9, dấu chấm, gạch dưới, gạch ngang.",
            "A username is 3–64 characters: a–z, 0–9, '.', '_', '-'.",
        ));
    }
    if password.len() > passwords::MAX_PASSWORD_BYTES {
        return Err(AppError::bad_request(
            "invalid_password",
            "Mật khẩu quá dài.",
            "The password is too long (at most 1024 bytes).",
        ));
    }
    Ok(())
}

async fn sign_in(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    ApiJson(body): ApiJson<SignIn>,
) -> AppResult<Json<Session>> {
    valid_device_id(&body.device_id)?;
    // Usernames are lower case; a phone keyboard's capital first letter is not a new name.
    let username = body.username.trim().to_ascii_lowercase();
    plausible_credentials(&username, &body.password)?;
    let address = address.unwrap_or_else(|| UNKNOWN_ADDRESS.to_owned());
    let since = now_ms() - WINDOW_MS;
    // Per address, failures as they happen: a commune's phones behind one connection,
    // signing in together, are not refused for being many.
    let address_key = throttle_key("addr", &[&address]);
    if state.db.attempts_since(&address_key, since).await? >= MAX_FAILURES_PER_ADDRESS {
        return Err(too_many());
    }
    // Per username and address, every attempt from before its check: guessing one
    // account's password in parallel gets no more checks than the limit.
    let pair = Limit { key: throttle_key("pair", &[&username, &address]), max: MAX_FAILURES_PER_USER_AND_ADDRESS };
    let attempt = state.db.begin_attempt(&pair, since).await?.ok_or_else(too_many)?;
    let user_key = throttle_key("user", &[&username]);
    let user_failures = state.db.attempts_since(&user_key, since).await?;
    if user_failures >= SLOW_DOWN_AFTER {
        tracing::warn!(user = ?username, failures = user_failures, "sign-ins failing from many places: slowed down");
        tokio::time::sleep(SLOW_DOWN).await;
    }
    let checked = state.db.check_password(&username, &body.password).await;
    let user = match checked {
        Ok(Some(user)) => {
            state.db.forget_attempt(attempt).await?;
            user
        }
        Ok(None) => {
            state.db.attempt_failed(attempt, &[&address_key, &user_key]).await?;
            return Err(AppError::BadCredentials);
        }
        Err(e) => {
            // Our failure, not the client's: it does not count against them.
            state.db.forget_attempt(attempt).await?;
            return Err(e.into());
        }
    };
    let token = state.db.issue_token(user.id, &body.device_id).await?;
    if body.client == Client::Phone {
        state.db.note_device(user.id, &body.device_id).await?;
    }
    tracing::info!(user = ?user.username, device = ?body.device_id, "signed in");
    Ok(Json(Session { token, user }))
}

async fn enroll(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    ApiJson(body): ApiJson<Enroll>,
) -> AppResult<Json<Session>> {
    valid_device_id(&body.device_id)?;
    // Codes are 256-bit secrets: counting failures per address is hygiene, not the defence.
    let address_key = throttle_key("addr", &[address.as_deref().unwrap_or(UNKNOWN_ADDRESS)]);
    if state.db.attempts_since(&address_key, now_ms() - WINDOW_MS).await? >= MAX_FAILURES_PER_ADDRESS {
        return Err(too_many());
    }
    match state.db.redeem_enrollment(&body.code, &body.device_id, address).await? {
        Some((user, token)) => {
            state.db.note_device(user.id, &body.device_id).await?;
            tracing::info!(user = ?user.username, device = ?body.device_id, "device enrolled");
            Ok(Json(Session { token, user }))
        }
        None => {
            state.db.note_failures(&[&address_key]).await?;
            Err(AppError::EnrollmentInvalid)
        }
    }
}

async fn sign_out(State(state): State<AppState>, current: CurrentUser) -> AppResult<Json<serde_json::Value>> {
    state.db.revoke_token(&current.token).await?;
    Ok(Json(serde_json::json!({ "signed_out": true })))
}

async fn me(current: CurrentUser) -> Json<User> {
    Json(current.user)
}
