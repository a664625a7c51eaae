//! Records and the sync bookkeeping that makes delivery exactly-once.
//!
//! Every write transaction first takes the `seq` counter row. That one lock serialises
//! writers across server processes, which gives two guarantees cheaply: pull cursors become
//! visible in the order they were given out (no reader can skip a change that commits late),
//! and a change id is checked and recorded with no race between "seen?" and "apply".

use chrono::{DateTime, Utc};
use forms::grid::Grid;
use forms::sync::Change;
use forms::{ErrorCode, FieldError, FieldValue, Localized, Location, Record, RecordStatus};
use serde_json::{Map, Value as Json};
use sqlx::any::AnyRow;
use sqlx::Row;
use uuid::Uuid;

use super::users::Scope;
use super::{Db, StoreError};

/// A change that passed validation and the scope check on its new location, ready to apply.
pub struct PreparedChange {
    pub change: Change,
    /// The answers as they are stored: normalized by the form engine.
    pub answers: Map<String, Json>,
    /// Count-grid cells by field, flattened for reports.
    pub cells: Vec<(String, Grid)>,
    /// What the record adds to its form's report figures, by field ([`forms::figures`]).
    pub figures: Vec<(String, i64)>,
    /// The form's date field, for reporting periods.
    pub activity_date: Option<String>,
    /// The form version is withdrawn: it takes no new records, only edits of its own.
    pub withdrawn: bool,
}

impl PreparedChange {
    /// Builds the stored form of a validated change of a record of `form`.
    pub fn new(change: Change, validated: &forms::Validated, form: &forms::Form, catalog: &forms::Catalog) -> Self {
        let mut cells = Vec::new();
        let mut activity_date = None;
        for (name, value) in validated.answers() {
            match value {
                FieldValue::Grid(grid) => cells.push((name.to_owned(), grid.clone())),
                FieldValue::Date(d) if name == form.definition.date_field => {
                    activity_date = Some(d.format("%Y-%m-%d").to_string());
                }
                _ => {}
            }
        }
        let answers = validated.values();
        let figures = catalog.figure_values(form, &answers).into_iter().map(|(f, n)| (f.to_owned(), n)).collect();
        PreparedChange { answers, cells, figures, activity_date, withdrawn: form.definition.withdrawn, change }
    }
}

pub(super) const RECORD_COLUMNS: &str =
    "id, form_id, form_version, unit_list, unit_code, author, device_id, created_at, \
     updated_at, status, deleted, revision, seq, answers";

impl Db {
    /// Records changed after cursor `since` within `scope` (and `username`'s own records at
    /// units split between communes, see `Scope::may_change`), oldest change first, at most
    /// `limit`; and whether more follow.
    pub async fn pull(
        &self,
        scope: &Scope,
        username: &str,
        reference: &forms::reference::ReferenceData,
        since: i64,
        limit: i64,
    ) -> Result<(Vec<(i64, Record)>, bool), StoreError> {
        self.pull_where(scope, username, false, reference, since, limit).await
    }

    /// As [`Db::pull`], but only the records `username` is the author of: what supervisors'
    /// and admins' phones pull (the rest of their scope they read in the console).
    pub async fn pull_authored(
        &self,
        scope: &Scope,
        username: &str,
        reference: &forms::reference::ReferenceData,
        since: i64,
        limit: i64,
    ) -> Result<(Vec<(i64, Record)>, bool), StoreError> {
        self.pull_where(scope, username, true, reference, since, limit).await
    }

    async fn pull_where(
        &self,
        scope: &Scope,
        username: &str,
        authored: bool,
        reference: &forms::reference::ReferenceData,
        since: i64,
        limit: i64,
    ) -> Result<(Vec<(i64, Record)>, bool), StoreError> {
        let pairs = if scope.whole_province { Vec::new() } else { scope.pairs(reference) };
        // Units split between communes: only the user's own records there.
        let partial = if scope.whole_province { Vec::new() } else { scope.partial_pairs(reference) };
        if !scope.whole_province && pairs.is_empty() && partial.is_empty() {
            return Ok((Vec::new(), false));
        }
        // $1 cursor, $2 limit, then a pair of parameters per unit, then the user (bound only
        // where the statement names it).
        let units = pairs.len() + partial.len();
        let user = format!("${}", 3 + 2 * units);
        let mut sql = format!("SELECT {RECORD_COLUMNS} FROM records WHERE seq > $1");
        if authored {
            sql += &format!(" AND author = {user}");
        }
        if !scope.whole_province {
            let term = |i: usize| format!("(unit_list = ${} AND unit_code = ${})", 3 + 2 * i, 4 + 2 * i);
            let mut terms: Vec<String> = (0..pairs.len()).map(term).collect();
            if !partial.is_empty() {
                let own: Vec<String> = (pairs.len()..units).map(term).collect();
                terms.push(format!("(author = {user} AND ({}))", own.join(" OR ")));
            }
            sql += &format!(" AND ({})", terms.join(" OR "));
        }
        sql += " ORDER BY seq LIMIT $2";
        let mut query = sqlx::query(&sql).bind(since).bind(limit + 1);
        for (list, code) in pairs.iter().chain(&partial) {
            query = query.bind(list.as_str()).bind(code.as_str());
        }
        if authored || !partial.is_empty() {
            query = query.bind(username);
        }
        let rows = query.fetch_all(&self.pool).await?;
        let has_more = rows.len() as i64 > limit;
        let records = rows
            .iter()
            .take(limit as usize)
            .map(|row| Ok((row.try_get::<i64, _>("seq")?, record_from_row(row)?)))
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok((records, has_more))
    }

    pub async fn record(&self, id: Uuid) -> Result<Option<Record>, StoreError> {
        let sql = format!("SELECT {RECORD_COLUMNS} FROM records WHERE id = $1");
        let row = sqlx::query(&sql).bind(id.to_string()).fetch_optional(&self.pool).await?;
        row.as_ref().map(record_from_row).transpose()
    }

    /// How many records and conflict copies the server holds (for tests and `/readyz`).
    pub async fn counts(&self) -> Result<(i64, i64), StoreError> {
        let records: i64 =
            sqlx::query("SELECT COUNT(*) AS n FROM records").fetch_one(&self.pool).await?.try_get("n")?;
        let conflicts: i64 =
            sqlx::query("SELECT COUNT(*) AS n FROM conflicts").fetch_one(&self.pool).await?.try_get("n")?;
        Ok((records, conflicts))
    }
}

pub fn withdrawn(form_id: &str, version: u32) -> FieldError {
    FieldError::new(
        "form_version",
        ErrorCode::FormWithdrawn,
        Localized::new(
            format!("Mẫu phiếu “{form_id}” phiên bản {version} đã ngừng sử dụng; hãy nhập lại bằng phiên bản mới."),
            format!("Form “{form_id}” version {version} is withdrawn; enter the record again with the new version."),
        ),
    )
}

pub fn out_of_scope() -> FieldError {
    FieldError::new(
        "location",
        ErrorCode::OutOfScope,
        Localized::new(
            "Phiếu này thuộc xã ngoài phạm vi tài khoản của bạn.",
            "This record belongs to a commune outside your account's scope.",
        ),
    )
}

pub(super) fn parse_uuid(s: &str) -> Result<Uuid, StoreError> {
    Uuid::parse_str(s).map_err(|e| StoreError::Corrupt(format!("uuid '{s}': {e}")))
}

pub(super) fn instant(ms: i64) -> Result<DateTime<Utc>, StoreError> {
    DateTime::from_timestamp_millis(ms).ok_or_else(|| StoreError::Corrupt(format!("instant {ms}")))
}

pub(super) fn record_from_row(row: &AnyRow) -> Result<Record, StoreError> {
    let answers: String = row.try_get("answers")?;
    let status: String = row.try_get("status")?;
    Ok(Record {
        id: parse_uuid(&row.try_get::<String, _>("id")?)?,
        form_id: row.try_get("form_id")?,
        form_version: u32::try_from(row.try_get::<i64, _>("form_version")?)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?,
        location: Location { unit_list: row.try_get("unit_list")?, unit_code: row.try_get("unit_code")? },
        author: row.try_get("author")?,
        device_id: row.try_get("device_id")?,
        created_at: instant(row.try_get("created_at")?)?,
        updated_at: instant(row.try_get("updated_at")?)?,
        status: if status == "draft" { RecordStatus::Draft } else { RecordStatus::Final },
        deleted: row.try_get::<i64, _>("deleted")? != 0,
        revision: row.try_get::<i64, _>("revision")? as u64,
        values: serde_json::from_str(&answers)?,
    })
}
