//! Forms on a running server (issue 15): the published versions, and publishing a new one
//! uploaded as sotay TOML or as an XLSForm workbook (`xlsform`). Nothing is stored until the
//! whole definition compiles with every other version; every mistake comes back at once.
//! Admins only. The new version is served by this process at once and by every other
//! within a poll (`crate::catalog`); phones get it with their next catalog download.
//! Withdrawing a version (and restoring it) reaches phones the same way.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use forms::definition::FormDefinition;
use forms::figures::FormFigures;
use forms::{Localized, PlanArea};
use serde::Serialize;
use serde_json::{json, Value};

use super::require_admin;
use crate::catalog::{self, FormFile};
use crate::http::auth::ClientAddress;
use crate::http::{AppError, AppResult, AppState, CurrentUser};
use crate::store::audit::Actor;
use crate::store::catalog::WithdrawalRefused;
use crate::store::StoreError;

/// The media type of an `.xlsx` workbook.
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/forms", get(list).post(publish))
        .route("/admin/forms/{form_id}/{version}/xlsform", get(export_xlsform))
        .route("/admin/forms/{form_id}/{version}/toml", get(export_toml))
        .route("/admin/forms/{form_id}/{version}/withdraw", post(withdraw))
        .route("/admin/forms/{form_id}/{version}/restore", post(restore))
}

#[derive(Serialize)]
struct VersionRow {
    form_id: String,
    version: u32,
    title: Localized,
    plan_area: PlanArea,
    withdrawn: bool,
    questions: usize,
}

#[derive(Serialize)]
struct Versions {
    catalog_version: String,
    forms: Vec<VersionRow>,
}

/// Every published version, by form and version.
async fn list(State(state): State<AppState>, current: CurrentUser) -> AppResult<Json<Versions>> {
    require_admin(&current)?;
    let forms = state
        .catalog
        .forms()
        .map(|f| VersionRow {
            form_id: f.id().to_owned(),
            version: f.version(),
            title: f.definition.title.clone(),
            plan_area: f.definition.plan_area,
            withdrawn: f.definition.withdrawn,
            questions: f.definition.sections.iter().map(|s| s.fields.len()).sum(),
        })
        .collect();
    Ok(Json(Versions { catalog_version: state.catalog.version().to_owned(), forms }))
}

#[derive(Serialize)]
struct Published {
    form_id: String,
    version: u32,
    catalog_version: String,
}

/// Publishes the uploaded definition as the next version of its form (version 1 of a new
/// one), whatever version the upload names: a published version never changes.
async fn publish(
    State(state): State<AppState>,
    current: CurrentUser,
    address: ClientAddress,
    headers: HeaderMap,
    body: Bytes,
) -> AppResult<(StatusCode, Json<Published>)> {
    require_admin(&current)?;
    let Upload { definition, new_figures } = compiled_upload(&state, &headers, &body).await?;
    if state.db.drafts().await?.iter().any(|d| d.definition.id == definition.id) {
        return Err(AppError::Refused(
            "draft_exists",
            Localized::new(
                "Biểu mẫu này đang có bản thử; hãy phát hành hoặc hủy bản thử trước.",
                "This form has a draft; publish or discard the draft first.",
            ),
        ));
    }
    let actor = Actor::user(&current.user, address.0);
    match state.db.publish_form(&actor, &definition, new_figures.as_ref()).await {
        Ok(_) => {}
        Err(StoreError::AlreadyExists(_)) => {
            return Err(AppError::Refused(
                "version_taken",
                Localized::new(
                    "Một quản trị viên khác vừa phát hành phiên bản này; hãy tải lên lại.",
                    "Another admin has just published this version; upload again.",
                ),
            ))
        }
        Err(e) => return Err(e.into()),
    }
    state.catalogs.refresh(&state.db).await.map_err(|e| AppError::Internal(e.to_string()))?;
    if new_figures.is_some() {
        // Stored records' figures follow the new ones before this answers: under the
        // writers' lock, so no push interleaves. Not measured on this path; the one-time
        // rebuild of every sum took 276 s for 1,000,000 records on SQLite (BENCHMARKS.md).
        state.db.ensure_report_figures(&state.catalogs.current()).await?;
    }
    let published = Published {
        form_id: definition.id,
        version: definition.version,
        catalog_version: state.catalogs.current().version().to_owned(),
    };
    Ok((StatusCode::CREATED, Json(published)))
}

/// An upload that compiled: the next version of its form, and its form's report figures
/// where the upload changes them (an XLSForm's `sotay_figure` column).
pub(super) struct Upload {
    pub definition: FormDefinition,
    pub new_figures: Option<FormFigures>,
}

/// The uploaded definition (XLSForm or sotay TOML, by media type) as the next version of its
/// form, compiled with every published version (and its figures, if they change): every
/// mistake at once, nothing stored.
pub(super) async fn compiled_upload(state: &AppState, headers: &HeaderMap, body: &[u8]) -> AppResult<Upload> {
    let reference = state.catalog.reference();
    let media = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let media = media.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    let (mut definition, figures) = match media.as_str() {
        XLSX => {
            let imported = xlsform::import(body, reference)
                .map_err(|errors| AppError::DefinitionInvalid(errors.iter().map(|e| json!(e)).collect()))?;
            (imported.definition, imported.figures)
        }
        "application/toml" | "text/toml" | "text/plain" => (from_toml(body)?, None),
        _ => {
            return Err(AppError::bad_request(
                "unsupported_form_file",
                "Hãy tải lên biểu mẫu dạng XLSForm (.xlsx) hoặc TOML của sotay.",
                "Upload the form as an XLSForm workbook (.xlsx) or as sotay TOML.",
            ))
        }
    };
    let stored = state.db.stored_catalog().await?;
    // A workbook without figures leaves the form's as they are.
    let new_figures = figures.filter(|f| stored.figures.iter().find(|s| s.form == f.form) != Some(f));
    definition.version = stored.next_version(&definition.id);
    // Served to everyone or to testers as the server decides, never as the file says.
    definition.draft = false;
    let mut candidate = stored.clone();
    candidate.definitions.push(definition.clone());
    if let Some(figures) = &new_figures {
        candidate.figures.retain(|f| f.form != figures.form);
        candidate.figures.push(figures.clone());
    }
    candidate.compile(reference.clone()).map_err(|e| {
        AppError::DefinitionInvalid(vec![json!({
            "field": e.field,
            "attribute": e.attribute,
            "column": e.column,
            "code": "definition",
            "message_vi": format!("Biểu mẫu chưa đúng: {}", e.message),
            "message_en": e.message,
        })])
    })?;
    Ok(Upload { definition, new_figures })
}

/// A definition in sotay TOML; a mistake is reported at its line.
fn from_toml(body: &[u8]) -> AppResult<FormDefinition> {
    let text = std::str::from_utf8(body).map_err(|_| {
        AppError::DefinitionInvalid(vec![json!({
            "line": Value::Null,
            "code": "not_utf8",
            "message_vi": "Tệp TOML phải được lưu dạng UTF-8.",
            "message_en": "The TOML file must be UTF-8.",
        })])
    })?;
    toml::from_str::<FormDefinition>(text).map_err(|e| {
        let line = e.span().map(|span| text[..span.start.min(text.len())].matches('\n').count() + 1);
        AppError::DefinitionInvalid(vec![json!({
            "line": line,
            "code": "toml",
            "message_vi": format!("Tệp TOML chưa đúng: {}", e.message()),
            "message_en": e.message(),
        })])
    })
}

fn version_number(version: &str) -> AppResult<u32> {
    version.parse().map_err(|_| AppError::NotFound)
}

/// A version as a file to edit and upload as the next version: an XLSForm workbook or
/// sotay TOML (as the repository's definition files are written), as published.
async fn export(state: &AppState, form_id: &str, version: &str, shape: FormFile) -> AppResult<Response> {
    let version = version_number(version)?;
    let stored = state.db.stored_catalog().await?;
    let bytes = catalog::form_file(&stored, state.catalog.reference(), form_id, version, shape)
        .ok_or(AppError::NotFound)?
        .map_err(|e| AppError::Internal(format!("exporting {form_id} v{version}: {e}")))?;
    Ok((
        [
            (header::CONTENT_TYPE, shape.content_type().to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{}\"", shape.file_name(form_id, version))),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        bytes,
    )
        .into_response())
}

async fn export_xlsform(
    State(state): State<AppState>,
    current: CurrentUser,
    Path((form_id, version)): Path<(String, String)>,
) -> AppResult<Response> {
    require_admin(&current)?;
    export(&state, &form_id, &version, FormFile::Xlsform).await
}

async fn export_toml(
    State(state): State<AppState>,
    current: CurrentUser,
    Path((form_id, version)): Path<(String, String)>,
) -> AppResult<Response> {
    require_admin(&current)?;
    export(&state, &form_id, &version, FormFile::Toml).await
}

/// What withdrawing or restoring answers: the version's state and the catalog now served.
#[derive(Serialize)]
struct VersionState {
    form_id: String,
    version: u32,
    withdrawn: bool,
    catalog_version: String,
}

/// Withdraws a published version: phones take no new record of it (records made with it
/// stay editable) from their next catalog download.
async fn withdraw(
    State(state): State<AppState>,
    current: CurrentUser,
    address: ClientAddress,
    Path((form_id, version)): Path<(String, String)>,
) -> AppResult<Json<VersionState>> {
    set_withdrawn(state, current, address, form_id, version, true).await
}

/// Restores a version an admin withdrew: it takes new records again.
async fn restore(
    State(state): State<AppState>,
    current: CurrentUser,
    address: ClientAddress,
    Path((form_id, version)): Path<(String, String)>,
) -> AppResult<Json<VersionState>> {
    set_withdrawn(state, current, address, form_id, version, false).await
}

async fn set_withdrawn(
    state: AppState,
    current: CurrentUser,
    address: ClientAddress,
    form_id: String,
    version: String,
    withdraw: bool,
) -> AppResult<Json<VersionState>> {
    require_admin(&current)?;
    let version = version_number(&version)?;
    let actor = Actor::user(&current.user, address.0);
    let done = if withdraw {
        state.db.withdraw_form(&actor, &form_id, version).await?
    } else {
        state.db.restore_form(&actor, &form_id, version).await?
    };
    if let Err(refused) = done {
        let (code, message) = match refused {
            WithdrawalRefused::AlreadyWithdrawn => (
                "already_withdrawn",
                Localized::new("Phiên bản này đã ngừng dùng rồi.", "This version is withdrawn already."),
            ),
            WithdrawalRefused::NotWithdrawn => (
                "not_withdrawn",
                Localized::new("Phiên bản này đang được dùng.", "This version is in use."),
            ),
            WithdrawalRefused::WithdrawnInDefinition => (
                "withdrawn_in_definition",
                Localized::new(
                    "Phiên bản này được phát hành ở trạng thái ngừng dùng (withdrawn trong tệp), nên không dùng lại được; hãy phát hành một phiên bản mới.",
                    "This version was published withdrawn (withdrawn in its file), so it cannot be restored; publish a new version.",
                ),
            ),
        };
        return Err(AppError::Refused(code, message));
    }
    state.catalogs.refresh(&state.db).await.map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(Json(VersionState {
        form_id,
        version,
        withdrawn: withdraw,
        catalog_version: state.catalogs.current().version().to_owned(),
    }))
}
