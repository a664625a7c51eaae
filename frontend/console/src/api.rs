//! The console's API (`docs/console-api.md`), typed. Every call takes the signed-in user's
//! token; answers are read leniently where the contract leaves a shape open (ids as numbers
//! or text, times as milliseconds or RFC 3339), so a detail of the server does not blank a
//! screen.

use std::time::Duration;

use forms::{Bundle, Localized};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value as Json;

use crate::fetch::{Call, Reply};

const TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// No answer: the network or the server is down. Nothing is known of what happened.
    Offline,
    /// The token is missing or revoked: sign in again.
    Unauthorized,
    BadCredentials,
    TooManyAttempts,
    /// `403`: this account may not do that (a collector, or outside a supervisor's scope).
    Forbidden,
    /// `404`: the endpoint is not on this server yet, or the item is gone.
    NotFound,
    /// The server refused the request with a code and a message to show.
    Rejected {
        status: u16,
        code: String,
        message: Localized,
    },
    Server(u16),
    Decode(String),
}

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
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct UserPatch {
    pub display_name: String,
    pub role: Role,
    pub whole_province: bool,
    pub communes: Vec<Commune>,
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
}

/// Which version of a conflict to keep.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Keep {
    Current,
    Incoming,
}

/// A client of the page's own server.
#[derive(Clone, PartialEq, Eq)]
pub struct Api {
    base: String,
    token: Option<String>,
}

impl Api {
    pub fn new(token: Option<String>) -> Api {
        let base = web_sys::window().and_then(|w| w.location().origin().ok()).unwrap_or_default();
        Api { base, token }
    }

    fn url(&self, path: &str) -> String {
        format!("{}/api/v1{path}", self.base)
    }

    async fn send(&self, method: &str, path: &str, body: Option<String>) -> Result<Reply, ApiError> {
        let url = self.url(path);
        let call = Call { method, url: &url, token: self.token.as_deref(), json: body, timeout: TIMEOUT, file: false };
        check(call.send().await.map_err(|_| ApiError::Offline)?)
    }

    async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, ApiError> {
        decode(self.send("GET", path, None).await?)
    }

    async fn post<T: DeserializeOwned>(&self, path: &str, body: &impl Serialize) -> Result<T, ApiError> {
        let body = serde_json::to_string(body).map_err(|e| ApiError::Decode(e.to_string()))?;
        decode(self.send("POST", path, Some(body)).await?)
    }

    /// Signs in as the console (`client: "console"`): the server lists the session apart
    /// from the phones.
    pub async fn sign_in(&self, username: &str, password: &str, device_id: &str) -> Result<Session, ApiError> {
        let body = serde_json::json!({ "username": username, "password": password, "device_id": device_id, "client": "console" });
        self.post("/auth/sign-in", &body).await
    }

    pub async fn sign_out(&self) -> Result<(), ApiError> {
        self.send("POST", "/auth/sign-out", None).await.map(drop)
    }

    pub async fn me(&self) -> Result<Me, ApiError> {
        self.get("/me").await
    }

    /// The catalog: form definitions and reference data (unit lists, the 2025 mapping).
    pub async fn catalog(&self) -> Result<Bundle, ApiError> {
        self.get("/forms").await
    }

    pub async fn users(&self, query: &str) -> Result<Page<UserRow>, ApiError> {
        self.get(&format!("/admin/users?{query}")).await
    }

    pub async fn create_user(&self, user: &NewUser) -> Result<Json, ApiError> {
        self.post("/admin/users", user).await
    }

    pub async fn update_user(&self, username: &str, patch: &UserPatch) -> Result<Json, ApiError> {
        let body = serde_json::to_string(patch).map_err(|e| ApiError::Decode(e.to_string()))?;
        decode(self.send("PATCH", &format!("/admin/users/{}", crate::query::encode(username)), Some(body)).await?)
    }

    pub async fn set_disabled(&self, username: &str, disabled: bool) -> Result<(), ApiError> {
        let what = if disabled { "disable" } else { "enable" };
        self.send("POST", &format!("/admin/users/{}/{what}", crate::query::encode(username)), None).await.map(drop)
    }

    pub async fn reset_password(&self, username: &str) -> Result<NewPassword, ApiError> {
        decode(self.send("POST", &format!("/admin/users/{}/password", crate::query::encode(username)), None).await?)
    }

    pub async fn enroll_user(&self, username: &str, ttl_minutes: u32) -> Result<Enrollment, ApiError> {
        let path = format!("/admin/users/{}/enrollments", crate::query::encode(username));
        self.post(&path, &serde_json::json!({ "ttl_minutes": ttl_minutes })).await
    }

    pub async fn enroll_commune(&self, commune: &Commune, ttl_minutes: u32) -> Result<Vec<Enrollment>, ApiError> {
        let body = serde_json::json!({ "unit_list": commune.unit_list, "unit_code": commune.unit_code, "ttl_minutes": ttl_minutes });
        let page: Page<Enrollment> = self.post("/admin/enrollments", &body).await?;
        Ok(page.items)
    }

    pub async fn enrollments(&self, query: &str) -> Result<Page<PendingEnrollment>, ApiError> {
        self.get(&format!("/admin/enrollments?{query}")).await
    }

    pub async fn revoke_enrollment(&self, id: &str) -> Result<(), ApiError> {
        self.send("DELETE", &format!("/admin/enrollments/{}", crate::query::encode(id)), None).await.map(drop)
    }

    pub async fn devices(&self, query: &str) -> Result<DevicePage, ApiError> {
        self.get(&format!("/admin/devices?{query}")).await
    }

    pub async fn sign_out_device(&self, username: &str, device_id: &str) -> Result<Json, ApiError> {
        self.post("/admin/devices/sign-out", &serde_json::json!({ "username": username, "device_id": device_id })).await
    }

    pub async fn reporting(&self, query: &str) -> Result<Reporting, ApiError> {
        self.get(&format!("/admin/reporting?{query}&format=json")).await
    }

    /// The same table as an XLSX file, to save.
    pub async fn reporting_xlsx(&self, query: &str) -> Result<web_sys::Blob, ApiError> {
        let url = self.url(&format!("/admin/reporting?{query}&format=xlsx"));
        let call =
            Call { method: "GET", url: &url, token: self.token.as_deref(), json: None, timeout: TIMEOUT, file: true };
        let reply = check(call.send().await.map_err(|_| ApiError::Offline)?)?;
        reply.blob.ok_or_else(|| ApiError::Decode("no file".into()))
    }

    pub async fn records(&self, query: &str) -> Result<RecordPage, ApiError> {
        self.get(&format!("/admin/records?{query}")).await
    }

    pub async fn record(&self, id: &str) -> Result<RecordDetail, ApiError> {
        self.get(&format!("/admin/records/{}", crate::query::encode(id))).await
    }

    pub async fn conflicts(&self, query: &str) -> Result<Page<Conflict>, ApiError> {
        self.get(&format!("/admin/conflicts?{query}")).await
    }

    /// A resolution is a change: `change_id` is made once per decision and sent again,
    /// unchanged, on every retry.
    pub async fn resolve(&self, conflict: &str, keep: Keep, change_id: &str) -> Result<Json, ApiError> {
        let keep = match keep {
            Keep::Current => "current",
            Keep::Incoming => "incoming",
        };
        let path = format!("/admin/conflicts/{}/resolve", crate::query::encode(conflict));
        self.post(&path, &serde_json::json!({ "keep": keep, "change_id": change_id })).await
    }

    /// [`Api::resolve`], sent again (same change id) when no answer came: three tries, two
    /// seconds apart. A retry is answered from the server's change log, never applied twice.
    pub async fn resolve_retrying(&self, conflict: &str, keep: Keep, change_id: &str) -> Result<Json, ApiError> {
        let mut tries = 0;
        loop {
            match self.resolve(conflict, keep, change_id).await {
                Err(ApiError::Offline) if tries < 2 => {
                    tries += 1;
                    gloo::timers::future::TimeoutFuture::new(2_000).await;
                }
                other => return other,
            }
        }
    }
}

#[derive(Deserialize)]
struct ErrorBody {
    error: String,
    message: Localized,
}

fn check(reply: Reply) -> Result<Reply, ApiError> {
    if (200..300).contains(&reply.status) {
        return Ok(reply);
    }
    Err(classify(reply.status, serde_json::from_str(&reply.text).ok()))
}

fn classify(status: u16, body: Option<ErrorBody>) -> ApiError {
    match (status, body) {
        (401, Some(b)) if b.error == "bad_credentials" => ApiError::BadCredentials,
        (401, _) => ApiError::Unauthorized,
        (403, _) => ApiError::Forbidden,
        (429, _) => ApiError::TooManyAttempts,
        (404, None) | (405, None) => ApiError::NotFound,
        (404, Some(b)) if b.error == "not_found" => ApiError::NotFound,
        (500..=599, _) | (_, None) => ApiError::Server(status),
        (_, Some(b)) => ApiError::Rejected { status, code: b.error, message: b.message },
    }
}

fn decode<T: DeserializeOwned>(reply: Reply) -> Result<T, ApiError> {
    // `204 No Content` reads as `null`.
    let text = if reply.text.trim().is_empty() { "null" } else { &reply.text };
    serde_json::from_str(text).map_err(|e| ApiError::Decode(e.to_string()))
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
fn text<'de, D: Deserializer<'de>>(d: D) -> Result<Localized, D::Error> {
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
    fn errors_are_sorted() {
        let body = |code: &str| Some(ErrorBody { error: code.into(), message: Localized::new("vi", "en") });
        assert_eq!(classify(401, body("bad_credentials")), ApiError::BadCredentials);
        assert_eq!(classify(401, body("token_invalid")), ApiError::Unauthorized);
        assert_eq!(classify(403, body("forbidden")), ApiError::Forbidden);
        assert_eq!(classify(404, None), ApiError::NotFound);
        assert_eq!(classify(502, None), ApiError::Server(502));
        assert!(matches!(classify(409, body("last_admin")), ApiError::Rejected { status: 409, .. }));
    }

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
