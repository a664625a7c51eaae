//! What the console's API answers and takes (`docs/console-api.md`), read leniently where
//! the contract leaves a shape open: ids as numbers or text, times as milliseconds or
//! RFC 3339, people counted as a number or `{male, female, total}`.

use forms::Localized;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value as Json;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Collector,
    Supervisor,
    Admin,
    #[serde(other)]
    Other,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Collector => "collector",
            Role::Supervisor => "supervisor",
            Role::Admin => "admin",
            Role::Other => "",
        }
    }
}

/// A commune: `{unit_list, unit_code}` in a request, with its `name` in an answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Commune {
    pub unit_list: String,
    pub unit_code: String,
    #[serde(default, skip_serializing)]
    pub name: String,
}

/// `GET /me`, and the user of a session.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Me {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    #[serde(default)]
    pub whole_province: bool,
    #[serde(default)]
    pub communes: Vec<Commune>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub token: String,
    pub user: Me,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Page<T> {
    #[serde(default = "Vec::new")]
    pub items: Vec<T>,
    #[serde(default)]
    pub total: u64,
    #[serde(default)]
    pub page: u32,
    #[serde(default)]
    pub per_page: u32,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct UserRow {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    #[serde(default)]
    pub whole_province: bool,
    #[serde(default)]
    pub disabled: bool,
    #[serde(default)]
    pub communes: Vec<Commune>,
    /// The code of the agency this supervisor is the officer in charge of.
    #[serde(default)]
    pub agency: Option<String>,
    /// Gets drafts of form versions on their phone ("Bản thử").
    #[serde(default)]
    pub tester: bool,
    #[serde(default, deserialize_with = "time")]
    pub last_seen_at: Option<i64>,
    #[serde(default)]
    pub devices: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    pub whole_province: bool,
    pub communes: Vec<Commune>,
    /// An agency code (supervisors only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agency: Option<String>,
}

/// The whole form, every time: `agency: null` takes an agency away.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct UserPatch {
    pub display_name: String,
    pub role: Role,
    pub whole_province: bool,
    pub communes: Vec<Commune>,
    pub agency: Option<String>,
    /// Sent by admins only: they name testers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tester: Option<bool>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct NewPassword {
    pub username: String,
    pub password: String,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Qr {
    pub size: u32,
    pub path: String,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Enrollment {
    #[serde(deserialize_with = "id")]
    pub id: String,
    pub username: String,
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub communes: Vec<Commune>,
    pub link: String,
    #[serde(default, deserialize_with = "time")]
    pub expires_at: Option<i64>,
    pub qr: Qr,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct PendingEnrollment {
    #[serde(deserialize_with = "id")]
    pub id: String,
    pub username: String,
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub communes: Vec<Commune>,
    #[serde(default, deserialize_with = "time")]
    pub created_at: Option<i64>,
    #[serde(default, deserialize_with = "time")]
    pub expires_at: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Device {
    pub username: String,
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub communes: Vec<Commune>,
    pub device_id: String,
    #[serde(default)]
    pub app_version: Option<String>,
    #[serde(default, deserialize_with = "time")]
    pub first_seen_at: Option<i64>,
    #[serde(default, deserialize_with = "time")]
    pub first_sync_at: Option<i64>,
    #[serde(default, deserialize_with = "time")]
    pub last_push_at: Option<i64>,
    #[serde(default, deserialize_with = "time")]
    pub last_pull_at: Option<i64>,
    #[serde(default)]
    pub pending: Option<u64>,
    #[serde(default)]
    pub refused: Option<u64>,
    #[serde(default = "yes")]
    pub signed_in: bool,
    #[serde(default)]
    pub stale: bool,
    #[serde(default)]
    pub silent_days: Option<i64>,
}

/// A page of devices, with how many of all listed (not only this page's) are silent.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct DevicePage {
    #[serde(default)]
    pub items: Vec<Device>,
    #[serde(default)]
    pub total: u64,
    #[serde(default)]
    pub stale_total: Option<u64>,
}

fn yes() -> bool {
    true
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Period {
    pub from: String,
    pub to: String,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct ReportingForm {
    pub id: String,
    #[serde(deserialize_with = "text")]
    pub title: Localized,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct FormCount {
    pub form_id: String,
    #[serde(default)]
    pub activities: u64,
    #[serde(default, deserialize_with = "count")]
    pub participants: u64,
    #[serde(default)]
    pub female: u64,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct ReportingCommune {
    pub unit_code: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub activities: u64,
    #[serde(default, deserialize_with = "count")]
    pub participants: u64,
    #[serde(default)]
    pub female: u64,
    #[serde(default)]
    pub by_form: Vec<FormCount>,
    #[serde(default)]
    pub last_activity_date: Option<String>,
    #[serde(default, deserialize_with = "time")]
    pub last_sync_at: Option<i64>,
    /// A count of users, or the users themselves (`{username, display_name, last_sync_at}`).
    #[serde(default)]
    pub users: Json,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Reporting {
    pub period: Period,
    #[serde(default)]
    pub forms: Vec<ReportingForm>,
    #[serde(default)]
    pub communes: Vec<ReportingCommune>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct RecordItem {
    #[serde(deserialize_with = "id")]
    pub id: String,
    pub form_id: String,
    #[serde(default)]
    pub form_version: u32,
    #[serde(default)]
    pub commune_name: Option<String>,
    #[serde(default)]
    pub author: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub deleted: bool,
    #[serde(default)]
    pub activity_date: Option<String>,
    #[serde(default, deserialize_with = "time")]
    pub updated_at: Option<i64>,
    #[serde(default)]
    pub revision: u64,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct RecordPage {
    #[serde(default)]
    pub items: Vec<RecordItem>,
    #[serde(default)]
    pub total: u64,
    #[serde(default, deserialize_with = "opt_id")]
    pub next: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Conflict {
    #[serde(deserialize_with = "id")]
    pub id: String,
    #[serde(default, deserialize_with = "opt_id")]
    pub record_id: Option<String>,
    #[serde(default, deserialize_with = "time")]
    pub created_at: Option<i64>,
    #[serde(default)]
    pub sender: String,
    /// Records as the server stores them (read by `record::View`).
    pub incoming: Json,
    pub current: Json,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct RecordDetail {
    pub record: Json,
    #[serde(default)]
    pub conflicts: Vec<Conflict>,
    /// Its latest review (`forms::review::Review`), once a reviewer acted on it.
    #[serde(default)]
    pub review: Option<forms::review::Review>,
}

/// `GET /records/{id}/history`: revisions oldest first, each with its `changes`
/// (`forms::history::FieldChange`), and the versions that lost to one of them.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct History {
    pub revisions: Vec<Json>,
    #[serde(default)]
    pub conflicts: Vec<Json>,
}

/// Which version of a conflict to keep.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Keep {
    Current,
    Incoming,
}

/// An id the server may write as a number or as text.
fn id<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(opt_id(d)?.unwrap_or_default())
}

fn opt_id<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Json::deserialize(d)? {
        Json::String(s) => Some(s),
        Json::Number(n) => Some(n.to_string()),
        _ => None,
    })
}

/// An entry of the audit log (admins only): who did what to whom, from where, and what
/// it changed (`before`/`after`: small objects, `null` when there is nothing to show).
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct AuditEntry {
    #[serde(deserialize_with = "id")]
    pub id: String,
    #[serde(default, deserialize_with = "time")]
    pub at: Option<i64>,
    /// `None` for the server's command line.
    #[serde(default)]
    pub actor_id: Option<i64>,
    pub actor_username: String,
    #[serde(default)]
    pub address: Option<String>,
    pub action: String,
    #[serde(default)]
    pub target_id: String,
    #[serde(default)]
    pub before: Json,
    #[serde(default)]
    pub after: Json,
}

/// A time as milliseconds since the epoch (the contract), or RFC 3339 text (a record's).
fn time<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    Ok(crate::dates::millis(&Json::deserialize(d)?))
}

/// People counted: a number, or `{male, female, total}`.
fn count<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    let v = Json::deserialize(d)?;
    Ok(v.as_u64().or_else(|| v["total"].as_u64()).unwrap_or(0))
}

/// A title: `{vi, en}`, or one text for both.
pub(super) fn text<'de, D: Deserializer<'de>>(d: D) -> Result<Localized, D::Error> {
    Ok(match Json::deserialize(d)? {
        Json::String(s) => Localized { vi: s.clone(), en: s },
        v => Localized {
            vi: v["vi"].as_str().unwrap_or_default().to_owned(),
            en: v["en"].as_str().unwrap_or_default().to_owned(),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lenient_answers_read() {
        let device: Device = serde_json::from_str(
            r#"{"username":"lan","display_name":"Lan","role":"collector","communes":[{"unit_list":"units_2025","unit_code":"21025","name":"Phường Cẩm Thành"}],
            "device_id":"d1","app_version":null,"first_seen_at":1764633600000,"last_push_at":null,"last_pull_at":"2026-12-01T10:00:00Z",
            "last_sync_at":null,"pending":null,"refused":2,"reported_at":null,"signed_in":true,"stale":true,"silent_days":9}"#,
        )
        .unwrap();
        assert_eq!((device.first_seen_at, device.pending, device.refused), (Some(1_764_633_600_000), None, Some(2)));
        assert_eq!(device.last_pull_at, Some(1_796_119_200_000));
        assert_eq!(device.communes[0].name, "Phường Cẩm Thành");
        let e: PendingEnrollment = serde_json::from_str(r#"{"id":7,"username":"lan","expires_at":1}"#).unwrap();
        assert_eq!(e.id, "7");
        let f: ReportingForm = serde_json::from_str(r#"{"id":"a","title":"Truyền thông"}"#).unwrap();
        assert_eq!(f.title.en, "Truyền thông");
        let c: FormCount =
            serde_json::from_str(r#"{"form_id":"a","participants":{"male":1,"female":2,"total":3}}"#).unwrap();
        assert_eq!(c.participants, 3);
    }

    #[test]
    fn requests_carry_communes_without_names() {
        let c = Commune { unit_list: "units_2025".into(), unit_code: "21025".into(), name: "X".into() };
        assert_eq!(serde_json::to_string(&c).unwrap(), r#"{"unit_list":"units_2025","unit_code":"21025"}"#);
    }
}
