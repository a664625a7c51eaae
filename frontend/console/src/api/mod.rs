//! The console's API (`docs/console-api.md`), typed. Every call takes the signed-in user's
//! token; answers are read leniently where the contract leaves a shape open (ids as numbers
//! or text, times as milliseconds or RFC 3339), so a detail of the server does not blank a
//! screen.

use std::time::Duration;

use forms::{Bundle, Localized};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use crate::fetch::{Call, Reply};

mod form_drafts;
mod form_versions;
mod reference;
mod sign_off;
mod types;

pub use form_drafts::*;
pub use form_versions::*;
pub use reference::*;
pub use sign_off::*;
pub use types::*;

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
        let call = Call {
            method,
            url: &url,
            token: self.token.as_deref(),
            json: body,
            timeout: TIMEOUT,
            file: false,
            upload: None,
        };
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
        self.file(&format!("/admin/reporting?{query}&format=xlsx")).await
    }

    /// An evidence photo of a record in the user's scope (a JPEG).
    pub async fn photo(&self, record_id: &str, sha256: &str) -> Result<web_sys::Blob, ApiError> {
        self.file(&format!("/records/{record_id}/photos/{sha256}")).await
    }

    /// The audit log (admins only), newest first.
    pub async fn audit(&self, query: &str) -> Result<Page<AuditEntry>, ApiError> {
        self.get(&format!("/admin/audit?{query}")).await
    }

    /// The filtered audit log as a file: `extension` is `csv` or `xlsx`.
    pub async fn audit_file(&self, query: &str, extension: &str) -> Result<web_sys::Blob, ApiError> {
        self.file(&format!("/admin/audit.{extension}?{query}")).await
    }

    /// The sign-off screen for a period (`period=reporting_year|action_month&year=…`).
    pub async fn sign_offs(&self, period: ClosedPeriod, year: i32) -> Result<SignOffScreen, ApiError> {
        self.get(&format!("/admin/sign-offs?period={}&year={year}", period.as_str())).await
    }

    /// Signs a commune or agency off for a period: `None` when it already was (`409
    /// already_exists`: someone else was quicker), which the screen reads as done.
    pub async fn sign_off(&self, body: &NewSignOff) -> Result<Option<SignOff>, ApiError> {
        match self.post("/admin/sign-offs", body).await {
            Ok(s) => Ok(Some(s)),
            Err(ApiError::Rejected { status: 409, code, .. }) if code == "already_exists" => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Reopens a sign-off; the reason is required and kept in the audit log.
    pub async fn reopen_sign_off(&self, id: i64, reason: &str) -> Result<SignOff, ApiError> {
        self.post(&format!("/admin/sign-offs/{id}/reopen"), &serde_json::json!({ "reason": reason })).await
    }

    /// A file the server makes, fetched with the token (a plain link would carry none).
    async fn file(&self, path: &str) -> Result<web_sys::Blob, ApiError> {
        let url = self.url(path);
        let call = Call {
            method: "GET",
            url: &url,
            token: self.token.as_deref(),
            json: None,
            timeout: TIMEOUT,
            file: true,
            upload: None,
        };
        let reply = check(call.send().await.map_err(|_| ApiError::Offline)?)?;
        reply.blob.ok_or_else(|| ApiError::Decode("no file".into()))
    }

    pub async fn records(&self, query: &str) -> Result<RecordPage, ApiError> {
        self.get(&format!("/admin/records?{query}")).await
    }

    pub async fn record(&self, id: &str) -> Result<RecordDetail, ApiError> {
        self.get(&format!("/admin/records/{}", crate::query::encode(id))).await
    }

    pub async fn history(&self, id: &str) -> Result<History, ApiError> {
        self.get(&format!("/records/{}/history", crate::query::encode(id))).await
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

    /// A review action (`forms::review`) on the revision the reviewer saw: a change, so
    /// `change_id` is made once per action and sent again on every retry; three tries, two
    /// seconds apart, when no answer came.
    pub async fn review(
        &self,
        record: &str,
        action: forms::review::ReviewAction,
        revision: u64,
        comment: Option<&str>,
        fields: &[String],
        change_id: &str,
    ) -> Result<Json, ApiError> {
        let path = format!("/records/{}/review", crate::query::encode(record));
        let body = serde_json::json!({
            "change_id": change_id, "action": action, "revision": revision, "comment": comment, "fields": fields
        });
        let mut tries = 0;
        loop {
            match self.post(&path, &body).await {
                Err(ApiError::Offline) if tries < 2 => {
                    tries += 1;
                    gloo::timers::future::TimeoutFuture::new(2_000).await;
                }
                other => return other,
            }
        }
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
}
