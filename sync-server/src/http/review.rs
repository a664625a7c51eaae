//! Review of a finished record by a supervisor or admin in scope: return it to its officer
//! with a comment (and the fields to fix), approve it, or reopen an approved one. Each
//! action is a change with a change id, applied exactly once (docs/sync-protocol.md,
//! "Review"); a retry is answered with the first answer, `duplicate: true`.

use axum::extract::{Path, State};
use axum::routing::post;
use axum::{Json, Router};
use forms::review::ReviewAction;
use forms::Localized;
use serde::Deserialize;
use serde_json::{json, Value};
use uuid::Uuid;

use super::auth::ClientAddress;
use super::{ApiJson, AppError, AppResult, AppState, CurrentUser};
use crate::store::review::{may_review, ReviewAnswer, ReviewRequest};

/// Longest comment a return carries (a few paragraphs on a phone screen).
const MAX_COMMENT: usize = 2_000;

pub fn routes() -> Router<AppState> {
    Router::new().route("/records/{id}/review", post(review))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReviewBody {
    change_id: Uuid,
    action: ReviewAction,
    /// The revision the reviewer saw.
    revision: u64,
    #[serde(default)]
    comment: Option<String>,
    #[serde(default)]
    fields: Vec<String>,
}

fn bad(code: &'static str, vi: &str, en: &str) -> AppError {
    AppError::bad_request(code, vi, en)
}

async fn review(
    State(state): State<AppState>,
    current: CurrentUser,
    address: ClientAddress,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ReviewBody>,
) -> AppResult<Json<Value>> {
    if !may_review(&current.user) {
        return Err(AppError::Forbidden);
    }
    let id = Uuid::parse_str(&id).map_err(|_| AppError::NotFound)?;
    let comment = body.comment.as_deref().map(str::trim).filter(|c| !c.is_empty()).map(str::to_owned);
    match &comment {
        None if body.action == ReviewAction::Return => {
            return Err(bad(
                "comment_required",
                "Hãy ghi rõ cần sửa gì để cán bộ biết mà sửa.",
                "Say what needs changing, so the officer knows what to fix.",
            ))
        }
        Some(c) if c.chars().count() > MAX_COMMENT => {
            return Err(bad(
                "comment_too_long",
                "Nhận xét quá dài (tối đa 2.000 ký tự).",
                "The comment is too long (2,000 characters at most).",
            ))
        }
        Some(c) if c.chars().any(|ch| ch.is_control() && !matches!(ch, '\n' | '\t' | '\r')) => {
            return Err(bad(
                "control_character",
                "Nhận xét có ký tự không hợp lệ.",
                "The comment holds an invalid character.",
            ))
        }
        _ => {}
    }
    if body.action != ReviewAction::Return && !body.fields.is_empty() {
        return Err(bad(
            "fields_not_allowed",
            "Chỉ nêu câu hỏi cần sửa khi trả lại phiếu.",
            "Fields are named only when returning a record.",
        ));
    }
    let reference = state.catalog.reference();
    // The fields named must be questions of the record's form.
    if !body.fields.is_empty() {
        let record = state.db.record(id).await?.ok_or(AppError::NotFound)?;
        let form = state.catalog.form(&record.form_id, record.form_version);
        let known = |name: &str| {
            form.is_some_and(|f| f.definition.sections.iter().flat_map(|s| &s.fields).any(|f| f.name == name))
        };
        if let Some(unknown) = body.fields.iter().find(|f| !known(f)) {
            return Err(AppError::BadRequest(
                "unknown_field",
                Localized::new(
                    format!("Biểu mẫu của phiếu không có câu hỏi '{unknown}'."),
                    format!("The record's form has no question '{unknown}'."),
                ),
            ));
        }
    }
    let request = ReviewRequest {
        change_id: body.change_id,
        action: body.action,
        revision: body.revision,
        comment,
        fields: body.fields,
    };
    let answer =
        state.db.review_record(&current.user, reference, address.0, id, &request).await?.ok_or(AppError::NotFound)?;
    match answer {
        ReviewAnswer::Applied { change_id, duplicate, review } => {
            tracing::info!(user = %current.user.username, record = %id, action = body.action.as_str(), duplicate, "review");
            Ok(Json(
                json!({ "change_id": change_id, "duplicate": duplicate, "outcome": "applied", "record_id": id, "review": review }),
            ))
        }
        ReviewAnswer::Refused(code, message) => Err(AppError::Refused(code, message)),
        ReviewAnswer::ChangeIdReused => {
            Err(AppError::Refused("change_id_reused", crate::store::apply::change_id_reused().message))
        }
    }
}
