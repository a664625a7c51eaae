//! Records and the sync bookkeeping that makes delivery exactly-once.
//!
//! Every write transaction first takes the `seq` counter row. That one lock serialises
//! writers across server processes, which gives two guarantees cheaply: pull cursors become
//! visible in the order they were given out (no reader can skip a change that commits late),
//! and a change id is checked and recorded with no race between "seen?" and "apply".

use chrono::{DateTime, Utc};
use forms::grid::Grid;
use forms::sync::{Change, ChangeResult, Outcome};
use forms::{ErrorCode, FieldError, FieldValue, Localized, Location, Record, RecordStatus};
use serde_json::{Map, Value as Json};
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};
use uuid::Uuid;

use super::users::{Scope, User};
use super::{Db, StoreError};
use crate::db::now_ms;

/// A change that passed validation and the scope check on its new location, ready to apply.
pub struct PreparedChange {
    pub change: Change,
    /// The answers as they are stored: normalized by the form engine.
    pub answers: Map<String, Json>,
    /// Count-grid cells by field, flattened for reports.
    pub cells: Vec<(String, Grid)>,
    /// The form's date field, for reporting periods.
    pub activity_date: Option<String>,
}

impl PreparedChange {
    /// Builds the stored form of a validated change.
    pub fn new(change: Change, validated: &forms::Validated, form: &forms::Form) -> Self {
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
        PreparedChange { answers: validated.values(), cells, activity_date, change }
    }
}

const RECORD_COLUMNS: &str = "id, form_id, form_version, unit_list, unit_code, author, device_id, created_at, \
     updated_at, status, deleted, revision, seq, answers";

impl Db {
    /// The outcomes already given to these change ids, if any were applied before.
    pub async fn applied_outcomes(&self, change_ids: &[Uuid]) -> Result<Vec<(Uuid, Outcome)>, StoreError> {
        let mut found = Vec::new();
        // Chunks keep the statement within every driver's parameter limit.
        for chunk in change_ids.chunks(200) {
            let placeholders: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT change_id, outcome FROM applied_changes WHERE change_id IN ({})",
                placeholders.join(", ")
            );
            let mut query = sqlx::query(&sql);
            for id in chunk {
                query = query.bind(id.to_string());
            }
            for row in query.fetch_all(&self.pool).await? {
                let id: String = row.try_get("change_id")?;
                let outcome: String = row.try_get("outcome")?;
                found.push((parse_uuid(&id)?, serde_json::from_str(&outcome)?));
            }
        }
        Ok(found)
    }

    /// Applies prepared changes in one durable transaction and returns one result per change,
    /// in order. The caller acknowledges nothing until this returns.
    pub async fn apply_changes(
        &self,
        user: &User,
        scope: &Scope,
        reference: &forms::reference::ReferenceData,
        changes: Vec<PreparedChange>,
    ) -> Result<Vec<ChangeResult>, StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE counters SET value = value WHERE name = 'seq'").execute(&mut *tx).await?;
        let mut seq: i64 =
            sqlx::query("SELECT value FROM counters WHERE name = 'seq'").fetch_one(&mut *tx).await?.try_get("value")?;
        let now = now_ms();
        let mut results = Vec::with_capacity(changes.len());
        for prepared in changes {
            let change_id = prepared.change.change_id;
            // Checked again under the lock: another process may have applied it meanwhile.
            let earlier = sqlx::query("SELECT outcome FROM applied_changes WHERE change_id = $1")
                .bind(change_id.to_string())
                .fetch_optional(&mut *tx)
                .await?;
            if let Some(row) = earlier {
                let outcome = serde_json::from_str(&row.try_get::<String, _>("outcome")?)?;
                results.push(ChangeResult { change_id, duplicate: true, outcome });
                continue;
            }
            let outcome = apply_one(&mut tx, user, scope, reference, &prepared, &mut seq, now).await?;
            if outcome.settles_change() {
                sqlx::query(
                    "INSERT INTO applied_changes (change_id, record_id, user_id, outcome, applied_at) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(change_id.to_string())
                .bind(prepared.change.record.id.to_string())
                .bind(user.id)
                .bind(serde_json::to_string(&outcome)?)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
            results.push(ChangeResult { change_id, duplicate: false, outcome });
        }
        sqlx::query("UPDATE counters SET value = $1 WHERE name = 'seq'").bind(seq).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(results)
    }

    /// Records changed after cursor `since` within `scope`, oldest change first, at most
    /// `limit`; and whether more follow.
    pub async fn pull(
        &self,
        scope: &Scope,
        reference: &forms::reference::ReferenceData,
        since: i64,
        limit: i64,
    ) -> Result<(Vec<(i64, Record)>, bool), StoreError> {
        let mut sql = format!("SELECT {RECORD_COLUMNS} FROM records WHERE seq > $1");
        let pairs = if scope.whole_province { Vec::new() } else { scope.pairs(reference) };
        if !scope.whole_province {
            if pairs.is_empty() {
                return Ok((Vec::new(), false));
            }
            let terms: Vec<String> = (0..pairs.len())
                .map(|i| format!("(unit_list = ${} AND unit_code = ${})", 3 + 2 * i, 4 + 2 * i))
                .collect();
            sql += &format!(" AND ({})", terms.join(" OR "));
        }
        sql += " ORDER BY seq LIMIT $2";
        let mut query = sqlx::query(&sql).bind(since).bind(limit + 1);
        for (list, code) in &pairs {
            query = query.bind(list.as_str()).bind(code.as_str());
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

async fn apply_one(
    tx: &mut Transaction<'static, Any>,
    user: &User,
    scope: &Scope,
    reference: &forms::reference::ReferenceData,
    prepared: &PreparedChange,
    seq: &mut i64,
    now: i64,
) -> Result<Outcome, StoreError> {
    let incoming = &prepared.change.record;
    let sql = format!("SELECT {RECORD_COLUMNS} FROM records WHERE id = $1");
    let current = sqlx::query(&sql).bind(incoming.id.to_string()).fetch_optional(&mut **tx).await?;
    let current = current.as_ref().map(record_from_row).transpose()?;
    let revision = match &current {
        None => 1,
        Some(cur) if !scope.allows(&cur.location, reference) => {
            return Ok(Outcome::Rejected { errors: vec![out_of_scope()] });
        }
        Some(cur) if cur.revision == prepared.change.base_revision => cur.revision + 1,
        Some(cur) => {
            let conflict_id = Uuid::new_v4();
            sqlx::query(
                "INSERT INTO conflicts (id, record_id, change_id, base_revision, server_revision, incoming, user_id, \
                 created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(conflict_id.to_string())
            .bind(incoming.id.to_string())
            .bind(prepared.change.change_id.to_string())
            .bind(prepared.change.base_revision as i64)
            .bind(cur.revision as i64)
            .bind(serde_json::to_string(incoming)?)
            .bind(user.id)
            .bind(now)
            .execute(&mut **tx)
            .await?;
            return Ok(Outcome::Conflict { record_id: incoming.id, conflict_id, current: Box::new(cur.clone()) });
        }
    };
    *seq += 1;
    // The author of a record is who first sent it; corrections keep it.
    let author = current.as_ref().map_or(user.username.as_str(), |c| c.author.as_str());
    let answers = if incoming.deleted { String::from("{}") } else { serde_json::to_string(&prepared.answers)? };
    let status = match incoming.status {
        RecordStatus::Draft => "draft",
        RecordStatus::Final => "final",
    };
    let values = (
        incoming.form_id.as_str(),
        i64::from(incoming.form_version),
        incoming.location.unit_list.as_str(),
        incoming.location.unit_code.as_str(),
        author,
        incoming.device_id.as_str(),
        incoming.created_at.timestamp_millis(),
        incoming.updated_at.timestamp_millis(),
    );
    let sql = if current.is_some() {
        "UPDATE records SET form_id = $2, form_version = $3, unit_list = $4, unit_code = $5, author = $6, \
         device_id = $7, created_at = $8, updated_at = $9, status = $10, deleted = $11, revision = $12, \
         activity_date = $13, seq = $14, answers = $15, received_at = $16 WHERE id = $1"
    } else {
        "INSERT INTO records (id, form_id, form_version, unit_list, unit_code, author, device_id, created_at, \
         updated_at, status, deleted, revision, activity_date, seq, answers, received_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)"
    };
    sqlx::query(sql)
        .bind(incoming.id.to_string())
        .bind(values.0)
        .bind(values.1)
        .bind(values.2)
        .bind(values.3)
        .bind(values.4)
        .bind(values.5)
        .bind(values.6)
        .bind(values.7)
        .bind(status)
        .bind(i64::from(incoming.deleted))
        .bind(revision as i64)
        .bind(prepared.activity_date.as_deref().filter(|_| !incoming.deleted))
        .bind(*seq)
        .bind(answers)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    write_cells(tx, incoming, prepared).await?;
    Ok(Outcome::Applied { record_id: incoming.id, revision })
}

/// Replaces the record's flattened grid cells; a tombstone keeps none.
async fn write_cells(
    tx: &mut Transaction<'static, Any>,
    incoming: &Record,
    prepared: &PreparedChange,
) -> Result<(), StoreError> {
    let id = incoming.id.to_string();
    sqlx::query("DELETE FROM record_cells WHERE record_id = $1").bind(&id).execute(&mut **tx).await?;
    if incoming.deleted {
        return Ok(());
    }
    let rows: Vec<(&str, &forms::GridCell)> =
        prepared.cells.iter().flat_map(|(field, grid)| grid.cells.iter().map(move |c| (field.as_str(), c))).collect();
    for chunk in rows.chunks(100) {
        let values: Vec<String> = (0..chunk.len())
            .map(|i| {
                let b = i * 6;
                format!("(${}, ${}, ${}, ${}, ${}, ${})", b + 1, b + 2, b + 3, b + 4, b + 5, b + 6)
            })
            .collect();
        let sql = format!(
            "INSERT INTO record_cells (record_id, field, ethnicity, sex, grp, count) VALUES {}",
            values.join(", ")
        );
        let mut query = sqlx::query(&sql);
        for (field, cell) in chunk {
            let sex = match cell.sex {
                forms::Sex::Male => "male",
                forms::Sex::Female => "female",
            };
            query = query
                .bind(id.as_str())
                .bind(*field)
                .bind(cell.ethnicity.as_str())
                .bind(sex)
                .bind(cell.group.as_deref().unwrap_or(""))
                .bind(i64::from(cell.count));
        }
        query.execute(&mut **tx).await?;
    }
    Ok(())
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

fn parse_uuid(s: &str) -> Result<Uuid, StoreError> {
    Uuid::parse_str(s).map_err(|e| StoreError::Corrupt(format!("uuid '{s}': {e}")))
}

fn instant(ms: i64) -> Result<DateTime<Utc>, StoreError> {
    DateTime::from_timestamp_millis(ms).ok_or_else(|| StoreError::Corrupt(format!("instant {ms}")))
}

fn record_from_row(row: &AnyRow) -> Result<Record, StoreError> {
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
