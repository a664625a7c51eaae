//! The audit log in the console: admins read it, filtered and paged, newest first, or take
//! it away as CSV or XLSX. Only GET routes: nothing in the API changes or removes a row
//! (`store::audit`). Supervisors and collectors get 403.

use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, NaiveDate, TimeDelta};
use forms::dates::{format_instant, vietnam_offset};
use serde::Deserialize;
use serde_json::Value;

use super::require_admin;
use super::{Page, Paging};
use crate::http::{AppError, AppResult, AppState, CurrentUser};
use crate::reports::annual::{HeaderGroup, Sheet, Value as Cell};
use crate::reports::{csv, xlsx};
use crate::store::audit::{AuditAction, AuditFilter, AuditRow, COMMAND_LINE};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/audit", get(list))
        .route("/admin/audit.csv", get(export_csv))
        .route("/admin/audit.xlsx", get(export_xlsx))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    action: Option<String>,
    actor: Option<String>,
    target: Option<String>,
    from: Option<String>,
    to: Option<String>,
    page: Option<u32>,
    per_page: Option<u32>,
}

/// The same filters, for an export (every row they keep, no pages).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExportQuery {
    action: Option<String>,
    actor: Option<String>,
    target: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

/// A parameter given empty (`action=`) is one not given: the console's forms send them so.
fn given(value: Option<&str>) -> Option<String> {
    value.map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned)
}

/// The start of a day in Vietnam (UTC+7), in ms: the console's dates are its users' days.
fn day_start_ms(day: NaiveDate) -> i64 {
    let start = day.and_time(chrono::NaiveTime::MIN).and_local_timezone(vietnam_offset());
    start.single().map_or(0, |t| t.timestamp_millis())
}

/// The filter of `action`, `actor`, `target` and the days `from`–`to` (both included).
fn filter(
    action: Option<&str>,
    actor: Option<&str>,
    target: Option<&str>,
    from: Option<&str>,
    to: Option<&str>,
) -> AppResult<AuditFilter> {
    let action = given(action)
        .map(|a| {
            AuditAction::from_name(&a).ok_or_else(|| {
                AppError::bad_request("invalid_action", "Không có loại thao tác này.", "No such action.")
            })
        })
        .transpose()?;
    let day = |value: Option<&str>, name: &str| -> AppResult<Option<NaiveDate>> {
        given(value)
            .map(|v| {
                NaiveDate::parse_from_str(&v, "%Y-%m-%d").map_err(|_| {
                    AppError::bad_request(
                        "invalid_date",
                        &format!("{name} phải là một ngày dạng YYYY-MM-DD."),
                        &format!("{name} must be a date, YYYY-MM-DD."),
                    )
                })
            })
            .transpose()
    };
    let (from, to) = (day(from, "from")?, day(to, "to")?);
    if from.zip(to).is_some_and(|(from, to)| from > to) {
        return Err(AppError::bad_request(
            "invalid_date",
            "from phải trước hoặc bằng to.",
            "from must not be after to.",
        ));
    }
    Ok(AuditFilter {
        action,
        actor: given(actor),
        target: given(target),
        from_ms: from.map(day_start_ms),
        to_ms: to.and_then(|d| d.checked_add_signed(TimeDelta::days(1))).map(day_start_ms),
    })
}

async fn list(
    State(state): State<AppState>,
    current: CurrentUser,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> AppResult<Json<Page<AuditRow>>> {
    require_admin(&current)?;
    let Query(q) = query?;
    let filter =
        filter(q.action.as_deref(), q.actor.as_deref(), q.target.as_deref(), q.from.as_deref(), q.to.as_deref())?;
    let (page, per_page) = Paging { page: q.page, per_page: q.per_page }.checked()?;
    let offset = u64::from(page - 1) * u64::from(per_page);
    let (items, total) = state.db.audit_page(&filter, offset, per_page).await?;
    Ok(Json(Page { items, total: total as usize, page, per_page }))
}

async fn rows_to_export(
    state: &AppState,
    current: &CurrentUser,
    query: Result<Query<ExportQuery>, QueryRejection>,
) -> AppResult<Vec<AuditRow>> {
    require_admin(current)?;
    let Query(q) = query?;
    let filter =
        filter(q.action.as_deref(), q.actor.as_deref(), q.target.as_deref(), q.from.as_deref(), q.to.as_deref())?;
    Ok(state.db.audit_all(&filter).await?)
}

const HEADINGS: [&str; 7] = ["Thời gian", "Người thực hiện", "Địa chỉ", "Thao tác", "Đối tượng", "Trước", "Sau"];

/// A row as the exports write it: local time, the action in Vietnamese, before and after
/// as `key: value` lines.
fn cells(row: &AuditRow) -> [String; 7] {
    let at = DateTime::from_timestamp_millis(row.at).map(format_instant).unwrap_or_default();
    let actor = if row.actor_id.is_none() && row.actor_username == COMMAND_LINE {
        "Dòng lệnh máy chủ".to_owned()
    } else {
        row.actor_username.clone()
    };
    [
        at,
        actor,
        row.address.clone().unwrap_or_default(),
        row.action.label_vi().to_owned(),
        row.target_id.clone(),
        readable(row.before.as_ref()),
        readable(row.after.as_ref()),
    ]
}

/// `{"role": "admin", "communes": [{unit_code: "21025", …}]}` as `role: admin` and
/// `communes: 21025` on lines of their own.
fn readable(value: Option<&Value>) -> String {
    let Some(Value::Object(map)) = value else { return String::new() };
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        Value::Array(items) => items
            .iter()
            .map(|i| i.get("unit_code").and_then(Value::as_str).map_or_else(|| i.to_string(), str::to_owned))
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    };
    map.iter().map(|(k, v)| format!("{k}: {}", text(v))).collect::<Vec<_>>().join("\n")
}

fn file_name(extension: &str) -> String {
    let today = chrono::Utc::now().with_timezone(&vietnam_offset()).date_naive();
    format!("nhat-ky-quan-tri-{}.{extension}", forms::dates::iso_date(today))
}

fn download(content_type: &str, name: String, body: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        Body::from(body),
    )
        .into_response()
}

async fn export_csv(
    State(state): State<AppState>,
    current: CurrentUser,
    query: Result<Query<ExportQuery>, QueryRejection>,
) -> AppResult<Response> {
    let rows = rows_to_export(&state, &current, query).await?;
    let mut out = csv::BOM.to_vec();
    let write = |out: &mut Vec<u8>| -> std::io::Result<()> {
        csv::line(out, HEADINGS)?;
        rows.iter().try_for_each(|row| csv::line(out, cells(row)))
    };
    write(&mut out).map_err(|e| AppError::Internal(format!("audit CSV: {e}")))?;
    Ok(download("text/csv; charset=utf-8", file_name("csv"), out))
}

async fn export_xlsx(
    State(state): State<AppState>,
    current: CurrentUser,
    query: Result<Query<ExportQuery>, QueryRejection>,
) -> AppResult<Response> {
    let rows = rows_to_export(&state, &current, query).await?;
    let made_at = format_instant(chrono::Utc::now());
    let sheet = Sheet {
        name: "Nhật ký quản trị".into(),
        title: "NHẬT KÝ QUẢN TRỊ".into(),
        subtitle: vec![format!("Số thao tác: {}", rows.len()), format!("Lập lúc: {made_at}")],
        scope: "Phạm vi: toàn tỉnh".into(),
        header: HEADINGS.iter().map(|h| HeaderGroup { title: (*h).to_owned(), columns: vec![] }).collect(),
        rows: rows.iter().map(|r| cells(r).into_iter().map(Cell::Text).collect()).collect(),
        total: Vec::new(),
        note: Some("Mới nhất trước. Nhật ký chỉ được ghi thêm, không sửa, không xóa.".into()),
        frozen_columns: 1,
    };
    let file = xlsx::sheets(&[sheet])?;
    Ok(download("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", file_name("xlsx"), file))
}
