//! A record's history: every revision the server accepted, who sent it and when, and what
//! changed from the one before, field by field (`forms::history`). For anyone who may read
//! the record: the officer on the phone (online) as well as the console.

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use serde_json::Map;

use super::{AppError, AppResult, AppState, CurrentUser};
use crate::store::history::{LostVersion, Revision};
use crate::store::search::Viewer;

pub fn routes() -> Router<AppState> {
    Router::new().route("/records/{id}/history", get(history))
}

#[derive(Serialize)]
struct RevisionWithChanges {
    #[serde(flatten)]
    revision: Revision,
    /// What this revision changed in the answers of the one before (of nothing, for the
    /// first one kept).
    changes: Vec<forms::history::FieldChange>,
}

#[derive(Serialize)]
struct History {
    record_id: uuid::Uuid,
    revisions: Vec<RevisionWithChanges>,
    conflicts: Vec<LostVersion>,
}

async fn history(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<Json<History>> {
    let id = uuid::Uuid::parse_str(&id).map_err(|_| AppError::NotFound)?;
    let scope = current.user.scope();
    let viewer = Viewer { scope: &scope, username: &current.user.username, reference: state.catalog.reference() };
    let history = state.db.record_history(&viewer, id).await?.ok_or(AppError::NotFound)?;
    let empty = Map::new();
    let mut revisions = Vec::with_capacity(history.revisions.len());
    for (i, revision) in history.revisions.iter().enumerate() {
        let before = if i == 0 { &empty } else { &history.revisions[i - 1].values };
        let form = state.catalog.form(&revision.form_id, revision.form_version).map(|f| &f.definition);
        let changes = forms::history::diff(form, before, &revision.values);
        revisions.push(RevisionWithChanges { revision: revision.clone(), changes });
    }
    Ok(Json(History { record_id: history.record_id, revisions, conflicts: history.conflicts }))
}
