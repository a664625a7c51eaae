//! Review actions on finished records (migration 0012, `forms::review`): return to the
//! officer with a comment, approve, reopen. Each is a change with a change id, applied at
//! most once like a push (checked and recorded in `applied_changes` under the writers'
//! lock); the record takes a new pull cursor so its officer's phone pulls the review; the
//! action is kept in `record_reviews` and the audit log, in the same transaction.

use std::collections::HashMap;

use forms::reference::ReferenceData;
use forms::review::{next_state, Refusal, Review, ReviewAction, ReviewState};
use forms::sync::Outcome;
use forms::Localized;
use sqlx::Row;
use uuid::Uuid;

use super::applied::{applied_in, APPLIED_COLUMNS};
use super::apply::{insert_rows, Param};
use super::audit::{self, Actor, AuditAction, AuditEntry, TargetKind};
use super::records::{instant, parse_uuid};
use super::totals::{self, Counting};
use super::users::{Role, User};
use super::{Db, StoreError};
use crate::db::{now_ms, Backend};

/// A reviewer's action as sent: what, on which revision they saw, under which change id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewRequest {
    pub change_id: Uuid,
    pub action: ReviewAction,
    /// The revision the reviewer saw: the action applies to it, or to nothing.
    pub revision: u64,
    pub comment: Option<String>,
    /// Fields the officer should fix (a return), by name.
    pub fields: Vec<String>,
}

impl ReviewRequest {
    /// What the request says, as a fingerprint: a retry sends the same.
    fn hash(&self) -> String {
        let canonical = serde_json::json!([self.action.as_str(), self.revision, self.comment, self.fields]).to_string();
        super::sha256_hex(canonical.as_bytes())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReviewAnswer {
    /// Applied now, or earlier (`duplicate`): the record's review as that action left it.
    Applied { change_id: Uuid, duplicate: bool, review: Review },
    /// Not applied: the record as it stands refuses the action.
    Refused(&'static str, Localized),
    /// The change id was used for something else.
    ChangeIdReused,
}

fn refused(refusal: Refusal) -> ReviewAnswer {
    ReviewAnswer::Refused(refusal.code(), refusal.message())
}

impl Db {
    /// Applies `request` to record `record_id` as `reviewer` (a supervisor or admin; the
    /// caller checks the role). `Ok(None)`: no such record in the reviewer's scope.
    pub async fn review_record(
        &self,
        reviewer: &User,
        reference: &ReferenceData,
        address: Option<String>,
        record_id: Uuid,
        request: &ReviewRequest,
    ) -> Result<Option<ReviewAnswer>, StoreError> {
        let hash = request.hash();
        let mut tx = self.pool.begin().await?;
        super::lock_writers(&mut tx).await?;
        let row = sqlx::query(
            "SELECT form_id, unit_list, unit_code, author, status, deleted, revision, review_state FROM records WHERE id = $1",
        )
        .bind(record_id.to_string())
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let location = forms::Location { unit_list: row.try_get("unit_list")?, unit_code: row.try_get("unit_code")? };
        let author: String = row.try_get("author")?;
        if !reviewer.scope().may_change(&location, &author, &reviewer.username, reference) {
            return Ok(None);
        }

        // A retry: the same reviewer, record and content get the review that action left.
        if let Some(earlier) = applied_in(&mut tx, self.backend, &[request.change_id]).await?.remove(&request.change_id)
        {
            let same = earlier.user_id == reviewer.id
                && earlier.record_id == record_id
                && earlier.content_hash.as_deref() == Some(hash.as_str());
            if !same {
                return Ok(Some(ReviewAnswer::ChangeIdReused));
            }
            let review = review_by_change(&mut tx, request.change_id).await?;
            return Ok(Some(ReviewAnswer::Applied { change_id: request.change_id, duplicate: true, review }));
        }

        let status: String = row.try_get("status")?;
        if status != "final" || row.try_get::<i64, _>("deleted")? != 0 {
            return Ok(Some(refused(Refusal::NotSubmitted)));
        }
        let state = row
            .try_get::<Option<String>, _>("review_state")?
            .and_then(|s| ReviewState::parse(&s))
            .unwrap_or(ReviewState::Submitted);
        let next = match next_state(state, request.action) {
            Ok(next) => next,
            Err(refusal) => return Ok(Some(refused(refusal))),
        };
        let revision = row.try_get::<i64, _>("revision")? as u64;
        if revision != request.revision {
            return Ok(Some(ReviewAnswer::Refused(
                "stale_revision",
                Localized::new(
                    format!("Phiếu đã có bản sửa mới (lần {revision}) sau bản bạn xem; hãy tải lại và xem bản mới."),
                    format!(
                        "The record has a newer revision ({revision}) than the one you saw; reload and look at it."
                    ),
                ),
            )));
        }

        let now = now_ms();
        let seq: i64 = sqlx::query("SELECT value FROM counters WHERE name = 'seq'")
            .fetch_one(&mut *tx)
            .await?
            .try_get::<i64, _>("value")?
            + 1;
        sqlx::query("UPDATE counters SET value = $1 WHERE name = 'seq'").bind(seq).execute(&mut *tx).await?;
        // The approved records' report sums (`totals::Counting`): left before the state
        // changes (they are read from the row as approved), entered after.
        let ids = [record_id.to_string()];
        if state == ReviewState::Approved {
            totals::sum_records(&mut tx, self.backend, &ids, -1, Counting::Approved).await?;
        }
        // A new cursor: the officer's phone pulls the record, and its review, again.
        sqlx::query("UPDATE records SET review_state = $1, seq = $2 WHERE id = $3")
            .bind(next.as_str())
            .bind(seq)
            .bind(record_id.to_string())
            .execute(&mut *tx)
            .await?;
        if next == ReviewState::Approved {
            totals::sum_records(&mut tx, self.backend, &ids, 1, Counting::Approved).await?;
        }
        let fields = serde_json::to_string(&request.fields)?;
        sqlx::query(
            "INSERT INTO record_reviews (record_id, revision, change_id, action, state, comment, fields, user_id, at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(record_id.to_string())
        .bind(revision as i64)
        .bind(request.change_id.to_string())
        .bind(request.action.as_str())
        .bind(next.as_str())
        .bind(request.comment.as_deref())
        .bind(fields.as_str())
        .bind(reviewer.id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let outcome = serde_json::to_string(&Outcome::Applied { record_id, revision })?;
        let applied = vec![
            Param::Text(request.change_id.to_string()),
            Param::Text(record_id.to_string()),
            Param::Int(reviewer.id),
            Param::Text(outcome),
            Param::Int(now),
            Param::Text(hash),
        ];
        insert_rows(&mut tx, self.backend, "applied_changes", &APPLIED_COLUMNS, vec![applied]).await?;
        let actor = Actor::user(reviewer, address);
        let action = match request.action {
            ReviewAction::Return => AuditAction::RecordReturned,
            ReviewAction::Approve => AuditAction::RecordApproved,
            ReviewAction::Reopen => AuditAction::RecordReopened,
        };
        let entry = AuditEntry {
            by: &actor,
            action,
            target_kind: TargetKind::Record,
            target_id: record_id.to_string(),
            unit: Some(location),
            before: Some(serde_json::json!({ "state": state.as_str(), "revision": revision })),
            after: Some(
                serde_json::json!({ "state": next.as_str(), "comment": request.comment, "fields": request.fields }),
            ),
        };
        audit::write(&mut tx, &entry).await?;
        tx.commit().await?;
        let review = Review {
            state: next,
            comment: request.comment.clone(),
            fields: request.fields.clone(),
            by: reviewer.display_name.clone(),
            at: instant(now)?,
            revision,
        };
        Ok(Some(ReviewAnswer::Applied { change_id: request.change_id, duplicate: false, review }))
    }

    /// The latest review of each of these records that has one, for pulls and the console.
    pub async fn latest_reviews(&self, ids: &[Uuid]) -> Result<HashMap<Uuid, Review>, StoreError> {
        let mut found = HashMap::new();
        for chunk in ids.chunks(500) {
            let list = (1..=chunk.len()).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ");
            let sql = format!(
                "SELECT v.record_id, v.revision, v.state, v.comment, v.fields, v.at, u.display_name \
                 FROM record_reviews v JOIN users u ON u.id = v.user_id \
                 WHERE v.id IN (SELECT MAX(id) FROM record_reviews WHERE record_id IN ({list}) GROUP BY record_id)"
            );
            let mut query = sqlx::query(&sql);
            for id in chunk {
                query = query.bind(id.to_string());
            }
            for row in query.fetch_all(&self.pool).await? {
                found.insert(parse_uuid(&row.try_get::<String, _>("record_id")?)?, review_of(&row)?);
            }
        }
        Ok(found)
    }
}

fn review_of(row: &sqlx::any::AnyRow) -> Result<Review, StoreError> {
    let state: String = row.try_get("state")?;
    Ok(Review {
        state: ReviewState::parse(&state).ok_or_else(|| StoreError::Corrupt(format!("review state '{state}'")))?,
        comment: row.try_get("comment")?,
        fields: serde_json::from_str(&row.try_get::<String, _>("fields")?)?,
        by: row.try_get("display_name")?,
        at: instant(row.try_get("at")?)?,
        revision: row.try_get::<i64, _>("revision")? as u64,
    })
}

async fn review_by_change(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    change_id: Uuid,
) -> Result<Review, StoreError> {
    let row = sqlx::query(
        "SELECT v.revision, v.state, v.comment, v.fields, v.at, u.display_name \
         FROM record_reviews v JOIN users u ON u.id = v.user_id WHERE v.change_id = $1",
    )
    .bind(change_id.to_string())
    .fetch_one(&mut **tx)
    .await?;
    review_of(&row)
}

/// Whether `user` may act as a reviewer at all (their scope decides which records).
pub fn may_review(user: &User) -> bool {
    matches!(user.role, Role::Supervisor | Role::Admin)
}

/// After a push rewrote records `ids` (already stored): those that were returned, or
/// approved, and are now finished again go back to "submitted", each with a `resubmit`
/// row naming the new revision and who sent it. An approval was of an earlier revision.
pub(super) async fn resubmitted(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
    ids: &[String],
    user_id: i64,
    now: i64,
) -> Result<(), StoreError> {
    for chunk in ids.chunks(500) {
        let list = backend.list(chunk.len());
        let which = format!(
            "review_state IN ('needs_changes', 'approved') AND status = 'final' AND deleted = 0 AND id IN ({list})"
        );
        let insert = format!(
            "INSERT INTO record_reviews (record_id, revision, change_id, action, state, comment, fields, user_id, at) \
             SELECT id, revision, NULL, 'resubmit', 'submitted', NULL, '[]', {user_id}, {now} FROM records WHERE {which}"
        );
        let update = format!("UPDATE records SET review_state = 'submitted' WHERE {which}");
        for sql in [insert, update] {
            let mut query = sqlx::query(&sql);
            for id in chunk {
                query = query.bind(id.as_str());
            }
            query.execute(&mut *conn).await?;
        }
    }
    Ok(())
}

/// The refusal of a collector's change to an approved record.
pub fn record_approved() -> forms::FieldError {
    forms::FieldError::new(
        "review",
        forms::ErrorCode::RecordApproved,
        Localized::new(
            "Phiếu đã được duyệt nên không sửa được nữa; nếu cần sửa, hãy nhờ cán bộ giám sát mở lại phiếu.",
            "This record is approved and can no longer be changed; ask your supervisor to reopen it if it needs a fix.",
        ),
    )
}
