//! The console's record search on the generated province (the reports benchmark's million
//! records, reused): one page of 50 with two filters (a form and a busy commune) and a text
//! term, through the router, against the hand-written SQL of the same query, in the same
//! run; the next page by its cursor; and the province-wide first page without filters.
//!
//! `cargo bench -p sotay-sync-server --bench records_search` (SQLite), and PostgreSQL too when
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

const FORM: &str = "outreach_event";
const PAGE: usize = 50;

/// `value` for a query string.
fn enc(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A province-wide admin's token (no password: no argon2 in the measured process).
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

/// One page through the router: (ids, total, next).
async fn via_router(router: &Router, token: &str, query: &str) -> (Vec<String>, i64, Option<String>) {
    let request = Request::get(format!("/api/v1/admin/records?{query}"))
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    let page: Value = serde_json::from_slice(&body).unwrap();
    let ids = page["items"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap().to_owned()).collect();
    (ids, page["total"].as_i64().unwrap(), page["next"].as_str().map(str::to_owned))
}

/// The same search written by hand: the page, then the count, every value read. `planned`:
/// with what the store tells SQLite (the place index, the keyset as a range); otherwise as one
/// would first write it, the plan left to SQLite. The same SQL either way on PostgreSQL.
struct Baseline {
    page: String,
    count: String,
    args: Vec<String>,
    /// The count's parameters: the page's, less the cursor.
    count_args: usize,
}

impl Baseline {
    /// Form, commune (its 2025 code and the pre-2025 codes mapped into it) and a term, newest
    /// first; `after` a (date, id) to continue from.
    fn new(
        backend: Backend,
        planned: bool,
        commune: &str,
        olds: &[String],
        term: Option<&str>,
        after: Option<(&str, &str)>,
    ) -> Self {
        let mut args = vec![FORM.to_owned(), commune.to_owned()];
        let mut place = "(unit_list = 'units_2025' AND unit_code = $2)".to_owned();
        if !olds.is_empty() {
            let olds_in: Vec<String> = olds
                .iter()
                .map(|o| {
                    args.push(o.clone());
                    format!("${}", args.len())
                })
                .collect();
            place += &format!(" OR (unit_list = 'units_pre2025' AND unit_code IN ({}))", olds_in.join(", "));
        }
        let mut filter = format!("form_id = $1 AND ({place})");
        if let Some(term) = term {
            args.push(format!("%{term}%"));
            let like = if backend == Backend::Postgres { "ILIKE" } else { "LIKE" };
            filter += &format!(" AND answers {like} ${}", args.len());
        }
        let table =
            if planned && backend == Backend::Sqlite { "records INDEXED BY records_search_place" } else { "records" };
        let count = format!("SELECT COUNT(*) AS n FROM {table} WHERE {filter}");
        let count_args = args.len();
        if let Some((date, id)) = after {
            args.push(date.to_owned());
            args.push(id.to_owned());
            let (date, id) = (args.len() - 1, args.len());
            filter += &if planned {
                format!(
                    " AND COALESCE(activity_date, '') <= ${date} AND (COALESCE(activity_date, '') < ${date} OR id < ${id})"
                )
            } else {
                format!(" AND (COALESCE(activity_date, ''), id) < (${date}, ${id})")
            };
        }
        let page = format!(
            "SELECT id, form_id, form_version, unit_list, unit_code, author, status, deleted, activity_date, \
             updated_at, revision FROM {table} WHERE {filter} ORDER BY COALESCE(activity_date, '') DESC, id DESC \
             LIMIT {PAGE}"
        );
        Baseline { page, count, args, count_args }
    }

    /// (ids, count, the last record's (date, id)).
    async fn run(&self, db: &Db) -> (Vec<String>, i64, Option<(String, String)>) {
        let page = self.args.iter().fold(sqlx::query(&self.page), |q, a| q.bind(a.as_str()));
        let rows = page.fetch_all(&db.pool).await.unwrap();
        let (mut ids, mut last) = (Vec::with_capacity(rows.len()), None);
        for r in &rows {
            // Every value read, as the handler reads its rows.
            let _: (String, i64, String, String) =
                (r.get("form_id"), r.get("form_version"), r.get("unit_list"), r.get("unit_code"));
            let _: (String, String, i64, i64, i64) =
                (r.get("author"), r.get("status"), r.get("deleted"), r.get("updated_at"), r.get("revision"));
            let (id, date): (String, Option<String>) = (r.get("id"), r.get("activity_date"));
            last = Some((date.unwrap_or_default(), id.clone()));
            ids.push(id);
        }
        let count = self.args[..self.count_args].iter().fold(sqlx::query(&self.count), |q, a| q.bind(a.as_str()));
        let n: i64 = count.fetch_one(&db.pool).await.unwrap().get("n");
        (ids, n, last)
    }
}

async fn bench(label: &str, url: &str, total: usize, rounds: usize, fill: Fill) {
    let catalog = Arc::new(Catalog::bundled().unwrap());
    // On a database from before migration 0008 this builds its indexes, once.
    let db = open_generated(label, url, total, fill, &catalog).await;
    if fill == Fill::Postgres {
        sqlx::query("ANALYZE records").execute(&db.pool).await.unwrap();
    }
    let token = admin_token(&db, &catalog).await;
    let settings =
        Settings { public_url: "http://127.0.0.1".into(), trust_proxy: false, pwa_dir: None, allow_any_origin: false };
    let router = app(AppState::new(
        db.clone(),
        sync_server::catalog::Catalogs::fixed(catalog.clone()),
        settings,
        bench_photos(),
    ));

    // The busiest commune of the generated province (the generator favours the first).
    let reference = catalog.reference();
    let commune = reference.unit_lists["units_2025"].communes().next().unwrap().code.clone();
    let olds: Vec<String> =
        reference.unit_mapping.iter().filter(|m| m.new_code == commune).map(|m| m.old_code.clone()).collect();
    let in_commune = Baseline::new(db.backend, true, &commune, &olds, None, None).run(&db).await.1;
    println!(
        "  commune {commune} and its {} pre-2025 units: {} {FORM} records",
        olds.len(),
        thousands(in_commune as u64)
    );

    // A word every outreach record of the generator has (its place), and one none has: the
    // count reads every candidate either way; the page stops after 50 or reads them all.
    let cases = [("a word in every record", "Gò Khôn"), ("a word in none", "Không có ở đâu")];
    let mut lines = Vec::new();
    for (what, term) in cases {
        let query = format!("form={FORM}&commune={commune}&q={}&limit={PAGE}", enc(term));
        let baseline = |planned, after: Option<(&str, &str)>| {
            Baseline::new(db.backend, planned, &commune, &olds, Some(term), after)
        };
        let (first, first_naive) = (baseline(true, None), baseline(false, None));
        let (want, want_total, last) = first.run(&db).await; // warm-up
        assert_eq!(first_naive.run(&db).await.0, want, "{label}: the two hand-written queries disagree");
        let (got, got_total, next) = via_router(&router, &token, &query).await;
        assert_eq!((&got, got_total), (&want, want_total), "{label}: the router and the SQL disagree ({what})");
        let after = last.as_ref().filter(|_| next.is_some());
        let second = after.map(|(date, id)| (baseline(true, Some((date, id))), baseline(false, Some((date, id)))));
        // SQL as planned, SQL as first written, the router: first page, then second.
        let mut times: [Vec<Duration>; 6] = Default::default();
        for _ in 0..rounds {
            let mut lap = |i: usize, t: Instant| times[i].push(t.elapsed());
            let t = Instant::now();
            first.run(&db).await;
            lap(0, t);
            let t = Instant::now();
            first_naive.run(&db).await;
            lap(1, t);
            let t = Instant::now();
            via_router(&router, &token, &query).await;
            lap(2, t);
            if let (Some((planned, naive)), Some(next)) = (&second, &next) {
                let t = Instant::now();
                let (want, ..) = planned.run(&db).await;
                lap(3, t);
                let t = Instant::now();
                naive.run(&db).await;
                lap(4, t);
                let t = Instant::now();
                let (got, ..) = via_router(&router, &token, &format!("{query}&after={next}")).await;
                lap(5, t);
                assert_eq!(got, want, "{label}: the second pages disagree ({what})");
            }
        }
        let [a, b, c, d, e, f] = times;
        lines.push((format!("{what}: first page ({} found)", thousands(want_total as u64)), a, b, c));
        if second.is_some() {
            lines.push((format!("{what}: second page (after=)"), d, e, f));
        }
    }
    // The province-wide first page, no filter: the count reads every record.
    let t = Instant::now();
    let (items, all, _) = via_router(&router, &token, &format!("limit={PAGE}")).await;
    let unfiltered = t.elapsed();
    assert_eq!((items.len(), all), (PAGE.min(total), total as i64));

    println!("  median of {rounds} rounds; one page of {PAGE}, form {FORM} + commune {commune} + q; ms:");
    println!("    {:<52} {:>8} {:>8} {:>8} {:>7}", "", "SQL", "SQL 1st", "router", "ratio");
    let mut met = true;
    for (what, planned, naive, router) in lines {
        let (planned, naive, router) = (median(planned), median(naive), median(router));
        let ratio = ms(router) / ms(planned);
        met &= ms(router) < 200.0 && ratio <= 1.5;
        println!("    {what:<52} {:>8.1} {:>8.1} {:>8.1} {:>6.2}×", ms(planned), ms(naive), ms(router), ratio);
    }
    println!("    (SQL: written by hand as the store plans it; SQL 1st: as first written, plan left to the database;");
    println!("     ratio: the router to SQL)");
    println!("    first page, no filter, whole province (router, once): {:.0} ms", ms(unfiltered));
    println!("  targets < 200 ms and ≤ 1.5× the hand-written SQL: {}", if met { "met" } else { "NOT met" });
    db.pool.close().await;
}

fn main() {
    run_on_both(
        "search",
        5,
        |label, url, total, rounds, fill| async move { bench(label, &url, total, rounds, fill).await },
    );
}

/// A photo store for the router; this benchmark stores no photo.
fn bench_photos() -> sync_server::photos::PhotoStore {
    sync_server::photos::PhotoStore::in_folder(&std::env::temp_dir().join("sotay-bench-photos")).expect("a temp folder")
}
