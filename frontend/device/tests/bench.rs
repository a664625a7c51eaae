//! Benchmark, not a test: device storage in headless Chromium with 10,000 records, each
//! figure beside a bare-IndexedDB baseline measured in the same run.
//!
//! - saving one record (autosave): `Storage::save_draft` against one `put` of the same JSON
//!   text into a plain object store, one committed transaction each;
//! - opening the records list: `Storage::records()` against a bare `get_all` of the same
//!   10,000 JSON values.
//!
//! Times are printed, never asserted; the setup is. It runs only when compiled with
//! `SOTAY_DEVICE_BENCH` set (`cargo xtask bench` does); otherwise the test returns at once,
//! so the normal browser-test run compiles it and moves on. By hand (`--nocapture` makes the
//! runner show the printed table):
//!
//! ```text
//! SOTAY_DEVICE_BENCH=1 CHROMEDRIVER=/usr/bin/chromedriver \
//!   CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
//!   cargo test -p sotay-device --target wasm32-unknown-unknown --test bench -- --nocapture
//! ```
#![cfg(target_arch = "wasm32")]

use chrono::{Duration, TimeZone, Utc};
use forms::sync::{PullResponse, PulledRecord};
use forms::{Location, Record, RecordStatus};
use indexed_db_futures::database::Database;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionMode;
use serde_json::json;
use sotay_device::{LocalRecord, Storage, SyncState};
use uuid::Uuid;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Set at compile time to run the benchmark.
const ENABLED: bool = option_env!("SOTAY_DEVICE_BENCH").is_some();

/// Records stored before anything is measured.
const STORED: usize = 10_000;
/// Records written per transaction while filling (setup only).
const FILL_PAGE: usize = 1_000;
/// Timed saves, and untimed ones before them to warm up the JIT and the database.
const SAVES: usize = 200;
const WARMUP: usize = 10;
/// Timed openings of the records list; the median is reported.
const LIST_RUNS: usize = 5;

/// The baseline's single object store (out-of-line keys, no indexes).
const BARE_STORE: &str = "values";

#[wasm_bindgen]
extern "C" {
    /// `performance.now()`: milliseconds, finer than `Date.now()`.
    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    fn now_ms() -> f64;
}

/// A synced training session as a phone holds it: header fields, a two-sex by
/// four-ethnicity count grid (8 cells), the calculated totals and a Vietnamese note.
fn training_session(i: usize) -> LocalRecord {
    const TOPICS: [&str; 5] =
        ["gender_mainstreaming", "sex_disaggregated_data", "family_conflict", "gbv_prevention", "gender_equality_law"];
    const ORGANISERS: [&str; 3] = ["so_noi_vu", "hoi_lhpn_tinh", "ubnd_xa"];
    const UNITS: [&str; 4] = ["21001", "21025", "21040", "21103"];
    let ethnicities = ["01", "19", "30", "14"];
    let cells: Vec<(&str, &str, usize)> = ethnicities
        .iter()
        .enumerate()
        .flat_map(|(e, code)| [(*code, "male", (i * 7 + e * 3) % 19 + 1), (*code, "female", (i * 5 + e * 11) % 23 + 1)])
        .collect();
    let total: usize = cells.iter().map(|c| c.2).sum();
    let female: usize = cells.iter().filter(|c| c.1 == "female").map(|c| c.2).sum();
    let minority: usize = cells.iter().filter(|c| c.0 != "01").map(|c| c.2).sum();
    let days = i % 3;
    let start = Utc.with_ymd_and_hms(2024, 1, 8, 0, 0, 0).unwrap() + Duration::days((i % 600) as i64);
    let serde_json::Value::Object(values) = json!({
        "topic": TOPICS[i % TOPICS.len()],
        "format": "in_person",
        "organiser": ORGANISERS[i % ORGANISERS.len()],
        "start_date": start.format("%Y-%m-%d").to_string(),
        "end_date": (start + Duration::days(days as i64)).format("%Y-%m-%d").to_string(),
        "duration_days": days + 1,
        "trainers": "Báo cáo viên Sở Nội vụ; chuyên viên Phòng Bình đẳng giới",
        "participant_category": ["commune_officials", "village_heads"],
        "participants": cells
            .iter()
            .map(|(ethnicity, sex, count)| json!({ "ethnicity": ethnicity, "sex": sex, "count": count }))
            .collect::<Vec<_>>(),
        "participants_total": total,
        "participants_female": female,
        "participants_minority": minority,
        "notes": format!("Lớp tập huấn số {i} tại nhà văn hóa xã; học viên thảo luận nhóm và làm bài kiểm tra cuối khóa."),
    }) else {
        unreachable!("json! of an object")
    };
    let at = Utc.with_ymd_and_hms(2024, 1, 8, 9, 0, 0).unwrap() + Duration::minutes(i as i64 * 90);
    let record = Record {
        id: Uuid::new_v4(),
        form_id: "training_session".into(),
        form_version: 1,
        location: Location { unit_list: "units_2025".into(), unit_code: UNITS[i % UNITS.len()].into() },
        author: format!("officer{:02}", i % 12),
        device_id: "tab-07".into(),
        created_at: at,
        updated_at: at + Duration::minutes(20),
        status: RecordStatus::Final,
        deleted: false,
        revision: 1 + (i % 4) as u64,
        values,
    };
    LocalRecord { state: SyncState::Synced, ..LocalRecord::new(record) }
}

/// An autosave of `local`: one grid cell and the totals changed a moment later.
fn edited(local: &LocalRecord, n: usize) -> LocalRecord {
    let mut edit = LocalRecord { state: SyncState::Draft, ..local.clone() };
    let values = &mut edit.record.values;
    let cell = &mut values["participants"][n % 8]["count"];
    *cell = json!(cell.as_u64().unwrap_or(0) + 1);
    values["participants_total"] = json!(values["participants_total"].as_u64().unwrap_or(0) + 1);
    edit.record.updated_at = Utc.with_ymd_and_hms(2025, 9, 1, 8, 0, 0).unwrap() + Duration::seconds(n as i64);
    edit
}

fn json_text(local: &LocalRecord) -> JsValue {
    JsValue::from_str(&serde_json::to_string(local).expect("serialise"))
}

/// The baseline database: one plain object store, nothing else.
async fn open_bare(name: &str) -> Database {
    Database::open(name)
        .with_version(1u32)
        .with_on_upgrade_needed(|_, db| {
            db.create_object_store(BARE_STORE).build()?;
            Ok(())
        })
        .await
        .expect("open the baseline database")
}

/// One bare put in its own transaction, committed: what `save_draft` does at the least.
async fn bare_put(db: &Database, key: &str, value: &JsValue) {
    let tx = db.transaction(BARE_STORE).with_mode(TransactionMode::Readwrite).build().expect("transaction");
    let store = tx.object_store(BARE_STORE).expect("store");
    store.put(value.clone()).with_key(key.to_string()).without_key_type().await.expect("put");
    drop(store);
    tx.commit().await.expect("commit");
}

async fn bare_get_all(db: &Database) -> Vec<JsValue> {
    let tx = db.transaction(BARE_STORE).build().expect("transaction");
    let store = tx.object_store(BARE_STORE).expect("store");
    let all = store.get_all::<JsValue>().await.expect("get_all");
    all.collect::<Result<_, _>>().expect("values")
}

async fn bare_count(db: &Database) -> u32 {
    let tx = db.transaction(BARE_STORE).build().expect("transaction");
    let count = tx.object_store(BARE_STORE).expect("store").count().await.expect("count");
    count
}

/// Nearest-rank percentile of sorted samples.
fn percentile(sorted: &[f64], q: f64) -> f64 {
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

fn sorted(mut samples: Vec<f64>) -> Vec<f64> {
    samples.sort_by(f64::total_cmp);
    samples
}

#[wasm_bindgen_test]
async fn storage_with_10k_records() {
    if !ENABLED {
        console_log!("bench skipped: compile with SOTAY_DEVICE_BENCH=1 to run it (cargo xtask bench does)");
        return;
    }
    let run = Uuid::new_v4();
    let storage_name = format!("bench-device-{run}");
    let bare_name = format!("bench-bare-{run}");

    // Setup: the same 10,000 records in both databases, written in bulk (untimed).
    let setup_start = now_ms();
    let locals: Vec<LocalRecord> = (0..STORED).map(training_session).collect();
    let storage = Storage::open_named(&storage_name).await.expect("open storage");
    for (page, chunk) in locals.chunks(FILL_PAGE).enumerate() {
        let cursor = ((page + 1) * FILL_PAGE) as u64;
        let response = PullResponse {
            records: chunk.iter().map(|l| PulledRecord { cursor, record: l.record.clone(), review: None }).collect(),
            next_cursor: cursor,
            has_more: cursor < STORED as u64,
            catalog_version: "bench".into(),
        };
        assert_eq!(storage.apply_pull(&response).await.expect("fill storage"), chunk.len());
    }
    let bare = open_bare(&bare_name).await;
    {
        let tx = bare.transaction(BARE_STORE).with_mode(TransactionMode::Readwrite).build().expect("transaction");
        let store = tx.object_store(BARE_STORE).expect("store");
        for local in &locals {
            store.put(json_text(local)).with_key(local.record.id.to_string()).without_key_type().await.expect("put");
        }
        drop(store);
        tx.commit().await.expect("commit");
    }
    assert_eq!(storage.records().await.expect("records").len(), STORED);
    assert_eq!(storage.counts().await.expect("counts").synced, STORED);
    assert_eq!(storage.record(locals[1234].record.id).await.expect("record"), Some(locals[1234].clone()));
    assert_eq!(bare_count(&bare).await as usize, STORED);
    let setup_ms = now_ms() - setup_start;

    // Saving one record: autosaves of records spread over the store, each timed alone,
    // alternating which side goes first so neither always runs on a warmer cache.
    let edits: Vec<LocalRecord> =
        (0..WARMUP + SAVES).map(|n| edited(&locals[n * (STORED / (WARMUP + SAVES))], n)).collect();
    let texts: Vec<(String, JsValue)> = edits.iter().map(|e| (e.record.id.to_string(), json_text(e))).collect();
    let mut save_ms = Vec::with_capacity(SAVES);
    let mut put_ms = Vec::with_capacity(SAVES);
    for (n, (edit, (key, text))) in edits.iter().zip(&texts).enumerate() {
        let mut one_save = 0.0;
        let mut one_put = 0.0;
        for side in [n % 2, 1 - n % 2] {
            let start = now_ms();
            if side == 0 {
                storage.save_draft(edit).await.expect("save_draft");
                one_save = now_ms() - start;
            } else {
                bare_put(&bare, key, text).await;
                one_put = now_ms() - start;
            }
        }
        if n >= WARMUP {
            save_ms.push(one_save);
            put_ms.push(one_put);
        }
    }
    let last = edits.last().expect("edits");
    assert_eq!(storage.record(last.record.id).await.expect("record").as_ref(), Some(last));
    assert_eq!(storage.counts().await.expect("counts").drafts, WARMUP + SAVES);
    assert_eq!(bare_count(&bare).await as usize, STORED);

    // Opening the records list: all 10,000, timed whole, alternating as above.
    let mut list_ms = Vec::with_capacity(LIST_RUNS);
    let mut get_all_ms = Vec::with_capacity(LIST_RUNS);
    for n in 0..LIST_RUNS {
        for side in [n % 2, 1 - n % 2] {
            let start = now_ms();
            if side == 0 {
                let listed = storage.records().await.expect("records");
                list_ms.push(now_ms() - start);
                assert_eq!(listed.len(), STORED);
            } else {
                let all = bare_get_all(&bare).await;
                get_all_ms.push(now_ms() - start);
                assert_eq!(all.len(), STORED);
            }
        }
    }

    storage.close();
    drop(storage);
    bare.delete().expect("delete the baseline database").await.expect("deleted");
    Database::delete_by_name(&storage_name).expect("delete the bench database").await.expect("deleted");

    let (save_ms, put_ms) = (sorted(save_ms), sorted(put_ms));
    let (list_ms, get_all_ms) = (sorted(list_ms), sorted(get_all_ms));
    let (save_p50, save_p95) = (percentile(&save_ms, 0.50), percentile(&save_ms, 0.95));
    let (put_p50, put_p95) = (percentile(&put_ms, 0.50), percentile(&put_ms, 0.95));
    let (list_med, get_all_med) = (percentile(&list_ms, 0.5), percentile(&get_all_ms, 0.5));
    let lines = [
        format!("sotay-device storage benchmark: {STORED} training sessions (8-cell grid) stored, headless Chromium"),
        format!("setup (bulk fill of both databases, untimed below): {setup_ms:.0} ms"),
        String::new(),
        format!("save one record ({SAVES} saves, {WARMUP} warm-up)      p50 ms    p95 ms"),
        format!("  storage.save_draft                         {save_p50:>8.2}  {save_p95:>8.2}"),
        format!("  baseline: bare put, one tx, committed      {put_p50:>8.2}  {put_p95:>8.2}"),
        format!("  ratio p95(save_draft) / p95(bare put)      {:>18.2}x   (target <= 2x)", save_p95 / put_p95),
        String::new(),
        format!("open the records list ({STORED} records)           median of {LIST_RUNS}, ms"),
        format!("  storage.records()                          {list_med:>18.1}"),
        format!("  baseline: bare get_all                     {get_all_med:>18.1}"),
        format!("  ratio records() / get_all                  {:>18.2}x", list_med / get_all_med),
        format!("  (all runs, ms: records() {list_ms:.1?}; get_all {get_all_ms:.1?})"),
    ];
    for line in lines {
        console_log!("{line}");
    }
}
