//! Push and pull: the sync protocol of `docs/sync-protocol.md`, plus the form catalog the
//! devices render from.

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use forms::sync::{ChangeResult, Outcome, PullResponse, PulledRecord, PushRequest, PushResponse};
use forms::sync::{MAX_PULL_LIMIT, MAX_PUSH_CHANGES};
use serde::Deserialize;

use super::{ApiJson, AppError, AppResult, AppState, CurrentUser};
use crate::store::apply::change_hash;
use crate::store::records::{out_of_scope, PreparedChange};

pub fn routes() -> Router<AppState> {
    Router::new().route("/sync/push", post(push)).route("/sync/pull", get(pull)).route("/forms", get(catalog))
}

async fn push(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiJson(request): ApiJson<PushRequest>,
) -> AppResult<Json<PushResponse>> {
    if request.changes.len() > MAX_PUSH_CHANGES {
        return Err(AppError::PayloadTooLarge);
    }
    let user = &current.user;
    let scope = user.scope();
    let reference = state.catalog.reference();
    let ids: Vec<_> = request.changes.iter().map(|c| c.change_id).collect();
    let earlier = state.db.applied_changes(&ids).await?;

    // Decide what can be decided without the database: retries, scope, validation.
    let mut results: Vec<Option<ChangeResult>> = Vec::with_capacity(request.changes.len());
    let mut prepared = Vec::new();
    for change in request.changes {
        let change_id = change.change_id;
        let settled = |outcome| Some(ChangeResult { change_id, duplicate: false, outcome });
        if let Some(first) = earlier.get(&change_id) {
            let content_hash = change_hash(&change)?;
            results.push(Some(first.answer(change_id, user.id, change.record.id, &content_hash)));
            continue;
        }
        let record = &change.record;
        if !scope.may_file_at(&record.location, reference) {
            results.push(settled(Outcome::Rejected { errors: vec![out_of_scope()] }));
            continue;
        }
        let form = state.catalog.form(&record.form_id, record.form_version);
        match (state.catalog.validate_record(record), form) {
            (Ok(validated), Some(form)) => {
                prepared.push(PreparedChange::new(change, &validated, form, &state.catalog));
                results.push(None);
            }
            (Err(errors), _) => results.push(settled(Outcome::Rejected { errors })),
            (Ok(_), None) => return Err(AppError::Internal("validated a record of an unknown form".into())),
        }
    }

    let applied = state.db.apply_changes(user, &scope, reference, prepared).await?;
    let mut applied = applied.into_iter();
    let results = results.into_iter().map(|r| r.or_else(|| applied.next())).collect::<Option<Vec<_>>>();
    let results = results.ok_or_else(|| AppError::Internal("push results out of step".into()))?;
    let (ok, rejected) = results.iter().fold((0, 0), |(a, r), x| match x.outcome {
        Outcome::Rejected { .. } => (a, r + 1),
        _ => (a + 1, r),
    });
    tracing::info!(user = %user.username, applied = ok, rejected, "push");
    Ok(Json(PushResponse { results }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PullQuery {
    #[serde(default)]
    since: u64,
    limit: Option<usize>,
}

async fn pull(
    State(state): State<AppState>,
    current: CurrentUser,
    query: Result<Query<PullQuery>, axum::extract::rejection::QueryRejection>,
) -> AppResult<Json<PullResponse>> {
    let Query(query) = query?;
    let limit = query.limit.unwrap_or(500).clamp(1, MAX_PULL_LIMIT);
    let since = i64::try_from(query.since)
        .map_err(|_| AppError::bad_request("invalid_cursor", "Con trỏ đồng bộ không hợp lệ.", "Invalid cursor."))?;
    let scope = current.user.scope();
    let (rows, has_more) =
        state.db.pull(&scope, &current.user.username, state.catalog.reference(), since, limit as i64).await?;
    let next_cursor = rows.last().map_or(query.since, |(seq, _)| *seq as u64);
    let records = rows.into_iter().map(|(seq, record)| PulledRecord { cursor: seq as u64, record }).collect();
    Ok(Json(PullResponse { records, next_cursor, has_more, catalog_version: state.catalog.version().to_owned() }))
}

/// The form definitions and reference data, with an ETag so a device that has the current
/// catalog downloads nothing.
async fn catalog(State(state): State<AppState>, headers: HeaderMap) -> AppResult<Response> {
    let etag = format!("\"{}\"", state.catalog.version());
    let current = headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()).is_some_and(|list| {
        // A list of tags, weak or strong, or `*` (RFC 9110 §13.1.2).
        list.split(',').map(str::trim).any(|tag| tag == "*" || tag.trim_start_matches("W/") == etag)
    });
    if current {
        return Ok((StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response());
    }
    Ok(([(header::ETAG, etag), (header::CACHE_CONTROL, "no-cache".to_owned())], Json(state.catalog.bundle()))
        .into_response())
}
