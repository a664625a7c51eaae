//! Reference lists on a running server (issue 15): the stored files (`lists.toml` and the CSV
//! lists it names), each downloadable, and replacing one by an upload — how a province
//! deploys with its own communes, agencies and shortlist. An upload is stored only when the
//! whole set still holds together (`forms::reference_check`), every published form and
//! draft compiles with it, and every place records and users name and every agency in the
//! reports is still listed. Admins only; audited; served by every process within a poll.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use forms::reference::ReferenceData;
use serde::Serialize;
use serde_json::{json, Value};

use super::require_admin;
use crate::http::auth::ClientAddress;
use crate::http::{AppError, AppResult, AppState, CurrentUser};
use crate::store::reference::ReferenceFile;

/// Largest reference file: a province's unit list is tens of kilobytes.
const MAX_FILE: usize = 2 * 1024 * 1024;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/reference", get(list).put(upload_many))
        .route("/admin/reference/{name}", get(download).put(upload))
}

#[derive(Serialize)]
struct ListRow {
    id: String,
    version: String,
    title: forms::Localized,
    /// Entries, units or mapping rows.
    size: usize,
}

#[derive(Serialize)]
struct Listing {
    files: Vec<ReferenceFile>,
    lists: Vec<ListRow>,
    catalog_version: String,
}

/// The stored files, and the lists the server serves from them.
async fn list(State(state): State<AppState>, current: CurrentUser) -> AppResult<Json<Listing>> {
    require_admin(&current)?;
    let files = state.db.reference_file_list().await?;
    let reference = state.catalog.reference();
    let mut lists: Vec<ListRow> = reference
        .lists
        .values()
        .map(|l| ListRow {
            id: l.id.clone(),
            version: l.version.clone(),
            title: l.title.clone(),
            size: l.entries.len(),
        })
        .collect();
    lists.extend(reference.unit_lists.values().map(|l| ListRow {
        id: l.id.clone(),
        version: l.version.clone(),
        title: l.title.clone(),
        size: l.units.len(),
    }));
    Ok(Json(Listing { files, lists, catalog_version: state.catalog.version().to_owned() }))
}

fn valid_name(name: &str) -> bool {
    (name == "lists.toml" || name.ends_with(".csv"))
        && name.len() <= 100
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        && !name.starts_with('.')
}

async fn download(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(name): Path<String>,
) -> AppResult<impl IntoResponse> {
    require_admin(&current)?;
    let mut files = state.db.reference_files().await?;
    let content = files.remove(&name).ok_or(AppError::NotFound)?;
    let media = if name.ends_with(".toml") { "application/toml; charset=utf-8" } else { "text/csv; charset=utf-8" };
    let disposition = format!("attachment; filename=\"{name}\"");
    Ok(([(header::CONTENT_TYPE, media.to_owned()), (header::CONTENT_DISPOSITION, disposition)], content))
}

fn problem(file: &str, line: usize, vi: String, en: String) -> Value {
    json!({ "file": file, "line": line, "message_vi": vi, "message_en": en })
}

/// What records and users name that `reference` no longer lists.
async fn dropped(state: &AppState, reference: &ReferenceData) -> AppResult<Vec<Value>> {
    let mut out = Vec::new();
    for (list, code) in state.db.places_in_use().await? {
        if reference.unit_lists.get(&list).and_then(|l| l.get(&code)).is_none() {
            out.push(problem(
                &list,
                0,
                format!(
                    "Mã đơn vị “{code}” ({list}) đang được phiếu hoặc người dùng dùng nhưng không còn trong danh mục."
                ),
                format!("Unit code “{code}” ({list}) is used by records or users but is no longer listed."),
            ));
        }
    }
    let agencies = reference.lists.get(crate::store::user_admin::AGENCIES);
    for code in state.db.agencies_in_use().await? {
        if agencies.and_then(|l| l.get(&code)).is_none() {
            out.push(problem(
                crate::store::user_admin::AGENCIES,
                0,
                format!(
                    "Cơ quan “{code}” có trong báo cáo hoặc được giao cho người dùng nhưng không còn trong danh mục."
                ),
                format!("Agency “{code}” is in reports or assigned to users but is no longer listed."),
            ));
        }
    }
    Ok(out)
}

#[derive(Serialize)]
struct Uploaded {
    names: Vec<String>,
    catalog_version: String,
}

fn check_name(name: &str) -> AppResult<()> {
    if valid_name(name) {
        return Ok(());
    }
    Err(AppError::bad_request(
        "invalid_reference_name",
        "Tên tệp danh mục phải là lists.toml hoặc một tệp .csv (chữ, số, _ - .).",
        "A reference file is lists.toml or a .csv file (letters, digits, _ - .).",
    ))
}

/// Replaces (or adds) reference file `name` with the body (UTF-8 text).
async fn upload(
    State(state): State<AppState>,
    current: CurrentUser,
    address: ClientAddress,
    Path(name): Path<String>,
    body: Bytes,
) -> AppResult<Json<Uploaded>> {
    require_admin(&current)?;
    check_name(&name)?;
    if body.len() > MAX_FILE {
        return Err(AppError::PayloadTooLarge);
    }
    let text = std::str::from_utf8(&body).map_err(|_| {
        AppError::ReferenceInvalid(vec![problem(
            &name,
            0,
            "Tệp phải được lưu dạng UTF-8 (trong Excel: CSV UTF-8).".into(),
            "The file must be UTF-8 (in Excel: CSV UTF-8).".into(),
        )])
    })?;
    let replaced = BTreeMap::from([(name, text.to_owned())]);
    replace(&state, &current, address, replaced).await
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Many {
    /// File name → text: replaced together, so a province's lists that only hold together
    /// as a set (communes, mapping, shortlist) arrive as one.
    files: BTreeMap<String, String>,
}

async fn upload_many(
    State(state): State<AppState>,
    current: CurrentUser,
    address: ClientAddress,
    crate::http::ApiJson(many): crate::http::ApiJson<Many>,
) -> AppResult<Json<Uploaded>> {
    require_admin(&current)?;
    if many.files.is_empty() {
        return Err(AppError::bad_request("no_files", "Chưa có tệp nào.", "No files."));
    }
    for (name, text) in &many.files {
        check_name(name)?;
        if text.len() > MAX_FILE {
            return Err(AppError::PayloadTooLarge);
        }
    }
    replace(&state, &current, address, many.files).await
}

/// Checks the stored files with `replaced` put in, and stores those when they pass.
async fn replace(
    state: &AppState,
    current: &CurrentUser,
    address: ClientAddress,
    replaced: BTreeMap<String, String>,
) -> AppResult<Json<Uploaded>> {
    // Text only (PostgreSQL stores no NUL): tabs and line ends are all a list needs.
    for (name, text) in &replaced {
        if let Some(line) = text.lines().position(|l| l.chars().any(|c| c.is_control() && c != '\t' && c != '\r')) {
            return Err(AppError::ReferenceInvalid(vec![problem(
                name,
                line + 1,
                "Dòng có ký tự điều khiển; hãy lưu tệp dạng văn bản (CSV UTF-8).".into(),
                "The line holds a control character; save the file as text (CSV UTF-8).".into(),
            )]));
        }
    }
    let mut files = state.db.reference_files().await?;
    files.extend(replaced.clone());
    // A file no list names would be stored and never read: refused by name.
    let manifest: BTreeMap<String, forms::reference::ListMeta> =
        toml::from_str(files.get("lists.toml").map_or("", String::as_str)).unwrap_or_default();
    let named = |name: &str| {
        name == "lists.toml"
            || name == forms::reference_check::MAPPING_FILE
            || name == forms::reference_check::SHORTLISTS_FILE
            || manifest.values().any(|m| m.file == name)
    };
    let unnamed: Vec<Value> = replaced
        .keys()
        .filter(|name| !named(name))
        .map(|name| {
            problem(
                name,
                0,
                format!("Không danh mục nào trong lists.toml dùng tệp “{name}”; hãy đặt đúng tên tệp cần thay."),
                format!("No list in lists.toml uses a file “{name}”; name the upload as the file it replaces."),
            )
        })
        .collect();
    if !unnamed.is_empty() {
        return Err(AppError::ReferenceInvalid(unnamed));
    }
    let borrowed = files.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let reference = forms::catalog::reference_from_files(&borrowed).map_err(|problems| {
        AppError::ReferenceInvalid(
            problems
                .iter()
                .map(|p| problem(&p.file, p.line, format!("Danh mục chưa đúng: {}", p.message), p.message.clone()))
                .collect(),
        )
    })?;
    // Every published version and every draft still compiles with the new lists.
    let mut stored = state.db.stored_catalog().await?;
    stored.definitions.extend(state.db.drafts().await?.into_iter().map(|d| d.definition));
    stored.compile(reference.clone()).map_err(|e| {
        AppError::ReferenceInvalid(vec![problem(
            &e.file,
            0,
            format!("Một biểu mẫu không dùng được danh mục mới: {}", e.message),
            format!("A form cannot use the new lists: {}", e.message),
        )])
    })?;
    let dropped = dropped(state, &reference).await?;
    if !dropped.is_empty() {
        return Err(AppError::ReferenceInUse(dropped));
    }
    let actor = crate::store::audit::Actor::user(&current.user, address.0);
    state.db.save_reference_files(&actor, &replaced).await?;
    state.catalogs.refresh(&state.db).await.map_err(|e| AppError::Internal(e.to_string()))?;
    let names = replaced.into_keys().collect();
    Ok(Json(Uploaded { names, catalog_version: state.catalogs.current().version().to_owned() }))
}
