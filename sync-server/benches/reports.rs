//! Reports on a million records: the summary of a year for the whole province through the
//! real report code, against the hand-written SQL that computes the same figures, in the same
//! run; and a full raw CSV export of the largest form, its time and its peak memory.
//!
//! `cargo bench -p sotay-sync-server --bench reports` (SQLite), and PostgreSQL too when
//! `SOTAY_BENCH_DATABASE_URL` (or `SOTAY_TEST_DATABASE_URL`) names a server it may create a
//! database on. The generated records are kept and reused by later runs: SQLite under
//! `target/bench-reports/`, PostgreSQL as the database `sotay_bench_reports_<n>`.
//! `SOTAY_BENCH_REPORT_RECORDS` changes the number of records (default 1,000,000),
//! `SOTAY_BENCH_ROUNDS` the number of measured rounds (default 3), and
//! `SOTAY_BENCH_ONLY=sqlite|postgres` runs one database only. Without `--bench`
//! (`cargo test --benches`) it runs one round on 20,000 throwaway records.

use std::collections::HashMap;
use std::io::{BufRead, Write};
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
use sync_server::reports::{self, Period, ReportScope};
use sync_server::store::records::PreparedChange;
use sync_server::store::totals::KEY;
use sync_server::store::users::{NewUser, Role};
use sync_server::{app, AppState, Db, Settings};
use tower::ServiceExt;
use uuid::Uuid;

/// The year the summary reports on (records span 2025 and 2026).
const YEAR: i32 = 2026;
/// The raw export: the form with the most records.
const RAW_FORM: &str = "outreach_event";
const CHILD_FLAG: &str = "--raw-export-child";

#[path = "reports/baselines.rs"]
mod baselines;
#[path = "reports/databases.rs"]
mod databases;
#[path = "reports/generate.rs"]
mod generate;
#[path = "reports/raw_export.rs"]
mod raw_export;

use baselines::*;
use databases::*;
use generate::*;
use raw_export::*;

// ---- measuring -----------------------------------------------------------------------------

async fn get(router: &Router, token: &str, path: &str) -> (StatusCode, axum::body::Bytes) {
    let request = Request::get(path).header(header::AUTHORIZATION, format!("Bearer {token}")).body(Body::empty());
    let response = router.clone().oneshot(request.unwrap()).await.unwrap();
    let status = response.status();
    (status, response.into_body().collect().await.unwrap().to_bytes())
}

fn state(db: &Db, catalog: &Arc<Catalog>) -> AppState {
    let settings =
        Settings { public_url: "http://127.0.0.1".into(), trust_proxy: false, pwa_dir: None, allow_any_origin: false };
    AppState::new(db.clone(), sync_server::catalog::Catalogs::fixed(catalog.clone()), settings, bench_photos())
}

/// A province-wide admin's token (no password: no argon2 in the measured processes).
async fn admin_token(db: &Db, catalog: &Catalog) -> String {
    let user = match db.user_by_name("bench").await.unwrap() {
        Some(user) => user,
        None => {
            let new = NewUser {
                username: "bench",
                display_name: "Bench",
                role: Role::Admin,
                password: None,
                whole_province: true,
                communes: &[],
            };
            db.create_user(&new, catalog.reference()).await.unwrap()
        }
    };
    db.issue_token(user.id, "bench-device").await.unwrap()
}

async fn bench(label: &str, url: &str, total: usize, rounds: usize, fill: Fill) {
    let catalog = Arc::new(Catalog::bundled().unwrap());
    let db = open_generated(label, url, total, fill, &catalog).await;
    let token = admin_token(&db, &catalog).await;
    let router = app(state(&db, &catalog));

    let period = Period::year(YEAR).unwrap();
    let scope = ReportScope::whole_province();
    let (from, to) = (period.from.format("%Y-%m-%d").to_string(), period.to.format("%Y-%m-%d").to_string());
    let mut counts = Vec::new();
    for from_where in [
        format!("records r WHERE {WHERE}"),
        format!("record_cells c JOIN records r ON r.id = c.record_id WHERE {WHERE}"),
    ] {
        let row = sqlx::query(&format!("SELECT COUNT(*) AS n FROM {from_where}"))
            .bind(&from)
            .bind(&to)
            .fetch_one(&db.pool)
            .await
            .unwrap();
        counts.push(row.get::<i64, _>("n"));
    }
    let (in_year, cells_in_year) = (counts[0], counts[1]);

    // Alternate everything, round after round, after a warm-up query; compare medians.
    let (one_pass, report_shape) = (baseline_sql(true), baseline_sql(false));
    baseline(&db, &one_pass, &period).await;
    let action_month = Period::action_month(YEAR).unwrap();
    // The buckets the report reads (`store::buckets::buckets`), written out by hand.
    let (year, nov, dec, dec15) =
        (format!("{YEAR}"), format!("{YEAR}-11-2"), format!("{YEAR}-12-1"), format!("{YEAR}-12-15"));
    let am_buckets = [("h", nov.as_str()), ("h", dec.as_str()), ("d", dec15.as_str())];
    let mut times: [Vec<Duration>; 9] = Default::default();
    for round in 0..rounds {
        let mut lap = Vec::new();
        let mut want = Vec::new();
        for sql in [&one_pass, &report_shape] {
            let t = Instant::now();
            want.push(baseline(&db, sql, &period).await);
            lap.push(t.elapsed());
        }
        let t = Instant::now();
        want.push(sums_baseline(&db, &[("y", &year)]).await);
        lap.push(t.elapsed());

        let t = Instant::now();
        let summary = reports::summary(&db, &catalog, &scope, period.clone(), Default::default()).await.unwrap();
        lap.push(t.elapsed());

        let t = Instant::now();
        let (status, body) = get(&router, &token, &format!("/api/v1/reports/summary?year={YEAR}")).await;
        lap.push(t.elapsed());
        assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));

        let t = Instant::now();
        let (status, xlsx) = get(&router, &token, &format!("/api/v1/reports/annual?year={YEAR}&format=xlsx")).await;
        lap.push(t.elapsed());
        assert_eq!(status, StatusCode::OK);

        let t = Instant::now();
        let (status, trend) = get(&router, &token, &format!("/api/v1/reports/trend?year={YEAR}")).await;
        lap.push(t.elapsed());
        assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&trend));

        let t = Instant::now();
        let am_want = sums_baseline(&db, &am_buckets).await;
        lap.push(t.elapsed());

        let t = Instant::now();
        let (status, am_body) = get(&router, &token, &format!("/api/v1/reports/summary?action_month={YEAR}")).await;
        lap.push(t.elapsed());
        assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&am_body));

        for (all, t) in times.iter_mut().zip(lap) {
            all.push(t);
        }
        if round == 0 {
            // The same figures, or the comparison means nothing.
            let got = Totals {
                activities: summary.totals.activities,
                male: summary.totals.participants.male,
                female: summary.totals.participants.female,
            };
            for (totals, _) in &want {
                assert_eq!(&got, totals, "{label}: the report and the hand-written SQL disagree");
            }
            let json: Value = serde_json::from_slice(&body).unwrap();
            assert_eq!(json["totals"]["activities"], json!(got.activities));
            assert_eq!(summary.totals.activities, in_year as u64);
            let trend: Value = serde_json::from_slice(&trend).unwrap();
            assert_eq!(trend["totals"]["activities"], json!(got.activities), "the months add up to the year");
            let am: Value = serde_json::from_slice(&am_body).unwrap();
            let am_got = Totals {
                activities: am["totals"]["activities"].as_u64().unwrap(),
                male: am["totals"]["participants"]["male"].as_u64().unwrap(),
                female: am["totals"]["participants"]["female"].as_u64().unwrap(),
            };
            // Checked against the records themselves, not only against the day sums.
            let (am_raw, _) = baseline(&db, &one_pass, &action_month).await;
            assert_eq!((&am_got, &am_got), (&am_want.0, &am_raw), "{label}: the Action Month disagrees");
            println!(
                "  summary of {YEAR}, whole province: {} final records, {} grid cells; {} activities, {} participants \
                 ({} female); one-pass baseline returns {} groups, the year's sums {} rows; JSON {} KB, annual XLSX {} KB; \
                 Action Month {YEAR}: {} activities from {} summed rows",
                thousands(in_year as u64),
                thousands(cells_in_year as u64),
                thousands(got.activities),
                thousands(got.male + got.female),
                thousands(got.female),
                thousands(want[0].1 as u64),
                thousands(want[2].1 as u64),
                body.len() / 1024,
                xlsx.len() / 1024,
                thousands(am_got.activities),
                thousands(am_want.1 as u64),
            );
        }
    }
    let [one_pass, report_shape, sums_sql, function, http, annual, trend, am_sql, am_http] = times.map(median);
    let raw_best = one_pass.min(report_shape);
    let line = |what: &str, d: Duration, base: Duration| {
        println!("    {what:<58} {:>8.0} ms   {:>6.2}×", ms(d), ms(d) / ms(base));
    };
    println!("  median of {rounds} rounds (after a warm-up query); ratios to the hand-written SQL over the same sums:");
    line("hand-written SQL over the year's sums (what the report reads)", sums_sql, sums_sql);
    line("reports::summary (what the handler calls)", function, sums_sql);
    line("GET /api/v1/reports/summary?year (router, JSON)", http, sums_sql);
    line("GET /api/v1/reports/annual?year&format=xlsx", annual, sums_sql);
    line("GET /api/v1/reports/trend?year (twelve months)", trend, sums_sql);
    line("hand-written SQL over the Action Month's 3 buckets of sums", am_sql, am_sql);
    line("GET /api/v1/reports/summary?action_month", am_http, am_sql);
    println!("  against GROUP BY over the records themselves (no sums; the faster of the two is 1×):");
    line("hand-written SQL over records, one pass (1 statement)", one_pass, raw_best);
    line("hand-written SQL over records, the report's old shape (3)", report_shape, raw_best);
    line("GET /api/v1/reports/summary?year", http, raw_best);
    let verdict = |ok: bool| if ok { "met" } else { "NOT met" };
    println!(
        "  target ≤ 1.5× the hand-written SQL: {} ({:.2}× year, {:.2}× Action Month); under 500 ms: {} ({:.0} ms year, \
         {:.0} ms Action Month, through the router)",
        verdict(ms(http) / ms(sums_sql) <= 1.5 && ms(am_http) / ms(am_sql) <= 1.5),
        ms(http) / ms(sums_sql),
        ms(am_http) / ms(am_sql),
        verdict(ms(http) < 500.0 && ms(am_http) < 500.0),
        ms(http),
        ms(am_http)
    );

    raw_exports(url, &token, &db).await;
    db.pool.close().await;
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let [_, flag, mode, url, token] = &args[..] {
        if flag == CHILD_FLAG {
            return raw_export_child(mode, url, token);
        }
    }
    run_on_both("reports", 3, |label, url, total, rounds, fill| async move {
        bench(label, &url, total, rounds, fill).await
    });
}

/// A photo store for the router; this benchmark stores no photo.
fn bench_photos() -> sync_server::photos::PhotoStore {
    sync_server::photos::PhotoStore::in_folder(&std::env::temp_dir().join("sotay-bench-photos")).expect("a temp folder")
}
