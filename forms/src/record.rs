//! The record every form produces, as stored on the device and on the server.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value as Json};
use uuid::Uuid;

/// One filled-in form. The id is made on the device, so a record has its identity from the
/// moment it is first saved, offline, and keeps it through every sync and retry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub id: Uuid,
    pub form_id: String,
    pub form_version: u32,
    pub location: Location,
    /// The user name of who made the record.
    pub author: String,
    pub device_id: String,
    /// Instants are stored in UTC and shown in Vietnam's time (UTC+7, no daylight saving).
    #[serde(with = "crate::dates::serde_rfc3339")]
    pub created_at: DateTime<Utc>,
    #[serde(with = "crate::dates::serde_rfc3339")]
    pub updated_at: DateTime<Utc>,
    pub status: RecordStatus,
    /// A deletion is a tombstone that syncs like any other change.
    #[serde(default)]
    pub deleted: bool,
    /// Assigned by the server on every accepted change; 0 until the server first has it.
    #[serde(default)]
    pub revision: u64,
    pub values: Map<String, Json>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordStatus {
    /// Saved as typed; may be incomplete.
    Draft,
    /// Finished ("Hoàn thành"): complete and valid.
    Final,
}

/// Where the activity took place. Unit codes are reused across reorganisations, so the code
/// is meaningless without the list it comes from.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Location {
    /// A unit list id of the reference data, such as `units_2025`.
    pub unit_list: String,
    pub unit_code: String,
}

pub use crate::dates::{format_date, format_instant, parse_date_vi, vietnam_offset};
