//! The sync server's HTTP API (`docs/sync-protocol.md`), as the phone calls it.

use std::time::Duration;

use forms::grid::BySex;
use forms::review::{Review, ReviewAction};
use forms::sync::{PullResponse, PushRequest, PushResponse};
use forms::{Bundle, Localized, Location, Record};
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use crate::fetch::{Call, Reply};

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

/// A period's summary (`GET /reports/summary`): only what the PWA shows of it, each
/// figure defaulting to zero (and each name to empty) when absent. An officer's own work,
/// counted on the phone, takes the same shape.
///
/// Read through a `serde_json::Value` (whose reader every phone has for the records'
/// answers) rather than a derived reader per struct: a few kilobytes less to download.
#[derive(Debug, Default, PartialEq, Deserialize)]
#[serde(from = "Json")]
pub struct ReportSummary {
    /// Activities and participants by form; the totals are their sums.
    pub forms: Vec<ReportForm>,
    /// Participants by ethnic group.
    pub ethnicities: Vec<ReportEthnicity>,
    /// Activities and participants by organising agency, of the forms that name one.
    pub agencies: Vec<ReportAgency>,
}

#[derive(Debug, Default, PartialEq)]
pub struct ReportAgency {
    pub code: String,
    pub name: Localized,
    pub activities: u64,
    pub participants: BySex,
}

#[derive(Debug, Default, PartialEq)]
pub struct ReportForm {
    pub form_id: String,
    pub title: Localized,
    /// Finished records.
    pub activities: u64,
    pub participants: BySex,
    /// The form's report figures (models found active, people supported…), in the order
    /// its figures file lists them.
    pub figures: Vec<ReportFigure>,
}

/// One report figure of a form: what its field adds up to.
#[derive(Debug, Default, PartialEq)]
pub struct ReportFigure {
    pub field: String,
    pub label: Localized,
    pub value: i64,
}

#[derive(Debug, Default, PartialEq)]
pub struct ReportEthnicity {
    pub code: String,
    pub name: Localized,
    pub male: u64,
    pub female: u64,
}

impl From<Json> for ReportSummary {
    fn from(v: Json) -> Self {
        let n = |v: &Json, key: &str| v[key].as_u64().unwrap_or(0);
        let text = |v: &Json| v.as_str().unwrap_or_default().to_owned();
        let label = |v: &Json| Localized { vi: text(&v["vi"]), en: text(&v["en"]) };
        let list = |key: &str| v[key].as_array().map_or(&[][..], Vec::as_slice);
        let mut s = ReportSummary::default();
        for f in list("forms") {
            let p = &f["participants"];
            s.forms.push(ReportForm {
                form_id: text(&f["form_id"]),
                title: label(&f["title"]),
                activities: n(f, "activities"),
                participants: BySex { male: n(p, "male"), female: n(p, "female") },
                figures: f["figures"]
                    .as_array()
                    .map_or(&[][..], Vec::as_slice)
                    .iter()
                    .map(|g| ReportFigure {
                        field: text(&g["field"]),
                        label: label(&g["label"]),
                        value: g["value"].as_i64().unwrap_or(0),
                    })
                    .collect(),
            });
        }
        for e in list("ethnicities") {
            let (code, name) = (text(&e["code"]), label(&e["name"]));
            s.ethnicities.push(ReportEthnicity { code, name, male: n(e, "male"), female: n(e, "female") });
        }
        for a in list("agencies") {
            let p = &a["participants"];
            s.agencies.push(ReportAgency {
                code: text(&a["agency"]),
                name: label(&a["name"]),
                activities: n(a, "activities"),
                participants: BySex { male: n(p, "male"), female: n(p, "female") },
            });
        }
        s
    }
}

/// The months of a trend (`GET /reports/trend`), January first: (activities,
/// participants), zero where a figure is absent.
pub fn trend_months(v: &Json) -> Vec<(u64, BySex)> {
    let n = |v: &Json, key: &str| v[key].as_u64().unwrap_or(0);
    let list = v["months"].as_array().map_or(&[][..], Vec::as_slice);
    list.iter()
        .map(|m| {
            let p = &m["participants"];
            (n(m, "activities"), BySex { male: n(p, "male"), female: n(p, "female") })
        })
        .collect()
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

/// Who sent a revision, as the history names them.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Sender {
    pub username: String,
    pub display_name: String,
}

/// One revision of a record's history, without its answers: what the phone shows.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct HistoryRevision {
    pub revision: u64,
    pub sent_by: Option<Sender>,
    pub device_id: String,
    /// Milliseconds since the epoch.
    pub received_at: i64,
    pub deleted: bool,
    pub changes: Vec<forms::history::FieldChange>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct RecordHistory {
    pub revisions: Vec<HistoryRevision>,
}

/// What a reviewer asks, less its change id: two attempts with the same content are one
/// action (a retry) and go under one change id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewAct {
    pub action: ReviewAction,
    /// The revision the reviewer saw: the server applies the action to it or to nothing.
    pub revision: u64,
    pub comment: Option<String>,
    /// Questions to fix, by name (a return only).
    pub fields: Vec<String>,
}

/// What the review endpoints answer, as far as the phone reads it: one reader for both
/// (every derived reader is code each phone downloads).
#[derive(Deserialize)]
struct Answer {
    #[serde(default)]
    record: Option<Record>,
    #[serde(default)]
    review: Option<Review>,
}

/// A client of one server. Cheap to build; holds no connection.
#[derive(Clone, PartialEq, Eq)]
pub struct Api {
    /// Absolute origin without a trailing slash, e.g. `https://sotay.example.vn`.
    pub base: String,
    pub token: Option<String>,
    /// What pushes and pulls report of the phone (see [`Api::reporting`]).
    pub state: Option<DeviceState>,
}

/// What the phone says of itself with each push and pull, so the province sees phones
/// that hold unsent or refused records (`docs/sync-protocol.md`, "Device state").
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DeviceState {
    /// Changes in the outbox, not yet acknowledged.
    pub pending: usize,
    /// Changes the server refused that the phone still keeps.
    pub refused: usize,
}

/// The app's version as the phone reports it.
pub const APP_VERSION: &str = env!("CARGO_PKG_VERSION");

impl std::fmt::Debug for Api {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The token is a credential: never in logs.
        f.debug_struct("Api").field("base", &self.base).field("token", &self.token.as_ref().map(|_| "…")).finish()
    }
}

impl Api {
    /// `base`: the server's origin; `None` means the page's own origin.
    pub fn new(base: Option<String>, token: Option<String>) -> Api {
        let base = base.unwrap_or_else(page_origin);
        Api { base: base.trim_end_matches('/').to_owned(), token, state: None }
    }

    /// The same client, reporting `state` with its pushes and pulls.
    pub fn reporting(&self, state: DeviceState) -> Api {
        Api { state: Some(state), ..self.clone() }
    }

    /// The device-state headers, on a push or pull.
    fn report_state(&self, call: &mut Call<'_>) {
        if let Some(state) = &self.state {
            call.headers.push(("sotay-app-version", APP_VERSION.to_owned()));
            call.headers.push(("sotay-pending", state.pending.to_string()));
            call.headers.push(("sotay-refused", state.refused.to_string()));
        }
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}/api/v1{path}", self.base)
    }

    pub(crate) fn call<'a>(&self, method: &'a str, url: &'a str, timeout: Duration) -> Call<'a> {
        let headers = self.token.iter().map(|t| ("authorization", format!("Bearer {t}"))).collect();
        Call { method, url, headers, json: None, blob: None, timeout, no_store: false, file: false }
    }

    pub async fn sign_in(&self, username: &str, password: &str, device_id: &str) -> Result<Session, ApiError> {
        let body = serde_json::json!({ "username": username, "password": password, "device_id": device_id });
        let url = self.url("/auth/sign-in");
        let call = Call { json: Some(body.to_string()), ..self.call("POST", &url, TIMEOUT) };
        json(send(call).await?)
    }

    pub async fn enroll(&self, code: &str, device_id: &str) -> Result<Session, ApiError> {
        let body = serde_json::json!({ "code": code, "device_id": device_id });
        let url = self.url("/auth/enroll");
        let call = Call { json: Some(body.to_string()), ..self.call("POST", &url, TIMEOUT) };
        json(send(call).await?)
    }

    pub async fn push(&self, req: &PushRequest) -> Result<PushResponse, ApiError> {
        let body = serde_json::to_string(req).map_err(|e| ApiError::Decode(e.to_string()))?;
        let url = self.url("/sync/push");
        let mut call = Call { json: Some(body), ..self.call("POST", &url, PUSH_TIMEOUT) };
        self.report_state(&mut call);
        json(send(call).await?)
    }

    pub async fn pull(&self, since: u64, limit: usize) -> Result<PullResponse, ApiError> {
        let url = self.url(&format!("/sync/pull?since={since}&limit={limit}"));
        let mut call = Call { no_store: true, ..self.call("GET", &url, TIMEOUT) };
        self.report_state(&mut call);
        json(send(call).await?)
    }

    /// The form catalog, unless the server's is still `version` (`None` then). Returns the
    /// bundle's JSON text as sent, checked to read as a [`Bundle`], and its version (the ETag
    /// without quotes). The text is what the device stores: re-serializing the bundle would
    /// cost every phone the code to write it.
    pub async fn forms(&self, version: Option<&str>) -> Result<Option<(String, String)>, ApiError> {
        let url = self.url("/forms");
        let mut call = Call { no_store: true, ..self.call("GET", &url, TIMEOUT) };
        if let Some(v) = version {
            call.headers.push(("if-none-match", format!("\"{v}\"")));
        }
        let reply = send(call).await?;
        if reply.status == 304 {
            return Ok(None);
        }
        let etag = reply.etag.as_deref().map(|v| v.trim_start_matches("W/").trim_matches('"').to_owned());
        let bundle: Bundle = serde_json::from_str(&reply.text).map_err(|e| ApiError::Decode(e.to_string()))?;
        let version = etag.unwrap_or(bundle.version);
        Ok(Some((reply.text, version)))
    }

    /// A report of the user's scope, as the server sent it: `summary?from=…&to=…` (JSON, read
    /// with `ReportSummary::from`), `trend?year=…` (JSON, read with [`trend_months`]) or
    /// `annual?year=…&format=html` (a page). Supervisors and admins only: a collector gets
    /// `Rejected { status: 403, .. }`.
    pub async fn report(&self, query: &str) -> Result<String, ApiError> {
        let url = self.url(&format!("/reports/{query}"));
        let call = Call { no_store: true, ..self.call("GET", &url, TIMEOUT) };
        Ok(send(call).await?.text)
    }

    /// A record's history (`GET /records/{id}/history`): each revision the server kept,
    /// oldest first, with what it changed.
    pub async fn history(&self, record_id: uuid::Uuid) -> Result<RecordHistory, ApiError> {
        let url = self.url(&format!("/records/{record_id}/history"));
        let call = Call { no_store: true, ..self.call("GET", &url, TIMEOUT) };
        serde_json::from_str(&send(call).await?.text).map_err(|e| ApiError::Decode(e.to_string()))
    }

    /// A review action on a finished record (`POST /records/{id}/review`,
    /// docs/sync-protocol.md "Review"): supervisors and admins in scope. `change_id` is made
    /// once per action and sent unchanged on every retry, which the server then answers as a
    /// duplicate. Returns the record's review as the action left it; a refusal is
    /// `Rejected { status: 409, code, .. }` (`stale_revision`, `awaiting_officer`, …).
    pub async fn review(
        &self,
        record_id: uuid::Uuid,
        change_id: uuid::Uuid,
        act: &ReviewAct,
    ) -> Result<Review, ApiError> {
        let body = serde_json::json!({
            "change_id": change_id.to_string(), "action": act.action.as_str(), "revision": act.revision,
            "comment": act.comment, "fields": act.fields,
        });
        let url = self.url(&format!("/records/{record_id}/review"));
        let call = Call { json: Some(body.to_string()), ..self.call("POST", &url, TIMEOUT) };
        json::<Answer>(send(call).await?)?.review.ok_or_else(|| ApiError::Decode("no review".into()))
    }

    /// A record of the user's scope as the server has it, with its latest review (`GET
    /// /admin/records/{id}`, the console's read; supervisors and admins only). Their phones
    /// pull only their own records, so another officer's is read from here to review it.
    pub async fn server_record(&self, record_id: uuid::Uuid) -> Result<(Record, Option<Review>), ApiError> {
        let url = self.url(&format!("/admin/records/{record_id}"));
        let call = Call { no_store: true, ..self.call("GET", &url, TIMEOUT) };
        let shown = json::<Answer>(send(call).await?)?;
        Ok((shown.record.ok_or_else(|| ApiError::Decode("no record".into()))?, shown.review))
    }

    /// The annual report of `year` as an XLSX file, to save.
    pub async fn annual_report(&self, year: i32) -> Result<web_sys::Blob, ApiError> {
        let url = self.url(&format!("/reports/annual?year={year}&format=xlsx"));
        let call = Call { no_store: true, file: true, ..self.call("GET", &url, TIMEOUT) };
        send(call).await?.blob.ok_or_else(|| ApiError::Decode("no file".into()))
    }

    pub async fn sign_out(&self) -> Result<(), ApiError> {
        let url = self.url("/auth/sign-out");
        send(self.call("POST", &url, TIMEOUT)).await.map(drop)
    }
}

fn page_origin() -> String {
    web_sys::window().and_then(|w| w.location().origin().ok()).unwrap_or_default()
}

/// Sends and sorts the answer: success (2xx, 304) or an [`ApiError`].
pub(crate) async fn send(call: Call<'_>) -> Result<Reply, ApiError> {
    let reply = call.send().await.map_err(|_| ApiError::Offline)?;
    if (200..300).contains(&reply.status) || reply.status == 304 {
        return Ok(reply);
    }
    let body: Option<ErrorBody> = serde_json::from_str(&reply.text).ok();
    Err(classify(reply.status, body))
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

pub(crate) fn json<T: serde::de::DeserializeOwned>(reply: Reply) -> Result<T, ApiError> {
    serde_json::from_str(&reply.text).map_err(|e| ApiError::Decode(e.to_string()))
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
    fn report_summary_reads_the_servers_json() {
        let json = r#"{"period":{"from":"2026-11-01","to":"2026-11-30","kind":"month",
            "label":{"vi":"Tháng 11/2026","en":"2026-11"}},"filter":{"form":null,"commune":null},
            "scope":{"whole_province":true,"communes":[],"label":{"vi":"Toàn tỉnh","en":"Whole province"}},
            "totals":{"activities":3,"participants":{"male":4,"female":6,"total":10},
                "kinh":{"male":1,"female":1,"total":2},"minority":{"male":3,"female":5,"total":8},"female_share":0.6},
            "forms":[{"form_id":"outreach_event","title":{"vi":"Truyền thông","en":"Outreach"},
                "plan_area":"communication","collects_participants":true,"group_dimension":null,
                "activities":2,"participants":{"male":4,"female":6,"total":10},"kinh":{"male":0,"female":0,"total":0},
                "minority":{"male":0,"female":0,"total":0},"female_share":0.6,"by_ethnicity":[],"by_group":[]}],
            "communes":[],"forms_by_commune":[],
            "ethnicities":[{"code":"04","name":{"vi":"Mường","en":"Muong"},"minority":true,"male":3,"female":5,"total":8}],
            "agencies":[{"agency":"hoi_lhpn_xa","name":{"vi":"Hội LHPN xã","en":"Commune Women's Union"},
                "activities":2,"participants":{"male":4,"female":6,"total":10},"kinh":{"male":0,"female":0,"total":0},
                "minority":{"male":0,"female":0,"total":0},"female_share":0.6}]}"#;
        let s: ReportSummary = serde_json::from_str(json).unwrap();
        let form = &s.forms[0];
        assert_eq!((form.form_id.as_str(), form.title.en.as_str()), ("outreach_event", "Outreach"));
        assert_eq!((form.activities, form.participants), (2, BySex { male: 4, female: 6 }));
        let group = &s.ethnicities[0];
        assert_eq!((group.code.as_str(), group.name.vi.as_str(), group.male, group.female), ("04", "Mường", 3, 5));
        let agency = &s.agencies[0];
        assert_eq!((agency.code.as_str(), agency.name.en.as_str()), ("hoi_lhpn_xa", "Commune Women's Union"));
        assert_eq!((agency.activities, agency.participants), (2, BySex { male: 4, female: 6 }));
        // Fields the PWA does not use may come and go.
        assert_eq!(serde_json::from_str::<ReportSummary>("{}").unwrap(), ReportSummary::default());
    }

    #[test]
    fn trend_months_reads_the_servers_months() {
        let json = r#"{"year":2026,"totals":{"activities":3},"months":[
            {"month":1,"activities":2,"participants":{"male":4,"female":6,"total":10},"female_share":0.6},
            {"month":2,"activities":0,"participants":{"male":0,"female":0,"total":0},"female_share":null},
            {"month":3}]}"#;
        let m = trend_months(&serde_json::from_str(json).unwrap());
        assert_eq!(m, [(2, BySex { male: 4, female: 6 }), (0, BySex::default()), (0, BySex::default())]);
        assert!(trend_months(&serde_json::from_str("{}").unwrap()).is_empty());
    }

    #[test]
    fn session_reads_the_servers_user_json() {
        let json = r#"{"token":"t","user":{"id":3,"username":"lan","display_name":"Lan","role":"collector",
            "whole_province":false,"disabled":false,"communes":[{"unit_list":"units_2025","unit_code":"21001"}]}}"#;
        let s: Session = serde_json::from_str(json).unwrap();
        assert_eq!((s.user.role, s.user.communes.len()), (Role::Collector, 1));
    }
}
