//! How values are laid out in IndexedDB. The payload is kept as JSON text (`data`), so what
//! comes back is byte-for-byte what serde wrote (no float/int or map/object drift through
//! structured cloning); the few fields the database itself looks at sit beside it.

use js_sys::{Object, Reflect};
use serde::de::DeserializeOwned;
use serde::Serialize;
use uuid::Uuid;
use wasm_bindgen::JsValue;

use super::StorageError;
use crate::model::{LocalRecord, OutboxEntry, RejectedEntry, SyncState};

pub(crate) fn set(row: &JsValue, key: &str, value: &JsValue) {
    // Setting a property on a plain object (a row as written or as read) cannot fail.
    let _ = Reflect::set(row, &JsValue::from_str(key), value);
}

/// A field of a row, `undefined` when it has none.
pub(crate) fn get(row: &JsValue, key: &str) -> JsValue {
    Reflect::get(row, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

pub(crate) fn get_str(row: &JsValue, key: &str) -> Option<String> {
    get(row, key).as_string()
}

fn json<T: Serialize>(value: &T) -> Result<JsValue, StorageError> {
    serde_json::to_string(value).map(|s| JsValue::from_str(&s)).map_err(|e| StorageError::Corrupt(e.to_string()))
}

pub(crate) fn data<T: DeserializeOwned>(row: &JsValue) -> Result<T, StorageError> {
    let text = get_str(row, "data").ok_or_else(|| StorageError::Corrupt("row without data".into()))?;
    serde_json::from_str(&text).map_err(|e| StorageError::Corrupt(e.to_string()))
}

pub(crate) fn meta_value<T: Serialize>(value: &T) -> Result<JsValue, StorageError> {
    json(value)
}

pub(crate) fn meta_parse<T: DeserializeOwned>(value: &JsValue) -> Result<T, StorageError> {
    let text = value.as_string().ok_or_else(|| StorageError::Corrupt("meta value is not text".into()))?;
    serde_json::from_str(&text).map_err(|e| StorageError::Corrupt(e.to_string()))
}

pub(crate) fn state_name(state: SyncState) -> &'static str {
    match state {
        SyncState::Draft => "draft",
        SyncState::Queued => "queued",
        SyncState::Synced => "synced",
        SyncState::Rejected => "rejected",
        SyncState::Conflict => "conflict",
    }
}

pub(crate) fn record_row(local: &LocalRecord) -> Result<JsValue, StorageError> {
    let row = Object::new();
    set(&row, "state", &JsValue::from_str(state_name(local.state)));
    set(&row, "deleted", &JsValue::from_bool(local.record.deleted));
    // Counted on the home screen without parsing the payload.
    set(&row, "needs_changes", &JsValue::from_bool(local.needs_changes()));
    set(&row, "data", &json(local)?);
    Ok(row.into())
}

/// A record row's state and tombstone flag, read without parsing the payload.
pub(crate) fn record_flags(row: &JsValue) -> (Option<String>, bool) {
    let deleted = get(row, "deleted").as_bool().unwrap_or(false);
    (get_str(row, "state"), deleted)
}

/// Whether a record row was returned for changes (rows written before reviews: no).
pub(crate) fn needs_changes_flag(row: &JsValue) -> bool {
    get(row, "needs_changes").as_bool().unwrap_or(false)
}

/// `seq` orders the outbox: timestamps can tie, and the phone's clock can jump.
pub(crate) fn outbox_row(entry: &OutboxEntry, seq: f64) -> Result<JsValue, StorageError> {
    let row = Object::new();
    set(&row, "seq", &JsValue::from_f64(seq));
    set(&row, "record_id", &JsValue::from_str(&entry.change.record.id.to_string()));
    set(&row, "data", &json(entry)?);
    Ok(row.into())
}

pub(crate) fn outbox_seq(row: &JsValue) -> f64 {
    get(row, "seq").as_f64().unwrap_or(0.0)
}

pub(crate) fn rejected_row(entry: &RejectedEntry) -> Result<JsValue, StorageError> {
    let row = Object::new();
    set(&row, "record_id", &JsValue::from_str(&entry.entry.change.record.id.to_string()));
    set(&row, "data", &json(entry)?);
    Ok(row.into())
}

pub(crate) fn key(id: Uuid) -> String {
    id.to_string()
}
