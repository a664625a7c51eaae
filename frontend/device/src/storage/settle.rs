//! Folding the server's answers into storage: push results settle outbox entries, pulled
//! pages update records. Each answer is applied in one transaction, so an entry leaves the
//! outbox exactly when its record takes the server's outcome.

use std::collections::HashMap;

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
        let mut pending: HashMap<Uuid, (f64, OutboxEntry)> = HashMap::new();
        for row in outbox.get_all::<JsValue>().await? {
            let row = row?;
            let entry: OutboxEntry = rows::data(&row)?;
            pending.insert(entry.change.change_id, (rows::outbox_seq(&row), entry));
        }

        for result in &response.results {
            let Some((seq, entry)) = pending.remove(&result.change_id) else {
                report.unknown += 1;
                continue;
            };
            let record_id = entry.change.record.id;
            let row: Option<JsValue> = records.get::<JsValue, String, _>(key(record_id)).await?;
            let local: Option<LocalRecord> = row.map(|r| rows::data(&r)).transpose()?;
            outbox.delete::<String, _>(key(result.change_id)).await?;
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
                    let mut more_pending = false;
                    for (seq, other) in pending.values_mut().filter(|(_, e)| e.change.record.id == record_id) {
                        more_pending = true;
                        other.change.base_revision = *revision;
                        let row = rows::outbox_row(other, *seq)?;
                        outbox.put(row).with_key(key(other.change.change_id)).without_key_type().await?;
                    }
                    local.map(|l| model::after_applied(l, *revision, more_pending))
                }
                Outcome::Conflict { current, .. } => {
                    if result.duplicate {
                        report.duplicates += 1;
                    } else {
                        report.conflicts += 1;
                    }
                    local.map(|l| model::after_conflict(l, (**current).clone()))
                }
                Outcome::Rejected { errors } => {
                    report.rejected += 1;
                    let kept = RejectedEntry { entry: entry.clone(), errors: errors.clone(), rejected_at: Utc::now() };
                    if self.version >= 2 {
                        let rejected = tx.object_store(REJECTED)?;
                        rejected
                            .put(rows::rejected_row(&kept)?)
                            .with_key(key(result.change_id))
                            .without_key_type()
                            .await?;
                    } else {
                        // A v1 database has nowhere else to keep it: leave it queued.
                        let row = rows::outbox_row(&entry, seq)?;
                        outbox.put(row).with_key(key(result.change_id)).without_key_type().await?;
                    }
                    local.map(|l| model::after_rejected(l, errors.clone()))
                }
            };
            if let Some(updated) = updated {
                records.put(rows::record_row(&updated)?).with_key(key(record_id)).without_key_type().await?;
            }
        }
        drop((records, outbox));
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
        let mut written = 0;
        for pulled in &page.records {
            let id = pulled.record.id;
            let row: Option<JsValue> = records.get::<JsValue, String, _>(key(id)).await?;
            let local: Option<LocalRecord> = row.map(|r| rows::data(&r)).transpose()?;
            if let Some(updated) = model::after_pull(local, pulled.record.clone(), pulled.review.clone()) {
                records.put(rows::record_row(&updated)?).with_key(key(id)).without_key_type().await?;
                written += 1;
            }
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
