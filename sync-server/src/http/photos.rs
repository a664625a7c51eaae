//! Evidence photos (issue 16; `docs/sync-protocol.md`, "Photos"). A record names its
//! photos by SHA-256 and syncs first; each photo follows on its own:
//!
//! - `POST /sync/photos`: which of these (record, photo) pairs the server has, so a phone
//!   back from a cut connection sends only what is missing;
//! - `PUT /records/{id}/photos/{sha256}`: one photo's bytes, checked against the hash in
//!   the path; sent again, it is stored once (`duplicate: true`);
//! - `GET /records/{id}/photos/{sha256}`: the photo, within the record's scope, never cached.

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{post, put};
use axum::{Json, Router};
use forms::evidence::{is_sha256_hex, MAX_PHOTO_BYTES, PHOTO_CONTENT_TYPE};
use forms::{Localized, Record};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{ApiJson, AppError, AppResult, AppState, CurrentUser};
use crate::photos::PhotoStoreError;

/// The most pairs one status question may ask about (a phone asks in pages of this size).
pub const MAX_STATUS_PAIRS: usize = 500;

pub fn routes() -> Router<AppState> {
    Router::new().route("/sync/photos", post(status)).route(
        "/records/{id}/photos/{sha256}",
        // A little over the limit, so that a photo one byte too large gets our own 413.
        put(upload).get(download).layer(DefaultBodyLimit::max(MAX_PHOTO_BYTES as usize + 1024)),
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StatusRequest {
    photos: Vec<PhotoKey>,
}

#[derive(Deserialize, Serialize, Clone)]
#[serde(deny_unknown_fields)]
struct PhotoKey {
    record_id: Uuid,
    sha256: String,
}

#[derive(Serialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
enum PhotoState {
    /// On the server: nothing to send.
    Stored,
    /// Not yet: send it.
    Missing,
    /// Not wanted: the record is not one the caller may send photos for, or its answers on
    /// the server do not name this photo (yet: a newer change may). Sending it would be refused.
    NotNamed,
}

#[derive(Serialize)]
struct StatusItem {
    #[serde(flatten)]
    key: PhotoKey,
    state: PhotoState,
}

#[derive(Serialize)]
struct StatusResponse {
    photos: Vec<StatusItem>,
}

fn bad(code: &'static str, vi: &str, en: &str) -> AppError {
    AppError::BadRequest(code, Localized::new(vi, en))
}

fn store_error(e: PhotoStoreError) -> AppError {
    match e {
        PhotoStoreError::NotFound => AppError::NotFound,
        // The phone keeps the photo and tries again later.
        other => {
            tracing::error!(error = ?other, "photo storage failed");
            AppError::Unavailable
        }
    }
}

/// The record, if `current` may read it (the same rule as its history and review).
async fn visible_record(state: &AppState, current: &CurrentUser, id: Uuid) -> AppResult<Option<Record>> {
    let Some(record) = state.db.record(id).await? else { return Ok(None) };
    let scope = current.user.scope();
    let reference = state.catalog.reference();
    Ok(scope.may_change(&record.location, &record.author, &current.user.username, reference).then_some(record))
}

/// A photo's address in a path (`/records/{id}/photos/{sha256}`): anything but a record id
/// and a hash is no such photo.
fn photo_address(id: &str, sha256: &str) -> Result<Uuid, AppError> {
    match Uuid::parse_str(id) {
        Ok(id) if is_sha256_hex(sha256) => Ok(id),
        _ => Err(AppError::NotFound),
    }
}

/// Whether the record's answers, as the server has them, name this photo.
fn names(state: &AppState, record: &Record, sha256: &str) -> bool {
    !record.deleted
        && state
            .catalog
            .form(&record.form_id, record.form_version)
            .is_some_and(|form| forms::evidence::photos_named(form, &record.values).iter().any(|p| p.sha256 == sha256))
}

async fn status(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiJson(request): ApiJson<StatusRequest>,
) -> AppResult<Json<StatusResponse>> {
    if request.photos.len() > MAX_STATUS_PAIRS {
        return Err(bad(
            "too_many_photos",
            "Hỏi nhiều nhất 500 ảnh một lần.",
            "Ask about at most 500 photos at a time.",
        ));
    }
    let mut records: Vec<Uuid> = request.photos.iter().map(|p| p.record_id).collect();
    records.sort();
    records.dedup();
    let received = state.db.photos_received(&records).await?;
    let mut seen: std::collections::HashMap<Uuid, Option<Record>> = std::collections::HashMap::new();
    let mut answer = Vec::with_capacity(request.photos.len());
    for key in request.photos {
        let state_of = if received.contains(&(key.record_id, key.sha256.clone())) {
            // Stored photos stay readable after the record moves out of the caller's
            // scope; answering "stored" only tells the sender it need not send it again.
            PhotoState::Stored
        } else {
            if !seen.contains_key(&key.record_id) {
                let record = visible_record(&state, &current, key.record_id).await?;
                seen.insert(key.record_id, record);
            }
            match seen.get(&key.record_id).and_then(Option::as_ref) {
                Some(record) if is_sha256_hex(&key.sha256) && names(&state, record, &key.sha256) => PhotoState::Missing,
                _ => PhotoState::NotNamed,
            }
        };
        answer.push(StatusItem { key, state: state_of });
    }
    Ok(Json(StatusResponse { photos: answer }))
}

#[derive(Serialize)]
struct UploadAnswer {
    sha256: String,
    bytes: u64,
    /// The server had these bytes already (a retry, or the same picture in two records).
    duplicate: bool,
}

async fn upload(
    State(state): State<AppState>,
    current: CurrentUser,
    Path((id, sha256)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> AppResult<Response> {
    let id = photo_address(&id, &sha256)?;
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if content_type.split(';').next().map(str::trim) != Some(PHOTO_CONTENT_TYPE) {
        return Err(AppError::UnsupportedMediaType);
    }
    if body.len() as u64 > MAX_PHOTO_BYTES {
        return Err(AppError::PayloadTooLarge);
    }
    // Every JPEG starts with the SOI marker and a second marker; anything else is not one.
    if body.len() < 4 || body[..3] != [0xFF, 0xD8, 0xFF] {
        return Err(bad("not_a_jpeg", "Tệp gửi lên không phải ảnh JPEG.", "The upload is not a JPEG image."));
    }
    let digest = crate::store::sha256_hex(&body);
    if digest != sha256 {
        return Err(bad(
            "photo_hash_mismatch",
            "Ảnh nhận được không khớp mã của nó (có thể bị hỏng trên đường truyền); máy sẽ gửi lại.",
            "The photo received does not match its hash (damaged on the way?); the phone will send it again.",
        ));
    }
    let record = visible_record(&state, &current, id).await?.ok_or(AppError::NotFound)?;
    if !names(&state, &record, &sha256) {
        return Err(AppError::Refused(
            "photo_not_named",
            Localized::new(
                "Phiếu trên máy chủ không có ảnh này (phiếu đã bị xoá hoặc sửa); ảnh không được lưu.",
                "The record on the server does not name this photo (deleted or changed); the photo was not stored.",
            ),
        ));
    }
    // Linked first, so a deletion sweeping meanwhile sees the photo in use.
    state.db.link_photo(id, &sha256).await?;
    let bytes = body.len() as u64;
    let duplicate = if state.db.photo_stored(&sha256).await? {
        true
    } else {
        state.photos.put(&sha256, body).await.map_err(store_error)?;
        !state.db.photo_saved(&sha256, bytes).await?
    };
    let status = if duplicate { StatusCode::OK } else { StatusCode::CREATED };
    Ok((status, Json(UploadAnswer { sha256, bytes, duplicate })).into_response())
}

async fn download(
    State(state): State<AppState>,
    current: CurrentUser,
    Path((id, sha256)): Path<(String, String)>,
) -> AppResult<Response> {
    let id = photo_address(&id, &sha256)?;
    // Not visible, or not this record's: the same 404, so neither is revealed.
    visible_record(&state, &current, id).await?.ok_or(AppError::NotFound)?;
    if !state.db.record_has_photo(id, &sha256).await? {
        return Err(AppError::NotFound);
    }
    let bytes = state.photos.get(&sha256).await.map_err(store_error)?;
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PHOTO_CONTENT_TYPE));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    if let Ok(disposition) = HeaderValue::from_str(&format!("inline; filename=\"{sha256}.jpg\"")) {
        headers.insert(header::CONTENT_DISPOSITION, disposition);
    }
    Ok(response)
}

/// Deletes the photos no record holds any more (every record that sent them deleted):
/// their rows, then their bytes. `records`: the records a push just deleted; `None` looks
/// at every photo (at start, after a crash between a deletion and its sweep).
pub async fn sweep_orphans(state: &AppState, records: Option<&[Uuid]>) -> Result<usize, AppError> {
    let candidates = match records {
        Some(records) => state.db.photos_of_records(records).await?,
        None => state.db.orphaned_photos().await?,
    };
    let mut deleted = 0;
    for sha256 in candidates {
        if state.db.forget_photo(&sha256).await? {
            state.photos.delete(&sha256).await.map_err(store_error)?;
            deleted += 1;
        }
    }
    Ok(deleted)
}
