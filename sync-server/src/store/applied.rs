//! The bookkeeping of exactly-once: every change id settled, with who sent it, for which
//! record, its content's fingerprint and the outcome it got (`applied_changes`). Pushes,
//! conflict resolutions and review actions all record and look up their ids here.

use std::collections::HashMap;

use forms::sync::{Change, ChangeResult, Outcome};
use forms::{ErrorCode, FieldError, Localized};
use sqlx::{AnyConnection, Row};
use uuid::Uuid;

use super::apply::select_in;
use super::records::parse_uuid;
use super::StoreError;
use crate::db::Backend;

pub(super) const APPLIED_COLUMNS: [&str; 6] =
    ["change_id", "record_id", "user_id", "outcome", "applied_at", "content_hash"];

/// A change id already settled (applied or conflict): by whom, for what, with what outcome.
pub struct Applied {
    pub user_id: i64,
    pub record_id: Uuid,
    /// [`change_hash`] of the change; `None` for changes settled before migration 0006.
    pub content_hash: Option<String>,
    pub outcome: Outcome,
}

impl Applied {
    /// The answer to a change carrying this settled id again, before the transaction and
    /// under its lock alike. A retry (the same user, record and content) gets the original
    /// outcome, `duplicate: true`. Anything else was never stored and must not be answered
    /// "applied" (the device would drop it, and the record be lost): `change_id_reused`,
    /// the same for another user's id (whose outcome it must not reveal) as for one's own.
    pub fn answer(&self, change_id: Uuid, user_id: i64, record_id: Uuid, content_hash: &str) -> ChangeResult {
        let same_content = self.content_hash.as_deref().is_none_or(|h| h == content_hash);
        if self.user_id == user_id && self.record_id == record_id && same_content {
            return ChangeResult { change_id, duplicate: true, outcome: self.outcome.clone() };
        }
        ChangeResult { change_id, duplicate: false, outcome: Outcome::Rejected { errors: vec![change_id_reused()] } }
    }
}

/// What a change says, as a fingerprint: the SHA-256 (hex) of its base revision and record
/// as the server read them (re-serialized, so it does not depend on the JSON's spacing). A
/// retry sends the change unchanged (docs/sync-protocol.md), so it hashes the same.
pub fn change_hash(change: &Change) -> Result<String, StoreError> {
    let canonical = serde_json::to_vec(&(change.base_revision, &change.record))?;
    Ok(super::sha256_hex(&canonical))
}

/// The refusal of a change id already used for another change. Ids are random UUIDs: this
/// is a client bug or a replay; the remedy is to queue the record again under a new id.
pub fn change_id_reused() -> FieldError {
    FieldError::new(
        "change_id",
        ErrorCode::ChangeIdReused,
        Localized::new(
            "Mã thay đổi này đã được dùng cho một thay đổi khác, nên phiếu chưa được lưu; hãy gửi lại phiếu.",
            "This change id was already used for another change, so the record was not stored; send it again.",
        ),
    )
}

/// The settled ones among `change_ids`, by id.
pub(super) async fn applied_in(
    conn: &mut AnyConnection,
    backend: Backend,
    change_ids: &[Uuid],
) -> Result<HashMap<Uuid, Applied>, StoreError> {
    let ids: Vec<String> = change_ids.iter().map(Uuid::to_string).collect();
    let select = "SELECT change_id, record_id, user_id, outcome, content_hash FROM applied_changes WHERE change_id";
    let rows = select_in(conn, backend, select, &ids).await?;
    let mut found = HashMap::new();
    for row in rows {
        let id = parse_uuid(&row.try_get::<String, _>("change_id")?)?;
        let applied = Applied {
            user_id: row.try_get("user_id")?,
            record_id: parse_uuid(&row.try_get::<String, _>("record_id")?)?,
            content_hash: row.try_get("content_hash")?,
            outcome: serde_json::from_str(&row.try_get::<String, _>("outcome")?)?,
        };
        found.insert(id, applied);
    }
    Ok(found)
}
