//! Push and pull: the sync protocol of `docs/sync-protocol.md`, plus the form catalog the
//! devices render from.

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use forms::sync::{Change, ChangeResult, Outcome, PullResponse, PulledRecord, PushRequest, PushResponse};
use forms::sync::{MAX_PULL_LIMIT, MAX_PUSH_CHANGES};
use serde::Deserialize;

use super::{ApiJson, AppError, AppResult, AppState, CurrentUser};
use crate::store::apply::change_hash;
use crate::store::devices::{DeviceReport, SyncKind};
use crate::store::records::{out_of_scope, PreparedChange};
use crate::store::users::{Role, Scope, User};

pub fn routes() -> Router<AppState> {
    Router::new().route("/sync/push", post(push)).route("/sync/pull", get(pull)).route("/forms", get(catalog))
}

async fn push(
    State(state): State<AppState>,
    current: CurrentUser,
    headers: HeaderMap,
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
    // Records made with a draft stay test records for good (`store::form_drafts`).
    let record_ids: Vec<_> = request.changes.iter().map(|c| c.record.id).collect();
    // Tombstones take their photos with them (after the commit, below).
    let deleted: Vec<_> = request.changes.iter().filter(|c| c.record.deleted).map(|c| c.record.id).collect();
    let test_ids = state.db.test_record_ids(&record_ids).await?;

    // Decide what can be decided without the database: retries, scope, validation.
    let mut results: Vec<Pending> = Vec::with_capacity(request.changes.len());
    let mut prepared = Vec::new();
    let mut tests = Vec::new();
    for change in request.changes {
        let change_id = change.change_id;
        let settled = |outcome| Pending::Settled(ChangeResult { change_id, duplicate: false, outcome });
        if let Some(first) = earlier.get(&change_id) {
            let content_hash = change_hash(&change)?;
            results.push(Pending::Settled(first.answer(change_id, user.id, change.record.id, &content_hash)));
            continue;
        }
        if test_ids.contains(&change.record.id) || is_draft(&state, user, &change) {
            match check_test(&state, &scope, user, &change) {
                Ok(()) => {
                    tests.push(change);
                    results.push(Pending::Test);
                }
                Err(refused) => results.push(settled(refused)),
            }
            continue;
        }
        match prepare(&state, &scope, change)? {
            Ok(change) => {
                prepared.push(change);
                results.push(Pending::Record);
            }
            Err(refused) => results.push(settled(refused)),
        }
    }

    let applied = state.db.apply_changes(user, &current.device_id, &scope, reference, prepared).await?;
    let tested = state.db.apply_test_changes(user, tests).await?;
    let (mut applied, mut tested) = (applied.into_iter(), tested.into_iter());
    let results = results
        .into_iter()
        .map(|r| match r {
            Pending::Settled(result) => Some(result),
            Pending::Record => applied.next(),
            Pending::Test => tested.next(),
        })
        .collect::<Option<Vec<_>>>();
    let results = results.ok_or_else(|| AppError::Internal("push results out of step".into()))?;
    let (ok, rejected) = results.iter().fold((0, 0), |(a, r), x| match x.outcome {
        Outcome::Rejected { .. } => (a, r + 1),
        _ => (a + 1, r),
    });
    tracing::info!(user = %user.username, applied = ok, rejected, "push");
    if !deleted.is_empty() {
        // A photo left behind by a failure here is swept at the next start.
        if let Err(e) = super::photos::sweep_orphans(&state, Some(&deleted)).await {
            tracing::warn!(error = ?e, "photos of deleted records not swept");
        }
    }
    note_sync(&state, &current, SyncKind::Push, &headers).await;
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
    headers: HeaderMap,
    query: Result<Query<PullQuery>, axum::extract::rejection::QueryRejection>,
) -> AppResult<Json<PullResponse>> {
    let Query(query) = query?;
    let limit = query.limit.unwrap_or(500).clamp(1, MAX_PULL_LIMIT);
    let since = i64::try_from(query.since)
        .map_err(|_| AppError::bad_request("invalid_cursor", "Con trỏ đồng bộ không hợp lệ.", "Invalid cursor."))?;
    let (scope, username, reference) = (current.user.scope(), &current.user.username, state.catalog.reference());
    // Supervisors' and admins' phones keep only their own records; the rest of their scope
    // they read in the console (docs/sync-protocol.md, "Pull").
    let (rows, has_more) = if current.user.role == Role::Collector {
        state.db.pull(&scope, username, reference, since, limit as i64).await?
    } else {
        state.db.pull_authored(&scope, username, reference, since, limit as i64).await?
    };
    note_sync(&state, &current, SyncKind::Pull, &headers).await;
    let next_cursor = rows.last().map_or(query.since, |(seq, _)| *seq as u64);
    // A returned or approved record carries its review to the officer's phone.
    let ids: Vec<_> = rows.iter().map(|(_, r)| r.id).collect();
    let mut reviews = state.db.latest_reviews(&ids).await?;
    let records = rows
        .into_iter()
        .map(|(seq, record)| PulledRecord { cursor: seq as u64, review: reviews.remove(&record.id), record })
        .collect();
    let catalog_version = state.catalog_for(&current.user).version().to_owned();
    Ok(Json(PullResponse { records, next_cursor, has_more, catalog_version }))
}

/// Notes the sync on the device's row with what the phone reported. After the push's
/// commit, and never its failure: the records are stored whatever happens to this note.
async fn note_sync(state: &AppState, current: &CurrentUser, kind: SyncKind, headers: &HeaderMap) {
    let report = device_report(headers);
    if let Err(e) = state.db.note_sync(current.user.id, &current.device_id, kind, &report).await {
        tracing::warn!(error = ?e, "could not note the device's sync");
    }
}

/// The device-state headers (`docs/sync-protocol.md`, "Device state"). An older app sends
/// none; a value that is not what the protocol says is ignored, never a reason to refuse
/// a sync.
pub(super) fn device_report(headers: &HeaderMap) -> DeviceReport {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim);
    let count = |name: &str| text(name).and_then(|v| v.parse::<u32>().ok()).map(i64::from);
    let version = text("sotay-app-version").filter(|v| {
        (1..=40).contains(&v.len())
            && v.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+' | '_'))
    });
    DeviceReport {
        app_version: version.map(str::to_owned),
        pending: count("sotay-pending"),
        refused: count("sotay-refused"),
    }
}

/// What push decides about a change before the database: refused (out of scope, invalid),
/// or ready to apply. The console's conflict resolution goes through it too.
pub(super) fn prepare(state: &AppState, scope: &Scope, change: Change) -> AppResult<Result<PreparedChange, Outcome>> {
    let record = &change.record;
    if !scope.may_file_at(&record.location, state.catalog.reference()) {
        return Ok(Err(Outcome::Rejected { errors: vec![out_of_scope()] }));
    }
    let form = state.catalog.form(&record.form_id, record.form_version);
    match (state.catalog.validate_record(record), form) {
        (Ok(validated), Some(form)) => Ok(Ok(PreparedChange::new(change, &validated, form, &state.catalog))),
        (Err(errors), _) => Ok(Err(Outcome::Rejected { errors })),
        (Ok(_), None) => Err(AppError::Internal("validated a record of an unknown form".into())),
    }
}

/// A change's place in a push while it is decided.
enum Pending {
    Settled(ChangeResult),
    Record,
    Test,
}

/// Whether `change` is of a draft `user` may test: a version the published catalog lacks.
fn is_draft(state: &AppState, user: &User, change: &Change) -> bool {
    let record = &change.record;
    user.tests_forms()
        && state.catalog.form(&record.form_id, record.form_version).is_none()
        && state.testing_catalog.form(&record.form_id, record.form_version).is_some_and(|f| f.definition.draft)
}

/// A test change is held to what a record is (scope, the testers' catalog), but stored
/// apart (`store::form_drafts`).
fn check_test(state: &AppState, scope: &Scope, user: &User, change: &Change) -> Result<(), Outcome> {
    let record = &change.record;
    if !scope.may_file_at(&record.location, state.catalog.reference()) {
        return Err(Outcome::Rejected { errors: vec![out_of_scope()] });
    }
    state.catalog_for(user).validate_record(record).map(|_| ()).map_err(|errors| Outcome::Rejected { errors })
}

/// The form definitions and reference data, with an ETag so a device that has the current
/// catalog downloads nothing. A tester's phone (signed in) gets the drafts too.
async fn catalog(
    State(state): State<AppState>,
    current: Option<CurrentUser>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let catalog = match &current {
        Some(current) => state.catalog_for(&current.user).clone(),
        None => state.catalog.clone(),
    };
    let etag = format!("\"{}\"", catalog.version());
    let current = headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()).is_some_and(|list| {
        // A list of tags, weak or strong, or `*` (RFC 9110 §13.1.2).
        list.split(',').map(str::trim).any(|tag| tag == "*" || tag.trim_start_matches("W/") == etag)
    });
    if current {
        return Ok((StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response());
    }
    // Testers get another catalog under the same address.
    let headers = [
        (header::ETAG, etag),
        (header::CACHE_CONTROL, "no-cache".to_owned()),
        (header::VARY, "authorization".to_owned()),
    ];
    Ok((headers, Json(catalog.bundle())).into_response())
}
