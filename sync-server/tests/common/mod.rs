//! Test harness for driving the sync server's router without a socket, on SQLite and on
//! PostgreSQL. Include it with `#[macro_use] mod common;`.
//!
//! - [`TestApp`]: a fresh database, the bundled catalog and the router built by `app()`;
//!   helpers to send requests, make users and tokens, build records and changes;
//! - [`both!`]: one test function, run once per database;
//! - [`fresh_db`]: just a fresh, migrated database.
//!
//! PostgreSQL tests use `SOTAY_TEST_DATABASE_URL` (`cargo xtask pg-up` starts a throwaway
//! server) and make their own database in it, dropped again at the end. Without the
//! variable they skip with a message, except in CI (`CI=true`), where they fail.

#![allow(dead_code, unused_macros)]

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, Request, StatusCode};
use axum::Router;
use chrono::Utc;
use forms::sync::{Change, PullResponse, PushRequest, PushResponse};
use forms::{Catalog, Location, Record, RecordStatus};
use http_body_util::BodyExt;
use serde_json::{Map, Value};
use sqlx::{Connection, Executor};
use sync_server::catalog::Catalogs;
use sync_server::photos::PhotoStore;
use sync_server::store::users::{NewUser, Role, User};
use sync_server::{app, AppState, Db, Settings};
use tower::ServiceExt;
use uuid::Uuid;

/// The environment variable naming the PostgreSQL server tests make their databases in.
pub const PG_URL_VAR: &str = "SOTAY_TEST_DATABASE_URL";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs `async fn $name(app: TestApp)` once on SQLite and once on PostgreSQL, as
/// `$name::sqlite` and `$name::postgres`. Attributes before the name (such as
/// `#[ignore = "…"]`) go on both.
macro_rules! both {
    ($($(#[$attr:meta])* $name:ident),+ $(,)?) => {
        $(
            mod $name {
                $(#[$attr])*
                #[tokio::test]
                async fn sqlite() {
                    if let Some(app) = crate::common::TestApp::new(crate::common::Backend::Sqlite).await {
                        super::$name(app).await;
                    }
                }

                $(#[$attr])*
                #[tokio::test]
                async fn postgres() {
                    if let Some(app) = crate::common::TestApp::new(crate::common::Backend::Postgres).await {
                        super::$name(app).await;
                    }
                }
            }
        )+
    };
}

/// A fresh, migrated database, and what removes it again when dropped.
pub struct TestDb {
    pub db: Db,
    pub backend: Backend,
    /// The URL it was opened with (for tests that open a second pool or start a process).
    pub url: String,
    guard: Guard,
}

enum Guard {
    /// The SQLite file lives in this directory, removed on drop.
    Sqlite(tempfile::TempDir),
    /// A database made for this test on the server at `admin_url`; dropped on drop.
    Postgres { admin_url: String, name: String },
}

impl Drop for Guard {
    fn drop(&mut self) {
        if let Guard::Postgres { admin_url, name } = self {
            // Best effort, on a thread of its own: Drop cannot await, and the test's runtime
            // may be unwinding. FORCE ends the pool's connections that are still open.
            let (url, db_name) = (admin_url.clone(), name.clone());
            let dropped = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().ok()?;
                rt.block_on(async {
                    let mut conn = sqlx::PgConnection::connect(&url).await.ok()?;
                    conn.execute(format!("DROP DATABASE IF EXISTS {db_name} WITH (FORCE)").as_str()).await.ok()?;
                    conn.close().await.ok()
                })
            })
            .join();
            if !matches!(dropped, Ok(Some(()))) {
                eprintln!("note: could not drop test database {name}");
            }
        }
    }
}

/// A fresh, migrated database on `backend`; `None` when PostgreSQL is not configured
/// (outside CI). Panics in CI when it is not.
pub async fn fresh_db(backend: Backend) -> Option<TestDb> {
    match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().expect("temporary directory");
            let url = Db::sqlite_url(dir.path());
            let db = Db::connect(&url).await.expect("open and migrate a fresh SQLite database");
            Some(TestDb { db, backend, url, guard: Guard::Sqlite(dir) })
        }
        Backend::Postgres => {
            let Some(admin_url) = postgres_url() else {
                eprintln!("skipping: {PG_URL_VAR} not set");
                return None;
            };
            let name = format!("sotay_t_{}", Uuid::new_v4().simple());
            let mut conn = sqlx::PgConnection::connect(&admin_url)
                .await
                .unwrap_or_else(|e| panic!("cannot connect to {PG_URL_VAR}={admin_url}: {e}"));
            conn.execute(format!("CREATE DATABASE {name}").as_str()).await.expect("create the test database");
            conn.close().await.ok();
            // The guard exists from here on, so a failed migration still drops the database.
            let guard = Guard::Postgres { admin_url: admin_url.clone(), name: name.clone() };
            let url = with_database(&admin_url, &name);
            let db = Db::connect(&url).await.expect("open and migrate a fresh PostgreSQL database");
            Some(TestDb { db, backend, url, guard })
        }
    }
}

/// The configured PostgreSQL URL, or `None` to skip; a missing URL fails the test in CI,
/// where a PostgreSQL test must never pass by skipping.
pub fn postgres_url() -> Option<String> {
    match std::env::var(PG_URL_VAR) {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("{PG_URL_VAR} is not set, and CI=true: PostgreSQL tests must run in CI (start one with `cargo xtask pg-up`)")
        }
        _ => None,
    }
}

/// `url` with its database path replaced by `name` (query string kept).
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let base = match base[scheme_end..].find('/') {
        Some(slash) => &base[..scheme_end + slash],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

/// The router over a fresh database, with what the tests need to look behind it.
pub struct TestApp {
    pub router: Router,
    pub db: Db,
    pub catalog: Arc<Catalog>,
    pub state: AppState,
    pub backend: Backend,
    /// The folder photos go to unless a test names another store (`with_photos`).
    photo_dir: Arc<tempfile::TempDir>,
    // Last: the database outlives the router and pool handles above.
    test_db: TestDb,
}

/// A response, read to the end.
#[derive(Debug)]
pub struct Response {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Response {
    /// The body as JSON; panics (showing the body) when it is not.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!("{} response is not JSON ({e}): {}", self.status, String::from_utf8_lossy(&self.body))
        })
    }

    /// The body as a typed value; panics when it does not parse.
    pub fn parse<T: serde::de::DeserializeOwned>(&self) -> T {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "{} response is not a {} ({e}): {}",
                self.status,
                std::any::type_name::<T>(),
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    /// The `error` code of an error body.
    pub fn error_code(&self) -> String {
        self.json()["error"].as_str().unwrap_or_else(|| panic!("no error code in {}", self.text())).to_owned()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// Asserts the status and the error code of an error response, and that the body has
    /// a message in both languages.
    pub fn assert_error(&self, status: StatusCode, code: &str) {
        assert_eq!(self.status, status, "expected {status} {code}, got: {}", self.text());
        let body = self.json();
        assert_eq!(body["error"], code, "error code in {body}");
        for lang in ["vi", "en"] {
            assert!(body["message"][lang].as_str().is_some_and(|m| !m.is_empty()), "message.{lang} missing in {body}");
        }
    }
}

pub fn test_settings() -> Settings {
    Settings { public_url: "https://sotay.test".into(), trust_proxy: false, pwa_dir: None, allow_any_origin: false }
}

impl TestApp {
    /// A fresh database on `backend` with the bundled catalog; `None` when skipped.
    pub async fn new(backend: Backend) -> Option<TestApp> {
        let catalog = Catalog::bundled().expect("the bundled catalog loads");
        let test_db = fresh_db(backend).await?;
        // As the server does at start (main.rs): the catalog seeded into the database and
        // served from there, so every test also checks that it comes back the same.
        let catalogs = Catalogs::load(&test_db.db, &catalog).await.expect("the stored catalog loads");
        assert_eq!(catalogs.current().version(), catalog.version(), "the stored catalog is the shipped one");
        test_db.db.ensure_report_figures(&catalogs.current()).await.expect("the report figures are worked out");
        let photo_dir = Arc::new(tempfile::tempdir().expect("a temporary photo folder"));
        let photos = PhotoStore::in_folder(photo_dir.path()).expect("the photo folder opens");
        Some(Self::serve(test_db, catalogs, test_settings(), photos, photo_dir))
    }

    /// Serves a fixed catalog, never one published meanwhile.
    pub fn build(test_db: TestDb, catalog: Arc<Catalog>, settings: Settings) -> TestApp {
        let photo_dir = Arc::new(tempfile::tempdir().expect("a temporary photo folder"));
        let photos = PhotoStore::in_folder(photo_dir.path()).expect("the photo folder opens");
        Self::serve(test_db, Catalogs::fixed(catalog), settings, photos, photo_dir)
    }

    fn serve(
        test_db: TestDb,
        catalogs: Catalogs,
        settings: Settings,
        photos: PhotoStore,
        photo_dir: Arc<tempfile::TempDir>,
    ) -> TestApp {
        let state = AppState::new(test_db.db.clone(), catalogs, settings, photos);
        TestApp {
            router: app(state.clone()),
            db: test_db.db.clone(),
            catalog: state.catalog.clone(),
            backend: test_db.backend,
            state,
            photo_dir,
            test_db,
        }
    }

    /// The same database served with another catalog (e.g. with a withdrawn version).
    pub fn with_catalog(self, catalog: Catalog) -> TestApp {
        let settings = (*self.state.settings).clone();
        let photos = self.state.photos.clone();
        Self::serve(self.test_db, Catalogs::fixed(Arc::new(catalog)), settings, photos, self.photo_dir)
    }

    /// The same database served with other settings.
    pub fn with_settings(self, settings: Settings) -> TestApp {
        let catalogs = self.state.catalogs.clone();
        let photos = self.state.photos.clone();
        Self::serve(self.test_db, catalogs, settings, photos, self.photo_dir)
    }

    /// The same database with its photos in another store (an S3 bucket).
    pub fn with_photos(self, photos: PhotoStore) -> TestApp {
        let catalogs = self.state.catalogs.clone();
        let settings = (*self.state.settings).clone();
        Self::serve(self.test_db, catalogs, settings, photos, self.photo_dir)
    }

    pub fn url(&self) -> &str {
        &self.test_db.url
    }

    // ---- requests ------------------------------------------------------------------

    /// Sends one request through the router (no socket) and reads the whole response.
    pub async fn send(&self, request: Request<Body>) -> Response {
        let response = self.router.clone().oneshot(request).await.expect("the router is infallible");
        let (parts, body) = response.into_parts();
        let body = body.collect().await.expect("read the response body").to_bytes();
        Response { status: parts.status, headers: parts.headers, body }
    }

    /// A request with an optional bearer token and an optional JSON body.
    pub async fn request(&self, method: Method, path: &str, token: Option<&str>, body: Option<&Value>) -> Response {
        let mut builder = Request::builder().method(method).uri(path);
        if let Some(token) = token {
            builder = builder.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let body = match body {
            Some(json) => {
                builder = builder.header(header::CONTENT_TYPE, "application/json");
                Body::from(serde_json::to_vec(json).expect("serialize"))
            }
            None => Body::empty(),
        };
        self.send(builder.body(body).expect("a valid request")).await
    }

    /// A request with raw headers and body, for malformed input.
    pub async fn raw(&self, method: Method, path: &str, headers: &[(&str, &str)], body: impl Into<Body>) -> Response {
        let mut builder = Request::builder().method(method).uri(path);
        for (name, value) in headers {
            builder = builder.header(HeaderName::try_from(*name).unwrap(), HeaderValue::try_from(*value).unwrap());
        }
        self.send(builder.body(body.into()).expect("a valid request")).await
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Response {
        self.request(Method::GET, path, token, None).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: &Value) -> Response {
        self.request(Method::POST, path, token, Some(body)).await
    }

    // ---- users and sessions ----------------------------------------------------------

    /// Creates a user directly in the database (no password unless given).
    pub async fn create_user(
        &self,
        username: &str,
        role: Role,
        communes: &[&str],
        whole_province: bool,
        password: Option<&str>,
    ) -> User {
        let communes: Vec<Location> = communes.iter().map(|c| commune(c)).collect();
        let new = NewUser {
            username,
            display_name: &format!("Test {username}"),
            role,
            password,
            whole_province,
            communes: &communes,
        };
        self.db.create_user(&new, self.catalog.reference()).await.expect("create user")
    }

    /// A user and a token for them, issued directly (no password hashing: fast).
    pub async fn user_with_token(&self, username: &str, role: Role, communes: &[&str], whole_province: bool) -> String {
        let user = self.create_user(username, role, communes, whole_province, None).await;
        self.db.issue_token(user.id, &format!("{username}-device")).await.expect("issue token")
    }

    /// A collector working in the given 2025 communes, and their token.
    pub async fn collector(&self, username: &str, communes: &[&str]) -> String {
        self.user_with_token(username, Role::Collector, communes, false).await
    }

    /// A supervisor of the whole province, and their token.
    pub async fn province_supervisor(&self, username: &str) -> String {
        self.user_with_token(username, Role::Supervisor, &[], true).await
    }

    pub async fn admin(&self, username: &str) -> String {
        self.user_with_token(username, Role::Admin, &[], false).await
    }

    /// `POST /api/v1/auth/sign-in`.
    pub async fn sign_in(&self, username: &str, password: &str) -> Response {
        let body = serde_json::json!({ "username": username, "password": password, "device_id": "test-device" });
        self.post("/api/v1/auth/sign-in", None, &body).await
    }

    /// Signs in and returns the token; panics unless it succeeds.
    pub async fn sign_in_ok(&self, username: &str, password: &str) -> String {
        let response = self.sign_in(username, password).await;
        assert_eq!(response.status, StatusCode::OK, "sign-in failed: {}", response.text());
        response.json()["token"].as_str().expect("a token").to_owned()
    }

    // ---- sync --------------------------------------------------------------------------

    /// `POST /api/v1/sync/push` with these changes; the raw response.
    pub async fn push_raw(&self, token: &str, changes: &[Change]) -> Response {
        let request = PushRequest { device_id: "test-device".into(), changes: changes.to_vec() };
        self.post("/api/v1/sync/push", Some(token), &serde_json::to_value(&request).unwrap()).await
    }

    /// Pushes and returns the results, as JSON (one object per change); panics unless 200.
    pub async fn push(&self, token: &str, changes: &[Change]) -> Vec<Value> {
        let response = self.push_raw(token, changes).await;
        assert_eq!(response.status, StatusCode::OK, "push failed: {}", response.text());
        // The typed form must parse too: it is what the device reads.
        let typed: PushResponse = response.parse();
        assert_eq!(typed.results.len(), changes.len(), "one result per change");
        for (result, change) in typed.results.iter().zip(changes) {
            assert_eq!(result.change_id, change.change_id, "results are in request order");
        }
        response.json()["results"].as_array().unwrap().clone()
    }

    /// Pushes one change and returns its result.
    pub async fn push_one(&self, token: &str, change: &Change) -> Value {
        self.push(token, std::slice::from_ref(change)).await.remove(0)
    }

    /// `GET /api/v1/sync/pull?since=…`; panics unless 200.
    pub async fn pull(&self, token: &str, since: u64) -> PullResponse {
        let response = self.get(&format!("/api/v1/sync/pull?since={since}"), Some(token)).await;
        assert_eq!(response.status, StatusCode::OK, "pull failed: {}", response.text());
        response.parse()
    }

    /// Ids of every record `token` can pull from the start.
    pub async fn pulled_ids(&self, token: &str) -> Vec<Uuid> {
        let mut ids = Vec::new();
        let mut since = 0;
        loop {
            let page = self.pull(token, since).await;
            ids.extend(page.records.iter().map(|r| r.record.id));
            if !page.has_more {
                return ids;
            }
            since = page.next_cursor;
        }
    }

    /// (records, conflict copies) on the server.
    pub async fn counts(&self) -> (i64, i64) {
        self.db.counts().await.expect("counts")
    }
}

// ---- records ---------------------------------------------------------------------------

/// A location on the 2025 unit list.
pub fn commune(code: &str) -> Location {
    Location { unit_list: "units_2025".into(), unit_code: code.into() }
}

/// A location on the pre-2025 unit list.
pub fn old_commune(code: &str) -> Location {
    Location { unit_list: "units_pre2025".into(), unit_code: code.into() }
}

/// The answers of valid example `index` of a form version, from `forms/tests/cases`.
pub fn case_values(form: &str, version: u32, index: usize) -> Map<String, Value> {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../forms/tests/cases/{form}_v{version}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    let cases: Value = serde_json::from_str(&text).expect("case file is JSON");
    cases["valid"][index]["values"].as_object().unwrap_or_else(|| panic!("no valid case {index} in {form}")).clone()
}

/// A new, final, valid record of `form` version `version` (its first valid example) in
/// `location`.
pub fn record_of(form: &str, version: u32, location: Location) -> Record {
    let now = Utc::now();
    Record {
        id: Uuid::new_v4(),
        form_id: form.into(),
        form_version: version,
        location,
        author: "test".into(),
        device_id: "test-device".into(),
        created_at: now,
        updated_at: now,
        status: RecordStatus::Final,
        deleted: false,
        revision: 0,
        values: case_values(form, version, 0),
    }
}

/// A new valid outreach event record in a 2025 commune.
pub fn record_in(code: &str) -> Record {
    record_of("outreach_event", 1, commune(code))
}

/// A change carrying `record`, with a fresh change id.
pub fn change(record: &Record, base_revision: u64) -> Change {
    Change { change_id: Uuid::new_v4(), base_revision, record: record.clone() }
}

/// A new record's first change.
pub fn new_change(record: &Record) -> Change {
    change(record, 0)
}
