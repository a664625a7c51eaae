//! Drafts of form versions (issue 15): upload a definition as a draft, which admins and
//! the testers they name get on their phones marked "Bản thử" and fill in as test records
//! (`store::form_drafts`); then publish it under the version it was drafted as, or discard
//! it with its test records. Admins only.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use forms::{Localized, PlanArea, Record};
use serde::Serialize;

use super::form_versions::compiled_upload;
use super::require_admin;
use crate::http::auth::ClientAddress;
use crate::http::{AppError, AppResult, AppState, CurrentUser};
use crate::store::audit::Actor;
use crate::store::StoreError;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/form-drafts", get(list).post(upload))
        .route("/admin/form-drafts/{form_id}", axum::routing::delete(discard))
        .route("/admin/form-drafts/{form_id}/publish", post(publish))
        .route("/admin/form-drafts/{form_id}/test-records", get(test_records))
}

#[derive(Serialize)]
struct DraftRow {
    form_id: String,
    version: u32,
    title: Localized,
    plan_area: PlanArea,
    questions: usize,
    uploaded_at: i64,
    test_records: i64,
}

#[derive(Serialize)]
struct Drafts {
    drafts: Vec<DraftRow>,
}

async fn list(State(state): State<AppState>, current: CurrentUser) -> AppResult<Json<Drafts>> {
    require_admin(&current)?;
    let drafts = state
        .db
        .drafts()
        .await?
        .into_iter()
        .map(|d| DraftRow {
            questions: d.definition.sections.iter().map(|s| s.fields.len()).sum(),
            form_id: d.definition.id,
            version: d.definition.version,
            title: d.definition.title,
            plan_area: d.definition.plan_area,
            uploaded_at: d.uploaded_at,
            test_records: d.test_records,
        })
        .collect();
    Ok(Json(Drafts { drafts }))
}

#[derive(Serialize)]
struct Changed {
    form_id: String,
    version: u32,
    /// Test records deleted with the draft (or the draft it replaced).
    test_records_deleted: u64,
    /// What everyone's phones get now.
    catalog_version: String,
    /// What testers' phones get now.
    testing_catalog_version: String,
}

impl Changed {
    fn new(state: &AppState, form_id: String, version: u32, test_records_deleted: u64) -> Changed {
        let (published, testing) = state.catalogs.both();
        Changed {
            form_id,
            version,
            test_records_deleted,
            catalog_version: published.version().to_owned(),
            testing_catalog_version: testing.version().to_owned(),
        }
    }
}

async fn refresh(state: &AppState) -> AppResult<()> {
    state.catalogs.refresh(&state.db).await.map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(())
}

/// Stores the upload (checked as a publish is) as the draft of its form's next version,
/// replacing the form's earlier draft and its test records.
async fn upload(
    State(state): State<AppState>,
    current: CurrentUser,
    address: ClientAddress,
    headers: HeaderMap,
    body: Bytes,
) -> AppResult<(StatusCode, Json<Changed>)> {
    require_admin(&current)?;
    let upload = compiled_upload(&state, &headers, &body).await?;
    if upload.new_figures.is_some() {
        // Testers' records are never counted: new figures have nothing to show in a draft.
        return Err(AppError::Refused(
            "figures_changed",
            Localized::new(
                "Bản thử không đổi được chỉ số báo cáo (cột sotay_figure); hãy phát hành thẳng phiên bản đổi chỉ số.",
                "A draft cannot change report figures (the sotay_figure column); publish the version that changes them directly.",
            ),
        ));
    }
    let definition = upload.definition;
    let actor = Actor::user(&current.user, address.0);
    let (_, deleted) = state.db.save_draft(&actor, &definition).await?;
    refresh(&state).await?;
    Ok((StatusCode::CREATED, Json(Changed::new(&state, definition.id, definition.version, deleted))))
}

/// Publishes the form's draft under the version it was drafted as.
async fn publish(
    State(state): State<AppState>,
    current: CurrentUser,
    address: ClientAddress,
    Path(form_id): Path<String>,
) -> AppResult<Json<Changed>> {
    require_admin(&current)?;
    let actor = Actor::user(&current.user, address.0);
    let definition = match state.db.publish_draft(&actor, &form_id).await {
        Ok((_, definition)) => definition,
        Err(StoreError::NotFound(_)) => return Err(AppError::NotFound),
        Err(StoreError::AlreadyExists(_)) => {
            return Err(AppError::Refused(
                "version_taken",
                Localized::new(
                    "Phiên bản này đã được phát hành; hãy hủy bản thử và tải lên lại.",
                    "This version has been published meanwhile; discard the draft and upload it again.",
                ),
            ))
        }
        Err(e) => return Err(e.into()),
    };
    refresh(&state).await?;
    Ok(Json(Changed::new(&state, definition.id, definition.version, 0)))
}

/// Deletes the form's draft and its test records.
async fn discard(
    State(state): State<AppState>,
    current: CurrentUser,
    address: ClientAddress,
    Path(form_id): Path<String>,
) -> AppResult<Json<Changed>> {
    require_admin(&current)?;
    let drafted = state.db.drafts().await?.into_iter().find(|d| d.definition.id == form_id);
    let version = drafted.map(|d| d.definition.version).ok_or(AppError::NotFound)?;
    let actor = Actor::user(&current.user, address.0);
    let deleted = match state.db.discard_draft(&actor, &form_id).await {
        Ok((_, deleted)) => deleted,
        Err(StoreError::NotFound(_)) => return Err(AppError::NotFound),
        Err(e) => return Err(e.into()),
    };
    refresh(&state).await?;
    Ok(Json(Changed::new(&state, form_id, version, deleted)))
}

#[derive(Serialize)]
struct TestRecords {
    records: Vec<Record>,
}

/// What testers recorded with the form's draft: to check it before publishing.
async fn test_records(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(form_id): Path<String>,
) -> AppResult<Json<TestRecords>> {
    require_admin(&current)?;
    let drafted = state.db.drafts().await?.into_iter().find(|d| d.definition.id == form_id);
    let version = drafted.map(|d| d.definition.version).ok_or(AppError::NotFound)?;
    Ok(Json(TestRecords { records: state.db.test_records(&form_id, version).await? }))
}
