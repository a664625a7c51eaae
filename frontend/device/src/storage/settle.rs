//! Folding the server's answers into storage: push results settle outbox entries, pulled
//! pages update records. Each answer is applied in one transaction, so an entry leaves the
//! outbox exactly when its record takes the server's outcome.

use std::collections::{HashMap, HashSet};

use chrono::Utc;
use forms::sync::{Outcome, PullResponse, PushResponse};
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionMode;
use uuid::Uuid;
use wasm_bindgen::JsValue;

use super::rows::{self, key};
use super::schema::{META, OUTBOX, RECORDS, REJECTED};
use super::{Storage, StorageError, META_CURSOR};
use crate::model::{self, LocalRecord, OutboxEntry, RejectedEntry};

/// What one push response did to the outbox.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SettleReport {
    /// Applied for the first time.
    pub applied: usize,
    /// Applied or conflicting earlier (a retry): settled the same way.
    pub duplicates: usize,
    pub conflicts: usize,
    pub rejected: usize,
    /// Results for change ids not in the outbox (already settled): ignored.
    pub unknown: usize,
}

impl SettleReport {
    /// Entries that left the sending loop.
    pub fn settled(&self) -> usize {
        self.applied + self.duplicates + self.conflicts + self.rejected
    }
}

impl Storage {
    /// Applies a push response: applied, duplicate and conflicting changes leave the outbox
    /// and their records take the outcome; refused changes move to the `rejected` store and
    /// their records show the reasons. Changes without a result stay queued.
    pub async fn settle(&self, response: &PushResponse) -> Result<SettleReport, StorageError> {
        let mut report = SettleReport::default();
        let tx = self.tx(&[RECORDS, OUTBOX, REJECTED], TransactionMode::Readwrite)?;
        let records = tx.object_store(RECORDS)?;
        let outbox = tx.object_store(OUTBOX)?;
        let rejected = if self.version >= 2 { Some(tx.object_store(REJECTED)?) } else { None };

        // Requests go out when built and run in order, so everything is read first in two
        // batches of requests rather than one awaited request at a time: a push of 100
        // changes costs a few round trips to the database, not 300. `getAll` and
        // `getAllKeys` list the same rows in the same (key) order.
        let (keys, values) = (outbox.get_all_keys::<String>().primitive()?, outbox.get_all::<JsValue>().primitive()?);
        let keys: Vec<String> = keys.await?.collect::<Result<_, _>>()?;
        let values: Vec<JsValue> = values.await?.collect::<Result<_, _>>()?;
        let queued: HashMap<String, JsValue> = keys.into_iter().zip(values).collect();

        // Each answered change, parsed from its row: only these (and later changes of the
        // same records, below) are parsed, however long the queue.
        let mut answered: Vec<Option<(f64, OutboxEntry)>> = Vec::with_capacity(response.results.len());
        let mut seen = HashSet::new();
        for result in &response.results {
            let row = seen.insert(result.change_id).then(|| queued.get(&key(result.change_id))).flatten();
            answered.push(row.map(|row| Ok::<_, StorageError>((rows::outbox_seq(row), rows::data(row)?))).transpose()?);
        }
        let mut local: HashMap<Uuid, Option<LocalRecord>> = HashMap::new();
        let mut reads = Vec::new();
        for (_, entry) in answered.iter().flatten() {
            let id = entry.change.record.id;
            if local.insert(id, None).is_none() {
                reads.push((id, records.get::<JsValue, String, _>(key(id)).primitive()?));
            }
        }
        for (id, read) in reads {
            let row: Option<JsValue> = read.await?;
            local.insert(id, row.map(|r| rows::data(&r)).transpose()?);
        }

        let mut writes = Vec::new();
        let mut deletes = Vec::new();
        for (result, answered) in response.results.iter().zip(answered) {
            let Some((seq, entry)) = answered else {
                report.unknown += 1;
                continue;
            };
            let record_id = entry.change.record.id;
            let current = local.get_mut(&record_id).and_then(Option::take);
            deletes.push(outbox.delete::<String, _>(key(result.change_id)).primitive()?);
            let updated = match &result.outcome {
                Outcome::Applied { revision, .. } => {
                    if result.duplicate {
                        report.duplicates += 1;
                    } else {
                        report.applied += 1;
                    }
                    // Later changes of this record were queued against the old revision;
                    // they were never sent (one change per record per batch), so they now
                    // build on this one instead of conflicting with it.
                    let later = later_changes(&queued, record_id, result.change_id)?;
                    let more_pending = !later.is_empty();
                    for (seq, mut other) in later {
                        other.change.base_revision = *revision;
                        let row = rows::outbox_row(&other, seq)?;
                        writes.push(
                            outbox.put(row).with_key(key(other.change.change_id)).without_key_type().primitive()?,
                        );
                    }
                    current.map(|l| model::after_applied(l, *revision, more_pending))
                }
                Outcome::Conflict { current: theirs, .. } => {
                    if result.duplicate {
                        report.duplicates += 1;
                    } else {
                        report.conflicts += 1;
                    }
                    current.map(|l| model::after_conflict(l, (**theirs).clone()))
                }
                Outcome::Rejected { errors } => {
                    report.rejected += 1;
                    let kept = RejectedEntry { entry: entry.clone(), errors: errors.clone(), rejected_at: Utc::now() };
                    if let Some(rejected) = &rejected {
                        let row = rows::rejected_row(&kept)?;
                        writes.push(rejected.put(row).with_key(key(result.change_id)).without_key_type().primitive()?);
                    } else {
                        // A v1 database has nowhere else to keep it: leave it queued.
                        let row = rows::outbox_row(&entry, seq)?;
                        writes.push(outbox.put(row).with_key(key(result.change_id)).without_key_type().primitive()?);
                    }
                    current.map(|l| model::after_rejected(l, errors.clone()))
                }
            };
            // A later result for the same record (not sent by this crate, but possible) builds
            // on this outcome, as it would had each been stored before the next was read.
            if let Some(updated) = &updated {
                writes.push(
                    records.put(rows::record_row(updated)?).with_key(key(record_id)).without_key_type().primitive()?,
                );
            }
            local.insert(record_id, updated);
        }
        for delete in deletes {
            delete.await?;
        }
        for write in writes {
            write.await?;
        }
        drop((records, outbox, rejected));
        tx.commit().await?;
        Ok(report)
    }

    /// Conflict, "take the server's version": in one transaction the record becomes the
    /// server's copy it holds in `conflict` (state `Synced`, the server's revision), the
    /// conflict and the server's reasons are cleared, and every outbox entry of the record
    /// goes: the officer's edit is dropped on purpose, and nothing is sent (the server already
    /// has this version). Refused changes kept in `rejected` are left alone. A record that
    /// is missing or holds no server copy is refused with [`StorageError::NoConflict`] and
    /// nothing is written.
    pub async fn take_theirs(&self, id: Uuid) -> Result<(), StorageError> {
        let tx = self.tx(&[RECORDS, OUTBOX], TransactionMode::Readwrite)?;
        let records = tx.object_store(RECORDS)?;
        let outbox = tx.object_store(OUTBOX)?;
        let row: Option<JsValue> = records.get::<JsValue, String, _>(key(id)).await?;
        let mut local: LocalRecord = match row {
            Some(row) => rows::data(&row)?,
            None => return Err(StorageError::NoConflict(id)),
        };
        if local.conflict.is_none() {
            return Err(StorageError::NoConflict(id));
        }
        local.take_theirs();
        let record_id = key(id);
        let mut queued = Vec::new();
        for row in outbox.get_all::<JsValue>().await? {
            let row = row?;
            if rows::get_str(&row, "record_id").as_deref() == Some(record_id.as_str()) {
                let entry: OutboxEntry = rows::data(&row)?;
                queued.push(key(entry.change.change_id));
            }
        }
        for change_id in queued {
            outbox.delete::<String, _>(change_id).await?;
        }
        records.put(rows::record_row(&local)?).with_key(record_id).without_key_type().await?;
        drop((records, outbox));
        tx.commit().await?;
        Ok(())
    }

    /// Stores one pulled page and, in the same transaction, its `next_cursor`: an interrupted
    /// pull resumes after the last page stored. Returns how many records were written.
    pub async fn apply_pull(&self, page: &PullResponse) -> Result<usize, StorageError> {
        let tx = self.tx(&[META, RECORDS], TransactionMode::Readwrite)?;
        let meta = tx.object_store(META)?;
        let records = tx.object_store(RECORDS)?;
        // All reads go out at once (see `settle`); a page repeating a record is folded in
        // order, each version against the one before.
        let mut local: HashMap<Uuid, Option<LocalRecord>> = HashMap::new();
        let mut reads = Vec::new();
        for pulled in &page.records {
            let id = pulled.record.id;
            if local.insert(id, None).is_none() {
                reads.push((id, records.get::<JsValue, String, _>(key(id)).primitive()?));
            }
        }
        for (id, read) in reads {
            let row: Option<JsValue> = read.await?;
            local.insert(id, row.map(|r| rows::data(&r)).transpose()?);
        }
        let mut writes = Vec::new();
        for pulled in &page.records {
            let id = pulled.record.id;
            let current = local.get_mut(&id).and_then(Option::take);
            match model::after_pull(current.clone(), pulled.record.clone()) {
                Some(updated) => {
                    writes.push(
                        records.put(rows::record_row(&updated)?).with_key(key(id)).without_key_type().primitive()?,
                    );
                    local.insert(id, Some(updated));
                }
                None => {
                    local.insert(id, current);
                }
            }
        }
        let written = writes.len();
        for write in writes {
            write.await?;
        }
        let old: Option<JsValue> = meta.get::<JsValue, &str, _>(META_CURSOR).await?;
        let old = old.map(|v| rows::meta_parse::<u64>(&v)).transpose()?.unwrap_or(0);
        // The cursor never goes backwards, even if a stale page is applied late.
        let cursor = old.max(page.next_cursor);
        meta.put(rows::meta_value(&cursor)?).with_key(META_CURSOR).without_key_type().await?;
        drop((meta, records));
        tx.commit().await?;
        Ok(written)
    }
}

/// The outbox entries of `record` other than `settled`, parsed, with their `seq`.
fn later_changes(
    queued: &HashMap<String, JsValue>,
    record: Uuid,
    settled: Uuid,
) -> Result<Vec<(f64, OutboxEntry)>, StorageError> {
    let (record, settled) = (key(record), key(settled));
    queued
        .iter()
        .filter(|(change_id, row)| {
            **change_id != settled && rows::get_str(row, "record_id").as_deref() == Some(&record)
        })
        .map(|(_, row)| Ok((rows::outbox_seq(row), rows::data(row)?)))
        .collect()
}
