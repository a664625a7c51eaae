//! User and enrolment administration, for admins only.

use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use forms::Location;
use serde::Deserialize;
use serde_json::{json, Value};

use super::super::{ApiJson, AppError, AppResult, AppState, CurrentUser};
use crate::store::users::{NewUser, Role, User};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/users", get(list).post(create))
        .route("/admin/users/{username}/disable", post(disable))
        .route("/admin/users/{username}/enable", post(enable))
        .route("/admin/users/{username}/enrollments", post(enrollment))
}

fn require_admin(current: &CurrentUser) -> AppResult<()> {
    if current.user.role == Role::Admin {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

async fn list(State(state): State<AppState>, current: CurrentUser) -> AppResult<Json<Vec<User>>> {
    require_admin(&current)?;
    Ok(Json(state.db.list_users().await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateUser {
    username: String,
    display_name: String,
    role: Role,
    password: Option<String>,
    #[serde(default)]
    whole_province: bool,
    #[serde(default)]
    communes: Vec<Location>,
}

async fn create(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiJson(body): ApiJson<CreateUser>,
) -> AppResult<Json<User>> {
    require_admin(&current)?;
    let new = NewUser {
        username: &body.username,
        display_name: &body.display_name,
        role: body.role,
        password: body.password.as_deref(),
        whole_province: body.whole_province,
        communes: &body.communes,
    };
    Ok(Json(state.db.create_user(&new, state.catalog.reference()).await?))
}

async fn disable(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(username): Path<String>,
) -> AppResult<Json<Value>> {
    require_admin(&current)?;
    state.db.set_disabled(&username, true).await?;
    Ok(Json(json!({ "username": username, "disabled": true })))
}

async fn enable(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(username): Path<String>,
) -> AppResult<Json<Value>> {
    require_admin(&current)?;
    state.db.set_disabled(&username, false).await?;
    Ok(Json(json!({ "username": username, "disabled": false })))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct EnrollmentRequest {
    ttl_minutes: Option<i64>,
}

async fn enrollment(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(username): Path<String>,
    body: axum::body::Bytes,
) -> AppResult<Json<Value>> {
    require_admin(&current)?;
    // The body is optional: no body means the default lifetime.
    let request: EnrollmentRequest = if body.is_empty() {
        EnrollmentRequest::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| AppError::InvalidJson(e.to_string()))?
    };
    let ttl = request.ttl_minutes.unwrap_or(7 * 24 * 60).clamp(5, 30 * 24 * 60);
    let code = state.db.create_enrollment(&username, ttl).await?;
    let link = enrollment_link(&state.settings.public_url, &code);
    Ok(Json(json!({ "username": username, "code": code, "link": link, "expires_in_minutes": ttl })))
}

/// The link an enrolment QR code carries; the PWA reads the code from the fragment, so it
/// never reaches server logs.
pub fn enrollment_link(public_url: &str, code: &str) -> String {
    format!("{}/#/enroll/{code}", public_url.trim_end_matches('/'))
}
