//! The generated province: a million records in every form's proportions, written straight
//! into the database (multi-row INSERTs on SQLite, COPY on PostgreSQL) the way the push
//! path would store them, and kept for later runs.

use super::*;

/// Bump when the generated data changes: stored databases of another version are rebuilt.
const GENERATOR: i64 = 1;
/// The `counters` row that marks a complete generated database.
const MARKER: &str = "bench_reports_generator";
const BATCH: usize = 10_000;

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
        // The organising agency, where the form asks: mostly the commune's own bodies, now
        // and then a provincial department.
        if values.contains_key("organiser") {
            const AGENCIES: [(&str, u32); 6] = [
                ("ubnd_xa", 40),
                ("hoi_lhpn_xa", 30),
                ("doan_thanh_nien_xa", 12),
                ("mttq_xa", 8),
                ("so_y_te", 5),
                ("hoi_lhpn_tinh", 5),
            ];
            let (agency, _) = weighted(&AGENCIES, |a| a.1, self.rng.gen_range(0..100));
            values.insert("organiser".into(), json!(agency));
        }
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
            let prepared = PreparedChange::new(
                Change { change_id: id, base_revision: 0, record },
                &validated,
                form,
                &self.catalog,
            );
            let mut cells: Vec<Cell> = prepared
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
            // Report figures, stored as the push path stores them (sex, ethnicity, group '').
            cells.extend(prepared.figures.iter().filter(|(_, n)| *n != 0).map(|(field, n)| Cell {
                field: field.clone(),
                ethnicity: String::new(),
                sex: "",
                group: String::new(),
                count: *n,
            }));
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
pub(crate) async fn fill_sqlite(url: &str, catalog: Arc<Catalog>, total: usize) -> (usize, usize) {
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
pub(crate) async fn fill_postgres(url: &str, catalog: Arc<Catalog>, total: usize) -> (usize, usize) {
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
pub(crate) async fn generated(db: &Db, total: usize) -> bool {
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

pub(crate) async fn mark_generated(db: &Db, total: usize) {
    let seq = total as i64;
    sqlx::query("UPDATE counters SET value = $1 WHERE name = 'seq'").bind(seq).execute(&db.pool).await.unwrap();
    sqlx::query("INSERT INTO counters (name, value) VALUES ($1, $2)")
        .bind(MARKER)
        .bind(GENERATOR)
        .execute(&db.pool)
        .await
        .unwrap();
}
