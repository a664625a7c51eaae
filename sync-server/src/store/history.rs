//! Every revision of a record the server accepted, kept (migration 0010). The latest lives
//! in `records`, with the change id, sender and device that wrote it; the push transaction
//! copies each earlier one into `record_revisions` as it is overwritten (and keeps from
//! memory one that a later change of the same batch overwrites), so a new record costs
//! three columns, not a second copy of its answers. Never updated or deleted. Read back as a record's history with who sent each revision, from which
//! device, when and under which change id, and the conflict copies that lost to them.

use chrono::{DateTime, Utc};
use forms::{Location, Record, RecordStatus};
use serde::Serialize;
use serde_json::{Map, Value as Json};
use sqlx::Row;
use uuid::Uuid;

use super::apply::{status, Param, Pending};
use super::records::{instant, parse_uuid};
use super::search::Viewer;
use super::{Db, StoreError};
use crate::db::Backend;

pub(super) const REVISION_COLUMNS: [&str; 15] = [
    "record_id",
    "revision",
    "change_id",
    "user_id",
    "device_id",
    "received_at",
    "updated_at",
    "form_id",
    "form_version",
    "unit_list",
    "unit_code",
    "status",
    "deleted",
    "activity_date",
    "answers",
];

/// The `record_revisions` row of `record` as a change earlier in the same batch left it
/// (`stored` being what that change wrote), laid out as [`REVISION_COLUMNS`].
pub(super) fn revision_row(
    record: &Record,
    stored: &Pending,
    user_id: i64,
    device_id: &str,
    received_at: i64,
) -> Vec<Param> {
    vec![
        Param::Text(record.id.to_string()),
        Param::Int(record.revision as i64),
        Param::OptText(Some(stored.change_id.to_string())),
        Param::OptInt(Some(user_id)),
        Param::Text(device_id.to_owned()),
        Param::Int(received_at),
        Param::Int(record.updated_at.timestamp_millis()),
        Param::Text(record.form_id.clone()),
        Param::Int(i64::from(record.form_version)),
        Param::Text(record.location.unit_list.clone()),
        Param::Text(record.location.unit_code.clone()),
        Param::Text(status(record.status).to_owned()),
        Param::Int(i64::from(record.deleted)),
        Param::OptText(stored.activity_date.clone()),
        Param::Text(stored.answers.clone()),
    ]
}

/// The columns of `records` that make a `record_revisions` row, in [`REVISION_COLUMNS`]
/// order. Records stored before 0010 know no change id or sender, and name the device
/// the record itself names.
const FROM_RECORDS: &str =
    "id, revision, change_id, sent_by, COALESCE(sent_from, device_id), received_at, updated_at, \
     form_id, form_version, unit_list, unit_code, status, deleted, activity_date, answers";

/// Copies the stored revision of records `ids` into `record_revisions`, before a batch
/// overwrites them: one statement per 500 records, inside the push transaction.
pub(super) async fn keep_stored(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
    ids: &[String],
) -> Result<(), StoreError> {
    for chunk in ids.chunks(500) {
        let sql = format!(
            "INSERT INTO record_revisions ({}) SELECT {FROM_RECORDS} FROM records WHERE id IN ({})",
            REVISION_COLUMNS.join(", "),
            backend.list(chunk.len())
        );
        let mut query = sqlx::query(&sql);
        for id in chunk {
            query = query.bind(id.as_str());
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Who sent a revision or a conflict copy.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Sender {
    pub username: String,
    pub display_name: String,
}

/// One accepted revision of a record, as it left the record.
#[derive(Debug, Clone, Serialize)]
pub struct Revision {
    pub revision: u64,
    /// `None` for a revision stored before history was kept.
    pub change_id: Option<Uuid>,
    pub sent_by: Option<Sender>,
    pub device_id: String,
    /// When the server accepted it, milliseconds since the epoch.
    pub received_at: i64,
    /// When the officer last edited it, as the phone said.
    #[serde(with = "forms::dates::serde_rfc3339")]
    pub updated_at: DateTime<Utc>,
    pub form_id: String,
    pub form_version: u32,
    pub location: Location,
    pub status: RecordStatus,
    pub deleted: bool,
    pub values: Map<String, Json>,
}

/// A version that lost to a newer one and was kept as a conflict copy.
#[derive(Debug, Clone, Serialize)]
pub struct LostVersion {
    pub conflict_id: Uuid,
    pub change_id: Uuid,
    /// The revision the phone had edited, and the one it lost to.
    pub base_revision: u64,
    pub lost_to_revision: u64,
    pub sent_by: Option<Sender>,
    pub created_at: i64,
    pub resolved_at: Option<i64>,
    pub record: Record,
}

#[derive(Debug, Clone, Serialize)]
pub struct RecordHistory {
    pub record_id: Uuid,
    /// Oldest first.
    pub revisions: Vec<Revision>,
    pub conflicts: Vec<LostVersion>,
}

fn sender(row: &sqlx::any::AnyRow) -> Result<Option<Sender>, StoreError> {
    let username: Option<String> = row.try_get("username")?;
    Ok(match username {
        Some(username) => Some(Sender { username, display_name: row.try_get("display_name")? }),
        None => None,
    })
}

impl Db {
    /// The history of record `id`, if `viewer` may read it (as for the record itself).
    pub async fn record_history(&self, viewer: &Viewer<'_>, id: Uuid) -> Result<Option<RecordHistory>, StoreError> {
        let Some(record) = self.record(id).await? else { return Ok(None) };
        if !viewer.scope.may_change(&record.location, &record.author, viewer.username, viewer.reference) {
            return Ok(None);
        }
        let id_text = id.to_string();
        // The earlier revisions, and the latest where it lives: in `records`.
        let sql = format!(
            "SELECT h.revision, h.change_id, h.device_id, h.received_at, h.updated_at, h.form_id, h.form_version, \
             h.unit_list, h.unit_code, h.status, h.deleted, h.answers, u.username, u.display_name \
             FROM (SELECT {} FROM record_revisions WHERE record_id = $1 \
                   UNION ALL SELECT {FROM_RECORDS} FROM records WHERE id = $1) h \
             LEFT JOIN users u ON u.id = h.user_id ORDER BY h.revision",
            REVISION_COLUMNS.join(", ")
        );
        let revisions = sqlx::query(&sql).bind(id_text.as_str()).fetch_all(&self.pool);
        let conflicts = sqlx::query(
            "SELECT c.id, c.change_id, c.base_revision, c.server_revision, c.incoming, c.created_at, c.resolved_at, \
             u.username, u.display_name \
             FROM conflicts c LEFT JOIN users u ON u.id = c.user_id WHERE c.record_id = $1 ORDER BY c.created_at, c.id",
        )
        .bind(id_text.as_str())
        .fetch_all(&self.pool);
        let (revisions, conflicts) = tokio::try_join!(revisions, conflicts)?;
        let revisions = revisions
            .iter()
            .map(|row| {
                let change_id: Option<String> = row.try_get("change_id")?;
                let status: String = row.try_get("status")?;
                Ok(Revision {
                    revision: row.try_get::<i64, _>("revision")? as u64,
                    change_id: change_id.as_deref().map(parse_uuid).transpose()?,
                    sent_by: sender(row)?,
                    device_id: row.try_get("device_id")?,
                    received_at: row.try_get("received_at")?,
                    updated_at: instant(row.try_get("updated_at")?)?,
                    form_id: row.try_get("form_id")?,
                    form_version: u32::try_from(row.try_get::<i64, _>("form_version")?)
                        .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    location: Location { unit_list: row.try_get("unit_list")?, unit_code: row.try_get("unit_code")? },
                    status: if status == "draft" { RecordStatus::Draft } else { RecordStatus::Final },
                    deleted: row.try_get::<i64, _>("deleted")? != 0,
                    values: serde_json::from_str(&row.try_get::<String, _>("answers")?)?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        let conflicts = conflicts
            .iter()
            .map(|row| {
                Ok(LostVersion {
                    conflict_id: parse_uuid(&row.try_get::<String, _>("id")?)?,
                    change_id: parse_uuid(&row.try_get::<String, _>("change_id")?)?,
                    base_revision: row.try_get::<i64, _>("base_revision")? as u64,
                    lost_to_revision: row.try_get::<i64, _>("server_revision")? as u64,
                    sent_by: sender(row)?,
                    created_at: row.try_get("created_at")?,
                    resolved_at: row.try_get("resolved_at")?,
                    record: serde_json::from_str(&row.try_get::<String, _>("incoming")?)?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(Some(RecordHistory { record_id: id, revisions, conflicts }))
    }
}
