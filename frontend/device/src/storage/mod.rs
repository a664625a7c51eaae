//! Records, drafts, the outbox and small settings in IndexedDB: what must survive a reload,
//! a crash, or a week without signal.
//!
//! Every operation that changes more than one store runs in one transaction, committed
//! explicitly (`indexed_db_futures` rolls back a dropped transaction), so a record and its
//! outbox entry are written together or not at all.

mod forget;
mod photos;
mod rows;
pub mod schema;
mod settle;

use std::collections::HashSet;
use std::rc::Rc;

use forms::sync::Change;
use indexed_db_futures::database::Database;
use indexed_db_futures::internals::SystemRepr;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::{Transaction, TransactionMode};
use serde::de::DeserializeOwned;
use serde::Serialize;
use uuid::Uuid;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

pub use crate::model::{Counts, LocalRecord, OutboxEntry, RejectedEntry, SyncState};
pub use photos::{names_photo, PhotoKey, KEEP_SENT_PHOTOS_MS};
use rows::key;
pub use schema::SCHEMA_VERSION;
use schema::{BY_RECORD, META, OUTBOX, PHOTOS, RECORDS, REJECTED};
pub use settle::SettleReport;

/// The database the app uses; tests open others by name.
pub const DB_NAME: &str = "sotay";

/// Meta keys used by this crate.
pub const META_CURSOR: &str = "cursor";
pub const META_DEVICE_ID: &str = "device_id";
pub const META_CATALOG: &str = "catalog";
pub const META_CATALOG_VERSION: &str = "catalog_version";
const META_OUTBOX_SEQ: &str = "outbox_seq";

thread_local! {
    static FAIL_QUEUE_MIDWAY: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Fault injection for tests: the next `queue` fails after writing the outbox entry and
/// before writing the record, to show that the transaction then writes neither.
#[doc(hidden)]
pub fn fail_next_queue_midway() {
    FAIL_QUEUE_MIDWAY.with(|f| f.set(true));
}

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("could not open the database: {0}")]
    Open(String),
    #[error("database error: {0}")]
    Idb(String),
    #[error("stored data could not be read: {0}")]
    Corrupt(String),
    #[error("record {0} has been queued or synced; it cannot be discarded as a draft")]
    NotADraft(Uuid),
    #[error("record {0} holds no server version to take")]
    NoConflict(Uuid),
    #[error("{0} records are not on the server yet; nothing was removed")]
    Unsent(usize),
    #[error("the change is of record {change} but the record is {record}")]
    Mismatch { record: Uuid, change: Uuid },
    /// The browser refused to store more (the phone is full, or the site's share is used
    /// up). What was stored before is untouched.
    #[error("storage is full")]
    Full,
}

impl From<indexed_db_futures::error::Error> for StorageError {
    fn from(e: indexed_db_futures::error::Error) -> Self {
        let text = e.to_string();
        if text.contains("QuotaExceeded") || text.contains("quota") {
            StorageError::Full
        } else {
            StorageError::Idb(text)
        }
    }
}

/// A handle on the open database; cheap to clone.
#[derive(Clone)]
pub struct Storage {
    db: Rc<Database>,
    version: u32,
}

impl std::fmt::Debug for Storage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Storage").field("name", &self.db.name()).field("version", &self.version).finish()
    }
}

impl Storage {
    pub async fn open() -> Result<Storage, StorageError> {
        Self::open_named(DB_NAME).await
    }

    pub async fn open_named(name: &str) -> Result<Storage, StorageError> {
        Self::open_at(name, SCHEMA_VERSION).await
    }

    /// Opens (creating or upgrading) `name` at schema `version`. Only tests need a version
    /// other than [`SCHEMA_VERSION`], to build an old database and then upgrade it.
    #[doc(hidden)]
    pub async fn open_at(name: &str, version: u32) -> Result<Storage, StorageError> {
        let db = Database::open(name)
            .with_version(version)
            .with_on_upgrade_needed(move |event, db| {
                let old = event.old_version() as u32;
                let new = event.new_version().map_or(version, |v| v as u32);
                schema::upgrade(&db, old, new)
            })
            .await
            .map_err(|e| StorageError::Open(e.to_string()))?;
        close_on_version_change(&db);
        Ok(Storage { db: Rc::new(db), version })
    }

    /// Closes the connection now (a reload or an upgrade in another tab would otherwise wait
    /// for the garbage collector). Other clones of this handle stop working.
    pub fn close(&self) {
        self.db.as_sys().close();
    }

    pub fn schema_version(&self) -> u32 {
        self.version
    }

    fn tx(&self, stores: &[&str], mode: TransactionMode) -> Result<Transaction<'_>, StorageError> {
        // A database held at an older version (only in migration tests) lacks later stores.
        let stores: Vec<&str> = stores
            .iter()
            .copied()
            .filter(|s| (*s != REJECTED || self.version >= 2) && (*s != PHOTOS || self.version >= 3))
            .collect();
        Ok(self.db.transaction(stores).with_mode(mode).build()?)
    }

    pub async fn get_meta<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, StorageError> {
        let tx = self.tx(&[META], TransactionMode::Readonly)?;
        let store = tx.object_store(META)?;
        let value: Option<JsValue> = store.get::<JsValue, &str, _>(key).await?;
        value.map(|v| rows::meta_parse(&v)).transpose()
    }

    pub async fn put_meta<T: Serialize>(&self, key: &str, value: &T) -> Result<(), StorageError> {
        let tx = self.tx(&[META], TransactionMode::Readwrite)?;
        let store = tx.object_store(META)?;
        store.put(rows::meta_value(value)?).with_key(key).without_key_type().await?;
        drop(store);
        tx.commit().await?;
        Ok(())
    }

    /// Stores a form catalog as the server sent it (JSON text that reads as a
    /// [`forms::Bundle`]) together with its version, in one transaction.
    pub async fn put_catalog(&self, bundle_json: &str, version: &str) -> Result<(), StorageError> {
        let tx = self.tx(&[META], TransactionMode::Readwrite)?;
        let store = tx.object_store(META)?;
        store.put(JsValue::from_str(bundle_json)).with_key(META_CATALOG).without_key_type().await?;
        store.put(rows::meta_value(&version)?).with_key(META_CATALOG_VERSION).without_key_type().await?;
        drop(store);
        tx.commit().await?;
        Ok(())
    }

    /// This installation's device id, made on first use and kept.
    pub async fn device_id(&self) -> Result<String, StorageError> {
        if let Some(id) = self.get_meta::<String>(META_DEVICE_ID).await? {
            return Ok(id);
        }
        let id = Uuid::new_v4().to_string();
        self.put_meta(META_DEVICE_ID, &id).await?;
        Ok(id)
    }

    /// Autosave: stores the record as a draft. The outbox is left alone, so a change already
    /// queued is still sent; this edit is sent only once it is queued in turn.
    pub async fn save_draft(&self, record: &LocalRecord) -> Result<(), StorageError> {
        let local = LocalRecord { state: SyncState::Draft, ..record.clone() };
        let tx = self.tx(&[RECORDS], TransactionMode::Readwrite)?;
        let store = tx.object_store(RECORDS)?;
        store.put(rows::record_row(&local)?).with_key(key(local.record.id)).without_key_type().await?;
        drop(store);
        tx.commit().await?;
        Ok(())
    }

    /// Queues `record` for sending: the record (state `Queued`) and its outbox entry are
    /// written in one transaction. The change sent is built here from `record`: its
    /// `base_revision` is the revision the device had (`record.record.revision`, 0 for a new
    /// record); only the change id and `queued_at` are taken from `change`. A nil change id,
    /// or the id of a change the server refused, is replaced by a fresh one (a fix is a new
    /// change). A refused change of this record is superseded and removed.
    pub async fn queue(&self, record: &LocalRecord, change: &OutboxEntry) -> Result<(), StorageError> {
        let id = record.record.id;
        if change.change.record.id != id {
            return Err(StorageError::Mismatch { record: id, change: change.change.record.id });
        }
        let mut entry = change.clone();
        entry.change.base_revision = record.record.revision;
        entry.change.record = record.record.clone();
        let local = LocalRecord { state: SyncState::Queued, errors: Vec::new(), ..record.clone() };

        let tx = self.tx(&[META, RECORDS, OUTBOX, REJECTED], TransactionMode::Readwrite)?;
        let meta = tx.object_store(META)?;
        let records = tx.object_store(RECORDS)?;
        let outbox = tx.object_store(OUTBOX)?;
        if self.version >= 2 {
            let rejected = tx.object_store(REJECTED)?;
            let was_refused: Option<JsValue> = rejected.get::<JsValue, String, _>(key(entry.change.change_id)).await?;
            if entry.change.change_id.is_nil() || was_refused.is_some() {
                entry.change.change_id = Uuid::new_v4();
            }
            let superseded: Vec<String> = rejected
                .index(BY_RECORD)?
                .get_all_keys::<String>()
                .with_query::<String, _>(key(id))
                .await?
                .collect::<Result<_, _>>()?;
            for k in superseded {
                rejected.delete::<String, _>(k).await?;
            }
        } else if entry.change.change_id.is_nil() {
            entry.change.change_id = Uuid::new_v4();
        }
        // Queueing the same entry twice keeps its place in the line.
        let existing: Option<JsValue> = outbox.get::<JsValue, String, _>(key(entry.change.change_id)).await?;
        let seq = match existing {
            Some(row) => rows::outbox_seq(&row),
            None => {
                let last: Option<JsValue> = meta.get::<JsValue, &str, _>(META_OUTBOX_SEQ).await?;
                let next = last.map(|v| rows::meta_parse::<f64>(&v)).transpose()?.unwrap_or(0.0) + 1.0;
                meta.put(rows::meta_value(&next)?).with_key(META_OUTBOX_SEQ).without_key_type().await?;
                next
            }
        };
        outbox.put(rows::outbox_row(&entry, seq)?).with_key(key(entry.change.change_id)).without_key_type().await?;
        if FAIL_QUEUE_MIDWAY.with(|f| f.replace(false)) {
            // Dropping `tx` here rolls the outbox write back: that is what the test checks.
            return Err(StorageError::Idb("injected failure".into()));
        }
        records.put(rows::record_row(&local)?).with_key(key(id)).without_key_type().await?;
        drop((meta, records, outbox));
        tx.commit().await?;
        Ok(())
    }

    pub async fn record(&self, id: Uuid) -> Result<Option<LocalRecord>, StorageError> {
        let tx = self.tx(&[RECORDS], TransactionMode::Readonly)?;
        let store = tx.object_store(RECORDS)?;
        let row: Option<JsValue> = store.get::<JsValue, String, _>(key(id)).await?;
        row.map(|r| rows::data(&r)).transpose()
    }

    /// Every record not deleted, most recently edited first.
    pub async fn records(&self) -> Result<Vec<LocalRecord>, StorageError> {
        let mut all = self.all_records().await?;
        all.retain(|r| !r.record.deleted);
        Ok(all)
    }

    /// Every record including tombstones, most recently edited first.
    pub async fn all_records(&self) -> Result<Vec<LocalRecord>, StorageError> {
        let tx = self.tx(&[RECORDS], TransactionMode::Readonly)?;
        let store = tx.object_store(RECORDS)?;
        let mut all: Vec<LocalRecord> =
            store.get_all::<JsValue>().await?.map(|row| rows::data(&row?)).collect::<Result<_, StorageError>>()?;
        forms::order::sort_by(&mut all, |a, b| {
            b.record.updated_at.cmp(&a.record.updated_at).then(a.record.id.cmp(&b.record.id))
        });
        Ok(all)
    }

    /// Discards a draft that was never queued. Anything the server has or may have (a change
    /// queued, sent or refused) is refused with [`StorageError::NotADraft`]: deleting it is a
    /// tombstone change, queued like any other.
    pub async fn delete_draft(&self, id: Uuid) -> Result<(), StorageError> {
        let tx = self.tx(&[RECORDS, OUTBOX, REJECTED], TransactionMode::Readwrite)?;
        let records = tx.object_store(RECORDS)?;
        let row: Option<JsValue> = records.get::<JsValue, String, _>(key(id)).await?;
        let Some(row) = row else { return Ok(()) };
        let local: LocalRecord = rows::data(&row)?;
        let outbox = tx.object_store(OUTBOX)?;
        let queued = outbox
            .get_all::<JsValue>()
            .await?
            .filter_map(Result::ok)
            .any(|r| rows::get_str(&r, "record_id").as_deref() == Some(key(id).as_str()));
        let refused = if self.version >= 2 {
            let rejected = tx.object_store(REJECTED)?;
            rejected.index(BY_RECORD)?.count().with_query::<String, _>(key(id)).await? > 0
        } else {
            false
        };
        if local.state != SyncState::Draft || local.record.revision != 0 || queued || refused {
            return Err(StorageError::NotADraft(id));
        }
        records.delete::<String, _>(key(id)).await?;
        drop((records, outbox));
        tx.commit().await?;
        Ok(())
    }

    /// The changes waiting to be sent, oldest first.
    pub async fn outbox(&self) -> Result<Vec<OutboxEntry>, StorageError> {
        let tx = self.tx(&[OUTBOX], TransactionMode::Readonly)?;
        let store = tx.object_store(OUTBOX)?;
        let mut entries: Vec<(f64, OutboxEntry)> = store
            .get_all::<JsValue>()
            .await?
            .map(|row| {
                let row = row?;
                Ok((rows::outbox_seq(&row), rows::data(&row)?))
            })
            .collect::<Result<_, StorageError>>()?;
        forms::order::sort_by(&mut entries, |a, b| a.0.total_cmp(&b.0));
        Ok(entries.into_iter().map(|(_, e)| e).collect())
    }

    /// The next changes to push, oldest first: at most `max` and at most one per record
    /// ([`crate::sync::first_per_record`]), none of a record in `busy` (sent and not settled
    /// yet: its later changes wait for the rebase settling does); and how many changes wait
    /// in all. Only the chosen entries are parsed: a sync round reads the outbox before
    /// every batch, and a queue of a thousand records should not cost a thousand parses each
    /// time.
    pub async fn push_batch(&self, max: usize, busy: &HashSet<Uuid>) -> Result<(Vec<Change>, usize), StorageError> {
        let tx = self.tx(&[OUTBOX], TransactionMode::Readonly)?;
        let store = tx.object_store(OUTBOX)?;
        let mut queued: Vec<(f64, JsValue)> = store
            .get_all::<JsValue>()
            .await?
            .map(|row| row.map(|row| (rows::outbox_seq(&row), row)))
            .collect::<Result<_, _>>()?;
        forms::order::sort_by(&mut queued, |a, b| a.0.total_cmp(&b.0));
        let record_ids = queued
            .iter()
            .map(|(_, row)| match rows::get_str(row, "record_id") {
                Some(id) => Ok(id),
                None => rows::data::<OutboxEntry>(row).map(|e| key(e.change.record.id)),
            })
            .collect::<Result<Vec<String>, StorageError>>()?;
        let busy: HashSet<String> = busy.iter().map(|id| key(*id)).collect();
        let open: Vec<usize> = (0..queued.len()).filter(|&i| !busy.contains(&record_ids[i])).collect();
        let batch = crate::sync::first_per_record(open.iter().map(|&i| &record_ids[i]), max)
            .into_iter()
            .map(|j| rows::data::<OutboxEntry>(&queued[open[j]].1).map(|e| e.change))
            .collect::<Result<_, _>>()?;
        Ok((batch, queued.len()))
    }

    /// The changes the server refused, oldest first; kept until a fix supersedes them.
    pub async fn rejected(&self) -> Result<Vec<RejectedEntry>, StorageError> {
        if self.version < 2 {
            return Ok(Vec::new());
        }
        let tx = self.tx(&[REJECTED], TransactionMode::Readonly)?;
        let store = tx.object_store(REJECTED)?;
        let mut entries: Vec<RejectedEntry> =
            store.get_all::<JsValue>().await?.map(|row| rows::data(&row?)).collect::<Result<_, StorageError>>()?;
        forms::order::sort_by_key(&mut entries, |e| e.rejected_at);
        Ok(entries)
    }

    /// What the phone reports with each sync: changes waiting, changes refused. Two counts,
    /// no record read.
    pub async fn device_state(&self) -> Result<crate::api::DeviceState, StorageError> {
        let tx = self.tx(&[OUTBOX, REJECTED], TransactionMode::Readonly)?;
        let pending = tx.object_store(OUTBOX)?.count().await? as usize;
        let refused = if self.version < 2 { 0 } else { tx.object_store(REJECTED)?.count().await? as usize };
        Ok(crate::api::DeviceState { pending, refused })
    }

    pub async fn counts(&self) -> Result<Counts, StorageError> {
        let tx = self.tx(&[RECORDS, OUTBOX, PHOTOS], TransactionMode::Readonly)?;
        let unsent_photos = if self.version >= 3 { photos::count_unsent(&tx.object_store(PHOTOS)?).await? } else { 0 };
        let records = tx.object_store(RECORDS)?;
        let waiting = tx.object_store(OUTBOX)?.count().await? as usize;
        let mut counts = Counts { waiting, unsent_photos, ..Counts::default() };
        for row in records.get_all::<JsValue>().await? {
            let row = row?;
            if rows::needs_changes_flag(&row) {
                counts.needs_changes += 1;
            }
            let (state, deleted) = rows::record_flags(&row);
            match state.as_deref() {
                Some("draft") if !deleted => counts.drafts += 1,
                Some("synced") if !deleted => counts.synced += 1,
                Some("rejected") | Some("conflict") => counts.attention += 1,
                _ => {}
            }
        }
        Ok(counts)
    }
}

/// Another tab (a newer app version) wants to upgrade the schema: let it, instead of
/// blocking it until this page is closed. This page's next operation then fails and the
/// app reloads.
fn close_on_version_change(db: &Database) {
    let sys: web_sys::IdbDatabase = db.as_sys().clone().unchecked_into();
    let target = sys.clone();
    let on_change = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| target.close());
    sys.set_onversionchange(Some(on_change.as_ref().unchecked_ref()));
    // Lives as long as the connection; one small closure per open.
    on_change.forget();
}
