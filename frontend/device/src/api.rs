//! The sync server's HTTP API (`docs/sync-protocol.md`), as the phone calls it.

use std::time::Duration;

use forms::sync::{PullResponse, PushRequest, PushResponse};
use forms::{Bundle, Localized, Location};
use reqwest::{RequestBuilder, Response, StatusCode};
use serde::{Deserialize, Serialize};

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// No answer: no signal, the server is down, or the request timed out. Nothing is known
    /// about what the server did; retry later with the same data.
    #[error("offline")]
    Offline,
    /// The token was revoked or is missing: sign in again. Nothing local is touched.
    #[error("signed out")]
    Unauthorized,
    #[error("wrong user name, password or enrolment code")]
    BadCredentials,
    #[error("too many attempts")]
    TooManyAttempts,
    /// The server refused the request with a stable code and a message to show.
    #[error("{status} {code}: {}", message.en)]
    Rejected { status: u16, code: String, message: Localized },
    #[error("server error {0}")]
    Server(u16),
    #[error("unexpected answer: {0}")]
    Decode(String),
    /// The device's own storage failed during a sync (only from `sync_once`).
    #[error("storage: {0}")]
    Storage(String),
}

impl From<crate::storage::StorageError> for ApiError {
    fn from(e: crate::storage::StorageError) -> Self {
        ApiError::Storage(e.to_string())
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub token: String,
    pub user: SessionUser,
}

/// The signed-in user, as the server's `User` JSON has it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SessionUser {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub whole_province: bool,
    pub disabled: bool,
    pub communes: Vec<Location>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Collector,
    Supervisor,
    Admin,
    /// A role this app version does not know yet.
    #[serde(other)]
    Other,
}

#[derive(Deserialize)]
struct ErrorBody {
    error: String,
    message: Localized,
}

/// Generous: a 100-record push over a 2G link takes a while, and a timeout only costs a
/// resend (the server answers retries from its change-id log).
const PUSH_TIMEOUT: Duration = Duration::from_secs(120);
const TIMEOUT: Duration = Duration::from_secs(60);

/// A client of one server. Cheap to build; holds no connection.
#[derive(Clone, PartialEq, Eq)]
pub struct Api {
    /// Absolute origin without a trailing slash, e.g. `https://sotay.example.vn`.
    pub base: String,
    pub token: Option<String>,
}

impl std::fmt::Debug for Api {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The token is a credential: never in logs.
        f.debug_struct("Api").field("base", &self.base).field("token", &self.token.as_ref().map(|_| "…")).finish()
    }
}

impl Api {
    /// `base`: the server's origin; `None` means the page's own origin (reqwest in the
    /// browser needs absolute URLs).
    pub fn new(base: Option<String>, token: Option<String>) -> Api {
        let base = base.unwrap_or_else(page_origin);
        Api { base: base.trim_end_matches('/').to_owned(), token }
    }

    fn url(&self, path: &str) -> String {
        format!("{}/api/v1{path}", self.base)
    }

    fn authed(&self, rb: RequestBuilder) -> RequestBuilder {
        match &self.token {
            Some(t) => rb.bearer_auth(t),
            None => rb,
        }
    }

    pub async fn sign_in(&self, username: &str, password: &str, device_id: &str) -> Result<Session, ApiError> {
        let body = serde_json::json!({ "username": username, "password": password, "device_id": device_id });
        let rb = client().post(self.url("/auth/sign-in")).json(&body).timeout(TIMEOUT);
        json(send(rb).await?).await
    }

    pub async fn enroll(&self, code: &str, device_id: &str) -> Result<Session, ApiError> {
        let body = serde_json::json!({ "code": code, "device_id": device_id });
        let rb = client().post(self.url("/auth/enroll")).json(&body).timeout(TIMEOUT);
        json(send(rb).await?).await
    }

    pub async fn push(&self, req: &PushRequest) -> Result<PushResponse, ApiError> {
        let rb = self.authed(client().post(self.url("/sync/push"))).json(req).timeout(PUSH_TIMEOUT);
        let response: PushResponse = json(send(rb).await?).await?;
        Ok(response)
    }

    pub async fn pull(&self, since: u64, limit: usize) -> Result<PullResponse, ApiError> {
        let url = self.url(&format!("/sync/pull?since={since}&limit={limit}"));
        let rb = no_store(self.authed(client().get(url))).timeout(TIMEOUT);
        json(send(rb).await?).await
    }

    /// The form catalog, unless the server's is still `version` (`None` then). Returns the
    /// bundle and its version (the ETag without quotes).
    pub async fn forms(&self, version: Option<&str>) -> Result<Option<(Bundle, String)>, ApiError> {
        let mut rb = no_store(client().get(self.url("/forms"))).timeout(TIMEOUT);
        if let Some(v) = version {
            rb = rb.header("If-None-Match", format!("\"{v}\""));
        }
        let response = send(rb).await?;
        if response.status() == StatusCode::NOT_MODIFIED {
            return Ok(None);
        }
        let etag = response
            .headers()
            .get("etag")
            .and_then(|v| v.to_str().ok())
            .map(|v| v.trim_start_matches("W/").trim_matches('"').to_owned());
        let bundle: Bundle = json(response).await?;
        let version = etag.unwrap_or_else(|| bundle.version.clone());
        Ok(Some((bundle, version)))
    }

    pub async fn sign_out(&self) -> Result<(), ApiError> {
        let rb = self.authed(client().post(self.url("/auth/sign-out"))).timeout(TIMEOUT);
        send(rb).await.map(drop)
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::new()
}

#[cfg(target_arch = "wasm32")]
fn no_store(rb: RequestBuilder) -> RequestBuilder {
    // A cached answer would hide that the device is offline, or serve a stale page.
    rb.fetch_cache_no_store()
}

#[cfg(not(target_arch = "wasm32"))]
fn no_store(rb: RequestBuilder) -> RequestBuilder {
    rb
}

#[cfg(target_arch = "wasm32")]
fn page_origin() -> String {
    web_sys::window().and_then(|w| w.location().origin().ok()).unwrap_or_default()
}

#[cfg(not(target_arch = "wasm32"))]
fn page_origin() -> String {
    "http://localhost".to_owned()
}

/// Sends and sorts the answer: success (2xx, 304) or an [`ApiError`].
async fn send(rb: RequestBuilder) -> Result<Response, ApiError> {
    let response = rb.send().await.map_err(|_| ApiError::Offline)?;
    let status = response.status();
    if status.is_success() || status == StatusCode::NOT_MODIFIED {
        return Ok(response);
    }
    let body: Option<ErrorBody> = response.json().await.ok();
    Err(classify(status.as_u16(), body))
}

fn classify(status: u16, body: Option<ErrorBody>) -> ApiError {
    let code = body.as_ref().map(|b| b.error.as_str());
    match (status, code) {
        (401, Some("bad_credentials" | "enrollment_invalid")) => ApiError::BadCredentials,
        (401, _) => ApiError::Unauthorized,
        (429, _) => ApiError::TooManyAttempts,
        (500..=599, _) => ApiError::Server(status),
        (_, Some(_)) => {
            let body = body.expect("code came from the body");
            ApiError::Rejected { status, code: body.error, message: body.message }
        }
        // An error page from a proxy or captive portal, not the server's JSON.
        _ => ApiError::Server(status),
    }
}

async fn json<T: serde::de::DeserializeOwned>(response: Response) -> Result<T, ApiError> {
    let text = response.text().await.map_err(|_| ApiError::Offline)?;
    serde_json::from_str(&text).map_err(|e| ApiError::Decode(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(code: &str) -> Option<ErrorBody> {
        Some(ErrorBody { error: code.into(), message: Localized::new("vi", "en") })
    }

    #[test]
    fn statuses_map_to_errors() {
        assert!(matches!(classify(401, body("token_invalid")), ApiError::Unauthorized));
        assert!(matches!(classify(401, body("unauthenticated")), ApiError::Unauthorized));
        assert!(matches!(classify(401, None), ApiError::Unauthorized));
        assert!(matches!(classify(401, body("bad_credentials")), ApiError::BadCredentials));
        assert!(matches!(classify(401, body("enrollment_invalid")), ApiError::BadCredentials));
        assert!(matches!(classify(429, body("too_many_attempts")), ApiError::TooManyAttempts));
        assert!(matches!(classify(503, body("unavailable")), ApiError::Server(503)));
        assert!(matches!(classify(502, None), ApiError::Server(502)));
        match classify(413, body("payload_too_large")) {
            ApiError::Rejected { status, code, .. } => assert_eq!((status, code.as_str()), (413, "payload_too_large")),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn base_is_trimmed_and_token_hidden() {
        let api = Api::new(Some("https://sotay.example.vn/".into()), Some("secret".into()));
        assert_eq!(api.url("/sync/push"), "https://sotay.example.vn/api/v1/sync/push");
        assert!(!format!("{api:?}").contains("secret"));
    }

    #[test]
    fn session_reads_the_servers_user_json() {
        let json = r#"{"token":"t","user":{"id":3,"username":"lan","display_name":"Lan","role":"collector",
            "whole_province":false,"disabled":false,"communes":[{"unit_list":"units_2025","unit_code":"21001"}]}}"#;
        let s: Session = serde_json::from_str(json).unwrap();
        assert_eq!((s.user.role, s.user.communes.len()), (Role::Collector, 1));
    }
}
