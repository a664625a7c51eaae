//! Phones and sync health: every device that has signed in, stalest first, with what the
//! phone itself last reported (app version, changes waiting, changes refused); a lost phone
//! signed out without touching the user's other devices.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::users::managed_user;
use super::{commune_view, in_commune, page_of, require_console, search_term, CommuneView, Page, Paging};
use crate::db::now_ms;
use crate::http::auth::ClientAddress;
use crate::http::{ApiJson, AppError, AppResult, AppState, CurrentUser};
use crate::store::devices::DeviceRow;
use crate::store::user_admin::manages;
use crate::store::users::User;

pub fn routes() -> Router<AppState> {
    Router::new().route("/admin/devices", get(list)).route("/admin/devices/sign-out", post(sign_out))
}

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

#[derive(Serialize)]
struct DeviceView {
    #[serde(flatten)]
    device: DeviceRow,
    communes: Vec<CommuneView>,
    /// Silent for more than `stale_days` days.
    stale: bool,
    /// Whole days since the phone was last heard of.
    silent_days: i64,
}

#[derive(Serialize)]
struct DevicePage {
    #[serde(flatten)]
    page: Page<DeviceView>,
    stale_days: u32,
    /// How many of all the listed devices (not only this page's) are stale.
    stale_total: usize,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    #[serde(default = "default_stale_days")]
    stale_days: u32,
    /// A 2025 commune code: devices of users working there.
    commune: Option<String>,
    /// Part of the username, display name or device id.
    q: Option<String>,
    page: Option<u32>,
    per_page: Option<u32>,
}

fn default_stale_days() -> u32 {
    7
}

async fn list(
    State(state): State<AppState>,
    current: CurrentUser,
    query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> AppResult<Json<DevicePage>> {
    require_console(&current)?;
    let Query(query) = query?;
    if !(1..=365).contains(&query.stale_days) {
        return Err(AppError::bad_request(
            "invalid_stale_days",
            "Số ngày im lặng phải từ 1 đến 365.",
            "stale_days must be 1–365.",
        ));
    }
    let reference = state.catalog.reference();
    let needle = search_term(query.q.as_deref());
    let users: HashMap<i64, User> = state
        .db
        .all_users()
        .await?
        .into_iter()
        .filter(|u| u.id == current.user.id || manages(&current.user, u, reference))
        .filter(|u| in_commune(u, query.commune.as_deref()))
        .map(|u| (u.id, u))
        .collect();
    let now = now_ms();
    let stale_after = i64::from(query.stale_days) * DAY_MS;
    let views: Vec<DeviceView> = state
        .db
        .list_devices()
        .await?
        .into_iter()
        .filter(|d| users.contains_key(&d.user_id))
        .filter(|d| {
            needle.as_deref().is_none_or(|n| {
                d.username.contains(n)
                    || d.display_name.to_lowercase().contains(n)
                    || d.device_id.to_lowercase().contains(n)
            })
        })
        .map(|device| {
            let silent = now - device.last_heard_at();
            let communes = users
                .get(&device.user_id)
                .map(|u| u.communes.iter().map(|l| commune_view(l, reference)).collect())
                .unwrap_or_default();
            DeviceView { stale: silent > stale_after, silent_days: silent.max(0) / DAY_MS, communes, device }
        })
        .collect();
    let stale_total = views.iter().filter(|v| v.stale).count();
    Ok(Json(DevicePage {
        page: page_of(views, &Paging { page: query.page, per_page: query.per_page })?,
        stale_days: query.stale_days,
        stale_total,
    }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SignOut {
    username: String,
    device_id: String,
}

/// Ends the sessions of one device (a lost phone). Its records stay queued on the phone,
/// which asks for sign-in on its next sync; the user's other devices are untouched.
async fn sign_out(
    State(state): State<AppState>,
    current: CurrentUser,
    address: ClientAddress,
    ApiJson(body): ApiJson<SignOut>,
) -> AppResult<Json<Value>> {
    let user = managed_user(&state, &current, &body.username).await?;
    let ended = state.db.sign_out_device(&user, &body.device_id, &current.actor(address)).await?;
    tracing::info!(by = ?current.user.username, user = ?user.username, device = ?body.device_id, sessions = ended, "device signed out");
    Ok(Json(json!({ "signed_out": ended })))
}
