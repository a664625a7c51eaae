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
use sync_server::store::users::{NewUser, Role};
use sync_server::{app, AppState, Db, Settings};
use tower::ServiceExt;
use uuid::Uuid;

/// Bump when the generated data changes: stored databases of another version are rebuilt.
const GENERATOR: i64 = 1;
/// The `counters` row that marks a complete generated database.
const MARKER: &str = "bench_reports_generator";
/// The year the summary reports on (records span 2025 and 2026).
const YEAR: i32 = 2026;
/// The raw export: the form with the most records.
const RAW_FORM: &str = "outreach_event";
const BATCH: usize = 10_000;
const CHILD_FLAG: &str = "--raw-export-child";

// ---- generation ----------------------------------------------------------------------------

struct Mix {
    id: &'static str,
    version: u32,
    /// Records per thousand.
    share: u32,
    grid: Option<&'static str>,
    groups: &'static [&'static str],
}

/// Every form of the catalog, in proportions a province's year might have.
const MIX: [Mix; 7] = [
    Mix { id: "outreach_event", version: 1, share: 340, grid: Some("participants"), groups: &["adult", "child"] },
    Mix { id: "training_session", version: 1, share: 50, grid: Some("participants"), groups: &[] },
    Mix { id: "training_session", version: 2, share: 110, grid: Some("participants"), groups: &[] },
    Mix { id: "model_check", version: 1, share: 60, grid: None, groups: &[] },
    Mix { id: "action_month_event", version: 1, share: 70, grid: Some("participants"), groups: &["adult", "child"] },
    Mix {
        id: "school_session",
        version: 1,
        share: 200,
        grid: Some("students"),
        groups: &["age_11_14", "under_11", "age_15_up"],
    },
    Mix {
        id: "project8_activity",
        version: 1,
        share: 170,
        grid: Some("participants"),
        groups: &["resident", "pupil_child", "team_member", "elder_village_head", "official", "respected_dignitary"],
    },
];

/// The province's shortlist of ethnic groups, with how often each is met.
const ETHNICITIES: [(&str, u32); 9] =
    [("01", 40), ("19", 25), ("30", 12), ("14", 12), ("13", 4), ("10", 2), ("27", 2), ("52", 1), ("54", 2)];

/// One record as the server stores it: a `records` row and its `record_cells` rows.
struct GenRow {
    id: String,
    form_id: &'static str,
    version: u32,
    unit_list: &'static str,
    unit_code: String,
    author: String,
    device_id: String,
    created_at: i64,
    updated_at: i64,
    status: &'static str,
    deleted: bool,
    revision: i64,
    activity_date: Option<String>,
    seq: i64,
    answers: String,
    cells: Vec<Cell>,
}

struct Cell {
    field: String,
    ethnicity: String,
    sex: &'static str,
    group: String,
    count: i64,
}

struct Generator {
    catalog: Arc<Catalog>,
    rng: StdRng,
    total: usize,
    templates: HashMap<(&'static str, u32), Map<String, Value>>,
    /// The 96 communes of the 2025 list, and the pre-2025 communes that went into each.
    communes: Vec<(String, Vec<String>)>,
}

/// The item `pick` falls on, each item taking `weight` of the range.
fn weighted<T>(items: &[T], weight: impl Fn(&T) -> u32, mut pick: u32) -> &T {
    for item in items {
        if pick < weight(item) {
            return item;
        }
        pick -= weight(item);
    }
    items.last().expect("items")
}

fn template(form: &str, version: u32) -> Map<String, Value> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../forms/tests/cases/{form}_v{version}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    let cases: Value = serde_json::from_str(&text).expect("a case file is JSON");
    cases["valid"][0]["values"].as_object().expect("a valid example").clone()
}

impl Generator {
    fn new(catalog: Arc<Catalog>, total: usize) -> Generator {
        let reference = catalog.reference();
        let old = &reference.unit_lists["units_pre2025"];
        let communes = reference.unit_lists["units_2025"]
            .communes()
            .map(|c| {
                let olds = reference
                    .unit_mapping
                    .iter()
                    .filter(|m| m.new_code == c.code && old.get(&m.old_code).is_some_and(|u| u.is_commune_level()))
                    .map(|m| m.old_code.clone())
                    .collect();
                (c.code.clone(), olds)
            })
            .collect();
        let templates = MIX.iter().map(|m| ((m.id, m.version), template(m.id, m.version))).collect();
        Generator { catalog, rng: StdRng::seed_from_u64(6), total, templates, communes }
    }

    fn cells(&mut self, mix: &Mix) -> Vec<Value> {
        let rng = &mut self.rng;
        let mut ethnicities: Vec<&str> = Vec::new();
        let wanted = match rng.gen_range(0..100) {
            0..=34 => 1,
            35..=79 => 2,
            _ => 3,
        };
        let weight: u32 = ETHNICITIES.iter().map(|e| e.1).sum();
        while ethnicities.len() < wanted {
            let code = weighted(&ETHNICITIES, |e| e.1, rng.gen_range(0..weight)).0;
            if !ethnicities.contains(&code) {
                ethnicities.push(code);
            }
        }
        let groups: Vec<&str> = match mix.groups {
            [] => vec![""],
            [first, rest @ ..] => {
                let mut g = vec![*first];
                if rng.gen_bool(0.4) {
                    g.push(rest[rng.gen_range(0..rest.len())]);
                }
                g
            }
        };
        let big = if mix.id == "action_month_event" { 200 } else { 40 };
        let mut cells = Vec::new();
        for ethnicity in &ethnicities {
            for group in &groups {
                let both = rng.gen_bool(0.9);
                for sex in ["female", "male"] {
                    if both || (sex == "female") == rng.gen_bool(0.5) {
                        let mut cell = json!({ "ethnicity": ethnicity, "sex": sex, "count": rng.gen_range(1..=big) });
                        if !group.is_empty() {
                            cell["group"] = json!(group);
                        }
                        cells.push(cell);
                    }
                }
            }
        }
        if cells.is_empty() {
            cells.push(json!({ "ethnicity": ethnicities[0], "sex": "female", "count": 3 }));
            if !groups[0].is_empty() {
                cells[0]["group"] = json!(groups[0]);
            }
        }
        cells
    }

    /// Record `i` (0-based): synced roughly in date order over 2025 and 2026, so its `seq`
    /// follows its activity date with a few weeks' delay at most.
    fn row(&mut self, i: usize) -> GenRow {
        let mix = weighted(&MIX, |m| m.share, self.rng.gen_range(0..1000));
        let start = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
        let synced = start + chrono::Duration::days((i * 730 / self.total) as i64);
        let mut date = (synced - chrono::Duration::days(self.rng.gen_range(0..=20))).max(start);
        if mix.id == "action_month_event" {
            date = NaiveDate::from_ymd_opt(synced.year(), 11, 15).unwrap()
                + chrono::Duration::days(self.rng.gen_range(0..=30));
        }
        let iso = |d: NaiveDate| d.format("%Y-%m-%d").to_string();

        // A commune, some busier than others; before the 2025 reorganisation mostly named
        // by its pre-2025 commune.
        let c = (self.rng.gen::<f64>().powf(1.4) * self.communes.len() as f64) as usize;
        let (new_code, olds) = self.communes[c.min(self.communes.len() - 1)].clone();
        let (unit_list, unit_code) =
            if date < NaiveDate::from_ymd_opt(2025, 7, 1).unwrap() && !olds.is_empty() && self.rng.gen_bool(0.8) {
                ("units_pre2025", olds[self.rng.gen_range(0..olds.len())].clone())
            } else {
                ("units_2025", new_code.clone())
            };

        let mut values = self.templates[&(mix.id, mix.version)].clone();
        match mix.id {
            "outreach_event" => {
                values.insert("event_date".into(), json!(iso(date)));
                let in_month = matches!((date.month(), date.day()), (11, 15..) | (12, ..=15));
                values.insert("part_of_action_month".into(), json!(in_month && self.rng.gen_bool(0.8)));
            }
            "training_session" => {
                let days = self.rng.gen_range(1..=3);
                values.insert("start_date".into(), json!(iso(date)));
                values.insert("end_date".into(), json!(iso(date + chrono::Duration::days(days - 1))));
                values.insert("duration_days".into(), json!(days));
            }
            "model_check" => {
                values.insert("check_date".into(), json!(iso(date)));
                let supported = self.rng.gen_range(0..12);
                values.insert("people_supported".into(), json!(supported));
                values.insert("people_supported_female".into(), json!(self.rng.gen_range(0..=supported)));
                values.insert("people_referred".into(), json!(self.rng.gen_range(0..=supported)));
            }
            "action_month_event" => {
                values.insert("event_date".into(), json!(iso(date)));
            }
            "school_session" => {
                values.insert("session_date".into(), json!(iso(date)));
            }
            "project8_activity" => {
                values.insert("activity_date".into(), json!(iso(date)));
            }
            other => unreachable!("{other}"),
        }
        if let Some(grid) = mix.grid {
            let cells = self.cells(mix);
            values.insert(grid.into(), Value::Array(cells));
        }

        let created = Utc.from_utc_datetime(&date.and_hms_opt(8, 0, 0).unwrap())
            + chrono::Duration::minutes(self.rng.gen_range(0..600));
        let updated = created + chrono::Duration::minutes(self.rng.gen_range(0..4000));
        let revision = match self.rng.gen_range(0..100) {
            0..=84 => 1,
            85..=96 => 2,
            _ => 3,
        };
        let deleted = self.rng.gen_bool(0.015);
        let draft = !deleted && self.rng.gen_bool(0.03);
        let id = uuid::Builder::from_random_bytes(self.rng.gen()).into_uuid();
        let collector = self.rng.gen_range(0..4);
        let record = Record {
            id,
            form_id: mix.id.into(),
            form_version: mix.version,
            location: Location { unit_list: unit_list.into(), unit_code: unit_code.clone() },
            author: format!("cb.{new_code}.{collector}"),
            device_id: format!("device-{new_code}-{collector}"),
            created_at: created,
            updated_at: updated,
            status: if draft { RecordStatus::Draft } else { RecordStatus::Final },
            deleted,
            revision,
            values,
        };

        // Through the form engine, as the push path does: the answers as stored, the
        // activity date and the flattened grid.
        let (answers, activity_date, cells) = if deleted {
            (String::from("{}"), None, Vec::new())
        } else {
            let validated = self.catalog.validate_record(&record).unwrap_or_else(|errors| {
                panic!("generated record is invalid: {errors:?}\n{}", serde_json::to_string(&record).unwrap())
            });
            let form = self.catalog.form(mix.id, mix.version).unwrap();
            let prepared = PreparedChange::new(Change { change_id: id, base_revision: 0, record }, &validated, form);
            let cells = prepared
                .cells
                .iter()
                .flat_map(|(field, grid)| {
                    grid.cells.iter().map(move |c| Cell {
                        field: field.clone(),
                        ethnicity: c.ethnicity.clone(),
                        sex: if c.sex == forms::Sex::Male { "male" } else { "female" },
                        group: c.group.clone().unwrap_or_default(),
                        count: i64::from(c.count),
                    })
                })
                .collect();
            (serde_json::to_string(&prepared.answers).unwrap(), prepared.activity_date, cells)
        };
        GenRow {
            id: id.to_string(),
            form_id: mix.id,
            version: mix.version,
            unit_list,
            unit_code,
            author: format!("cb.{new_code}.{collector}"),
            device_id: format!("device-{new_code}-{collector}"),
            created_at: created.timestamp_millis(),
            updated_at: updated.timestamp_millis(),
            status: if draft { "draft" } else { "final" },
            deleted,
            revision: revision as i64,
            activity_date,
            seq: i as i64 + 1,
            answers,
            cells,
        }
    }
}

/// Generates `total` records on a thread of its own, in batches, while `write` stores them.
async fn generate<F, Fut>(catalog: Arc<Catalog>, total: usize, mut write: F) -> (usize, usize)
where
    F: FnMut(Vec<GenRow>) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let (send, mut receive) = tokio::sync::mpsc::channel::<Vec<GenRow>>(4);
    let producer = std::thread::spawn(move || {
        let mut generator = Generator::new(catalog, total);
        for start in (0..total).step_by(BATCH) {
            let batch: Vec<GenRow> = (start..(start + BATCH).min(total)).map(|i| generator.row(i)).collect();
            if send.blocking_send(batch).is_err() {
                return;
            }
        }
    });
    let (started, mut records, mut cells) = (Instant::now(), 0, 0);
    while let Some(batch) = receive.recv().await {
        records += batch.len();
        cells += batch.iter().map(|r| r.cells.len()).sum::<usize>();
        write(batch).await;
        if records % 100_000 == 0 {
            eprintln!("  generated {records} records, {cells} cells ({:.0} s)", started.elapsed().as_secs_f64());
        }
    }
    producer.join().expect("the generator finished");
    (records, cells)
}

const RECORD_COLUMNS: &str = "id, form_id, form_version, unit_list, unit_code, author, device_id, created_at, \
     updated_at, status, deleted, revision, activity_date, seq, answers, received_at";
const CELL_COLUMNS: &str = "record_id, field, ethnicity, sex, grp, count";

/// SQLite: multi-row `INSERT`s, 10,000 records per transaction, on a connection of its own
/// without fsync (a crash mid-way only means generating again: the marker comes last).
async fn fill_sqlite(url: &str, catalog: Arc<Catalog>, total: usize) -> (usize, usize) {
    use sqlx::sqlite::SqliteConnectOptions;
    use sqlx::ConnectOptions;
    let options = SqliteConnectOptions::from_str(url)
        .unwrap()
        .pragma("synchronous", "OFF")
        .pragma("cache_size", "-262144")
        .pragma("temp_store", "MEMORY");
    let conn = Arc::new(tokio::sync::Mutex::new(options.connect().await.expect("the SQLite file opens")));
    let tuples = |rows: usize, width: usize| Backend::Sqlite.tuples(rows, width);
    let counts = generate(catalog, total, |batch| {
        let conn = conn.clone();
        async move {
            let mut conn = conn.lock().await;
            let mut tx = sqlx::Connection::begin(&mut *conn).await.unwrap();
            for chunk in batch.chunks(500) {
                let sql = format!("INSERT INTO records ({RECORD_COLUMNS}) VALUES {}", tuples(chunk.len(), 16));
                let mut q = sqlx::query(&sql);
                for r in chunk {
                    q = q
                        .bind(r.id.as_str())
                        .bind(r.form_id)
                        .bind(i64::from(r.version))
                        .bind(r.unit_list)
                        .bind(r.unit_code.as_str())
                        .bind(r.author.as_str())
                        .bind(r.device_id.as_str())
                        .bind(r.created_at)
                        .bind(r.updated_at)
                        .bind(r.status)
                        .bind(i64::from(r.deleted))
                        .bind(r.revision)
                        .bind(r.activity_date.as_deref())
                        .bind(r.seq)
                        .bind(r.answers.as_str())
                        .bind(r.updated_at + 60_000);
                }
                q.execute(&mut *tx).await.unwrap();
            }
            let cells: Vec<(&str, &Cell)> =
                batch.iter().flat_map(|r| r.cells.iter().map(move |c| (r.id.as_str(), c))).collect();
            for chunk in cells.chunks(2000) {
                let sql = format!("INSERT INTO record_cells ({CELL_COLUMNS}) VALUES {}", tuples(chunk.len(), 6));
                let mut q = sqlx::query(&sql);
                for (id, c) in chunk {
                    q = q
                        .bind(*id)
                        .bind(c.field.as_str())
                        .bind(c.ethnicity.as_str())
                        .bind(c.sex)
                        .bind(c.group.as_str())
                        .bind(c.count);
                }
                q.execute(&mut *tx).await.unwrap();
            }
            tx.commit().await.unwrap();
        }
    })
    .await;
    let mut conn = conn.lock().await;
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(&mut *conn).await.unwrap();
    counts
}

/// COPY text format: `\N` for null, backslash escapes.
fn copy_text(out: &mut String, value: Option<&str>) {
    let Some(value) = value else {
        out.push_str("\\N");
        return;
    };
    for ch in value.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
}

/// PostgreSQL: `COPY … FROM STDIN`, two per batch of 10,000 records.
async fn fill_postgres(url: &str, catalog: Arc<Catalog>, total: usize) -> (usize, usize) {
    use sqlx::Connection;
    let conn = sqlx::postgres::PgConnection::connect(url).await.expect("PostgreSQL reachable");
    let conn = Arc::new(tokio::sync::Mutex::new(conn));
    generate(catalog, total, |batch| {
        let conn = conn.clone();
        async move {
            let mut records = String::with_capacity(batch.len() * 1500);
            let mut cells = String::with_capacity(batch.len() * 300);
            for r in &batch {
                let ints = |out: &mut String, values: &[i64]| {
                    for v in values {
                        out.push('\t');
                        out.push_str(&v.to_string());
                    }
                };
                for (i, text) in [r.id.as_str(), r.form_id].iter().enumerate() {
                    if i > 0 {
                        records.push('\t');
                    }
                    copy_text(&mut records, Some(text));
                }
                ints(&mut records, &[i64::from(r.version)]);
                for text in [r.unit_list, r.unit_code.as_str(), r.author.as_str(), r.device_id.as_str()] {
                    records.push('\t');
                    copy_text(&mut records, Some(text));
                }
                ints(&mut records, &[r.created_at, r.updated_at]);
                records.push('\t');
                copy_text(&mut records, Some(r.status));
                ints(&mut records, &[i64::from(r.deleted), r.revision]);
                records.push('\t');
                copy_text(&mut records, r.activity_date.as_deref());
                ints(&mut records, &[r.seq]);
                records.push('\t');
                copy_text(&mut records, Some(&r.answers));
                ints(&mut records, &[r.updated_at + 60_000]);
                records.push('\n');
                for c in &r.cells {
                    for text in [r.id.as_str(), c.field.as_str(), c.ethnicity.as_str(), c.sex, c.group.as_str()] {
                        copy_text(&mut cells, Some(text));
                        cells.push('\t');
                    }
                    cells.push_str(&c.count.to_string());
                    cells.push('\n');
                }
            }
            let mut conn = conn.lock().await;
            for (table, columns, data) in [("records", RECORD_COLUMNS, records), ("record_cells", CELL_COLUMNS, cells)]
            {
                let mut copy =
                    conn.copy_in_raw(&format!("COPY {table} ({columns}) FROM STDIN")).await.expect("COPY starts");
                copy.send(data.into_bytes()).await.expect("COPY data");
                copy.finish().await.expect("COPY ends");
            }
        }
    })
    .await
}

/// Whether the database holds a complete generated set of `total` records.
async fn generated(db: &Db, total: usize) -> bool {
    let marker = sqlx::query("SELECT value FROM counters WHERE name = $1")
        .bind(MARKER)
        .fetch_optional(&db.pool)
        .await
        .unwrap()
        .map(|r| r.get::<i64, _>("value"));
    let count: i64 =
        sqlx::query("SELECT COUNT(*) AS n FROM records").fetch_one(&db.pool).await.unwrap().get::<i64, _>("n");
    marker == Some(GENERATOR) && count == total as i64
}

async fn mark_generated(db: &Db, total: usize) {
    let seq = total as i64;
    sqlx::query("UPDATE counters SET value = $1 WHERE name = 'seq'").bind(seq).execute(&db.pool).await.unwrap();
    sqlx::query("INSERT INTO counters (name, value) VALUES ($1, $2)")
        .bind(MARKER)
        .bind(GENERATOR)
        .execute(&db.pool)
        .await
        .unwrap();
}

// ---- measuring -----------------------------------------------------------------------------

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn thousands(n: impl Into<u64>) -> String {
    let digits = n.into().to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// The figures the summary's totals are made of.
#[derive(Debug, Default, PartialEq, Eq)]
struct Totals {
    activities: u64,
    male: u64,
    female: u64,
}

/// The records every report reads, `$1` and `$2` being the period's first and last day.
const WHERE: &str = "r.deleted = 0 AND r.status = 'final' AND r.activity_date >= $1 AND r.activity_date <= $2";

/// Baselines: the same figures as the summary, straight from SQL written by hand, whose rows
/// are read and summed. Activities cannot come out of a grouping of grid cells (model checks
/// have no cells, other records several), so each has a `GROUP BY` over records for them; the
/// participants come from the cells:
/// - in one pass: one statement, cells by form, location, field, ethnicity, group and sex
///   (the finest grain, which both the by-ethnicity and the by-group figures roll up from);
/// - in the report's shape: three statements, as `store::reports` runs them (activities,
///   cells by ethnicity, cells by group).
fn baseline_sql(one_pass: bool) -> Vec<String> {
    let activities = format!(
        "SELECT 'a' AS kind, r.form_id, r.unit_list, r.unit_code, '' AS field, '' AS k1, '' AS k2, '' AS sex, \
         COUNT(*) AS n FROM records r WHERE {WHERE} GROUP BY r.form_id, r.unit_list, r.unit_code"
    );
    let cells = |kind: &str, k1: &str, k2: &str| {
        let keys: String = [k1, k2].iter().filter(|k| !k.starts_with('\'')).map(|k| format!(", {k}")).collect();
        format!(
            "SELECT '{kind}', r.form_id, r.unit_list, r.unit_code, c.field, {k1}, {k2}, c.sex, \
             CAST(SUM(c.count) AS BIGINT) FROM record_cells c JOIN records r ON r.id = c.record_id WHERE {WHERE} \
             GROUP BY r.form_id, r.unit_list, r.unit_code, c.field{keys}, c.sex"
        )
    };
    if one_pass {
        vec![format!("{activities} UNION ALL {}", cells("c", "c.ethnicity", "c.grp"))]
    } else {
        vec![activities, cells("c", "c.ethnicity", "''"), cells("g", "''", "c.grp")]
    }
}

/// Runs a baseline's statements and sums what they return: (totals, rows).
async fn baseline(db: &Db, statements: &[String], period: &Period) -> (Totals, usize) {
    let mut rows: Vec<(Vec<String>, i64)> = Vec::new();
    for sql in statements {
        let fetched = sqlx::query(sql)
            .bind(period.from.format("%Y-%m-%d").to_string())
            .bind(period.to.format("%Y-%m-%d").to_string())
            .fetch_all(&db.pool)
            .await
            .unwrap();
        // Read every value, as the report reads its rows.
        rows.extend(fetched.iter().map(|r| ((0..8).map(|i| r.get::<String, _>(i)).collect(), r.get::<i64, _>(8))));
    }
    let (mut totals, mut by_group) = (Totals::default(), Totals::default());
    for (keys, n) in &rows {
        let n = *n as u64;
        match (keys[0].as_str(), keys[7].as_str()) {
            ("a", _) => totals.activities += n,
            ("c", "male") => totals.male += n,
            ("c", _) => totals.female += n,
            (_, "male") => by_group.male += n,
            _ => by_group.female += n,
        }
    }
    if by_group != Totals::default() {
        assert_eq!((by_group.male, by_group.female), (totals.male, totals.female), "by group, the same people");
    }
    (totals, rows.len())
}

async fn get(router: &Router, token: &str, path: &str) -> (StatusCode, axum::body::Bytes) {
    let request = Request::get(path).header(header::AUTHORIZATION, format!("Bearer {token}")).body(Body::empty());
    let response = router.clone().oneshot(request.unwrap()).await.unwrap();
    let status = response.status();
    (status, response.into_body().collect().await.unwrap().to_bytes())
}

fn state(db: &Db, catalog: &Arc<Catalog>) -> AppState {
    let settings =
        Settings { public_url: "http://127.0.0.1".into(), trust_proxy: false, pwa_dir: None, allow_any_origin: false };
    AppState { db: db.clone(), catalog: catalog.clone(), settings: Arc::new(settings) }
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
    let mut db = Db::connect(url).await.expect("database");
    if generated(&db, total).await {
        println!("{label}: {} records (reused)", thousands(total as u64));
    } else {
        let count: i64 =
            sqlx::query("SELECT COUNT(*) AS n FROM records").fetch_one(&db.pool).await.unwrap().get::<i64, _>("n");
        assert_eq!(count, 0, "{label}: the bench database holds other records; remove it");
        let started = Instant::now();
        let (records, cells) = match fill {
            Fill::Sqlite => fill_sqlite(url, catalog.clone(), total).await,
            Fill::Postgres => fill_postgres(url, catalog.clone(), total).await,
        };
        if fill == Fill::Postgres {
            // What autovacuum does to a table after a bulk load: done now, so it does not
            // run during the measurements.
            for table in ["records", "record_cells"] {
                sqlx::query(&format!("VACUUM ANALYZE {table}")).execute(&db.pool).await.unwrap();
            }
        }
        mark_generated(&db, total).await;
        println!(
            "{label}: generated {} records, {} grid cells in {:.0} s",
            thousands(records as u64),
            thousands(cells as u64),
            started.elapsed().as_secs_f64()
        );
        // The server's pool, fresh, as after a restart.
        db.pool.close().await;
        db = Db::connect(url).await.unwrap();
    }
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
    let mut times: [Vec<Duration>; 5] = Default::default();
    for round in 0..rounds {
        let mut lap = Vec::new();
        let mut want = Vec::new();
        for sql in [&one_pass, &report_shape] {
            let t = Instant::now();
            want.push(baseline(&db, sql, &period).await);
            lap.push(t.elapsed());
        }

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
            println!(
                "  summary of {YEAR}, whole province: {} final records, {} grid cells; {} activities, {} participants \
                 ({} female); one-pass baseline returns {} groups; JSON {} KB, annual XLSX {} KB",
                thousands(in_year as u64),
                thousands(cells_in_year as u64),
                thousands(got.activities),
                thousands(got.male + got.female),
                thousands(got.female),
                thousands(want[0].1 as u64),
                body.len() / 1024,
                xlsx.len() / 1024
            );
        }
    }
    let [one_pass, report_shape, function, http, annual] = times.map(median);
    let best = one_pass.min(report_shape);
    let line = |what: &str, d: Duration| {
        println!("    {what:<58} {:>8.0} ms   {:>5.2}×", ms(d), ms(d) / ms(best));
    };
    println!("  median of {rounds} rounds (after a warm-up query); ratios to the faster hand-written SQL:");
    line("hand-written SQL, one pass (1 statement)", one_pass);
    line("hand-written SQL, the report's shape (3 statements)", report_shape);
    line("reports::summary (what the handler calls)", function);
    line("GET /api/v1/reports/summary?year (router, JSON)", http);
    line("GET /api/v1/reports/annual?year&format=xlsx", annual);
    println!(
        "  the report's own work besides its SQL: {:.0} ms (reports::summary − the report-shaped SQL)",
        ms(function) - ms(report_shape)
    );
    let verdict = |ok: bool| if ok { "met" } else { "NOT met" };
    println!(
        "  target ≤ 1.5× the hand-written SQL: {} ({:.2}×); under 500 ms: {} ({:.0} ms, through the router)",
        verdict(ms(http) / ms(best) <= 1.5),
        ms(http) / ms(best),
        verdict(ms(http) < 500.0),
        ms(http)
    );

    raw_exports(url, &token, &db).await;
    db.pool.close().await;
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Fill {
    Sqlite,
    Postgres,
}

// ---- the raw export, in a process of its own -------------------------------------------------

/// Runs each raw export in a fresh process of this benchmark, so that its peak resident
/// memory (VmHWM) is the export's and not the generator's.
async fn raw_exports(url: &str, token: &str, db: &Db) {
    let records: i64 = sqlx::query(
        "SELECT COUNT(*) AS n FROM records r WHERE r.deleted = 0 AND r.status = 'final' AND r.form_id = $1",
    )
    .bind(RAW_FORM)
    .fetch_one(&db.pool)
    .await
    .unwrap()
    .get("n");
    println!("  raw export (CSV) of every final {RAW_FORM} record: {}", thousands(records as u64));
    let mut figures = HashMap::new();
    for mode in ["baseline", "http"] {
        let output = std::process::Command::new(std::env::current_exe().unwrap())
            .args([CHILD_FLAG, mode, url, token])
            .stderr(std::process::Stdio::inherit())
            .output()
            .expect("the export process runs");
        assert!(output.status.success(), "raw export ({mode}) failed");
        let line = output.stdout.lines().map_while(Result::ok).find_map(|l| l.strip_prefix("RAW ").map(str::to_owned));
        let f: Value = serde_json::from_str(&line.expect("the export process reports")).unwrap();
        if mode == "http" {
            // One line per record after the header (no generated value holds a line break).
            assert_eq!(f["lines"].as_i64().unwrap(), records + 1, "every record exported once");
        }
        figures.insert(mode, f);
    }
    let base_ms = figures["baseline"]["ms"].as_f64().unwrap();
    for (mode, what) in [
        ("baseline", "baseline: stream the stored answers (one SELECT)"),
        ("http", "GET /api/v1/reports/raw?form&format=csv (router)"),
    ] {
        let f = &figures[mode];
        let kb = |k: &str| f[k].as_f64().unwrap() / 1024.0;
        println!(
            "    {what:<52} {:>8.1} s   {:>5.2}×   {:>6.0} MB written   peak RSS {:>5.1} MB (process before: {:.1} MB)",
            f["ms"].as_f64().unwrap() / 1000.0,
            f["ms"].as_f64().unwrap() / base_ms,
            f["bytes"].as_f64().unwrap() / 1_048_576.0,
            kb("hwm_kb"),
            kb("rss_before_kb"),
        );
    }
    let peak = figures["http"]["hwm_kb"].as_f64().unwrap() / 1024.0;
    println!(
        "  target: peak memory of the export under 100 MB: {} ({peak:.1} MB)",
        if peak < 100.0 { "met" } else { "NOT met" }
    );
}

/// `VmHWM` (peak resident) or `VmRSS` of this process, in KB.
fn status_kb(key: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(key)?.trim_start_matches(':').trim().strip_suffix("kB")?.trim().parse().ok())
        .unwrap_or(0)
}

fn raw_export_child(mode: &str, url: &str, token: &str) {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    runtime.block_on(async {
        let catalog = Arc::new(Catalog::bundled().unwrap());
        let db = Db::connect(url).await.expect("database");
        let router = app(state(&db, &catalog));
        let rss_before = status_kb("VmRSS");
        let started = Instant::now();
        let (mut bytes, mut lines) = (0u64, 0u64);
        let mut count = |chunk: &[u8]| {
            bytes += chunk.len() as u64;
            lines += chunk.iter().filter(|b| **b == b'\n').count() as u64;
        };
        match mode {
            "http" => {
                let request = Request::get(format!("/api/v1/reports/raw?form={RAW_FORM}&format=csv"))
                    .header(header::AUTHORIZATION, format!("Bearer {token}"))
                    .body(Body::empty())
                    .unwrap();
                let response = router.oneshot(request).await.unwrap();
                assert_eq!(response.status(), StatusCode::OK);
                let mut body = response.into_body();
                // Read as a client would, a frame at a time, keeping nothing.
                while let Some(frame) = body.frame().await {
                    if let Ok(data) = frame.expect("the export streams").into_data() {
                        count(&data);
                    }
                }
            }
            _ => {
                use futures_util::StreamExt;
                let sql = "SELECT r.answers FROM records r WHERE r.deleted = 0 AND r.status = 'final' \
                           AND r.form_id = $1 ORDER BY r.seq";
                let mut rows = sqlx::query(sql).bind(RAW_FORM).fetch(&db.pool);
                let mut out = Vec::with_capacity(1 << 16);
                while let Some(row) = rows.next().await {
                    let answers: String = row.unwrap().get("answers");
                    out.extend_from_slice(answers.as_bytes());
                    out.push(b'\n');
                    if out.len() >= 1 << 16 {
                        count(&out);
                        out.clear();
                    }
                }
                count(&out);
            }
        }
        let elapsed = started.elapsed();
        let figures = json!({
            "ms": ms(elapsed), "bytes": bytes, "lines": lines,
            "hwm_kb": status_kb("VmHWM"), "rss_before_kb": rss_before,
        });
        println!("RAW {figures}");
        std::io::stdout().flush().unwrap();
    });
}

// ---- databases ---------------------------------------------------------------------------------

fn bench_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"), PathBuf::from);
    target.join("bench-reports")
}

/// `url` with its database name replaced by `name`.
fn with_database(url: &str, name: &str) -> String {
    let base = url.split('?').next().unwrap_or(url);
    format!("{}/{name}", base.rsplit_once('/').map_or(base, |(b, _)| b))
}

/// The PostgreSQL database `name`, created when missing; emptied first when `fresh`, or when
/// it holds an incomplete or other generation.
async fn postgres_database(admin_url: &str, name: &str, total: usize, fresh: bool) -> String {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let url = with_database(admin_url, name);
    let mut admin = sqlx::AnyConnection::connect(admin_url).await.expect("PostgreSQL reachable");
    let exists = sqlx::query("SELECT 1 AS one FROM pg_database WHERE datname = $1")
        .bind(name)
        .fetch_optional(&mut admin)
        .await
        .unwrap()
        .is_some();
    let keep = exists && !fresh && {
        let db = Db::connect(&url).await.expect("the bench database opens");
        let ok = generated(&db, total).await;
        db.pool.close().await;
        ok
    };
    if !keep {
        if exists {
            sqlx::query(&format!("DROP DATABASE {name} WITH (FORCE)")).execute(&mut admin).await.unwrap();
        }
        sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut admin).await.unwrap();
    }
    url
}

async fn drop_postgres(admin_url: &str, name: &str) {
    use sqlx::Connection;
    if let Ok(mut conn) = sqlx::AnyConnection::connect(admin_url).await {
        let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut conn).await;
    }
}

/// The SQLite file for `total` records, removed first when it holds an incomplete or other
/// generation.
async fn sqlite_database(dir: &Path, total: usize) -> String {
    std::fs::create_dir_all(dir).unwrap();
    let url = Db::sqlite_url(dir);
    if dir.join("sotay.db").exists() {
        let db = Db::connect(&url).await.expect("the bench database opens");
        let ok = generated(&db, total).await;
        db.pool.close().await;
        if !ok {
            for file in ["sotay.db", "sotay.db-wal", "sotay.db-shm"] {
                let _ = std::fs::remove_file(dir.join(file));
            }
        }
    }
    url
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let [_, flag, mode, url, token] = &args[..] {
        if flag == CHILD_FLAG {
            return raw_export_child(mode, url, token);
        }
    }
    tracing_subscriber::fmt().with_env_filter("error").with_writer(std::io::stderr).init();
    let quick = !args.iter().any(|a| a == "--bench");
    let total: usize = match std::env::var("SOTAY_BENCH_REPORT_RECORDS") {
        Ok(n) => n.replace(['_', ','], "").parse().expect("SOTAY_BENCH_REPORT_RECORDS is a number"),
        Err(_) if quick => 20_000,
        Err(_) => 1_000_000,
    };
    let rounds = match std::env::var("SOTAY_BENCH_ROUNDS") {
        Ok(n) => n.parse().expect("SOTAY_BENCH_ROUNDS is a number"),
        Err(_) if quick => 1,
        Err(_) => 3,
    };
    let only = std::env::var("SOTAY_BENCH_ONLY").unwrap_or_default();
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    runtime.block_on(async {
        let temp = tempfile::tempdir().unwrap();
        let dir = if quick { temp.path().to_owned() } else { bench_dir().join(format!("sqlite-{total}")) };
        if only != "postgres" {
            let url = sqlite_database(&dir, total).await;
            bench("SQLite (WAL)", &url, total, rounds, Fill::Sqlite).await;
        }
        if only == "sqlite" {
            return;
        }
        match std::env::var("SOTAY_BENCH_DATABASE_URL").or_else(|_| std::env::var("SOTAY_TEST_DATABASE_URL")) {
            Ok(admin_url) => {
                let name = if quick {
                    format!("sotay_bench_reports_{}", Uuid::new_v4().simple())
                } else {
                    format!("sotay_bench_reports_{total}")
                };
                let url = postgres_database(&admin_url, &name, total, quick).await;
                bench("PostgreSQL", &url, total, rounds, Fill::Postgres).await;
                if quick {
                    drop_postgres(&admin_url, &name).await;
                }
            }
            Err(_) => println!("PostgreSQL: skipped (set SOTAY_BENCH_DATABASE_URL)"),
        }
    });
}
