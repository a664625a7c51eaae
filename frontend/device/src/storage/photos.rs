//! Evidence photos on the phone (issue 16): each picture a `Blob` in the `photos` store,
//! keyed `<record id>/<sha256>`, beside its record and never inside the record's JSON (a
//! record syncs at its usual size whatever its photos weigh). A row stays until the server
//! has the photo (`sent`), and [`KEEP_SENT_PHOTOS_MS`] after, so the officer still sees it
//! offline while the record is fresh; then it goes ([`Storage::prune_sent_photos`]), so a
//! cheap phone's storage does not fill with pictures the server already keeps.

use std::collections::HashSet;

use indexed_db_futures::internals::SystemRepr;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionMode;
use js_sys::Object;
use uuid::Uuid;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::Blob;

use super::rows::{self, get, set};
use super::schema::{BY_RECORD, PHOTOS, RECORDS};
use super::{key, Storage, StorageError};
use crate::model::{LocalRecord, SyncState};

/// How long a photo the server has stays on the phone, counted from when it was sent:
/// 30 days, long enough for a supervisor's return to reach the officer who took it.
pub const KEEP_SENT_PHOTOS_MS: f64 = 30.0 * 24.0 * 3600.0 * 1000.0;

/// A photo named by a record: which record, which picture.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PhotoKey {
    pub record_id: Uuid,
    pub sha256: String,
}

impl PhotoKey {
    fn key(&self) -> String {
        format!("{}/{}", key(self.record_id), self.sha256)
    }
}

fn is_sent(row: &JsValue) -> bool {
    get(row, "sent").as_bool().unwrap_or(false)
}

/// Which photo a row holds (rows are written by [`Storage::put_photo`]).
fn photo_of(row: &JsValue) -> Option<PhotoKey> {
    let record_id = Uuid::parse_str(&get(row, "record_id").as_string()?).ok()?;
    Some(PhotoKey { record_id, sha256: get(row, "sha256").as_string()? })
}

/// Whether the record, as the phone holds it, still names this photo in any answer.
pub fn names_photo(record: &forms::Record, sha256: &str) -> bool {
    record.values.values().any(|v| {
        v.as_array().is_some_and(|items| items.iter().any(|i| i.get("sha256").and_then(|s| s.as_str()) == Some(sha256)))
    })
}

/// Photos in `store` not on the server yet (rows of records since deleted included: they
/// go at the next sync, which removes them).
pub(crate) async fn count_unsent(
    store: &indexed_db_futures::object_store::ObjectStore<'_>,
) -> Result<usize, StorageError> {
    let mut n = 0;
    for row in store.get_all::<JsValue>().await? {
        n += usize::from(!is_sent(&row?));
    }
    Ok(n)
}

impl Storage {
    /// Keeps a photo for `record_id`. A full phone answers [`StorageError::Full`] and
    /// nothing is written: the record itself is saved apart and stays.
    pub async fn put_photo(&self, record_id: Uuid, sha256: &str, blob: &Blob) -> Result<(), StorageError> {
        let photo = PhotoKey { record_id, sha256: sha256.to_owned() };
        let row = Object::new();
        set(&row, "record_id", &JsValue::from_str(&key(record_id)));
        set(&row, "sha256", &JsValue::from_str(sha256));
        set(&row, "sent", &JsValue::FALSE);
        set(&row, "blob", blob);
        let tx = self.tx(&[PHOTOS], TransactionMode::Readwrite)?;
        // A full disk aborts the transaction: the request and the commit then only say
        // "aborted", and the transaction's own error says why.
        let raw: web_sys::IdbTransaction = tx.as_sys().clone().unchecked_into();
        let written = async {
            let store = tx.object_store(PHOTOS)?;
            store.put(JsValue::from(row)).with_key(photo.key()).without_key_type().await?;
            drop(store);
            tx.commit().await?;
            Ok::<(), StorageError>(())
        };
        written.await.map_err(|e| match raw.error() {
            Some(cause) if cause.name() == "QuotaExceededError" => StorageError::Full,
            _ => e,
        })
    }

    /// The picture, to show or to send.
    pub async fn photo_blob(&self, photo: &PhotoKey) -> Result<Option<Blob>, StorageError> {
        let tx = self.tx(&[PHOTOS], TransactionMode::Readonly)?;
        let store = tx.object_store(PHOTOS)?;
        let row: Option<JsValue> = store.get::<JsValue, String, _>(photo.key()).await?;
        Ok(row.and_then(|r| get(&r, "blob").dyn_into::<Blob>().ok()))
    }

    /// Forgets a photo taken off a record before the server had it.
    pub async fn remove_photo(&self, photo: &PhotoKey) -> Result<(), StorageError> {
        let tx = self.tx(&[PHOTOS], TransactionMode::Readwrite)?;
        let store = tx.object_store(PHOTOS)?;
        let row: Option<JsValue> = store.get::<JsValue, String, _>(photo.key()).await?;
        if row.is_some_and(|r| !is_sent(&r)) {
            store.delete::<String, _>(photo.key()).await?;
        }
        drop(store);
        tx.commit().await?;
        Ok(())
    }

    /// The server stored it: kept for showing (for [`KEEP_SENT_PHOTOS_MS`] from now), never
    /// sent again.
    pub async fn mark_photo_sent(&self, photo: &PhotoKey) -> Result<(), StorageError> {
        self.settle_photo(photo, Some(js_sys::Date::now())).await
    }

    /// The server will never take it (`not_named`: its synced record does not name it, a
    /// test record, a record out of the user's reach): it stops waiting, but the phone holds
    /// the only copy, so it is never pruned.
    pub async fn stop_waiting_for_photo(&self, photo: &PhotoKey) -> Result<(), StorageError> {
        self.settle_photo(photo, None).await
    }

    async fn settle_photo(&self, photo: &PhotoKey, stored_at: Option<f64>) -> Result<(), StorageError> {
        let tx = self.tx(&[PHOTOS], TransactionMode::Readwrite)?;
        let store = tx.object_store(PHOTOS)?;
        if let Some(row) = store.get::<JsValue, String, _>(photo.key()).await? {
            set(&row, "sent", &JsValue::TRUE);
            if let Some(at) = stored_at {
                set(&row, "sent_at", &JsValue::from_f64(at));
            }
            store.put(row).with_key(photo.key()).without_key_type().await?;
        }
        drop(store);
        tx.commit().await?;
        Ok(())
    }

    /// Photos not on the server yet, of records not deleted that still name them: what
    /// "ảnh chưa gửi" counts. Rows of photos taken off a record, or of deleted records, are
    /// removed on the way (an unsent photo nobody names has nowhere to go).
    pub async fn unsent_photos(&self) -> Result<Vec<(PhotoKey, SyncState)>, StorageError> {
        if self.version < 3 {
            return Ok(Vec::new());
        }
        let tx = self.tx(&[PHOTOS, RECORDS], TransactionMode::Readwrite)?;
        let (photos, records) = (tx.object_store(PHOTOS)?, tx.object_store(RECORDS)?);
        let mut waiting = Vec::new();
        let mut stale = Vec::new();
        let rows: Vec<JsValue> = photos.get_all::<JsValue>().await?.collect::<Result<_, _>>()?;
        for row in rows.iter().filter(|r| !is_sent(r)) {
            let Some(photo) = photo_of(row) else { continue };
            let local: Option<JsValue> = records.get::<JsValue, String, _>(key(photo.record_id)).await?;
            // A draft not saved yet (the form still open) keeps its photos.
            let Some(local) = local else { continue };
            let local: LocalRecord = rows::data(&local)?;
            if local.record.deleted || !names_photo(&local.record, &photo.sha256) {
                stale.push(photo.key());
            } else {
                waiting.push((photo, local.state));
            }
        }
        for k in stale {
            photos.delete::<String, _>(k).await?;
        }
        drop((photos, records));
        tx.commit().await?;
        Ok(waiting)
    }

    /// Removes the photos the server has stored for [`KEEP_SENT_PHOTOS_MS`] by `now_ms` (ms
    /// since the epoch, as `Date.now()`), and returns how many went. Only deletions, so a
    /// full phone can still make room. A photo the server does not hold (not sent yet, or
    /// one it will never take) has no `sent_at` and is never removed here.
    pub async fn prune_sent_photos(&self, now_ms: f64) -> Result<usize, StorageError> {
        if self.version < 3 {
            return Ok(0);
        }
        let tx = self.tx(&[PHOTOS], TransactionMode::Readwrite)?;
        let store = tx.object_store(PHOTOS)?;
        let rows: Vec<JsValue> = store.get_all::<JsValue>().await?.collect::<Result<_, _>>()?;
        let mut pruned = 0;
        for row in rows.iter().filter(|r| is_sent(r)) {
            let (Some(photo), Some(stored_at)) = (photo_of(row), get(row, "sent_at").as_f64()) else { continue };
            if now_ms - stored_at >= KEEP_SENT_PHOTOS_MS {
                store.delete::<String, _>(photo.key()).await?;
                pruned += 1;
            }
        }
        drop(store);
        tx.commit().await?;
        Ok(pruned)
    }

    /// The records that still have a photo to send.
    pub async fn records_with_unsent_photos(&self) -> Result<HashSet<Uuid>, StorageError> {
        if self.version < 3 {
            return Ok(HashSet::new());
        }
        let tx = self.tx(&[PHOTOS], TransactionMode::Readonly)?;
        let store = tx.object_store(PHOTOS)?;
        let rows: Vec<JsValue> = store.get_all::<JsValue>().await?.collect::<Result<_, _>>()?;
        Ok(rows
            .iter()
            .filter(|r| !is_sent(r))
            .filter_map(|r| get(r, "record_id").as_string())
            .filter_map(|id| Uuid::parse_str(&id).ok())
            .collect())
    }

    /// Removes the photos of a record that is gone from the phone (a discarded draft).
    pub async fn remove_photos_of(&self, record_id: Uuid) -> Result<(), StorageError> {
        if self.version < 3 {
            return Ok(());
        }
        let tx = self.tx(&[PHOTOS], TransactionMode::Readwrite)?;
        let store = tx.object_store(PHOTOS)?;
        let keys: Vec<String> = store
            .index(BY_RECORD)?
            .get_all_keys::<String>()
            .with_query::<String, _>(key(record_id))
            .await?
            .collect::<Result<_, _>>()?;
        for k in keys {
            store.delete::<String, _>(k).await?;
        }
        drop(store);
        tx.commit().await?;
        Ok(())
    }
}
