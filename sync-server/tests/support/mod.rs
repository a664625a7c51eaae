//! Helpers for `tests/processes.rs`: real `sotay-sync-server` processes on real TCP ports,
//! an HTTP client for them, throwaway PostgreSQL databases, and valid records.
//!
//! Every process is killed when its [`Server`] guard drops, whatever the test did. Server
//! logs (stderr) go to files under `CARGO_TARGET_TMPDIR/process-logs/`, kept after the run;
//! failure messages name them.

#![allow(dead_code)]

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use chrono::Utc;
use forms::sync::{Change, PullResponse, PulledRecord, PushRequest, PushResponse};
use forms::{Location, Record, RecordStatus};
use serde_json::{json, Map, Value as Json};
use uuid::Uuid;

pub const BIN: &str = env!("CARGO_BIN_EXE_sotay-sync-server");
/// How long a server may take from spawn to answering `/readyz`.
const START_TIMEOUT: Duration = Duration::from_secs(30);
const PASSWORD_PREFIX: &str = "Password (shown once):";

/// Where a server keeps its data.
#[derive(Debug, Clone)]
pub enum Database {
    /// The embedded SQLite database under this data folder.
    Sqlite(PathBuf),
    /// A PostgreSQL URL.
    Postgres(String),
}

/// A running server process, killed (SIGKILL) and reaped on drop.
pub struct Server {
    child: Option<Child>,
    pub name: String,
    pub addr: SocketAddr,
    /// `http://127.0.0.1:PORT`
    pub base: String,
    /// The administrator password, when this start created the administrator.
    pub admin_password: Option<String>,
    /// Every line the process wrote to stdout so far (a thread keeps reading).
    stdout: Arc<Mutex<Vec<String>>>,
    pub log: PathBuf,
    pub database: Database,
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("binding 127.0.0.1:0 for a free port");
    listener.local_addr().expect("local address").port()
}

fn log_path(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("process-logs");
    std::fs::create_dir_all(&dir).expect("creating the log folder");
    dir.join(format!("{name}-{}.log", Uuid::new_v4().simple()))
}

fn tail(path: &PathBuf, lines: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

impl Server {
    /// Starts `serve` on a free port and waits until it has printed its start lines and
    /// answers `/readyz`. Retries on another port when the chosen one was taken meanwhile.
    pub async fn start(database: &Database, name: &str) -> Server {
        let mut admin_password = None;
        let mut failures = Vec::new();
        for _attempt in 0..5 {
            let addr = SocketAddr::from(([127, 0, 0, 1], free_port()));
            let log = log_path(name);
            let mut command = Command::new(BIN);
            for var in ["DATABASE_URL", "SOTAY_DATA_DIR", "SOTAY_PUBLIC_URL", "SOTAY_LISTEN", "SOTAY_PASSWORD"] {
                command.env_remove(var);
            }
            command.env("RUST_LOG", "info,sqlx=warn");
            match database {
                Database::Sqlite(dir) => command.arg("--data-dir").arg(dir),
                Database::Postgres(url) => command.arg("--database-url").arg(url),
            };
            command
                .args(["serve", "--listen", &addr.to_string()])
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(File::create(&log).expect("creating the server log"));
            let mut child = command.spawn().expect("spawning sotay-sync-server");
            let stdout = Arc::new(Mutex::new(Vec::new()));
            let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<String>();
            {
                let pipe = child.stdout.take().expect("piped stdout");
                let stdout = stdout.clone();
                // Drains stdout for the whole life of the process so it never blocks on a pipe.
                std::thread::spawn(move || {
                    for line in BufReader::new(pipe).lines() {
                        let Ok(line) = line else { break };
                        stdout.lock().unwrap().push(line.clone());
                        let _ = tx.send(line);
                    }
                });
            }
            let mut server = Server {
                child: Some(child),
                name: name.to_owned(),
                addr,
                base: format!("http://{addr}"),
                admin_password: None,
                stdout,
                log,
                database: database.clone(),
            };
            // The start lines: the administrator's password (first start only), then "running".
            let deadline = Instant::now() + START_TIMEOUT;
            let mut running = false;
            while Instant::now() < deadline {
                match tokio::time::timeout(Duration::from_millis(100), rx.recv()).await {
                    Ok(Some(line)) => {
                        if let Some(p) = line.trim().strip_prefix(PASSWORD_PREFIX) {
                            admin_password = Some(p.trim().to_owned());
                        }
                        if line.contains("running at") {
                            running = true;
                            break;
                        }
                    }
                    Ok(None) => break, // stdout closed: the process is ending
                    Err(_) => {
                        if server.exited() {
                            break;
                        }
                    }
                }
            }
            if !running {
                let status = server.wait_exit(Duration::from_secs(5));
                let log = tail(&server.log, 20);
                failures.push(format!("{name} on {addr}: exited {status:?} before running; log:\n{log}"));
                if log.contains("listening on") {
                    continue; // the port was taken between our probe and its bind
                }
                panic!("server did not start: {}", failures.join("\n---\n"));
            }
            server.admin_password = admin_password;
            server.wait_ready().await;
            return server;
        }
        panic!("server did not start on any port: {}", failures.join("\n---\n"));
    }

    /// Waits for `/readyz` to answer 200.
    async fn wait_ready(&mut self) {
        let http = reqwest::Client::builder().timeout(Duration::from_secs(2)).build().unwrap();
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if let Ok(r) = http.get(format!("{}/readyz", self.base)).send().await {
                if r.status() == 200 {
                    return;
                }
            }
            if self.exited() || Instant::now() > deadline {
                panic!(
                    "{} never became ready at {}; log {}:\n{}",
                    self.name,
                    self.base,
                    self.log.display(),
                    self.log_tail()
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    fn exited(&mut self) -> bool {
        self.child.as_mut().is_none_or(|c| matches!(c.try_wait(), Ok(Some(_))))
    }

    fn wait_exit(&mut self, within: Duration) -> Option<ExitStatus> {
        let child = self.child.as_mut()?;
        let deadline = Instant::now() + within;
        loop {
            if let Ok(Some(status)) = child.try_wait() {
                self.child = None;
                return Some(status);
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let status = child.wait().ok();
                self.child = None;
                return status;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// SIGKILL: the process gets no chance to finish anything.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().expect("SIGKILL");
            child.wait().expect("reaping the killed server");
        }
    }

    /// SIGTERM, then wait for the graceful shutdown; the exit status.
    pub fn terminate(&mut self) -> ExitStatus {
        let pid = self.child.as_ref().expect("server running").id();
        // SAFETY: kill(2) with a pid this guard owns and has not reaped.
        let rc = unsafe { libc::kill(pid as libc::pid_t, libc::SIGTERM) };
        assert_eq!(rc, 0, "sending SIGTERM");
        let deadline = Instant::now() + Duration::from_secs(15);
        let child = self.child.as_mut().unwrap();
        loop {
            if let Some(status) = child.try_wait().expect("try_wait") {
                self.child = None;
                return status;
            }
            if Instant::now() > deadline {
                self.kill();
                panic!("{} did not stop within 15 s of SIGTERM", self.name);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn stdout_lines(&self) -> Vec<String> {
        self.stdout.lock().unwrap().clone()
    }

    pub fn log_tail(&self) -> String {
        tail(&self.log, 40)
    }

    /// Signs in as the administrator with `password`, as device `device_id`.
    pub async fn admin(&self, password: &str, device_id: &str) -> Api {
        Api::sign_in(&self.base, "admin", password, device_id)
            .await
            .unwrap_or_else(|e| panic!("signing in on {}: {e:#}; log:\n{}", self.name, self.log_tail()))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A signed-in client of one server.
#[derive(Clone)]
pub struct Api {
    pub http: reqwest::Client,
    pub base: String,
    pub token: String,
    pub device_id: String,
}

impl Api {
    pub async fn sign_in(base: &str, username: &str, password: &str, device_id: &str) -> Result<Api> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(20))
            .connect_timeout(Duration::from_secs(5))
            .build()?;
        let response = http
            .post(format!("{base}/api/v1/auth/sign-in"))
            .json(&json!({ "username": username, "password": password, "device_id": device_id }))
            .send()
            .await?;
        let status = response.status();
        let body: Json = response.json().await?;
        if status != 200 {
            bail!("sign-in answered {status}: {body}");
        }
        let token = body["token"].as_str().context("no token in the sign-in answer")?.to_owned();
        Ok(Api { http, base: base.to_owned(), token, device_id: device_id.to_owned() })
    }

    /// The same session against another server (tokens live in the shared database).
    pub fn on(&self, base: &str) -> Api {
        Api { base: base.to_owned(), ..self.clone() }
    }

    /// One push; an error for a failed connection or any status but 200.
    pub async fn push(&self, changes: &[Change]) -> Result<PushResponse> {
        let request = PushRequest { device_id: self.device_id.clone(), changes: changes.to_vec() };
        let response = self
            .http
            .post(format!("{}/api/v1/sync/push", self.base))
            .bearer_auth(&self.token)
            .json(&request)
            .send()
            .await?;
        let status = response.status();
        if status != 200 {
            bail!("push answered {status}: {}", response.text().await.unwrap_or_default());
        }
        let body: PushResponse = response.json().await?;
        if body.results.len() != changes.len() {
            bail!("push answered {} results for {} changes", body.results.len(), changes.len());
        }
        for (result, change) in body.results.iter().zip(changes) {
            if result.change_id != change.change_id {
                bail!("push results out of order: {} for {}", result.change_id, change.change_id);
            }
        }
        Ok(body)
    }

    pub async fn pull_page(&self, since: u64, limit: usize) -> Result<PullResponse> {
        let response = self
            .http
            .get(format!("{}/api/v1/sync/pull?since={since}&limit={limit}", self.base))
            .bearer_auth(&self.token)
            .send()
            .await?;
        let status = response.status();
        if status != 200 {
            bail!("pull answered {status}: {}", response.text().await.unwrap_or_default());
        }
        Ok(response.json().await?)
    }

    /// Every record from cursor 0, page by page, checking cursors only go up.
    pub async fn pull_all(&self) -> Vec<PulledRecord> {
        let mut since = 0;
        let mut all = Vec::new();
        loop {
            let page = self.pull_page(since, 1000).await.unwrap_or_else(|e| panic!("pull from {}: {e:#}", self.base));
            for r in &page.records {
                assert!(r.cursor > since, "cursor went backwards or repeated: {} after {since}", r.cursor);
                since = r.cursor;
            }
            assert_eq!(page.next_cursor, since, "next_cursor is not the last record's cursor");
            all.extend(page.records);
            if !page.has_more {
                return all;
            }
        }
    }
}

/// Records by id, failing with "record duplicated" when an id comes twice.
pub fn by_id(records: &[PulledRecord], context: &str) -> HashMap<Uuid, PulledRecord> {
    let mut map = HashMap::new();
    for r in records {
        if let Some(earlier) = map.insert(r.record.id, r.clone()) {
            panic!(
                "record duplicated ({context}): {} pulled at cursors {} and {}",
                r.record.id, earlier.cursor, r.cursor
            );
        }
    }
    map
}

/// The answers of the first valid case of `training_session` v1.
static VALUES: LazyLock<Map<String, Json>> = LazyLock::new(|| {
    let cases: Json = serde_json::from_str(include_str!("../../../forms/tests/cases/training_session_v1.json"))
        .expect("the training_session v1 case file");
    cases["valid"][0]["values"].as_object().expect("values of the first valid case").clone()
});

/// A valid new record (training session, commune 21025 of units_2025).
pub fn new_record(device_id: &str, note: &str) -> Record {
    let mut values = VALUES.clone();
    values.insert("notes".into(), Json::String(note.to_owned()));
    let now = Utc::now();
    Record {
        id: Uuid::new_v4(),
        form_id: "training_session".into(),
        form_version: 1,
        location: Location { unit_list: "units_2025".into(), unit_code: "21025".into() },
        author: "admin".into(),
        device_id: device_id.to_owned(),
        created_at: now,
        updated_at: now,
        status: RecordStatus::Final,
        deleted: false,
        revision: 0,
        values,
    }
}

/// A change creating a new record, with a fresh change id.
pub fn new_change(device_id: &str, note: &str) -> Change {
    Change { change_id: Uuid::new_v4(), base_revision: 0, record: new_record(device_id, note) }
}

/// The PostgreSQL server the tests may use, from `SOTAY_TEST_DATABASE_URL`. Unset: a panic
/// in CI (`CI=true`), never a silent pass; elsewhere a notice and `None` (the test returns).
pub fn postgres_url(test: &str) -> Option<String> {
    match std::env::var("SOTAY_TEST_DATABASE_URL") {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ if std::env::var("CI").as_deref() == Ok("true") => {
            panic!("{test}: SOTAY_TEST_DATABASE_URL is not set in CI; PostgreSQL tests must run there")
        }
        _ => {
            eprintln!("SKIPPED {test}: SOTAY_TEST_DATABASE_URL is not set (cargo xtask pg-up starts PostgreSQL)");
            None
        }
    }
}

/// A database of its own on the test PostgreSQL server, dropped with the guard (kept, and
/// named on stderr, when the test panicked, for a look afterwards).
pub struct PgDatabase {
    pub url: String,
    admin_url: String,
    pub name: String,
}

fn with_database(url: &str, database: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let base = match base[authority_start..].find('/') {
        Some(i) => &base[..authority_start + i],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{database}?{q}"),
        None => format!("{base}/{database}"),
    }
}

impl PgDatabase {
    pub async fn create(admin_url: &str) -> PgDatabase {
        use sqlx::Connection;
        let name = format!("sotay_p_{}", Uuid::new_v4().simple());
        let mut conn = sqlx::PgConnection::connect(admin_url)
            .await
            .unwrap_or_else(|e| panic!("connecting to {admin_url} (cargo xtask pg-up?): {e}"));
        sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut conn).await.expect("CREATE DATABASE");
        let _ = conn.close().await;
        PgDatabase { url: with_database(admin_url, &name), admin_url: admin_url.to_owned(), name }
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("kept PostgreSQL database {} of the failed test", self.name);
            return;
        }
        let (admin_url, name) = (self.admin_url.clone(), self.name.clone());
        // Its own runtime on its own thread: drop may run inside the test's runtime.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            rt.block_on(async {
                use sqlx::Connection;
                if let Ok(mut conn) = sqlx::PgConnection::connect(&admin_url).await {
                    let _ =
                        sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut conn).await;
                    let _ = conn.close().await;
                }
            });
        })
        .join();
    }
}

#[test]
fn database_urls() {
    assert_eq!(
        with_database("postgres://postgres@127.0.0.1:55432/sotay_test", "x"),
        "postgres://postgres@127.0.0.1:55432/x"
    );
    assert_eq!(with_database("postgres://u@h/db?sslmode=disable", "x"), "postgres://u@h/x?sslmode=disable");
    assert_eq!(with_database("postgres://u@h", "x"), "postgres://u@h/x");
}
