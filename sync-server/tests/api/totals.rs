//! Report sums kept at write time (`store::totals`) against the same sums rebuilt from the
//! records: after every round of pushes — new records, corrections that move a record to
//! another day, month or commune, change its counts, turn it into a draft and back, and
//! deletions, several changes of one record in one push among them — both tables must hold
//! exactly what summing the stored records from scratch gives.

use chrono::{Duration, NaiveDate};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sqlx::Row;
use sync_server::Db;

use super::*;
use forms::RecordStatus;

const COMMUNES: [(&str, bool); 4] = [(A, true), (B, true), (OLD_IN_A, false), (OLD_IN_B, false)];
const ETHNICITIES: [&str; 4] = ["01", "19", "30", "14"];

fn random_record(rng: &mut StdRng, record: &mut Record) {
    let (code, current) = COMMUNES[rng.gen_range(0..COMMUNES.len())];
    record.location = if current { commune(code) } else { old_commune(code) };
    let day = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap() + Duration::days(rng.gen_range(0..690));
    record.values.insert("event_date".into(), json!(day.to_string()));
    record.values.insert("part_of_action_month".into(), json!(false));
    let mut cells = Vec::new();
    for ethnicity in ETHNICITIES {
        for group in ["adult", "child"] {
            for sex in ["female", "male"] {
                if rng.gen_bool(0.4) {
                    cells.push(
                        json!({"ethnicity": ethnicity, "sex": sex, "group": group, "count": rng.gen_range(0..30)}),
                    );
                }
            }
        }
    }
    if cells.is_empty() {
        cells.push(json!({"ethnicity": "19", "sex": "female", "group": "adult", "count": 4}));
    }
    record.values.insert("participants".into(), Value::Array(cells));
    record.status = if rng.gen_bool(0.15) { RecordStatus::Draft } else { RecordStatus::Final };
}

/// Every non-empty sum of every grain, in key order.
async fn sums(db: &Db) -> Vec<String> {
    let sql = "SELECT grain, period, form_id, unit_list, unit_code, field, ethnicity, grp, sex, entries, total \
               FROM report_totals ORDER BY grain, period, form_id, unit_list, unit_code, field, ethnicity, grp, sex";
    let mut out = Vec::new();
    for row in sqlx::query(sql).fetch_all(&db.pool).await.unwrap() {
        let entries: i64 = row.get("entries");
        let total: i64 = row.get("total");
        // Keys whose records all went elsewhere keep a row of zeros; a rebuild has none.
        assert!(entries >= 0 && (entries > 0 || total == 0), "entries {entries}, total {total}");
        if entries == 0 {
            continue;
        }
        let key: Vec<String> =
            ["grain", "period", "form_id", "unit_list", "unit_code", "field", "ethnicity", "grp", "sex"]
                .iter()
                .map(|c| row.get::<String, _>(*c))
                .collect();
        out.push(format!("{} = {entries}/{total}", key.join("|")));
    }
    out
}

async fn sums_kept_at_write_time_equal_sums_rebuilt_from_the_records(app: TestApp) {
    let mut rng = StdRng::seed_from_u64(11);
    let admin = app.admin("totals").await;
    let mut records: Vec<Record> = (0..80)
        .map(|_| {
            let mut r = record_in(A);
            random_record(&mut rng, &mut r);
            r
        })
        .collect();
    for (result, record) in
        app.push(&admin, &records.iter().map(new_change).collect::<Vec<_>>()).await.iter().zip(&mut records)
    {
        assert_eq!(result["outcome"], "applied", "{result}");
        record.revision = 1;
    }
    let kept = sums(&app.db).await;
    for grain in ["y|", "m|", "h|", "d|"] {
        assert!(kept.iter().filter(|s| s.starts_with(grain)).count() > 20, "the records are summed by {grain}");
    }

    for round in 0..4 {
        let mut changes = Vec::new();
        for record in records.iter_mut() {
            if record.deleted || !rng.gen_bool(0.5) {
                continue;
            }
            if rng.gen_bool(0.15) {
                record.deleted = true;
            } else {
                random_record(&mut rng, record);
            }
            changes.push(change(record, record.revision));
            // Now and then a second change of the same record in the same push.
            if !record.deleted && rng.gen_bool(0.2) {
                record.revision += 1;
                random_record(&mut rng, record);
                changes.push(change(record, record.revision));
            }
            record.revision += 1;
        }
        for result in app.push(&admin, &changes).await {
            assert_eq!(result["outcome"], "applied", "round {round}: {result}");
        }
        let kept = sums(&app.db).await;
        app.db.rebuild_report_totals().await.unwrap();
        let rebuilt = sums(&app.db).await;
        let differing: Vec<_> =
            kept.iter().filter(|s| !rebuilt.contains(s)).chain(rebuilt.iter().filter(|s| !kept.contains(s))).collect();
        assert!(differing.is_empty(), "round {round}: kept and rebuilt sums differ: {differing:#?}");
    }
    assert!(records.iter().any(|r| r.deleted), "deletions are covered");
}

both!(sums_kept_at_write_time_equal_sums_rebuilt_from_the_records);
