//! The console's sync health and "who has reported" on the generated province (the reports
//! benchmark's million records, reused) with 5,000 collectors' phones across its 96
//! communes: through the router, each beside a baseline measured in the same run — the
//! hand-written SQL of the device page, and the reports summary of the same period (which
//! reads the same sums).
//!
//! `cargo bench -p sotay-sync-server --bench console_health` (SQLite), and PostgreSQL too when
//! `SOTAY_BENCH_DATABASE_URL` (or `SOTAY_TEST_DATABASE_URL`) names a server. The variables of
//! the reports benchmark apply (`SOTAY_BENCH_REPORT_RECORDS`, `SOTAY_BENCH_ROUNDS`,
//! `SOTAY_BENCH_ONLY`). Without `--bench` it runs one round on 20,000 throwaway records.

#![allow(dead_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use chrono::{Datelike, NaiveDate, TimeZone, Utc};
use forms::sync::Change;
use forms::{Catalog, Location, Record, RecordStatus};
use http_body_util::BodyExt;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Map, Value};
use sqlx::Row;
use sync_server::db::Backend;
use sync_server::store::records::PreparedChange;
use sync_server::store::users::{NewUser, Role};
use sync_server::{app, AppState, Db, Settings};
use tower::ServiceExt;
use uuid::Uuid;

#[path = "reports/databases.rs"]
mod databases;
#[path = "reports/generate.rs"]
mod generate;

use databases::*;
use generate::*;

const PHONES: usize = 5_000;
const DAY_MS: i64 = 24 * 3600 * 1000;

/// 5,000 collectors, each with one phone, spread over the province's communes; last syncs
/// over the past 30 days, some never. Written once per bench database, in bulk.
async fn ensure_phones(db: &Db, catalog: &Catalog) {
    let have: i64 = sqlx::query("SELECT COUNT(*) AS n FROM users WHERE username LIKE 'bench.c%'")
        .fetch_one(&db.pool)
        .await
        .unwrap()
        .get("n");
    if have as usize >= PHONES {
        return;
    }
    let communes: Vec<String> =
        catalog.reference().unit_lists["units_2025"].communes().map(|u| u.code.clone()).collect();
    let now = Utc::now().timestamp_millis();
    let mut rng = StdRng::seed_from_u64(13);
    let mut tx = db.pool.begin().await.unwrap();
    for chunk in (0..PHONES).collect::<Vec<_>>().chunks(500) {
        let values: Vec<String> =
            chunk.iter().map(|i| format!("('bench.c{i:05}', 'Cán bộ {i}', 'collector', 0, 0, {now})")).collect();
        sqlx::query(&format!(
            "INSERT INTO users (username, display_name, role, whole_province, disabled, created_at) VALUES {}",
            values.join(", ")
        ))
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    let ids: Vec<(i64, String)> = sqlx::query("SELECT id, username FROM users WHERE username LIKE 'bench.c%'")
        .fetch_all(&mut *tx)
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get("id"), r.get("username")))
        .collect();
    for chunk in ids.chunks(500) {
        let scopes: Vec<String> = chunk
            .iter()
            .map(|(id, name)| {
                let n: usize = name.trim_start_matches("bench.c").parse().unwrap();
                format!("({id}, 'units_2025', '{}')", communes[n % communes.len()])
            })
            .collect();
        sqlx::query(&format!("INSERT INTO user_communes (user_id, unit_list, unit_code) VALUES {}", scopes.join(", ")))
            .execute(&mut *tx)
            .await
            .unwrap();
        let phones: Vec<String> = chunk
            .iter()
            .map(|(id, _)| {
                let first = now - 60 * DAY_MS;
                let sync = if rng.gen_bool(0.05) {
                    "NULL".to_owned()
                } else {
                    (now - rng.gen_range(0..30 * DAY_MS)).to_string()
                };
                let (pending, refused) = (rng.gen_range(0..20), rng.gen_range(0..3));
                format!("({id}, 'phone-{id}', {first}, {sync}, {sync}, '0.1.0', {pending}, {refused}, {first})")
            })
            .collect();
        sqlx::query(&format!(
            "INSERT INTO devices (user_id, device_id, first_seen_at, last_push_at, last_pull_at, app_version, pending, \
             refused, reported_at) VALUES {}",
            phones.join(", ")
        ))
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    println!("  {PHONES} collectors with a phone each, added once");
}

async fn token(db: &Db, catalog: &Catalog, username: &str, role: Role) -> String {
    let user = match db.user_by_name(username).await.unwrap() {
        Some(user) => user,
        None => {
            let new =
                NewUser { username, display_name: username, role, password: None, whole_province: true, communes: &[] };
            db.create_user(&new, catalog.reference()).await.unwrap()
        }
    };
    db.issue_token(user.id, &format!("{username}-console")).await.unwrap()
}

async fn get(router: &Router, token: &str, path: &str) -> Value {
    let request =
        Request::get(path).header(header::AUTHORIZATION, format!("Bearer {token}")).body(Body::empty()).unwrap();
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(status, StatusCode::OK, "{path}: {}", String::from_utf8_lossy(&body));
    serde_json::from_slice(&body).unwrap_or(Value::Null)
}

/// The device page written by hand: every device with its user and session count, ordered
/// by when it was last heard of, the first 50 and the total.
async fn devices_sql(db: &Db) -> usize {
    let rows = sqlx::query(
        "SELECT d.user_id, u.username, u.display_name, u.role, d.device_id, d.app_version, d.first_seen_at, \
         d.last_push_at, d.last_pull_at, d.pending, d.refused, d.reported_at, \
         (SELECT COUNT(*) FROM tokens t WHERE t.user_id = d.user_id AND t.device_id = d.device_id \
          AND t.revoked_at IS NULL) AS sessions \
         FROM devices d JOIN users u ON u.id = d.user_id \
         ORDER BY COALESCE(CASE WHEN d.last_push_at > d.last_pull_at THEN d.last_push_at ELSE d.last_pull_at END, \
         d.first_seen_at) LIMIT 50",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap();
    let total: i64 = sqlx::query("SELECT COUNT(*) AS n FROM devices").fetch_one(&db.pool).await.unwrap().get("n");
    rows.len() + total as usize
}

async fn bench(label: &str, url: &str, total: usize, rounds: usize, fill: Fill) {
    let catalog = Arc::new(Catalog::bundled().unwrap());
    let db = open_generated(label, url, total, fill, &catalog).await;
    ensure_phones(&db, &catalog).await;
    let admin = token(&db, &catalog, "bench.console", Role::Admin).await;
    let supervisor = token(&db, &catalog, "bench.supervisor", Role::Supervisor).await;
    let settings =
        Settings { public_url: "http://127.0.0.1".into(), trust_proxy: false, pwa_dir: None, allow_any_origin: false };
    let router = app(AppState::new(
        db.clone(),
        sync_server::catalog::Catalogs::fixed(catalog.clone()),
        settings,
        bench_photos(),
    ));
    // The generator's busiest year.
    let year = 2025;
    let cases: Vec<(&str, String, &str)> = vec![
        ("phones, first page (admin)", "/api/v1/admin/devices?per_page=50".into(), "devices SQL"),
        ("phones, first page (province supervisor)", "/api/v1/admin/devices?per_page=50".into(), "devices SQL"),
        ("who has reported, reporting year", format!("/api/v1/admin/reporting?reporting_year={year}"), "summary"),
        ("who has reported, Action Month", format!("/api/v1/admin/reporting?action_month={year}"), "summary"),
        ("users, first page (admin)", "/api/v1/admin/users?per_page=50".into(), "devices SQL"),
    ];
    let devices = get(&router, &admin, "/api/v1/admin/devices?per_page=50").await;
    assert!(devices["total"].as_u64().unwrap() >= PHONES as u64, "{label}: every phone listed");
    let reporting = get(&router, &admin, &format!("/api/v1/admin/reporting?reporting_year={year}")).await;
    assert_eq!(reporting["communes"].as_array().unwrap().len(), 96);
    println!("  median of {rounds} rounds, through the router, beside its baseline in the same run:");
    println!("    {:<44} {:>10} {:>16} {:>10} {:>7}", "", "router ms", "baseline", "ms", "ratio");
    let mut met = true;
    for (i, (what, path, baseline)) in cases.iter().enumerate() {
        let caller = if i == 1 { &supervisor } else { &admin };
        let summary_path = if path.contains("action_month") {
            format!("/api/v1/reports/summary?action_month={year}")
        } else {
            format!("/api/v1/reports/summary?from={year}-01-01&to={year}-11-30")
        };
        let (mut routed, mut base) = (Vec::new(), Vec::new());
        for _ in 0..rounds {
            let t = Instant::now();
            get(&router, caller, path).await;
            routed.push(t.elapsed());
            let t = Instant::now();
            if *baseline == "summary" {
                get(&router, &admin, &summary_path).await;
            } else {
                devices_sql(&db).await;
            }
            base.push(t.elapsed());
        }
        let (routed, base) = (median(routed), median(base));
        met &= ms(routed) < 300.0;
        println!(
            "    {what:<44} {:>10.1} {baseline:>16} {:>10.1} {:>6.2}×",
            ms(routed),
            ms(base),
            ms(routed) / ms(base)
        );
    }
    println!("  target < 300 ms: {}", if met { "met" } else { "NOT met" });
    db.pool.close().await;
}

fn main() {
    run_on_both("console", 5, |label, url, total, rounds, fill| async move {
        bench(label, &url, total, rounds, fill).await
    });
}

/// A photo store for the router; this benchmark stores no photo.
fn bench_photos() -> sync_server::photos::PhotoStore {
    sync_server::photos::PhotoStore::in_folder(&std::env::temp_dir().join("sotay-bench-photos")).expect("a temp folder")
}
