//! The record every form produces, as stored on the device and on the server.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
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
    pub created_at: DateTime<Utc>,
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

/// Vietnam's offset from UTC. The country keeps no daylight saving time.
pub fn vietnam_offset() -> FixedOffset {
    FixedOffset::east_opt(7 * 3600).expect("7 hours is a valid offset")
}

/// An instant as a Vietnamese reader expects it: `dd/mm/yyyy HH:MM`, Asia/Ho_Chi_Minh.
pub fn format_instant(at: DateTime<Utc>) -> String {
    at.with_timezone(&vietnam_offset()).format("%d/%m/%Y %H:%M").to_string()
}

/// A date as `dd/mm/yyyy`.
pub fn format_date(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// Reads a date typed as `dd/mm/yyyy` (or `d/m/yyyy`).
pub fn parse_date_vi(text: &str) -> Option<NaiveDate> {
    let mut parts = text.trim().split('/');
    let (d, m, y) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || y.len() != 4 {
        return None;
    }
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}
