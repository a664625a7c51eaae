//! Applying a batch of changes: the write path of push, and the heart of exactly-once.
//!
//! Every write transaction first takes the `seq` counter row. That one lock serialises
//! writers across server processes, which gives two guarantees cheaply: pull cursors become
//! visible in the order they were given out (no reader skips a change that commits late),
//! and "was this change id applied?" is answered and recorded with nothing in between.
//! Within the lock the batch is read and written in a few multi-row statements, so a batch
//! of 500 costs about as many round trips as a batch of 5.

use std::collections::{HashMap, HashSet};

use forms::sync::{ChangeResult, Outcome};
use forms::{Record, RecordStatus};
use sqlx::{Any, AnyConnection, Row, Transaction};
use uuid::Uuid;

use super::applied::{applied_in, APPLIED_COLUMNS};
pub use super::applied::{change_hash, change_id_reused, Applied};
use super::cells::{cell_rows, CellRow, CELL_COLUMNS};
use super::records::{out_of_scope, record_from_row, withdrawn, PreparedChange, RECORD_COLUMNS};
use super::users::{Role, Scope, User};
use super::{history, review, signoff, totals};
use super::{Db, StoreError};
use crate::db::{now_ms, Backend};

/// One bound value of a multi-row statement.
#[derive(Clone)]
pub(super) enum Param {
    Text(String),
    OptText(Option<String>),
    Int(i64),
    OptInt(Option<i64>),
}

impl Param {
    fn bind<'q>(
        &'q self,
        query: sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>>,
    ) -> sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>> {
        match self {
            Param::Text(s) => query.bind(s.as_str()),
            Param::OptText(s) => query.bind(s.as_deref()),
            Param::Int(i) => query.bind(*i),
            Param::OptInt(i) => query.bind(*i),
        }
    }
}

/// Parameters per statement, below SQLite's 32766 and PostgreSQL's 65535.
const MAX_PARAMS: usize = 30_000;

pub(super) async fn insert_rows(
    conn: &mut AnyConnection,
    backend: Backend,
    table: &str,
    columns: &[&str],
    rows: Vec<Vec<Param>>,
) -> Result<(), StoreError> {
    let width = columns.len();
    for chunk in rows.chunks(MAX_PARAMS / width) {
        let sql = format!("INSERT INTO {table} ({}) VALUES {}", columns.join(", "), backend.tuples(chunk.len(), width));
        let mut query = sqlx::query(&sql);
        for param in chunk.iter().flatten() {
            query = param.bind(query);
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// `SELECT … WHERE key IN (…)` in chunks, for lookups by a batch of ids.
pub(super) async fn select_in(
    conn: &mut AnyConnection,
    backend: Backend,
    select: &str,
    ids: &[String],
) -> Result<Vec<sqlx::any::AnyRow>, StoreError> {
    let mut rows = Vec::new();
    for chunk in ids.chunks(500) {
        let sql = format!("{select} IN ({})", backend.list(chunk.len()));
        let mut query = sqlx::query(&sql);
        for id in chunk {
            query = query.bind(id.as_str());
        }
        rows.extend(query.fetch_all(&mut *conn).await?);
    }
    Ok(rows)
}

impl Db {
    /// The change ids among these that were applied before, outside any transaction: lets
    /// push answer retries without validating them again.
    pub async fn applied_changes(&self, change_ids: &[Uuid]) -> Result<HashMap<Uuid, Applied>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        applied_in(&mut conn, self.backend, change_ids).await
    }

    /// Applies prepared changes in one durable transaction and returns one result per change,
    /// in order. The caller acknowledges nothing until this returns.
    pub async fn apply_changes(
        &self,
        user: &User,
        device_id: &str,
        scope: &Scope,
        reference: &forms::reference::ReferenceData,
        changes: Vec<PreparedChange>,
    ) -> Result<Vec<ChangeResult>, StoreError> {
        if changes.is_empty() {
            return Ok(Vec::new());
        }
        // Worked out before the lock is taken: it is held for every writer.
        let hashes = changes.iter().map(|c| change_hash(&c.change)).collect::<Result<Vec<_>, _>>()?;
        let mut tx = self.pool.begin().await?;
        // The writers' lock (`super::lock_writers`) and the last cursor, in one round trip.
        let seq: i64 = sqlx::query("UPDATE counters SET value = value WHERE name = 'seq' RETURNING value")
            .fetch_one(&mut *tx)
            .await?
            .try_get("value")?;

        // Read under the lock: another process may have applied some of these meanwhile.
        let change_ids: Vec<Uuid> = changes.iter().map(|c| c.change.change_id).collect();
        let earlier = applied_in(&mut tx, self.backend, &change_ids).await?;
        let record_ids: Vec<String> = changes.iter().map(|c| c.change.record.id.to_string()).collect();
        let select = format!("SELECT {RECORD_COLUMNS}, review_state, activity_date FROM records WHERE id");
        let mut current: HashMap<Uuid, Record> = HashMap::new();
        // Approved records are read-only for collectors (`forms::review`); a rewrite of a
        // returned or approved one resubmits it.
        let (mut approved, mut reviewed) = (HashSet::new(), HashSet::new());
        let mut dated: HashMap<Uuid, Option<String>> = HashMap::new();
        let mut stored: HashMap<Uuid, totals::Stored> = HashMap::new();
        for row in select_in(&mut tx, self.backend, &select, &record_ids).await? {
            let record = record_from_row(&row)?;
            match row.try_get::<Option<String>, _>("review_state")?.as_deref() {
                Some("approved") => {
                    approved.insert(record.id);
                    reviewed.insert(record.id);
                }
                Some("needs_changes") => {
                    reviewed.insert(record.id);
                }
                _ => {}
            }
            let activity_date: Option<String> = row.try_get("activity_date")?;
            if let Some(counted) = totals::Stored::of(&record, activity_date.clone()) {
                stored.insert(record.id, counted);
            }
            dated.insert(record.id, activity_date);
            current.insert(record.id, record);
        }
        // Read under the lock: a sign-off that committed first refuses what it covers.
        let closed = signoff::Closed::load(&mut tx).await?;

        let mut batch = Batch {
            seq,
            now: now_ms(),
            backend: self.backend,
            device_id: device_id.to_owned(),
            user_id: user.id,
            approved,
            reviewed,
            dated,
            stored,
            closed,
            ..Batch::default()
        };
        let mut results = Vec::with_capacity(changes.len());
        // Settled earlier in this batch: a second change under one id is answered as in a
        // later batch.
        let mut decided: HashMap<Uuid, Applied> = HashMap::new();
        for (prepared, content_hash) in changes.into_iter().zip(hashes) {
            let change_id = prepared.change.change_id;
            let record_id = prepared.change.record.id;
            if let Some(settled) = earlier.get(&change_id).or_else(|| decided.get(&change_id)) {
                results.push(settled.answer(change_id, user.id, record_id, &content_hash));
                continue;
            }
            let outcome = batch.decide(&mut tx, user, scope, reference, prepared, &mut current).await?;
            if outcome.settles_change() {
                batch.applied.push(vec![
                    Param::Text(change_id.to_string()),
                    Param::Text(record_id.to_string()),
                    Param::Int(user.id),
                    Param::Text(serde_json::to_string(&outcome)?),
                    Param::Int(batch.now),
                    Param::Text(content_hash.clone()),
                ]);
                let settled =
                    Applied { user_id: user.id, record_id, content_hash: Some(content_hash), outcome: outcome.clone() };
                decided.insert(change_id, settled);
            }
            results.push(ChangeResult { change_id, duplicate: false, outcome });
        }
        batch.flush(&mut tx, &current).await?;
        tx.commit().await?;
        Ok(results)
    }
}

/// What a batch will write, gathered so that most of it goes out in multi-row statements.
#[derive(Default)]
struct Batch {
    backend: Backend,
    seq: i64,
    now: i64,
    /// Every record the batch writes, in its final state, by id.
    pending: HashMap<Uuid, Pending>,
    /// Ids of `pending`, in the order first written.
    order: Vec<Uuid>,
    applied: Vec<Vec<Param>>,
    /// Who sent the batch, and from which device, for the history.
    user_id: i64,
    device_id: String,
    /// `record_revisions` rows of the revisions this batch wrote and overwrote itself.
    revisions: Vec<Vec<Param>>,
    /// Records approved before this batch: collectors may not change them.
    approved: HashSet<Uuid>,
    /// Records returned or approved before this batch: a rewrite resubmits them.
    reviewed: HashSet<Uuid>,
    /// The activity date of each record as stored (a change in this batch updates it).
    dated: HashMap<Uuid, Option<String>>,
    /// The open sign-offs, read under the lock.
    closed: signoff::Closed,
    /// What the final records among those stored before this batch counted in the sums.
    stored: HashMap<Uuid, totals::Stored>,
}

pub(super) struct Pending {
    /// Stored before this batch: an update rather than an insert.
    stored_before: bool,
    seq: i64,
    /// The change that wrote this state.
    pub(super) change_id: Uuid,
    pub(super) activity_date: Option<String>,
    pub(super) answers: String,
    cells: Vec<CellRow>,
}

impl Batch {
    /// Decides one change against the current state, which it then updates so that a later
    /// change to the same record in this batch sees it. Conflict copies are written at once.
    async fn decide(
        &mut self,
        tx: &mut Transaction<'static, Any>,
        user: &User,
        scope: &Scope,
        reference: &forms::reference::ReferenceData,
        prepared: PreparedChange,
        current: &mut HashMap<Uuid, Record>,
    ) -> Result<Outcome, StoreError> {
        let incoming = &prepared.change.record;
        let existing = current.get(&incoming.id);
        // A withdrawn version keeps its records editable, and deletable, but gains none: not as
        // a new record, nor by moving a record of another version onto it.
        let same_version =
            existing.is_some_and(|e| e.form_id == incoming.form_id && e.form_version == incoming.form_version);
        if prepared.withdrawn && !incoming.deleted && !same_version {
            return Ok(Outcome::Rejected { errors: vec![withdrawn(&incoming.form_id, incoming.form_version)] });
        }
        // A signed-off period takes no change, to a record dated inside it or into it.
        let organiser = |r: &Record| r.values.get("organiser").and_then(|v| v.as_str()).map(str::to_owned);
        let before = existing.and_then(|cur| {
            let date = self.dated.get(&cur.id).cloned().flatten();
            self.closed.refusal(&cur.location, date.as_deref(), organiser(cur).as_deref(), reference)
        });
        let after = || {
            let (date, organiser) = (prepared.activity_date.as_deref(), organiser(incoming));
            self.closed.refusal(&incoming.location, date, organiser.as_deref(), reference)
        };
        if let Some(refusal) = before.or_else(after) {
            return Ok(Outcome::Rejected { errors: vec![refusal] });
        }
        let revision = match existing {
            None => 1,
            Some(cur) if !scope.may_change(&cur.location, &cur.author, &user.username, reference) => {
                return Ok(Outcome::Rejected { errors: vec![out_of_scope()] });
            }
            Some(cur) if user.role == Role::Collector && self.approved.contains(&cur.id) => {
                return Ok(Outcome::Rejected { errors: vec![review::record_approved()] });
            }
            Some(cur) if cur.revision == prepared.change.base_revision => cur.revision + 1,
            Some(cur) => {
                let conflict_id = Uuid::new_v4();
                let row = vec![
                    Param::Text(conflict_id.to_string()),
                    Param::Text(incoming.id.to_string()),
                    Param::Text(prepared.change.change_id.to_string()),
                    Param::Int(prepared.change.base_revision as i64),
                    Param::Int(cur.revision as i64),
                    Param::Text(serde_json::to_string(incoming)?),
                    Param::Int(user.id),
                    Param::Int(self.now),
                ];
                insert_rows(tx, self.backend, "conflicts", &CONFLICT_COLUMNS, vec![row]).await?;
                return Ok(Outcome::Conflict { record_id: incoming.id, conflict_id, current: Box::new(cur.clone()) });
            }
        };
        self.seq += 1;
        // The author of a record is who first sent it; corrections keep it.
        let author = existing.map_or_else(|| user.username.clone(), |c| c.author.clone());
        let stored = existing.is_some();
        let cells = if incoming.deleted { Vec::new() } else { cell_rows(&prepared) };
        let PreparedChange { change, answers, activity_date, .. } = prepared;
        let change_id = change.change_id;
        let mut record = change.record;
        record.author = author;
        record.revision = revision;
        // What pulls send is the record as stored: normalized answers, none for a tombstone.
        record.values = if record.deleted { serde_json::Map::new() } else { answers };
        let stored_before = match self.pending.get(&record.id) {
            // Changed earlier in this batch: that revision is kept from memory, as it never
            // reaches `records` (the one before the batch is copied from there in `flush`).
            Some(p) => {
                if let Some(earlier) = existing {
                    self.revisions.push(history::revision_row(earlier, p, user.id, &self.device_id, self.now));
                }
                p.stored_before
            }
            None => {
                self.order.push(record.id);
                stored
            }
        };
        let pending = Pending {
            stored_before,
            seq: self.seq,
            change_id,
            activity_date: activity_date.filter(|_| !record.deleted),
            answers: serde_json::to_string(&record.values)?,
            cells,
        };
        let record_id = record.id;
        self.dated.insert(record_id, pending.activity_date.clone());
        self.pending.insert(record_id, pending);
        current.insert(record_id, record);
        Ok(Outcome::Applied { record_id, revision })
    }

    async fn flush(
        self,
        tx: &mut Transaction<'static, Any>,
        current: &HashMap<Uuid, Record>,
    ) -> Result<(), StoreError> {
        let mut inserts = Vec::new();
        let mut cells = Vec::new();
        // What the records rewritten here counted in report sums comes out with what they
        // count now, at the end: their stored cells are read first, while still there.
        let rewritten: Vec<String> = self
            .order
            .iter()
            .filter(|id| self.pending.get(id).is_some_and(|p| p.stored_before))
            .map(Uuid::to_string)
            .collect();
        // Those of them that counted (final, not deleted), as read before the batch.
        let counted_before: Vec<(&Uuid, &totals::Stored)> = self
            .order
            .iter()
            .filter(|id| self.pending.get(id).is_some_and(|p| p.stored_before))
            .filter_map(|id| Some((id, self.stored.get(id)?)))
            .collect();
        let ids: Vec<String> = counted_before.iter().map(|(id, _)| id.to_string()).collect();
        let stored_cells = totals::stored_cells(tx, self.backend, &ids).await?;
        // Only the few reviewed records pay for the review's bookkeeping.
        let among = |set: &HashSet<Uuid>| -> Vec<String> {
            self.order
                .iter()
                .filter(|id| set.contains(id) && self.pending.get(id).is_some_and(|p| p.stored_before))
                .map(Uuid::to_string)
                .collect()
        };
        let (approved, reviewed) = (among(&self.approved), among(&self.reviewed));
        totals::sum_records(tx, self.backend, &approved, -1, totals::Counting::Approved).await?;
        // Every revision is kept: the one each rewritten record had before the batch is
        // copied out of `records` before it is overwritten.
        history::keep_stored(tx, self.backend, &rewritten).await?;
        for id in &self.order {
            let (Some(p), Some(r)) = (self.pending.get(id), current.get(id)) else { continue };
            let row = vec![
                Param::Text(id.to_string()),
                Param::Text(r.form_id.clone()),
                Param::Int(i64::from(r.form_version)),
                Param::Text(r.location.unit_list.clone()),
                Param::Text(r.location.unit_code.clone()),
                Param::Text(r.author.clone()),
                Param::Text(r.device_id.clone()),
                Param::Int(r.created_at.timestamp_millis()),
                Param::Int(r.updated_at.timestamp_millis()),
                Param::Text(status(r.status).to_owned()),
                Param::Int(i64::from(r.deleted)),
                Param::Int(r.revision as i64),
                Param::OptText(p.activity_date.clone()),
                Param::Int(p.seq),
                Param::Text(p.answers.clone()),
                Param::Int(self.now),
                Param::OptText(Some(p.change_id.to_string())),
                Param::OptInt(Some(self.user_id)),
                Param::OptText(Some(self.device_id.clone())),
            ];
            if p.stored_before {
                update_record(tx, row).await?;
                sqlx::query("DELETE FROM record_cells WHERE record_id = $1")
                    .bind(id.to_string())
                    .execute(&mut **tx)
                    .await?;
            } else {
                inserts.push(row);
            }
        }
        for id in &self.order {
            if let Some(p) = self.pending.get(id) {
                cells.extend(p.cells.iter().map(|c| c.params(id)));
            }
        }
        let backend = self.backend;
        insert_rows(tx, backend, "records", &RECORD_INSERT_COLUMNS, inserts).await?;
        insert_rows(tx, backend, "record_cells", &CELL_COLUMNS, cells).await?;
        insert_rows(tx, backend, "applied_changes", &APPLIED_COLUMNS, self.applied).await?;
        insert_rows(tx, backend, "record_revisions", &history::REVISION_COLUMNS, self.revisions).await?;
        let mut counted: Vec<totals::Counted> = self
            .order
            .iter()
            .filter_map(|id| Some((self.pending.get(id)?, current.get(id)?)))
            .filter(|(_, r)| r.status == RecordStatus::Final && !r.deleted)
            .map(|(p, r)| totals::Counted {
                form_id: &r.form_id,
                unit_list: &r.location.unit_list,
                unit_code: &r.location.unit_code,
                activity_date: p.activity_date.as_deref(),
                agency: totals::organiser(r),
                cells: p
                    .cells
                    .iter()
                    .map(|c| (c.field.as_str(), c.ethnicity.as_str(), c.group.as_str(), c.sex, c.count))
                    .collect(),
                sign: 1,
            })
            .collect();
        for (id, stored) in counted_before {
            let cells = stored_cells.get(&id.to_string()).map_or(&[][..], Vec::as_slice);
            counted.push(totals::Counted::taken_out(stored, cells));
        }
        totals::add_counted(tx, backend, &counted).await?;
        review::resubmitted(tx, backend, &reviewed, self.user_id, self.now).await?;
        sqlx::query("UPDATE counters SET value = $1 WHERE name = 'seq'").bind(self.seq).execute(&mut **tx).await?;
        Ok(())
    }
}

const RECORD_INSERT_COLUMNS: [&str; 19] = [
    "id",
    "form_id",
    "form_version",
    "unit_list",
    "unit_code",
    "author",
    "device_id",
    "created_at",
    "updated_at",
    "status",
    "deleted",
    "revision",
    "activity_date",
    "seq",
    "answers",
    "received_at",
    "change_id",
    "sent_by",
    "sent_from",
];
const CONFLICT_COLUMNS: [&str; 8] =
    ["id", "record_id", "change_id", "base_revision", "server_revision", "incoming", "user_id", "created_at"];

/// Updates a stored record from a row laid out as `RECORD_INSERT_COLUMNS`.
async fn update_record(tx: &mut Transaction<'static, Any>, row: Vec<Param>) -> Result<(), StoreError> {
    let sets: Vec<String> =
        RECORD_INSERT_COLUMNS.iter().enumerate().skip(1).map(|(i, c)| format!("{c} = ${}", i + 1)).collect();
    let sql = format!("UPDATE records SET {} WHERE id = $1", sets.join(", "));
    let mut query = sqlx::query(&sql);
    for param in &row {
        query = param.bind(query);
    }
    query.execute(&mut **tx).await?;
    Ok(())
}

pub(super) fn status(s: RecordStatus) -> &'static str {
    match s {
        RecordStatus::Draft => "draft",
        RecordStatus::Final => "final",
    }
}
