//! Ingest throughput: records pushed over HTTP (JSON, auth, validation, exactly-once
//! bookkeeping, durable commit) against inserting the same record and grid-cell rows
//! directly into the same database, in the same run.
//!
//! `cargo bench -p sotay-sync-server --bench ingest` (SQLite), and PostgreSQL too when
//! `SOTAY_BENCH_DATABASE_URL` (or `SOTAY_TEST_DATABASE_URL`) names a database it may fill.

use std::sync::Arc;
use std::time::Instant;

use chrono::Utc;
use forms::sync::{Change, PushRequest, PushResponse};
use forms::{Catalog, Location, Record, RecordStatus};
use serde_json::json;
use sync_server::store::users::{NewUser, Role};
use sync_server::{app, AppState, Db, Settings};
use uuid::Uuid;

const PASSWORD: &str = "benchmark-password";
const ROUNDS: usize = 3;

fn median(mut rates: Vec<f64>) -> f64 {
    rates.sort_by(f64::total_cmp);
    rates[rates.len() / 2]
}

fn record(i: usize) -> Record {
    let ethnicities = ["01", "19", "30", "14"];
    let cells: Vec<_> = ethnicities
        .iter()
        .flat_map(|e| ["male", "female"].map(|sex| json!({ "ethnicity": e, "sex": sex, "count": 3 + i % 7 })))
        .collect();
    let serde_json::Value::Object(values) = json!({
        "topic": "gbv_prevention", "organiser": "so_noi_vu",
        "start_date": "2025-11-20", "end_date": "2025-11-21", "duration_days": 2,
        "trainers": "Báo cáo viên Sở Nội vụ",
        "participant_category": ["commune_officials", "village_heads"],
        "participants": cells,
        "notes": "Lớp tập huấn tại nhà văn hóa xã."
    }) else {
        unreachable!()
    };
    Record {
        id: Uuid::new_v4(),
        form_id: "training_session".into(),
        form_version: 1,
        location: Location { unit_list: "units_2025".into(), unit_code: "21025".into() },
        author: "bench".into(),
        device_id: "bench-device".into(),
        created_at: Utc::now(),
        updated_at: Utc::now(),
        status: RecordStatus::Final,
        deleted: false,
        revision: 0,
        values,
    }
}

async fn push_over_http(base: &str, token: &str, total: usize, batch: usize) -> f64 {
    let client = reqwest::Client::new();
    let batches: Vec<PushRequest> = (0..total / batch)
        .map(|b| PushRequest {
            device_id: "bench-device".into(),
            changes: (0..batch)
                .map(|i| Change { change_id: Uuid::new_v4(), base_revision: 0, record: record(b * batch + i) })
                .collect(),
        })
        .collect();
    let start = Instant::now();
    for request in &batches {
        let response = client
            .post(format!("{base}/api/v1/sync/push"))
            .bearer_auth(token)
            .json(request)
            .send()
            .await
            .expect("push sent");
        assert!(response.status().is_success(), "push failed: {}", response.status());
        let body: PushResponse = response.json().await.expect("push response");
        assert!(body.results.iter().all(|r| r.outcome.settles_change()), "a benchmark record was not applied");
    }
    (batches.len() * batch) as f64 / start.elapsed().as_secs_f64()
}

/// Pushes `total` new records, then a correction of each (its notes edited), in batches of
/// 100: records/s of each. A correction also copies the revision it replaces into
/// `record_revisions` (issue 14) and takes the old sums out.
async fn correct_over_http(base: &str, token: &str, total: usize) -> (f64, f64) {
    let client = reqwest::Client::new();
    let records: Vec<Record> = (0..total).map(record).collect();
    let mut rates = Vec::new();
    for (base_revision, notes) in [(0, None), (1, Some("Đã sửa: thêm danh sách ký tên."))] {
        let batches: Vec<PushRequest> = records
            .chunks(100)
            .map(|chunk| PushRequest {
                device_id: "bench-device".into(),
                changes: chunk
                    .iter()
                    .map(|r| {
                        let mut record = r.clone();
                        if let Some(notes) = notes {
                            record.values.insert("notes".into(), json!(notes));
                        }
                        Change { change_id: Uuid::new_v4(), base_revision, record }
                    })
                    .collect(),
            })
            .collect();
        let start = Instant::now();
        for request in &batches {
            let response =
                client.post(format!("{base}/api/v1/sync/push")).bearer_auth(token).json(request).send().await.unwrap();
            let body: PushResponse = response.json().await.expect("push response");
            assert!(
                body.results.iter().all(|r| matches!(r.outcome, forms::sync::Outcome::Applied { .. })),
                "a benchmark change was not applied"
            );
        }
        rates.push(total as f64 / start.elapsed().as_secs_f64());
    }
    (rates[0], rates[1])
}

/// Rows of `record_revisions` and the bytes they take with their primary key index.
async fn revision_storage(db: &Db) -> (i64, i64) {
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM record_revisions").fetch_one(&db.pool).await.unwrap();
    let bytes_sql = match db.backend {
        sync_server::db::Backend::Sqlite => {
            "SELECT CAST(SUM(pgsize) AS BIGINT) FROM dbstat WHERE name IN ('record_revisions', 'sqlite_autoindex_record_revisions_1')"
        }
        sync_server::db::Backend::Postgres => "SELECT CAST(pg_total_relation_size('record_revisions') AS BIGINT)",
    };
    let bytes: i64 = sqlx::query_scalar(bytes_sql).fetch_one(&db.pool).await.unwrap();
    (rows, bytes)
}

/// The limit: the same rows (record + its grid cells) inserted with plain multi-row SQL in
/// one transaction per batch: no HTTP, no JSON, no validation, no sync bookkeeping.
async fn insert_directly(db: &Db, total: usize, batch: usize, seq_base: i64) -> f64 {
    let start = Instant::now();
    let mut seq = seq_base;
    for b in 0..total / batch {
        let records: Vec<Record> = (0..batch).map(|i| record(b * batch + i)).collect();
        let mut tx = db.pool.begin().await.unwrap();
        for chunk in records.chunks(500) {
            let sql = format!(
                "INSERT INTO records (id, form_id, form_version, unit_list, unit_code, author, device_id, created_at, \
                 updated_at, status, deleted, revision, activity_date, seq, answers, received_at) VALUES {}",
                db.backend.tuples(chunk.len(), 16)
            );
            let mut q = sqlx::query(&sql);
            for r in chunk {
                seq += 1;
                q = q
                    .bind(r.id.to_string())
                    .bind(r.form_id.clone())
                    .bind(i64::from(r.form_version))
                    .bind(r.location.unit_list.clone())
                    .bind(r.location.unit_code.clone())
                    .bind(r.author.clone())
                    .bind(r.device_id.clone())
                    .bind(r.created_at.timestamp_millis())
                    .bind(r.updated_at.timestamp_millis())
                    .bind("final")
                    .bind(0_i64)
                    .bind(1_i64)
                    .bind("2025-11-20")
                    .bind(seq)
                    .bind(serde_json::to_string(&r.values).unwrap())
                    .bind(r.updated_at.timestamp_millis());
            }
            q.execute(&mut *tx).await.unwrap();
        }
        let cells: Vec<(String, &serde_json::Value)> = records
            .iter()
            .flat_map(|r| r.values["participants"].as_array().unwrap().iter().map(move |c| (r.id.to_string(), c)))
            .collect();
        for chunk in cells.chunks(4000) {
            let sql = format!(
                "INSERT INTO record_cells (record_id, field, ethnicity, sex, grp, count) VALUES {}",
                db.backend.tuples(chunk.len(), 6)
            );
            let mut q = sqlx::query(&sql);
            for (id, c) in chunk {
                q = q
                    .bind(id.clone())
                    .bind("participants")
                    .bind(c["ethnicity"].as_str().unwrap().to_owned())
                    .bind(c["sex"].as_str().unwrap().to_owned())
                    .bind("")
                    .bind(c["count"].as_i64().unwrap());
            }
            q.execute(&mut *tx).await.unwrap();
        }
        tx.commit().await.unwrap();
    }
    ((total / batch) * batch) as f64 / start.elapsed().as_secs_f64()
}

async fn bench(label: &str, url: &str, total: usize) {
    let catalog = Arc::new(Catalog::bundled().unwrap());
    let db = Db::connect(url).await.expect("database");
    let new = NewUser {
        username: "bench",
        display_name: "Bench",
        role: Role::Admin,
        password: Some(PASSWORD),
        whole_province: true,
        communes: &[],
    };
    if db.user_by_name("bench").await.unwrap().is_none() {
        db.create_user(&new, catalog.reference()).await.unwrap();
    }
    let settings =
        Settings { public_url: "http://127.0.0.1".into(), trust_proxy: false, pwa_dir: None, allow_any_origin: false };
    let state = AppState::new(db.clone(), sync_server::catalog::Catalogs::fixed(catalog), settings, bench_photos());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app(state)).await });
    let session: serde_json::Value = reqwest::Client::new()
        .post(format!("{base}/api/v1/auth/sign-in"))
        .json(&json!({ "username": "bench", "password": PASSWORD, "device_id": "bench-device" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = session["token"].as_str().expect("signed in").to_owned();

    println!("{label}: {total} training-session records (8 grid cells each) per round, median of {ROUNDS} rounds");
    for batch in [100, 500] {
        // Alternate the two, three rounds each, and compare medians: this machine is noisy.
        let (mut http, mut direct) = (Vec::new(), Vec::new());
        for _ in 0..ROUNDS {
            http.push(push_over_http(&base, &token, total, batch).await);
            let seq_base = max_seq(&db).await;
            direct.push(insert_directly(&db, total, batch, seq_base).await);
            // The direct rows took cursors too: move the server's counter past them.
            sqlx::query("UPDATE counters SET value = (SELECT MAX(seq) FROM records) WHERE name = 'seq'")
                .execute(&db.pool)
                .await
                .unwrap();
        }
        let (http, direct) = (median(http), median(direct));
        println!(
            "  batch {batch:>3}: HTTP push {http:>8.0} records/s | direct insert {direct:>8.0} records/s | {:>5.1}% of direct",
            100.0 * http / direct
        );
    }
    let (before_rows, before_bytes) = revision_storage(&db).await;
    let (new, corrected) = correct_over_http(&base, &token, total).await;
    let (rows, bytes) = revision_storage(&db).await;
    let kept = (rows - before_rows).max(1);
    println!(
        "  corrections (batch 100): new records {new:>8.0} records/s | corrections {corrected:>8.0} records/s | {:>5.1}% of new",
        100.0 * corrected / new
    );
    println!(
        "  history: {kept} revisions kept by the corrections, {} bytes each with the key (answers {} bytes as JSON)",
        (bytes - before_bytes) / kept,
        serde_json::to_string(&record(0).values).unwrap().len()
    );
}

async fn max_seq(db: &Db) -> i64 {
    use sqlx::Row;
    sqlx::query("SELECT COALESCE(MAX(seq), 0) AS m FROM records").fetch_one(&db.pool).await.unwrap().get::<i64, _>("m")
}

/// A new, empty database beside the one `url` names, so every run starts alike.
async fn fresh_postgres(url: &str) -> String {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let name = format!("sotay_bench_{}", Uuid::new_v4().simple());
    let mut conn = sqlx::AnyConnection::connect(url).await.expect("PostgreSQL reachable");
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut conn).await.unwrap();
    let base = url.split('?').next().unwrap_or(url);
    format!("{}/{name}", base.rsplit_once('/').map_or(base, |(b, _)| b))
}

async fn drop_postgres(admin_url: &str, url: &str) {
    use sqlx::Connection;
    let name = url.rsplit('/').next().unwrap_or_default();
    if let Ok(mut conn) = sqlx::AnyConnection::connect(admin_url).await {
        let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut conn).await;
    }
}

fn main() {
    // Server errors (a failed push) are logged; nothing else.
    tracing_subscriber::fmt().with_env_filter("error").with_writer(std::io::stderr).init();
    let quick = !std::env::args().any(|a| a == "--bench");
    let total = if quick { 500 } else { 5_000 };
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    runtime.block_on(async {
        let dir = tempfile::tempdir().unwrap();
        bench("SQLite (WAL, synchronous=FULL)", &Db::sqlite_url(dir.path()), total).await;
        match std::env::var("SOTAY_BENCH_DATABASE_URL").or_else(|_| std::env::var("SOTAY_TEST_DATABASE_URL")) {
            Ok(admin_url) => {
                let url = fresh_postgres(&admin_url).await;
                bench("PostgreSQL", &url, total).await;
                drop_postgres(&admin_url, &url).await;
            }
            Err(_) => println!("PostgreSQL: skipped (set SOTAY_BENCH_DATABASE_URL)"),
        }
    });
}

/// A photo store for the router; this benchmark stores no photo.
fn bench_photos() -> sync_server::photos::PhotoStore {
    sync_server::photos::PhotoStore::in_folder(&std::env::temp_dir().join("sotay-bench-photos")).expect("a temp folder")
}
