//! Enrolment links in the console: one for a user, or one for every active collector of a
//! commune (printed on a sheet and handed out at a commune meeting); the unused ones listed
//! and revocable. A link carries its code in the URL fragment, so it never reaches a log.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use super::users::managed_user;
use super::{commune_view, page_of, require_console, CommuneView, Page, Paging};
use crate::http::auth::ClientAddress;
use crate::http::{ApiJson, AppError, AppResult, AppState, CurrentUser};
use crate::store::audit::Actor;
use crate::store::user_admin::manages;
use crate::store::users::{Role, User};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/users/{username}/enrollments", post(for_user))
        .route("/admin/enrollments", get(list).post(for_commune))
        .route("/admin/enrollments/{id}", delete(revoke))
}

/// A week, unless asked otherwise; between 5 minutes and 30 days.
const DEFAULT_TTL_MINUTES: i64 = 7 * 24 * 60;

fn ttl(asked: Option<i64>) -> i64 {
    asked.unwrap_or(DEFAULT_TTL_MINUTES).clamp(5, 30 * 24 * 60)
}

/// An issued link, with what a printed sheet shows beside it.
#[derive(Serialize)]
struct Enrollment {
    id: String,
    username: String,
    display_name: String,
    communes: Vec<CommuneView>,
    code: String,
    link: String,
    expires_at: i64,
    /// Kept for clients of the first version of this endpoint.
    expires_in_minutes: i64,
    qr: Qr,
}

/// A QR code as SVG path data: one square per dark module, in a `size × size` box.
#[derive(Serialize)]
struct Qr {
    size: usize,
    path: String,
}

fn qr_of(text: &str) -> AppResult<Qr> {
    let code = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M)
        .map_err(|e| AppError::Internal(format!("QR code: {e}")))?;
    let size = code.width();
    let colors = code.to_colors();
    let mut path = String::new();
    // Runs of dark modules on a row are one rectangle: a third of the path of squares.
    for y in 0..size {
        let mut x = 0;
        while x < size {
            if colors[y * size + x] == qrcode::Color::Dark {
                let start = x;
                while x < size && colors[y * size + x] == qrcode::Color::Dark {
                    x += 1;
                }
                path += &format!("M{start} {y}h{}v1h-{}z", x - start, x - start);
            } else {
                x += 1;
            }
        }
    }
    Ok(Qr { size, path })
}

async fn issue(state: &AppState, user: &User, ttl_minutes: i64, by: &Actor) -> AppResult<Enrollment> {
    let issued = state.db.issue_enrollment_by(user, ttl_minutes, by).await?;
    let link = enrollment_link(&state.settings.public_url, &issued.code);
    let reference = state.catalog.reference();
    Ok(Enrollment {
        id: issued.id,
        username: user.username.clone(),
        display_name: user.display_name.clone(),
        communes: user.communes.iter().map(|l| commune_view(l, reference)).collect(),
        qr: qr_of(&link)?,
        code: issued.code,
        link,
        expires_at: issued.expires_at,
        expires_in_minutes: ttl_minutes,
    })
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ForUser {
    ttl_minutes: Option<i64>,
}

async fn for_user(
    State(state): State<AppState>,
    current: CurrentUser,
    address: ClientAddress,
    Path(username): Path<String>,
    body: Bytes,
) -> AppResult<Json<Enrollment>> {
    let user = managed_user(&state, &current, &username).await?;
    // The body is optional: no body means the default lifetime.
    let request: ForUser = if body.is_empty() {
        ForUser::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| AppError::InvalidJson(e.to_string()))?
    };
    let enrollment = issue(&state, &user, ttl(request.ttl_minutes), &current.actor(address)).await?;
    tracing::info!(by = ?current.user.username, user = ?user.username, "enrolment issued");
    Ok(Json(enrollment))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ForCommune {
    #[serde(default = "units_2025")]
    unit_list: String,
    unit_code: String,
    ttl_minutes: Option<i64>,
}

fn units_2025() -> String {
    "units_2025".to_owned()
}

#[derive(Serialize)]
struct Issued {
    items: Vec<Enrollment>,
}

/// A link for every active collector of the commune the caller manages.
async fn for_commune(
    State(state): State<AppState>,
    current: CurrentUser,
    address: ClientAddress,
    ApiJson(body): ApiJson<ForCommune>,
) -> AppResult<Json<Issued>> {
    require_console(&current)?;
    let reference = state.catalog.reference();
    let commune = forms::Location { unit_list: body.unit_list, unit_code: body.unit_code };
    let known = reference.unit_lists.get(&commune.unit_list).and_then(|l| l.get(&commune.unit_code));
    if !known.is_some_and(|u| u.is_commune_level()) {
        return Err(AppError::bad_request("unknown_commune", "Không có xã/phường này.", "No such commune."));
    }
    if !current.user.scope().allows(&commune, reference) {
        return Err(AppError::Forbidden);
    }
    let collectors: Vec<User> = state
        .db
        .all_users()
        .await?
        .into_iter()
        .filter(|u| u.role == Role::Collector && !u.disabled && u.communes.contains(&commune))
        .filter(|u| manages(&current.user, u, reference))
        .collect();
    let ttl = ttl(body.ttl_minutes);
    let by = current.actor(address);
    let mut items = Vec::with_capacity(collectors.len());
    for user in &collectors {
        items.push(issue(&state, user, ttl, &by).await?);
    }
    tracing::info!(by = ?current.user.username, commune = ?commune.unit_code, links = items.len(), "enrolments issued");
    Ok(Json(Issued { items }))
}

#[derive(Serialize)]
struct OpenCode {
    id: String,
    username: String,
    display_name: String,
    communes: Vec<CommuneView>,
    created_at: i64,
    expires_at: i64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    page: Option<u32>,
    per_page: Option<u32>,
}

async fn list(
    State(state): State<AppState>,
    current: CurrentUser,
    query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> AppResult<Json<Page<OpenCode>>> {
    require_console(&current)?;
    let Query(query) = query?;
    let reference = state.catalog.reference();
    let users: std::collections::HashMap<i64, User> =
        state.db.all_users().await?.into_iter().map(|u| (u.id, u)).collect();
    let codes = state
        .db
        .open_enrollments()
        .await?
        .into_iter()
        .filter_map(|e| {
            let user = users.get(&e.user_id).filter(|u| manages(&current.user, u, reference))?;
            Some(OpenCode {
                id: e.id,
                username: user.username.clone(),
                display_name: user.display_name.clone(),
                communes: user.communes.iter().map(|l| commune_view(l, reference)).collect(),
                created_at: e.created_at,
                expires_at: e.expires_at,
            })
        })
        .collect();
    Ok(Json(page_of(codes, &Paging { page: query.page, per_page: query.per_page })?))
}

/// Revokes an unused code of a user the caller manages; a code used, revoked or not theirs
/// is 404.
async fn revoke(
    State(state): State<AppState>,
    current: CurrentUser,
    address: ClientAddress,
    Path(id): Path<String>,
) -> AppResult<StatusCode> {
    require_console(&current)?;
    let user_id = state.db.enrollment_user(&id).await?.ok_or(AppError::NotFound)?;
    let user = state.db.user_by_id(user_id).await?.ok_or(AppError::NotFound)?;
    if !manages(&current.user, &user, state.catalog.reference())
        || !state.db.revoke_enrollment(&id, &user, &current.actor(address)).await?
    {
        return Err(AppError::NotFound);
    }
    tracing::info!(by = ?current.user.username, user = ?user.username, "enrolment revoked");
    Ok(StatusCode::NO_CONTENT)
}

/// The link an enrolment QR code carries; the PWA reads the code from the fragment, so it
/// never reaches server logs.
pub fn enrollment_link(public_url: &str, code: &str) -> String {
    format!("{}/#/enroll/{code}", public_url.trim_end_matches('/'))
}
