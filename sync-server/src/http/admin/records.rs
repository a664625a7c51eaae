//! Records server-side (docs/console-api.md, "Records"): the search, one record with its
//! conflict copies, the open conflicts, and resolving one. A record or conflict the caller
//! may not read answers 404, as one that does not exist: existence is not revealed.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::NaiveDate;
use forms::sync::{Change, ChangeResult, Outcome};
use serde::Deserialize;
use serde_json::{json, Value};
use uuid::Uuid;

use super::super::sync::prepare;
use super::super::{ApiJson, AppError, AppResult, AppState, CurrentUser};
use super::require_console;
use crate::reports::ReportError;
use crate::store::apply::change_id_reused;
use crate::store::search::{RecordSearch, SearchCursor, SearchPage, Sort, StatusFilter, Viewer};
use crate::store::users::valid_username;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/records", get(search))
        .route("/admin/records/{id}", get(record))
        .route("/admin/conflicts", get(conflicts))
        .route("/admin/conflicts/{id}/resolve", post(resolve))
}

/// Longest text search, in characters.
const MAX_TEXT: usize = 100;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SearchQuery {
    form: Option<String>,
    commune: Option<String>,
    from: Option<String>,
    to: Option<String>,
    status: Option<String>,
    author: Option<String>,
    q: Option<String>,
    sort: Option<String>,
    after: Option<String>,
    limit: Option<u32>,
}

/// A query parameter given empty (`form=`) is the same as one not given: forms send them so.
fn given(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

fn bad(code: &'static str, vi: &str, en: &str) -> AppError {
    AppError::bad_request(code, vi, en)
}

impl SearchQuery {
    fn parse(self, state: &AppState) -> AppResult<RecordSearch> {
        let form_id = given(self.form);
        if let Some(form) = &form_id {
            if !state.catalog.forms().any(|f| f.id() == form) {
                return Err(ReportError::UnknownForm(form.clone()).into());
            }
        }
        let commune = given(self.commune);
        if let Some(code) = &commune {
            let list = state.catalog.reference().unit_lists.get("units_2025");
            if !list.and_then(|l| l.get(code)).is_some_and(|u| u.is_commune_level()) {
                return Err(ReportError::UnknownCommune(code.clone()).into());
            }
        }
        let date = |value: Option<String>, name: &str| -> AppResult<Option<NaiveDate>> {
            given(value)
                .map(|v| {
                    NaiveDate::parse_from_str(&v, "%Y-%m-%d").map_err(|_| {
                        bad(
                            "invalid_date",
                            &format!("{name} phải là một ngày dạng YYYY-MM-DD."),
                            &format!("{name} must be a date, YYYY-MM-DD."),
                        )
                    })
                })
                .transpose()
        };
        let (from, to) = (date(self.from, "from")?, date(self.to, "to")?);
        if let (Some(from), Some(to)) = (from, to) {
            if from > to {
                return Err(bad("invalid_date", "from phải trước hoặc bằng to.", "from must not be after to."));
            }
        }
        let status = given(self.status)
            .map(|s| match s.as_str() {
                "draft" => Ok(StatusFilter::Draft),
                "final" => Ok(StatusFilter::Final),
                "deleted" => Ok(StatusFilter::Deleted),
                _ => Err(bad(
                    "invalid_status",
                    "status là draft, final hoặc deleted.",
                    "status is draft, final or deleted.",
                )),
            })
            .transpose()?;
        let author = given(self.author);
        if author.as_deref().is_some_and(|a| !valid_username(a)) {
            return Err(bad(
                "invalid_author",
                "author là một tên đăng nhập: 3–64 ký tự a–z, 0–9, '.', '_', '-'.",
                "author is a username: 3–64 characters a–z, 0–9, '.', '_', '-'.",
            ));
        }
        let text = given(self.q);
        // Control characters cannot be in a stored answer (and PostgreSQL cannot take NUL).
        if text.as_deref().is_some_and(|t| t.chars().count() > MAX_TEXT || t.chars().any(char::is_control)) {
            return Err(bad(
                "invalid_q",
                &format!("q là một từ cần tìm: tối đa {MAX_TEXT} ký tự, không có ký tự điều khiển."),
                &format!("q is text to find: at most {MAX_TEXT} characters, no control characters."),
            ));
        }
        let sort = match given(self.sort).as_deref() {
            None | Some("date_desc") => Sort::DateDesc,
            Some("date_asc") => Sort::DateAsc,
            Some(_) => {
                return Err(bad("invalid_sort", "sort là date_desc hoặc date_asc.", "sort is date_desc or date_asc."))
            }
        };
        let after = given(self.after)
            .map(|a| {
                SearchCursor::decode(&a, sort).ok_or_else(|| {
                    bad(
                        "invalid_cursor",
                        "after phải là giá trị next của trang trước, với cùng thứ tự sắp xếp.",
                        "after must be the next of the previous page, with the same sort.",
                    )
                })
            })
            .transpose()?;
        let limit = self.limit.unwrap_or(50);
        if !(1..=200).contains(&limit) {
            return Err(bad("invalid_limit", "limit từ 1 đến 200.", "limit is 1–200."));
        }
        Ok(RecordSearch { form_id, commune, from, to, status, author, text, sort, after, limit })
    }
}

async fn search(
    State(state): State<AppState>,
    current: CurrentUser,
    query: Result<Query<SearchQuery>, QueryRejection>,
) -> AppResult<Json<SearchPage>> {
    require_console(&current)?;
    let Query(query) = query?;
    let search = query.parse(&state)?;
    let scope = current.user.scope();
    let viewer = Viewer { scope: &scope, username: &current.user.username, reference: state.catalog.reference() };
    Ok(Json(state.db.search_records(&viewer, &search).await?))
}

/// An id in a path; anything else names nothing here.
fn path_id(id: &str) -> AppResult<Uuid> {
    Uuid::parse_str(id).map_err(|_| AppError::NotFound)
}

async fn record(State(state): State<AppState>, current: CurrentUser, Path(id): Path<String>) -> AppResult<Json<Value>> {
    require_console(&current)?;
    let id = path_id(&id)?;
    let scope = current.user.scope();
    let viewer = Viewer { scope: &scope, username: &current.user.username, reference: state.catalog.reference() };
    let (record, conflicts) = state.db.record_with_conflicts(&viewer, id).await?.ok_or(AppError::NotFound)?;
    let review = state.db.latest_reviews(&[id]).await?.remove(&id);
    Ok(Json(json!({ "record": record, "conflicts": conflicts, "review": review })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Paging {
    page: Option<u32>,
    per_page: Option<u32>,
}

async fn conflicts(
    State(state): State<AppState>,
    current: CurrentUser,
    query: Result<Query<Paging>, QueryRejection>,
) -> AppResult<Json<Value>> {
    require_console(&current)?;
    let Query(paging) = query?;
    let (page, per_page) = (paging.page.unwrap_or(1), paging.per_page.unwrap_or(50));
    if page == 0 || !(1..=200).contains(&per_page) {
        return Err(bad(
            "invalid_paging",
            "Trang bắt đầu từ 1; mỗi trang có từ 1 đến 200 dòng.",
            "page starts at 1; per_page is 1–200.",
        ));
    }
    let scope = current.user.scope();
    let viewer = Viewer { scope: &scope, username: &current.user.username, reference: state.catalog.reference() };
    let (items, total) = state.db.list_conflicts(&viewer, page, per_page).await?;
    Ok(Json(json!({ "items": items, "total": total, "page": page, "per_page": per_page })))
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
enum Keep {
    Current,
    Incoming,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Resolve {
    keep: Keep,
    change_id: Uuid,
}

/// Resolving a conflict is an ordinary change under the client's change id, based on the
/// server's revision: the kept version (for `current`, the same content again) becomes the
/// next revision, and the conflict is marked resolved by that change. A retry of the same
/// change id (same user, same conflict) is answered with the first outcome, `duplicate:
/// true`, and marks the conflict if a crash came between the two steps. Outcomes are in the
/// body as push answers them; only the change that applied resolves the conflict.
async fn resolve(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Resolve>,
) -> AppResult<Json<Value>> {
    require_console(&current)?;
    let id = path_id(&id)?;
    let (user, scope, reference) = (&current.user, current.user.scope(), state.catalog.reference());
    let conflict = state.db.conflict(id).await?.ok_or(AppError::NotFound)?;
    // Read before the change id is looked up: a retry racing its first attempt then either
    // finds that attempt's id, or bases itself on the same revision (and is its duplicate).
    let record = state.db.record(conflict.record_id).await?.ok_or(AppError::NotFound)?;
    if !scope.may_change(&record.location, &record.author, &user.username, reference) {
        return Err(AppError::NotFound);
    }
    let change_id = body.change_id;
    let answer = |result: ChangeResult, resolved_at: Option<i64>| {
        Json(json!({ "conflict_id": id, "resolved_at": resolved_at, "result": result }))
    };

    if let Some(earlier) = state.db.applied_changes(&[change_id]).await?.remove(&change_id) {
        let resolved_by = state.db.conflict_resolved_by(change_id).await?;
        let this_resolution = earlier.user_id == user.id
            && earlier.record_id == record.id
            && resolved_by.is_none_or(|c| c == id)
            && conflict.resolved_change_id.is_none_or(|c| c == change_id);
        if !this_resolution {
            let refused = Outcome::Rejected { errors: vec![change_id_reused()] };
            return Ok(answer(ChangeResult { change_id, duplicate: false, outcome: refused }, conflict.resolved_at));
        }
        let resolved_at = match earlier.outcome {
            Outcome::Applied { .. } => Some(state.db.mark_resolved(id, change_id).await?),
            _ => conflict.resolved_at,
        };
        return Ok(answer(ChangeResult { change_id, duplicate: true, outcome: earlier.outcome }, resolved_at));
    }
    if conflict.resolved_at.is_some() {
        return Err(bad(
            "already_resolved",
            "Xung đột này đã được giải quyết; hãy tải lại phiếu.",
            "This conflict was already resolved; load the record again.",
        ));
    }

    let kept = match body.keep {
        Keep::Current => record.clone(),
        Keep::Incoming => conflict.incoming,
    };
    let change = Change { change_id, base_revision: record.revision, record: kept };
    let result = match prepare(&state, &scope, change)? {
        Ok(prepared) => {
            state.db.apply_changes(user, &current.device_id, &scope, reference, vec![prepared]).await?.pop()
        }
        Err(refused) => Some(ChangeResult { change_id, duplicate: false, outcome: refused }),
    };
    let result = result.ok_or_else(|| AppError::Internal("no result for the resolution".into()))?;
    let resolved_at = match result.outcome {
        Outcome::Applied { .. } => Some(state.db.mark_resolved(id, change_id).await?),
        _ => None,
    };
    let outcome = match result.outcome {
        Outcome::Applied { .. } => "applied",
        Outcome::Conflict { .. } => "conflict",
        Outcome::Rejected { .. } => "rejected",
    };
    tracing::info!(user = %user.username, conflict = %id, outcome, "resolve");
    Ok(answer(result, resolved_at))
}
